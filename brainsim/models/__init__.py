"""The model catalogue: neurons, synapses, synaptic outputs, projections, inputs, readouts.

Every model takes ``in_size`` first and ``name=`` last, checks the units of its parameters
at construction, and manages its States through ``init_state`` / ``reset_state``.
"""

from . import _outputs, _projections, networks
from ._outputs import *  # noqa: F403
from ._projections import *  # noqa: F403
from .neurons import *  # noqa: F403
from .neurons import __all__ as _neurons_all
from .synapses import *  # noqa: F403
from .synapses import __all__ as _synapses_all

__all__ = [*_neurons_all, *_synapses_all, *_outputs.__all__, *_projections.__all__]

# inputs and readouts
from . import _current_inputs, _inputs, _noise_inputs, _readouts, _spike_time  # noqa: E402
from ._current_inputs import *  # noqa: E402, F403
from ._inputs import *  # noqa: E402, F403
from ._noise_inputs import *  # noqa: E402, F403
from ._readouts import *  # noqa: E402, F403
from ._spike_time import *  # noqa: E402, F403

__all__ += [
    *_inputs.__all__,
    *_spike_time.__all__,
    *_current_inputs.__all__,
    *_noise_inputs.__all__,
    *_readouts.__all__,
]
