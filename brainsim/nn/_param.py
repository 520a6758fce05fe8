"""``Param``: a value stored behind a bijective transform, with an optional prior.

The *unconstrained* value ``t.inverse(value)`` is what optimizers see (a ``ParamState``
named ``val``); :meth:`Param.value` returns ``t.forward(val)``. ``SoftplusT`` keeps a time
constant positive while training; a regularizer (``reg=``) feeds :meth:`Module.reg_loss`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import brainunit as u
import jax.numpy as jnp
import numpy as np

from .. import environ
from .._errors import BrainSimTypeError, BrainSimValueError
from .._state import ParamState
from ._module import Module
from ._regularization import Regularization
from ._transforms import IdentityT, Transform

__all__ = ["Param", "Const"]

# One process-wide re-entrant lock guards every Param cache (a lock per Param would make
# Params impossible to deep-copy).
_CACHE_LOCK = threading.RLock()


def _as_float(value: Any) -> Any:
    dtype = environ.dftype()
    if isinstance(value, u.Quantity):
        return u.Quantity(jnp.asarray(value.mantissa, dtype=dtype), unit=value.unit)
    if isinstance(value, ParamState):
        raise BrainSimTypeError(
            "Param(value=...): got a ParamState; pass its value (state.value) instead."
        )
    try:
        return jnp.asarray(value, dtype=dtype)
    except TypeError as err:
        raise BrainSimTypeError(
            f"Param(value=...): expected a number, an array or a brainunit Quantity, got "
            f"{type(value).__name__}."
        ) from err


class _ValueAccessor:
    """``param.value``: call it for the array; ``.shape`` / ``.dtype`` / ``.ndim`` delegate."""

    __slots__ = ("_param",)

    def __init__(self, param: Param) -> None:
        self._param = param

    def __call__(self) -> Any:
        return self._param._constrained()

    def __getattr__(self, item: str) -> Any:
        return getattr(self._param._constrained(), item)

    def __repr__(self) -> str:
        return repr(self._param._constrained())


class Param(Module):
    """A parameter stored behind a bijective transform, with an optional regularizer.

    Parameters
    ----------
    value
        The initial *constrained* value (number, array or Quantity). It is converted to the
        environment float dtype; a Quantity keeps its unit.
    t
        A :class:`Transform` (default :class:`IdentityT`). ``t.inverse(value)`` is stored.
    reg
        Optional :class:`Regularization`; :meth:`reg_loss` returns ``reg.loss(value())``.
    precompute
        Optional callable applied after ``t.forward`` by :meth:`value`.
    fit
        If True the stored value is a :class:`~brainsim.ParamState` (trainable); if False
        a raw array, invisible to ``grad`` and optimizers.
    name
        Optional name.

    Examples
    --------
    >>> import jax, jax.numpy as jnp, brainunit as u, brainsim
    >>> from brainsim.nn import Param, SoftplusT, L2Reg
    >>> tau = Param(10.0, t=SoftplusT())
    >>> tau.value()
    Array(10., dtype=float32)
    >>> tau.val.value            # the unconstrained number optimizers update
    Array(9.999954, dtype=float32)
    >>> p = Param(2 * u.mV, t=SoftplusT(1 * u.mV))
    >>> p.value(), p.val.value
    (Quantity(2., "mV"), Array(0.54132485, dtype=float32))
    >>> w = Param(jnp.array([1.0, 2.0]), reg=L2Reg(0.1))
    >>> w.reg_loss()
    Array(0.5, dtype=float32)
    >>> w.value.shape
    (2,)
    """

    graph_invisible_attrs = ("_cache_value", "_cache_src", "_cache_count", "precompute")

    def __init__(
        self,
        value: Any,
        t: Transform = IdentityT(),
        reg: Regularization | None = None,
        precompute: Callable[[Any], Any] | None = None,
        fit: bool = True,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        cls = type(self).__name__
        if not isinstance(t, Transform):
            raise BrainSimTypeError(
                f"{cls}(t=...): expected an instance of Transform (e.g. SoftplusT()), got "
                f"{type(t).__name__}."
            )
        if reg is not None and not isinstance(reg, Regularization):
            raise BrainSimValueError(
                f"{cls}(reg=...): expected None or a Regularization (e.g. L2Reg(1e-3)), got "
                f"{type(reg).__name__}."
            )
        if precompute is not None and not callable(precompute):
            raise BrainSimTypeError(
                f"{cls}(precompute=...): expected a callable or None, got "
                f"{type(precompute).__name__}."
            )
        if not isinstance(fit, bool | np.bool_):
            raise BrainSimTypeError(f"{cls}(fit=...): expected a bool, got {fit!r}.")
        self.fit = bool(fit)
        self.t = t
        self.reg = reg
        self.precompute = precompute
        raw = t.inverse(_as_float(value))
        self.val = ParamState(raw) if self.fit else raw
        self._cache_value: Any = None
        self._cache_src: Any = None
        self._cache_count = 0

    # ------------------------------------------------------------------ values
    def _raw(self) -> Any:
        return self.val.value if self.fit else self.val

    def _compute(self, raw: Any) -> Any:
        out = self.t.forward(raw)
        if self.precompute is not None:
            out = self.precompute(out)
        return out

    def _constrained(self) -> Any:
        raw = self._raw()  # a read: transforms see the ParamState even when cached
        with _CACHE_LOCK:
            if self._cache_value is not None and self._cache_src is raw:
                return self._cache_value
        return self._compute(raw)

    @property
    def value(self) -> _ValueAccessor:
        """Call it (``p.value()``) for the constrained value; never fills the cache."""
        return _ValueAccessor(self)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(np.shape(self._constrained()))

    def set_value(self, value: Any) -> None:
        """Store ``t.inverse(value)`` and invalidate the cache."""
        raw = self.t.inverse(_as_float(value))
        if self.fit:
            self.val.value = raw
        else:
            self.val = raw
        self.clear_cache()

    def reg_loss(self) -> Any:
        """``reg.loss(value())`` when trainable and regularized, else ``0.0``."""
        if not self.fit or self.reg is None:
            return 0.0
        return self.reg.loss(self._constrained())

    def reset_to_prior(self) -> None:
        """``set_value(reg.reset_value())``; does nothing without a regularizer."""
        if self.reg is None:
            return
        value = self.reg.reset_value()
        cur = self._constrained()
        unit = u.get_unit(cur)
        if not isinstance(value, u.Quantity) and not unit.is_unitless:
            value = value * unit
        self.set_value(u.math.broadcast_to(value, np.shape(cur)))

    def clip(self, min_val: Any = None, max_val: Any = None) -> None:
        """Clip the constrained value (before ``precompute``) and write it back."""
        v = self.t.forward(self._raw())
        self.set_value(u.math.clip(v, min_val, max_val))

    # ------------------------------------------------------------------ cache
    def cache(self) -> Any:
        """Compute the constrained value, cache it and return it."""
        raw = self._raw()
        out = self._compute(raw)  # if forward raises, nothing is cached
        with _CACHE_LOCK:
            self._cache_value, self._cache_src = out, raw
        return out

    def clear_cache(self) -> None:
        """Drop the cached value."""
        with _CACHE_LOCK:
            self._cache_value = self._cache_src = None

    @property
    def cache_stats(self) -> dict[str, bool]:
        """``{'valid': ..., 'has_cached_value': ...}``."""
        raw = self.val._value if self.fit else self.val
        with _CACHE_LOCK:
            has = self._cache_value is not None
            return {"valid": has and self._cache_src is raw, "has_cached_value": has}

    def _cache_enter(self) -> None:
        with _CACHE_LOCK:
            self._cache_count += 1
            if self._cache_count == 1 or not self.cache_stats["valid"]:
                try:
                    self.cache()
                except BaseException:
                    self._cache_count -= 1
                    raise

    def _cache_exit(self) -> None:
        with _CACHE_LOCK:
            self._cache_count = max(self._cache_count - 1, 0)
            if self._cache_count == 0:
                self.clear_cache()

    # ------------------------------------------------------------------ construction
    @classmethod
    def init(
        cls, data: Any, sizes: Any = None, allow_none: bool = True, **kwargs: Any
    ) -> Param | None:
        """Turn ``data`` into a Param checked against ``sizes``.

        ``None`` -> ``None`` (or an error with ``allow_none=False``); a Param is returned
        unchanged; a callable is called as ``data(sizes, **kwargs)``; anything else is
        wrapped as :class:`Const`. The shape must broadcast to ``sizes``.

        >>> from brainsim.nn import Param
        >>> Param.init(0.5, (3,)).value()
        Array(0.5, dtype=float32)
        >>> Param.init(lambda s: [1.0] * s[0], 2).value()
        Array([1., 1.], dtype=float32)
        """
        if isinstance(sizes, str):
            raise BrainSimValueError(
                f"Param.init(sizes=...): expected an int, list or tuple of ints, got the str "
                f"{sizes!r}."
            )
        if isinstance(sizes, dict):
            raise BrainSimTypeError(
                "Param.init(sizes=...): expected an int, list or tuple of ints, got a dict."
            )
        if sizes is not None:
            sizes = (int(sizes),) if isinstance(sizes, int | np.integer) else tuple(sizes)
        if data is None:
            if allow_none:
                return None
            raise BrainSimValueError(
                "Param.init: Expect a parameter (number, array, callable or Param), but we "
                "got None. Pass a value, or allow_none=True."
            )
        if isinstance(data, Param):
            param = data
        else:
            if callable(data):
                if sizes is None:
                    raise BrainSimValueError(
                        "Param.init: `sizes` is required when `data` is a callable "
                        "initializer."
                    )
                data = data(sizes, **kwargs)
            param = data if isinstance(data, Param) else Const(data)
        if sizes is not None:
            shape = param.shape
            try:  # the value must broadcast *to* sizes (not the other way round)
                ok = np.broadcast_shapes(shape, sizes) == sizes
            except ValueError:
                ok = False
            if not ok:
                raise BrainSimValueError(
                    f"Param.init: the value's shape {shape} does not match the sizes {sizes} "
                    f"(it must broadcast to them)."
                )
        return param


class Const(Param):
    """A non-trainable :class:`Param` (``fit=False``); its ``reg_loss()`` is always 0.

    >>> from brainsim.nn import Const
    >>> c = Const(3.0)
    >>> c.value(), c.fit
    (Array(3., dtype=float32), False)
    """

    def __init__(self, value: Any, **kwargs: Any) -> None:
        if kwargs.pop("fit", False):
            raise BrainSimValueError(
                "Const(fit=True): a Const is non-trainable by definition; use "
                "Param(value, fit=True) for a trainable parameter."
            )
        super().__init__(value, fit=False, **kwargs)

    def reg_loss(self) -> Any:
        return 0.0
