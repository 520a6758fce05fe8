"""Decision making by slow reverberation: the two-population network of Wang (2002).

Model: ``brainsim.models.networks.DecisionNetwork``: 1600 excitatory and 400 inhibitory
conductance-based LIF neurons, all-to-all, with AMPA (2 ms), NMDA (2 ms rise, 100 ms decay,
Mg block) and GABA_A (5 ms) synapses, background Poisson input at 2.4 kHz per neuron, two
selective populations A and B (240 cells each, w+ = 1.7) and a stimulus of
mu0 (1 +- c) = 40 (1 +- c) Hz per selective cell. Protocol: 500 ms spontaneous activity,
1000 ms stimulus, 500 ms delay (stimulus off). dt = 0.1 ms. The winner is the population
with the higher rate over the last 300 ms of the stimulus; the decision time is when its
rate (50 ms window) first exceeds 15 Hz.

Reference: Wang (2002) Neuron 36:955-968.

Full run (full size N = 2000, c = 0.256, seed 0), measured: spontaneous rates A 1.5,
B 1.8, non-selective 1.7, I 6.3 Hz; A wins: over the last 300 ms of the stimulus A 29.8 Hz
vs B 2.1 Hz, decision time 360 ms; A stays active after the stimulus (persistent
activity, 17.7 Hz over the 500 ms delay). 47 s wall on a shared 2-core CPU.
``--quick`` uses N = 500 (recurrent conductances scaled up 4x, same structure), c = 0.5,
200 ms spontaneous + 800 ms stimulus, no delay.

Run ``python examples/decision_making.py`` (``--coherence -0.2`` favours B; ``--quick``;
``--out fig.png``).
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
from brainsim.models.networks import DecisionNetwork  # noqa: E402

THRESHOLD = 15.0  # Hz, decision threshold on the 50 ms population rate


def group_rates(t: np.ndarray, idx: np.ndarray, groups: dict, t0: float, t1: float) -> dict:
    """Mean rate (Hz) of each group over [t0, t1) ms."""
    m = (t >= t0) & (t < t1)
    return {
        name: analysis.mean_rate(
            (t[m & (idx >= a) & (idx < b)], idx[m & (idx >= a) & (idx < b)] - a),
            duration=t1 - t0,
            n_neurons=b - a,
        )
        for name, (a, b) in groups.items()
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, short run (for tests)")
    parser.add_argument(
        "--coherence",
        type=float,
        default=None,
        help="stimulus coherence in [-1, 1]; > 0 favours A (default 0.256, 0.5 with --quick)",
    )
    parser.add_argument("--n-exc", type=int, default=None, help="excitatory neurons (1600)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="decision_making.png", help="figure path")
    args = parser.parse_args(argv)
    if args.quick:
        n_exc, pre, stim, post, c = 400, 200.0, 800.0, 0.0, 0.5
    else:
        n_exc, pre, stim, post, c = 1600, 500.0, 1000.0, 500.0, 0.256
    n_exc = args.n_exc or n_exc
    c = c if args.coherence is None else args.coherence

    brainsim.environ.set(dt=0.1 * u.ms)
    brainsim.random.seed(args.seed)
    t_start = time.perf_counter()
    net = DecisionNetwork(n_exc=n_exc, coherence=c)
    sim = simulate.Simulation(net, record={"spikes": simulate.spikes(lambda: net.spike.value)})
    parts = [sim.run(pre * u.ms)]
    net.set_stimulus(on=True)
    parts.append(sim.run(stim * u.ms))
    if post > 0:
        net.set_stimulus(on=False)
        parts.append(sim.run(post * u.ms))
    wall = time.perf_counter() - t_start

    t = np.concatenate([np.asarray(p["spikes"].times.to_decimal(u.ms)) for p in parts])
    idx = np.concatenate([p["spikes"].indices for p in parts])
    nA, nE, n = net.n_A, net.n_exc, net.n_exc + net.n_inh
    groups = {"A": (0, nA), "B": (nA, 2 * nA), "ns": (2 * nA, nE), "I": (nE, n)}
    spont = group_rates(t, idx, groups, 0.0, pre)
    end = group_rates(t, idx, groups, pre + stim - 300.0, pre + stim)
    winner = "A" if end["A"] > end["B"] else "B"
    duration = pre + stim + post
    smooth = {}
    for name in ("A", "B"):
        a, b = groups[name]
        sel = (idx >= a) & (idx < b)
        tr, rate = analysis.population_rate(
            (t[sel], idx[sel] - a),
            dt=1.0,
            n_neurons=b - a,
            duration=duration,
            width=50.0,
            kind="rect",
        )
        smooth[name] = (tr, rate)
    tr, rate_w = smooth[winner]
    above = np.nonzero((tr >= pre) & (rate_w > THRESHOLD))[0]
    decision_ms = float(tr[above[0]] - pre) if above.size else float("nan")

    print(
        f"Wang (2002) decision network: {n} neurons (A {nA}, B {nA}, ns {net.n_ns}, "
        f"I {net.n_inh}), coherence {c:+.3f}, {duration:.0f} ms, {wall:.1f} s wall"
    )
    print("  spontaneous rates: " + ", ".join(f"{k} {v:.1f} Hz" for k, v in spont.items()))
    print("  last 300 ms of the stimulus: " + ", ".join(f"{k} {v:.1f} Hz" for k, v in end.items()))
    print(f"  winner: {winner}  (decision time {decision_ms:.0f} ms after stimulus onset)")
    result = {
        "winner": winner,
        "rate_A": end["A"],
        "rate_B": end["B"],
        "spontaneous": spont,
        "decision_ms": decision_ms,
        "wall_s": wall,
    }
    if post > 0:
        delay = group_rates(t, idx, groups, pre + stim, duration)
        print("  delay (stimulus off): " + ", ".join(f"{k} {v:.1f} Hz" for k, v in delay.items()))
        result["delay"] = delay

    import matplotlib.pyplot as plt

    fig, (ax_r, ax_p) = plt.subplots(
        2, 1, figsize=(8.0, 6.0), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
    )
    shown = idx < 2 * nA + min(net.n_ns, 2 * nA)  # A, B and as many non-selective cells
    plot.raster(
        t[shown],
        idx[shown],
        ax_r,
        markersize=1.5,
        groups={"A": groups["A"], "B": groups["B"], "ns": (2 * nA, 4 * nA)},
    )
    ax_r.set_xlabel("")
    for name in ("A", "B"):
        plot.population_rate(*smooth[name], ax_p, label=name)
    for ax in (ax_r, ax_p):
        ax.axvspan(pre, pre + stim, color="0.9", zorder=0)
    ax_p.axhline(THRESHOLD, color="0.5", ls="--", lw=0.8)
    ax_r.set_title(f"Wang (2002): coherence {c:+.3f}, winner {winner}")
    path = plot.save(fig, args.out)
    print(f"  figure: {path}")
    return result


if __name__ == "__main__":
    main()
