"""CUBA network (Brette et al. 2007, benchmark 2): current-based LIF E/I network.

Model: 4000 LIF neurons (3200 excitatory, 800 inhibitory; tau_m 20 ms, E_L -49 mV,
V_th -50 mV, V_reset -60 mV, refractory 5 ms) with exponential synaptic currents
(tau_e 5 ms, tau_i 10 ms) whose jumps are w_e = 60 * 0.27 / 10 = 1.62 mV and
w_i = -20 * 4.5 / 10 = -9 mV in units of R I, random connections with p = 0.02, built by
``brainsim.models.networks.CUBANetwork`` (``Expon`` synapses with g in mV feeding a
``CUBA(scale=1/R)`` output, so R I equals the benchmark's g exactly). dt = 0.1 ms.

Reference: Brette et al. (2007) J Comput Neurosci 23:349, benchmark 2.

Full run (1 s, 4000 neurons, seed 0), measured: exc rate 5.7 Hz, inh rate 5.7 Hz,
mean CV of the excitatory ISIs 0.53; 8 s wall on a shared 2-core CPU (1.2 s compile,
0.5 s run). ``--quick`` runs 200 ms.

Run ``python examples/cuba.py`` (``--quick`` for a short run, ``--out fig.png``).
"""

from __future__ import annotations

import argparse
import time

import brainunit as u
import numpy as np

import brainsim
from brainsim import analysis, plot, simulate
from brainsim.models.networks import CUBANetwork


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 ms run (for tests)")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms of biological time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="cuba.png", help="figure path")
    args = parser.parse_args(argv)
    duration = (200.0 if args.quick else args.duration) * u.ms

    brainsim.environ.set(dt=0.1 * u.ms)
    brainsim.random.seed(args.seed)
    t0 = time.perf_counter()
    net = CUBANetwork(seed=args.seed)
    sim = simulate.Simulation(net, record={"spikes": simulate.spikes(lambda: net.spike.value)})
    rec = sim.run(duration)
    wall = time.perf_counter() - t0

    ev = rec["spikes"]
    t, idx = ev.times, ev.indices
    n_e, n = net.n_exc, net.n_exc + net.n_inh
    exc, inh = idx < n_e, idx >= n_e
    rate_e = analysis.mean_rate((t[exc], idx[exc]), duration=duration, n_neurons=n_e)
    rate_i = analysis.mean_rate((t[inh], idx[inh] - n_e), duration=duration, n_neurons=n - n_e)
    cv_e = analysis.mean_cv(t[exc], idx[exc], n_neurons=n_e)
    print(f"CUBA network: {n} neurons, {duration.to_decimal(u.ms):.0f} ms, dt = 0.1 ms")
    print(f"  compile {rec.compile_time:.2f} s, run {rec.run_time:.2f} s, total {wall:.2f} s")
    print(f"  excitatory rate {rate_e:.1f} Hz, inhibitory rate {rate_i:.1f} Hz")
    print(f"  mean CV of ISIs (excitatory) {cv_e:.2f}")

    fig = plot.summary(
        t,
        idx,
        n,
        duration,
        groups={"E": slice(0, n_e), "I": slice(n_e, n)},
        title="CUBA (Brette et al. 2007, benchmark 2)",
        markersize=1.0,
    )
    path = plot.save(fig, args.out)
    print(f"  figure: {path}")
    return {
        "rate_exc": rate_e,
        "rate_inh": rate_i,
        "cv_exc": cv_e,
        "n_spikes": int(np.size(idx)),
        "wall_s": wall,
    }


if __name__ == "__main__":
    main()
