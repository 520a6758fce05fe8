"""Exponential synapse."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ..._state import HiddenState
from ...nn import Synapse, exp_euler_step
from .._utils import check_param, init_var, value

__all__ = ["AlignPost", "Expon", "expon_dg"]


class AlignPost:
    """Marker: the synapse can live on the postsynaptic side and be shared (merged) by
    every projection with the same describer (see ``AlignPostProj``)."""


def expon_dg(g: Any, tau: Any, I: Any) -> Any:  # noqa: E741
    """dg/dt of the exponential synapse: ``-g / tau + I``."""
    return -g / tau + I


class Expon(Synapse, AlignPost):
    r"""Exponentially decaying synaptic conductance.

    .. math::

        \frac{dg}{dt} = -\frac{g}{\tau} + \sum_k \delta(t - t_k)\, w_k

    Each step: ``g`` decays exactly (exponential Euler), then delta inputs (e.g. from
    projections) are added, then ``x`` if ``update(x)`` is given.

    Parameters
    ----------
    in_size : int or tuple
    tau : time, default 8 ms
    g_initializer : initializer or value, default 0 mS
    name : str, optional

    State variables
    ---------------
    g : HiddenState, the conductance (unit of ``g_initializer``, default mS).

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> syn = brainsim.models.Expon(1, tau=5 * u.ms)
    >>> syn.init_state()
    >>> syn(1. * u.mS).to_decimal(u.mS)
    Array([1.], dtype=float32)
    >>> syn().to_decimal(u.mS)             # decays by exp(-0.1 / 5) = 0.980199
    Array([0.980199], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        tau: Any = 8.0 * u.ms,
        g_initializer: Any = init.Constant(0.0 * u.mS),
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, name=name)
        self.tau = check_param(self, "tau", tau, u.ms, positive=True)
        self.g_initializer = g_initializer

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.g = HiddenState(init_var(self.g_initializer, self.varshape, batch_size))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.g.value = init_var(self.g_initializer, self.varshape, batch_size)

    def update(self, x: Any = None) -> Any:
        tau = value(self.tau)
        g = self.g.value
        I = self.sum_current_inputs(u.math.zeros_like(g) / tau, g)  # noqa: E741
        g = exp_euler_step(expon_dg, g, tau, I)
        g = self.sum_delta_inputs(g)
        if x is not None:
            g = g + x
        self.g.value = g
        return g
