"""Check and time the event-propagation engines on the current device.

1. Correctness: the Pallas kernel (compiled on a GPU, interpreted on CPU) against the
   branch-free dense engine, for homogeneous and per-synapse weights, batched inputs and
   the delayed (ring-buffer) form. Integer-valued weights make every sum exact, so the
   comparison is exact whatever order the atomic adds run in.
2. Cost: microseconds per call of each engine inside a 1000-step ``lax.scan`` over
   random spikes (firing probability ``--p-spike`` per step), for each size ``--n``.

    python benchmarks/gpu_check.py --n 4000 64000 1000000 --k 80
"""

from __future__ import annotations

import argparse
import json
import time

import jax
import jax.numpy as jnp
import numpy as np

from brainsim.nn import _event_kernels as ek


def check(rng: np.random.Generator) -> None:
    cases = [(300, 200, 37), (1000, 1000, 80), (64, 5000, 3)]
    for n_pre, n_post, k in cases:
        idx = jnp.asarray(rng.integers(0, n_post, (n_pre, k)), jnp.int32)
        for hom in (True, False):
            w = jnp.float32(3.0) if hom else jnp.asarray(rng.integers(-4, 5, (n_pre, k)),
                                                         jnp.float32)
            for batch in ((), (3,)):
                x = jnp.asarray(rng.random(batch + (n_pre,)) < 0.05, jnp.float32)
                got = ek.pallas_event_scatter(x, idx, w, n_post)
                want = ek._dense(x, idx, w, n_post, None, None, 1, None)
                assert bool(jnp.all(got == want)), (n_pre, n_post, k, hom, batch)
                got = ek.pallas_event_scatter_two_phase(x, idx, w, n_post, programs=37)
                assert bool(jnp.all(got == want)), ("two-phase", n_pre, n_post, k, hom, batch)
                L = 7
                d = jnp.asarray(rng.integers(0, L, (n_pre, k)), jnp.int32)
                y0 = jnp.asarray(rng.integers(0, 3, batch + (L, n_post)), jnp.float32)
                got = ek.pallas_event_scatter(x, idx, w, n_post, delays=d, ptr=5, ring=L, y0=y0)
                want = ek._dense(x, idx, w, n_post, d, 5, L, y0)
                assert bool(jnp.all(got == want)), ("delayed", n_pre, n_post, k, hom, batch)
                got = ek.pallas_event_scatter_two_phase(x, idx, w, n_post, delays=d, ptr=5,
                                                        ring=L, y0=y0, programs=37)
                assert bool(jnp.all(got == want)), ("delayed 2", n_pre, n_post, k, hom, batch)
    from brainsim.simulate._runner import _compact_on_device

    for shape in ((3, 1000), (1000, 100_000), (5, 7, 11)):
        arr = rng.random(shape) < 0.01
        steps, idx = _compact_on_device(jnp.asarray(arr))
        s2, i2 = np.nonzero(arr.reshape(shape[0], -1))
        assert np.array_equal(steps, s2) and np.array_equal(idx, i2), shape
    print("CHECK ok: pallas == dense (exact, integer weights), compaction == np.nonzero, on",
          jax.devices()[0], flush=True)


def cost(n: int, k: int, p_spike: float, engine: str, rows: int | None,
         warps: int | None = None) -> float:
    key = jax.random.PRNGKey(0)
    idx = jax.random.randint(key, (n, k), 0, n, dtype=jnp.int32)
    spikes = jax.random.bernoulli(key, p_spike, (1000, n)).astype(jnp.float32)

    def one(x):
        if engine == "two_phase":
            return ek.pallas_event_scatter_two_phase(x, idx, jnp.float32(1.0), n,
                                                     programs=rows)
        if engine == "pallas":
            return ek.pallas_event_scatter(x, idx, jnp.float32(1.0), n, rows_per_block=rows,
                                           num_warps=warps)
        return ek._dense(x, idx, jnp.float32(1.0), n, None, None, 1, None)

    f = jax.jit(lambda s: jax.lax.scan(lambda c, x: (c + one(x)[0], None), 0.0, s)[0])
    f(spikes).block_until_ready()
    t0 = time.perf_counter()
    f(spikes).block_until_ready()
    return (time.perf_counter() - t0) / 1000 * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[4000, 64000])
    ap.add_argument("--k", type=int, default=80)
    ap.add_argument("--p-spike", type=float, default=0.002)
    ap.add_argument("--rows", type=int, nargs="+", default=[32, 64, 128])
    ap.add_argument("--warps", type=int, nargs="+", default=[4])
    ap.add_argument("--programs", type=int, nargs="+", default=[1024],
                    help="programs of the two-phase kernel's second pass")
    a = ap.parse_args()
    check(np.random.default_rng(0))
    for n in a.n:
        for rows in a.rows:
            for warps in a.warps:
                us = cost(n, a.k, a.p_spike, "pallas", rows, warps)
                print("RESULT " + json.dumps({"engine": "pallas", "N": n, "rows": rows,
                                              "warps": warps, "us_per_step": us}), flush=True)
        for programs in a.programs:
            us = cost(n, a.k, a.p_spike, "two_phase", programs)
            print("RESULT " + json.dumps({"engine": "two_phase", "N": n, "programs": programs,
                                          "us_per_step": us}), flush=True)
        if n <= 300_000:
            us = cost(n, a.k, a.p_spike, "dense", None)
            print("RESULT " + json.dumps({"engine": "dense", "N": n, "us_per_step": us}),
                  flush=True)


if __name__ == "__main__":
    main()
