"""``get_spike()`` returns the spike of the last step: the array ``update`` returned.

Recording ``simulate.spikes(lambda: neuron.get_spike())`` is the pattern the docs show; a
``get_spike`` that returned "V above threshold" instead of the emitted spike counted every
step of an HH action potential as a spike (238 spikes for 5 action potentials).
"""

import sys
from pathlib import Path

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from registry import REGISTRY, Entry

import brainsim
from brainsim import environ, transform

SPIKING = [e for e in REGISTRY if hasattr(e.cls, "get_spike")]


@pytest.mark.parametrize("entry", SPIKING, ids=[e.name for e in SPIKING])
def test_get_spike_is_the_output_of_the_last_step(entry: Entry):
    brainsim.random.seed(0)
    with environ.context(dt=entry.dt):
        model = entry.factory()
        model.init_state()

        def step(i):
            with environ.context(i=i, t=i * entry.dt):
                out = model(*entry.drive(i, None))
            return out, model.get_spike()

        outs, got = transform.for_loop(step, jnp.arange(60))
    outs, got = np.asarray(u.get_mantissa(outs)), np.asarray(u.get_mantissa(got))
    assert outs.sum() > 0, f"{entry.name} does not spike: the comparison would be vacuous"
    np.testing.assert_array_equal(got, outs, err_msg=f"{entry.name}.get_spike()")


def test_traub_hh_get_spike_is_the_crossing():
    brainsim.environ.set(dt=0.1 * u.ms)
    neu = brainsim.models.networks.TraubHH(2, V_initializer=-65.0 * u.mV)
    neu.init_state()

    def step(i):
        out = neu(jnp.array([0.5, 1.0]) * u.nA)
        return out, neu.get_spike()

    outs, got = transform.for_loop(step, jnp.arange(500))
    assert float(outs.sum()) > 0
    np.testing.assert_array_equal(np.asarray(got), np.asarray(outs))


def test_hh_step_current_records_one_spike_per_action_potential():
    """The new user's first program: an HH neuron, a step current, a spike monitor."""
    brainsim.environ.set(dt=0.01 * u.ms)
    hh = brainsim.models.HH(1, V_initializer=brainsim.init.Constant(-65.0 * u.mV))
    sim = brainsim.simulate.Simulation(
        hh,
        record={
            "get_spike": brainsim.simulate.spikes(lambda: hh.get_spike()),
            "output": brainsim.simulate.spikes("output"),
            "V": brainsim.simulate.trace(lambda: hh.V.value),
        },
    )
    res = sim.run(50 * u.ms, inputs=(lambda t: 10.0 * u.uA * (t >= 5.0 * u.ms),))
    V = np.asarray(res["V"].to_decimal(u.mV))[:, 0]
    crossings = int(np.sum((V[1:] >= 20.0) & (V[:-1] < 20.0)))
    assert crossings >= 3
    assert len(res["get_spike"]) == crossings
    assert len(res["output"]) == crossings
