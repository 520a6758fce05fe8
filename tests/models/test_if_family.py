"""Integrate-and-fire family: numbers from the spec, analytic solutions, resets,
refractoriness, state shapes and construction-time errors."""

import math

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import environ, models
from brainsim.nn import exp_euler_step

DT = 0.1 * u.ms
dt_ms = 0.1

ALL = [
    models.IF,
    models.LIF,
    models.LIFRef,
    models.ALIF,
    models.ExpIF,
    models.ExpIFRef,
    models.AdExIF,
    models.AdExIFRef,
    models.QuaIF,
    models.AdQuaIF,
    models.AdQuaIFRef,
    models.Gif,
    models.GifRef,
    models.CubaLIF,
    models.CobaLIF,
]
REF = [models.LIFRef, models.ExpIFRef, models.AdExIFRef, models.AdQuaIFRef, models.GifRef]
# a constant drive that makes each refractory model spike within 40 steps
DRIVE = {
    models.LIFRef: 3.0 * u.mA,
    models.ExpIFRef: 200.0 * u.mA,
    models.AdExIFRef: 300.0 * u.mA,
    models.AdQuaIFRef: 200.0 * u.mA,
    models.GifRef: 20.0 * u.mA,
}


@pytest.fixture(autouse=True)
def _dt():
    with environ.context(dt=DT):
        yield


def mv(x):
    return np.asarray(x.to_decimal(u.mV))


def run(neu, x, n, *extra):
    """n compiled steps with a constant input and t = i * dt; returns the spikes, V (mV) and
    the named extra states, each stacked over time."""

    def step(i):
        with environ.context(t=i * DT):
            spk = neu(x)
        return (spk, neu.V.value, *(getattr(neu, name).value for name in extra))

    out = brainsim.transform.for_loop(step, jnp.arange(n))
    return (np.asarray(out[0]), mv(out[1]), *out[2:])


def run_eager(neu, x, n):
    spikes = []
    for i in range(n):
        with environ.context(t=i * DT):
            spikes.append(np.asarray(neu(x)))
    return np.stack(spikes)


# ------------------------------------------------------------------ LIF numbers from the spec
def test_lif_one_step_from_rest():
    neu = models.LIF(1, tau=10 * u.ms)
    neu.init_state()
    neu(2.0 * u.mA)
    np.testing.assert_allclose(mv(neu.V.value), [0.0199003], rtol=1e-5)


def test_lif_constant_current_spikes_every_five_steps():
    neu = models.LIF(1, tau=10 * u.ms)
    neu.init_state()
    spikes, _ = run(neu, 20.0 * u.mA, 18)
    assert np.nonzero(spikes[:, 0])[0].tolist() == [5, 10, 15]


@pytest.mark.parametrize("I, V_reset", [(1.5, 0.0), (3.0, -0.5)])
def test_lif_hard_reset_isi_matches_analytic(I, V_reset):
    # V restarts at V_reset after each spike: T = tau ln((R I - V_reset) / (R I - V_th))
    tau, V_th = 10.0, 1.0
    neu = models.LIF(1, tau=tau * u.ms, V_th=V_th * u.mV, V_reset=V_reset * u.mV, spk_reset="hard")
    neu.init_state()
    spikes = brainsim.transform.for_loop(lambda i: neu(I * u.mA), jnp.arange(400))
    times = np.nonzero(np.asarray(spikes)[:, 0])[0]
    assert len(times) >= 3
    isi = np.diff(times) * dt_ms
    T = tau * math.log((I - V_reset) / (I - V_th))
    assert np.all(isi >= T - 1e-4) and np.all(isi < T + dt_ms)  # within one step


@pytest.mark.parametrize("spk_reset", ["soft", "hard"])
def test_reset_rule_then_one_step(spk_reset):
    # ExpIF started above threshold: reset at the start of the update, then one step
    neu = models.ExpIF(1, V_initializer=-20.0 * u.mV, spk_reset=spk_reset)
    neu.init_state()
    assert float(neu.get_spike()[0]) == 1.0
    neu(0.0 * u.mA)
    V_post = -20.0 - (-30.0 + 68.0) if spk_reset == "soft" else -68.0
    expected = exp_euler_step(
        models.expif_dv,
        V_post * u.mV,
        0.0 * u.mA,
        -65.0 * u.mV,
        -59.9 * u.mV,
        3.48 * u.mV,
        1.0 * u.ohm,
        10.0 * u.ms,
    )
    np.testing.assert_allclose(mv(neu.V.value), mv(expected), rtol=1e-5)


# ------------------------------------------------------------------ IF
def test_if_integrates_and_soft_resets_by_threshold():
    neu = models.IF(1, tau=10 * u.ms)
    neu.init_state()
    neu(2.0 * u.mA)
    np.testing.assert_allclose(mv(neu.V.value), [0.0199003], rtol=1e-5)
    neu = models.IF(1, V_th=2.0 * u.mV, V_initializer=3.0 * u.mV)
    neu.init_state()
    assert float(neu.get_spike()[0]) == 1.0  # v_scaled = (3 - 2) / 2 >= 0
    neu()
    np.testing.assert_allclose(mv(neu.V.value), [1.0 * math.exp(-dt_ms / 5)], rtol=1e-5)


def test_if_hard_reset_goes_to_zero():
    neu = models.IF(1, V_initializer=3.0 * u.mV, spk_reset="hard")
    neu.init_state()
    neu()
    np.testing.assert_allclose(mv(neu.V.value), [0.0], atol=1e-6)


# ------------------------------------------------------------------ ALIF
def test_alif_a_jumps_by_one_per_spike_and_decays_with_tau_a():
    neu = models.ALIF(1, V_initializer=2.0 * u.mV)
    neu.init_state()
    neu()
    np.testing.assert_allclose(np.asarray(neu.a.value), [math.exp(-dt_ms / 100)], rtol=1e-5)
    np.testing.assert_allclose(mv(neu.V.value), [1.0 * math.exp(-dt_ms / 5)], rtol=1e-5)
    spikes, _ = run(neu, 0.0 * u.mA, 10)
    assert spikes.sum() == 0
    np.testing.assert_allclose(np.asarray(neu.a.value), [math.exp(-11 * dt_ms / 100)], rtol=1e-5)


def test_alif_adaptation_raises_threshold_and_slows_firing():
    alif = models.ALIF(1, tau=10 * u.ms, beta=0.5 * u.mV)
    lif = models.LIF(1, tau=10 * u.ms)
    alif.init_state()
    lif.init_state()
    s_alif = np.asarray(brainsim.transform.for_loop(lambda i: alif(20.0 * u.mA), jnp.arange(100)))
    s_lif = np.asarray(brainsim.transform.for_loop(lambda i: lif(20.0 * u.mA), jnp.arange(100)))
    assert 0 < s_alif.sum() < s_lif.sum()
    assert float(alif.a.value[0]) > 1.0
    isi = np.diff(np.nonzero(s_alif[:, 0])[0])
    assert isi[-1] > isi[0]


# ------------------------------------------------------------------ ExpIF / QuaIF
def test_expif_stays_finite_far_above_threshold():
    assert np.isfinite(
        mv(
            models.expif_dv(
                1000.0 * u.mV,
                0.0 * u.mA,
                -65.0 * u.mV,
                -59.9 * u.mV,
                3.48 * u.mV,
                1.0 * u.ohm,
                10.0 * u.ms,
            )
            * u.ms
        )
    )
    neu = models.ExpIF(2, V_initializer=1000.0 * u.mV)
    neu.init_state()
    _, V = run(neu, 0.0 * u.mA, 5)
    assert np.all(np.isfinite(V))


def test_quaif_rests_at_minus_65_without_input():
    neu = models.QuaIF(3)
    neu.init_state()
    spikes, V = run(neu, 0.0 * u.mA, 20)
    np.testing.assert_allclose(V, -65.0, atol=1e-4)
    assert spikes.sum() == 0


# ------------------------------------------------------------------ adaptation current w
@pytest.mark.parametrize("cls, b", [(models.AdExIF, 1.0), (models.AdQuaIF, 0.1)])
def test_w_jumps_by_b_on_spike_then_relaxes(cls, b):
    neu = cls(1, V_initializer=-20.0 * u.mV)  # above both thresholds (-55, -30 mV)
    neu.init_state()
    neu()
    # dw/dt = (a (V1 - V_rest) - w) / tau_w is linear in w: exp-Euler is exact
    tau_w = 30.0 if cls is models.AdExIF else 10.0
    drive = float(mv(neu.V.value)[0]) + 65.0  # a = 1 S: a (V - V_rest) in mA
    expected = drive + (b - drive) * math.exp(-dt_ms / tau_w)
    np.testing.assert_allclose(np.asarray(neu.w.value.to_decimal(u.mA)), [expected], rtol=1e-4)


# ------------------------------------------------------------------ Gif
@pytest.mark.parametrize("V_th0, V_th_jumped", [(-75.0, -60.0), (-45.0, -45.0)])
def test_gif_threshold_and_current_reset_rules(V_th0, V_th_jumped):
    neu = models.Gif(
        1,
        V_reset=-80.0 * u.mV,
        V_initializer=-40.0 * u.mV,
        V_th_initializer=V_th0 * u.mV,
        A1=1.0 * u.mA,
        A2=0.5 * u.mA,
        I2_initializer=2.0 * u.mA,
    )
    neu.init_state()
    assert float(neu.get_spike()[0]) == 1.0
    neu()
    # V_th <- max(V_th_reset, V_th), then relaxes to V_th_inf with rate b (a = 0)
    expected = -50.0 + (V_th_jumped + 50.0) * math.exp(-0.01 * dt_ms)
    np.testing.assert_allclose(mv(neu.V_th.value), [expected], rtol=1e-5)
    # I1 <- 0 * I1 + A1, I2 <- 1 * I2 + A2, then decay with k1, k2
    np.testing.assert_allclose(
        np.asarray(neu.I1.value.to_decimal(u.mA)), [math.exp(-0.2 * dt_ms)], rtol=1e-5
    )
    np.testing.assert_allclose(
        np.asarray(neu.I2.value.to_decimal(u.mA)), [2.5 * math.exp(-0.02 * dt_ms)], rtol=1e-5
    )


# ------------------------------------------------------------------ CubaLIF / CobaLIF
def test_cubalif_delta_inputs_add_to_g():
    neu = models.CubaLIF(1)
    neu.init_state()
    neu.add_delta_input("spikes", 3.0 * u.mA)
    neu()
    np.testing.assert_allclose(np.asarray(neu.g.value.to_decimal(u.mA)), [3.0], rtol=1e-6)
    np.testing.assert_allclose(mv(neu.V.value), [3.0 * (1 - math.exp(-dt_ms / 5))], rtol=1e-5)
    neu()  # the value input was used once; g decays with tau_syn
    np.testing.assert_allclose(
        np.asarray(neu.g.value.to_decimal(u.mA)), [3.0 * math.exp(-dt_ms / 5)], rtol=1e-5
    )


def test_cobalif_conductance_pulls_towards_reversal():
    neu = models.CobaLIF(1, E=10.0 * u.mV)
    neu.init_state()
    neu.add_delta_input("spikes", 0.5 * u.siemens)
    neu()
    # tau dV/dt = -(1 + R g) V + R g E: linear in V, so the step is exact
    V_inf = 0.5 * 10.0 / 1.5
    np.testing.assert_allclose(
        mv(neu.V.value), [V_inf * (1 - math.exp(-1.5 * dt_ms / 5))], rtol=1e-5
    )


# ------------------------------------------------------------------ refractoriness
@pytest.mark.parametrize("cls", REF, ids=lambda c: c.__name__)
def test_refractory_models_hold_V_and_record_spike_time(cls):
    neu = cls(1, tau_ref=0.95 * u.ms, spk_reset="hard", ref_var=True)
    neu.init_state()
    assert float(neu.last_spike_time.value.to_decimal(u.ms)[0]) == -1e7
    spikes, V, refr, last = run(neu, DRIVE[cls], 40, "refractory", "last_spike_time")
    spikes, V, refr = spikes[:, 0], V[:, 0], np.asarray(refr)[:, 0]
    last = np.asarray(last.to_decimal(u.ms))[:, 0]
    s = int(np.nonzero(spikes)[0][0])
    assert s < 25
    assert last[s] == pytest.approx(s * dt_ms, abs=1e-4)
    V_reset = float(mv(neu.V_reset))
    held = V[s + 1 : s + 10]  # t - t_spike = 0.1 .. 0.9 ms < 0.95 ms
    np.testing.assert_allclose(held, V_reset, atol=1e-4)
    assert not spikes[s + 1 : s + 10].any()
    assert refr[s : s + 10].all() and not refr[s + 10]
    assert abs(V[s + 10] - V_reset) > 1e-3  # integrating again


def test_lifref_soft_reset_holds_post_reset_value():
    neu = models.LIFRef(1, tau_ref=0.55 * u.ms)
    neu.init_state()
    spikes, V = run(neu, 3.0 * u.mA, 30)
    s = int(np.nonzero(spikes[:, 0])[0][0])
    np.testing.assert_allclose(V[s + 1 : s + 6, 0], V[s, 0] - 1.0, rtol=1e-5)
    assert V[s + 6, 0] > V[s, 0] - 1.0


def test_refractory_in_a_compiled_loop_matches_eager():
    def make():
        neu = models.LIFRef(2, tau=2.0 * u.ms, tau_ref=0.45 * u.ms)
        neu.init_state()
        return neu

    eager = run_eager(make(), 5.0 * u.mA, 30)
    compiled = run(make(), 5.0 * u.mA, 30)[0]
    np.testing.assert_array_equal(compiled, eager)
    assert eager.sum() >= 2


def test_refractory_surrogate_gradient_is_finite_while_held_far_above_threshold():
    # with a soft reset the held V of ExpIFRef stays above threshold for several steps; the
    # discarded step from there must not overflow into NaN gradients
    def loss(amp):
        neu = models.ExpIFRef(1)
        neu.init_state()

        def step(i):
            with environ.context(t=i * DT):
                return neu(amp * 200.0 * u.mA), neu.V.value.to_decimal(u.mV)

        spikes, V = brainsim.transform.for_loop(step, jnp.arange(20))
        return spikes.sum() + V.sum()

    g = brainsim.transform.grad(loss)(1.0)
    assert np.isfinite(float(g)) and float(g) != 0.0


@pytest.mark.parametrize("cls", REF, ids=lambda c: c.__name__)
def test_refractory_models_need_t(cls):
    neu = cls(1)
    neu.init_state()
    with pytest.raises(KeyError, match=f"{cls.__name__} needs the current time t"):
        neu(0.0 * u.mA)


def test_refractory_t_must_be_a_time():
    neu = models.LIFRef(1)
    neu.init_state()
    with environ.context(t=1.0), pytest.raises(ValueError, match="t must be a time"):
        neu(0.0 * u.mA)


# ------------------------------------------------------------------ states
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_init_and_reset_state_shapes(cls):
    kw = {"ref_var": True} if cls in REF else {}
    neu = cls((2, 3), **kw)
    neu.init_state()
    states = list(neu.states().values())
    assert states and all(s.value.shape == (2, 3) for s in states)
    neu.reset_state(batch_size=4)
    assert all(s.value.shape == (4, 2, 3) for s in neu.states().values())
    assert u.get_unit(neu.V.value).dim == u.mV.dim
    with environ.context(t=0.0 * u.ms):
        out = neu(jnp.zeros((4, 2, 3)) * u.mA)
    assert out.shape == (4, 2, 3)


@pytest.mark.parametrize("cls", REF, ids=lambda c: c.__name__)
def test_ref_states(cls):
    neu = cls(3)
    neu.init_state(batch_size=2)
    assert isinstance(neu.last_spike_time, brainsim.ShortTermState)
    assert not hasattr(neu, "refractory")
    np.testing.assert_array_equal(neu.last_spike_time.value.to_decimal(u.ms), -1e7)


# ------------------------------------------------------------------ construction errors
@pytest.mark.parametrize(
    "cls, kw",
    [
        (models.LIF, {"tau": 20}),
        (models.IF, {"R": 1.0 * u.mV}),
        (models.LIFRef, {"tau_ref": 5.0}),
        (models.ALIF, {"beta": 0.1}),
        (models.ExpIF, {"delta_T": 3.48 * u.ms}),
        (models.ExpIFRef, {"V_T": -59.9}),
        (models.AdExIF, {"a": 1.0 * u.mA}),
        (models.AdExIFRef, {"b": 1.0 * u.siemens}),
        (models.QuaIF, {"c": 0.07}),
        (models.AdQuaIF, {"tau_w": 10.0}),
        (models.AdQuaIFRef, {"V_c": -50.0 * u.ms}),
        (models.Gif, {"k1": 0.2}),
        (models.Gif, {"a": 1.0 * u.siemens}),
        (models.GifRef, {"A2": 1.0 * u.mV}),
        (models.CubaLIF, {"tau_syn": 5.0}),
        (models.CobaLIF, {"E": 0.0 * u.mA}),
    ],
    ids=lambda p: p.__name__ if isinstance(p, type) else next(iter(p)),
)
def test_wrong_units_name_the_class_and_argument(cls, kw):
    name = next(iter(kw))
    with pytest.raises(ValueError, match=rf"{cls.__name__}\({name}=\.\.\.\): expected"):
        cls(10, **kw)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize("tau", [0.0, -1.0])
def test_nonpositive_tau_is_rejected(cls, tau):
    with pytest.raises(ValueError, match=r"tau=\.\.\.\): expected a positive value"):
        cls(3, tau=tau * u.ms)


def test_negative_tau_ref_is_rejected():
    with pytest.raises(ValueError, match=r"LIFRef\(tau_ref=\.\.\.\)"):
        models.LIFRef(3, tau_ref=-1.0 * u.ms)
    models.LIFRef(3, tau_ref=0.0 * u.ms)  # no refractoriness is fine


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_bad_spk_reset_is_rejected(cls):
    with pytest.raises(ValueError, match=rf"{cls.__name__}\(spk_reset=\.\.\.\)"):
        cls(3, spk_reset="bad")


def test_scalar_parameters_stay_scalar_and_arrays_must_broadcast():
    neu = models.AdExIF(4, tau_w=20.0 * u.ms)
    assert neu.tau_w == 20.0 * u.ms
    with pytest.raises(ValueError, match=r"AdExIF\(b=\.\.\.\): shape \(3,\)"):
        models.AdExIF(4, b=jnp.ones(3) * u.mA)


@pytest.mark.parametrize("reset", ["soft", "hard"])
def test_refractory_neuron_emits_no_spike_while_held(reset):
    # strong drive: with a soft reset the held post-reset V stays above threshold, yet the
    # neuron must stay silent for tau_ref after each spike
    neu = models.LIFRef(1, tau=10 * u.ms, tau_ref=2 * u.ms, spk_reset=reset)
    neu.init_state()
    spikes = []
    for i in range(80):
        with environ.context(t=i * 0.1 * u.ms, i=i):
            spikes.append(float(neu(20 * u.mA)[0]))
    times = np.nonzero(np.asarray(spikes))[0]
    assert len(times) >= 3
    assert np.all(np.diff(times) > 20)  # 2 ms = 20 steps of refractoriness between spikes
