"""The COBA benchmark network (Vogels & Abbott 2005; Brette et al. 2007, benchmark 1).

Built only from public classes and run for 1 s at dt = 0.1 ms, it must self-sustain at an
excitatory rate of roughly 15-25 Hz over the whole second, including the second half
(independent Brian2 and NEST runs give 17.6-20 Hz). With uniform initial V and zero
conductances it falls silent, as in those simulators.
"""

from __future__ import annotations

import brainunit as u
import numpy as np
import pytest

import brainsim
from brainsim import models, nn, simulate


@pytest.fixture()
def dt():
    with brainsim.environ.context(dt=0.1 * u.ms):
        yield


def _run(net: nn.Module, duration=1.0 * u.second):
    sim = simulate.Simulation(net, record={"spikes": simulate.spikes(lambda: net.spike.value)})
    return sim.run(duration)["spikes"]


def _rates(ev, n_exc: int) -> tuple[float, float, float]:
    t = np.asarray(ev.times.to_decimal(u.ms))
    idx = ev.indices
    exc = idx < n_exc
    whole = exc.sum() / n_exc / 1.0
    second_half = (exc & (t >= 500)).sum() / n_exc / 0.5
    inh = (~exc).sum() / (len(np.unique(np.arange(ev.n_neurons))) - n_exc)
    return whole, second_half, inh


def test_coba_self_sustains_at_benchmark_rate(dt):
    with brainsim.random.seed_context(2024):
        net = models.networks.COBANetwork(seed=3)
        ev = _run(net)
    whole, second_half, inh = _rates(ev, net.n_exc)
    assert 15.0 <= whole <= 25.0, whole
    assert 15.0 <= second_half <= 25.0, second_half
    assert inh > 5.0


def test_coba_falls_silent_from_uniform_rest(dt):
    net = models.networks.COBANetwork(seed=3)
    nn.init_all_states(net)
    # uniform initial V (at rest) and zero conductances: nothing ever drives the network
    net.N.V.value = u.math.full(net.N.varshape, -60.0 * u.mV)
    net.E.syn.g.value = u.math.zeros(net.N.varshape, unit=u.nS)
    net.I.syn.g.value = u.math.zeros(net.N.varshape, unit=u.nS)
    sim = simulate.Simulation(net, record={"spikes": simulate.spikes(lambda: net.spike.value)},
                              init=False)
    ev = sim.run(200 * u.ms)["spikes"]
    assert len(ev) == 0


def test_coba_uses_only_public_classes():
    # the network is wired from the public catalogue: LIFRef + AlignPostProj(EventFixedProb,
    # Expon, COBA); the two projections share nothing but the post population
    with brainsim.environ.context(dt=0.1 * u.ms):
        net = models.networks.COBANetwork(n_exc=80, n_inh=20)
    assert isinstance(net.N, models.LIFRef)
    assert isinstance(net.E.comm, nn.EventFixedProb)
    assert isinstance(net.E.syn, models.Expon) and isinstance(net.E.out, models.COBA)
    assert net.E.syn is not net.I.syn
