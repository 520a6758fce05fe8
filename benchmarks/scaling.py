"""Scaling benchmark: COBA / CUBA networks of growing size at a fixed in-degree.

Each size builds brainsim's ``COBANetwork`` (or ``CUBANetwork``) with connection
probability ``p = k / N`` (expected in-degree ``k``, fixed out-degree ``k`` per neuron),
runs it through ``simulate.Simulation`` with spikes recorded as events, and prints build,
compile and run time separately, rates, synaptic events per second and peak device
memory. When ``brainpy.state`` (with brainstate / brainevent) is importable, the same
network is built with it in the same process and its run time and the ratio are printed.

    python benchmarks/scaling.py                          # N = 4000 and 64000, k = 80, COBA
    python benchmarks/scaling.py --n 4000 64000 256000 1024000 --k 80 --repeat 2
    python benchmarks/scaling.py --model cuba --duration 500
    python benchmarks/scaling.py --engine topk --unroll 1  # force an engine / unrolling

One ``RESULT {json}`` line per (implementation, size) is printed for scripts to collect.
"""

from __future__ import annotations

import argparse
import json
import time

import brainunit as u
import jax
import numpy as np

import brainsim
from brainsim import models, simulate


def _peak_bytes() -> int | None:
    try:
        return (jax.devices()[0].memory_stats() or {}).get("peak_bytes_in_use")
    except Exception:  # CPU: no memory_stats
        return None


def _two_phase_min_rows() -> int | None:
    from brainsim.nn import _event_kernels

    return _event_kernels.TWO_PHASE_MIN_ROWS


def run_brainsim(model: str, n: int, k: float, duration_ms: float, repeat: int, seed: int,
                 unroll: int | None, record: str = "spikes") -> dict:
    brainsim.environ.set(dt=0.1 * u.ms)
    n_exc = int(n * 0.8)
    net_cls = models.networks.COBANetwork if model == "coba" else models.networks.CUBANetwork
    t0 = time.perf_counter()
    with brainsim.random.seed_context(seed):
        net = net_cls(n_exc=n_exc, n_inh=n - n_exc, p=k / n, seed=seed)
        probe = lambda: net.spike.value  # noqa: E731
        rec = {"spikes": simulate.spikes(probe)} if record == "spikes" else {
            "counts": simulate.spikes(probe, as_counts=True)}
        sim = simulate.Simulation(net, record=rec, unroll=unroll)
        jax.block_until_ready(jax.tree.leaves([s.value for s in net.states().values()]))
    build = time.perf_counter() - t0
    est = sim.memory_estimate(duration_ms * u.ms)
    runs = []
    for r in range(repeat):
        if r:
            with brainsim.random.seed_context(seed):
                sim.reset_state()
        res = sim.run(duration_ms * u.ms)
        runs.append({"compile_s": res.compile_time, "run_s": res.run_time})
    run_s = min(r["run_s"] for r in runs)
    if record == "spikes":
        ev = res["spikes"]
        rates = np.bincount(np.asarray(ev.indices), minlength=n) / (duration_ms / 1000.0)
        n_spikes = len(ev)
    else:  # per-step population counts only: the same mean rate for both populations
        n_spikes = int(np.asarray(res["counts"]).sum())
        rates = np.full(n, n_spikes / n / (duration_ms / 1000.0))
    return {
        "impl": "brainsim", "model": model, "N": n, "k": k, "duration_ms": duration_ms,
        "engine": brainsim.nn.resolve_event_backend(), "unroll": sim._unroll(),
        "two_phase_min_rows": _two_phase_min_rows(),
        "build_s": build, "compile_s": runs[0]["compile_s"], "run_s": run_s, "runs": runs,
        "rate_exc_hz": float(rates[:n_exc].mean()), "rate_inh_hz": float(rates[n_exc:].mean()),
        "n_spikes": n_spikes, "syn_events_per_s": n_spikes * net.E.comm.conn_num / run_s,
        "record": record,
        "estimate_bytes": est["device_total"], "peak_bytes": _peak_bytes(),
        "device": str(jax.devices()[0]), "jax": jax.__version__,
    }


def run_brainpy(model: str, n: int, k: float, duration_ms: float, seed: int) -> dict | None:
    """The same network with brainpy.state (the seed's system), if it is installed."""
    try:
        import brainpy
        import brainstate
        import jax.numpy as jnp
    except ImportError:
        return None
    brainstate.environ.set(dt=0.1 * u.ms)
    n_exc = int(n * 0.8)
    conn_num = int(round(k / n * n))
    rng = np.random.default_rng(seed)
    if model == "coba":
        w_e, w_i, unit = 6.0 * u.nS, 67.0 * u.nS, u.nS
        R, tau, e_out, i_out = 1.0 / (10.0 * u.nS), 20.0 * u.ms, \
            brainpy.state.COBA.desc(E=0.0 * u.mV), brainpy.state.COBA.desc(E=-80.0 * u.mV)
        v0 = -65.0 + 5.0 * rng.standard_normal(n)
        ge0, gi0 = 40.0 + 15.0 * rng.standard_normal(n), 200.0 + 120.0 * rng.standard_normal(n)
        v_rest, x0 = -60.0, 0.0 * u.pA
    else:
        w_e, w_i, unit = 1.62 * u.mV, -9.0 * u.mV, u.mV
        R, tau = 1.0, 20.0 * u.ms
        e_out, i_out = brainpy.state.CUBA.desc(scale=1.0), brainpy.state.CUBA.desc(scale=1.0)
        v0 = -60.0 + 10.0 * rng.random(n)
        ge0, gi0 = np.zeros(n), np.zeros(n)
        v_rest, x0 = -49.0, 0.0 * u.mV

    class Net(brainstate.nn.Module):
        def __init__(self):
            super().__init__()
            self.N = brainpy.state.LIFRef(
                n, R=R, tau=tau, tau_ref=5.0 * u.ms, V_th=-50.0 * u.mV, V_reset=-60.0 * u.mV,
                V_rest=v_rest * u.mV, V_initializer=jnp.asarray(v0, jnp.float32) * u.mV,
                spk_reset="hard")
            self.E = brainpy.state.AlignPostProj(
                comm=brainstate.nn.EventFixedProb(n_exc, n, conn_num=conn_num, conn_weight=w_e,
                                                  seed=seed),
                syn=brainpy.state.Expon.desc(n, tau=5.0 * u.ms, g_initializer=jnp.asarray(
                    ge0, jnp.float32) * unit), out=e_out, post=self.N)
            self.I = brainpy.state.AlignPostProj(
                comm=brainstate.nn.EventFixedProb(n - n_exc, n, conn_num=conn_num,
                                                  conn_weight=w_i, seed=seed + 1),
                syn=brainpy.state.Expon.desc(n, tau=10.0 * u.ms, g_initializer=jnp.asarray(
                    gi0, jnp.float32) * unit), out=i_out, post=self.N)

        def update(self, i):
            with brainstate.environ.context(t=i * brainstate.environ.get_dt(), i=i):
                spk = self.N.get_spike() != 0.0
                self.E(spk[:n_exc])
                self.I(spk[n_exc:])
                self.N(x0)
                return self.N.get_spike() != 0.0

    t0 = time.perf_counter()
    net = Net()
    brainstate.nn.init_all_states(net)
    build = time.perf_counter() - t0
    steps = int(round(duration_ms / 0.1))

    @brainstate.transform.jit
    def run():
        spk = brainstate.transform.for_loop(net.update, jax.numpy.arange(steps))
        return spk.sum(0)

    states = brainstate.graph.states(net)
    initial = {k: st.value for k, st in states.items()}
    t0 = time.perf_counter()
    counts = jax.block_until_ready(run())
    first = time.perf_counter() - t0
    for key, st in states.items():  # same States (the compiled run refers to them), reset
        st.value = initial[key]
    t0 = time.perf_counter()
    counts = np.asarray(jax.block_until_ready(run()))
    run_s = time.perf_counter() - t0
    rates = counts / (duration_ms / 1000.0)
    return {"impl": "brainpy.state", "model": model, "N": n, "k": k, "build_s": build,
            "compile_s": max(first - run_s, 0.0), "run_s": run_s,
            "rate_exc_hz": float(rates[:n_exc].mean()),
            "rate_inh_hz": float(rates[n_exc:].mean()), "peak_bytes": _peak_bytes()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[4000, 64000], help="network sizes")
    ap.add_argument("--k", type=float, default=80.0, help="expected in-degree (p = k / N)")
    ap.add_argument("--model", choices=["coba", "cuba"], default="coba")
    ap.add_argument("--duration", type=float, default=1000.0, help="biological time in ms")
    ap.add_argument("--repeat", type=int, default=2, help="runs per size (best run time)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engine", choices=["auto", "topk", "pallas", "dense"], default="auto",
                    help="event-propagation engine (see brainsim.nn.set_event_backend)")
    ap.add_argument("--unroll", type=int, default=None, help="loop unrolling (default: auto)")
    ap.add_argument("--no-peer", action="store_true", help="skip brainpy.state")
    ap.add_argument("--two-phase-min-rows", type=int, default=None,
                    help="populations from this size use the two-phase Pallas kernel "
                         "(0: never; default: the library's threshold)")
    ap.add_argument("--record", choices=["spikes", "counts"], default="spikes",
                    help="record every spike as an event, or per-step counts only")
    a = ap.parse_args(argv)
    brainsim.nn.set_event_backend(a.engine)
    if a.two_phase_min_rows is not None:
        from brainsim.nn import _event_kernels

        _event_kernels.TWO_PHASE_MIN_ROWS = a.two_phase_min_rows or None
    print(f"{'impl':14s} {'N':>9s} {'build s':>8s} {'compile s':>9s} {'run s':>8s} "
          f"{'exc Hz':>7s} {'inh Hz':>7s} {'syn ev/s':>9s} {'peak MiB':>9s} {'ratio':>6s}")
    for n in a.n:
        rows = [run_brainsim(a.model, n, a.k, a.duration, a.repeat, a.seed, a.unroll,
                             a.record)]
        peer = None if a.no_peer else run_brainpy(a.model, n, a.k, a.duration, a.seed)
        if peer is not None:
            rows.append(peer)
            rows[0]["ratio_to_brainpy"] = rows[0]["run_s"] / max(peer["run_s"], 1e-12)
            if peer["rate_exc_hz"] < 1.0 <= rows[0]["rate_exc_hz"]:
                print("  note: the brainpy.state network was silent in this run, so it did "
                      "less work and the ratio flatters it", flush=True)
        for r in rows:
            peak = r.get("peak_bytes")
            print(f"{r['impl']:14s} {n:9d} {r['build_s']:8.2f} {r['compile_s']:9.2f} "
                  f"{r['run_s']:8.3f} {r['rate_exc_hz']:7.2f} {r['rate_inh_hz']:7.2f} "
                  f"{r.get('syn_events_per_s', float('nan')):9.2e} "
                  f"{(peak or 0) / 2**20:9.0f} {r.get('ratio_to_brainpy', float('nan')):6.2f}",
                  flush=True)
            print("RESULT " + json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
