"""The model catalogue: neurons, synapses, synaptic outputs, projections, inputs, readouts.

Every model takes ``in_size`` first and ``name=`` last, checks the units of its parameters
at construction, and manages its States through ``init_state`` / ``reset_state``.
"""

from .neurons import *  # noqa: F403
from .neurons import __all__ as _neurons_all

__all__ = [*_neurons_all]
