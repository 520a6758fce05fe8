"""Dual-exponential (difference of exponentials) synapse."""

from __future__ import annotations

from typing import Any

import brainunit as u
import numpy as np

from ... import init
from ..._errors import BrainSimTypeError, BrainSimValueError
from ..._state import HiddenState
from ...nn import Synapse, exp_euler_step
from .._utils import check_param, init_var, value
from ._expon import AlignPost, expon_dg

__all__ = ["DualExpon", "dual_expon_norm"]


def dual_expon_norm(tau_decay: Any, tau_rise: Any) -> Any:
    r"""Peak normalisation of ``exp(-t/tau_decay) - exp(-t/tau_rise)``.

    .. math::

        \frac{\tau_d}{\tau_d - \tau_r}
        \left(\frac{\tau_r}{\tau_d}\right)^{\tau_r / (\tau_r - \tau_d)}

    The difference of exponentials times this factor peaks at exactly 1, at
    :math:`t^* = \frac{\tau_d \tau_r}{\tau_d - \tau_r} \ln(\tau_d / \tau_r)`.
    """
    ratio = tau_rise / tau_decay
    return tau_decay / (tau_decay - tau_rise) * ratio ** (tau_rise / (tau_rise - tau_decay))


class DualExpon(Synapse, AlignPost):
    r"""Dual-exponential synapse: the difference of a slow decay and a fast rise trace.

    .. math::

        \frac{dg_\mathrm{rise}}{dt} = -\frac{g_\mathrm{rise}}{\tau_r}
            + \sum_k \delta(t - t_k)\, w_k, \qquad
        \frac{dg_\mathrm{decay}}{dt} = -\frac{g_\mathrm{decay}}{\tau_d}
            + \sum_k \delta(t - t_k)\, w_k

    .. math::

        g = A\, c\, (g_\mathrm{decay} - g_\mathrm{rise}), \qquad
        c = \frac{\tau_d}{\tau_d - \tau_r}
            \left(\frac{\tau_r}{\tau_d}\right)^{\tau_r / (\tau_r - \tau_d)}

    with :math:`c = 1` when ``normalize=False``. The impulse response
    :math:`A c (e^{-t/\tau_d} - e^{-t/\tau_r})` peaks at :math:`A` (see
    :func:`dual_expon_norm`).

    Each step: both traces decay exactly (exponential Euler with :func:`expon_dg`; current
    inputs enter both derivatives), then delta inputs and ``x`` are added to *both*, so the
    output is 0 at the step that receives an input and follows the closed form on the
    following steps, sampled at ``t = n dt``.

    Parameters
    ----------
    in_size : int or tuple
    tau_decay : time, default 10 ms
        Decay time constant :math:`\tau_d`.
    tau_rise : time, default 1 ms
        Rise time constant :math:`\tau_r`.
    amplitude : dimensionless, default 1
        Peak amplitude :math:`A` (when normalised).
    normalize : bool, default True
        Scale by :math:`c` so that a unit impulse peaks at ``amplitude``. Needs
        ``tau_decay != tau_rise`` (use :class:`Alpha` for equal time constants).
    g_initializer : initializer or value, default 0 mS
        Initial value of both traces; its unit is the unit of ``g``.
    name : str, optional

    State variables
    ---------------
    g_rise, g_decay : HiddenState, the two traces (unit of ``g_initializer``).

    References
    ----------
    .. [1] Roth, A., & van Rossum, M. C. W. (2009). Modeling synapses. In *Computational
       Modeling Methods for Neuroscientists* (pp. 139-160). MIT Press.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> syn = brainsim.models.DualExpon(1)          # tau_decay=10 ms, tau_rise=1 ms
    >>> syn.init_state()
    >>> syn(1. * u.mS)                              # 0 at the input step
    Quantity([0.], "mS")
    >>> g = brainsim.transform.for_loop(lambda i: syn(), u.math.arange(100))
    >>> g.max()                                     # peak ~1 at t* = 2.56 ms
    Quantity(0.9999..., "mS")
    """

    def __init__(
        self,
        in_size: Any,
        tau_decay: Any = 10.0 * u.ms,
        tau_rise: Any = 1.0 * u.ms,
        amplitude: Any = 1.0,
        normalize: bool = True,
        g_initializer: Any = init.Constant(0.0 * u.mS),
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, name=name)
        self.tau_decay = check_param(self, "tau_decay", tau_decay, u.ms, positive=True)
        self.tau_rise = check_param(self, "tau_rise", tau_rise, u.ms, positive=True)
        self.amplitude = check_param(self, "amplitude", amplitude)
        if not isinstance(normalize, bool):
            raise BrainSimTypeError(
                f"DualExpon(normalize=...): expected True or False, got {normalize!r}."
            )
        self.normalize = normalize
        if normalize:
            self._check_distinct(value(self.tau_decay), value(self.tau_rise))
        self.g_initializer = g_initializer

    @staticmethod
    def _check_distinct(tau_decay: Any, tau_rise: Any) -> None:
        try:
            equal = np.any(np.asarray(u.get_mantissa(tau_decay - tau_rise)) == 0)
        except Exception:  # traced parameters: nothing to check
            return
        if equal:
            raise BrainSimValueError(
                f"DualExpon(tau_rise=...): with normalize=True tau_rise must differ from "
                f"tau_decay (the peak normalisation divides by tau_decay - tau_rise), got "
                f"tau_decay={tau_decay!r} and tau_rise={tau_rise!r}. Use Alpha for equal time "
                f"constants, or pass normalize=False."
            )

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.g_rise = HiddenState(init_var(self.g_initializer, self.varshape, batch_size))
        self.g_decay = HiddenState(init_var(self.g_initializer, self.varshape, batch_size))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.g_rise.value = init_var(self.g_initializer, self.varshape, batch_size)
        self.g_decay.value = init_var(self.g_initializer, self.varshape, batch_size)

    def update(self, x: Any = None) -> Any:
        tau_d, tau_r = value(self.tau_decay), value(self.tau_rise)
        g_rise, g_decay = self.g_rise.value, self.g_decay.value
        I = self.sum_current_inputs(u.math.zeros_like(g_decay) / tau_d, g_decay)  # noqa: E741
        g_rise = exp_euler_step(expon_dg, g_rise, tau_r, I)
        g_decay = exp_euler_step(expon_dg, g_decay, tau_d, I)
        jump = self.sum_delta_inputs(u.math.zeros_like(g_decay))
        if x is not None:
            jump = jump + x
        self.g_rise.value = g_rise + jump
        self.g_decay.value = g_decay + jump
        scale = value(self.amplitude)
        if self.normalize:
            scale = scale * dual_expon_norm(tau_d, tau_r)
        return scale * (self.g_decay.value - self.g_rise.value)
