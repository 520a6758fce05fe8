"""Build time of fixed-probability event-driven connectivity from a seed.

    python benchmarks/connectivity_build.py [--n 4000] [--p 0.02]

Prints the time to build ``EventFixedProb(n, n, p, w, seed=...)`` with and without
multapses (sampling with / without replacement), plus the memory of the index table
(O(number of synapses), never O(n^2)).
"""

from __future__ import annotations

import argparse
import time

import brainunit as u
import jax

import brainsim


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--p", type=float, default=0.02)
    a = p.parse_args()
    brainsim.nn.EventFixedProb(10, 10, 0.5, 1.0, seed=0)  # warm up JAX
    for multi in (True, False):
        t0 = time.perf_counter()
        c = brainsim.nn.EventFixedProb(a.n, a.n, a.p, 6.0 * u.nS, seed=1, allow_multi_conn=multi)
        jax.block_until_ready(c.indices)
        dt = time.perf_counter() - t0
        mb = c.indices.size * c.indices.dtype.itemsize / 2**20
        print(f"{a.n}x{a.n} p={a.p} allow_multi_conn={multi!s:5}: built in {dt * 1e3:7.1f} ms, "
              f"{c.indices.size:,} synapses, index table {mb:.1f} MiB")


if __name__ == "__main__":
    main()
