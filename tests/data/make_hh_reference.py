"""Generate ``hh_reference.npz``: Hodgkin-Huxley spike trains from an independent simulator.

The reference is produced with Brian2 (not with brainsim), so the HH test checks our
model against a different code base and a different integration scheme.

Model: the classic Hodgkin-Huxley squid axon (Hodgkin & Huxley 1952, in the modern
convention with the rest at -65 mV), per unit area::

    C dV/dt = -g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) - g_L (V - E_L) + I
    dx/dt   = alpha_x(V) (1 - x) - beta_x(V) x,   x in {m, h, n}

    E_Na = 50 mV,  g_Na = 120 mS/cm^2,  E_K = -77 mV,  g_K = 36 mS/cm^2,
    E_L = -54.387 mV,  g_L = 0.3 mS/cm^2,  C = 1 uF/cm^2

Protocol: V0 = -65 mV with m, h, n at their steady state for V0; a constant current
I in {0, 5, 10, 20} uA/cm^2 for 500 ms; dt = 0.01 ms; float64 (numpy code generation).
The reference is integrated with Brian2's ``rk4``; the run is repeated with Brian2's
``exponential_euler``, the scheme brainsim uses, to separate integration error from
implementation error. A spike is an upward crossing of 20 mV, timed at the first step
where V >= 20 mV (time k*dt for the state after k steps).

Stored arrays (float32), for each current ``I`` in ``currents``:

* ``spikes_<I>``: spike times in ms (rk4);
* ``spikes_ee_<I>``: spike times in ms with ``exponential_euler``;
* ``V_<I>``: V in mV (rk4) sampled every 0.1 ms over the first 100 ms (``V_<I>[j]`` is the state
  at t = j * 0.1 ms);
* ``currents`` (uA/cm^2), ``dt`` and ``duration`` (ms), ``V_rest_final`` (V at 500 ms with
  no input), and the strings ``simulator``, ``method`` and ``check_method``.

The stored file was made with brian2 2.9.0 and numpy 2.3.5 (brian2 2.9.0 does not import
with numpy >= 2.4, which removed ``ndarray.ptp``); it takes about four minutes.

Re-run (needs brian2, e.g. in a throwaway virtual environment)::

    python3 -m venv /tmp/brian_env && /tmp/brian_env/bin/pip install brian2 "numpy<2.4"
    /tmp/brian_env/bin/python tests/data/make_hh_reference.py
"""

from __future__ import annotations

import pathlib

import numpy as np

CURRENTS = (0.0, 5.0, 10.0, 20.0)  # uA/cm^2
DT = 0.01  # ms
DURATION = 500.0  # ms
TRACE_MS = 100.0  # length of the stored V trace
TRACE_EVERY = 10  # store every 10th step (0.1 ms)
V_SPIKE = 20.0  # mV
METHOD = "rk4"  # the reference
CHECK_METHOD = "exponential_euler"  # the scheme of brainsim
OUT = pathlib.Path(__file__).with_name("hh_reference.npz")


def simulate(method: str) -> tuple[np.ndarray, str]:
    """Run Brian2; returns V (mV) of shape (n_currents, n_steps + 1) and its version."""
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = DT * b2.ms
    eqs = """
    dv/dt = (-g_Na*m**3*h*(v - E_Na) - g_K*n**4*(v - E_K) - g_L*(v - E_L) + I) / C_m : volt
    dm/dt = alpha_m*(1 - m) - beta_m*m : 1
    dh/dt = alpha_h*(1 - h) - beta_h*h : 1
    dn/dt = alpha_n*(1 - n) - beta_n*n : 1
    alpha_m = (1/ms) / exprel(-(v/mV + 40)/10) : Hz
    beta_m = (4/ms) * exp(-(v/mV + 65)/18) : Hz
    alpha_h = (0.07/ms) * exp(-(v/mV + 65)/20) : Hz
    beta_h = (1/ms) / (1 + exp(-(v/mV + 35)/10)) : Hz
    alpha_n = (0.1/ms) / exprel(-(v/mV + 55)/10) : Hz
    beta_n = (0.125/ms) * exp(-(v/mV + 65)/80) : Hz
    I : amp/meter**2
    """
    ns = {
        "C_m": 1 * b2.uF / b2.cm**2,
        "E_Na": 50 * b2.mV,
        "g_Na": 120 * b2.msiemens / b2.cm**2,
        "E_K": -77 * b2.mV,
        "g_K": 36 * b2.msiemens / b2.cm**2,
        "E_L": -54.387 * b2.mV,
        "g_L": 0.3 * b2.msiemens / b2.cm**2,
    }
    group = b2.NeuronGroup(len(CURRENTS), eqs, method=method, namespace=ns)
    group.v = -65 * b2.mV
    # steady state of the gates at -65 mV (alpha / (alpha + beta))
    group.m = "alpha_m / (alpha_m + beta_m)"
    group.h = "alpha_h / (alpha_h + beta_h)"
    group.n = "alpha_n / (alpha_n + beta_n)"
    group.I = np.asarray(CURRENTS) * b2.uA / b2.cm**2
    mon = b2.StateMonitor(group, "v", record=True)  # records the state at t = k*dt
    net = b2.Network(group, mon)
    net.run(DURATION * b2.ms)
    v = np.asarray(mon.v / b2.mV)
    v_end = np.asarray(group.v / b2.mV)[:, None]  # state at t = DURATION
    return np.concatenate([v, v_end], axis=1), b2.__version__


def upward_crossings(v: np.ndarray) -> np.ndarray:
    """Times (ms) of the first step at or above V_SPIKE after a step below it."""
    above = v >= V_SPIKE
    idx = np.nonzero(above[1:] & ~above[:-1])[0] + 1
    return idx * DT


def main() -> None:
    v, version = simulate(METHOD)
    v_check, _ = simulate(CHECK_METHOD)
    data = {
        "currents": np.asarray(CURRENTS, np.float32),
        "dt": np.float32(DT),
        "duration": np.float32(DURATION),
        "V_rest_final": np.float32(v[0, -1]),
        "simulator": np.asarray(f"brian2 {version}"),
        "method": np.asarray(METHOD),
        "check_method": np.asarray(CHECK_METHOD),
    }
    n_trace = int(round(TRACE_MS / DT)) + 1
    for k, current in enumerate(CURRENTS):
        key = f"{current:g}"
        data[f"spikes_{key}"] = upward_crossings(v[k]).astype(np.float32)
        data[f"spikes_ee_{key}"] = upward_crossings(v_check[k]).astype(np.float32)
        data[f"V_{key}"] = v[k, :n_trace:TRACE_EVERY].astype(np.float32)
    np.savez_compressed(OUT, **data)
    for current in CURRENTS:
        s = data[f"spikes_{current:g}"]
        print(
            f"I = {current:5g} uA/cm^2: {len(s):3d} spikes, first at "
            f"{s[0] if len(s) else float('nan'):.2f} ms"
        )
    print(f"V at {DURATION:g} ms without input: {data['V_rest_final']:.4f} mV")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes) with brian2 {version}, method={METHOD}")


if __name__ == "__main__":
    main()
