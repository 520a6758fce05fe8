"""Quick start: a population of LIF neurons under graded constant input currents.

Builds ``brainsim.models.LIF``, runs 200 ms of biological time as one compiled
``brainsim.transform.for_loop`` and prints the firing rate of each neuron next to the
analytic rate of a leaky integrator with hard reset::

    rate = 1 / (tau * ln(R I / (R I - (V_th - V_reset))))

Run ``python examples/quickstart.py`` (or ``--quick`` for a shorter run).

Full run (200 ms), measured: rates 40, 75, 105, 135, 160, 185, 215, 240 Hz against the
analytic 41.7, 76.6, 106.6, 135.3, 163.5, 191.4, 219.1, 246.6 Hz (the simulated rate counts
whole spikes in 200 ms and each ISI is rounded up to whole steps, so it is slightly lower).
"""

from __future__ import annotations

import argparse
import time

import brainunit as u
import jax.numpy as jnp
import numpy as np

import brainsim


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run for tests")
    parser.add_argument("--duration", type=float, default=200.0, help="ms of biological time")
    args = parser.parse_args(argv)
    duration = 50.0 if args.quick else args.duration

    brainsim.environ.set(dt=0.1 * u.ms)
    currents = jnp.linspace(1.1, 3.0, 8) * u.mA  # R = 1 ohm -> R I from 1.1 to 3.0 mV
    neurons = brainsim.models.LIF(8, tau=10 * u.ms, spk_reset="hard")
    neurons.init_state()

    def step(i):
        with brainsim.environ.context(i=i, t=i * brainsim.environ.get_dt()):
            return neurons(currents)

    run = brainsim.transform.jit(lambda idx: brainsim.transform.for_loop(step, idx))
    n_steps = int(round(duration / 0.1))
    t0 = time.perf_counter()
    spikes = np.asarray(run(jnp.arange(n_steps)))
    elapsed = time.perf_counter() - t0

    rates = spikes.sum(0) / (duration / 1000.0)
    ri = np.asarray(currents.to_decimal(u.mA))  # mV, since R = 1 ohm
    analytic = 1000.0 / (10.0 * np.log(ri / (ri - 1.0)))
    print(f"simulated {duration:.0f} ms ({n_steps} steps) in {elapsed:.2f} s (incl. compile)")
    print(" I (mA)   rate (Hz)   analytic (Hz)")
    for i_, r, a in zip(ri, rates, analytic, strict=True):
        print(f" {i_:5.2f}   {r:9.1f}   {a:13.1f}")
    return {"rates": rates, "analytic": analytic}


if __name__ == "__main__":
    main()
