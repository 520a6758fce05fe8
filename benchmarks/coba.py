"""COBA benchmark (Vogels & Abbott 2005; Brette et al. 2007 benchmark 1).

Runs brainsim's ``COBANetwork`` through ``brainsim.simulate.Simulation`` and, next to it, a
hand-written plain ``jax.lax.scan`` implementation of the same network (same
connectivity, same initial conditions drawn the same way, exponential-Euler updates,
a dense-index scatter for the synapses). Prints compile time and run time separately,
firing rates, and synaptic events per second.

    python benchmarks/coba.py                 # N = 4000, 1 s
    python benchmarks/coba.py --n 4000 16000  # several sizes
    python benchmarks/coba.py --duration 5000
"""

from __future__ import annotations

import argparse
import time

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

import brainsim
from brainsim import models, simulate


def run_brainsim(n: int, duration_ms: float, seed: int, network: type | None = None) -> dict:
    """Run a benchmark network class (default COBANetwork) through Simulation."""
    network = network or models.networks.COBANetwork
    brainsim.environ.set(dt=0.1 * u.ms)
    n_exc = int(n * 0.8)
    with brainsim.random.seed_context(seed):
        net = network(n_exc=n_exc, n_inh=n - n_exc, seed=seed)
        sim = simulate.Simulation(net, record={"spikes": simulate.spikes(
            lambda: net.spike.value)})
        res = sim.run(duration_ms * u.ms)
    ev = res["spikes"]
    rates = np.bincount(ev.indices, minlength=n) / (duration_ms / 1000.0)
    return {
        "compile_s": res.compile_time, "run_s": res.run_time,
        "exc_hz": rates[:n_exc].mean(), "inh_hz": rates[n_exc:].mean(),
        "events": len(ev) * net.E.comm.conn_num, "net": net,
    }


def run_plain_jax(net: models.networks.COBANetwork, duration_ms: float, seed: int) -> dict:
    """The same network written directly with jax.lax.scan (no brainsim in the loop)."""
    n_exc, n = net.n_exc, net.n_exc + net.n_inh
    dt = 0.1
    idx_e, idx_i = net.E.comm.indices, net.I.comm.indices
    we, wi = 6.0, 67.0  # nS
    tau_m, tau_e, tau_i, t_ref = 20.0, 5.0, 10.0, 5.0
    E_l, V_th, V_reset, E_e, E_i, g_l = -60.0, -50.0, -60.0, 0.0, -80.0, 10.0
    key = jax.random.PRNGKey(seed)
    k1, k2, k3 = jax.random.split(key, 3)
    V0 = -65.0 + 5.0 * jax.random.normal(k1, (n,))
    ge0 = 40.0 + 15.0 * jax.random.normal(k2, (n,))
    gi0 = 200.0 + 120.0 * jax.random.normal(k3, (n,))
    de, di = np.exp(-dt / tau_e), np.exp(-dt / tau_i)

    def scatter(spk, idx, w):
        return jnp.zeros(n).at[idx].add(jnp.where(spk[:, None] > 0, w, 0.0))

    def step(carry, i):
        V, ge, gi, last, spk = carry
        t = i * dt
        ge = ge * de + scatter(spk[:n_exc], idx_e, we)
        gi = gi * di + scatter(spk[n_exc:], idx_i, wi)
        # exponential Euler of C dV/dt = g_l (E_l - V) + ge (E_e - V) + gi (E_i - V)
        g_tot = g_l + ge + gi
        v_inf = (g_l * E_l + ge * E_e + gi * E_i) / g_tot
        V_new = v_inf + (V - v_inf) * jnp.exp(-dt * g_tot / (g_l * tau_m))
        refractory = (t - last) < t_ref
        V_new = jnp.where(refractory, V, V_new)
        fired = V_new >= V_th
        V_new = jnp.where(fired, V_reset, V_new)
        last = jnp.where(fired, t, last)
        return (V_new, ge, gi, last, fired.astype(jnp.float32)), fired

    steps = int(round(duration_ms / dt))

    @jax.jit
    def run(carry):
        return jax.lax.scan(step, carry, jnp.arange(steps))

    carry = (V0, ge0, gi0, jnp.full(n, -1e7), jnp.zeros(n))
    t0 = time.perf_counter()
    compiled = run.lower(carry).compile()
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, fired = compiled(carry)
    fired = np.asarray(fired)
    run_s = time.perf_counter() - t0
    rates = fired.sum(0) / (duration_ms / 1000.0)
    return {"compile_s": compile_s, "run_s": run_s, "exc_hz": rates[:n_exc].mean(),
            "inh_hz": rates[n_exc:].mean(),
            "events": int(fired.sum()) * net.E.comm.conn_num}


def compare(doc: str, network: type | None, plain: object) -> None:
    """Command-line driver shared with cuba.py: brainsim vs the plain-JAX version."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--n", type=int, nargs="+", default=[4000])
    p.add_argument("--duration", type=float, default=1000.0, help="ms")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    print(f"{'impl':<12}{'N':>7}{'compile s':>11}{'run s':>9}{'exc Hz':>9}{'inh Hz':>9}"
          f"{'Mevents/s':>11}")
    for n in a.n:
        bs = run_brainsim(n, a.duration, a.seed, network)
        pj = plain(bs.pop("net"), a.duration, a.seed)
        for name, r in (("brainsim", bs), ("plain jax", pj)):
            print(f"{name:<12}{n:>7}{r['compile_s']:>11.2f}{r['run_s']:>9.2f}"
                  f"{r['exc_hz']:>9.2f}{r['inh_hz']:>9.2f}{r['events'] / r['run_s'] / 1e6:>11.2f}")


def main() -> None:
    compare(__doc__, models.networks.COBANetwork, run_plain_jax)


if __name__ == "__main__":
    main()
