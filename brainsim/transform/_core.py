"""Machinery shared by the state-aware transforms.

Every transform works in three steps:

1. **discover** which States the function reads and writes, by tracing it once abstractly
   (``jax.eval_shape``) under a :class:`~brainsim.StateTraceStack`, then rolling every
   touched State back;
2. run the **pure** version ``(state values, args) -> (out, new values of written states)``
   under the JAX transform (:func:`call_pure`);
3. **write back** the new values of the written States. Read-only States are never copied
   out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from .._errors import BrainSimError, BrainSimValueError
from .._state import State, StateTraceStack

__all__ = [
    "StatefulFunction",
    "discover",
    "call_pure",
    "leaf_signature",
    "state_signature",
    "normalize_argnums",
]


class LateStateError(BrainSimError):
    """A State was touched in the real trace but not during discovery."""


def leaf_signature(x: Any) -> Any:
    """A hashable description of one pytree leaf (shape, dtype, weak type)."""
    shape = getattr(x, "shape", None)
    if shape is not None and hasattr(x, "dtype"):
        return (tuple(shape), x.dtype, getattr(x, "weak_type", False))
    if isinstance(x, bool | int | float | complex):
        return type(x)
    return (type(x), np.shape(x))


def state_signature(states: Sequence[State]) -> tuple:
    """Signature of the current values of ``states`` (re-discovery happens when it changes)."""
    sig = []
    for s in states:
        v = s._value
        shape = getattr(v, "shape", None)
        if shape is not None and hasattr(v, "dtype") and not hasattr(v, "unit"):
            sig.append((shape, v.dtype))
        else:
            leaves, tree = jax.tree.flatten(v)
            sig.append((tree, tuple(leaf_signature(x) for x in leaves)))
    return tuple(sig)


def normalize_argnums(argnums: Any, owner: str, name: str = "static_argnums") -> tuple[int, ...]:
    if argnums is None:
        return ()
    if isinstance(argnums, int):
        argnums = (argnums,)
    argnums = tuple(argnums)
    for a in argnums:
        if not isinstance(a, int) or isinstance(a, bool):
            raise BrainSimValueError(f"{owner}({name}=...): expected ints, got {a!r}.")
        if a < 0:
            raise BrainSimValueError(
                f"{owner}({name}=...): negative argument numbers are not supported, got {a}. "
                f"Count positional arguments from 0."
            )
    return argnums


def discover(fn: Callable, *args: Any, **kwargs: Any) -> StateTraceStack:
    """Trace ``fn(*args, **kwargs)`` abstractly and return the recorder of touched States.

    Every touched State is rolled back to its value before the trace; States created
    during the trace are marked dead.
    """

    def run(*a, **k):
        fn(*a, **k)
        return None

    with StateTraceStack("discover", hide_new_states=True) as trace:
        try:
            jax.eval_shape(run, *args, **kwargs)
        finally:
            trace.recover_original_values()
            trace.kill_created()
    return trace


def call_pure(
    fn: Callable,
    states: Sequence[State],
    values: Sequence[Any],
    written: Sequence[bool],
    *args: Any,
    capture_new: list | None = None,
    check_writes: bool = True,
    **kwargs: Any,
) -> tuple[Any, list[Any]]:
    """Run ``fn`` with ``values`` swapped into ``states``; return ``(out, new written values)``.

    Used inside a JAX transform's trace: the values are tracers. The States' previous
    values are restored afterwards, and States created inside are marked dead (when
    ``capture_new`` is a list, ``(state, value)`` pairs of the created States are appended
    to it first, so the caller can return their values from the transform).

    Raises :class:`LateStateError` when the function touches a State missing from
    ``states``, or (with ``check_writes``) writes one that ``written`` marks read-only:
    that write would otherwise be silently dropped.
    """
    old = [s._value for s in states]
    known = {id(s) for s in states}
    with StateTraceStack("pure") as trace:
        try:
            for s, v in zip(states, values, strict=True):
                s._value = v
            out = fn(*args, **kwargs)
            new = [s._value for s, w in zip(states, written, strict=True) if w]
            if capture_new is not None:
                capture_new.extend((s, s._value) for s in trace.created)
        finally:
            for s, v in zip(states, old, strict=True):
                s._value = v
            trace.kill_created()
    late = [s for s in trace.states if id(s) not in known]
    if late:
        for s, v in zip(trace.states, trace.original_values, strict=True):
            if id(s) not in known:
                s._value = v
        raise LateStateError(
            f"{len(late)} State(s) (first: {late[0]._describe()}, created at "
            f"{late[0].source_info}) were touched while running the function but not while "
            f"discovering its States. The function's use of States must not depend on "
            f"Python-level randomness or on values that change between traces."
        )
    if check_writes:
        flagged = {id(s) for s, w in zip(states, written, strict=True) if w}
        unflagged = [s for s, w in zip(trace.states, trace.written, strict=True)
                     if w and id(s) not in flagged]
        if unflagged:
            raise LateStateError(
                f"{len(unflagged)} State(s) (first: {unflagged[0]._describe()}, created at "
                f"{unflagged[0].source_info}) were written while running the function but "
                f"only read while discovering its States; the write would be lost."
            )
    return out, new


class StatefulFunction:
    """Trace a function once per argument signature and remember the States it touches.

    Parameters
    ----------
    fun
        The function.
    static_argnums, static_argnames
        Arguments that are Python values (part of the cache key) rather than arrays.
    name
        Optional name used in messages.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> a, b = brainsim.State(jnp.ones(2)), brainsim.State(jnp.zeros(2))
    >>> def f(x):
    ...     b.value = a.value + x
    >>> sf = brainsim.transform.StatefulFunction(f)
    >>> [s is a for s in sf.get_read_states(1.0)], [s is b for s in sf.get_write_states(1.0)]
    ([True], [True])
    """

    def __init__(
        self,
        fun: Callable,
        static_argnums: Any = None,
        static_argnames: Any = None,
        name: str | None = None,
    ) -> None:
        self.fun = fun
        self.static_argnums = normalize_argnums(static_argnums, "StatefulFunction")
        if isinstance(static_argnames, str):
            static_argnames = (static_argnames,)
        self.static_argnames = tuple(static_argnames or ())
        self.name = name or getattr(fun, "__name__", "fun")
        self._cache: dict[Any, tuple[StateTraceStack, tuple]] = {}
        self.num_traces = 0  # number of discovery traces run (for tests and diagnostics)

    def split_args(self, args: tuple, kwargs: dict) -> tuple[tuple, tuple, dict, dict]:
        """``(static_args, dynamic_args, static_kwargs, dynamic_kwargs)``."""
        st = tuple((i, a) for i, a in enumerate(args) if i in self.static_argnums)
        dyn = tuple(a for i, a in enumerate(args) if i not in self.static_argnums)
        skw = {k: v for k, v in kwargs.items() if k in self.static_argnames}
        dkw = {k: v for k, v in kwargs.items() if k not in self.static_argnames}
        return st, dyn, skw, dkw

    def cache_key(self, args: tuple, kwargs: dict) -> Any:
        st, dyn, skw, dkw = self.split_args(args, kwargs)
        leaves, tree = jax.tree.flatten((dyn, dkw))
        try:
            static = (st, tuple(sorted(skw.items())))
            hash(static)
        except TypeError as err:
            raise BrainSimValueError(
                f"{self.name}: static arguments must be hashable, got {st!r} / {skw!r}."
            ) from err
        return (static, tree, tuple(leaf_signature(x) for x in leaves))

    def merge_args(self, st: tuple, dyn: Sequence, skw: dict, dkw: dict) -> tuple[tuple, dict]:
        n = len(st) + len(dyn)
        static = dict(st)
        it = iter(dyn)
        args = tuple(static[i] if i in static else next(it) for i in range(n))
        return args, {**dkw, **skw}

    def get_state_trace(self, *args: Any, **kwargs: Any) -> StateTraceStack:
        """The recorder of the States touched for this argument signature (cached)."""
        key = self.cache_key(args, kwargs)
        hit = self._cache.get(key)
        if hit is not None and state_signature(hit[0].states) == hit[1]:
            return hit[0]
        st, dyn, skw, dkw = self.split_args(args, kwargs)

        def run(dyn_args, dyn_kwargs):
            a, k = self.merge_args(st, dyn_args, skw, dyn_kwargs)
            return self.fun(*a, **k)

        self.num_traces += 1
        trace = discover(run, dyn, dkw)
        self._cache[key] = (trace, state_signature(trace.states))
        return trace

    def get_states(self, *args: Any, **kwargs: Any) -> list[State]:
        return list(self.get_state_trace(*args, **kwargs).states)

    def get_read_states(self, *args: Any, **kwargs: Any) -> list[State]:
        return self.get_state_trace(*args, **kwargs).read_states()

    def get_write_states(self, *args: Any, **kwargs: Any) -> list[State]:
        return self.get_state_trace(*args, **kwargs).write_states()

    def make_jaxpr(self, *args: Any, **kwargs: Any) -> tuple[Any, tuple[State, ...]]:
        """``(closed_jaxpr, states)``: the jaxpr takes the state values then the arguments."""
        trace = self.get_state_trace(*args, **kwargs)
        states, written = trace.states, trace.written
        st, dyn, skw, dkw = self.split_args(args, kwargs)

        def pure(state_vals, dyn_args, dyn_kwargs):
            a, k = self.merge_args(st, dyn_args, skw, dyn_kwargs)
            return call_pure(self.fun, states, state_vals, written, *a, **k)

        vals = [s.value for s in states]
        return jax.make_jaxpr(pure)(vals, dyn, dkw), tuple(states)

    def clear_cache(self) -> None:
        self._cache.clear()
