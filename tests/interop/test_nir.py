"""NIR export / import: round trips, graphs written the way other libraries write them,
and the errors for what NIR or brainsim cannot express."""

from __future__ import annotations

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim.interop.nir import LeakyIntegrator, NIRNetwork, from_nir, to_nir

nir = pytest.importorskip("nir")

DT = 0.1 * u.ms


@pytest.fixture(autouse=True)
def _dt():
    brainsim.environ.set(dt=DT)


def _run(model, xs):
    """Outputs of ``model`` over the time axis of ``xs`` (a fresh state), as mantissas."""
    model.init_all_states()

    def step(x):
        return model(x)

    out = brainsim.transform.for_loop(step, xs)
    return np.asarray(u.get_mantissa(out))


def _spiky_inputs(seed: int, steps: int, n: int, batch: int | None = None) -> jax.Array:
    shape = (steps, n) if batch is None else (steps, batch, n)
    return jax.random.uniform(jax.random.PRNGKey(seed), shape) * 2.0


def _rand(seed, shape, scale=1.0):
    return np.random.default_rng(seed).normal(size=shape) * scale


def feedforward() -> brainsim.nn.Sequential:
    return brainsim.nn.Sequential(
        brainsim.nn.Linear(5, 8, w_init=_rand(0, (5, 8), 6.0) * u.mA,
                           b_init=_rand(1, (8,), 0.5) * u.mA),
        brainsim.models.LIF(8, tau=np.linspace(4, 12, 8) * u.ms, V_th=1.0 * u.mV,
                            V_reset=-0.2 * u.mV, V_rest=0.1 * u.mV, spk_reset="soft"),
        brainsim.nn.EventLinear(8, 6, _rand(2, (8, 6), 20.0) * u.mA),
        brainsim.models.IF(6, tau=2 * u.ms, R=2 * u.ohm, spk_reset="hard"),
        brainsim.models.LeakyRateReadout(6, 3, tau=np.array([3.0, 5.0, 9.0]) * u.ms,
                                         w_init=_rand(3, (6, 3))),
    )


def recurrent() -> NIRNetwork:
    inner = NIRNetwork(
        nodes={"lif": brainsim.models.LIF(6, R=20 * u.ohm, tau=6 * u.ms, spk_reset="hard"),
               "w_rec": brainsim.nn.Linear(6, 6, w_init=_rand(4, (6, 6), 1.5) * u.mA,
                                           b_init=None)},
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    return NIRNetwork(
        nodes={
            "fc": brainsim.nn.Linear(4, 6, w_init=_rand(5, (4, 6), 2.0) * u.mA),
            "syn": brainsim.models.CubaLIF(6, tau=8 * u.ms, tau_syn=np.linspace(2, 5, 6) * u.ms,
                                           V_th=0.5 * u.mV),
            "rec": brainsim.nn.EventLinear(6, 6, _rand(6, (6, 6), 0.8) * u.mA),
            "layer": inner,
            "out": brainsim.models.LeakySpikeReadout(
                6, w_init=np.abs(_rand(7, (6, 6), 40.0)) * u.mV),
        },
        edges=[("input", "fc"), ("fc", "syn"), ("syn", "rec"), ("rec", "syn"),
               ("syn", "layer"), ("layer", "out"), ("out", "output")],
    )


def test_feedforward_round_trip_gives_identical_outputs():
    model = feedforward()
    xs = _spiky_inputs(0, 200, 5)
    want = _run(model, xs)
    graph = to_nir(model)
    assert [type(n).__name__ for n in graph.nodes.values()] == [
        "Input", "Affine", "LIF", "Linear", "LIF", "Linear", "LI", "Output"]
    back = from_nir(graph)
    got = _run(back, xs)
    assert np.abs(want).max() > 0.1  # the readout saw spikes
    # float32: the rebuilt readout sums in another order (a few ulp)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    # the spiking layers agree exactly: compare the hidden spikes of both models
    assert isinstance(back.nodes["layers2"], brainsim.nn.EventLinear)
    assert isinstance(back.nodes["layers3"], brainsim.models.IF)


def test_round_trip_through_a_file_with_batch(tmp_path):
    model = feedforward()
    path = tmp_path / "net.nir"
    nir.write(str(path), to_nir(model))
    back = from_nir(nir.read(str(path)))
    xs = _spiky_inputs(1, 100, 5, batch=3)
    model.init_all_states(batch_size=3)
    back.init_all_states(batch_size=3)
    want = brainsim.transform.for_loop(model, xs)
    got = brainsim.transform.for_loop(back, xs)
    np.testing.assert_allclose(u.get_mantissa(got), u.get_mantissa(want), rtol=1e-5, atol=1e-5)


def test_recurrent_round_trip_gives_identical_spikes():
    model = recurrent()
    xs = _spiky_inputs(2, 300, 4)
    want = _run(model, xs)
    graph = to_nir(model)
    assert ("rec", "syn") in graph.edges and ("syn", "rec") in graph.edges
    assert isinstance(graph.nodes["layer"], nir.NIRGraph)  # nested subgraph
    assert ("out_w", "out") in graph.edges
    back = from_nir(graph)
    got = _run(back, xs)
    assert want.sum() > 10, "the network should spike"
    np.testing.assert_array_equal(got, want)
    # and the recurrent connections matter: without them the spikes differ
    model.nodes["rec"].weight.value = jnp.zeros((6, 6)) * u.mA
    assert not np.array_equal(_run(model, xs), want)


def test_export_uses_nir_units():
    lif = brainsim.models.LIF(2, tau=20 * u.ms, R=2 * u.kohm, V_th=15 * u.mV,
                              V_reset=-5 * u.mV, V_rest=1 * u.mV)
    node = to_nir(lif).nodes["lif"]
    np.testing.assert_allclose(node.tau, [0.02, 0.02])  # s
    np.testing.assert_allclose(node.r, [2000.0, 2000.0])  # ohm
    np.testing.assert_allclose(node.v_threshold, [15.0, 15.0])  # mV
    np.testing.assert_allclose(node.v_reset, [-5.0, -5.0])
    np.testing.assert_allclose(node.v_leak, [1.0, 1.0])
    assert node.metadata["brainsim"]["spk_reset"] == "soft"


# --------------------------------------------------------------- graphs from other tools


def snntorch_style_cubalif(alpha: float, beta: float, thr: float, w: np.ndarray) -> object:
    """A graph as snnTorch's exporter writes ``Linear -> Synaptic``: dt = 1e-4 s,
    ``tau = dt / (1 - decay)``, ``r = tau_mem / dt``, ``w_in = tau_syn / dt``, v_leak = 0."""
    dt, n = 1e-4, w.shape[0]
    tau_syn = np.full(n, dt / (1 - alpha))
    tau_mem = np.full(n, dt / (1 - beta))
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([w.shape[1]])),
            "0": nir.Affine(weight=w, bias=np.zeros(n)),
            "1": nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau_mem, r=tau_mem / dt,
                             v_leak=np.zeros(n), v_threshold=np.full(n, thr),
                             w_in=tau_syn / dt),
            "output": nir.Output(output_type=np.array([n])),
        },
        edges=[("input", "0"), ("0", "1"), ("1", "output")],
    )


def test_foreign_cubalif_follows_the_nir_ode():
    """A constant input S through snnTorch-style CubaLIF: v(t) must follow the closed form
    of tau_syn I' = -I + w_in S, tau_mem v' = -v + r I (run at a finer dt than the
    exporter's: NIR's equations are continuous in time)."""
    w = np.array([[1.0], [0.5]])
    graph = snntorch_style_cubalif(alpha=0.8, beta=0.9, thr=1e9, w=w)  # never fires
    brainsim.environ.set(dt=0.005 * u.ms)
    net = from_nir(graph)
    steps = 400
    s0 = 0.2
    vs = []
    net.init_all_states()
    for _ in range(steps):
        net(jnp.array([s0]))
        vs.append(np.asarray(net.nodes["1"].V.value.to_decimal(u.mV)))
    vs = np.stack(vs)
    node = graph.nodes["1"]
    ts, tm = node.tau_syn[0], node.tau_mem[0]
    t = np.arange(1, steps + 1) * 5e-6
    shape = 1 - (tm * np.exp(-t / tm) - ts * np.exp(-t / ts)) / (tm - ts)
    expect = (node.r * node.w_in)[None, :] * (w[:, 0] * s0)[None, :] * shape[:, None]
    np.testing.assert_allclose(vs[80:], expect[80:], rtol=2e-2)
    np.testing.assert_allclose(vs[-1], expect[-1], rtol=5e-3)


def test_foreign_lif_fires_at_the_analytic_rate():
    """Norse-style LIF (tau = 1 / tau_mem_inv, r = 1, hard reset to v_reset) under a
    constant current fires with the analytic period tau ln((rI - v_r) / (rI - v_th))."""
    tau, r_i, v_th, v_r = 0.01, 2.0, 1.0, 0.0
    graph = nir.NIRGraph.from_list(
        nir.LIF(tau=np.array([tau]), r=np.array([1.0]), v_leak=np.array([0.0]),
                v_threshold=np.array([v_th]), v_reset=np.array([v_r])))
    net = from_nir(graph)
    spikes = _run(net, jnp.full((5000, 1), r_i))  # 0.5 s of 2 mA
    period = tau * np.log((r_i - v_r) / (r_i - v_th))  # 6.93 ms
    # a spike is detected at the end of the step that crosses, and the reset step integrates
    # again: the period in steps is ceil(period / dt)
    assert spikes.sum() == 5000 // np.ceil(period / 1e-4)
    assert np.argmax(spikes[:, 0]) == np.ceil(period / 1e-4) - 1


def test_foreign_if_integrates_without_leak():
    graph = nir.NIRGraph.from_list(
        nir.IF(r=np.array([100.0, 200.0]), v_threshold=np.array([1.0, 1.0])))
    net = from_nir(graph)
    spikes = _run(net, jnp.ones((1000, 2)))  # v' = r I: 100 and 200 mV/s, 0.1 s
    # v = 1 mV after 100 / 50 steps (one more where float32 rounding lands just below)
    first = np.argmax(spikes, axis=0)
    assert 99 <= first[0] <= 100 and 49 <= first[1] <= 50, first
    assert 9 <= spikes[:, 0].sum() <= 10 and 19 <= spikes[:, 1].sum() <= 20


def test_foreign_recurrent_subgraph_imports_and_runs():
    """snnTorch writes RSynaptic as a nested graph: input -> lif, lif -> w_rec -> lif."""
    n, dt = 3, 1e-4
    tau_syn, tau_mem = np.full(n, dt / 0.5), np.full(n, dt / 0.1)

    def graph(w_rec):
        sub = nir.NIRGraph(
            nodes={"input": nir.Input(input_type=np.array([n])),
                   "lif": nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau_mem, r=tau_mem / dt,
                                      v_leak=np.zeros(n), v_threshold=np.ones(n),
                                      w_in=tau_syn / dt),
                   "w_rec": nir.Linear(weight=w_rec),
                   "output": nir.Output(output_type=np.array([n]))},
            edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")])
        return nir.NIRGraph(
            nodes={"input": nir.Input(input_type=np.array([2])),
                   "0": nir.Linear(weight=np.full((n, 2), 0.3)), "1": sub,
                   "output": nir.Output(output_type=np.array([n]))},
            edges=[("input", "0"), ("0", "1"), ("1", "output")])

    xs = (jax.random.uniform(jax.random.PRNGKey(3), (400, 2)) < 0.3).astype(jnp.float32)
    alone = _run(from_nir(graph(np.zeros((n, n)))), xs).sum()
    excited = _run(from_nir(graph(np.full((n, n), 0.5))), xs).sum()
    assert 0 < alone < excited


def test_unsupported_nir_node_is_named():
    graph = nir.NIRGraph.from_list(nir.Linear(weight=np.ones((2, 2))),
                                   nir.Scale(scale=np.ones(2)))
    with pytest.raises(brainsim.BrainSimError, match=r"node 'scale' is a nir\.Scale"):
        from_nir(graph)


def test_unsupported_module_is_named():
    net = brainsim.nn.Sequential(brainsim.nn.Linear(2, 3),
                                 brainsim.models.AdExIF(3))
    with pytest.raises(brainsim.BrainSimError, match=r"layers1 is a AdExIF"):
        to_nir(net)


def test_cubalif_outside_a_network_is_refused():
    with pytest.raises(brainsim.BrainSimError, match="NIRNetwork, where inputs reach g"):
        to_nir(brainsim.models.CubaLIF(3))


def test_network_checks_its_edges():
    with pytest.raises(brainsim.BrainSimError, match="names 'nope'"):
        NIRNetwork({"li": LeakyIntegrator(2, tau=5 * u.ms)}, [("input", "nope")])
    with pytest.raises(brainsim.BrainSimError, match="not reachable"):
        NIRNetwork({"li": LeakyIntegrator(2, tau=5 * u.ms)}, [("li", "output")])


def test_from_nir_rejects_other_objects():
    with pytest.raises(brainsim.BrainSimError, match="expected a nir.NIRGraph"):
        from_nir({"nodes": {}})
