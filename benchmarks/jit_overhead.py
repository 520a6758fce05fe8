"""Per-call overhead of ``brainsim.transform.jit`` on a module holding many States.

Compares one jitted step of a module with N States (each ``s.value = s.value * a + x``)
against a hand-written ``jax.jit`` pure function doing the same arithmetic on a list of
arrays. Prints compile time and run time separately, and their ratio.

    python benchmarks/jit_overhead.py [--states 100] [--size 1000] [--reps 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax
import jax.numpy as jnp

import brainsim


class Many(brainsim.nn.Module):
    def __init__(self, n: int, size: int) -> None:
        super().__init__()
        self.vs = [brainsim.HiddenState(jnp.zeros(size)) for _ in range(n)]

    def update(self, x):
        for s in self.vs:
            s.value = s.value * 0.9 + x
        return self.vs[0].value[0]


def timeit(fn, reps: int) -> float:
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            out = fn()
        jax.block_until_ready(out)
        samples.append((time.perf_counter() - t0) / reps)
    return statistics.median(samples)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--states", type=int, default=100)
    p.add_argument("--size", type=int, default=1000)
    p.add_argument("--reps", type=int, default=1000)
    a = p.parse_args()

    model = Many(a.states, a.size)
    step = brainsim.transform.jit(model.update)
    x = jnp.asarray(1.0)
    t0 = time.perf_counter()
    jax.block_until_ready(step(x))
    compile_bs = time.perf_counter() - t0

    @jax.jit
    def pure(vals, x):
        new = [v * 0.9 + x for v in vals]
        return new[0][0], new

    vals = [jnp.zeros(a.size) for _ in range(a.states)]
    t0 = time.perf_counter()
    jax.block_until_ready(pure(vals, x))
    compile_jax = time.perf_counter() - t0

    def run_jax():
        nonlocal vals
        out, vals = pure(vals, x)
        return out

    run_bs = timeit(lambda: step(x), a.reps)
    run_jx = timeit(run_jax, a.reps)
    print(f"states={a.states} size={a.size}")
    print(f"compile  brainsim {compile_bs * 1e3:8.1f} ms   jax.jit {compile_jax * 1e3:8.1f} ms")
    print(f"per call brainsim {run_bs * 1e6:8.1f} us   jax.jit {run_jx * 1e6:8.1f} us")
    print(f"ratio brainsim / jax.jit = {run_bs / run_jx:.3f}")


if __name__ == "__main__":
    main()
