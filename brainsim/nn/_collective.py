"""Collective operations over the whole graph: ``init_all_states``, ``reset_all_states``.

Untagged hooks run first, children before parents; hooks tagged with :func:`call_order`
then run in ascending order (projections use 2, delays 3, so a delay sees the state it
tracks).
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from typing import Any

from .. import filter as _filter
from .. import graph
from .._errors import BrainSimValueError
from .._state import State, catch_new_states
from ._module import Module

__all__ = ["call_order", "call_all_fns", "init_all_states", "reset_all_states"]


def call_order(level: int = 0) -> Callable[[Callable], Callable]:
    """Tag an ``init_state`` / ``reset_state`` method to run after untagged ones.

    >>> import brainsim
    >>> class Late(brainsim.nn.Module):
    ...     @brainsim.nn.call_order(3)
    ...     def init_state(self): print('late')
    >>> class Early(brainsim.nn.Module):
    ...     def init_state(self): print('early')
    >>> root = brainsim.nn.Module(); root.a = Late(); root.b = Early()
    >>> _ = brainsim.nn.init_all_states(root)
    early
    late
    """
    if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level < 10:
        raise BrainSimValueError(
            f"call_order(level=...): expected an int in [0, 10), got {level!r}."
        )

    def deco(fn: Callable) -> Callable:
        fn.call_order = level
        return fn

    return deco


def call_all_fns(
    target: Any,
    fn_name: str,
    args: tuple = (),
    kwargs: dict | None = None,
    node_to_exclude: Any = None,
    fn_if_not_exist: str = "raise",
) -> Any:
    """Call ``fn_name(*args, **kwargs)`` on every graph node of ``target``.

    Untagged methods run first (children before parents), then tagged ones by ascending
    ``call_order``. ``fn_if_not_exist`` is ``'raise'``, ``'pass'`` or ``'warn'``.
    """
    if fn_if_not_exist not in ("raise", "pass", "warn"):
        raise BrainSimValueError(
            f"call_all_fns(fn_if_not_exist=...): expected 'raise', 'pass' or 'warn', got "
            f"{fn_if_not_exist!r}."
        )
    kwargs = kwargs or {}
    exclude = _filter.to_predicate(node_to_exclude) if node_to_exclude is not None else None
    untagged, tagged = [], []
    for path, node in graph.iter_node(target):
        if exclude is not None and exclude(path, node):
            continue
        fn = getattr(node, fn_name, None)
        if fn is None:
            msg = f"call_all_fns: {type(node).__name__} at {path!r} has no method {fn_name!r}."
            if fn_if_not_exist == "raise":
                raise BrainSimValueError(msg)
            if fn_if_not_exist == "warn":
                warnings.warn(msg, stacklevel=2)
            continue
        order = getattr(fn, "call_order", None)
        (untagged if order is None else tagged).append((order, fn))
    for _, fn in reversed(untagged):
        fn(*args, **kwargs)
    for _, fn in sorted(tagged, key=lambda x: x[0]):
        fn(*args, **kwargs)
    return target


def init_all_states(target: Any, *args: Any, node_to_exclude: Any = None, **kwargs: Any) -> Any:
    """Call ``init_state(*args, **kwargs)`` on every Module of the graph; returns ``target``."""
    return call_all_fns(
        target, "init_state", args, kwargs, _only_modules(node_to_exclude), "pass"
    )


def reset_all_states(target: Any, *args: Any, node_to_exclude: Any = None, **kwargs: Any) -> Any:
    """Call ``reset_state(*args, **kwargs)`` on every Module of the graph; returns ``target``."""
    return call_all_fns(
        target, "reset_state", args, kwargs, _only_modules(node_to_exclude), "pass"
    )


def _only_modules(node_to_exclude: Any) -> Any:
    not_module = _filter.Not(Module)
    if node_to_exclude is None:
        return not_module
    return _filter.Any(not_module, node_to_exclude)


def vmap_init_all_states(target: Any, *args: Any, axis_size: int, state_tag: str | None = None,
                         node_to_exclude: Any = None, **kwargs: Any) -> Any:
    """``init_all_states`` once per batch element: new States get a leading axis of
    ``axis_size`` and random initializers draw independently for each element.

    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> lif = brainsim.models.LIF(3, V_initializer=brainsim.init.Normal(0. * u.mV, 1. * u.mV))
    >>> _ = brainsim.nn.vmap_init_all_states(lif, axis_size=4)
    >>> lif.V.value.shape
    (4, 3)
    """
    from ..transform import vmap_new_states

    def make() -> None:
        init_all_states(target, *args, node_to_exclude=node_to_exclude, **kwargs)

    with catch_new_states() as catcher:
        vmap_new_states(make, axis_size=axis_size, state_tag=state_tag)()
    for st in catcher:
        _BATCHED[st] = axis_size
    return target


# States that carry a leading batch axis added by vmap_init_all_states / vmap_reset_all_states
# (their axis size): a later vmapped reset maps them on that axis instead of broadcasting them
_BATCHED: weakref.WeakKeyDictionary[State, int] = weakref.WeakKeyDictionary()


def vmap_reset_all_states(target: Any, *args: Any, axis_size: int,
                          node_to_exclude: Any = None, **kwargs: Any) -> Any:
    """``reset_all_states`` once per batch element (fresh random draws per element).

    The reset values are computed under ``vmap`` and written into the existing States,
    which get (or keep) a leading axis of ``axis_size``.
    """
    from .. import graph
    from ..transform import vmap

    states = list(graph.states(target).values())

    def reset() -> None:
        reset_all_states(target, *args, node_to_exclude=node_to_exclude, **kwargs)

    def batched(st: State) -> bool:
        shape = getattr(st.value, "shape", ())
        return _BATCHED.get(st) == axis_size and len(shape) > 0 and shape[0] == axis_size

    mapped = [st for st in states if batched(st)]
    rest = [st for st in states if not batched(st)]
    # a State that already has the batch axis is mapped on it (each lane resets its own
    # slice); the others gain the axis on the way out
    vmap(reset, axis_size=axis_size, in_states={0: mapped}, out_states={0: rest})()
    for st in states:
        _BATCHED[st] = axis_size
    return target
