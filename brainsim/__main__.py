"""Command-line entry point: ``python -m brainsim demo`` (or the ``brainsim`` script).

``brainsim demo`` runs the COBA network of Vogels & Abbott (2005) (Brette et al. 2007,
benchmark 1: 4000 conductance-based LIF neurons, self-sustained activity) for 1 s of
biological time, prints the excitatory / inhibitory rates, the mean CV of inter-spike
intervals, compile and run time, and writes a raster + population-rate figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["main", "demo"]


def demo(
    duration_ms: float = 1000.0,
    n: int = 4000,
    seed: int = 0,
    out: str = "brainsim_demo.png",
    pbar: bool = False,
    dt_ms: float = 0.1,
) -> dict[str, Any]:
    """Run the COBA demo and return its key numbers (also printed)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import brainunit as u
    import numpy as np

    import brainsim
    from brainsim import analysis, models, plot, simulate

    t_start = time.perf_counter()
    brainsim.environ.set(dt=dt_ms * u.ms)
    n_exc = int(round(n * 0.8))
    n_inh = n - n_exc
    with brainsim.random.seed_context(seed):
        net = models.networks.COBANetwork(n_exc=n_exc, n_inh=n_inh, seed=seed)
        sim = simulate.Simulation(
            net, record={"spikes": simulate.spikes(lambda: net.spike.value)})
        res = sim.run(duration_ms * u.ms, pbar=pbar)
    ev = res["spikes"]
    times = np.asarray(ev.times.to_decimal(u.ms))
    idx = ev.indices
    duration = duration_ms * u.ms
    rates = analysis.firing_rate((times, idx), duration=duration, n_neurons=n)
    exc_rate, inh_rate = float(rates[:n_exc].mean()), float(rates[n_exc:].mean())
    cv = analysis.mean_cv(times, idx, n)
    half = times >= duration_ms / 2
    exc_second_half = float(((idx < n_exc) & half).sum() / n_exc / (duration_ms / 2000.0))
    fig = plot.summary(times, idx, n, duration, groups={"exc": slice(0, n_exc),
                                                       "inh": slice(n_exc, n)},
                       title=f"COBA network, {n} neurons, {duration_ms:g} ms", show_isi=True)
    path = plot.save(fig, out)
    import matplotlib.pyplot as plt

    plt.close(fig)
    steps = res.n_steps
    events = len(ev) * net.E.comm.conn_num  # each spike reaches conn_num targets
    summary = {
        "n_neurons": n,
        "duration_ms": duration_ms,
        "exc_rate_hz": exc_rate,
        "inh_rate_hz": inh_rate,
        "exc_rate_second_half_hz": exc_second_half,
        "mean_cv": cv,
        "n_spikes": len(ev),
        "compile_s": res.compile_time,
        "run_s": res.run_time,
        "synaptic_events_per_s": events / max(res.run_time, 1e-9),
        "figure": str(path),
        "wall_s": time.perf_counter() - t_start,
    }
    print(f"COBA network (Vogels & Abbott 2005): {n} LIF neurons ({n_exc} exc, {n_inh} inh), "
          f"{duration_ms:g} ms at dt = {dt_ms:g} ms ({steps} steps)")
    print(f"  excitatory rate   {exc_rate:7.2f} Hz  (second half {exc_second_half:.2f} Hz)")
    print(f"  inhibitory rate   {inh_rate:7.2f} Hz")
    print(f"  mean ISI CV       {cv:7.2f}")
    print(f"  spikes            {len(ev):7d}")
    print(f"  compile time      {res.compile_time:7.2f} s")
    print(f"  run time          {res.run_time:7.2f} s  "
          f"({summary['synaptic_events_per_s'] / 1e6:.1f} M synaptic events / s)")
    print(f"  figure            {path}")
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="brainsim", description="brainsim: spiking network simulation on JAX.")
    sub = parser.add_subparsers(dest="command")
    d = sub.add_parser("demo", help="run the COBA network demo (1 s, 4000 neurons)")
    d.add_argument("--duration", type=float, default=1000.0, help="biological time in ms")
    d.add_argument("--n", type=int, default=4000, help="number of neurons (80%% excitatory)")
    d.add_argument("--seed", type=int, default=0, help="random seed")
    d.add_argument("--out", default="brainsim_demo.png", help="path of the PNG figure")
    d.add_argument("--dt", type=float, default=0.1, help="time step in ms")
    d.add_argument("--progress", action="store_true", help="show a progress bar")
    d.add_argument("--quick", action="store_true", help="short run (200 ms) for smoke tests")
    args = parser.parse_args(argv)
    if args.command != "demo":
        parser.print_help()
        return 0 if args.command is None else 2
    duration = 200.0 if args.quick else args.duration
    if args.n < 10:
        parser.error("--n must be at least 10")
    demo(duration_ms=duration, n=args.n, seed=args.seed, out=args.out, pbar=args.progress,
         dt_ms=args.dt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
