"""Reference networks of ``brainsim.models.networks``: qualitative headlines at small sizes.

Each test checks what the network is known for (a benchmark's rate range, a regime, a
firing pattern, a decision), not exact spike counts. Sizes and durations are cut so that
each test runs in well under 20 s on a laptop CPU.
"""

from __future__ import annotations

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import analysis, models, nn, simulate
from brainsim.models import networks


@pytest.fixture()
def dt():
    with brainsim.environ.context(dt=0.1 * u.ms):
        yield


def _spikes(net: nn.Module, duration, record=None) -> simulate.SpikeEvents:
    sim = simulate.Simulation(net, record={"spikes": simulate.spikes(lambda: net.spike.value)})
    return sim.run(duration)["spikes"]


def _rate(ev, lo: int, hi: int, t0: float, t1: float) -> float:
    t = np.asarray(ev.times.to_decimal(u.ms))
    m = (ev.indices >= lo) & (ev.indices < hi) & (t >= t0) & (t < t1)
    return m.sum() / (hi - lo) / ((t1 - t0) / 1000.0)


# ----------------------------------------------------------------------------- CUBA
def test_cuba_psp_matches_the_benchmark_equation(dt):
    # tau_m dV/dt = -(V - E_L) + g_e with g_e = w_e exp(-t / tau_e): one synaptic jump of
    # 1.62 mV must give the analytic response (the CUBA(scale=1/R) mapping of R I = g)
    net = networks.CUBANetwork(n_exc=8, n_inh=2, seed=0)
    nn.init_all_states(net)
    n = 10
    net.N.V.value = u.math.full((n,), -60.0 * u.mV)
    net.E.syn.g.value = u.math.full((n,), 1.62 * u.mV)

    def step(i):
        with brainsim.environ.context(t=i * 0.1 * u.ms, i=i):
            net.N()  # no recurrent spikes: only the decaying g_e drives V
            return net.N.V.value[0]

    V = np.asarray(brainsim.transform.for_loop(step, jnp.arange(50)).to_decimal(u.mV))
    t = 5.0
    tau, tau_e, E_L, V0, g0 = 20.0, 5.0, -49.0, -60.0, 1.62
    A = g0 * tau_e / (tau_e - tau)
    expected = E_L + (V0 - E_L - A) * np.exp(-t / tau) + A * np.exp(-t / tau_e)
    no_syn = E_L + (V0 - E_L) * np.exp(-t / tau)
    assert V[-1] - no_syn == pytest.approx(expected - no_syn, rel=0.05)


def test_cuba_rate_is_in_the_benchmark_range(dt):
    with brainsim.random.seed_context(1):
        net = networks.CUBANetwork(seed=1)
        ev = _spikes(net, 300 * u.ms)
    exc = _rate(ev, 0, net.n_exc, 100.0, 300.0)
    inh = _rate(ev, net.n_exc, net.n_exc + net.n_inh, 100.0, 300.0)
    # a single neuron alone fires at 1 / (5 ms + 20 ms ln 11) = 18.9 Hz; the recurrent
    # inhibition of the benchmark brings it down to a few Hz (5.4 Hz over 1 s)
    assert 2.0 < exc < 12.0, exc
    assert 2.0 < inh < 12.0, inh


# ----------------------------------------------------------------------------- COBA-HH
def test_traub_rates_match_the_published_formulas():
    V = jnp.array([-80.0, -63.0, -50.0, -49.0, -20.0, 10.0])
    rates = networks.traub_rates(V * u.mV, -63.0 * u.mV)
    v = np.asarray(V) + 63.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ref = {
            "m": (
                0.32 * (13 - v) / (np.exp((13 - v) / 4) - 1),
                0.28 * (v - 40) / (np.exp((v - 40) / 5) - 1),
            ),
            "h": (0.128 * np.exp((17 - v) / 18), 4.0 / (1 + np.exp((40 - v) / 5))),
            "n": (0.032 * (15 - v) / (np.exp((15 - v) / 5) - 1), 0.5 * np.exp((10 - v) / 40)),
        }
    ref["m"][0][v == 13] = 0.32 * 4  # removable singularities
    ref["n"][0][v == 15] = 0.032 * 5
    for gate, (a, b) in rates.items():
        np.testing.assert_allclose(a.to_decimal(u.kHz), ref[gate][0], rtol=1e-4)
        np.testing.assert_allclose(b.to_decimal(u.kHz), ref[gate][1], rtol=1e-4)


def test_traub_hh_isolated_neuron_matches_a_reference_integration(dt):
    # with these parameters a lone neuron fires slowly without input: a forward-Euler
    # integration of the same equations at dt = 1 us gives spikes every 72.2 ms
    neu = networks.TraubHH(2, V_initializer=-65.0 * u.mV)
    neu.init_state()
    drive = jnp.array([0.0, 1.0]) * u.nA
    spikes = np.asarray(brainsim.transform.for_loop(lambda i: neu(drive), jnp.arange(5000)))
    period = np.diff(np.nonzero(spikes[:, 0])[0]).mean() * 0.1
    assert period == pytest.approx(72.2, rel=0.06)
    assert spikes[:, 1].sum() > 5 * spikes[:, 0].sum()  # 1 nA: fast tonic firing


def test_coba_hh_network_self_sustains(dt):
    with brainsim.random.seed_context(3):
        net = networks.COBAHHNetwork(seed=3)
        ev = _spikes(net, 200 * u.ms)
    late = _rate(ev, 0, net.n_exc, 100.0, 200.0)
    assert 5.0 < late < 80.0, late  # 35 Hz over 1 s at the default size


# ----------------------------------------------------------------------------- Brunel
def _brunel(g: float) -> tuple[float, float, float]:
    # 1250 neurons with C_E = 200 and J = 0.5 mV: the same C_E J (mean input, nu_thr) as
    # the 12500-neuron network with C_E = 1000, J = 0.1 mV
    with brainsim.random.seed_context(0):
        net = networks.BrunelNetwork(n_exc=1000, n_inh=250, epsilon=0.2, J=0.5 * u.mV, g=g, eta=2.0)
        ev = _spikes(net, 300 * u.ms)
    t = np.asarray(ev.times.to_decimal(u.ms))
    keep = t >= 100.0
    t, idx = t[keep], ev.indices[keep]
    rate = analysis.mean_rate((t, idx), duration=200.0, n_neurons=1250)
    cv = analysis.mean_cv(t, idx, n_neurons=1250)
    counts = analysis.spike_counts(t, idx, 1250, bin_size=1.0, t_start=100.0, t_stop=300.0)
    return rate, cv, analysis.synchrony(counts)


def test_brunel_ai_is_irregular_and_sr_is_synchronous(dt):
    rate_ai, cv_ai, chi_ai = _brunel(g=5.0)
    rate_sr, cv_sr, chi_sr = _brunel(g=3.0)
    assert 10.0 < rate_ai < 100.0, rate_ai
    assert cv_ai > 0.5, cv_ai
    assert rate_sr > 150.0 and cv_sr < 0.3, (rate_sr, cv_sr)
    assert chi_sr > 2 * chi_ai, (chi_ai, chi_sr)


def test_brunel_delay_is_exact(dt):
    # a spike of neuron 0 at step 0 reaches its targets exactly D = 1.5 ms = 15 steps later
    net = networks.BrunelNetwork(
        n_exc=40, n_inh=10, epsilon=0.5, J=0.1 * u.mV, eta=0.0, delay=1.5 * u.ms
    )
    nn.init_all_states(net)
    net.N.V.value = u.math.zeros((50,), unit=u.mV)
    kick = u.math.zeros((50,), unit=u.mV).at[0].set(25.0 * u.mV)

    def step(i):
        with brainsim.environ.context(t=i * 0.1 * u.ms, i=i):
            net.N.add_delta_input("kick", u.math.where(i == 0, kick, 0.0 * u.mV))
            return net(), net.N.V.value

    spikes, V = brainsim.transform.for_loop(step, jnp.arange(30))
    spikes, V = np.asarray(spikes), np.asarray(V.to_decimal(u.mV))
    assert spikes[0, 0] == 1.0 and spikes.sum() == 1.0  # the only spike of the run
    jump = np.asarray(net.E.comm.to_dense().to_decimal(u.mV))[0]  # J times multiplicity
    others = np.arange(1, 50)
    np.testing.assert_allclose(V[:15, others], 0.0, atol=1e-6)  # nothing before 1.5 ms
    np.testing.assert_allclose(V[15, others], jump[others], atol=1e-5)  # all of it at 1.5 ms
    assert jump[others].sum() > 0


# ----------------------------------------------------------------------------- Izhikevich
def test_izhikevich_published_patterns(dt):
    # RS, IB, CH, FS of Izhikevich (2003) under a step I = 10 mV/ms for 300 ms
    a = jnp.array([0.02, 0.02, 0.02, 0.1]) / u.ms
    b = jnp.array([0.2, 0.2, 0.2, 0.2]) / u.ms
    c = jnp.array([-65.0, -55.0, -50.0, -65.0]) * u.mV
    d = jnp.array([8.0, 4.0, 2.0, 2.0]) * u.mV / u.ms
    neu = models.Izhikevich(
        4, a=a, b=b, c=c, d=d, V_initializer=-65.0 * u.mV, u_initializer=b * (-65.0 * u.mV)
    )
    neu.init_state()
    spikes = np.asarray(
        brainsim.transform.for_loop(lambda i: neu(10.0 * u.mV / u.ms), jnp.arange(3000))
    )
    times = [np.nonzero(spikes[:, k])[0] * 0.1 for k in range(4)]
    n_rs, n_ib, n_ch, n_fs = (len(x) for x in times)
    isi = [np.diff(x) for x in times]
    assert n_fs > 3 * n_rs, (n_fs, n_rs)  # fast spiking fires far more than regular spiking
    assert isi[0][0] < isi[0][-1] - 10.0  # RS adapts
    assert isi[1][0] < 5.0 and isi[1][-1] > 20.0  # IB: initial burst, then tonic spikes
    assert isi[2].min() < 3.0 and isi[2].max() > 20.0  # CH: repeated bursts
    assert n_ch > n_rs


# ----------------------------------------------------------------------------- Wang 2002
@pytest.mark.parametrize("coherence, winner", [(0.6, "A"), (-0.6, "B")])
def test_decision_network_biased_input_wins(dt, coherence: float, winner: str):
    with brainsim.random.seed_context(1):
        net = networks.DecisionNetwork(n_exc=320, coherence=coherence)
        sim = simulate.Simulation(net, record={"spikes": simulate.spikes(lambda: net.spike.value)})
        sim.run(100 * u.ms)
        net.set_stimulus(on=True)
        ev = sim.run(700 * u.ms)["spikes"]
    nA = net.n_A
    rate_A = _rate(ev, 0, nA, 500.0, 800.0)
    rate_B = _rate(ev, nA, 2 * nA, 500.0, 800.0)
    rates = {"A": rate_A, "B": rate_B}
    loser = "B" if winner == "A" else "A"
    assert rates[winner] > 6.0 and rates[winner] > 2.5 * rates[loser], rates


def test_decision_network_validates_size():
    with brainsim.environ.context(dt=0.1 * u.ms):
        with pytest.raises(brainsim.BrainSimError, match="DecisionNetwork"):
            networks.DecisionNetwork(n_exc=2)
