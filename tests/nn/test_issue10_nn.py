"""Regression tests for issue 10 (correctness sweep): nn, graph and State."""

import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import graph, nn


# ---------------------------------------------------------------- item 5
def test_pop_states_removes_every_alias_of_a_state():
    m = nn.Module()
    s = brainsim.ShortTermState(jnp.zeros(2))
    m.a = s
    m.b = s
    m.keep = brainsim.ParamState(jnp.ones(1))
    popped = graph.pop_states(m, brainsim.ShortTermState)
    assert list(popped.to_flat()) == [("a",)]
    assert not hasattr(m, "a") and not hasattr(m, "b")
    assert list(m.states()) == [("keep",)]


# ---------------------------------------------------------------- item 6
class Scale(nn.ElementWiseBlock):
    def update(self, x):
        return 2 * x


def test_element_wise_block_as_last_layer_passes_sizes_through():
    seq = nn.Sequential(nn.Linear(3, 5), Scale())
    assert seq.out_size == (5,)
    assert seq[1].in_size == (5,) and seq[1].out_size == (5,)
    seq.append(Scale())
    assert seq.out_size == (5,)


# ---------------------------------------------------------------- item 7
def test_hidden_group_state_holding_a_numpy_array_can_set_value():
    st = brainsim.HiddenGroupState(np.zeros((3, 2)))
    st.set_value({0: np.ones(3)})
    np.testing.assert_array_equal(np.asarray(st.value)[:, 0], np.ones(3))
    np.testing.assert_array_equal(np.asarray(st.value)[:, 1], np.zeros(3))


# ---------------------------------------------------------------- item 9
class Counter(nn.Module):
    def init_state(self, batch_size=None):
        self.x = brainsim.ShortTermState(brainsim.random.normal(size=3))

    def reset_state(self, batch_size=None):
        self.x.value = jnp.zeros_like(self.x.value) + brainsim.random.normal(size=3) * 0


def test_vmap_reset_all_states_after_vmap_init_keeps_one_batch_axis():
    m = Counter()
    nn.vmap_init_all_states(m, axis_size=4)
    assert m.x.value.shape == (4, 3)
    nn.vmap_reset_all_states(m, axis_size=4)
    assert m.x.value.shape == (4, 3)
    nn.vmap_reset_all_states(m, axis_size=4)
    assert m.x.value.shape == (4, 3)
    np.testing.assert_array_equal(m.x.value, np.zeros((4, 3)))


# ---------------------------------------------------------------- item 10
def test_sequential_string_lookup_of_a_missing_layer_raises_key_error():
    seq = nn.Sequential(nn.Linear(3, 5, name="fc"), Scale())
    assert seq["fc"] is seq[0]
    with pytest.raises(KeyError, match=r"Sequential\['missing'\]: no layer named 'missing'"):
        seq["missing"]
    assert isinstance(seq[-1], Scale)
    assert len(seq[0:1]) == 1 and len(seq[(0, 1)]) == 2


# ---------------------------------------------------------------- item 11
def test_assign_state_values_reports_unexpected_keys_as_given():
    m = nn.Module()
    m.w = brainsim.ParamState(jnp.zeros(2))
    unexpected, missing = graph.assign_state_values(
        m, {"w": jnp.ones(2), "sub.x": 1.0, ("y", "z"): 2.0})
    assert unexpected == ["sub.x", ("y", "z")]
    assert missing == []
    np.testing.assert_array_equal(m.w.value, np.ones(2))


# ---------------------------------------------------------------- silent acceptance
@pytest.mark.parametrize("bad", ["a string", object(), {"nested": jnp.ones(2)}])
def test_update_states_rejects_a_value_unlike_the_states(bad):
    m = nn.Module()
    m.w = brainsim.ParamState(jnp.zeros(2))
    with pytest.raises((TypeError, KeyError), match=r"update_states: .*\('w'"):
        graph.update_states(m, {("w",): bad})
    np.testing.assert_array_equal(m.w.value, np.zeros(2))


def test_update_states_rejects_a_state_object_as_value():
    m = nn.Module()
    m.w = brainsim.ParamState(jnp.zeros(2))
    with pytest.raises(TypeError, match=r"update_states: the State at path \('w',\)"):
        graph.update_states(m, {("w",): brainsim.State(jnp.ones(2))})


# ---------------------------------------------------------------- silent acceptance
@pytest.mark.parametrize("y", [[1.0, 0.0, 0.0, 0.0], [0.5, 0.6], [-0.5, 1.5]])
def test_simplex_inverse_rejects_points_off_the_open_simplex(y):
    with pytest.raises(ValueError, match=r"SimplexT.inverse\(y=...\): expected weights in"):
        nn.SimplexT().inverse(y)


# ---------------------------------------------------------------- item 15
def test_update_before_init_state_names_the_module_and_the_fix():
    import brainunit as u

    brainsim.environ.set(dt=0.1 * u.ms)
    lif = brainsim.models.LIF(3)
    with pytest.raises(AttributeError, match=r"LIF.V: .* Call module.init_state\(\)") as info:
        lif(1.0 * u.mA)
    assert isinstance(info.value, brainsim.BrainSimError)
    nn.init_all_states(lif)
    lif(1.0 * u.mA)
    with pytest.raises(AttributeError, match="'LIF' object has no attribute 'typo'"):
        _ = lif.typo
    assert not hasattr(lif, "typo")


def test_a_user_module_used_before_init_state_gets_the_same_error():
    class Acc(nn.Module):
        def init_state(self, batch_size=None):
            self.total = brainsim.ShortTermState(jnp.zeros(()))

        def update(self, x):
            self.total.value += x
            return self.total.value

    m = Acc()
    with pytest.raises(AttributeError, match=r"Acc.total: .*init_all_states"):
        m(1.0)
    m.init_state()
    assert float(m(1.0)) == 1.0


# ---------------------------------------------------------------- item 12
def test_delay_retrieve_at_time_reads_an_absolute_time():
    import brainunit as u

    with brainsim.environ.context(dt=1.0 * u.ms):
        d = nn.Delay(jnp.zeros(()), time=4.0 * u.ms)
        d.init_state()
        for i in range(6):  # writes 0, 10, ..., 50 at t = 0..5 ms
            with brainsim.environ.context(t=i * u.ms):
                d.update(jnp.float32(10 * i))
        with brainsim.environ.context(t=5.0 * u.ms):
            assert float(d.retrieve_at_time(4.0 * u.ms)) == 40.0  # the value written at 4 ms
            assert float(d.retrieve_at_time(2.5 * u.ms)) == 25.0  # linear interpolation
            assert float(d.retrieve_time_ago(1.0 * u.ms)) == 40.0  # the duration form
        with pytest.raises(Exception, match="current simulation time"):
            d.retrieve_at_time(4.0 * u.ms)  # no t in environ
