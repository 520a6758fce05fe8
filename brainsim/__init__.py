"""brainsim: spiking neural network simulation and training on JAX, with physical units.

The top level holds the State family, the error classes and the subpackages::

    import brainsim
    brainsim.State, brainsim.ParamState, brainsim.HiddenState
    brainsim.nn          # Module, Param, transforms, regularizers, dynamics
    brainsim.transform   # state-aware jit, grad, vmap, for_loop, cond, ...
    brainsim.environ     # dt, t, i, precision
    brainsim.random      # PRNG kept in a State
"""

from . import analysis as analysis
from . import environ as environ
from . import filter as filter
from . import graph as graph
from . import init as init
from . import models as models
from . import nn as nn
from . import plot as plot
from . import random as random
from . import simulate as simulate
from . import surrogate as surrogate
from . import train as train
from . import transform as transform
from ._errors import BatchAxisError as BatchAxisError
from ._errors import BrainSimError as BrainSimError
from ._errors import TraceContextError as TraceContextError
from ._state import BatchState as BatchState
from ._state import DelayState as DelayState
from ._state import FakeState as FakeState
from ._state import HiddenGroupState as HiddenGroupState
from ._state import HiddenState as HiddenState
from ._state import HiddenTreeState as HiddenTreeState
from ._state import LongTermState as LongTermState
from ._state import ParamState as ParamState
from ._state import ShortTermState as ShortTermState
from ._state import State as State
from ._state import StateCatcher as StateCatcher
from ._state import StateTraceStack as StateTraceStack
from ._state import TreefyState as TreefyState
from ._state import catch_new_states as catch_new_states
from ._state import check_state_value_tree as check_state_value_tree
from ._state import maybe_state as maybe_state

__version__ = "0.1.0"

__all__ = [
    "BatchAxisError",
    "BrainSimError",
    "TraceContextError",
    "State",
    "ShortTermState",
    "LongTermState",
    "ParamState",
    "BatchState",
    "HiddenState",
    "HiddenGroupState",
    "HiddenTreeState",
    "DelayState",
    "FakeState",
    "TreefyState",
    "StateTraceStack",
    "StateCatcher",
    "catch_new_states",
    "check_state_value_tree",
    "maybe_state",
    "environ",
    "random",
    "filter",
    "graph",
    "transform",
    "init",
    "surrogate",
    "nn",
    "models",
    "simulate",
    "train",
    "analysis",
    "plot",
]
