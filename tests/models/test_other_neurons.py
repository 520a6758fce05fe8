"""Izhikevich, HH, MorrisLecar, WangBuzsakiHH, FitzHughNagumo and HindmarshRose.

The HH test compares against spike trains made by Brian2 (``tests/data/make_hh_reference.py``
documents how).
"""

import pathlib

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim.models import (
    HH,
    FitzHughNagumo,
    HindmarshRose,
    Izhikevich,
    IzhikevichRef,
    MorrisLecar,
    WangBuzsakiHH,
    hh_dv,
    hh_rates,
)

REFERENCE = pathlib.Path(__file__).parent.parent / "data" / "hh_reference.npz"
CONST = brainsim.init.Constant


def simulate(model, x, n_steps, dt, record=("V",), batch_size=None):
    """Run ``model(x)`` for n_steps; returns the spikes (n_steps, ...) and recorded states.

    Output i is the state after i + 1 steps, i.e. at time (i + 1) * dt.
    """
    with brainsim.environ.context(dt=dt):
        model.init_state(batch_size)

        def step(i):
            with brainsim.environ.context(t=i * dt):
                spk = model(x)
            return spk, {k: getattr(model, k).value for k in record}

        spk, states = brainsim.transform.for_loop(step, jnp.arange(n_steps))
    return np.asarray(spk), states


def mantissa(x, unit=None):
    return np.asarray(x if unit is None else x.to_decimal(unit))


def spike_times(spk, dt_ms):
    return (np.nonzero(spk)[0] + 1) * dt_ms


# --------------------------------------------------------------------------- HH


def test_hh_steady_state_gates_at_minus_65():
    expected = {"m": 0.05293, "h": 0.59612, "n": 0.31768}
    rates = hh_rates(-65.0 * u.mV)
    for gate, want in expected.items():
        alpha, beta = rates[gate]
        assert float(alpha / (alpha + beta)) == pytest.approx(want, abs=5e-5)
    hh = HH(2, V_initializer=CONST(-65.0 * u.mV))
    hh.init_state()
    for gate, want in expected.items():
        np.testing.assert_allclose(getattr(hh, gate).value, want, atol=5e-5)


def test_hh_rates_are_finite_at_the_removable_singularities():
    # alpha_m = 0.1 (V + 40) / (1 - exp(-(V + 40)/10)) -> 1/ms at V = -40 mV, and
    # alpha_n -> 0.1/ms at V = -55 mV
    assert float(hh_rates(-40.0 * u.mV)["m"][0].to_decimal(u.ms**-1)) == pytest.approx(1.0)
    assert float(hh_rates(-55.0 * u.mV)["n"][0].to_decimal(u.ms**-1)) == pytest.approx(0.1)


def test_hh_dv_is_zero_at_rest():
    V = -65.0 * u.mV
    x_inf = {g: a / (a + b) for g, (a, b) in hh_rates(V).items()}
    dv = hh_dv(
        V,
        x_inf["m"],
        x_inf["h"],
        x_inf["n"],
        0.0 * u.uA,
        E_Na=50.0 * u.mV,
        g_Na=120.0 * u.mS,
        E_K=-77.0 * u.mV,
        g_K=36.0 * u.mS,
        E_L=-54.387 * u.mV,
        g_L=0.3 * u.mS,
        C=1.0 * u.uF,
    )
    assert abs(float(dv.to_decimal(u.mV / u.ms))) < 0.01


def test_hh_rests_near_minus_65_without_input():
    hh = HH(1, V_initializer=CONST(-65.0 * u.mV))
    spk, rec = simulate(hh, 0.0 * u.uA, 10_000, 0.01 * u.ms)  # 100 ms
    V = mantissa(rec["V"], u.mV)[:, 0]
    assert spk.sum() == 0
    assert abs(V[-1] + 65.0) < 1.0
    assert np.abs(V + 65.0).max() < 1.0


def test_hh_matches_brian2_reference():
    ref = np.load(REFERENCE)
    currents = [c for c in ref["currents"] if c > 0]
    dt = float(ref["dt"])
    hh = HH(len(currents), V_initializer=CONST(-65.0 * u.mV))
    n_steps = int(round(float(ref["duration"]) / dt))
    spk, rec = simulate(hh, jnp.asarray(currents) * u.uA, n_steps, dt * u.ms)
    V = mantissa(rec["V"], u.mV)
    for k, current in enumerate(currents):
        ours = spike_times(spk[:, k], dt)
        rk4 = ref[f"spikes_{current:g}"]
        same_scheme = ref[f"spikes_ee_{current:g}"]
        assert len(ours) > 0
        assert abs(ours[0] - rk4[0]) < 0.5, current
        assert abs(len(ours) - len(rk4)) <= 1, current  # the last spike may fall off the end
        if len(rk4) > 1:
            rate_ours = (len(ours) - 1) / (ours[-1] - ours[0])
            rate_ref = (len(rk4) - 1) / (rk4[-1] - rk4[0])
            assert rate_ours == pytest.approx(rate_ref, rel=0.02), current
        # Brian2's exponential Euler is the same scheme: the spike times agree to a step or two
        assert len(ours) == len(same_scheme), current
        np.testing.assert_allclose(ours, same_scheme, atol=0.025)
        # the sub-threshold response in the first millisecond (V[j] is at (j + 1) dt)
        trace = ref[f"V_{current:g}"][1:11]  # every 0.1 ms from t = 0
        below = trace < -56.0
        np.testing.assert_allclose(V[9:100:10, k][below], trace[below], atol=0.1)


# --------------------------------------------------------------------------- all models

# (factory, drive, dt, n_steps, minimum number of spikes under drive)
CASES = {
    "HH": (lambda: HH(1, V_initializer=CONST(-65.0 * u.mV)), 10.0 * u.uA, 0.01, 5_000, 3),
    "MorrisLecar": (
        lambda: MorrisLecar(1, V_initializer=CONST(-60.0 * u.mV)),
        100.0 * u.uA,
        0.05,
        10_000,
        4,
    ),
    "WangBuzsakiHH": (lambda: WangBuzsakiHH(1), 1.0 * u.uA, 0.01, 10_000, 4),
    "FitzHughNagumo": (lambda: FitzHughNagumo(1), 0.5, 0.1, 5_000, 10),
    "HindmarshRose": (lambda: HindmarshRose(1), 3.0, 0.01, 50_000, 10),
    "Izhikevich": (lambda: Izhikevich(1), 10.0 * u.mV / u.ms, 0.1, 3_000, 5),
}
RESET_FREE = ["HH", "MorrisLecar", "WangBuzsakiHH", "FitzHughNagumo", "HindmarshRose"]


@pytest.mark.parametrize("name", list(CASES))
def test_spikes_under_drive_and_rests_without(name):
    make, drive, dt, n_steps, min_spikes = CASES[name]
    spk, _ = simulate(make(), drive, n_steps, dt * u.ms)
    assert spk.sum() >= min_spikes
    spk0, rec0 = simulate(make(), 0.0 * drive, n_steps, dt * u.ms)
    assert spk0.sum() == 0
    V = rec0["V"]
    V = mantissa(V, u.get_unit(V)) if isinstance(V, u.Quantity) else np.asarray(V)
    assert np.abs(V[-1] - V[-100]).max() < 1e-2  # settled at rest


@pytest.mark.parametrize("name", RESET_FREE)
def test_upward_crossing_gives_one_spike_per_action_potential(name):
    make, drive, dt, n_steps, _ = CASES[name]
    model = make()
    spk, rec = simulate(model, drive, n_steps, dt * u.ms)
    V_th = model.V_th
    above = np.asarray(rec["V"] >= V_th)[:, 0]
    crossings = np.count_nonzero(above[1:] & ~above[:-1]) + int(above[0])
    assert spk.sum() == crossings > 0
    assert not np.any(spk[1:, 0] * spk[:-1, 0])  # never two spikes in a row
    assert above.sum() > 2 * crossings  # V stays above threshold for several steps


def test_fhn_limit_cycle_and_rest():
    spk, rec = simulate(FitzHughNagumo(1), 0.5, 5_000, 0.1 * u.ms)
    V = np.asarray(rec["V"])[:, 0]
    last = V[-2000:]  # the last 200 ms
    assert last.max() - last.min() > 3.0  # relaxation oscillation, amplitude about 3.8
    isi = np.diff(spike_times(spk[:, 0], 0.1))
    assert isi.std() / isi.mean() < 0.02  # periodic
    # without input: the stable fixed point V - V^3/3 - (V + a)/b = 0
    _, rec0 = simulate(FitzHughNagumo(1), 0.0, 5_000, 0.1 * u.ms)
    roots = np.roots([-1 / 3, 0.0, 1 - 1 / 0.8, -0.7 / 0.8])
    V_star = roots[np.abs(roots.imag) < 1e-9].real.min()
    assert float(rec0["V"][-1, 0]) == pytest.approx(V_star, abs=1e-3)


def test_hindmarsh_rose_bursts():
    spk, _ = simulate(HindmarshRose(1), 3.0, 150_000, 0.01 * u.ms)  # 1500 ms
    t = spike_times(spk[:, 0], 0.01)
    isi = np.diff(t[t > 300.0])  # past the first, long burst
    long = isi > 50.0
    assert long.sum() >= 5  # silent phases between bursts
    assert (~long).sum() >= 2 * long.sum()  # several spikes per burst
    assert np.median(isi[~long]) < 0.4 * np.median(isi[long])


# --------------------------------------------------------------------------- Izhikevich


def test_izhikevich_regular_spiking_and_hard_reset():
    dt, x = 0.1 * u.ms, 10.0 * u.mV / u.ms
    izh = Izhikevich(1)
    assert izh.spk_reset == "hard"
    spk, rec = simulate(izh, x, 3_000, dt, record=("V", "u"))
    V, U = mantissa(rec["V"], u.mV)[:, 0], mantissa(rec["u"], u.mV / u.ms)[:, 0]
    idx = np.nonzero(spk[:, 0])[0]
    assert len(idx) >= 5
    isi = np.diff(idx)
    assert isi.std() / isi.mean() < 0.05  # regular (tonic) spiking
    assert np.all(V[idx] >= 30.0)  # the spiking step leaves V above threshold
    k = idx[0]
    # the next step starts from V = c and u + d: the same as one step of a fresh neuron
    fresh = Izhikevich(
        1, V_initializer=CONST(-65.0 * u.mV), u_initializer=CONST((U[k] + 8.0) * u.mV / u.ms)
    )
    _, one = simulate(fresh, x, 1, dt, record=("V", "u"))
    np.testing.assert_allclose(V[k + 1], mantissa(one["V"], u.mV)[0, 0], rtol=1e-5)
    np.testing.assert_allclose(U[k + 1], mantissa(one["u"], u.mV / u.ms)[0, 0], rtol=1e-5)
    assert abs(V[k + 1] + 65.0) < 5.0


def test_izhikevich_ref_refractory_period():
    dt, x = 0.1 * u.ms, 10.0 * u.mV / u.ms
    plain, _ = simulate(Izhikevich(1), x, 3_000, dt)
    no_ref, _ = simulate(IzhikevichRef(1), x, 3_000, dt)
    np.testing.assert_array_equal(plain, no_ref)  # tau_ref = 0 ms by default
    ref = IzhikevichRef(1, tau_ref=60.0 * u.ms, ref_var=True)
    spk, rec = simulate(ref, x, 3_000, dt, record=("V", "refractory", "last_spike_time"))
    t = spike_times(spk[:, 0], 0.1)
    assert len(t) >= 3
    assert np.diff(t).min() >= 60.0
    assert rec["refractory"].dtype == jnp.bool_
    assert bool(rec["refractory"][np.nonzero(spk[:, 0])[0][0], 0])
    assert isinstance(ref.last_spike_time, brainsim.ShortTermState)


# --------------------------------------------------------------------------- shapes, units

# model -> (an input, {state: unit or None for dimensionless})
MODELS = {
    HH: (1.0 * u.uA, {"V": u.mV, "m": None, "h": None, "n": None}),
    MorrisLecar: (1.0 * u.uA, {"V": u.mV, "W": None}),
    WangBuzsakiHH: (1.0 * u.uA, {"V": u.mV, "h": None, "n": None}),
    FitzHughNagumo: (0.1, {"V": None, "w": None}),
    HindmarshRose: (0.1, {"V": None, "y": None, "z": None}),
    Izhikevich: (1.0 * u.mV / u.ms, {"V": u.mV, "u": u.mV / u.ms}),
    IzhikevichRef: (1.0 * u.mV / u.ms, {"V": u.mV, "u": u.mV / u.ms, "last_spike_time": u.ms}),
}


@pytest.mark.parametrize("cls", list(MODELS), ids=lambda c: c.__name__)
def test_init_and_reset_state_shapes_and_units(cls):
    x, states = MODELS[cls]
    model = cls(3)
    model.init_state()
    for name, unit in states.items():
        val = getattr(model, name).value
        assert val.shape == (3,)
        if unit is None:
            assert not isinstance(val, u.Quantity)
        else:
            assert u.get_unit(val).dim == unit.dim
    model.reset_state(batch_size=4)
    for name in states:
        assert getattr(model, name).value.shape == (4, 3)
    with brainsim.environ.context(dt=0.01 * u.ms, t=0.0 * u.ms):
        out = model(x)
    assert out.shape == (4, 3)


@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (HH, {"g_Na": 120}, r"HH\(g_Na=\.\.\.\).*mS"),
        (HH, {"C": 1.0 * u.mV}, r"HH\(C=\.\.\.\).*uF"),
        (HH, {"V_th": -20.0 * u.mV}, r"HH\(V_th=\.\.\.\).*positive"),
        (WangBuzsakiHH, {"E_Na": 55.0}, r"WangBuzsakiHH\(E_Na=\.\.\.\).*mV"),
        (MorrisLecar, {"phi": 0.04}, r"MorrisLecar\(phi=\.\.\.\)"),
        (Izhikevich, {"d": 8.0 * u.mV}, r"Izhikevich\(d=\.\.\.\)"),
        (IzhikevichRef, {"tau_ref": 5.0}, r"IzhikevichRef\(tau_ref=\.\.\.\).*ms"),
        (FitzHughNagumo, {"a": 0.7 * u.mV}, r"FitzHughNagumo\(a=\.\.\.\).*dimensionless"),
        (HindmarshRose, {"tau": 1.0}, r"HindmarshRose\(tau=\.\.\.\).*ms"),
    ],
)
def test_unit_errors_name_the_argument(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(10, **kwargs)
