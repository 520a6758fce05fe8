"""The State family and the tracing mechanism that state-aware transforms build on.

A :class:`State` is a mutable box around a pytree of arrays. While a
:class:`StateTraceStack` is active (the transforms in :mod:`brainsim.transform` push one),
every read or write of ``state.value`` of a State created *outside* the recorder is logged
in first-access order together with the value it had before the first access. A transform
uses the log to turn the States into explicit inputs and outputs of a pure JAX function.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import brainunit as u
import jax
import numpy as np

from ._errors import BrainSimTypeError, BrainSimValueError, TraceContextError

__all__ = [
    "State",
    "ShortTermState",
    "LongTermState",
    "ParamState",
    "BatchState",
    "HiddenState",
    "HiddenGroupState",
    "HiddenTreeState",
    "DelayState",
    "FakeState",
    "TreefyState",
    "StateTraceStack",
    "StateCatcher",
    "catch_new_states",
    "check_state_value_tree",
    "maybe_state",
    "trace_depth",
]


class _Local(threading.local):
    def __init__(self) -> None:
        self.trace_stack: list[StateTraceStack] = []
        self.catchers: list[StateCatcher] = []
        self.check_tree: int = 0


_LOCAL = _Local()


def trace_depth() -> int:
    """Number of state recorders currently active in this thread."""
    return len(_LOCAL.trace_stack)


def read_values(states: list[State]) -> list[Any]:
    """``[s.value for s in states]``, with a fast path when no trace is active."""
    if _LOCAL.trace_stack:
        return [s.value for s in states]
    out = [s._value for s in states]
    for s, v in zip(states, out, strict=True):
        if type(v) is _Dead:
            s.value  # raises the informative error  # noqa: B018
    return out


def write_values(states: list[State], values: list[Any]) -> None:
    """Assign values produced by a transform (fast path when no trace is active)."""
    if _LOCAL.trace_stack or _LOCAL.check_tree:
        for s, v in zip(states, values, strict=True):
            s.value = v
    else:
        for s, v in zip(states, values, strict=True):
            s._value = v


_Tracer = jax.core.Tracer


def _has_tracer(value: Any) -> bool:
    if isinstance(value, _Tracer):
        return True
    if isinstance(value, jax.Array | np.ndarray | float | int | bool):
        return False  # a concrete array or scalar (tracers were excluded above)
    return any(isinstance(leaf, _Tracer) for leaf in jax.tree.leaves(value))


_PKG_DIR = os.path.dirname(os.path.abspath(__file__))


def _caller_info() -> str:
    """``file:line`` of the first frame outside brainsim (for error messages)."""
    frame = sys._getframe(1)
    while frame is not None:
        fname = frame.f_code.co_filename
        if not fname.startswith(_PKG_DIR) and not fname.startswith("<frozen"):
            return f"{fname}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


class _Dead:
    """Marker stored in a State created inside a finished trace."""

    __slots__ = ("where",)

    def __init__(self, where: str) -> None:
        self.where = where

    def __repr__(self) -> str:
        return "<dead value: created inside a finished trace>"


class State:
    """A mutable box around a pytree of arrays, discovered by state-aware transforms.

    Parameters
    ----------
    value
        A pytree of arrays (JAX or NumPy arrays, brainunit Quantities, Python scalars).
    name
        Optional name, used in messages and repr.
    **metadata
        ``tag`` (a string or an iterable of strings) is stored as a set in ``.tag``; any
        other keyword becomes an attribute.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainsim
    >>> s = brainsim.State(jnp.zeros(3), tag='counter')
    >>> s.value = s.value + 1.0
    >>> s.value
    Array([1., 1., 1.], dtype=float32)
    >>> s.tag
    {'counter'}
    >>> brainsim.State({'a': jnp.zeros(5), 'b': jnp.zeros((2, 3))}).numel()
    11
    """

    __hash__ = object.__hash__  # identity

    def __init__(self, value: Any, name: str | None = None, **metadata: Any) -> None:
        value = self._check_value(value)
        self._value = value
        self._name = name
        tag = metadata.pop("tag", None)
        self.tag: set[str] | None = None
        if tag is not None:
            self.tag = {tag} if isinstance(tag, str) else {str(t) for t in tag}
        for k, v in metadata.items():
            setattr(self, k, v)
        self.stack_level = len(_LOCAL.trace_stack)
        self.source_info = _caller_info()
        if _LOCAL.trace_stack:
            _LOCAL.trace_stack[-1].created.append(self)
        if _LOCAL.catchers:
            # a discovery trace hides its throw-away States from catchers entered before it
            lo = max((r.catcher_depth for r in _LOCAL.trace_stack if r.hide_new_states),
                     default=0)
            for catcher in _LOCAL.catchers[lo:]:
                catcher._add(self)

    # ----------------------------------------------------------------- value access
    def _check_value(self, value: Any) -> Any:
        if isinstance(value, State):
            raise BrainSimValueError(
                f"{type(self).__name__}: cannot store a State inside a State "
                f"(got {type(value).__name__}). Use `state.copy_from(other)` to copy its "
                f"value, or pass `other.value`."
            )
        return value

    @property
    def value(self) -> Any:
        """The current value. Reading it reports a read to every active trace."""
        stack = _LOCAL.trace_stack
        if stack:
            for rec in stack:
                if self.stack_level < rec.level:
                    rec._record(self, False)
        v = self._value
        if type(v) is _Dead:
            raise TraceContextError(
                f"{self._describe()} was created inside a traced function (jit, grad, vmap, "
                f"for_loop, ...) that has finished, so its value was a tracer and is now "
                f"dead. Created at {v.where}. Create the State outside the transform, or "
                f"assign it a concrete value before reading it."
            )
        return v

    @value.setter
    def value(self, v: Any) -> None:
        v = self._check_value(v)
        stack = _LOCAL.trace_stack
        if stack:
            for rec in stack:
                if self.stack_level < rec.level:
                    rec._record(self, True)
        elif _has_tracer(v) and type(self._value) is not _Dead and not _has_tracer(self._value):
            raise TraceContextError(
                f"{self._describe()}: a JAX tracer was written into a State while no brainsim "
                f"transform is active (raw jax.jit / jax.grad / jax.vmap?). The write would "
                f"leak the tracer. Use brainsim.transform.jit / grad / vmap, which thread "
                f"States through the transform, or use graph.treefy_split/treefy_merge."
            )
        if _LOCAL.check_tree and type(self._value) is not _Dead:
            old = jax.tree.structure(self._value)
            new = jax.tree.structure(v)
            if old != new:
                raise BrainSimValueError(
                    f"{self._describe()}: the new value's tree structure {new} differs from "
                    f"the old {old} (check_state_value_tree is on)."
                )
        self._value = v

    def restore_value(self, v: Any) -> None:
        """Write ``v`` without marking the State as written (a trace counts it as a read)."""
        stack = _LOCAL.trace_stack
        if stack:
            for rec in stack:
                if self.stack_level < rec.level:
                    rec._record(self, False)
        self._value = self._check_value(v)

    def _describe(self) -> str:
        name = f" {self._name!r}" if self._name else ""
        return f"{type(self).__name__}{name}"

    # ----------------------------------------------------------------- metadata
    @property
    def name(self) -> str | None:
        return self._name

    @name.setter
    def name(self, name: str | None) -> None:
        self._name = name

    def add_tag(self, tag: str | Iterable[str]) -> None:
        """Add one tag or several tags."""
        tags = {tag} if isinstance(tag, str) else set(tag)
        self.tag = (self.tag or set()) | tags

    def _metadata(self) -> dict[str, Any]:
        skip = {"_value", "stack_level", "source_info"}
        return {k: v for k, v in vars(self).items() if k not in skip}

    def numel(self) -> int:
        """Total number of elements across the leaves of the value."""
        return int(sum(np.size(leaf) for leaf in jax.tree.leaves(self._value)))

    def value_call(self, fn: Callable[[Any], Any]) -> Any:
        """Apply ``fn`` to every leaf of the value and return the new tree."""
        return jax.tree.map(fn, self.value, is_leaf=u.math.is_quantity)

    # ----------------------------------------------------------------- copies
    def copy(self) -> State:
        """A new State of the same type with the same value and metadata."""
        new = object.__new__(type(self))
        new.__dict__.update(
            {k: (set(v) if isinstance(v, set) else v) for k, v in vars(self).items()}
        )
        new._value = self.value
        new.stack_level = len(_LOCAL.trace_stack)
        new.source_info = _caller_info()
        return new

    def replace(self, value: Any = ..., **attrs: Any) -> State:
        """A modified copy: ``s.replace(value=x, _name='y')``."""
        new = self.copy()
        if value is not ...:
            new._value = new._check_value(value)
        for k, v in attrs.items():
            setattr(new, k, v)
        return new

    def copy_from(self, other: State) -> None:
        """Copy value and metadata of another State of the same type, in place."""
        if type(other) is not type(self):
            raise BrainSimValueError(
                f"{type(self).__name__}.copy_from: expected a {type(self).__name__}, got "
                f"{type(other).__name__}."
            )
        self.value = other.value
        for k, v in other._metadata().items():
            setattr(self, k, v)

    def to_state_ref(self) -> TreefyState:
        """A pytree snapshot (type, value, metadata) of this State."""
        return TreefyState(type(self), self.value, self._metadata())

    def update_from_ref(self, ref: TreefyState) -> None:
        """Restore the value (and metadata) from a :class:`TreefyState`."""
        self.value = ref.value
        for k, v in ref.metadata.items():
            setattr(self, k, v)

    def __deepcopy__(self, memo: dict) -> State:
        import copy as _copy

        new = object.__new__(type(self))
        memo[id(self)] = new
        for k, v in vars(self).items():
            new.__dict__[k] = _copy.deepcopy(v, memo)
        new.stack_level = len(_LOCAL.trace_stack)
        return new

    def __repr__(self) -> str:
        v = self._value
        if type(v) is not _Dead:
            leaves = jax.tree.leaves(v)
            if len(leaves) == 1 and not isinstance(v, dict | list | tuple):
                shape = np.shape(leaves[0])
                if np.size(leaves[0]) <= 8:
                    return f"{type(self).__name__}(value={v!r})"
                v = f"<{getattr(leaves[0], 'dtype', type(leaves[0]).__name__)}{list(shape)}>"
        name = f", name={self._name!r}" if self._name else ""
        return f"{type(self).__name__}(value={v}{name})"


class ShortTermState(State):
    """Transient per-run values (spike times, pointers)."""


class LongTermState(State):
    """Values that persist across runs (running statistics, optimizer slots)."""


class ParamState(LongTermState):
    """Trainable parameters: what optimizers and ``grad(model.states(ParamState))`` collect."""


class BatchState(LongTermState):
    """Marker for per-batch data."""


class DelayState(ShortTermState):
    """Storage of delay ring buffers."""


_ARRAY_TYPES: dict[type, bool] = {}


def _check_array(cls: str, value: Any) -> Any:
    t = type(value)
    ok = _ARRAY_TYPES.get(t)
    if ok is None:
        ok = isinstance(value, np.ndarray | jax.Array | u.Quantity | jax.core.Tracer)
        _ARRAY_TYPES[t] = ok
    if ok:
        return value
    if isinstance(value, np.generic):
        return np.asarray(value)
    raise BrainSimTypeError(
        f"{cls}: the value must be an array (numpy, jax) or a brainunit Quantity, got "
        f"{type(value).__name__}. Wrap scalars with jnp.asarray(...); group several "
        f"variables with HiddenGroupState or HiddenTreeState."
    )


class HiddenState(ShortTermState):
    """A neuron or synapse dynamical variable (an array or Quantity).

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> v = brainsim.HiddenState(jnp.zeros((4, 10)))
    >>> v.varshape, v.num_state
    ((4, 10), 1)
    """

    def _check_value(self, value: Any) -> Any:
        value = super()._check_value(value)
        return _check_array(type(self).__name__, value)

    @property
    def varshape(self) -> tuple[int, ...]:
        return tuple(np.shape(self._value))

    @property
    def num_state(self) -> int:
        return 1


class HiddenGroupState(HiddenState):
    """Several variables stacked on the last axis.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> g = brainsim.HiddenGroupState(jnp.zeros((10, 2)))
    >>> g.varshape, g.num_state
    ((10,), 2)
    >>> g.set_value([jnp.ones(10), jnp.zeros(10)])
    >>> float(g.get_value(0).sum())
    10.0
    """

    _names: tuple[str, ...] | None = None

    @property
    def varshape(self) -> tuple[int, ...]:
        return tuple(np.shape(self._value))[:-1]

    @property
    def num_state(self) -> int:
        return int(np.shape(self._value)[-1])

    def _index(self, item: int | str) -> int:
        if isinstance(item, str):
            if not self._names or item not in self._names:
                raise BrainSimValueError(
                    f"{type(self).__name__}.get_value: unknown member {item!r}; known: "
                    f"{list(self._names or [])}."
                )
            return self._names.index(item)
        if not isinstance(item, int | np.integer) or not -self.num_state <= item < self.num_state:
            raise BrainSimValueError(
                f"{type(self).__name__}: member index must be an int in "
                f"[0, {self.num_state}), got {item!r}."
            )
        return int(item)

    def get_value(self, item: int | str) -> Any:
        """One member: ``value[..., i]`` (by index or name)."""
        return self.value[..., self._index(item)]

    def set_value(self, val: dict | list | tuple) -> None:
        """Set members from a list (all of them) or a dict ``{index_or_name: array}``."""
        cur = self.value
        if not hasattr(cur, "at"):  # a NumPy array has no functional update: use JAX's
            cur = jax.numpy.asarray(cur)
        items = val.items() if isinstance(val, dict) else enumerate(val)
        for k, v in items:
            i = self._index(k)
            if tuple(np.shape(v)) != self.varshape:
                raise BrainSimValueError(
                    f"{type(self).__name__}.set_value: member {k!r} has shape "
                    f"{tuple(np.shape(v))}, expected {self.varshape}."
                )
            cur = cur.at[..., i].set(v)
        self.value = cur


class HiddenTreeState(HiddenGroupState):
    """Same-shape members that may carry different units, stored stacked.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> s = brainsim.HiddenTreeState({'V': jnp.zeros(3) * u.mV, 'w': jnp.ones(3) * u.mA})
    >>> s.get_value('w').to_decimal(u.mA)
    Array([1., 1., 1.], dtype=float32)
    >>> s.num_state
    2
    """

    def __init__(self, value: dict | list | tuple, name: str | None = None, **meta: Any):
        if isinstance(value, dict):
            names, members = tuple(value.keys()), list(value.values())
        elif isinstance(value, list | tuple):
            names, members = None, list(value)
        else:
            raise BrainSimTypeError(
                f"HiddenTreeState: value must be a dict or list of same-shape arrays, got "
                f"{type(value).__name__}."
            )
        if not members:
            raise BrainSimValueError("HiddenTreeState: value must hold at least one member.")
        shapes = {tuple(np.shape(m)) for m in members}
        if len(shapes) != 1:
            raise BrainSimValueError(
                f"HiddenTreeState: all members must have the same shape, got {sorted(shapes)}."
            )
        units = [u.get_unit(m) for m in members]
        mantissas = [u.get_mantissa(m) for m in members]
        stacked = jax.numpy.stack([jax.numpy.asarray(m) for m in mantissas], axis=-1)
        super().__init__(stacked, name=name, **meta)
        self._names = names
        self._units = units

    def get_value(self, item: int | str) -> Any:
        i = self._index(item)
        return u.maybe_decimal(u.Quantity(self.value[..., i], unit=self._units[i]))

    def set_value(self, val: dict | list | tuple) -> None:
        items = val.items() if isinstance(val, dict) else enumerate(val)
        converted = {}
        for k, v in items:
            i = self._index(k)
            converted[k] = u.Quantity(v).to_decimal(self._units[i])  # checks the unit
        super().set_value(converted)  # keyed by the caller's names, for its messages


class FakeState:
    """A plain value holder that is *not* a State: transforms never see it.

    Examples
    --------
    >>> import brainsim
    >>> w = brainsim.FakeState(0.5)
    >>> w.value
    0.5
    """

    def __init__(self, value: Any, name: str | None = None) -> None:
        self.value = value
        self.name = name

    def __repr__(self) -> str:
        return f"FakeState(value={self.value!r})"


def maybe_state(x: Any) -> Any:
    """``x.value`` if ``x`` is a State, otherwise ``x`` unchanged.

    >>> import brainsim
    >>> brainsim.maybe_state(brainsim.State(2.0)), brainsim.maybe_state(3.0)
    (2.0, 3.0)
    """
    return x.value if isinstance(x, State) else x


@jax.tree_util.register_pytree_node_class
class TreefyState:
    """A pytree snapshot of a State: its type, its value (the pytree child) and metadata."""

    __slots__ = ("type", "value", "metadata")

    def __init__(self, type: type[State], value: Any, metadata: dict[str, Any] | None = None):
        self.type = type
        self.value = value
        self.metadata = dict(metadata or {})

    def tree_flatten(self):
        return (self.value,), (self.type, tuple(self.metadata.items()))

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(aux[0], children[0], dict(aux[1]))

    def to_state(self) -> State:
        """A fresh State of the recorded type holding this value."""
        st = object.__new__(self.type)
        st.__dict__.update(self.metadata)
        st._value = self.value
        st.stack_level = len(_LOCAL.trace_stack)
        st.source_info = _caller_info()
        return st

    def replace(self, value: Any) -> TreefyState:
        return TreefyState(self.type, value, self.metadata)

    def __repr__(self) -> str:
        return f"TreefyState(type={self.type.__name__}, value={self.value!r})"


class StateTraceStack:
    """Records the States read and written while it is active (first-access order).

    Only States created *before* the recorder was entered are recorded; States created while
    it is active are listed in ``created``.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> a, b = brainsim.State(jnp.ones(2)), brainsim.State(jnp.zeros(2))
    >>> with brainsim.StateTraceStack() as trace:
    ...     b.value = a.value * 2
    >>> [s is a for s in trace.states], trace.written
    ([True, False], [False, True])
    """

    def __init__(self, name: str | None = None, hide_new_states: bool = False) -> None:
        self.name = name
        # True for a discovery trace, whose new States are throw-away: catch_new_states
        # blocks entered before it do not see them
        self.hide_new_states = hide_new_states
        self.catcher_depth = 0
        self.states: list[State] = []
        self.written: list[bool] = []
        self.original_values: list[Any] = []
        self.created: list[State] = []
        self._index: dict[int, int] = {}
        self.level: int = -1

    def __enter__(self) -> StateTraceStack:
        _LOCAL.trace_stack.append(self)
        self.level = len(_LOCAL.trace_stack)
        self.catcher_depth = len(_LOCAL.catchers)
        return self

    def __exit__(self, *exc: Any) -> None:
        popped = _LOCAL.trace_stack.pop()
        assert popped is self, "StateTraceStack exited out of order"

    def _record(self, state: State, write: bool) -> None:
        i = self._index.get(id(state))
        if i is None:
            self._index[id(state)] = len(self.states)
            self.states.append(state)
            self.written.append(write)
            self.original_values.append(state._value)
        elif write:
            self.written[i] = True

    def read_states(self) -> list[State]:
        """States that were only read."""
        return [s for s, w in zip(self.states, self.written, strict=True) if not w]

    def write_states(self) -> list[State]:
        """States that were written."""
        return [s for s, w in zip(self.states, self.written, strict=True) if w]

    def recover_original_values(self) -> None:
        """Put back the value each recorded State had before its first access."""
        for s, v in zip(self.states, self.original_values, strict=True):
            s._value = v

    def kill_created(self) -> None:
        """Mark States created during the trace that hold tracers as dead."""
        for s in self.created:
            if type(s._value) is not _Dead and _has_tracer(s._value):
                s._value = _Dead(s.source_info)


def _exclusion(f: Any) -> Callable[[tuple, State], bool] | None:
    """``state_to_exclude`` as a predicate (``_state`` sits below ``filter``: no import)."""
    if f is None:
        return None
    if isinstance(f, type) or (isinstance(f, tuple) and f and all(isinstance(t, type) for t in f)):
        return lambda path, st: isinstance(st, f)
    if callable(f):
        return f
    raise BrainSimTypeError(
        f"catch_new_states(state_to_exclude=...): expected a State type, a tuple of types or "
        f"a predicate (path, state) -> bool, got {type(f).__name__}: {f!r}."
    )


class StateCatcher:
    """Collects the States created inside a :func:`catch_new_states` block."""

    def __init__(self, state_tag: str | None, state_to_exclude: Any) -> None:
        self.state_tag = state_tag
        self._exclude = _exclusion(state_to_exclude)
        self._states: list[State] = []
        self._ids: set[int] = set()

    def _add(self, st: State) -> None:
        if id(st) in self._ids:
            return
        if self._exclude is not None and self._exclude((), st):
            return
        if self.state_tag is not None:
            st.add_tag(self.state_tag)
        self._ids.add(id(st))
        self._states.append(st)

    def __len__(self) -> int:
        return len(self._states)

    def __iter__(self) -> Iterator[State]:
        return iter(self._states)

    def __getitem__(self, i: int) -> State:
        return self._states[i]

    def get_states(self) -> list[State]:
        return list(self._states)

    def get_state_values(self) -> list[Any]:
        return [s.value for s in self._states]

    def get_by_tag(self, tag: str) -> list[State]:
        return [s for s in self._states if s.tag and tag in s.tag]


@contextlib.contextmanager
def catch_new_states(
    state_tag: str | None = None, state_to_exclude: Any = None
) -> Iterator[StateCatcher]:
    """Catch every State created inside the block (optionally tagging it).

    Parameters
    ----------
    state_tag
        If given, every caught State gets this tag.
    state_to_exclude
        States not to catch: a State type, a tuple of types, or a predicate
        ``(path, state) -> bool`` (called with ``path=()``), e.g. a ``brainsim.filter``
        object.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> with brainsim.catch_new_states('new') as catcher:
    ...     a = brainsim.State(jnp.zeros(2))
    ...     b = brainsim.ParamState(jnp.ones(3))
    >>> len(catcher), a.tag, [s is b for s in catcher.get_by_tag('new')]
    (2, {'new'}, [False, True])
    """
    catcher = StateCatcher(state_tag, state_to_exclude)
    _LOCAL.catchers.append(catcher)
    try:
        yield catcher
    finally:
        _LOCAL.catchers.remove(catcher)


@contextlib.contextmanager
def check_state_value_tree() -> Iterator[None]:
    """Inside the block, a write that changes a State's pytree structure raises.

    >>> import jax.numpy as jnp, brainsim
    >>> s = brainsim.State({'a': jnp.zeros(2)})
    >>> with brainsim.check_state_value_tree():
    ...     s.value = [jnp.zeros(2)]
    Traceback (most recent call last):
    ...
    brainsim._errors.BrainSimValueError: State: the new value's tree structure ...
    """
    _LOCAL.check_tree += 1
    try:
        yield
    finally:
        _LOCAL.check_tree -= 1
