"""The event-propagation engines (``brainsim.nn.set_event_backend``) agree, the Pallas
kernels run on CPU in interpreter mode, and a GPU program has no sort and no branch."""

from __future__ import annotations

import re

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import models, simulate
from brainsim.nn import _event_kernels as ek
from brainsim.nn._event import _enqueue, _scatter


def _engines(fn, monkeypatch=None):
    out = {}
    for name in ("topk", "pallas", "dense"):
        with brainsim.nn.event_backend(name):
            out[name] = fn()
    # the two-phase Pallas kernel (used for large populations)
    old = ek.TWO_PHASE_MIN_ROWS
    ek.TWO_PHASE_MIN_ROWS = 1
    try:
        with brainsim.nn.event_backend("pallas"):
            out["pallas_two_phase"] = fn()
    finally:
        ek.TWO_PHASE_MIN_ROWS = old
    return out


@pytest.mark.parametrize("hom", [True, False])
@pytest.mark.parametrize("batch", [(), (3,)])
def test_engines_agree_exactly_with_integer_weights(hom, batch):
    rng = np.random.default_rng(1)
    n_pre, n_post, k = 130, 70, 21
    idx = jnp.asarray(rng.integers(0, n_post, (n_pre, k)), jnp.int32)
    w = jnp.float32(2.0) if hom else jnp.asarray(rng.integers(-3, 4, (n_pre, k)), jnp.float32)
    x = jnp.asarray(rng.random(batch + (n_pre,)) < 0.1, jnp.float32)
    res = _engines(lambda: _scatter(x, w, idx, n_post, 4))
    dense = np.zeros(batch + (n_post,), np.float32)
    xs = np.asarray(x).reshape(-1, n_pre)
    flat = dense.reshape(-1, n_post)
    for b in range(xs.shape[0]):
        for i in np.flatnonzero(xs[b]):
            np.add.at(flat[b], np.asarray(idx[i]), np.broadcast_to(np.asarray(w), idx.shape)[i])
    for name, y in res.items():
        np.testing.assert_array_equal(np.asarray(y), dense, err_msg=name)


@pytest.mark.parametrize("batch", [(), (2,)])
def test_delayed_engines_agree(batch):
    rng = np.random.default_rng(2)
    n_pre, n_post, k, L = 90, 40, 13, 6
    idx = jnp.asarray(rng.integers(0, n_post, (n_pre, k)), jnp.int32)
    d = jnp.asarray(rng.integers(0, L, (n_pre, k)), jnp.int32)
    w = jnp.asarray(rng.integers(1, 4, (n_pre, k)), jnp.float32)
    x = jnp.asarray(rng.random(batch + (n_pre,)) < 0.2, jnp.float32)
    q = jnp.asarray(rng.integers(0, 3, (L,) + batch + (n_post,)), jnp.float32)
    res = _engines(lambda: _enqueue(q, x, w, idx, d, jnp.int32(4), 8))
    for name in ("pallas", "dense", "pallas_two_phase"):
        np.testing.assert_array_equal(np.asarray(res[name]), np.asarray(res["topk"]),
                                      err_msg=name)


def test_pallas_gradients_match_topk():
    conn = brainsim.nn.EventFixedProb(50, 30, conn_num=7, conn_weight=0.5, seed=3)
    x = jnp.asarray(np.random.default_rng(4).random((4, 50)) < 0.3, jnp.float32)

    def loss(w, xv):
        return jnp.sum(brainsim.nn.event_matvec(xv, w, conn.indices, 30, 8) ** 2)

    res = _engines(lambda: jax.grad(loss, argnums=(0, 1))(0.5, x))
    for name in ("pallas", "dense", "pallas_two_phase"):
        for a, b in zip(res[name], res["topk"], strict=True):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, err_msg=name)


def test_pallas_under_vmap():
    conn = brainsim.nn.EventFixedProb(40, 25, conn_num=5, conn_weight=1.0, seed=5)
    x = jnp.asarray(np.random.default_rng(6).random((3, 40)) < 0.3, jnp.float32)
    with brainsim.nn.event_backend("pallas"):
        y = jax.vmap(conn)(x)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(x @ conn.to_dense()))


def test_compact_nonzero_matches_numpy():
    rng = np.random.default_rng(7)
    for shape in [(1,), (1023,), (1025,), (6, 333), (4, 5, 6)]:
        arr = rng.random(shape) < 0.05
        pos, count = ek.compact_nonzero(jnp.asarray(arr))
        np.testing.assert_array_equal(np.asarray(pos[:count]), np.flatnonzero(arr))
    pos, count = ek.compact_nonzero(jnp.zeros(10, bool))
    assert count == 0


def test_bad_backend_name():
    with pytest.raises(brainsim.BrainSimError, match="set_event_backend"):
        brainsim.nn.set_event_backend("cuda")


def _coba(n, seed=0):
    brainsim.environ.set(dt=0.1 * u.ms)
    with brainsim.random.seed_context(seed):
        net = models.networks.COBANetwork(n_exc=int(0.8 * n), n_inh=n - int(0.8 * n),
                                          p=80 / n, seed=seed)
        sim = simulate.Simulation(net, record={"s": simulate.spikes(lambda: net.spike.value)})
    return net, sim


def test_two_phase_kernel_spreads_rows_over_few_programs():
    rng = np.random.default_rng(8)
    idx = jnp.asarray(rng.integers(0, 50, (200, 9)), jnp.int32)
    x = jnp.asarray(rng.random((2, 200)) < 0.3, jnp.float32)
    want = ek._dense(x, idx, jnp.float32(1.0), 50, None, None, 1, None)
    for programs in (1, 3, 64, 500):  # fewer programs than rows, and more
        got = ek.pallas_event_scatter_two_phase(x, idx, jnp.float32(1.0), 50,
                                                programs=programs)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_coba_spikes_pallas_interpreter_equal_cpu_engine():
    """Same network, same seed: the Pallas kernel (interpreted) and the CPU engine give the
    same spikes over 30 ms (sums of the same conductances in another order)."""
    runs = {}
    for name in ("topk", "pallas"):
        with brainsim.nn.event_backend(name):
            _, sim = _coba(400)
            runs[name] = sim.run(30 * u.ms)["s"]
    assert len(runs["topk"]) > 50
    np.testing.assert_array_equal(runs["pallas"].indices, runs["topk"].indices)
    np.testing.assert_array_equal(runs["pallas"].steps, runs["topk"].steps)


def _cuda_program(n: int) -> str:
    _, sim = _coba(n)
    kinds, series, consts = sim._split_inputs((), 50)
    sim._kinds = kinds
    fn, _ = sim._get_fn(50, kinds, series, consts, False)
    idx = jnp.arange(50, dtype=jnp.int32)
    with brainsim.nn.event_backend("pallas", interpret=False):
        traced = fn.trace(idx, (), consts)
    return traced.lower(lowering_platforms=("cuda",)).as_text()


def test_cuda_loop_has_no_sort_no_branch_and_no_size_dependent_constants():
    small, large = _cuda_program(2000), _cuda_program(64000)
    for txt in (small, large):
        assert txt.count("stablehlo.while") == 1
        body = txt[txt.index("stablehlo.while"):]
        for banned in ("stablehlo.case", "stablehlo.if", "sort", "top_k", "TopK"):
            assert banned not in body, banned
        assert "triton" in txt  # the Pallas kernel is in the loop
    # connectivity is an argument, not a constant: the program does not grow with N
    assert abs(len(large) - len(small)) < 0.02 * len(small)
    assert not re.search(r"dense<\[\[", large)


def test_cuda_two_phase_kernel_lowers(monkeypatch):
    monkeypatch.setattr(ek, "TWO_PHASE_MIN_ROWS", 500)
    txt = _cuda_program(4000)
    assert txt.count("__gpu$xla.gpu.triton") == 4  # two kernels per projection


def test_simulation_unroll_argument():
    brainsim.environ.set(dt=0.1 * u.ms)
    lif = brainsim.models.LIF(3)
    with pytest.raises(brainsim.BrainSimError, match="unroll"):
        simulate.Simulation(lif, unroll=0)
    sim = simulate.Simulation(lif, unroll=4,
                              record={"s": simulate.spikes(lambda: lif.get_spike())})
    ref = simulate.Simulation(brainsim.models.LIF(3),
                              record={"s": simulate.spikes(lambda: lif.get_spike())})
    a = sim.run(5 * u.ms, inputs=(jnp.array([0., 2., 5.]) * u.mA,))
    assert sim._unroll() == 4 and ref._unroll() == 1
    assert len(a["s"]) > 0


on_gpu = pytest.mark.skipif(jax.default_backend() not in ("gpu", "cuda", "rocm"),
                            reason="compiled Pallas kernels need a GPU")


@on_gpu
def test_compiled_kernels_on_gpu_are_exact():
    rng = np.random.default_rng(9)
    idx = jnp.asarray(rng.integers(0, 3000, (20000, 80)), jnp.int32)
    w = jnp.asarray(rng.integers(-3, 4, (20000, 80)), jnp.float32)
    x = jnp.asarray(rng.random((2, 20000)) < 0.01, jnp.float32)
    want = ek._dense(x, idx, w, 3000, None, None, 1, None)
    for got in (ek.pallas_event_scatter(x, idx, w, 3000),
                ek.pallas_event_scatter_two_phase(x, idx, w, 3000)):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    arr = rng.random((50, 100_000)) < 0.01
    pos, count = ek.compact_nonzero(jnp.asarray(arr))
    np.testing.assert_array_equal(np.asarray(pos)[:count], np.flatnonzero(arr))
