"""Alpha-function synapse."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import environ, init
from ..._state import HiddenState
from ...nn import Synapse, exp_euler_step
from .._utils import check_param, init_var, value
from ._expon import AlignPost, expon_dg

__all__ = ["Alpha", "alpha_dg"]


def alpha_dg(g: Any, h: Any, tau: Any) -> Any:
    """dg/dt of the alpha synapse: ``(-g + h) / tau``."""
    return (-g + h) / tau


class Alpha(Synapse, AlignPost):
    r"""Alpha-function synapse: a decaying trace ``h`` filtered once more into ``g``.

    .. math::

        \tau \frac{dg}{dt} = -g + h, \qquad
        \tau \frac{dh}{dt} = -h + \tau \sum_k \delta(t - t_k)\, w_k

    A unit impulse at :math:`t = 0` gives :math:`g(t) = \frac{t}{\tau} e^{-t/\tau}`, which
    peaks at :math:`1/e \approx 0.368` at :math:`t = \tau`.

    Each step: ``g`` is advanced with exponential Euler of :func:`alpha_dg` in which ``h``
    is replaced by its exact weighted average over the step,
    :math:`h / \mathrm{exprel}(dt/\tau)`, which makes the step exact for the coupled
    linear system (holding ``h`` at its start-of-step value instead overestimates ``g`` by
    a factor :math:`\approx 1 + dt/2\tau`); ``h`` decays exactly (:func:`expon_dg`, current
    inputs enter its derivative); then delta inputs and ``x`` are added to ``h``. So the
    output is 0 at the step that receives the input and equals the closed form at
    ``t = n dt`` afterwards.

    Parameters
    ----------
    in_size : int or tuple
    tau : time, default 8 ms
        Time constant of both the rise and the decay; the peak time.
    g_initializer : initializer or value, default 0 mS
        Initial value of ``g`` and ``h``; its unit is the unit of ``g``.
    name : str, optional

    State variables
    ---------------
    g : HiddenState, the conductance (unit of ``g_initializer``).
    h : HiddenState, the rise trace that inputs jump (same unit).

    References
    ----------
    .. [1] Rall, W. (1967). Distinguishing theoretical synaptic potentials computed for
       different soma-dendritic distributions of synaptic input. *Journal of
       Neurophysiology*, 30(5), 1138-1168.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> syn = brainsim.models.Alpha(1, tau=2 * u.ms)
    >>> syn.init_state()
    >>> syn(1. * u.mS)                              # 0 at the input step
    Quantity([0.], "mS")
    >>> g = brainsim.transform.for_loop(lambda i: syn(), u.math.arange(100))
    >>> g[19]                                       # t = tau: 1/e
    Quantity([0.367879...], "mS")
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
        self.h = HiddenState(init_var(self.g_initializer, self.varshape, batch_size))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.g.value = init_var(self.g_initializer, self.varshape, batch_size)
        self.h.value = init_var(self.g_initializer, self.varshape, batch_size)

    def update(self, x: Any = None) -> Any:
        tau = value(self.tau)
        g, h = self.g.value, self.h.value
        h_mean = h / u.math.exprel(environ.get_dt() / tau)
        g = exp_euler_step(alpha_dg, g, h_mean, tau)
        I = self.sum_current_inputs(u.math.zeros_like(h) / tau, h)  # noqa: E741
        h = self.sum_delta_inputs(exp_euler_step(expon_dg, h, tau, I))
        if x is not None:
            h = h + x
        self.g.value = g
        self.h.value = h
        return g
