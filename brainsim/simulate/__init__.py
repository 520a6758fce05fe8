"""Run models over time: compiled chunked loops, recordings with units, spike events.

>>> import brainunit as u, brainsim
>>> brainsim.environ.set(dt=0.1 * u.ms)
>>> net = brainsim.models.LIF(10)
>>> sim = brainsim.simulate.Simulation(
...     net, record={'spikes': brainsim.simulate.spikes(lambda: net.get_spike())})
>>> res = sim.run(20 * u.ms, inputs=(2. * u.mA,))
>>> res['spikes']
SpikeEvents(n_spikes=..., n_neurons=10)
"""

from ._checkpoint import load_checkpoint as load_checkpoint
from ._checkpoint import save_checkpoint as save_checkpoint
from ._ei import run_ei_network as run_ei_network
from ._monitors import Monitor as Monitor
from ._monitors import spikes as spikes
from ._monitors import trace as trace
from ._result import Recording as Recording
from ._result import SpikeEvents as SpikeEvents
from ._runner import Simulation as Simulation
from ._runner import run as run
from ._sweep import SweepResult as SweepResult
from ._sweep import sweep as sweep

__all__ = ["Monitor", "trace", "spikes", "Recording", "SpikeEvents", "Simulation", "run",
           "run_ei_network", "save_checkpoint", "load_checkpoint", "sweep", "SweepResult"]
