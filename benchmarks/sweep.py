"""Sweep benchmark: 16 parameter points of a driven COBA network in one vmapped compile
versus 16 separate runs.

The network and the 4 x 4 grid (excitatory weight x input rate) are those of
``examples/sweep_coba.py``. Three ways of running all 16 points are timed (wall clock,
compile included):

- ``sweep``: :func:`brainsim.simulate.sweep`, one compiled loop over all points;
- ``separate (rebuild)``: a new network and Simulation per point, as a script looping over
  parameters does (each point compiles its own loop);
- ``separate (reuse)``: one Simulation whose swept States are set before each run, so the
  compiled chunk is reused and only the runs are sequential.

    python benchmarks/sweep.py                      # 1000 neurons, 200 ms per point
    python benchmarks/sweep.py --n 4000 --duration 500
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import brainunit as u

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from sweep_coba import build, grid  # noqa: E402

from brainsim import simulate  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="neurons")
    parser.add_argument("--p", type=float, default=None, help="connection probability "
                        "(default: 64 excitatory inputs per neuron)")
    parser.add_argument("--duration", type=float, default=200.0, help="ms per point")
    args = parser.parse_args(argv)
    p = args.p if args.p is not None else 64 / (0.8 * args.n)
    duration = args.duration * u.ms
    values = grid()
    n_points = len(values["rate"])

    net, sim = build(args.n, p)
    t0 = time.perf_counter()
    res = simulate.sweep(sim, values, duration)
    t_sweep = time.perf_counter() - t0
    spikes_sweep = sum(len(r["spikes"]) for r in res)

    t0 = time.perf_counter()
    spikes_rebuild = 0
    for k in range(n_points):
        net_k, sim_k = build(args.n, p)
        net_k.E.comm.weight.value = values["E.comm.weight"][k]
        net_k.rate.value = values["rate"][k]
        spikes_rebuild += len(sim_k.run(duration)["spikes"])
    t_rebuild = time.perf_counter() - t0

    net, sim = build(args.n, p)
    start = {s: s.value for s in net.states().values()}
    t0 = time.perf_counter()
    spikes_reuse = 0
    for k in range(n_points):
        for s, v in start.items():
            s.value = v
        sim.i = 0
        net.E.comm.weight.value = values["E.comm.weight"][k]
        net.rate.value = values["rate"][k]
        spikes_reuse += len(sim.run(duration)["spikes"])
    t_reuse = time.perf_counter() - t0

    print(f"{n_points} points, {args.n} neurons (p = {p:.3g}), "
          f"{args.duration:g} ms per point, dt = 0.1 ms")
    print(f"  sweep (one compile)   {t_sweep:7.2f} s  (compile {res.compile_time:.2f} s, run "
          f"{res.run_time:.2f} s, {res.num_compiles} compile, {spikes_sweep} spikes)")
    print(f"  separate (rebuild)    {t_rebuild:7.2f} s  ({spikes_rebuild} spikes)  "
          f"-> sweep is {t_rebuild / t_sweep:.1f}x faster")
    print(f"  separate (reuse)      {t_reuse:7.2f} s  ({spikes_reuse} spikes)  "
          f"-> sweep is {t_reuse / t_sweep:.1f}x faster")
    return {"sweep_s": t_sweep, "rebuild_s": t_rebuild, "reuse_s": t_reuse}


if __name__ == "__main__":
    main()
