"""State-aware ``jit`` and ``make_jaxpr`` (API.md A.3 and E.1)."""

import jax
import jax.extend as jex
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import brainsim
from brainsim.transform import StatefulFunction, jit, make_jaxpr


@jax.tree_util.register_pytree_node_class
class Box:
    """A pytree node with an identity: a write-back would build a new Box."""

    def __init__(self, x):
        self.x = x

    def tree_flatten(self):
        return (self.x,), None

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(*children)


class Acc(brainsim.nn.Module):
    """Accumulates its input into a hidden state whose batch shape can be reset."""

    def __init__(self, n: int = 3):
        super().__init__()
        self.n = n
        self.h = brainsim.HiddenState(jnp.zeros(n))

    def reset_state(self, batch_size=None):
        shape = (self.n,) if batch_size is None else (batch_size, self.n)
        self.h.value = jnp.zeros(shape)

    def update(self, x):
        self.h.value = self.h.value + x
        return self.h.value


# ------------------------------------------------------------------ state semantics


@settings(max_examples=10, deadline=None)
@given(st.lists(st.floats(-100, 100, width=32), min_size=1, max_size=6))
def test_counter_keeps_updates_exactly_as_eager(xs):
    c_eager = brainsim.State(jnp.zeros((), jnp.float32))
    c_jit = brainsim.State(jnp.zeros((), jnp.float32))

    def make(c):
        def step(x):
            c.value += x
            return c.value * 2

        return step

    eager, jitted = make(c_eager), jit(make(c_jit))
    for x in xs:
        x = jnp.float32(x)
        np.testing.assert_array_equal(jitted(x), eager(x))
    np.testing.assert_array_equal(c_jit.value, c_eager.value)
    assert not isinstance(c_jit.value, jax.core.Tracer)


def test_read_only_state_is_never_written_back():
    box = Box(jnp.arange(3.0))
    arr = jnp.ones(3)
    r_box, r_arr = brainsim.State(box), brainsim.State(arr)
    w = brainsim.State(jnp.zeros(3))

    @jit
    def f(x):
        w.value = r_box.value.x + r_arr.value + x
        return w.value.sum()

    assert float(f(1.0)) == 9.0
    assert float(f(2.0)) == 12.0
    assert r_box.value is box
    assert r_arr.value is arr
    np.testing.assert_array_equal(w.value, jnp.array([3.0, 4.0, 5.0]))
    sf = f.stateful_fun
    assert sf.get_read_states(1.0) == [r_box, r_arr]
    assert sf.get_write_states(1.0) == [w]


def test_written_state_can_change_pytree_leaves_values_only():
    s = brainsim.State({"a": jnp.zeros(2), "b": jnp.ones(())})

    @jit
    def f(x):
        s.value = {"a": s.value["a"] + x, "b": s.value["b"] * 2}

    f(jnp.ones(2))
    f(jnp.ones(2))
    np.testing.assert_array_equal(s.value["a"], [2.0, 2.0])
    assert float(s.value["b"]) == 4.0


# ------------------------------------------------------------------ decorator forms


def test_plain_decorator():
    s = brainsim.State(jnp.zeros(()))

    @jit
    def f(x):
        s.value += x
        return s.value

    assert float(f(2.0)) == 2.0
    assert float(f(3.0)) == 5.0
    assert f.__name__ == "f"


def test_decorator_factory_static_argnums():
    calls = []

    @jit(static_argnums=1)
    def f(x, n):
        calls.append(n)
        for _ in range(n):  # a Python loop: n must be a Python int
            x = x * 2
        return x

    assert float(f(1.0, 3)) == 8.0
    assert float(f(1.0, 2)) == 4.0
    n_calls = len(calls)
    assert float(f(5.0, 3)) == 40.0  # cached signature: no new trace
    assert len(calls) == n_calls


def test_static_argnames():
    @jit(static_argnames="mode")
    def f(x, mode="add"):
        return x + 1 if mode == "add" else x - 1

    assert float(f(1.0)) == 2.0
    assert float(f(1.0, mode="add")) == 2.0
    assert float(f(1.0, mode="sub")) == 0.0

    @jit(static_argnames=("k",))
    def g(x, k):
        return x * len(k)

    assert float(g(2.0, k="abc")) == 6.0


def test_direct_call_with_static_argnums():
    f = jit(lambda x, shape: jnp.broadcast_to(x, shape), static_argnums=(1,))
    assert f(1.0, (2, 3)).shape == (2, 3)
    assert f(1.0, (4,)).shape == (4,)


@pytest.mark.parametrize("argnums", [-1, (0, -2)])
def test_negative_static_argnums_raise(argnums):
    with pytest.raises(ValueError, match="negative argument numbers are not supported"):
        jit(lambda x, y: x, static_argnums=argnums)
    with pytest.raises(ValueError, match="negative"):
        jit(static_argnums=argnums)


# ------------------------------------------------------------------ attributes / AOT


def test_origin_and_stateful_fun():
    def f(x):
        return x + 1

    jf = jit(f)
    assert jf.origin_fun is f
    assert isinstance(jf.stateful_fun, StatefulFunction)


def test_clear_cache_forces_a_new_trace():
    n = [0]

    @jit
    def f(x):
        n[0] += 1
        return x * 2

    f(1.0)
    first = n[0]
    f(2.0)
    assert n[0] == first
    f.clear_cache()
    assert float(f(3.0)) == 6.0
    assert n[0] > first


def test_aot_api_leaves_states_alone():
    s = brainsim.State(jnp.ones(3))
    before = s.value

    @jit
    def f(x):
        s.value = s.value * x
        return s.value.sum()

    shape = f.eval_shape(2.0)
    assert shape.shape == () and shape.dtype == jnp.float32
    lowered = f.lower(2.0)
    assert "stablehlo" in lowered.as_text() or "func" in lowered.as_text()
    compiled = f.compile(2.0)
    assert compiled.as_text()
    traced = f.trace(2.0)
    assert hasattr(traced, "jaxpr")
    assert s.value is before  # nothing above ran the function for real
    assert float(f(2.0)) == 6.0
    np.testing.assert_array_equal(s.value, jnp.full(3, 2.0))


def test_disable_jit_runs_eagerly():
    s = brainsim.State(jnp.zeros(()))
    seen = []

    @jit
    def f(x):
        seen.append(isinstance(x, jax.core.Tracer))
        s.value += x
        return s.value

    with jax.disable_jit():
        assert float(f(jnp.float32(1.5))) == 1.5
        assert float(f(jnp.float32(1.5))) == 3.0
    assert seen == [False, False]
    assert float(s.value) == 3.0


# ------------------------------------------------------------------ tracing cost


def test_tracing_cost_is_paid_once_per_signature():
    n = [0]
    s = brainsim.State(jnp.zeros(()))

    @jit
    def f(x):
        n[0] += 1
        s.value += x.sum()
        return x * 2

    f(jnp.ones(3))
    first = n[0]
    assert first >= 1
    for _ in range(3):
        f(jnp.ones(3))
    assert n[0] == first, "a call with the same shapes must not re-trace"
    f(jnp.ones(4))
    assert n[0] == first + 1, "a new argument shape costs exactly one new trace"
    f(jnp.ones(4))
    f(jnp.ones(3))
    assert n[0] == first + 1
    assert float(s.value) == 3 * 4 + 4 * 2 + 3


def test_state_shape_change_retraces_without_error():
    m = Acc(3)
    n = [0]

    @jit
    def step(x):
        n[0] += 1
        return m(x)

    np.testing.assert_array_equal(step(jnp.ones(3)), jnp.ones(3))
    traces = n[0]
    m.reset_state(batch_size=4)
    out = step(jnp.ones(3))
    assert out.shape == (4, 3)
    np.testing.assert_array_equal(out, jnp.ones((4, 3)))
    assert n[0] > traces
    out = step(jnp.ones(3))
    np.testing.assert_array_equal(out, jnp.full((4, 3), 2.0))
    m.reset_state()
    np.testing.assert_array_equal(step(jnp.ones(3)), jnp.ones(3))
    assert m.h.value.shape == (3,)


def test_state_shape_change_that_changes_which_states_are_written():
    a = brainsim.State(jnp.zeros(2))
    b = brainsim.State(jnp.zeros(()))

    @jit
    def f(x):
        if a.value.ndim == 2:  # a shape-dependent Python branch
            b.value = b.value + 1.0
        a.value = a.value + x
        return b.value

    f(1.0)
    assert float(b.value) == 0.0
    a.value = jnp.zeros((2, 2))
    f(1.0)  # b is now read *and written*; the update must not be lost
    assert float(b.value) == 1.0
    np.testing.assert_array_equal(a.value, jnp.ones((2, 2)))


# ------------------------------------------------------------------ make_jaxpr / StatefulFunction


def test_make_jaxpr_returns_jaxpr_and_states():
    s = brainsim.State(jnp.ones(3))
    r = brainsim.State(jnp.full(3, 2.0))
    before = s.value

    def f(x):
        s.value = s.value * x + r.value
        return s.value.sum()

    closed, states = make_jaxpr(f)(2.0)
    assert isinstance(closed, jex.core.ClosedJaxpr)
    assert isinstance(states, tuple)
    assert states == (s, r)
    assert s.value is before
    # inputs: the state values, then the arguments; outputs: result, new written values
    assert len(closed.jaxpr.invars) == 3
    out = jex.core.jaxpr_as_fun(closed)(s.value, r.value, 2.0)
    np.testing.assert_allclose(out[0], 12.0)
    np.testing.assert_allclose(out[1], jnp.full(3, 4.0))


def test_stateful_function_read_and_write_states():
    a, b, c = (brainsim.State(jnp.ones(2)) for _ in range(3))

    def f(x, scale):
        b.value = a.value * x * scale
        return c.value + b.value

    sf = StatefulFunction(f, static_argnums=1)
    assert sf.get_read_states(1.0, 2) == [a, c]
    assert sf.get_write_states(1.0, 2) == [b]
    assert sf.get_states(1.0, 2) == [a, b, c]
    trace = sf.get_state_trace(1.0, 2)
    assert trace.written == [False, True, False]
    # discovery rolls every touched State back
    np.testing.assert_array_equal(b.value, jnp.ones(2))
    closed, states = sf.make_jaxpr(1.0, 2)
    assert states == (a, b, c)
