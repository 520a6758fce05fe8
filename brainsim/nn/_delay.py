"""Delays: a ring buffer of past values (``Delay``), one that records a module's State
every step (``StateWithDelay``), and accessors (``DelayAccess``).

``retrieve_at_step(k)`` is the value written ``k`` updates ago (``k = 0``: the most recent).
Memory is ``max_length x shape`` where ``max_length = ceil(max_delay / dt) + 1``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .. import environ
from .._errors import BrainSimKeyError, BrainSimTypeError, BrainSimValueError
from .._state import DelayState, ShortTermState, State
from ._collective import call_order
from ._module import Module

__all__ = [
    "Delay",
    "StateWithDelay",
    "OutputDelay",
    "DelayAccess",
    "InterpolationRegistry",
]


def _steps(time: Any, owner: str, what: str = "time") -> int:
    """``ceil(time / dt)`` with a tolerance for float round-off."""
    if time is None:
        return 0
    dt = environ.get_dt()
    try:
        ratio = time / dt
        ratio = u.maybe_decimal(ratio)
        ratio = float(np.asarray(ratio))
    except Exception as err:
        raise BrainSimValueError(
            f"{owner}({what}=...): expected a time compatible with dt={dt!r}, got {time!r}."
        ) from err
    if ratio < 0:
        raise BrainSimValueError(f"{owner}({what}=...): delays must be >= 0, got {time!r}.")
    r = round(ratio)
    return int(r) if abs(ratio - r) < 1e-6 else int(math.ceil(ratio))


def _frac_steps(time: Any) -> Any:
    dt = environ.get_dt()
    return u.maybe_decimal(time / dt)


class InterpolationRegistry:
    """Named interpolation rules for fractional delays.

    A rule is ``fn(read, k) -> value`` where ``read(j)`` returns the value ``j`` steps ago
    (an integer array) and ``k`` is the fractional number of steps.
    """

    _rules: dict[str, Callable[[Callable[[Any], Any], Any], Any]] = {}

    @classmethod
    def register(cls, name: str, fn: Callable[[Callable[[Any], Any], Any], Any]) -> None:
        if not callable(fn):
            raise BrainSimTypeError("InterpolationRegistry.register: fn must be callable.")
        cls._rules[name] = fn

    @classmethod
    def get(cls, name: str | Callable) -> Callable:
        if callable(name):
            return name
        if name not in cls._rules:
            raise BrainSimValueError(
                f"unknown interpolation {name!r}; expected one of {sorted(cls._rules)} or a "
                f"callable registered with InterpolationRegistry.register."
            )
        return cls._rules[name]

    @classmethod
    def names(cls) -> list[str]:
        return sorted(cls._rules)


def _lagrange(read: Callable, k: Any, npts: int) -> Any:
    """Lagrange interpolation through ``npts`` integer steps around ``k``."""
    base = jnp.floor(k).astype(jnp.int32) - (npts - 1) // 2
    base = jnp.maximum(base, 0)
    xs = [base + j for j in range(npts)]
    vals = [read(x) for x in xs]
    out = 0.0
    for j, (xj, vj) in enumerate(zip(xs, vals, strict=True)):
        w = 1.0
        for m, xm in enumerate(xs):
            if m != j:
                w = w * (k - xm) / (xj - xm)
        out = out + w * vj
    return out


def _hermite(read: Callable, k: Any) -> Any:
    k0 = jnp.floor(k).astype(jnp.int32)
    t = k - k0
    pm, p0, p1, p2 = (read(jnp.maximum(k0 - 1, 0)), read(k0), read(k0 + 1), read(k0 + 2))
    m0, m1 = (p1 - pm) / 2, (p2 - p0) / 2
    t2, t3 = t * t, t * t * t
    return ((2 * t3 - 3 * t2 + 1) * p0 + (t3 - 2 * t2 + t) * m0 + (-2 * t3 + 3 * t2) * p1
            + (t3 - t2) * m1)


InterpolationRegistry.register("nearest", lambda read, k: read(jnp.round(k).astype(jnp.int32)))
InterpolationRegistry.register("round", lambda read, k: read(jnp.round(k).astype(jnp.int32)))
InterpolationRegistry.register("linear", lambda read, k: _lagrange(read, k, 2))
InterpolationRegistry.register("polynomial2", lambda read, k: _lagrange(read, k, 3))
InterpolationRegistry.register("polynomial3", lambda read, k: _lagrange(read, k, 4))
InterpolationRegistry.register("cubic", lambda read, k: _lagrange(read, k, 4))
InterpolationRegistry.register("hermite", _hermite)


def _init_value(init: Any, shape: tuple, dtype: Any, unit: Any) -> Any:
    if init is None:
        v = jnp.zeros(shape, dtype)
    elif callable(init):
        v = init(shape, dtype)
    else:
        v = u.math.broadcast_to(init, shape)
        if isinstance(v, u.Quantity):
            return v.in_unit(unit) if unit is not None else v
        v = jnp.asarray(v, dtype=dtype)
    if unit is not None and not isinstance(v, u.Quantity):
        v = u.Quantity(v, unit=unit)
    return v


class Delay(Module):
    """A ring buffer holding the last ``ceil(time / dt) + 1`` values of a pytree.

    Parameters
    ----------
    target_info
        An example value (array, Quantity or pytree of them): shapes, dtypes and units.
    time
        The maximum delay (units compatible with ``dt``). ``dt`` must be set.
    init
        Value of the history before the first write: a number, an array, or a callable
        ``(shape, dtype)``. Default zeros.
    entries
        Optional ``{name: time}`` entries to register (see :meth:`register_entry`).
    interpolation
        Rule for :meth:`retrieve_at_time` / :meth:`retrieve_time_ago` (default
        ``'linear'``).
    update_every
        Write only every ``update_every`` (a time >= dt).

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> with brainsim.environ.context(dt=1.0):
    ...     d = brainsim.nn.Delay(jnp.zeros(()), time=3.0)
    ...     d.init_state()
    ...     for x in range(5):
    ...         d.update(jnp.asarray(float(x)))
    ...     [float(d.retrieve_at_step(k)) for k in (0, 1, 3)]
    [4.0, 3.0, 1.0]
    """

    def __init__(
        self,
        target_info: Any,
        time: Any = None,
        init: Any = None,
        entries: dict[str, Any] | None = None,
        interpolation: str | Callable | None = None,
        take_aware_unit: bool = False,
        update_every: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        environ.get_dt()  # fails loudly when dt is unset
        self.target_info = jax.tree.map(
            lambda x: jax.ShapeDtypeStruct(np.shape(x), jnp.result_type(u.get_mantissa(x))),
            target_info, is_leaf=u.math.is_quantity,
        )
        self._units = jax.tree.map(
            lambda x: u.get_unit(x) if isinstance(x, u.Quantity) else None,
            target_info, is_leaf=u.math.is_quantity,
        )
        self.max_steps = _steps(time, type(self).__name__)
        self.init = init
        self.interpolation = interpolation or "linear"
        InterpolationRegistry.get(self.interpolation)  # validate early
        self.take_aware_unit = take_aware_unit
        if update_every is not None:
            n = _frac_steps(update_every)
            if float(n) < 1 - 1e-9:
                raise BrainSimValueError(
                    f"{type(self).__name__}(update_every=...): expected a time >= dt, got "
                    f"{update_every!r}."
                )
            self.update_every_steps = int(round(float(n)))
        else:
            self.update_every_steps = 1
        self._entries: dict[str, tuple[int, tuple]] = {}
        for k, t in (entries or {}).items():
            self.register_entry(k, t)

    @property
    def max_length(self) -> int:
        return self.max_steps + 1

    # ------------------------------------------------------------------ states
    def _history_value(self, batch_size: int | None) -> Any:
        def one(info, unit):
            shape = (self.max_length,) + ((batch_size,) if batch_size else ()) + info.shape
            return _init_value(self.init, shape, info.dtype, unit)

        return jax.tree.map(one, self.target_info, self._units,
                            is_leaf=lambda x: isinstance(x, jax.ShapeDtypeStruct))

    @call_order(3)
    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self._batch_size = batch_size
        self.history = DelayState(self._history_value(batch_size))
        self.write_ptr = ShortTermState(jnp.asarray(0, dtype=jnp.int32))
        if self.update_every_steps > 1:
            self.counter = ShortTermState(jnp.asarray(0, dtype=jnp.int32))

    @call_order(3)
    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self._batch_size = batch_size
        self.history.value = self._history_value(batch_size)
        self.write_ptr.value = jnp.asarray(0, dtype=jnp.int32)
        if self.update_every_steps > 1:
            self.counter.value = jnp.asarray(0, dtype=jnp.int32)

    def _grow(self, steps: int) -> None:
        if steps <= self.max_steps:
            return
        self.max_steps = steps
        if hasattr(self, "history"):  # registered after init: rebuild the (still empty) buffer
            self.history.value = self._history_value(getattr(self, "_batch_size", None))
            self.write_ptr.value = jnp.asarray(0, dtype=jnp.int32)

    # ------------------------------------------------------------------ writing
    def update(self, x: Any) -> None:
        """Write ``x`` at the pointer, then advance it."""
        if not hasattr(self, "history"):
            raise BrainSimValueError(
                f"{type(self).__name__}: call init_state() (or init_all_states) before update."
            )

        def write(_=None):
            ptr = self.write_ptr.value
            self.history.value = jax.tree.map(
                lambda h, v: h.at[ptr].set(v), self.history.value, x,
                is_leaf=u.math.is_quantity,
            )
            self.write_ptr.value = (ptr + 1) % self.max_length

        if self.update_every_steps > 1:
            from ..transform import cond

            c = self.counter.value
            cond(c % self.update_every_steps == 0, write, lambda _=None: None)
            self.counter.value = c + 1
        else:
            write()

    # ------------------------------------------------------------------ reading
    def retrieve_at_step(self, step: Any, *indices: Any) -> Any:
        """The value written ``step`` updates ago (``0`` = most recent)."""
        if self.update_every_steps > 1:
            step = step // self.update_every_steps
        if environ.get(environ.JIT_ERROR_CHECK, False):
            from ..transform import jit_error_if

            jit_error_if(
                jnp.logical_or(step < 0, step > self.max_steps),
                "Delay: the requested delay of {} steps is outside [0, {}].",
                step, self.max_steps,
            )
        idx = (self.write_ptr.value - 1 - step) % self.max_length

        def take(h):
            v = h[idx]
            return v[indices] if indices else v

        return jax.tree.map(take, self.history.value, is_leaf=u.math.is_quantity)

    def retrieve_at_time(self, t: Any, *indices: Any) -> Any:
        """The value at the absolute time ``t``, read against the current ``environ`` time.

        Reads the fractional step ``(environ.get_t() - t) / dt`` ago with the delay's
        interpolation (API.md F.3), so ``environ`` must hold ``t`` (the run loop sets it).
        For a delay given as a duration, use :meth:`retrieve_time_ago`.

        >>> import brainunit as u, jax.numpy as jnp, brainsim
        >>> with brainsim.environ.context(dt=1.0 * u.ms):
        ...     d = brainsim.nn.Delay(jnp.zeros(()), time=3.0 * u.ms)
        ...     d.init_state()
        ...     for i in range(5):
        ...         with brainsim.environ.context(t=i * u.ms):
        ...             d.update(jnp.float32(10 * i))
        ...     with brainsim.environ.context(t=4.0 * u.ms):
        ...         print(d.retrieve_at_time(2.0 * u.ms), d.retrieve_time_ago(2.0 * u.ms))
        20.0 20.0
        """
        now = environ.get_t()
        return self.retrieve_time_ago(now - t, *indices)

    def retrieve_time_ago(self, duration: Any, *indices: Any) -> Any:
        """The value ``duration`` ago (a delay such as ``2.5 * u.ms``; fractional steps are
        interpolated). Needs only ``dt``, not the current time."""
        k = jnp.asarray(_frac_steps(duration))
        rule = InterpolationRegistry.get(self.interpolation)
        return rule(lambda j: self.retrieve_at_step(j, *indices), k)

    def register_delay(self, time: Any, *indices: Any) -> tuple:
        """Grow the buffer for ``time``; return ``(steps, *indices)``."""
        for i in indices:
            if not (isinstance(i, int | np.integer | slice) or (
                hasattr(i, "dtype") and jnp.issubdtype(i.dtype, jnp.integer))):
                raise BrainSimTypeError(
                    f"{type(self).__name__}.register_delay: indices must be integers, got "
                    f"{i!r}."
                )
        steps = _steps(time, type(self).__name__)
        self._grow(steps)
        return (steps, *indices)

    def register_entry(self, name: str, time: Any, *indices: Any) -> Delay:
        """Register a named delay (``at(name)`` reads it)."""
        if name in self._entries:
            raise BrainSimKeyError(
                f"{type(self).__name__}.register_entry: entry {name!r} already exists."
            )
        steps, *idx = self.register_delay(time, *indices)
        self._entries[name] = (steps, tuple(idx))
        return self

    def at(self, name: str) -> Any:
        """Read a registered entry."""
        if name not in self._entries:
            raise BrainSimKeyError(
                f"{type(self).__name__}.at: unknown entry {name!r}; registered: "
                f"{sorted(self._entries)}."
            )
        steps, idx = self._entries[name]
        return self.retrieve_at_step(steps, *idx)

    def access(self, name: str, time: Any, *indices: Any) -> DelayAccess:
        """Register an entry and return a node that reads it when called."""
        if name not in self._entries:
            self.register_entry(name, time, *indices)
        return DelayAccess(self, name)


class DelayAccess(Module):
    """Calling it returns ``delay.at(name)``."""

    def __init__(self, delay: Delay, name: str) -> None:
        super().__init__()
        self.delay = delay
        self.entry = name

    def update(self, *args: Any, **kwargs: Any) -> Any:
        return self.delay.at(self.entry)


class StateWithDelay(Delay):
    """Records ``getattr(target, item).value`` at every call (registered as an after-update).

    The history is created at ``init_state`` (call order 3, after the target's States).
    Default interpolation is ``'round'``.
    """

    def __init__(self, target: Module, item: str, init: Any = None,
                 interpolation: Any = None, update_every: Any = None) -> None:
        Module.__init__(self)
        environ.get_dt()
        self.target = target
        self.item = item
        self.max_steps = 0
        self.init = init
        self.interpolation = interpolation or "round"
        InterpolationRegistry.get(self.interpolation)
        self.take_aware_unit = False
        if update_every is not None and float(_frac_steps(update_every)) < 1 - 1e-9:
            raise BrainSimValueError(
                f"StateWithDelay(update_every=...): expected a time >= dt, got {update_every!r}."
            )
        self.update_every_steps = (
            1 if update_every is None else max(int(round(float(_frac_steps(update_every)))), 1)
        )
        self._entries = {}
        self._counter = 0

    def _target_value(self) -> Any:
        st = getattr(self.target, self.item, None)
        if not isinstance(st, State):
            raise BrainSimValueError(
                f"StateWithDelay: {type(self.target).__name__}.{self.item} is not a State (has "
                f"init_state() run?)."
            )
        return st.value

    @call_order(3)
    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        v = self._target_value()
        self.target_info = jax.tree.map(
            lambda x: jax.ShapeDtypeStruct(np.shape(x), jnp.result_type(u.get_mantissa(x))),
            v, is_leaf=u.math.is_quantity,
        )
        self._units = jax.tree.map(
            lambda x: u.get_unit(x) if isinstance(x, u.Quantity) else None, v,
            is_leaf=u.math.is_quantity,
        )
        Delay.init_state(self, None)

    @call_order(3)
    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.init_state(batch_size)

    def update(self, *args: Any) -> None:
        Delay.update(self, self._target_value())

    def access(self, time: Any, *indices: Any) -> DelayAccess:  # type: ignore[override]
        name = f"delay-{self._counter}"
        self._counter += 1
        self.register_entry(name, time, *indices)
        return DelayAccess(self, name)


class OutputDelay(StateWithDelay):
    """Records the *output* of its module (an after-update receiving the output)."""

    def __init__(self, target: Module, init: Any = None, interpolation: Any = None) -> None:
        super().__init__(target, "<output>", init=init, interpolation=interpolation)
        self._shape_known = False

    @call_order(3)
    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        size = getattr(self.target, "varshape", None) or self.target.out_size
        shape = ((batch_size,) if batch_size else ()) + tuple(size)
        self.target_info = jax.ShapeDtypeStruct(shape, environ.dftype())
        self._units = None
        Delay.init_state(self, None)

    def update(self, out: Any = None) -> None:  # type: ignore[override]
        if out is not None:
            if isinstance(out, u.Quantity) and self._units is None and not self._shape_known:
                self._units = out.unit
            Delay.update(self, out)
