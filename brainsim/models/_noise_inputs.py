"""Noise currents: an Ornstein-Uhlenbeck process and Wiener increments, on a time window."""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax.numpy as jnp
import numpy as np

from .. import environ
from .. import random as bsr
from .._errors import BrainSimValueError
from .._state import HiddenState
from ._current_inputs import ZERO_MS, TimedInput, check_window, masked
from ._inputs import current_step, ratio, with_unit
from ._utils import check_param, init_var, value

__all__ = ["OUProcessInput", "WienerProcessInput"]


def _noise_shape(owner: Any, in_size: Any, *params: Any) -> tuple[int, ...]:
    if in_size is not None:
        owner.in_size = in_size
        return tuple(owner.in_size)
    return tuple(np.broadcast_shapes(*(np.shape(u.get_mantissa(p)) for p in params)))


class OUProcessInput(TimedInput):
    r"""An Ornstein-Uhlenbeck current during ``[t_start, t_start + duration)``.

    .. math:: \tau\, dx = (\mu - x)\, dt + \sigma \sqrt{2\tau}\, dW

    integrated exactly: :math:`x \leftarrow \mu + (x - \mu) a + \sigma\sqrt{1 - a^2}\,\xi`,
    :math:`a = e^{-dt/\tau}`, :math:`\xi \sim \mathcal{N}(0, 1)` from ``brainsim.random``.
    ``sigma`` is the *stationary* standard deviation (same unit as ``mean``). ``x`` starts at
    ``mean``, only evolves inside the window, and the output is 0 outside it.

    Parameters
    ----------
    mean : scalar or array, any unit (e.g. ``0.5 * u.nA``)
    sigma : same dimension as ``mean``, >= 0
    tau : time, > 0
    duration : time
    t_start : time, default 0 ms
    in_size : int or tuple, optional
        Output shape (default: the broadcast shape of ``mean`` and ``sigma``).
    name : str, optional

    State variables
    ---------------
    x : HiddenState, the process (unit of ``mean``).

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> ou = brainsim.models.OUProcessInput(1. * u.nA, 0.2 * u.nA, 5 * u.ms, 100 * u.ms,
    ...                                     in_size=3)
    >>> ou.init_state()
    >>> with brainsim.environ.context(i=0):
    ...     x = ou()
    >>> x.shape, x.unit == u.nA
    ((3,), True)
    """

    def __init__(
        self,
        mean: Any,
        sigma: Any,
        tau: Any,
        duration: Any,
        t_start: Any = ZERO_MS,
        in_size: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.unit = u.get_unit(mean)
        self.shape = _noise_shape(self, in_size, mean, sigma)
        self.varshape = self.shape
        self.mean = check_param(self, "mean", mean, self.unit)
        self.sigma = check_param(self, "sigma", sigma, self.unit, nonnegative=True)
        self.tau = check_param(self, "tau", tau, u.ms, positive=True)
        check_window(self, duration, t_start)

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.x = HiddenState(init_var(value(self.mean), self.shape, batch_size, self.unit))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.x.value = init_var(value(self.mean), self.shape, batch_size, self.unit)

    def update(self, *args: Any) -> Any:
        dt = environ.get_dt()
        k = current_step("OUProcessInput.update")
        mean, sigma = value(self.mean), value(self.sigma)
        a = jnp.exp(-ratio("OUProcessInput", dt, value(self.tau)))
        x = self.x.value
        xi = bsr.randn(*jnp.shape(u.get_mantissa(x)))
        x_new = mean + (x - mean) * a + sigma * jnp.sqrt(1 - a * a) * xi
        inside = self._inside(k, dt)
        self.x.value = u.math.where(inside, x_new, x)
        return with_unit(masked(u.maybe_decimal(self.x.value / self.unit), inside), self.unit)


class WienerProcessInput(TimedInput):
    r"""Wiener increments :math:`\sigma\,\Delta W`, :math:`\Delta W \sim \mathcal{N}(0, dt)`,
    drawn independently each step during ``[t_start, t_start + duration)``, 0 elsewhere.

    ``sigma`` carries the output unit per square-root time, e.g. ``0.5 * u.nA / u.ms**0.5``
    (with ``dt = 0.1 ms`` each step then has standard deviation ``0.5 * sqrt(0.1) nA``).

    Parameters
    ----------
    sigma : scalar or array with a unit per sqrt-time, >= 0
    duration : time
    t_start : time, default 0 ms
    in_size : int or tuple, optional
        Output shape (default: the shape of ``sigma``).
    name : str, optional

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> w = brainsim.models.WienerProcessInput(1. * u.nA / u.ms ** 0.5, 10 * u.ms, in_size=4)
    >>> with brainsim.environ.context(i=3):
    ...     x = w()
    >>> x.shape, x.unit == u.nA
    ((4,), True)
    """

    def __init__(
        self,
        sigma: Any,
        duration: Any,
        t_start: Any = ZERO_MS,
        in_size: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        s_exp = u.get_dim(sigma).get_dimension("s")
        if float(s_exp * 2) % 2 != 1:
            raise BrainSimValueError(
                f"WienerProcessInput(sigma=...): sigma scales dW, whose unit is sqrt(time); "
                f"give the output unit per sqrt-time such as 0.5 * u.nA / u.ms ** 0.5, got "
                f"{sigma!r}."
            )
        self.shape = _noise_shape(self, in_size, sigma)
        self.varshape = self.shape
        self.sigma = check_param(self, "sigma", sigma, u.get_unit(sigma), nonnegative=True)
        check_window(self, duration, t_start)
        self.unit = u.get_unit(value(self.sigma) * u.math.sqrt(1.0 * u.ms))

    def _raw(self, k: Any, dt: Any) -> Any:
        dw = bsr.randn(*(k.shape + self.shape)) * u.math.sqrt(dt)
        return u.maybe_decimal(value(self.sigma) * dw / self.unit)
