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

    import brainsim
    from brainsim import models, simulate

    brainsim.environ.set(dt=dt_ms * u.ms)
    n_exc = int(round(n * 0.8))
    with brainsim.random.seed_context(seed):
        net = models.networks.COBANetwork(n_exc=n_exc, n_inh=n - n_exc, seed=seed)
        return simulate.run_ei_network(
            net, duration_ms * u.ms, out=out, pbar=pbar,
            title="COBA network (Vogels & Abbott 2005)")


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
