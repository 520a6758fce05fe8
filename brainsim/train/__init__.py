"""Training spiking networks: an optax adapter, losses, encoders and BPTT helpers.

``Optimizer`` applies any optax transformation to a model's ParamStates in place;
``run_sequence`` steps a model over a time-first input; ``train_step`` compiles loss,
gradients and update into one call. See the ``_bptt`` module docstring for the pattern.
"""

from ._bptt import run_sequence as run_sequence
from ._bptt import train_step as train_step
from ._diagnostics import SilentNetworkWarning as SilentNetworkWarning
from ._encoders import direct_current as direct_current
from ._encoders import latency_encode as latency_encode
from ._encoders import poisson_encode as poisson_encode
from ._losses import accuracy as accuracy
from ._losses import mse as mse
from ._losses import softmax_cross_entropy as softmax_cross_entropy
from ._losses import sparsity_loss as sparsity_loss
from ._losses import spike_count_cross_entropy as spike_count_cross_entropy
from ._losses import target_rate_loss as target_rate_loss
from ._optim import Optimizer as Optimizer

__all__ = [
    "Optimizer",
    "run_sequence",
    "train_step",
    "SilentNetworkWarning",
    "softmax_cross_entropy",
    "spike_count_cross_entropy",
    "mse",
    "accuracy",
    "target_rate_loss",
    "sparsity_loss",
    "poisson_encode",
    "latency_encode",
    "direct_current",
]
