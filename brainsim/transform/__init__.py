"""State-aware transforms: write imperative code that reads and writes ``State.value`` and
still get compilation, gradients, batching and compiled loops.

Every transform discovers the States a function reads and writes, turns them into explicit
inputs and outputs of a pure JAX function, applies the JAX transform and writes the new
values back.
"""

from ._autograd import fwd_grad as fwd_grad
from ._autograd import grad as grad
from ._autograd import hessian as hessian
from ._autograd import jacfwd as jacfwd
from ._autograd import jacobian as jacobian
from ._autograd import jacrev as jacrev
from ._autograd import jvp as jvp
from ._autograd import value_and_grad as value_and_grad
from ._autograd import vector_grad as vector_grad
from ._autograd import vjp as vjp
from ._conditions import cond as cond
from ._conditions import ifelse as ifelse
from ._conditions import jit_error_if as jit_error_if
from ._conditions import switch as switch
from ._core import StatefulFunction as StatefulFunction
from ._jit import jit as jit
from ._jit import make_jaxpr as make_jaxpr
from ._loops import bounded_while_loop as bounded_while_loop
from ._loops import checkpointed_for_loop as checkpointed_for_loop
from ._loops import checkpointed_scan as checkpointed_scan
from ._loops import for_loop as for_loop
from ._loops import scan as scan
from ._loops import while_loop as while_loop
from ._progress import ProgressBar as ProgressBar
from ._vmap import checkpoint as checkpoint
from ._vmap import remat as remat
from ._vmap import vmap as vmap
from ._vmap import vmap_new_states as vmap_new_states

__all__ = [
    "jit",
    "make_jaxpr",
    "StatefulFunction",
    "grad",
    "value_and_grad",
    "vector_grad",
    "jacrev",
    "jacfwd",
    "jacobian",
    "hessian",
    "vjp",
    "jvp",
    "fwd_grad",
    "vmap",
    "vmap_new_states",
    "scan",
    "for_loop",
    "checkpointed_scan",
    "checkpointed_for_loop",
    "while_loop",
    "bounded_while_loop",
    "cond",
    "switch",
    "ifelse",
    "jit_error_if",
    "checkpoint",
    "remat",
    "ProgressBar",
]
