"""COBA network of Vogels & Abbott (2005): self-sustained asynchronous irregular activity.

Model: 4000 conductance-based LIF neurons (3200 excitatory, 800 inhibitory), exponential
conductances (tau_e 5 ms, tau_i 10 ms, E_e 0 mV, E_i -80 mV, w_e 6 nS, w_i 67 nS), random
connections with p = 0.02, no external input -- benchmark 1 of Brette et al. (2007), built
by ``brainsim.models.networks.COBANetwork``. dt = 0.1 ms.

References: Vogels & Abbott (2005) J Neurosci 25:10786; Brette et al. (2007) J Comput
Neurosci 23:349.

Full run (1 s, 4000 neurons, seed 0), measured: exc rate 18.1 Hz, inh rate 18.6 Hz,
mean CV of the excitatory ISIs 1.48 (bursty, as in the benchmark); 9 s wall on a shared
2-core CPU (1.4 s compile, 1.1 s run).
``--quick`` runs 200 ms of the same network.

Run ``python examples/coba.py`` (``--quick`` for a short run, ``--out fig.png``).
"""

from __future__ import annotations

import argparse

import brainunit as u

import brainsim
from brainsim import simulate
from brainsim.models.networks import COBANetwork


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 ms run (for tests)")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms of biological time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="coba.png", help="figure path")
    args = parser.parse_args(argv)
    duration = (200.0 if args.quick else args.duration) * u.ms

    brainsim.environ.set(dt=0.1 * u.ms)
    brainsim.random.seed(args.seed)
    net = COBANetwork(seed=args.seed)
    title = "COBA (Vogels & Abbott 2005)"
    return simulate.run_ei_network(net, duration, title=title, out=args.out)


if __name__ == "__main__":
    main()
