"""COBA-HH network (Brette et al. 2007, benchmark 3): Hodgkin-Huxley neurons, Traub-Miles
kinetics, exponential conductances.

Model: 4000 single-compartment HH neurons (3200 excitatory, 800 inhibitory; area
20000 um^2, C 1 uF/cm^2, g_L 5e-5 S/cm^2, E_L -60 mV, g_Na 100 mS/cm^2, g_K 30 mS/cm^2,
E_Na 50 mV, E_K -90 mV, V_T -63 mV, Traub-Miles rate functions), exponential conductances
(tau_e 5 ms, tau_i 10 ms, E_e 0 mV, E_i -80 mV, w_e 6 nS, w_i 67 nS), random connections
with p = 0.02, no external input; a spike is an upward crossing of -20 mV. Built by
``brainsim.models.networks.COBAHHNetwork`` (neuron: ``networks.TraubHH``). dt = 0.1 ms,
exponential Euler for every variable (as Brian2's reference script).

Reference: Brette et al. (2007) J Comput Neurosci 23:349, benchmark 3; Traub & Miles (1991).

Full run (1 s, 4000 neurons, seed 0), measured: exc rate 37.2 Hz, inh rate 36.5 Hz,
mean CV of the excitatory ISIs 1.95 (bursty, self-sustained); 13 s wall on a shared 2-core
CPU (1.9 s compile, 3.2 s run). Note that a lone neuron with these parameters fires
slowly without input (every 72 ms). ``--quick`` runs 200 ms.

Run ``python examples/coba_hh.py`` (``--quick`` for a short run, ``--out fig.png``).
"""

from __future__ import annotations

import argparse

import brainunit as u

import brainsim
from brainsim import simulate
from brainsim.models.networks import COBAHHNetwork


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 ms run (for tests)")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms of biological time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="coba_hh.png", help="figure path")
    args = parser.parse_args(argv)
    duration = (200.0 if args.quick else args.duration) * u.ms

    brainsim.environ.set(dt=0.1 * u.ms)
    brainsim.random.seed(args.seed)
    net = COBAHHNetwork(seed=args.seed)
    title = "COBA-HH (Brette et al. 2007, benchmark 3)"
    return simulate.run_ei_network(net, duration, title=title, out=args.out)


if __name__ == "__main__":
    main()
