"""CUBA network (Brette et al. 2007, benchmark 2): current-based LIF E/I network.

Model: 4000 LIF neurons (3200 excitatory, 800 inhibitory; tau_m 20 ms, E_L -49 mV,
V_th -50 mV, V_reset -60 mV, refractory 5 ms) with exponential synaptic currents
(tau_e 5 ms, tau_i 10 ms) whose jumps are w_e = 60 * 0.27 / 10 = 1.62 mV and
w_i = -20 * 4.5 / 10 = -9 mV in units of R I, random connections with p = 0.02, built by
``brainsim.models.networks.CUBANetwork`` (``Expon`` synapses with g in mV feeding a
``CUBA(scale=1/R)`` output, so R I equals the benchmark's g exactly). dt = 0.1 ms.

Reference: Brette et al. (2007) J Comput Neurosci 23:349, benchmark 2.

Full run (1 s, 4000 neurons, seed 0), measured: exc rate 5.7 Hz, inh rate 5.7 Hz,
mean CV of the excitatory ISIs 0.53; 8 s wall on a shared 2-core CPU (1.2 s compile,
0.5 s run). ``--quick`` runs 200 ms.

Run ``python examples/cuba.py`` (``--quick`` for a short run, ``--out fig.png``).
"""

from __future__ import annotations

import argparse

import brainunit as u

import brainsim
from brainsim import simulate
from brainsim.models.networks import CUBANetwork


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 ms run (for tests)")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms of biological time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="cuba.png", help="figure path")
    args = parser.parse_args(argv)
    duration = (200.0 if args.quick else args.duration) * u.ms

    brainsim.environ.set(dt=0.1 * u.ms)
    brainsim.random.seed(args.seed)
    net = CUBANetwork(seed=args.seed)
    title = "CUBA (Brette et al. 2007, benchmark 2)"
    return simulate.run_ei_network(net, duration, title=title, out=args.out)


if __name__ == "__main__":
    main()
