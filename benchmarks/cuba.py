"""CUBA benchmark (Brette et al. 2007 benchmark 2, after Vogels & Abbott 2005).

Runs brainsim's ``CUBANetwork`` through ``brainsim.simulate.Simulation`` and a
hand-written plain ``jax.lax.scan`` version of the same network (same connectivity,
exponential currents, refractory LIF). Prints compile time and run time separately,
firing rates, and synaptic events per second.

    python benchmarks/cuba.py [--n 4000 16000] [--duration 1000]
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
from coba import compare

from brainsim import models


def run_plain_jax(net: models.networks.CUBANetwork, duration_ms: float, seed: int) -> dict:
    n_exc, n = net.n_exc, net.n_exc + net.n_inh
    dt, tau_m, tau_e, tau_i, t_ref = 0.1, 20.0, 5.0, 10.0, 5.0
    E_l, V_th, V_reset, we, wi = -49.0, -50.0, -60.0, 1.62, -9.0
    idx_e, idx_i = net.E.comm.indices, net.I.comm.indices
    V0 = jax.random.uniform(jax.random.PRNGKey(seed), (n,), minval=-60.0, maxval=-50.0)
    de, di, dm = np.exp(-dt / tau_e), np.exp(-dt / tau_i), np.exp(-dt / tau_m)

    def scatter(spk, idx, w):
        return jnp.zeros(n).at[idx].add(jnp.where(spk[:, None] > 0, w, 0.0))

    def step(carry, i):
        V, ge, gi, last, spk = carry
        t = i * dt
        ge = ge * de + scatter(spk[:n_exc], idx_e, we)
        gi = gi * di + scatter(spk[n_exc:], idx_i, wi)
        v_inf = E_l + ge + gi  # exponential Euler with the currents held over the step
        V_new = v_inf + (V - v_inf) * dm
        V_new = jnp.where((t - last) < t_ref - 0.5 * dt, V, V_new)
        fired = V_new >= V_th
        return (jnp.where(fired, V_reset, V_new), ge, gi, jnp.where(fired, t, last),
                fired.astype(jnp.float32)), fired

    steps = int(round(duration_ms / dt))
    run = jax.jit(lambda c: jax.lax.scan(step, c, jnp.arange(steps)))
    carry = (V0, jnp.zeros(n), jnp.zeros(n), jnp.full(n, -1e7), jnp.zeros(n))
    t0 = time.perf_counter()
    compiled = run.lower(carry).compile()
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fired = np.asarray(compiled(carry)[1])
    run_s = time.perf_counter() - t0
    rates = fired.sum(0) / (duration_ms / 1000.0)
    return {"compile_s": compile_s, "run_s": run_s, "exc_hz": rates[:n_exc].mean(),
            "inh_hz": rates[n_exc:].mean(),
            "events": int(fired.sum()) * net.E.comm.conn_num}


if __name__ == "__main__":
    compare(__doc__, models.networks.CUBANetwork, run_plain_jax)
