"""Parameter initialisation: :func:`param` and the initializer classes.

An initializer is a callable ``init(shape, key=None, dtype=None) -> array``. Random
initializers draw their key from :mod:`brainsim.random` when no ``key`` is given, so inside
brainsim transforms the global key is threaded like any other State. Every initializer takes
an optional ``unit=`` and then returns a :class:`brainunit.Quantity`.

This is a low layer: it depends only on ``brainsim.environ``, ``brainsim.random`` (imported
lazily, when a key is needed) and ``brainsim._errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from . import environ
from ._errors import BrainSimTypeError, BrainSimValueError

__all__ = [
    "param",
    "Initializer",
    "Constant",
    "ZeroInit",
    "OneInit",
    "Identity",
    "Uniform",
    "Normal",
    "TruncatedNormal",
    "LogNormal",
    "Gamma",
    "Exponential",
    "VarianceScaling",
    "KaimingNormal",
    "KaimingUniform",
    "XavierNormal",
    "XavierUniform",
    "LecunNormal",
    "LecunUniform",
    "Orthogonal",
    "DeltaOrthogonal",
]

Shape = int | Sequence[int]
_ARRAY_TYPES = (np.ndarray, jax.Array, u.Quantity)

# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _to_shape(sizes: Any, where: str) -> tuple[int, ...]:
    """Normalise an int or a sequence of ints to a shape tuple, with a clear error."""
    if isinstance(sizes, (int, np.integer)) and not isinstance(sizes, bool):
        dims = (int(sizes),)
    elif isinstance(sizes, (tuple, list)) and all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in sizes
    ):
        dims = tuple(int(d) for d in sizes)
    else:
        raise BrainSimTypeError(
            f"{where}: expected an int or a tuple of ints such as (10,) or (4, 10), "
            f"got {sizes!r} of type {type(sizes).__name__}."
        )
    if any(d < 0 for d in dims):
        raise BrainSimValueError(f"{where}: dimensions must be >= 0, got {dims}.")
    return dims


def _is_scalar(x: Any) -> bool:
    if isinstance(x, (bool, int, float, complex, np.number, np.bool_)):
        return True
    return isinstance(x, _ARRAY_TYPES) and np.ndim(x) == 0


def _broadcasts(src: tuple[int, ...], dst: tuple[int, ...]) -> bool:
    """True when an array of shape ``src`` broadcasts to exactly ``dst``."""
    try:
        return tuple(np.broadcast_shapes(src, dst)) == tuple(dst)
    except ValueError:
        return False


def _concrete(x: Any) -> np.ndarray | None:
    """``x`` as a NumPy array, or None when it is traced (checks are then skipped)."""
    try:
        return np.asarray(x)
    except Exception:  # tracers cannot be converted
        return None


def _check_unit(owner: str, unit: Any) -> u.Unit | None:
    if unit is None or isinstance(unit, u.Unit):
        return unit
    raise BrainSimTypeError(
        f"{owner}(unit={unit!r}): expected a brainunit Unit such as u.mV, or None, got "
        f"{type(unit).__name__}. To give the value itself a unit, pass it as a Quantity."
    )


def _resolve_units(owner: str, unit: u.Unit | None, **values: Any) -> tuple[Any, dict]:
    """Find the output unit and the plain mantissas of the location/scale arguments.

    The output unit is ``unit`` when given, else the unit of the first Quantity argument.
    Quantity arguments are converted to it; plain numbers are read in ``unit`` when it was
    given explicitly, and otherwise must be zero when mixed with Quantities.
    """
    unit = _check_unit(owner, unit)
    target = unit
    if target is None:
        for v in values.values():
            if isinstance(v, u.Quantity) and not u.get_unit(v).is_unitless:
                target = u.get_unit(v)
                break
    plain = {}
    for name, v in values.items():
        if isinstance(v, u.Quantity) and u.get_unit(v).is_unitless:
            v = u.maybe_decimal(v)
        if isinstance(v, u.Quantity):
            try:
                plain[name] = v.to_decimal(target)
            except Exception as err:
                raise BrainSimValueError(
                    f"{owner}({name}={v}): expected a value compatible with the unit "
                    f"{target}, got the unit {v.unit}."
                ) from err
        else:
            arr = _concrete(v)
            if unit is None and target is not None and arr is not None and np.any(arr != 0):
                raise BrainSimValueError(
                    f"{owner}({name}={v!r}): the other arguments carry the unit {target}, "
                    f"so give {name} a unit too (e.g. {v!r} * u.{target}), or pass plain "
                    f"numbers together with unit=u.{target}."
                )
            plain[name] = v
    if target is not None and target.is_unitless:
        target = None
    return target, plain


def _dimensionless(owner: str, name: str, v: Any) -> Any:
    if isinstance(v, u.Quantity):
        if not u.get_unit(v).is_unitless:
            raise BrainSimValueError(
                f"{owner}({name}={v}): expected a dimensionless number, got the unit "
                f"{v.unit}. Use unit= to give the output a unit."
            )
        return u.maybe_decimal(v)
    return v


def _require(ok: Callable[[np.ndarray], Any], value: Any, message: str) -> None:
    """Raise ``BrainSimValueError(message)`` unless ``ok(value)``; skipped for tracers."""
    arr = _concrete(value)
    if arr is not None and not np.all(ok(arr)):
        raise BrainSimValueError(message)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, u.Quantity) or isinstance(b, u.Quantity):
        if not (isinstance(a, u.Quantity) and isinstance(b, u.Quantity)):
            return False
        return a.unit == b.unit and _same(a.mantissa, b.mantissa)
    if isinstance(a, _ARRAY_TYPES) or isinstance(b, _ARRAY_TYPES):
        x, y = _concrete(a), _concrete(b)
        if x is None or y is None:
            return a is b
        return x.shape == y.shape and bool(np.array_equal(x, y))
    try:
        return bool(a == b)
    except Exception:
        return False


# --------------------------------------------------------------------------------------
# param
# --------------------------------------------------------------------------------------


def param(
    init: Any,
    sizes: Shape,
    batch_size: int | None = None,
    allow_none: bool = True,
    allow_scalar: bool = True,
) -> Any:
    """Turn a parameter specification into a value of the given size.

    Parameters
    ----------
    init : None, callable, scalar, array or Quantity
        - ``None`` gives ``None`` (an error when ``allow_none=False``).
        - A callable (e.g. an :class:`Initializer`) is called as ``init(shape)`` with
          ``shape = (batch_size, *sizes)``, or ``sizes`` when ``batch_size`` is None.
        - A scalar (Python number, 0-d array or 0-d Quantity) is returned unchanged, or
          broadcast to ``shape`` when ``allow_scalar=False``.
        - An array or Quantity must broadcast to ``sizes``. With ``batch_size`` it is
          repeated along a new leading axis, unless it already has a leading batch axis
          of length ``batch_size``.
    sizes : int or sequence of int
        The shape without the batch axis.
    batch_size : int, optional
        Size of a leading batch axis (a positive int), or None for no batch axis.
    allow_none : bool
        Whether ``init=None`` is accepted.
    allow_scalar : bool
        Whether scalars are returned as they are.

    Returns
    -------
    None, scalar, array or Quantity
        Units are preserved: a Quantity in gives a Quantity out.

    Raises
    ------
    BrainSimValueError
        For ``None`` when not allowed, a shape that does not broadcast to ``sizes``, or a
        leading batch axis of the wrong length.
    BrainSimTypeError
        For an ``init`` of an unsupported type, or malformed ``sizes`` / ``batch_size``.

    Examples
    --------
    >>> import brainunit as u
    >>> import jax.numpy as jnp
    >>> from brainsim import init
    >>> init.param(2.0, (3,))
    2.0
    >>> init.param(init.Constant(1.0), (3,), batch_size=2).shape
    (2, 3)
    >>> v = init.param(jnp.zeros(3) * u.mV, 3, batch_size=4)
    >>> v.shape, v.unit
    ((4, 3), Unit("mV"))
    """
    if init is None:
        if allow_none:
            return None
        raise BrainSimValueError(
            "param(init=None, allow_none=False): a value is required; pass a number, an "
            "array, a Quantity or an initializer such as init.Constant(0.0)."
        )
    sizes = _to_shape(sizes, "param(sizes=...)")
    if batch_size is not None and (
        not isinstance(batch_size, (int, np.integer))
        or isinstance(batch_size, bool)
        or batch_size < 1
    ):
        raise BrainSimValueError(
            f"param(batch_size={batch_size!r}): expected None or a positive int."
        )
    shape = sizes if batch_size is None else (int(batch_size), *sizes)

    if isinstance(init, type):
        raise BrainSimTypeError(
            f"param(init={init.__name__}): got a class, expected an instance; "
            f"write {init.__name__}(...) instead."
        )
    if callable(init):
        return init(shape)
    if _is_scalar(init):
        if allow_scalar:
            return init
        if isinstance(init, float):
            init = jnp.asarray(init, dtype=environ.dftype())
        return u.math.broadcast_to(init, shape)
    if not isinstance(init, _ARRAY_TYPES):
        raise BrainSimTypeError(
            f"param(init=...): expected None, a number, an array, a Quantity or a callable "
            f"initializer, got {type(init).__name__}. Wrap sequences with jnp.asarray(...)."
        )

    arr_shape = tuple(np.shape(init))
    if batch_size is not None and len(arr_shape) == len(sizes) + 1:
        # The value already carries a leading batch axis.
        if not _broadcasts(arr_shape[1:], sizes):
            raise BrainSimValueError(
                f"param(): the value's shape {arr_shape} does not broadcast to "
                f"(batch_size, *sizes) = {shape}."
            )
        if arr_shape[0] != batch_size:
            raise BrainSimValueError(
                f"param(): the value's leading batch axis has length {arr_shape[0]} but "
                f"batch_size={batch_size}; give a value of shape {sizes} (repeated over the "
                f"batch) or one of shape {shape}."
            )
        return init
    if not _broadcasts(arr_shape, sizes):
        raise BrainSimValueError(
            f"param(): the value's shape {arr_shape} does not broadcast to sizes {sizes}."
        )
    if batch_size is None:
        return init
    value = u.math.reshape(init, (1,) * (len(sizes) - len(arr_shape)) + arr_shape)
    return u.math.repeat(u.math.expand_dims(value, axis=0), int(batch_size), axis=0)


# --------------------------------------------------------------------------------------
# base class
# --------------------------------------------------------------------------------------


class Initializer:
    """Base class of initializers: ``init(shape, key=None, dtype=None) -> array``.

    ``shape`` is an int or a tuple of ints, ``key`` a JAX PRNG key (drawn from
    ``brainsim.random`` when None) and ``dtype`` defaults to ``environ.dftype()``. With
    ``unit=`` the result is a Quantity.

    Subclasses implement ``_generate(shape, key, dtype)`` returning a plain array (random
    ones get their key from ``self._key(key)``), and keep the arguments they were built with
    in ``self._args`` (used for ``repr`` and ``==``) and the output unit in ``self._unit``.
    Any plain callable ``f(shape)`` is also accepted by :func:`param`.
    """

    def __init__(self, unit: u.Unit | None = None):
        self.unit = unit
        self._args: dict[str, Any] = {"unit": unit}
        self._unit = _check_unit(type(self).__name__, unit)

    def __call__(self, shape: Shape, key: jax.Array | None = None, dtype: Any = None) -> Any:
        shape = _to_shape(shape, f"{type(self).__name__}(...)(shape=...)")
        if isinstance(key, (int, np.integer)):
            raise BrainSimTypeError(
                f"{type(self).__name__}(...)(key={key!r}): expected a JAX PRNG key such as "
                f"jax.random.PRNGKey({key}), not an int seed."
            )
        dtype = environ.dftype() if dtype is None else dtype
        value = self._generate(shape, key, dtype)
        return value if self._unit is None else u.Quantity(value, unit=self._unit)

    def _generate(self, shape: tuple[int, ...], key: Any, dtype: Any) -> jax.Array:
        raise NotImplementedError(f"{type(self).__name__} must implement _generate().")

    @staticmethod
    def _key(key: Any) -> jax.Array:
        if key is not None:
            return key
        from . import random as _random  # lazy: random sits above init in import order

        return _random.split_key()

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}"
            for k, v in self._args.items()
            if not (k == "unit" and v is None)
        )
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return self._args.keys() == other._args.keys() and all(
            _same(v, other._args[k]) for k, v in self._args.items()
        )

    def __hash__(self) -> int:
        return hash((type(self), tuple(self._args)))


# --------------------------------------------------------------------------------------
# deterministic initializers
# --------------------------------------------------------------------------------------


class Constant(Initializer):
    """Fill with a constant value.

    Parameters
    ----------
    value : number, array or Quantity
        The value; an array must broadcast to the requested shape. A Quantity value gives a
        Quantity output in its unit.
    unit : brainunit Unit, optional
        Unit of the output (``value`` is then read in this unit).

    Examples
    --------
    >>> import brainunit as u
    >>> from brainsim import init
    >>> init.Constant(5 * u.mV)((2,))
    Quantity([5. 5.], "mV")
    >>> init.Constant(0.5)((2, 3)).shape
    (2, 3)
    """

    def __init__(self, value: Any = 0.0, unit: u.Unit | None = None):
        self.value, self.unit = value, unit
        self._args = {"value": value, "unit": unit}
        self._unit, m = _resolve_units(type(self).__name__, unit, value=value)
        self._value = m["value"]

    def _generate(self, shape, key, dtype):
        vshape = tuple(np.shape(self._value))
        if not _broadcasts(vshape, shape):
            raise BrainSimValueError(
                f"{self!r}: the value's shape {vshape} does not broadcast to the requested "
                f"shape {shape}."
            )
        return jnp.full(shape, self._value, dtype=dtype)


class ZeroInit(Constant):
    """Fill with zeros (``Constant(0.0)``), optionally in a unit."""

    def __init__(self, unit: u.Unit | None = None):
        super().__init__(0.0, unit)
        self._args = {"unit": unit}


class OneInit(Constant):
    """Fill with ``value`` (default 1), optionally in a unit."""

    def __init__(self, value: Any = 1.0, unit: u.Unit | None = None):
        super().__init__(value, unit)


class Identity(Initializer):
    """``value`` times the identity matrix on the last two axes (needs ``ndim >= 2``)."""

    def __init__(self, value: Any = 1.0, unit: u.Unit | None = None):
        self.value, self.unit = value, unit
        self._args = {"value": value, "unit": unit}
        self._unit, m = _resolve_units("Identity", unit, value=value)
        self._value = m["value"]

    def _generate(self, shape, key, dtype):
        if len(shape) < 2:
            raise BrainSimValueError(
                f"Identity(...)(shape={shape}): needs a shape with at least 2 dimensions."
            )
        eye = jnp.eye(shape[-2], shape[-1], dtype=dtype)
        return jnp.broadcast_to(eye * jnp.asarray(self._value, dtype=dtype), shape)


# --------------------------------------------------------------------------------------
# random initializers with location / scale
# --------------------------------------------------------------------------------------


class Uniform(Initializer):
    """Uniform distribution on ``[min_val, max_val)``.

    Parameters
    ----------
    min_val, max_val : number, array or Quantity
        Bounds, with ``max_val > min_val``.
    unit : brainunit Unit, optional
        Unit of the output.
    """

    def __init__(self, min_val: Any = 0.0, max_val: Any = 1.0, unit: u.Unit | None = None):
        self.min_val, self.max_val, self.unit = min_val, max_val, unit
        self._args = {"min_val": min_val, "max_val": max_val, "unit": unit}
        self._unit, m = _resolve_units("Uniform", unit, min_val=min_val, max_val=max_val)
        self._lo, self._hi = m["min_val"], m["max_val"]
        lo, hi = _concrete(self._lo), _concrete(self._hi)
        if lo is not None and hi is not None and not np.all(hi > lo):
            raise BrainSimValueError(
                f"Uniform(min_val={min_val}, max_val={max_val}): expected max_val > min_val."
            )

    def _generate(self, shape, key, dtype):
        return jax.random.uniform(self._key(key), shape, dtype, minval=self._lo, maxval=self._hi)


class Normal(Initializer):
    """Normal distribution with mean ``mean`` and standard deviation ``std``.

    Parameters
    ----------
    mean : number, array or Quantity
        Mean.
    std : number, array or Quantity
        Standard deviation, ``>= 0``.
    unit : brainunit Unit, optional
        Unit of the output; ``mean`` and ``std`` are then read in this unit.

    Examples
    --------
    >>> import jax
    >>> import brainunit as u
    >>> from brainsim import init
    >>> w = init.Normal(0.0, 1.0, unit=u.mV)((3,), key=jax.random.PRNGKey(0))
    >>> w.shape, w.unit, w.dtype
    ((3,), Unit("mV"), dtype('float32'))
    >>> init.Normal(-65.0 * u.mV, 2.0 * u.mV)((4, 2), key=jax.random.PRNGKey(1)).unit
    Unit("mV")

    Without ``key`` the key is drawn from ``brainsim.random`` (so two calls differ):

    >>> init.Normal()((2, 3)).shape
    (2, 3)
    """

    def __init__(self, mean: Any = 0.0, std: Any = 1.0, unit: u.Unit | None = None):
        self.mean, self.std, self.unit = mean, std, unit
        self._args = {"mean": mean, "std": std, "unit": unit}
        self._unit, m = _resolve_units("Normal", unit, mean=mean, std=std)
        self._mean, self._std = m["mean"], m["std"]
        _require(lambda s: s >= 0, self._std, f"Normal(std={std}): expected std >= 0.")

    def _generate(self, shape, key, dtype):
        z = jax.random.normal(self._key(key), shape, dtype)
        return (z * jnp.asarray(self._std, dtype) + jnp.asarray(self._mean, dtype)).astype(dtype)


class TruncatedNormal(Initializer):
    """Normal distribution truncated to ``[mean + lower*std, mean + upper*std]``.

    ``lower`` and ``upper`` are in units of ``std`` (the default keeps two standard
    deviations either side). ``mean`` and ``std`` are those of the normal before
    truncation.
    """

    def __init__(
        self,
        mean: Any = 0.0,
        std: Any = 1.0,
        lower: Any = -2.0,
        upper: Any = 2.0,
        unit: u.Unit | None = None,
    ):
        self.mean, self.std, self.unit = mean, std, unit
        self.lower = _dimensionless("TruncatedNormal", "lower", lower)
        self.upper = _dimensionless("TruncatedNormal", "upper", upper)
        self._args = {"mean": mean, "std": std, "lower": lower, "upper": upper, "unit": unit}
        self._unit, m = _resolve_units("TruncatedNormal", unit, mean=mean, std=std)
        self._mean, self._std = m["mean"], m["std"]
        _require(lambda s: s >= 0, self._std, f"TruncatedNormal(std={std}): expected std >= 0.")
        lo, hi = _concrete(self.lower), _concrete(self.upper)
        if lo is not None and hi is not None and not np.all(lo < hi):
            raise BrainSimValueError(
                f"TruncatedNormal(lower={lower}, upper={upper}): expected lower < upper."
            )

    def _generate(self, shape, key, dtype):
        z = jax.random.truncated_normal(self._key(key), self.lower, self.upper, shape, dtype)
        return (z * jnp.asarray(self._std, dtype) + jnp.asarray(self._mean, dtype)).astype(dtype)


class LogNormal(Initializer):
    """``exp(N(mean, sigma))``: ``mean`` and ``sigma`` are those of the underlying normal
    (dimensionless); ``unit`` gives the output a unit."""

    def __init__(self, mean: Any = 0.0, sigma: Any = 1.0, unit: u.Unit | None = None):
        self.mean = _dimensionless("LogNormal", "mean", mean)
        self.sigma = _dimensionless("LogNormal", "sigma", sigma)
        self.unit = unit
        self._args = {"mean": mean, "sigma": sigma, "unit": unit}
        self._unit = _resolve_units("LogNormal", unit)[0]
        _require(lambda s: s >= 0, self.sigma, f"LogNormal(sigma={sigma}): expected sigma >= 0.")

    def _generate(self, shape, key, dtype):
        z = jax.random.normal(self._key(key), shape, dtype)
        return jnp.exp(z * jnp.asarray(self.sigma, dtype) + jnp.asarray(self.mean, dtype))


class Gamma(Initializer):
    """Gamma distribution with shape ``shape`` (k > 0) and scale ``scale`` (theta > 0)."""

    def __init__(self, shape: Any, scale: Any = 1.0, unit: u.Unit | None = None):
        self.scale, self.unit = scale, unit
        self._args = {"shape": shape, "scale": scale, "unit": unit}
        self._k = _dimensionless("Gamma", "shape", shape)
        self._unit, m = _resolve_units("Gamma", unit, scale=scale)
        self._scale = m["scale"]
        _require(lambda k: k > 0, self._k, f"Gamma(shape={shape}): expected shape > 0.")
        _require(lambda s: s > 0, self._scale, f"Gamma(scale={scale}): expected scale > 0.")

    def _generate(self, shape, key, dtype):
        k = jnp.broadcast_to(jnp.asarray(self._k, dtype), shape)
        return jax.random.gamma(self._key(key), k, shape, dtype) * jnp.asarray(self._scale, dtype)


class Exponential(Initializer):
    """Exponential distribution with scale ``scale`` (the mean, ``1 / rate``, > 0)."""

    def __init__(self, scale: Any = 1.0, unit: u.Unit | None = None):
        self.scale, self.unit = scale, unit
        self._args = {"scale": scale, "unit": unit}
        self._unit, m = _resolve_units("Exponential", unit, scale=scale)
        self._scale = m["scale"]
        _require(lambda s: s > 0, self._scale, f"Exponential(scale={scale}): expected scale > 0.")

    def _generate(self, shape, key, dtype):
        z = jax.random.exponential(self._key(key), shape, dtype)
        return z * jnp.asarray(self._scale, dtype)


# The variance-scaling family and the orthogonal initializers live in ``_init_fan.py``
# (they build on ``Initializer`` above).
from ._init_fan import DeltaOrthogonal as DeltaOrthogonal  # noqa: E402
from ._init_fan import KaimingNormal as KaimingNormal  # noqa: E402
from ._init_fan import KaimingUniform as KaimingUniform  # noqa: E402
from ._init_fan import LecunNormal as LecunNormal  # noqa: E402
from ._init_fan import LecunUniform as LecunUniform  # noqa: E402
from ._init_fan import Orthogonal as Orthogonal  # noqa: E402
from ._init_fan import VarianceScaling as VarianceScaling  # noqa: E402
from ._init_fan import XavierNormal as XavierNormal  # noqa: E402
from ._init_fan import XavierUniform as XavierUniform  # noqa: E402
