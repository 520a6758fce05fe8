"""Synapse models and short-term plasticity: impulse responses against closed forms,
kinetic receptors, Tsodyks-Markram against an independent NumPy implementation, input
channels, batching and construction errors."""

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import models

DT = 0.1  # ms
N_STEPS = 300


@pytest.fixture(autouse=True)
def _dt():
    with brainsim.environ.context(dt=DT * u.ms):
        yield


def mS(x):
    """Mantissa in mS, as a NumPy array."""
    return np.asarray(x.to_decimal(u.mS))


def impulse_response(syn, amplitude=1.0 * u.mS, steps=N_STEPS):
    """Output at the input step, then ``steps`` outputs without input (t = dt .. steps dt)."""
    syn.init_state()
    first = syn(amplitude)
    rest = brainsim.transform.for_loop(lambda i: syn(), jnp.arange(steps))
    return mS(first), mS(rest)[:, 0]


def run_spikes(syn, spikes, dt=DT):
    """Drive a spike-input model with ``spikes`` (steps, n), writing t = i dt into environ."""
    syn.init_state()
    ts = jnp.arange(spikes.shape[0]) * dt * u.ms

    def step(t, s):
        with brainsim.environ.context(t=t):
            return syn(s)

    return np.asarray(u.get_mantissa(brainsim.transform.for_loop(step, ts, jnp.asarray(spikes))))


def spike_train(steps, every, n=1):
    s = np.zeros((steps, n), dtype=np.float32)
    s[::every] = 1.0
    return s


t = np.arange(1, N_STEPS + 1) * DT  # times of the outputs after the input step


# --------------------------------------------------------------------------- linear synapses


def test_expon_impulse_is_exponential():
    first, g = impulse_response(models.Expon(1, tau=5 * u.ms))
    assert first == pytest.approx(1.0)
    np.testing.assert_allclose(g, np.exp(-t / 5.0), rtol=1e-4)


def test_alpha_impulse_matches_closed_form_and_peaks_at_tau():
    tau = 3.0
    first, g = impulse_response(models.Alpha(1, tau=tau * u.ms))
    assert first == 0.0
    # (t/tau) e^{1 - t/tau}, scaled by 1/e as in the model: peak 1/e at t = tau
    closed = (t / tau) * np.exp(1 - t / tau) / np.e
    np.testing.assert_allclose(g, closed, rtol=1e-4, atol=1e-6)
    assert abs(t[g.argmax()] - tau) <= DT
    assert g.max() == pytest.approx(1 / np.e, rel=1e-4)


@pytest.mark.parametrize("tau_decay, tau_rise, amplitude", [(10.0, 1.0, 1.0), (5.0, 2.0, 2.5)])
def test_dual_expon_impulse_matches_closed_form_and_peaks_at_amplitude(
    tau_decay, tau_rise, amplitude
):
    syn = models.DualExpon(
        1, tau_decay=tau_decay * u.ms, tau_rise=tau_rise * u.ms, amplitude=amplitude
    )
    first, g = impulse_response(syn)
    assert first == 0.0  # both traces jump by the input: the output starts on the next step
    # independent normalisation: the continuous difference of exponentials peaks at 1 / norm
    fine = np.linspace(0, 10 * tau_decay, 200_001)
    norm = 1 / np.max(np.exp(-fine / tau_decay) - np.exp(-fine / tau_rise))
    closed = amplitude * norm * (np.exp(-t / tau_decay) - np.exp(-t / tau_rise))
    np.testing.assert_allclose(g, closed, rtol=1e-4, atol=1e-6)
    assert g.max() == pytest.approx(amplitude, rel=1e-3)
    t_peak = tau_decay * tau_rise / (tau_decay - tau_rise) * np.log(tau_decay / tau_rise)
    assert abs(t[g.argmax()] - t_peak) <= DT


def test_dual_expon_without_normalisation_allows_equal_taus():
    _, g = impulse_response(models.DualExpon(1, 4 * u.ms, 4 * u.ms, normalize=False))
    np.testing.assert_allclose(g, 0.0, atol=1e-7)  # identical traces cancel
    _, g = impulse_response(models.DualExpon(1, 10 * u.ms, 1 * u.ms, normalize=False))
    np.testing.assert_allclose(g, np.exp(-t / 10) - np.exp(-t), rtol=1e-4, atol=1e-6)


def test_dual_expon_norm_peaks_at_one():
    fine = np.linspace(0, 100, 100_001)
    norm = float(models.dual_expon_norm(10.0, 1.0))
    assert norm * np.max(np.exp(-fine / 10) - np.exp(-fine)) == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("cls", [models.Expon, models.DualExpon, models.Alpha])
def test_delta_inputs_accumulate_and_are_consumed(cls):
    syn = cls(2)
    syn.init_state()
    syn.add_delta_input("a", 1.0 * u.mS)
    syn.add_delta_input("b", jnp.array([2.0, 3.0]) * u.mS)
    syn(0.5 * u.mS)
    jumped = {"Expon": "g", "DualExpon": "g_decay", "Alpha": "h"}[cls.__name__]
    np.testing.assert_allclose(mS(getattr(syn, jumped).value), [3.5, 4.5], rtol=1e-6)
    assert syn.delta_inputs == {}  # plain values are added once
    before = mS(getattr(syn, jumped).value)
    syn()
    assert np.all(mS(getattr(syn, jumped).value) < before)  # decays, nothing re-added


def test_align_post_markers_and_merging():
    assert isinstance(models.DualExpon(1), models.AlignPost)
    assert isinstance(models.Alpha(1), models.AlignPost)
    for cls in (models.AMPA, models.GABAa, models.BioNMDA, models.STP, models.STD):
        assert not isinstance(cls(1), models.AlignPost)
    post = models.LIF(1)
    projs = [
        models.AlignPostProj(
            comm=brainsim.nn.EventLinear(2, 1, jnp.ones((2, 1)) * u.mS),
            syn=models.DualExpon.desc(1),
            out=models.CUBA.desc(),
            post=post,
        )
        for _ in range(2)
    ]
    assert projs[0].syn is projs[1].syn


# --------------------------------------------------------------------------- kinetic receptors


def test_ampa_one_step_is_exact():
    g = run_spikes(models.AMPA(1), np.array([[True]]))
    rise = 0.98 * 0.5  # alpha [T], 1/ms
    expected = rise / (rise + 0.18) * (1 - np.exp(-(rise + 0.18) * DT))
    assert expected == pytest.approx(0.047395, abs=1e-6)
    assert g[0, 0] == pytest.approx(expected, rel=1e-5)


def test_ampa_trace_matches_piecewise_closed_form():
    spikes = np.zeros((N_STEPS, 1), dtype=bool)
    spikes[0] = True
    g = run_spikes(models.AMPA(1), spikes)[:, 0]
    k, g_inf = 0.98 * 0.5 + 0.18, 0.98 * 0.5 / (0.98 * 0.5 + 0.18)
    end = t  # each output is g at the end of its step
    on = end <= 0.5 + 1e-9  # [T] is on for the steps starting at t < T_dur = 0.5 ms
    g_off = g_inf * (1 - np.exp(-k * 0.5))
    closed = np.where(on, g_inf * (1 - np.exp(-k * end)), g_off * np.exp(-0.18 * (end - 0.5)))
    np.testing.assert_allclose(g, closed, rtol=1e-4)
    assert np.all(np.diff(g[5:]) < 0)  # decays after the pulse


def test_ampa_with_unit_initializer_carries_the_unit():
    syn = models.AMPA(1, g_initializer=0.0 * u.mS)
    syn.init_state()
    with brainsim.environ.context(t=0.0 * u.ms):
        g = syn(jnp.array([1.0]))
    assert u.get_unit(g) == u.mS
    assert mS(g)[0] == pytest.approx(0.047395, abs=1e-6)


@pytest.mark.parametrize("cls", [models.GABAa, models.BioNMDA])
def test_receptors_rise_then_decay_and_stay_in_range(cls):
    spikes = np.zeros((N_STEPS, 1), dtype=bool)
    spikes[0] = True
    g = run_spikes(cls(1), spikes)[:, 0]
    peak = g.argmax()
    assert 0 < peak < N_STEPS - 1
    assert np.all(g >= 0) and np.all(g <= 1)
    assert np.all(np.diff(g[: peak + 1]) >= 0)
    assert np.all(np.diff(g[peak:]) <= 0)
    assert g[-1] < g[peak]


def test_nmda_is_slower_than_gabaa():
    spikes = np.zeros((N_STEPS, 1), dtype=bool)
    spikes[0] = True
    nmda = run_spikes(models.BioNMDA(1), spikes)[:, 0]
    gaba = run_spikes(models.GABAa(1), spikes)[:, 0]
    assert nmda[0] == 0.0  # g is driven by x, which rises first
    assert nmda.argmax() > gaba.argmax()
    assert nmda[-1] / nmda.max() > 0.5 > gaba[-1] / gaba.max()  # tau ~100 ms vs ~5.6 ms


def test_receptor_spike_restarts_the_transmitter_pulse():
    spikes = np.zeros((40, 2), dtype=bool)
    spikes[0] = True
    spikes[3, 1] = True  # a second spike during the pulse extends it on neuron 1
    g = run_spikes(models.AMPA(2), spikes)
    np.testing.assert_allclose(g[:3, 0], g[:3, 1])
    assert g[6, 1] > g[6, 0]


# --------------------------------------------------------------------------- STP / STD


def tsodyks_markram(spikes, U, tau_f, tau_d, dt):
    """Reference Tsodyks-Markram update: relax, then u+ = u + U(1-u), out = u+ x, x -= u+ x."""
    uu, x, out = U, 1.0, []
    for s in spikes:
        uu *= np.exp(-dt / tau_f)
        x = 1 - (1 - x) * np.exp(-dt / tau_d)
        if s:
            uu = uu + U * (1 - uu)
            out.append(uu * x)
            x = x - uu * x
        else:
            out.append(0.0)
    return np.array(out)


def test_stp_first_spike():
    assert run_spikes(models.STP(1), np.ones((1, 1)))[0, 0] == pytest.approx(0.2775, abs=1e-4)
    u_, x, eff = models.stp_jump(0.15, 1.0, 1.0, 0.15)
    assert (u_, x, eff) == pytest.approx((0.2775, 0.7225, 0.2775))


@pytest.mark.parametrize(
    "U, tau_f, tau_d, kind",
    [(0.15, 1500.0, 200.0, "facilitating"), (0.5, 50.0, 750.0, "depressing")],
)
def test_stp_spike_train_matches_numpy(U, tau_f, tau_d, kind):
    dt = 1.0
    spikes = spike_train(N_STEPS, every=20)
    with brainsim.environ.context(dt=dt * u.ms):
        stp = models.STP(1, U=U, tau_f=tau_f * u.ms, tau_d=tau_d * u.ms)
        out = run_spikes(stp, spikes, dt=dt)[:, 0]
    ref = tsodyks_markram(spikes[:, 0], U, tau_f, tau_d, dt)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-7)
    eff = out[spikes[:, 0] > 0]
    if kind == "facilitating":
        assert eff[1] > eff[0]
    else:
        assert np.all(np.diff(eff) < 0)


def test_std_first_spike_then_train():
    std = models.STD(1)
    assert run_spikes(std, np.ones((1, 1)))[0, 0] == pytest.approx(1.0)
    assert float(std.x.value[0]) == pytest.approx(0.93)
    dt = 1.0
    spikes = spike_train(N_STEPS, every=10)
    with brainsim.environ.context(dt=dt * u.ms):
        out = run_spikes(models.STD(1, tau=100 * u.ms, U=0.3), spikes, dt=dt)[:, 0]
    x, ref = 1.0, []
    for s in spikes[:, 0]:
        x = 1 - (1 - x) * np.exp(-dt / 100.0)
        ref.append(x * s)
        x -= 0.3 * x * s
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-7)
    assert np.all(np.diff(out[spikes[:, 0] > 0]) < 0)


# --------------------------------------------------------------------------- states, errors


def _all_models():
    return [
        models.DualExpon(3),
        models.Alpha(3),
        models.AMPA(3),
        models.GABAa(3),
        models.BioNMDA(3),
        models.STP(3),
        models.STD(3),
    ]


@pytest.mark.parametrize("syn", _all_models(), ids=lambda m: type(m).__name__)
def test_reset_state_with_batch(syn):
    syn.init_state()
    syn.reset_state(batch_size=4)
    states = syn.states()
    assert len(states) > 0
    for s in states.values():
        assert s.value.shape == (4, 3)
    with brainsim.environ.context(t=0.0 * u.ms):
        out = syn(jnp.ones((4, 3))) if not isinstance(syn, models.AlignPost) else syn()
    assert out.shape == (4, 3)


def test_equal_taus_with_normalize_is_an_error():
    with pytest.raises(brainsim.BrainSimError, match=r"DualExpon\(tau_rise=...\).*differ"):
        models.DualExpon(1, tau_decay=5 * u.ms, tau_rise=5 * u.ms)
    with pytest.raises(ValueError, match="normalize=False"):
        models.DualExpon(1, tau_decay=5 * u.ms, tau_rise=5 * u.ms)


@pytest.mark.parametrize("cls", [models.AMPA, models.GABAa, models.BioNMDA])
def test_missing_time_names_the_class(cls):
    syn = cls(1)
    syn.init_state()
    with pytest.raises(KeyError, match=rf"{cls.__name__} needs the current time t.*context"):
        syn(jnp.array([True]))
    with brainsim.environ.context(t=1.0):
        with pytest.raises(ValueError, match=rf"{cls.__name__}: the current time t must be"):
            syn(jnp.array([True]))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: models.Alpha(1, tau=-1 * u.ms), r"Alpha\(tau=...\): expected a positive"),
        (lambda: models.DualExpon(1, tau_decay=0 * u.ms), r"DualExpon\(tau_decay=...\)"),
        (lambda: models.STP(1, tau_d=-5 * u.ms), r"STP\(tau_d=...\): expected a positive"),
        (lambda: models.DualExpon(1, tau_rise=1 * u.mV), r"DualExpon\(tau_rise=...\).*ms"),
        (lambda: models.Alpha(1, tau=8.0), r"Alpha\(tau=...\).*dimensionless"),
        (lambda: models.AMPA(1, alpha=0.98 / u.ms), r"AMPA\(alpha=...\)"),
        (lambda: models.GABAa(1, T=1 * u.ms), r"GABAa\(T=...\).*mM"),
        (lambda: models.BioNMDA(1, alpha1=2 / (u.ms * u.mM)), r"BioNMDA\(alpha1=...\)"),
        (lambda: models.STD(1, tau=200.0), r"STD\(tau=...\)"),
        (lambda: models.STP(1, U=1.5), r"STP\(U=...\): expected a fraction"),
        (lambda: models.STD(1, U=0 * u.mV), r"STD\(U=...\)"),
        (lambda: models.DualExpon(1, normalize="yes"), r"DualExpon\(normalize=...\)"),
    ],
)
def test_bad_parameters_name_the_argument(make, match):
    with pytest.raises(brainsim.BrainSimError, match=match):
        make()
