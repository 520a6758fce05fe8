"""Input encoders: turn static inputs into time-first spike trains or currents.

Every encoder returns an array with a new leading time axis of length ``n_steps``, ready
for :func:`brainsim.train.run_sequence` or :func:`brainsim.transform.for_loop`.
"""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax.numpy as jnp

from .. import environ, random
from .._errors import BrainSimTypeError, BrainSimValueError

__all__ = ["poisson_encode", "latency_encode", "direct_current"]


def _steps(n_steps: Any, where: str) -> int:
    if isinstance(n_steps, bool) or not hasattr(n_steps, "__index__") or int(n_steps) < 1:
        raise BrainSimValueError(f"{where}(n_steps=...): expected a positive int, got {n_steps!r}.")
    return int(n_steps)


def poisson_encode(rates_or_probabilities: Any, n_steps: int, dt: Any = None) -> Any:
    """Bernoulli spike trains: each step spikes independently with a fixed probability.

    Parameters
    ----------
    rates_or_probabilities
        Either firing rates as a frequency Quantity (``x * u.Hz``), turned into the
        per-step probability ``1 - exp(-rate * dt)``, or plain numbers in ``[0, 1]`` taken
        as per-step probabilities.
    n_steps
        Number of time steps.
    dt
        Time step for rates; default ``brainsim.environ.get_dt()``. Not used (and not
        allowed) with probabilities.

    Returns
    -------
    Array of 0/1 floats, shape ``(n_steps, *x.shape)``. Draws use the global
    ``brainsim.random`` state, so seeding it makes the encoding reproducible.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.random.seed(0)
    >>> s = brainsim.train.poisson_encode(jnp.array([0.0, 1.0]), 5)
    >>> s.shape, s[:, 0].sum(), s[:, 1].sum()
    ((5, 2), Array(0., dtype=float32), Array(5., dtype=float32))
    >>> s = brainsim.train.poisson_encode(jnp.full(1000, 100.0) * u.Hz, 100, dt=1 * u.ms)
    >>> bool(abs(s.mean() - 0.0952) < 0.01)      # 1 - exp(-0.1)
    True
    """
    where = "poisson_encode"
    n = _steps(n_steps, where)
    x = rates_or_probabilities
    if isinstance(x, u.Quantity) and not x.is_unitless:
        if x.unit.dim != u.Hz.dim:
            raise BrainSimValueError(
                f"{where}: rates must be frequencies (e.g. 20 * u.Hz), got a Quantity in {x.unit}."
            )
        dt = environ.get_dt() if dt is None else dt
        if not isinstance(dt, u.Quantity):
            raise BrainSimValueError(
                f"{where}: rates in Hz need a dt in time units (e.g. 1 * u.ms), got {dt!r}."
            )
        p = -jnp.expm1(-jnp.asarray(u.maybe_decimal(x * dt), dtype=environ.dftype()))
    else:
        if dt is not None:
            raise BrainSimValueError(
                f"{where}: plain inputs are per-step probabilities and take no dt; give rates "
                f"as a frequency Quantity (x * u.Hz) to use dt."
            )
        p = jnp.asarray(u.maybe_decimal(x), dtype=environ.dftype())
    shape = (n, *jnp.shape(p))
    return (random.random(size=shape) < p).astype(environ.dftype())


def latency_encode(
    x: Any, n_steps: int, tau: Any = 5.0, threshold: float = 0.01, dt: Any = None
) -> Any:
    r"""Time-to-first-spike code: one spike per input, earlier for larger intensities.

    An input of intensity :math:`x` charges an RC circuit to :math:`x` with time constant
    :math:`\tau`; it spikes when the voltage crosses ``threshold``:

    .. math:: t_{spike} = \tau \ln\frac{x}{x - \theta}\quad (x > \theta)

    rounded to the nearest step. Inputs at or below the threshold, and those whose spike
    time falls beyond the window, do not spike.

    Parameters
    ----------
    x
        Non-negative intensities (plain array, typically scaled to ``[0, 1]``).
    n_steps
        Number of time steps.
    tau
        Time constant in steps (a plain number), or a time Quantity converted with ``dt``.
    threshold
        Firing threshold :math:`\theta` (same scale as ``x``).
    dt
        Time step, used only when ``tau`` is a Quantity (default environ ``dt``).

    Returns
    -------
    Array of 0/1 floats, shape ``(n_steps, *x.shape)``, at most one spike per input.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> s = brainsim.train.latency_encode(jnp.array([1.0, 0.02, 0.005]), 10, tau=5.0)
    >>> jnp.argmax(s, axis=0), s.sum(axis=0)      # 5 ln 2 = 3.47 -> step 3
    (Array([0, 3, 0], dtype=int32), Array([1., 1., 0.], dtype=float32))
    """
    where = "latency_encode"
    n = _steps(n_steps, where)
    if isinstance(x, u.Quantity) and not x.is_unitless:
        raise BrainSimTypeError(f"{where}: x must be plain intensities, got unit {x.unit}.")
    x = jnp.asarray(u.maybe_decimal(x), dtype=environ.dftype())
    if isinstance(tau, u.Quantity):
        dt = environ.get_dt() if dt is None else dt
        tau = u.maybe_decimal(tau / dt)
        if isinstance(tau, u.Quantity):
            raise BrainSimValueError(f"{where}: tau and dt must both be times.")
    if not threshold > 0:
        raise BrainSimValueError(f"{where}(threshold=...): expected > 0, got {threshold!r}.")
    fires = x > threshold
    safe = jnp.where(fires, x, 2.0 * threshold)
    t = jnp.round(tau * jnp.log(safe / (safe - threshold)))
    fires = fires & (t < n)
    steps = jnp.arange(n).reshape((n,) + (1,) * x.ndim)
    return ((steps == t) & fires).astype(environ.dftype())


def direct_current(x: Any, n_steps: int) -> Any:
    """Present the same input at every step (repeat along a new time axis); units kept.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.train.direct_current(jnp.array([1.0, 2.0]), 3).shape
    (3, 2)
    >>> brainsim.train.direct_current(jnp.array([1.0]) * u.mA, 2)
    Quantity([[1.]
              [1.]], "mA")
    """
    n = _steps(n_steps, "direct_current")
    if isinstance(x, u.Quantity):
        return u.math.broadcast_to(x, (n, *jnp.shape(x.mantissa)))
    x = jnp.asarray(x)
    return jnp.broadcast_to(x, (n, *x.shape))
