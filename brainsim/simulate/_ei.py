"""One call that runs an E/I benchmark network, reports its key numbers and draws it."""

from __future__ import annotations

import os
import time
from typing import Any

import brainunit as u
import numpy as np

from .. import analysis, environ, plot
from ._monitors import spikes
from ._runner import Simulation

__all__ = ["run_ei_network"]


def run_ei_network(net: Any, duration: Any, *, title: str, out: str | os.PathLike,
                   pbar: bool = False, verbose: bool = True) -> dict[str, Any]:
    """Run an E/I network, print rates / CV / timings and save a summary figure.

    ``net`` is a network with ``n_exc`` excitatory neurons first, ``n_inh`` inhibitory
    ones, a ``spike`` State and an excitatory projection ``E`` (the catalogue networks
    ``COBANetwork``, ``CUBANetwork``, ``COBAHHNetwork``). Returns the numbers it prints
    (rates in Hz, times in seconds) and the figure path.

    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> net = brainsim.models.networks.COBANetwork(n_exc=80, n_inh=20)
    >>> res = brainsim.simulate.run_ei_network(net, 20 * u.ms, title='tiny', out='/tmp/t.png',
    ...                                        verbose=False)
    >>> sorted(res)[:3]
    ['compile_s', 'cv_exc', 'figure']
    """
    t_start = time.perf_counter()
    sim = Simulation(net, record={"spikes": spikes(lambda: net.spike.value)})
    rec = sim.run(duration, pbar=pbar)
    ev = rec["spikes"]
    t, idx = ev.times, ev.indices
    n_e = net.n_exc
    n = n_e + net.n_inh
    exc = idx < n_e
    rate_e = analysis.mean_rate((t[exc], idx[exc]), duration=duration, n_neurons=n_e)
    rate_i = analysis.mean_rate((t[~exc], idx[~exc] - n_e), duration=duration,
                                n_neurons=n - n_e)
    half = np.asarray(t.to_decimal(u.ms)) >= float(duration.to_decimal(u.ms)) / 2
    rate_e2 = analysis.mean_rate((t[exc & half], idx[exc & half]), duration=duration / 2,
                                 n_neurons=n_e)
    cv_e = analysis.mean_cv(t[exc], idx[exc], n_neurons=n_e)
    events = len(ev) * net.E.comm.conn_num  # each spike reaches conn_num targets
    fig = plot.summary(t, idx, n, duration, groups={"exc": slice(0, n_e), "inh": slice(n_e, n)},
                       title=title, markersize=1.0)
    path = plot.save(fig, out)
    import matplotlib.pyplot as plt

    plt.close(fig)
    res = {
        "rate_exc": rate_e, "rate_inh": rate_i, "rate_exc_second_half": rate_e2,
        "cv_exc": cv_e, "n_spikes": len(ev), "compile_s": rec.compile_time,
        "run_s": rec.run_time, "synaptic_events_per_s": events / max(rec.run_time, 1e-9),
        "wall_s": time.perf_counter() - t_start, "figure": str(path),
    }
    if verbose:
        dt_ms = float(u.maybe_decimal(environ.get_dt() / u.ms))
        print(f"{title}: {n} neurons ({n_e} exc, {n - n_e} inh), "
              f"{float(duration.to_decimal(u.ms)):g} ms at dt = {dt_ms:g} ms ({rec.n_steps} steps)")
        k = net.E.comm.conn_num
        print(f"  connectivity      {k} synapses from each neuron (p = {k / n:.3g})")
        print(f"  excitatory rate   {rate_e:7.2f} Hz  (second half {rate_e2:.2f} Hz)")
        print(f"  inhibitory rate   {rate_i:7.2f} Hz")
        print(f"  mean ISI CV (exc) {cv_e:7.2f}")
        print(f"  spikes            {len(ev):7d}")
        print(f"  compile time      {rec.compile_time:7.2f} s")
        print(f"  run time          {rec.run_time:7.2f} s  "
              f"({res['synaptic_events_per_s'] / 1e6:.1f} M synaptic events / s)")
        print(f"  figure            {path}")
    return res
