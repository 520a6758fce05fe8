"""Constraint transforms between unconstrained numbers ``x`` and constrained values ``y``.

Unit-aware transforms take their unit from ``lower`` (or ``upper``): ``forward`` returns a
Quantity in that unit and ``inverse`` takes one and returns the plain number. Scalar
transforms, and their ``log_abs_det_jacobian``, act element-wise. Vector transforms and
combinators live in ``_transforms_vec.py`` and are re-exported here.
"""

from __future__ import annotations

import abc
import math
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import BrainSimValueError

__all__ = [
    "Transform",
    "save_exp",
    "IdentityT",
    "SoftplusT",
    "NegSoftplusT",
    "SigmoidT",
    "ScaledSigmoidT",
    "TanhT",
    "SoftsignT",
    "LogT",
    "ExpT",
    "PositiveT",
    "NegativeT",
    "AffineT",
    "ClipT",
    "ReluT",
    "PowerT",
    "ChainT",
    "MaskedT",
    "OrderedT",
    "SimplexT",
    "UnitVectorT",
]

ArrayLike = jax.typing.ArrayLike | u.Quantity
_UNITLESS = u.get_unit(1.0)


# ----------------------------------------------------------------------------- helpers


def save_exp(x: ArrayLike, max_value: float = 20.0) -> jax.Array:
    """Overflow-safe exponential, ``exp(min(x, max_value))``.

    Examples
    --------
    >>> float(save_exp(100.0)) == float(save_exp(20.0))
    True
    """
    return jnp.exp(jnp.minimum(x, max_value))


def _floating(x: Any) -> jax.Array:
    """``x`` as a jax array with a floating dtype (float32 unless ``x`` already floats)."""
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.float32)
    return x


def _concrete(v: Any) -> np.ndarray | None:
    """``v`` as a NumPy array, or None when it is traced (then checks are skipped)."""
    v = u.get_mantissa(v)
    if isinstance(v, jax.core.Tracer):
        return None
    return np.asarray(v)


def _bound(v: Any, unit: u.Unit) -> Any:
    """Mantissa of the bound ``v`` in ``unit``; a Python float when it is a concrete scalar."""
    m = v.to_decimal(unit) if isinstance(v, u.Quantity) else v
    a = _concrete(m)
    if a is None:
        return jnp.asarray(m)
    a = a.astype(float)
    return float(a) if a.ndim == 0 else a


def _unit_text(unit: u.Unit) -> str:
    return "a dimensionless value" if unit.is_unitless else f"a quantity in {unit}"


def _fmt(v: Any) -> str:
    """Short, readable text for a parameter value (used by ``__repr__``)."""
    if isinstance(v, Transform):
        return repr(v)
    if isinstance(v, u.Quantity):
        return f"{_fmt(v.mantissa)} * {v.unit}"
    if isinstance(v, bool | int | float):
        return repr(v)
    a = _concrete(v)
    if a is None:
        return f"Traced(shape={jnp.shape(v)})"
    if a.ndim == 0:
        return repr(a.item())
    if a.size <= 8:
        return repr(a.tolist())
    return f"Array(shape={a.shape}, dtype={a.dtype})"


def _key(v: Any) -> Any:
    """Hashable key of a parameter value (used by ``__eq__`` and ``__hash__``)."""
    if isinstance(v, Transform):
        return v
    if isinstance(v, tuple | list):
        return tuple(_key(i) for i in v)
    if isinstance(v, u.Quantity):
        return ("quantity", str(v.unit), _key(v.mantissa))
    if v is None or isinstance(v, str):
        return v
    a = _concrete(v)
    if a is None:
        return ("traced", id(v))
    return ("array", a.shape, tuple(a.ravel().tolist()))


def _common_unit(owner: str, **bounds: Any) -> u.Unit:
    """Unit of the first bound; every other bound must have the same dimension."""
    (first, v0), *rest = bounds.items()
    unit = u.get_unit(v0)
    for name, v in rest:
        if not u.get_unit(v).has_same_dim(unit):
            raise BrainSimValueError(
                f"{owner}({first}, {name}): {first} and {name} must have compatible units, "
                f"got {first}={_fmt(v0)} ({_unit_text(unit)}) and {name}={_fmt(v)} "
                f"({_unit_text(u.get_unit(v))}); write both in one unit, "
                f"e.g. {owner}(0 * u.mV, 10 * u.mV)"
            )
    return unit


def _unconstrained(t: Transform, x: Any) -> jax.Array:
    """Plain floating array of an unconstrained input (dimensionless Quantities accepted)."""
    if isinstance(x, u.Quantity):
        if not x.unit.is_unitless:
            raise BrainSimValueError(
                f"{t!r}.forward(x): expected an unconstrained plain number, got a quantity "
                f"in {x.unit}; the constrained value carries the unit, not x"
            )
        x = x.mantissa
    return _floating(x)


def _constrained(t: Transform, y: Any, unit: u.Unit) -> jax.Array:
    """Mantissa of a constrained value ``y`` in ``unit``, checking its dimension."""
    y_unit = u.get_unit(y)
    if not y_unit.has_same_dim(unit):
        raise BrainSimValueError(
            f"{t!r}.inverse(y): expected {_unit_text(unit)} (or a compatible unit), "
            f"got {_unit_text(y_unit)}; pass y like 1.0 * {unit}"
        )
    return _floating(y.to_decimal(unit) if isinstance(y, u.Quantity) else y)


def _wrap(m: jax.Array, unit: u.Unit) -> ArrayLike:
    return m if unit.is_unitless else u.Quantity(m, unit=unit)


def _one_bound(t: _UnitT, name: str, value: ArrayLike) -> Any:
    """Store the bound ``name`` on ``t``, take the unit from it, return its mantissa."""
    setattr(t, name, value)
    t._unit = u.get_unit(value)
    return _bound(value, t._unit)


def _softplus_inv(z: jax.Array) -> jax.Array:
    """Stable inverse of softplus: ``z + log(-expm1(-z))``."""
    return z + jnp.log(-jnp.expm1(-z))


def _check_order(t: _UnitT, finite: bool) -> None:
    """Check ``lower < upper`` (and finiteness) when the bounds are concrete."""
    a, b, name = _concrete(t._lo), _concrete(t._hi), type(t).__name__
    if a is None or b is None:
        return
    got = f"got lower={_fmt(t.lower)} and upper={_fmt(t.upper)}"
    if finite and not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise BrainSimValueError(
            f"{name}(lower, upper): expected finite bounds, {got}; use SoftplusT or "
            f"NegSoftplusT for a one-sided bound"
        )
    if not np.all(b > a):
        raise BrainSimValueError(f"{name}(lower, upper): expected upper > lower, {got}")


# ----------------------------------------------------------------------------- base


class Transform(abc.ABC):
    """Map between an unconstrained value ``x`` and a constrained value ``y``.

    ``forward(x)`` maps unconstrained to constrained, ``inverse(y)`` maps back, and
    calling the transform is ``forward``. Bijective transforms also provide
    ``log_abs_det_jacobian(x, y)``. Transforms compare equal when they have the same type
    and parameters, so they can serve as static arguments of :func:`jax.jit`.

    Examples
    --------
    >>> import brainunit as u
    >>> t = SoftplusT(1 * u.mV)
    >>> t
    SoftplusT(lower=1 * mV)
    >>> t.inverse(2 * u.mV)
    Array(0.5413, dtype=float32)
    >>> t(0.5413)
    Quantity(2., "mV")
    >>> t == SoftplusT(1 * u.mV)
    True
    """

    _fields: tuple[str, ...] = ()

    @abc.abstractmethod
    def forward(self, x: ArrayLike) -> ArrayLike:
        """Map the unconstrained ``x`` onto the constrained domain."""

    @abc.abstractmethod
    def inverse(self, y: ArrayLike) -> ArrayLike:
        """Map the constrained ``y`` back to the unconstrained space."""

    def __call__(self, x: ArrayLike) -> ArrayLike:
        return self.forward(x)

    def log_abs_det_jacobian(self, x: ArrayLike, y: ArrayLike | None = None) -> jax.Array:
        """``log |d forward / dx|`` at ``x`` (``y = forward(x)`` may be passed, unused)."""
        raise NotImplementedError(
            f"{type(self).__name__} is not a bijection, so it has no log_abs_det_jacobian"
        )

    def _params(self) -> tuple[tuple[str, Any], ...]:
        return tuple((f, getattr(self, f)) for f in self._fields)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_fmt(v)}" for k, v in self._params())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return _key(self._params()) == _key(other._params())

    def __hash__(self) -> int:
        return hash((type(self), _key(self._params())))


class _UnitT(Transform):
    """Element-wise transform on mantissas; subclasses set ``_unit`` and the three maths."""

    _unit: u.Unit = _UNITLESS

    def forward(self, x: ArrayLike) -> ArrayLike:
        x = _unconstrained(self, x)
        return _wrap(self._forward(x).astype(x.dtype), self._unit)

    def inverse(self, y: ArrayLike) -> jax.Array:
        y = _constrained(self, y, self._unit)
        return self._inverse(y).astype(y.dtype)

    def log_abs_det_jacobian(self, x: ArrayLike, y: ArrayLike | None = None) -> jax.Array:
        x = _unconstrained(self, x)
        return jnp.broadcast_to(self._ladj(x), x.shape).astype(x.dtype)

    @abc.abstractmethod
    def _forward(self, x: jax.Array) -> jax.Array: ...

    @abc.abstractmethod
    def _inverse(self, y: jax.Array) -> jax.Array: ...

    def _ladj(self, x: jax.Array) -> jax.Array:
        return Transform.log_abs_det_jacobian(self, x)


# ----------------------------------------------------------------------------- scalar


class IdentityT(Transform):
    """The identity, ``y = x``; Quantities pass through unchanged. Log-det is 0."""

    def forward(self, x: ArrayLike) -> ArrayLike:
        return x if isinstance(x, u.Quantity) else jnp.asarray(x)

    def inverse(self, y: ArrayLike) -> ArrayLike:
        return y if isinstance(y, u.Quantity) else jnp.asarray(y)

    def log_abs_det_jacobian(self, x: ArrayLike, y: ArrayLike | None = None) -> jax.Array:
        return jnp.zeros_like(_floating(u.get_mantissa(x)))


class SoftplusT(_UnitT):
    r"""Map onto :math:`(\mathrm{lower}, \infty)` with ``y = softplus(x) + lower``.

    Parameters
    ----------
    lower : float, array or Quantity, default 0.0
        Lower bound; its unit is the unit of ``forward``'s output.

    Examples
    --------
    >>> import brainunit as u
    >>> SoftplusT().forward(0.0)
    Array(0.6931, dtype=float32)
    >>> t = SoftplusT(1 * u.mV)
    >>> t.inverse(2 * u.mV)
    Array(0.5413, dtype=float32)
    >>> t.forward(t.inverse(2 * u.mV))
    Quantity(2., "mV")
    """

    _fields = ("lower",)

    def __init__(self, lower: ArrayLike = 0.0) -> None:
        self._lo = _one_bound(self, "lower", lower)

    def _forward(self, x):
        return jax.nn.softplus(x) + self._lo

    def _inverse(self, y):
        return _softplus_inv(y - self._lo)

    def _ladj(self, x):
        return jax.nn.log_sigmoid(x)


class NegSoftplusT(_UnitT):
    r"""Map onto :math:`(-\infty, \mathrm{upper})` with ``y = upper - softplus(-x)``.

    Parameters
    ----------
    upper : float, array or Quantity, default 0.0
        Upper bound; its unit is the unit of ``forward``'s output.
    """

    _fields = ("upper",)

    def __init__(self, upper: ArrayLike = 0.0) -> None:
        self._hi = _one_bound(self, "upper", upper)

    def _forward(self, x):
        return self._hi - jax.nn.softplus(-x)

    def _inverse(self, y):
        return -_softplus_inv(self._hi - y)

    def _ladj(self, x):
        return jax.nn.log_sigmoid(-x)


def _init_bounds(t: _UnitT, lower: ArrayLike, upper: ArrayLike, finite: bool) -> None:
    """Store and check ``lower < upper`` (compatible units) on a two-sided transform."""
    name = type(t).__name__
    t.lower, t.upper = lower, upper
    t._unit = _common_unit(name, lower=lower, upper=upper)
    t._lo = _bound(lower, t._unit)
    t._hi = _bound(upper, t._unit)
    _check_order(t, finite)


class _BoundedT(_UnitT):
    """``y = lower + (upper - lower) * squash(x)``: subclasses define ``_squash`` onto
    (0, 1), its inverse ``_unsquash`` and ``_log_dsquash = log |squash'|``."""

    _fields = ("lower", "upper")

    def __init__(self, lower: ArrayLike, upper: ArrayLike) -> None:
        _init_bounds(self, lower, upper, finite=True)
        self._width = self._hi - self._lo

    def _forward(self, x):
        return self._lo + self._width * self._squash(x)

    def _inverse(self, y):
        return self._unsquash((y - self._lo) / self._width)

    def _ladj(self, x):
        return jnp.log(self._width) + self._log_dsquash(x)


def _logit(z: jax.Array) -> jax.Array:
    """``-log(1/z - 1)``, written as ``log(z) - log1p(-z)`` for accuracy near 1."""
    return jnp.log(z) - jnp.log1p(-z)


class SigmoidT(_BoundedT):
    r"""Map onto :math:`(\mathrm{lower}, \mathrm{upper})` with a logistic sigmoid.

    ``y = lower + (upper - lower) / (1 + save_exp(-x))``; the inverse is the logit of
    ``z = (y - lower) / (upper - lower)``.

    Parameters
    ----------
    lower, upper : float, array or Quantity
        Bounds, ``upper > lower``, in compatible units (the output takes ``lower``'s).

    Examples
    --------
    >>> import brainunit as u
    >>> SigmoidT(0.0, 10.0).forward(0.0)
    Array(5., dtype=float32)
    >>> t = SigmoidT(0 * u.mV, 10 * u.mV)
    >>> t.inverse(7.5 * u.mV)
    Array(1.0986, dtype=float32)
    >>> t.forward(1.0986)
    Quantity(7.5, "mV")
    """

    def _squash(self, x):
        return 1.0 / (1.0 + save_exp(-x))

    def _unsquash(self, z):
        return _logit(z)

    def _log_dsquash(self, x):
        return jax.nn.log_sigmoid(x) + jax.nn.log_sigmoid(-x)


class ScaledSigmoidT(_BoundedT):
    """``y = lower + (upper - lower) * sigmoid(beta * x)``; ``beta`` positive and finite.

    Parameters
    ----------
    lower, upper : float, array or Quantity
        Bounds, ``upper > lower``, in compatible units.
    beta : float, default 1.0
        Slope of the sigmoid.
    """

    _fields = ("lower", "upper", "beta")

    def __init__(self, lower: ArrayLike, upper: ArrayLike, beta: float = 1.0) -> None:
        super().__init__(lower, upper)
        b = _concrete(beta)
        if isinstance(beta, u.Quantity) or (b is not None and not np.all(np.isfinite(b) & (b > 0))):
            raise BrainSimValueError(
                f"ScaledSigmoidT(beta): expected a positive, finite number such as 1.0, "
                f"got beta={_fmt(beta)}"
            )
        self.beta = beta
        self._beta = _bound(beta, _UNITLESS)

    def _squash(self, x):
        return 1.0 / (1.0 + save_exp(-self._beta * x))

    def _unsquash(self, z):
        return _logit(z) / self._beta

    def _log_dsquash(self, x):
        bx = self._beta * x
        return jnp.log(self._beta) + jax.nn.log_sigmoid(bx) + jax.nn.log_sigmoid(-bx)


class TanhT(_BoundedT):
    """``y = lower + (upper - lower) * (tanh(x) + 1) / 2``; inverse ``artanh(2z - 1)``."""

    def _squash(self, x):
        return (jnp.tanh(x) + 1.0) / 2.0

    def _unsquash(self, z):
        return jnp.arctanh(2.0 * z - 1.0)

    def _log_dsquash(self, x):
        a = jnp.abs(x)
        return math.log(2.0) - 2.0 * a - 2.0 * jnp.log1p(jnp.exp(-2.0 * a))


class SoftsignT(_BoundedT):
    """``y = lower + (upper - lower) * (x / (1 + |x|) + 1) / 2``; inverse ``s / (1 - |s|)``."""

    def _squash(self, x):
        return (x / (1.0 + jnp.abs(x)) + 1.0) / 2.0

    def _unsquash(self, z):
        s = 2.0 * z - 1.0
        return s / (1.0 - jnp.abs(s))

    def _log_dsquash(self, x):
        return -math.log(2.0) - 2.0 * jnp.log1p(jnp.abs(x))


class ClipT(_UnitT):
    """``clip(x, lower, upper)`` both ways. Not a bijection (no log-det)."""

    _fields = ("lower", "upper")

    def __init__(self, lower: ArrayLike, upper: ArrayLike) -> None:
        _init_bounds(self, lower, upper, finite=False)

    def _forward(self, x):
        return jnp.clip(x, self._lo, self._hi)

    def _inverse(self, y):
        return jnp.clip(y, self._lo, self._hi)


class LogT(_UnitT):
    r"""Map onto :math:`(\mathrm{lower}, \infty)` with ``y = lower + save_exp(x)``.

    The inverse is ``log(y - lower)``; the output takes ``lower``'s unit.
    """

    _fields = ("lower",)

    def __init__(self, lower: ArrayLike) -> None:
        self._lo = _one_bound(self, "lower", lower)

    def _forward(self, x):
        return self._lo + save_exp(x)

    def _inverse(self, y):
        return jnp.log(y - self._lo)

    def _ladj(self, x):
        return x


class ExpT(LogT):
    """Same maps as :class:`LogT` (the reference API has both names)."""


class PositiveT(LogT):
    """Map onto the positive reals with ``y = save_exp(x)``; inverse ``log(y)``."""

    _fields = ()

    def __init__(self) -> None:
        super().__init__(0.0)


class NegativeT(NegSoftplusT):
    """Map onto the negative reals with ``y = -softplus(-x)``; ``NegSoftplusT(0.0)``."""

    _fields = ()

    def __init__(self) -> None:
        super().__init__(0.0)


class AffineT(_UnitT):
    """``y = scale * x + shift``; the output takes ``scale``'s unit.

    Parameters
    ----------
    scale : float, array or Quantity
        Non-zero slope.
    shift : float, array or Quantity
        Offset, in a unit compatible with ``scale``.
    """

    _fields = ("scale", "shift")

    def __init__(self, scale: ArrayLike, shift: ArrayLike) -> None:
        self.scale, self.shift = scale, shift
        self._unit = _common_unit("AffineT", scale=scale, shift=shift)
        self._a = _bound(scale, self._unit)
        self._b = _bound(shift, self._unit)
        a = _concrete(self._a)
        if a is not None and np.any(np.abs(a) < 1e-8):
            raise BrainSimValueError(
                f"AffineT(scale): expected a non-zero scale so the map can be inverted, "
                f"got scale={_fmt(scale)}"
            )

    def _forward(self, x):
        return self._a * x + self._b

    def _inverse(self, y):
        return (y - self._b) / self._a

    def _ladj(self, x):
        return jnp.log(jnp.abs(self._a)) + jnp.zeros_like(x)


class ReluT(_UnitT):
    """``y = relu(x) + lower_bound``; inverse ``relu(y - lower_bound)``. Not a bijection."""

    _fields = ("lower_bound",)

    def __init__(self, lower_bound: ArrayLike = 0.0) -> None:
        self._lo = _one_bound(self, "lower_bound", lower_bound)

    def _forward(self, x):
        return jax.nn.relu(x) + self._lo

    def _inverse(self, y):
        return jax.nn.relu(y - self._lo)


class PowerT(_UnitT):
    """Box-Cox map of positive ``x``: ``(x**lmbda - 1) / lmbda``, or ``log(x)`` when
    ``lmbda`` is about 0. Inverse ``(lmbda * y + 1) ** (1 / lmbda)``, or ``exp(y)``.

    Parameters
    ----------
    lmbda : float, default 0.5
        Concrete, finite exponent.
    """

    _fields = ("lmbda",)

    def __init__(self, lmbda: float = 0.5) -> None:
        lam = _concrete(lmbda)
        if isinstance(lmbda, u.Quantity) or lam is None or lam.ndim or not np.isfinite(lam):
            raise BrainSimValueError(
                f"PowerT(lmbda): expected a concrete, finite scalar such as 0.5, "
                f"got lmbda={_fmt(lmbda)}"
            )
        self.lmbda = lmbda
        self._lam = float(lam)
        self._is_log = abs(self._lam) < 1e-6

    def _forward(self, x):
        if self._is_log:
            return jnp.log(x)
        return jnp.expm1(self._lam * jnp.log(x)) / self._lam

    def _inverse(self, y):
        if self._is_log:
            return jnp.exp(y)
        return jnp.exp(jnp.log1p(self._lam * y) / self._lam)

    def _ladj(self, x):
        return (self._lam - 1.0) * jnp.log(x)


from ._transforms_vec import ChainT, MaskedT, OrderedT, SimplexT, UnitVectorT  # noqa: E402
