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


def _positive(kind: type, what: str) -> Any:
    """An argparse type: a number of ``kind`` > 0, or an argparse error naming ``what``."""

    def parse(text: str) -> Any:
        try:
            val = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not val > 0 or val != val or val == float("inf"):
            raise argparse.ArgumentTypeError(f"expected {what} > 0, got {text}")
        return val

    return parse


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show ``(default: ...)`` for options with a value, not for flags or computed ones."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or isinstance(action.default, bool):
            return action.help
        return super()._get_help_string(action)


QUICK_MS = 200.0  # the --quick preset
DEFAULT_MS = 1000.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="brainsim", description="brainsim: spiking network simulation on JAX.")
    sub = parser.add_subparsers(dest="command")
    d = sub.add_parser(
        "demo", help="run the COBA network demo (1 s, 4000 neurons)",
        formatter_class=_HelpFormatter,
        description="Run the COBA network of Vogels & Abbott (2005): N conductance-based LIF "
        "neurons (80% excitatory) with a fixed expected in-degree of 80 synapses per neuron "
        "(connection probability 80/N; below N = 4000 the excitatory weight also grows, as "
        "6 nS x (4000/N)^0.2), so that the activity is self-sustained at any N >= 1000.")
    d.add_argument("--duration", type=_positive(float, "a duration in ms"), default=None,
                   help=f"biological time in ms (default {DEFAULT_MS:g}; {QUICK_MS:g} with "
                   f"--quick; an explicit --duration wins over --quick)")
    d.add_argument("--n", type=_positive(int, "a number of neurons"), default=4000,
                   help="number of neurons (80%% excitatory), at least 100")
    d.add_argument("--seed", type=int, default=0, help="random seed")
    d.add_argument("--out", default="brainsim_demo.png", help="path of the PNG figure")
    d.add_argument("--dt", type=_positive(float, "a time step in ms"), default=0.1,
                   help="time step in ms")
    d.add_argument("--progress", action="store_true", help="show a progress bar")
    d.add_argument("--quick", action="store_true",
                   help=f"preset for smoke tests: {QUICK_MS:g} ms unless --duration is given")
    args = parser.parse_args(argv)
    if args.command != "demo":
        parser.print_help()
        return 0 if args.command is None else 2
    if args.duration is not None:
        duration = args.duration
    else:
        duration = QUICK_MS if args.quick else DEFAULT_MS
    if args.n < 100:
        d.error(f"argument --n: expected at least 100 neurons (80 synapses per neuron need "
                f"that many), got {args.n}")
    steps = duration / args.dt
    if steps < 1 or abs(steps - round(steps)) > 1e-6 * max(steps, 1.0):
        d.error(f"argument --duration: {duration:g} ms is not a whole number (>= 1) of time "
                f"steps of --dt {args.dt:g} ms; give e.g. --duration "
                f"{max(round(steps), 1) * args.dt:g}")
    demo(duration_ms=duration, n=args.n, seed=args.seed, out=args.out, pbar=args.progress,
         dt_ms=args.dt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
