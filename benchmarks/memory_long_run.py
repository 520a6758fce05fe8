"""Peak memory of a long COBA run with spike recording (chunked runs keep it flat).

Runs the 4000-neuron COBA network for ``--duration`` ms recording all spikes as events
and prints the process's peak RSS (``resource.getrusage``), compile and run time. Compare
a 1 s run with a 100 s run: the chunked runner moves each chunk's recordings to host
memory as compact events, so peak RSS should stay within the size of the spike events.

    python benchmarks/memory_long_run.py --duration 1000
    python benchmarks/memory_long_run.py --duration 100000
"""

from __future__ import annotations

import argparse
import resource

import brainunit as u

import brainsim
from brainsim import models, simulate


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=float, default=1000.0, help="ms of biological time")
    p.add_argument("--n", type=int, default=4000)
    a = p.parse_args()
    brainsim.environ.set(dt=0.1 * u.ms)
    n_exc = int(a.n * 0.8)
    net = models.networks.COBANetwork(n_exc=n_exc, n_inh=a.n - n_exc)
    sim = simulate.Simulation(net, record={"spikes": simulate.spikes(lambda: net.spike.value)})
    res = sim.run(a.duration * u.ms)
    ev = res["spikes"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"duration {a.duration:.0f} ms, {res.n_steps} steps, {len(ev)} spikes "
          f"({len(ev) * 8 / 2**20:.1f} MiB of events)")
    print(f"compile {res.compile_time:.2f} s, run {res.run_time:.2f} s, "
          f"exc rate {ev.rates(a.duration * u.ms)[:n_exc].mean():.2f} Hz")
    print(f"peak RSS {peak_mb:.0f} MiB")


if __name__ == "__main__":
    main()
