"""``Dynamics``: the base of every neuron, synapse and projection that evolves in time.

It adds to ``Module``:

* a size (``in_size`` = ``out_size`` = ``varshape``);
* ordering hooks run around ``update`` (before-updates, after-updates);
* input channels: *current* inputs enter the derivative, *delta* inputs jump the state after
  integration (``add_current_input`` / ``add_delta_input`` / ``sum_current_inputs``);
* ``prefetch`` accessors and delays of states (``prefetch_delay``, ``output_delay``);
* ``align_pre``: a Dynamics registered to run right after this one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._errors import BrainSimKeyError, BrainSimValueError
from .._state import State
from ._module import Module, ParamDescriber
from ._unit_errors import call_update

__all__ = [
    "Dynamics",
    "Prefetch",
    "receive_update_output",
    "not_receive_update_output",
    "receive_update_input",
    "not_receive_update_input",
]


def _set_flag(fn: Any, name: str, value: bool) -> Any:
    try:
        setattr(fn, name, value)
    except AttributeError as err:
        raise BrainSimValueError(
            f"cannot tag {fn!r} ({name}); wrap it in a function or Module first."
        ) from err
    return fn


def receive_update_output(fn: Any) -> Any:
    """Tag an after-update to be called with the output of ``update`` (the default)."""
    return _set_flag(fn, "_receive_update_output", True)


def not_receive_update_output(fn: Any) -> Any:
    """Tag an after-update to be called without arguments."""
    return _set_flag(fn, "_receive_update_output", False)


def receive_update_input(fn: Any) -> Any:
    """Tag a before-update to be called with the arguments of ``update``."""
    return _set_flag(fn, "_receive_update_input", True)


def not_receive_update_input(fn: Any) -> Any:
    """Tag a before-update to be called without arguments (the default)."""
    return _set_flag(fn, "_receive_update_input", False)


def _check_in_size(owner: str, in_size: Any) -> tuple[int, ...]:
    if isinstance(in_size, int | np.integer) and not isinstance(in_size, bool):
        size = (int(in_size),)
    elif isinstance(in_size, tuple | list) and len(in_size) > 0 and all(
        isinstance(s, int | np.integer) and not isinstance(s, bool) for s in in_size
    ):
        size = tuple(int(s) for s in in_size)
    else:
        raise BrainSimValueError(
            f"{owner}(in_size=...): expected an int or a non-empty tuple/list of ints, got "
            f"{in_size!r}."
        )
    if any(s < 0 for s in size):
        raise BrainSimValueError(f"{owner}(in_size=...): sizes must be >= 0, got {size}.")
    return size


class Prefetch(Module):
    """Read ``getattr(module, item)`` (its ``.value`` if it is a State) when called.

    ``prefetch.delay.at(time)`` returns the value ``time`` ago (see
    :meth:`Dynamics.prefetch_delay`).
    """

    def __init__(self, module: Dynamics, item: str) -> None:
        super().__init__()
        self.module = module
        self.item = item

    @property
    def delay(self) -> _PrefetchDelayFactory:
        return _PrefetchDelayFactory(self.module, self.item)

    def update(self, *args: Any, **kwargs: Any) -> Any:
        if not hasattr(self.module, self.item):
            raise AttributeError(
                f"Prefetch: {type(self.module).__name__} has no attribute {self.item!r} (has "
                f"init_state() been called?)."
            )
        v = getattr(self.module, self.item)
        return v.value if isinstance(v, State) else v

    def __repr__(self) -> str:
        return f"Prefetch({type(self.module).__name__}, {self.item!r})"


class _PrefetchDelayFactory:
    def __init__(self, module: Dynamics, item: str) -> None:
        self.module = module
        self.item = item

    def at(self, time: Any, *indices: Any, init: Any = None, interpolation: Any = None) -> Any:
        return self.module.prefetch_delay(
            self.item, time, *indices, init=init, interpolation=interpolation
        )


class Dynamics(Module):
    """Base class of modules that evolve in time (neurons, synapses, projections).

    Parameters
    ----------
    in_size
        Number of units (an int) or a non-empty shape tuple.
    name
        Optional name.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> class Leak(brainsim.nn.Dynamics):
    ...     def init_state(self, batch_size=None):
    ...         self.x = brainsim.HiddenState(u.math.zeros(self.varshape, unit=u.mV))
    ...     def update(self, inp=0. * u.mV):
    ...         self.x.value = self.sum_current_inputs(inp, self.x.value) + self.x.value * 0.5
    ...         return self.x.value
    >>> d = Leak(3)
    >>> d.init_state()
    >>> d.add_current_input('drive', lambda x: 2. * u.mV)   # kept: called every step
    >>> d.add_current_input('kick', 1. * u.mV)               # a value: used once
    >>> d().to_decimal(u.mV)
    Array([3., 3., 3.], dtype=float32)
    >>> d().to_decimal(u.mV)
    Array([3.5, 3.5, 3.5], dtype=float32)
    """

    def __init__(self, in_size: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        size = _check_in_size(type(self).__name__, in_size)
        self.in_size = size
        self.out_size = size
        self._before_updates: dict[Any, Any] | None = None
        self._after_updates: dict[Any, Any] | None = None
        self._current_inputs: dict[str, Any] | None = None
        self._delta_inputs: dict[str, Any] | None = None

    @property
    def varshape(self) -> tuple[int, ...]:
        """The shape of one state variable (without batch axis)."""
        return self.in_size

    # ------------------------------------------------------------------ hooks
    @property
    def before_updates(self) -> dict[Any, Any] | None:
        return self._before_updates

    @property
    def after_updates(self) -> dict[Any, Any] | None:
        return self._after_updates

    def add_before_update(self, key: Any, fn: Any) -> Any:
        """Register ``fn`` to run before each ``update`` (duplicate key -> KeyError)."""
        if self._before_updates is None:
            self._before_updates = {}
        if key in self._before_updates:
            raise BrainSimKeyError(
                f"{type(self).__name__}.add_before_update: key {key!r} is already registered."
            )
        self._before_updates[key] = fn
        return fn

    def add_after_update(self, key: Any, fn: Any) -> Any:
        """Register ``fn`` to run after each ``update`` (duplicate key -> KeyError)."""
        if self._after_updates is None:
            self._after_updates = {}
        if key in self._after_updates:
            raise BrainSimKeyError(
                f"{type(self).__name__}.add_after_update: key {key!r} is already registered."
            )
        self._after_updates[key] = fn
        return fn

    def get_before_update(self, key: Any) -> Any:
        if not self.has_before_update(key):
            raise BrainSimKeyError(
                f"{type(self).__name__}.get_before_update: no before-update {key!r}."
            )
        return self._before_updates[key]  # type: ignore[index]

    def get_after_update(self, key: Any) -> Any:
        if not self.has_after_update(key):
            raise BrainSimKeyError(
                f"{type(self).__name__}.get_after_update: no after-update {key!r}."
            )
        return self._after_updates[key]  # type: ignore[index]

    def has_before_update(self, key: Any) -> bool:
        return self._before_updates is not None and key in self._before_updates

    def has_after_update(self, key: Any) -> bool:
        return self._after_updates is not None and key in self._after_updates

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._before_updates:
            for fn in tuple(self._before_updates.values()):
                if getattr(fn, "_receive_update_input", False):
                    fn(*args, **kwargs)
                else:
                    fn()
        out = call_update(self, args, kwargs)
        if self._after_updates:
            for fn in tuple(self._after_updates.values()):
                if getattr(fn, "_receive_update_output", True):
                    fn(out)
                else:
                    fn()
        return out

    # ------------------------------------------------------------------ input channels
    @property
    def current_inputs(self) -> dict[str, Any] | None:
        return self._current_inputs

    @property
    def delta_inputs(self) -> dict[str, Any] | None:
        return self._delta_inputs

    def _add_input(self, kind: str, key: str, inp: Any, label: str | None) -> None:
        attr = f"_{kind}_inputs"
        d = getattr(self, attr)
        if d is None:
            d = {}
            setattr(self, attr, d)
        full = f"{label} // {key}" if label is not None else key
        if full in d:
            old = d[full]
            if old is inp:
                return
            raise BrainSimValueError(
                f"{type(self).__name__}.add_{kind}_input: key {full!r} is already bound to a "
                f"different input; use another key."
            )
        d[full] = inp

    def add_current_input(self, key: str, inp: Any, label: str | None = None) -> None:
        """Add a current input: a callable ``inp(*args)`` (kept) or a value (used once)."""
        self._add_input("current", key, inp, label)

    def add_delta_input(self, key: str, inp: Any, label: str | None = None) -> None:
        """Add a delta input (a jump after integration): a callable (kept) or a value (once)."""
        self._add_input("delta", key, inp, label)

    def get_input(self, key: str) -> Any:
        for d in (self._current_inputs, self._delta_inputs):
            if d is not None and key in d:
                return d[key]
        raise BrainSimValueError(f"{type(self).__name__}.get_input: unknown input key {key!r}.")

    def _sum_inputs(self, kind: str, init: Any, args: tuple, label: str | None, pop: bool,
                    kwargs: dict) -> Any:
        d = getattr(self, f"_{kind}_inputs")
        if not d:
            return init
        total = init
        prefix = f"{label} // " if label is not None else None
        for key in tuple(d.keys()):
            if prefix is not None and not key.startswith(prefix):
                continue
            inp = d[key]
            if callable(inp):
                total = total + inp(*args, **kwargs)
            else:
                total = total + inp
                if pop:
                    d.pop(key)
        return total

    def sum_current_inputs(self, init: Any, *args: Any, label: str | None = None,
                           pop: bool = True, **kwargs: Any) -> Any:
        """``init`` plus every current input (callables get ``*args``, e.g. ``V``).

        Plain values are removed after use unless ``pop=False``."""
        return self._sum_inputs("current", init, args, label, pop, kwargs)

    def sum_delta_inputs(self, init: Any, *args: Any, label: str | None = None,
                         pop: bool = True, **kwargs: Any) -> Any:
        """``init`` plus every delta input (values removed after use unless ``pop=False``)."""
        return self._sum_inputs("delta", init, args, label, pop, kwargs)

    # ------------------------------------------------------------------ prefetch & delays
    def prefetch(self, item: str) -> Prefetch:
        """An accessor reading ``self.<item>`` (its value if a State) when called."""
        return Prefetch(self, item)

    def prefetch_delay(self, item: str, time: Any, *indices: Any, init: Any = None,
                       interpolation: Any = None, update_every: Any = None) -> Any:
        """An accessor returning ``self.<item>`` as it was ``time`` ago.

        Registers (at most once per item) a :class:`~brainsim.nn.StateWithDelay` as an
        after-update that records the state every step.
        """
        from ._delay import StateWithDelay

        key = f"{item}-prefetch-delay-{update_every}"
        if self.has_after_update(key):
            swd = self.get_after_update(key)
        else:
            swd = StateWithDelay(self, item, init=init, interpolation=interpolation,
                                 update_every=update_every)
            self.add_after_update(key, not_receive_update_output(swd))
        return swd.access(time, *indices)

    def output_delay(self, time: Any, *indices: Any, init: Any = None,
                     interpolation: Any = None) -> Any:
        """An accessor returning this module's *output* as it was ``time`` ago."""
        from ._delay import OutputDelay

        key = "output-delay"
        if self.has_after_update(key):
            od = self.get_after_update(key)
        else:
            od = OutputDelay(self, init=init, interpolation=interpolation)
            self.add_after_update(key, receive_update_output(od))
        return od.access(time, *indices)

    def align_pre(self, dyn: Any) -> Any:
        """Register a Dynamics (or describer) to run right after this one; return it.

        A describer is built at most once per identifier, with ``in_size=self.varshape``
        when it has no size of its own.
        """
        if isinstance(dyn, ParamDescriber):
            key = dyn.identifier
            if self.has_after_update(key):
                return self.get_after_update(key)
            if dyn.args or "in_size" in dyn.kwargs:
                inst = dyn()
            else:
                inst = dyn(in_size=self.varshape)
            self.add_after_update(key, receive_update_output(inst))
            return inst
        if isinstance(dyn, Dynamics):
            key = id(dyn)
            if not self.has_after_update(key):
                self.add_after_update(key, receive_update_output(dyn))
            return dyn
        raise BrainSimValueError(
            f"{type(self).__name__}.align_pre: expected a Dynamics or a describer "
            f"(Cls.desc(...)), got {type(dyn).__name__}."
        )


def _callable_check(owner: str, arg: str, value: Any) -> Callable:
    if not callable(value):
        raise BrainSimValueError(f"{owner}({arg}=...): expected a callable, got {value!r}.")
    return value
