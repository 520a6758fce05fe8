"""Losses, metrics and firing-rate regularizers for training spiking networks.

Every function returns a plain scalar (mean over the batch), ready for
``brainsim.transform.grad``. Spike trains are laid out time-first: ``(T, ..., N)``.
"""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax.numpy as jnp
import optax

from .. import environ
from .._errors import BrainSimValueError

__all__ = [
    "softmax_cross_entropy",
    "spike_count_cross_entropy",
    "mse",
    "accuracy",
    "target_rate_loss",
    "sparsity_loss",
]


def _plain(x: Any, where: str, what: str) -> Any:
    """``x`` as a plain array; a dimensionless Quantity is accepted, a unit is not."""
    if isinstance(x, u.Quantity):
        if not x.is_unitless:
            raise BrainSimValueError(
                f"{where}: {what} must be dimensionless, got a Quantity in {x.unit}. Divide "
                f"by a unit first, e.g. `out / u.mV`."
            )
        x = u.maybe_decimal(x)
    return jnp.asarray(x)


def _targets(logits: Any, labels: Any, where: str) -> tuple[Any, bool]:
    """``(labels, is_integer)``, checking the shape against ``logits``."""
    labels = jnp.asarray(labels)
    if jnp.issubdtype(labels.dtype, jnp.integer):
        if labels.shape != logits.shape[:-1]:
            raise BrainSimValueError(
                f"{where}: integer labels need the shape of logits without the class axis, "
                f"{logits.shape[:-1]}; got {labels.shape}."
            )
        return labels, True
    if labels.shape != logits.shape:
        raise BrainSimValueError(
            f"{where}: one-hot (or probability) labels need the shape of logits "
            f"{logits.shape}, got {labels.shape}. Integer class labels are also accepted."
        )
    return labels, False


def softmax_cross_entropy(logits: Any, labels: Any) -> Any:
    """Mean softmax cross-entropy.

    Parameters
    ----------
    logits
        ``(..., C)`` unnormalised scores (dimensionless).
    labels
        Integer classes ``(...)`` or one-hot / probability targets ``(..., C)``.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> logits = jnp.array([[2.0, 0.0], [0.0, 2.0]])
    >>> brainsim.train.softmax_cross_entropy(logits, jnp.array([0, 1]))  # log(1 + e^-2)
    Array(0.126928, dtype=float32)
    >>> brainsim.train.softmax_cross_entropy(logits, jnp.eye(2))
    Array(0.126928, dtype=float32)
    """
    logits = _plain(logits, "softmax_cross_entropy", "logits")
    labels, is_int = _targets(logits, labels, "softmax_cross_entropy")
    if is_int:
        return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, labels))
    return jnp.mean(optax.softmax_cross_entropy(logits, labels))


def spike_count_cross_entropy(spikes_over_time: Any, labels: Any) -> Any:
    """Cross-entropy of the spike counts: spikes are summed over time (axis 0) and the
    counts used as logits.

    Parameters
    ----------
    spikes_over_time
        ``(T, ..., C)`` spikes of the C output neurons.
    labels
        Integer classes ``(...)`` or one-hot targets ``(..., C)``.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> spikes = jnp.zeros((10, 1, 2)).at[:3, 0, 0].set(1.0)   # 3 spikes vs 0
    >>> brainsim.train.spike_count_cross_entropy(spikes, jnp.array([0]))  # log(1 + e^-3)
    Array(0.0486, dtype=float32)
    """
    counts = jnp.sum(_plain(spikes_over_time, "spike_count_cross_entropy", "spikes"), axis=0)
    return softmax_cross_entropy(counts, labels)


def mse(pred: Any, target: Any) -> Any:
    """Mean squared error, computed in ``pred``'s unit.

    ``target`` must have the same dimension as ``pred`` (a Quantity target is converted to
    ``pred``'s unit). The result is a plain number: the mean of squared differences of the
    mantissas in ``pred``'s unit.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.train.mse(jnp.array([1.0, 3.0]), jnp.array([0.0, 1.0]))
    Array(2.5, dtype=float32)
    >>> brainsim.train.mse(jnp.array([1.0, 2.0]) * u.mV, jnp.array([1.0, 1.0]) * u.mV)
    Array(0.5, dtype=float32)
    >>> brainsim.train.mse(jnp.array([1.0]) * u.mV, jnp.array([0.002]) * u.volt)
    Array(1., dtype=float32)
    """
    if isinstance(pred, u.Quantity) and not pred.is_unitless:
        unit = pred.unit
        if not isinstance(target, u.Quantity) or target.unit.dim != unit.dim:
            got = target.unit if isinstance(target, u.Quantity) else "a plain number"
            raise BrainSimValueError(
                f"mse: target must have the dimension of pred ({unit}), got {got}."
            )
        p, t = pred.mantissa, target.to_decimal(unit)
    else:
        p = _plain(pred, "mse", "pred (plain)")
        t = _plain(target, "mse", "target (pred is plain, so the target)")
    return jnp.mean((p - t) ** 2)


def accuracy(logits: Any, labels: Any) -> Any:
    """Fraction of samples whose arg-max class equals the label.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> logits = jnp.array([[2.0, 0.0], [0.0, 2.0], [1.0, 0.0]])
    >>> brainsim.train.accuracy(logits, jnp.array([0, 1, 1]))
    Array(0.6666667, dtype=float32)
    """
    logits = _plain(logits, "accuracy", "logits")
    labels, is_int = _targets(logits, labels, "accuracy")
    if not is_int:
        labels = jnp.argmax(labels, axis=-1)
    return jnp.mean((jnp.argmax(logits, axis=-1) == labels).astype(environ.dftype()))


def _rates(spikes: Any, dt: Any, where: str) -> tuple[Any, bool]:
    """Per-neuron rates (mean over time and batch axes) and whether they are in Hz."""
    spikes = _plain(spikes, where, "spikes")
    if spikes.ndim < 2:
        raise BrainSimValueError(
            f"{where}: spikes need a time axis first, shape (T, ..., N); got {spikes.shape}."
        )
    dt = environ.get_dt() if dt is None else dt
    mean = jnp.mean(spikes, axis=tuple(range(spikes.ndim - 1)))
    if isinstance(dt, u.Quantity):
        if dt.unit.dim != u.second.dim:
            raise BrainSimValueError(f"{where}: dt must be a time, got {dt!r}.")
        return mean / dt.to_decimal(u.second), True
    return mean / jnp.asarray(dt), False


def target_rate_loss(spikes: Any, target_rate: Any, dt: Any = None) -> Any:
    """Squared deviation of each neuron's firing rate from a target, averaged over neurons.

    The rate of neuron n is its spike count divided by the duration, averaged over every
    axis but the last (time and batch). With ``dt`` in time units (default: environ ``dt``)
    rates are in Hz, and the loss in Hz²; ``target_rate`` is then a frequency Quantity or a
    plain number read as Hz. With a plain ``dt``, rates are per unit of ``dt``.

    Parameters
    ----------
    spikes
        ``(T, ..., N)`` spike trains.
    target_rate
        Scalar or ``(N,)`` target rate.
    dt
        Time step; default ``brainsim.environ.get_dt()``.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> spikes = jnp.zeros((100, 2)).at[::20, 0].set(1.0)   # 50 Hz and 0 Hz over 100 ms
    >>> brainsim.train.target_rate_loss(spikes, 25 * u.Hz, dt=1 * u.ms)   # (25**2 + 25**2) / 2
    Array(625., dtype=float32)
    """
    where = "target_rate_loss"
    rates, in_hz = _rates(spikes, dt, where)
    if isinstance(target_rate, u.Quantity):
        if not in_hz or target_rate.unit.dim != u.Hz.dim:
            raise BrainSimValueError(
                f"{where}: target_rate {target_rate!r} must be a frequency, with dt in time "
                f"units (got dt={environ.get_dt() if dt is None else dt!r})."
            )
        target = target_rate.to_decimal(u.Hz)
    else:
        target = jnp.asarray(target_rate)
    return jnp.mean((rates - target) ** 2)


def sparsity_loss(spikes: Any) -> Any:
    """Mean firing: the average of the spike tensor (spikes per neuron per step).

    Add ``lam * sparsity_loss(spikes)`` to a loss to favour sparse activity.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> brainsim.train.sparsity_loss(jnp.array([[1.0, 0.0], [0.0, 0.0]]))
    Array(0.25, dtype=float32)
    """
    return jnp.mean(_plain(spikes, "sparsity_loss", "spikes"))
