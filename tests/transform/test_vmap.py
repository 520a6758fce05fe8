"""State-aware ``vmap`` and ``vmap_new_states`` (API.md E.3)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim.transform import for_loop, vmap, vmap_new_states

B, N = 4, 3


class Cell(brainsim.nn.Module):
    """A leaky accumulator: a broadcast weight and a per-sample hidden state."""

    def __init__(self, h0):
        super().__init__()
        self.w = brainsim.ParamState(jnp.linspace(0.5, 1.5, N))
        self.h = brainsim.HiddenState(h0)

    def update(self, x):
        self.h.value = 0.9 * self.h.value + self.w.value * x
        return self.h.value.sum()


H0 = jnp.arange(B * N, dtype=jnp.float32).reshape(B, N) / 10
XS = jnp.arange(B * N, dtype=jnp.float32).reshape(B, N) - 5.0


def loop_reference(h0, xs, steps=1):
    """A Python loop over the batch, one unbatched Cell per sample."""
    outs, hs = [], []
    for b in range(h0.shape[0]):
        cell = Cell(h0[b])
        for _ in range(steps):
            out = cell(xs[b])
        outs.append(out)
        hs.append(cell.h.value)
    return jnp.stack(outs), jnp.stack(hs)


@pytest.mark.parametrize(
    "spec",
    [
        lambda s: {0: {"h": s}},
        lambda s: {0: [s]},
        lambda s: [s],
        lambda s: s,
    ],
    ids=["axis-dict", "axis-list", "list", "state"],
)
def test_vmap_module_equals_loop_over_batch(spec):
    cell = Cell(H0)
    w_before = cell.w.value
    f = vmap(cell.update, in_states=spec(cell.h))
    out = f(XS)
    out = f(XS)  # a second step, from the written batched state
    e_out, e_h = loop_reference(H0, XS, steps=2)
    np.testing.assert_allclose(out, e_out, rtol=1e-6)
    np.testing.assert_allclose(cell.h.value, e_h, rtol=1e-6)
    assert cell.h.value.shape == (B, N)
    assert cell.w.value is w_before  # broadcast, read-only: never written back


def test_in_states_on_another_axis():
    cell = Cell(H0.T)  # batch on axis 1
    out = vmap(cell.update, in_states={1: [cell.h]})(XS)
    e_out, e_h = loop_reference(H0, XS)
    np.testing.assert_allclose(out, e_out, rtol=1e-6)
    np.testing.assert_allclose(cell.h.value, e_h.T, rtol=1e-6)


def test_in_axes_and_broadcast_arguments():
    cell = Cell(H0)
    scale = jnp.float32(2.0)
    out = vmap(lambda x, s: cell(x * s), in_axes=(0, None), in_states=cell.h)(XS, scale)
    e_out, _ = loop_reference(H0, XS * scale)
    np.testing.assert_allclose(out, e_out, rtol=1e-6)


def test_out_states_writes_batched_value():
    rec = brainsim.State(jnp.zeros(N))
    out = vmap(lambda x: rec.__setattr__("value", x * 2) or x.sum(), out_states={0: [rec]})(XS)
    np.testing.assert_allclose(out, XS.sum(axis=1))
    assert rec.value.shape == (B, N)
    np.testing.assert_allclose(rec.value, XS * 2)

    rec2 = brainsim.State(jnp.zeros(N))

    def write_axis1(x):
        rec2.value = x + 1

    vmap(write_axis1, out_states={1: {"r": rec2}})(XS)
    np.testing.assert_allclose(rec2.value, (XS + 1).T)


def test_same_state_with_different_in_and_out_axes_raises():
    s = brainsim.State(jnp.zeros((B, N)))
    with pytest.raises(brainsim.BatchAxisError, match="axis 0 in in_states but axis 1"):
        vmap(lambda x: x, in_states={0: [s]}, out_states={1: [s]})
    with pytest.raises(brainsim.BatchAxisError, match="two batch axes"):
        vmap(lambda x: x, in_states={0: [s], 1: [s]})


def test_batched_write_into_undeclared_state_raises():
    undeclared = brainsim.State(jnp.zeros(N), name="trace")
    before = undeclared.value

    def f(x):
        undeclared.value = undeclared.value + x
        return x.sum()

    with pytest.raises(brainsim.BatchAxisError, match="out_states") as info:
        vmap(f)(XS)
    assert "'trace'" in str(info.value)
    assert undeclared.value is before  # nothing leaked into the State


def test_unbatched_write_into_undeclared_state_is_allowed():
    count = brainsim.State(jnp.zeros(()))

    def f(x):
        count.value = count.value + 1.0  # does not depend on the mapped input
        return x * 2

    np.testing.assert_allclose(vmap(f)(XS), XS * 2)
    assert float(count.value) == 1.0


def test_keyword_arguments_raise_not_implemented():
    with pytest.raises(NotImplementedError, match="keyword arguments are not supported"):
        vmap(lambda x, y=1.0: x * y)(XS, y=2.0)


@pytest.mark.parametrize(
    "in_axes, args",
    [((0, 0), (XS,)), ((0, None, 0), (XS, XS)), ([0], (XS, XS))],
    ids=["too-many", "too-many-2", "too-few"],
)
def test_wrong_in_axes_length_raises(in_axes, args):
    f = vmap(lambda *a: sum(a), in_axes=in_axes)
    with pytest.raises(ValueError, match="in_axes has .* entries but the function was called"):
        f(*args)


def test_inconsistent_batch_sizes_raise():
    with pytest.raises(ValueError, match=r"inconsistent batch sizes \[4, 5\]"):
        vmap(lambda x, y: x.sum() + y.sum())(jnp.zeros((4, 2)), jnp.zeros((5, 2)))
    s = brainsim.State(jnp.zeros((5, N)))
    with pytest.raises(ValueError, match="inconsistent batch sizes"):
        vmap(lambda x: x + s.value, in_states=s)(XS)
    with pytest.raises(ValueError, match="inconsistent batch sizes"):
        vmap(lambda x: x, axis_size=7)(XS)
    with pytest.raises(ValueError, match="cannot infer the batch size"):
        vmap(lambda x: x, in_axes=None)(XS)


def test_axis_size_alone_gives_the_batch():
    out = vmap(lambda: jnp.ones(2), axis_size=5)()
    assert out.shape == (5, 2)


def test_per_lane_random_draws_differ():
    out = vmap(lambda x: x + brainsim.random.rand(), in_axes=0)(jnp.zeros(4))
    assert out.shape == (4,)
    assert len(set(np.asarray(out).tolist())) == 4
    assert bool(jnp.all((out >= 0) & (out < 1)))
    # the global key advanced: the next batch differs
    out2 = vmap(lambda x: x + brainsim.random.rand(), in_axes=0)(jnp.zeros(4))
    assert not np.allclose(out, out2)


def test_vmap_new_states_adds_batch_axis_and_per_lane_draws():
    holder = {}

    def make():
        holder["v"] = brainsim.HiddenState(brainsim.random.normal(size=N))
        holder["z"] = brainsim.State(jnp.zeros(2))

    with brainsim.catch_new_states() as catcher:
        vmap_new_states(make, axis_size=B)()
    v = holder["v"].value
    assert v.shape == (B, N)
    assert holder["z"].value.shape == (B, 2)
    assert len({tuple(row) for row in np.asarray(v).tolist()}) == B
    assert len(catcher) == 2
    # the new States are ordinary, concrete States usable by later transforms
    out = vmap(lambda: holder["v"].value.sum(), in_states=holder["v"])()
    np.testing.assert_allclose(out, v.sum(axis=1), rtol=1e-6)


def test_vmap_new_states_tags_and_maps_arguments():
    holder = {}

    def make(x):
        holder["s"] = brainsim.State(x * 2)

    vmap_new_states(make, state_tag="batch")(jnp.arange(3.0))
    np.testing.assert_allclose(holder["s"].value, jnp.arange(3.0) * 2)
    assert holder["s"].tag == {"batch"}


@pytest.mark.parametrize("kw", ["in_states", "out_states"])
def test_vmap_new_states_rejects_in_and_out_states(kw):
    s = brainsim.State(jnp.zeros(3))
    with pytest.raises(ValueError, match="in_states / out_states are not supported"):
        vmap_new_states(lambda: None, axis_size=2, **{kw: s})


@pytest.mark.parametrize("size", [0, -1])
def test_vmap_new_states_axis_size_must_be_positive(size):
    with pytest.raises(ValueError, match="expected a positive int"):
        vmap_new_states(lambda: None, axis_size=size)


def test_vmap_of_for_loop_composes():
    T = 5
    cell = Cell(H0)
    xs = jnp.broadcast_to(XS[:, None, :], (B, T, N))

    def run(x_seq):
        return for_loop(cell.update, x_seq)

    ys = vmap(run, in_states=cell.h)(xs)
    assert ys.shape == (B, T)
    e_out, e_h = loop_reference(H0, XS, steps=T)
    np.testing.assert_allclose(ys[:, -1], e_out, rtol=1e-5)
    np.testing.assert_allclose(cell.h.value, e_h, rtol=1e-5)


def test_vmap_inside_jit():
    cell = Cell(H0)
    f = brainsim.transform.jit(vmap(cell.update, in_states=cell.h))
    f(XS)
    out = f(XS)
    e_out, e_h = loop_reference(H0, XS, steps=2)
    np.testing.assert_allclose(out, e_out, rtol=1e-6)
    np.testing.assert_allclose(cell.h.value, e_h, rtol=1e-6)
    assert not isinstance(cell.h.value, jax.core.Tracer)
