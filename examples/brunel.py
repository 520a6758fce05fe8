"""Brunel (2000) sparse E/I network of LIF neurons in its asynchronous irregular (AI) and
synchronous regular (SR) regimes.

Model: N_E = 10000 excitatory and N_I = 2500 inhibitory LIF neurons (tau 20 ms, theta 20 mV,
V_r 10 mV, refractory 2 ms), delta synapses J = 0.1 mV and -g J, connection probability
0.1 (C_E = 1000), delay D = 1.5 ms, C_E external Poisson sources at nu_ext = eta nu_thr per
neuron; built by ``brainsim.models.networks.BrunelNetwork``. dt = 0.1 ms. Regimes:
AI g = 5, eta = 2; SR g = 3, eta = 2 (also SI-fast g = 6, eta = 4 and SI-slow g = 4.5,
eta = 0.9 with ``--regime``). Rates, CV and synchrony chi (Golomb; 1000 neurons, 1 ms bins)
are measured after a 100 ms transient.

Reference: Brunel (2000) J Comput Neurosci 8:183-208 (Fig. 8); the PyNN / NEST example
scripts with these parameters describe the AI case as firing at about 35 Hz.

Full run (1 s per regime, 12500 neurons, seed 0), measured:
AI: 38.2 Hz, CV 0.40, chi 0.10;  SR: 331 Hz, CV 0.01, chi 0.49
(with ``--J 0.2`` the AI state is more irregular: 27.8 Hz, CV 0.71, chi 0.10).
Wall on a shared 2-core CPU: AI 66 s, SR 85 s (2.6 min for the script).

``--quick`` runs 300 ms of a network with N_E = 2000, N_I = 500 and the same in-degree
C_E = 1000 (epsilon = 0.5), which keeps the mean-field operating point (AI about 35 Hz,
CV about 0.4) but has more shared input (higher chi).

Run ``python examples/brunel.py`` (``--regime AI``, ``--quick``, ``--out fig.png``).
"""

from __future__ import annotations

import argparse
import time

import matplotlib

matplotlib.use("Agg")

import brainunit as u  # noqa: E402
import numpy as np  # noqa: E402

import brainsim  # noqa: E402
from brainsim import analysis, plot, simulate  # noqa: E402
from brainsim.models.networks import BrunelNetwork  # noqa: E402

REGIMES = {"AI": (5.0, 2.0), "SR": (3.0, 2.0), "SI-fast": (6.0, 4.0), "SI-slow": (4.5, 0.9)}
TRANSIENT = 100.0  # ms


def run_regime(name: str, n_exc: int, epsilon: float, duration: float, J: float, seed: int) -> dict:
    """Simulate one regime and return its spikes and headline numbers."""
    g, eta = REGIMES[name]
    brainsim.random.seed(seed)
    t0 = time.perf_counter()
    net = BrunelNetwork(
        n_exc=n_exc, n_inh=n_exc // 4, epsilon=epsilon, J=J * u.mV, g=g, eta=eta, seed=seed
    )
    sim = simulate.Simulation(net, record={"spikes": simulate.spikes(lambda: net.spike.value)})
    rec = sim.run(duration * u.ms)
    wall = time.perf_counter() - t0
    ev = rec["spikes"]
    n = net.n_exc + net.n_inh
    t = np.asarray(ev.times.to_decimal(u.ms))
    keep = t >= TRANSIENT
    t, idx = t[keep], ev.indices[keep]
    window = duration - TRANSIENT
    rate = analysis.mean_rate((t, idx), duration=window, n_neurons=n)
    cv = analysis.mean_cv(t, idx, n_neurons=n)
    sample = idx < 1000
    counts = analysis.spike_counts(
        t[sample], idx[sample], 1000, bin_size=1.0, t_start=TRANSIENT, t_stop=duration
    )
    chi = analysis.synchrony(counts)
    print(
        f"  {name:8s} g={g:<4} eta={eta:<4} rate {rate:6.1f} Hz   CV {cv:5.2f}   "
        f"synchrony chi {chi:5.2f}   (compile {rec.compile_time:.1f} s, run "
        f"{rec.run_time:.1f} s, total {wall:.1f} s)"
    )
    return {
        "rate": rate,
        "cv": cv,
        "synchrony": chi,
        "times": t,
        "indices": idx,
        "n": n,
        "nu_ext": float(net.nu_ext.to_decimal(u.Hz)),
        "wall_s": wall,
    }


def figure(results: dict, duration: float, path: str) -> str:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        2,
        len(results),
        figsize=(5.0 * len(results), 5.5),
        squeeze=False,
        gridspec_kw={"height_ratios": [3, 1]},
    )
    for k, (name, r) in enumerate(results.items()):
        # the last 200 ms (50 ms for fast, regular firing, where 200 ms would be a solid block)
        t_show = min(50.0 if r["rate"] > 100.0 else 200.0, duration - TRANSIENT)
        t, idx = r["times"], r["indices"]
        sel = (idx < 500) & (t >= duration - t_show)
        plot.raster(t[sel], idx[sel], axes[0, k], markersize=1.5, n_neurons=500)
        axes[0, k].set_title(
            f"{name}: {r['rate']:.1f} Hz, CV {r['cv']:.2f}, chi {r['synchrony']:.2f}"
        )
        tr, rate = analysis.population_rate((t, idx), dt=0.5, n_neurons=r["n"], duration=duration)
        keep = tr >= duration - t_show
        plot.population_rate(tr[keep], rate[keep], axes[1, k])
    fig.suptitle("Brunel (2000) network")
    fig.tight_layout()
    return str(plot.save(fig, path))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, short run (for tests)")
    parser.add_argument(
        "--regime",
        default="both",
        choices=["both", "all", *REGIMES],
        help="'both' = AI and SR; 'all' adds the two SI regimes",
    )
    parser.add_argument("--duration", type=float, default=1000.0, help="ms of biological time")
    parser.add_argument("--J", type=float, default=0.1, help="PSP amplitude in mV")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="brunel.png", help="figure path")
    args = parser.parse_args(argv)
    if args.quick:
        n_exc, epsilon, duration = 2000, 0.5, 300.0
    else:
        n_exc, epsilon, duration = 10000, 0.1, args.duration
    names = {"both": ["AI", "SR"], "all": list(REGIMES)}.get(args.regime, [args.regime])

    brainsim.environ.set(dt=0.1 * u.ms)
    n = n_exc + n_exc // 4
    print(
        f"Brunel network: {n} neurons, C_E = {int(epsilon * n_exc)}, J = {args.J} mV, "
        f"D = 1.5 ms, {duration:.0f} ms per regime (measures after {TRANSIENT:.0f} ms)"
    )
    results = {
        name: run_regime(name, n_exc, epsilon, duration, args.J, args.seed) for name in names
    }
    path = figure(results, duration, args.out)
    print(f"  figure: {path}")
    return {
        name: {k: r[k] for k in ("rate", "cv", "synchrony", "wall_s")}
        for name, r in results.items()
    }


if __name__ == "__main__":
    main()
