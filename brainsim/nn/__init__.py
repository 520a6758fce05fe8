"""Modules and parameters: ``Module``, ``Param`` / ``Const``, bijective transforms (``*T``),
regularizers (``*Reg``), containers, collective init/reset and layers."""

from ..graph import assign_state_values as assign_state_values
from ._collective import call_all_fns as call_all_fns
from ._collective import call_order as call_order
from ._collective import init_all_states as init_all_states
from ._collective import reset_all_states as reset_all_states
from ._collective import vmap_init_all_states as vmap_init_all_states
from ._collective import vmap_reset_all_states as vmap_reset_all_states
from ._delay import Delay as Delay
from ._delay import DelayAccess as DelayAccess
from ._delay import InterpolationRegistry as InterpolationRegistry
from ._delay import OutputDelay as OutputDelay
from ._delay import StateWithDelay as StateWithDelay
from ._dynamics import Dynamics as Dynamics
from ._dynamics import Prefetch as Prefetch
from ._dynamics import not_receive_update_input as not_receive_update_input
from ._dynamics import not_receive_update_output as not_receive_update_output
from ._dynamics import receive_update_input as receive_update_input
from ._dynamics import receive_update_output as receive_update_output
from ._event import ConnectivityState as ConnectivityState
from ._event import EventFixedNumConn as EventFixedNumConn
from ._event import EventFixedProb as EventFixedProb
from ._event import EventLinear as EventLinear
from ._event import FixedNumConn as FixedNumConn
from ._event import event_matvec as event_matvec
from ._event_kernels import event_backend as event_backend
from ._event_kernels import get_event_backend as get_event_backend
from ._event_kernels import resolve_event_backend as resolve_event_backend
from ._event_kernels import set_event_backend as set_event_backend
from ._integration import exp_euler_step as exp_euler_step
from ._linear import Linear as Linear
from ._module import Module as Module
from ._module import ParamDesc as ParamDesc
from ._module import ParamDescriber as ParamDescriber
from ._neuron import Neuron as Neuron
from ._neuron import Synapse as Synapse
from ._param import Const as Const
from ._param import Param as Param
from ._regularization import *  # noqa: F403  (re-exports the *Reg classes, see its __all__)
from ._regularization import __all__ as _reg_all
from ._sequential import ElementWiseBlock as ElementWiseBlock
from ._sequential import Lambda as Lambda
from ._sequential import Sequential as Sequential
from ._transforms import *  # noqa: F403  (re-exports the *T transforms, see its __all__)
from ._transforms import __all__ as _t_all
from ._unit_errors import InputUnitError as InputUnitError

__all__ = [
    "Module",
    "ParamDesc",
    "ParamDescriber",
    "Param",
    "Const",
    "Sequential",
    "ElementWiseBlock",
    "Lambda",
    "Linear",
    "call_order",
    "call_all_fns",
    "init_all_states",
    "reset_all_states",
    "vmap_init_all_states",
    "vmap_reset_all_states",
    "assign_state_values",
    "Dynamics",
    "Prefetch",
    "Neuron",
    "InputUnitError",
    "Synapse",
    "receive_update_output",
    "not_receive_update_output",
    "receive_update_input",
    "not_receive_update_input",
    "exp_euler_step",
    "Delay",
    "DelayAccess",
    "StateWithDelay",
    "OutputDelay",
    "InterpolationRegistry",
    "EventFixedNumConn",
    "EventFixedProb",
    "ConnectivityState",
    "event_backend",
    "set_event_backend",
    "get_event_backend",
    "resolve_event_backend",
    "FixedNumConn",
    "EventLinear",
    "event_matvec",
    *_t_all,
    *_reg_all,
]
