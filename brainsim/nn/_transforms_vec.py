"""Vector transforms (ordered, simplex, unit vector) and combinators (chain, mask).

Imported and re-exported by ``_transforms.py``; see that module for the conventions.
"""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import BrainSimTypeError, BrainSimValueError
from ._transforms import (
    _UNITLESS,
    ArrayLike,
    Transform,
    _concrete,
    _constrained,
    _fmt,
    _softplus_inv,
    _unconstrained,
    _wrap,
)

__all__ = ["ChainT", "MaskedT", "OrderedT", "SimplexT", "UnitVectorT"]


def _vector(t: Transform, x: jax.Array, arg: str, min_len: int) -> jax.Array:
    if x.ndim == 0 or x.shape[-1] < min_len:
        raise BrainSimValueError(
            f"{t!r}: expected {arg} with a last axis of length >= {min_len}, got shape {x.shape}"
        )
    return x


class OrderedT(Transform):
    """Map onto increasing vectors along the last axis.

    ``y = [x0, x0 + cumsum(softplus(x[1:]))]``; the inverse keeps the first value and
    takes the inverse softplus of the differences. The log-det is summed over the last
    axis.

    Examples
    --------
    >>> y = OrderedT().forward([0.0, 0.0, 0.0])
    >>> bool((y[1:] > y[:-1]).all())
    True
    """

    def forward(self, x: ArrayLike) -> jax.Array:
        x = _vector(self, _unconstrained(self, x), "x", 1)
        inc = jnp.cumsum(jax.nn.softplus(x[..., 1:]), axis=-1)
        return jnp.concatenate([x[..., :1], x[..., :1] + inc], axis=-1)

    def inverse(self, y: ArrayLike) -> jax.Array:
        y = _vector(self, _constrained(self, y, _UNITLESS), "y", 1)
        return jnp.concatenate([y[..., :1], _softplus_inv(jnp.diff(y, axis=-1))], axis=-1)

    def log_abs_det_jacobian(self, x: ArrayLike, y: ArrayLike | None = None) -> jax.Array:
        x = _vector(self, _unconstrained(self, x), "x", 1)
        return jnp.sum(jax.nn.log_sigmoid(x[..., 1:]), axis=-1)


class SimplexT(Transform):
    """Stick-breaking map from ``n`` numbers onto the simplex of ``n + 1`` weights.

    Fraction ``i`` of the remaining stick is ``sigmoid(x[i])``, and the last weight is
    what is left, so the output is positive and sums to 1. The inverse is the logit of
    the stick fractions. The log-det (of the first ``n`` outputs) is summed over the last
    axis.

    Examples
    --------
    >>> SimplexT().forward([0.0, 0.0])
    Array([0.5 , 0.25, 0.25], dtype=float32)
    """

    def forward(self, x: ArrayLike) -> jax.Array:
        x = _vector(self, _unconstrained(self, x), "x", 1)
        log_rest = jnp.cumsum(jax.nn.log_sigmoid(-x), axis=-1)  # log of stick left after i
        log_stick = jnp.concatenate([jnp.zeros_like(x[..., :1]), log_rest[..., :-1]], axis=-1)
        head = jnp.exp(jax.nn.log_sigmoid(x) + log_stick)
        return jnp.concatenate([head, jnp.exp(log_rest[..., -1:])], axis=-1)

    def inverse(self, y: ArrayLike) -> jax.Array:
        y = _vector(self, _constrained(self, y, _UNITLESS), "y", 2)
        a = _concrete(y)
        if a is not None and not (np.all(a > 0) and np.allclose(a.sum(-1), 1.0, atol=1e-4)):
            raise BrainSimValueError(
                f"SimplexT.inverse(y=...): expected weights in the open simplex (every entry "
                f"> 0, summing to 1 along the last axis), got {_fmt(y)}. A weight of exactly 0 "
                f"maps to -inf; clip it to a small positive value and renormalise."
            )
        tail = jnp.flip(jnp.cumsum(jnp.flip(y, axis=-1), axis=-1), axis=-1)  # sum of y[j>=i]
        return jnp.log(y[..., :-1]) - jnp.log(tail[..., 1:])

    def log_abs_det_jacobian(self, x: ArrayLike, y: ArrayLike | None = None) -> jax.Array:
        x = _vector(self, _unconstrained(self, x), "x", 1)
        l_neg = jax.nn.log_sigmoid(-x)
        log_stick = jnp.cumsum(l_neg, axis=-1) - l_neg
        return jnp.sum(jax.nn.log_sigmoid(x) + l_neg + log_stick, axis=-1)


class UnitVectorT(Transform):
    """``y = x / ||x||`` along the last axis; the inverse is the identity. Not a bijection.

    Examples
    --------
    >>> UnitVectorT().forward([3.0, 4.0])
    Array([0.6, 0.8], dtype=float32)
    """

    def forward(self, x: ArrayLike) -> jax.Array:
        x = _vector(self, _unconstrained(self, x), "x", 1)
        sq = jnp.sum(x * x, axis=-1, keepdims=True)
        return x / jnp.sqrt(jnp.where(sq > 0, sq, 1.0))  # the zero vector stays zero

    def inverse(self, y: ArrayLike) -> jax.Array:
        return _constrained(self, y, _UNITLESS)


def _check_transform(owner: str, arg: str, t: Any) -> Transform:
    if not isinstance(t, Transform):
        raise BrainSimTypeError(
            f"{owner}({arg}): expected a Transform such as SoftplusT(), got {t!r} "
            f"({type(t).__name__})"
        )
    return t


class ChainT(Transform):
    """Compose transforms: ``forward`` applies ``t1`` first, then ``t2``, ..., ``tn``.

    ``inverse`` undoes them in reverse order, and ``log_abs_det_jacobian`` sums the
    log-dets along the chain. An empty chain is the identity.

    Examples
    --------
    >>> import brainunit as u
    >>> from brainsim.nn import AffineT, SoftplusT
    >>> t = ChainT(AffineT(2.0, 0.0), SoftplusT(1 * u.mV))
    >>> t
    ChainT(AffineT(scale=2.0, shift=0.0), SoftplusT(lower=1 * mV))
    >>> t.forward(0.0)
    Quantity(1.6931, "mV")
    >>> t.inverse(t.forward(0.25))
    Array(0.25, dtype=float32)
    """

    def __init__(self, *transforms: Transform) -> None:
        for i, t in enumerate(transforms):
            _check_transform("ChainT", f"transforms[{i}]", t)
        self.transforms = tuple(transforms)

    def forward(self, x: ArrayLike) -> ArrayLike:
        for t in self.transforms:
            x = t.forward(x)
        return x

    def inverse(self, y: ArrayLike) -> ArrayLike:
        for t in reversed(self.transforms):
            y = t.inverse(y)
        return y

    def log_abs_det_jacobian(self, x: ArrayLike, y: ArrayLike | None = None) -> jax.Array:
        total = jnp.zeros_like(_unconstrained(self, x))
        for t in self.transforms:
            total = total + t.log_abs_det_jacobian(x)
            x = t.forward(x)
        return total

    def _params(self) -> tuple[tuple[str, Any], ...]:
        return (("transforms", self.transforms),)

    def __repr__(self) -> str:
        return f"ChainT({', '.join(repr(t) for t in self.transforms)})"


class MaskedT(Transform):
    """Apply ``transform`` where ``mask`` is true and the identity elsewhere.

    Entries outside the mask are fed ``safe_value`` (and its image ``forward(safe_value)``
    on the way back) so the unused branch never produces NaN values or gradients.
    If ``transform`` has a unit, the unmasked entries are read in that unit.

    Parameters
    ----------
    mask : bool array
        Where to apply ``transform``; broadcast against the inputs.
    transform : Transform
        The transform to apply.
    safe_value : float, default 1.0
        A value inside ``transform``'s unconstrained domain.

    Examples
    --------
    >>> from brainsim.nn import PositiveT
    >>> MaskedT([True, False], PositiveT()).forward([0.0, 0.0])
    Array([1., 0.], dtype=float32)
    """

    _fields = ("mask", "transform", "safe_value")

    def __init__(self, mask: ArrayLike, transform: Transform, safe_value: float = 1.0) -> None:
        self.transform = _check_transform("MaskedT", "transform", transform)
        m = _concrete(mask)
        if m is not None and m.dtype != np.bool_:
            raise BrainSimTypeError(
                f"MaskedT(mask): expected a boolean array such as jnp.array([True, False]), "
                f"got dtype {m.dtype}"
            )
        self.mask = mask
        self._mask = jnp.asarray(mask, dtype=bool)
        self.safe_value = safe_value

    def forward(self, x: ArrayLike) -> ArrayLike:
        x = _unconstrained(self, x)
        out = self.transform.forward(jnp.where(self._mask, x, self.safe_value))
        unit = u.get_unit(out)
        return _wrap(jnp.where(self._mask, u.get_mantissa(out), x), unit)

    def inverse(self, y: ArrayLike) -> jax.Array:
        safe_y = self.transform.forward(jnp.asarray(self.safe_value, dtype=jnp.float32))
        unit = u.get_unit(safe_y)
        y = _constrained(self, y, unit)
        y_in = jnp.where(self._mask, y, u.get_mantissa(safe_y))
        x = self.transform.inverse(_wrap(y_in, unit))
        return jnp.where(self._mask, x, y).astype(y.dtype)

    def log_abs_det_jacobian(self, x: ArrayLike, y: ArrayLike | None = None) -> jax.Array:
        x = _unconstrained(self, x)
        ladj = self.transform.log_abs_det_jacobian(jnp.where(self._mask, x, self.safe_value))
        return jnp.where(self._mask, ladj, 0.0).astype(x.dtype)
