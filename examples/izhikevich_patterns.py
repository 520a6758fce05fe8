"""Firing patterns of the Izhikevich (2003) neuron under a step current.

Model: ``brainsim.models.Izhikevich`` (dV/dt = 0.04 V^2 + 5 V + 140 - u + I,
du/dt = a (b V - u), reset V <- c, u <- u + d at V >= 30 mV), one neuron per published
parameter set (Izhikevich 2003, Fig. 2): regular spiking RS (0.02, 0.2, -65, 8),
intrinsically bursting IB (0.02, 0.2, -55, 4), chattering CH (0.02, 0.2, -50, 2), fast
spiking FS (0.1, 0.2, -65, 2), low-threshold spiking LTS (0.02, 0.25, -65, 2),
thalamo-cortical TC (0.02, 0.25, -65, 0.05) and resonator RZ (0.1, 0.26, -65, 2).
All start at V = -65 mV, u = b V and receive the same step I = 10 (mV/ms) from 20 ms
(the paper drives TC and RZ with other protocols: here they fire tonically). dt = 0.1 ms.

Reference: Izhikevich (2003) Simple model of spiking neurons, IEEE Trans Neural Netw
14:1569.

Full run (300 ms, step from 20 ms), measured spike counts: RS 7, IB 11, CH 27, FS 39,
LTS 24, TC 81, RZ 55; ISIs: RS 21 ms then 45 ms (adapting), IB 2.3 and 3.9 ms (initial
burst) then 31-39 ms (tonic), CH 1.4-1.9 ms within bursts of 5 about every 55 ms, FS
4.0 ms growing to 7.4 ms. A forward-Euler integration of the same equations at
dt = 1 us gives the same counts (RZ 56). 7 s wall on a shared 2-core CPU.
``--quick`` runs 100 ms.

Run ``python examples/izhikevich_patterns.py`` (``--quick``, ``--out fig.png``).
"""

from __future__ import annotations

import argparse
import time

import matplotlib

matplotlib.use("Agg")

import brainunit as u  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import brainsim  # noqa: E402
from brainsim import plot, simulate  # noqa: E402

#        a (1/ms) b (1/ms) c (mV) d (mV/ms)
PATTERNS = {
    "RS": (0.02, 0.2, -65.0, 8.0),
    "IB": (0.02, 0.2, -55.0, 4.0),
    "CH": (0.02, 0.2, -50.0, 2.0),
    "FS": (0.1, 0.2, -65.0, 2.0),
    "LTS": (0.02, 0.25, -65.0, 2.0),
    "TC": (0.02, 0.25, -65.0, 0.05),
    "RZ": (0.1, 0.26, -65.0, 2.0),
}
STEP_AT = 20.0  # ms
V_PEAK = 30.0  # mV, where a spike is cut off (the threshold)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 ms run (for tests)")
    parser.add_argument("--duration", type=float, default=300.0, help="ms of biological time")
    parser.add_argument("--current", type=float, default=10.0, help="step amplitude (mV/ms)")
    parser.add_argument("--out", default="izhikevich_patterns.png", help="figure path")
    args = parser.parse_args(argv)
    duration = (100.0 if args.quick else args.duration) * u.ms

    brainsim.environ.set(dt=0.1 * u.ms)
    a, b, c, d = (jnp.asarray(col) for col in zip(*PATTERNS.values(), strict=True))
    V0 = -65.0 * u.mV
    neurons = brainsim.models.Izhikevich(
        len(PATTERNS),
        a=a / u.ms,
        b=b / u.ms,
        c=c * u.mV,
        d=d * u.mV / u.ms,
        V_th=V_PEAK * u.mV,
        V_initializer=V0,
        u_initializer=b / u.ms * V0,
    )
    current = brainsim.models.step_input([args.current] * u.mV / u.ms, [STEP_AT] * u.ms, duration)
    t0 = time.perf_counter()
    record = {
        "V": simulate.trace(lambda: neurons.V.value),
        "spikes": simulate.spikes(lambda: neurons.get_spike()),
    }
    sim = simulate.Simulation(neurons, record=record)
    rec = sim.run(duration, inputs=(current[:, None],))
    wall = time.perf_counter() - t0

    ev = rec["spikes"]
    times = np.asarray(ev.times.to_decimal(u.ms))
    print(
        f"Izhikevich patterns: step of {args.current} mV/ms from {STEP_AT:.0f} ms, "
        f"{duration.to_decimal(u.ms):.0f} ms, dt = 0.1 ms ({wall:.2f} s)"
    )
    print("  type  spikes  first ISIs (ms)")
    result = {}
    for k, name in enumerate(PATTERNS):
        st = times[ev.indices == k]
        isis = np.diff(st)
        result[name] = {
            "n_spikes": int(st.size),
            "first_spike_ms": float(st[0]) if st.size else float("nan"),
            "isis_ms": isis,
        }
        first = ", ".join(f"{x:.1f}" for x in isis[:4]) or "-"
        print(f"  {name:4s}  {st.size:6d}  {first}")

    import matplotlib.pyplot as plt

    n = len(PATTERNS)
    fig, axes = plt.subplots(n, 1, figsize=(8.0, 1.3 * n), sharex=True)
    V = np.minimum(np.asarray(rec["V"].to_decimal(u.mV)), V_PEAK)  # cut spikes at the peak
    for k, (name, ax) in enumerate(zip(PATTERNS, axes, strict=True)):
        plot.traces(rec.time("V"), V[:, k], ax=ax, legend=False, color="k", lw=0.8)
        ax.set_ylabel(f"{name}\nV (mV)", fontsize="small")
        ax.set_ylim(-90, 40)
        if k < n - 1:
            ax.set_xlabel("")
    axes[0].set_title(
        f"Izhikevich (2003) firing patterns, step I = {args.current} mV/ms at {STEP_AT:.0f} ms"
    )
    path = plot.save(fig, args.out)
    print(f"  figure: {path}")
    return result


if __name__ == "__main__":
    main()
