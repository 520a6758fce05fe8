"""Queries and the functional view of the object graph: split / merge / clone."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import jax
import numpy as np

from .. import filter as _filter
from .._errors import BrainSimKeyError, BrainSimTypeError, BrainSimValueError
from .._state import State, TreefyState
from ._dicts import FlatDict, FlatStateDict, NestedStateDict
from ._node import Node, registered_impl
from ._traverse import MAX_LEVEL, walk

__all__ = [
    "states",
    "nodes",
    "check_hierarchy",
    "GraphDef",
    "graphdef",
    "treefy_split",
    "treefy_merge",
    "clone",
    "update_states",
    "pop_states",
    "assign_state_values",
]


def check_hierarchy(allowed_hierarchy: Any, owner: str = "allowed_hierarchy") -> tuple[int, int]:
    """Validate ``allowed_hierarchy=(lo, hi)``."""
    if (
        not isinstance(allowed_hierarchy, tuple | list)
        or len(allowed_hierarchy) != 2
        or not all(isinstance(x, int) and not isinstance(x, bool) for x in allowed_hierarchy)
    ):
        raise BrainSimTypeError(
            f"{owner}: expected a pair of ints (lo, hi) such as (0, 1), got "
            f"{allowed_hierarchy!r}."
        )
    lo, hi = allowed_hierarchy
    if lo < 0 or hi < lo:
        raise BrainSimValueError(
            f"{owner}: expected 0 <= lo <= hi, got (lo, hi) = ({lo}, {hi})."
        )
    return lo, hi


def states(
    root: Any, *filters: Any, allowed_hierarchy: tuple[int, int] = (0, MAX_LEVEL)
) -> FlatStateDict | tuple[FlatStateDict, ...]:
    """Every State under ``root`` keyed by path; with filters, the matching subset(s)."""
    lo, hi = check_hierarchy(allowed_hierarchy)
    flat = FlatStateDict(
        (e.path, e.obj) for e in walk(root) if isinstance(e.obj, State) and lo <= e.level <= hi
    )
    return flat.filter(*filters) if filters else flat


def nodes(
    root: Any, *filters: Any, allowed_hierarchy: tuple[int, int] = (0, MAX_LEVEL)
) -> FlatDict | tuple[FlatDict, ...]:
    """Every graph Node under ``root`` (root included at path ``()``)."""
    lo, hi = check_hierarchy(allowed_hierarchy)
    flat = FlatDict(
        (e.path, e.obj) for e in walk(root) if isinstance(e.obj, Node) and lo <= e.level <= hi
    )
    return flat.filter(*filters) if filters else flat


# --------------------------------------------------------------------------- split / merge

_STRIP = object()  # memo key telling State.__deepcopy__ to drop values


class _Empty:
    """Placeholder value of a State inside a GraphDef template."""

    def __deepcopy__(self, memo: dict) -> _Empty:
        return self

    def __repr__(self) -> str:
        return "<empty>"


_EMPTY = _Empty()


class GraphDef:
    """The structure of an object graph without its State values.

    Built by :func:`treefy_split`; :func:`treefy_merge` rebuilds a fresh object graph from
    it and state mappings. Hashable by identity, so it can be a static argument.
    """

    def __init__(self, template: Any, rest: dict[tuple, Any], paths: tuple[tuple, ...]):
        self._template = template
        self._rest = rest
        self.paths = paths

    def __repr__(self) -> str:
        return f"GraphDef({type(self._template).__name__}, num_states={len(self.paths)})"


def _template(node: Any) -> Any:
    memo: dict = {}
    # States drop their values (they live in the mappings), everything else is copied.
    for e in walk(node):
        if isinstance(e.obj, State):
            new = object.__new__(type(e.obj))
            memo[id(e.obj)] = new
            d = {k: v for k, v in vars(e.obj).items() if k != "_value"}
            new.__dict__.update(copy.deepcopy(d, memo))
            new._value = _EMPTY
    return copy.deepcopy(node, memo)


def graphdef(node: Any) -> GraphDef:
    """The :class:`GraphDef` of ``node`` (same as ``treefy_split(node)[0]``)."""
    return treefy_split(node)[0]


def treefy_split(node: Any, *filters: Any) -> tuple:
    """Split ``node`` into ``(graphdef, state_mapping, ...)``.

    Each mapping is a :class:`NestedStateDict` whose leaves are :class:`TreefyState`
    snapshots (pytrees). With filters, one mapping per filter (first match wins); States
    matched by none stay inside the graphdef.

    Examples
    --------
    >>> import brainsim, jax, jax.numpy as jnp
    >>> m = brainsim.nn.Module()
    >>> m.w = brainsim.ParamState(jnp.ones(2))
    >>> m.h = brainsim.HiddenState(jnp.zeros(2))
    >>> gdef, params, rest = brainsim.graph.treefy_split(m, brainsim.ParamState, ...)
    >>> params = jax.tree.map(lambda x: x * 3, params)
    >>> m2 = brainsim.graph.treefy_merge(gdef, params, rest)
    >>> m2.w.value, m2 is m, m2.w is m.w
    (Array([3., 3.], dtype=float32), False, False)
    """
    flat = states(node)
    snap = FlatStateDict((k, st.to_state_ref()) for k, st in flat.items())
    if filters:
        preds = _filter.to_predicates(filters)
        parts = [FlatStateDict() for _ in preds]
        rest: dict[tuple, Any] = {}
        for k, ref in snap.items():
            st = flat[k]
            for p, part in zip(preds, parts, strict=True):
                if p(k, st):
                    part[k] = ref
                    break
            else:
                rest[k] = ref.value
        mappings = [p.to_nest() for p in parts]
    else:
        rest = {}
        mappings = [snap.to_nest()]
    gdef = GraphDef(_template(node), rest, tuple(flat.keys()))
    return (gdef, *mappings)


def _flatten_mapping(mapping: Any) -> dict[tuple, Any]:
    if isinstance(mapping, FlatDict):
        return dict(mapping)
    if isinstance(mapping, NestedStateDict):
        return dict(mapping.to_flat())
    if isinstance(mapping, dict):
        if all(isinstance(k, tuple) for k in mapping):  # already flat: path tuple -> value
            return dict(mapping)
        return dict(NestedStateDict(mapping).to_flat())
    raise BrainSimTypeError(
        f"expected a state mapping (NestedStateDict / FlatStateDict / dict), got "
        f"{type(mapping).__name__}."
    )


def treefy_merge(gdef: GraphDef, *mappings: Any) -> Any:
    """Build a fresh object graph (fresh States) from a GraphDef and state mappings."""
    if not isinstance(gdef, GraphDef):
        raise BrainSimTypeError(
            f"treefy_merge: expected a GraphDef as first argument, got {type(gdef).__name__}."
        )
    values: dict[tuple, Any] = dict(gdef._rest)
    for m in mappings:
        values.update(_flatten_mapping(m))
    new = copy.deepcopy(gdef._template)
    for path, st in states(new).items():
        if path not in values:
            raise BrainSimKeyError(
                f"treefy_merge: no value for the State at path {path!r}. Pass every mapping "
                f"returned by treefy_split."
            )
        v = values[path]
        st._value = v.value if isinstance(v, TreefyState) else v
    return new


def clone(node: Any) -> Any:
    """A deep copy with fresh States; shared references stay shared."""
    return treefy_merge(*treefy_split(node))


def update_states(node: Any, mapping: Any) -> None:
    """Write the values of ``mapping`` (keyed by path) into the States of ``node``, in place."""
    flat = states(node)
    for path, v in _flatten_mapping(mapping).items():
        if path not in flat:
            raise BrainSimKeyError(f"update_states: no State at path {path!r} in the graph.")
        v = v.value if isinstance(v, TreefyState) else v
        _check_state_update(flat[path], path, v)
        flat[path].value = v


def _is_array_leaf(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") or isinstance(
        x, bool | int | float | complex | np.number | np.bool_
    )


def _check_state_update(state: State, path: tuple, value: Any) -> None:
    """A raw value written by ``update_states`` must look like the State's value."""
    old_tree = jax.tree.structure(state._value, is_leaf=_is_array_leaf)
    new_leaves, new_tree = jax.tree.flatten(value, is_leaf=_is_array_leaf)
    if isinstance(value, State) or old_tree != new_tree or not all(
        _is_array_leaf(x) for x in new_leaves
    ):
        raise BrainSimTypeError(
            f"update_states: the State at path {path!r} ({type(state).__name__}) holds a "
            f"value of structure {old_tree}; got {type(value).__name__} {value!r:.80}. Pass "
            f"the mapping from graph.treefy_split(...) or an array (pytree) of the same "
            f"structure for each State."
        )


def pop_states(node: Any, *filters: Any) -> NestedStateDict | tuple[NestedStateDict, ...]:
    """Remove the States matching ``filters`` from the graph and return them (snapshots)."""
    if not filters:
        raise BrainSimValueError(
            "pop_states: expected at least one filter (e.g. brainsim.ShortTermState)."
        )
    preds = _filter.to_predicates(filters)
    parts = [FlatStateDict() for _ in preds]
    found = []
    popped: set[int] = set()
    # every path to a popped State is removed: an alias (``self.b = self.a``) must not
    # keep the State in the graph
    for e in walk(node, state_aliases=True):
        if not isinstance(e.obj, State):
            continue
        if id(e.obj) in popped:
            found.append(e)
            continue
        for p, part in zip(preds, parts, strict=True):
            if p(e.path, e.obj):
                part[e.path] = e.obj.to_state_ref()
                found.append(e)
                popped.add(id(e.obj))
                break
    for e in reversed(found):  # reversed keeps list indices valid
        c = e.container
        impl = registered_impl(c)
        if isinstance(c, Node):
            delattr(c, e.key)
        elif impl is not None:
            impl.pop_key(c, e.key)
        elif isinstance(c, dict | list):
            del c[e.key]
        else:
            raise BrainSimTypeError(
                f"pop_states: cannot remove the State at {e.path!r} from an immutable "
                f"{type(c).__name__}."
            )
    out = tuple(p.to_nest() for p in parts)
    return out[0] if len(out) == 1 else out


def _to_path(key: Any) -> tuple:
    if isinstance(key, str):
        return tuple(int(p) if p.isdigit() else p for p in key.split("."))
    if isinstance(key, tuple):
        return key
    raise BrainSimTypeError(
        f"assign_state_values: keys must be path tuples or dotted strings, got {key!r}."
    )


def assign_state_values(module: Any, *flat_dicts: Iterable) -> tuple[list, list]:
    """Assign values by path; returns ``(unexpected_keys, missing_keys)``.

    Examples
    --------
    >>> import brainsim, jax.numpy as jnp
    >>> m = brainsim.nn.Module(); m.w = brainsim.ParamState(jnp.zeros(2))
    >>> brainsim.graph.assign_state_values(m, {'w': jnp.ones(2), 'x': 1.0})
    (['x'], [])
    >>> m.w.value
    Array([1., 1.], dtype=float32)
    """
    flat = states(module)
    given: dict[tuple, Any] = {}
    user_keys: dict[tuple, Any] = {}  # unexpected keys are reported as the user wrote them
    for d in flat_dicts:
        for k, v in dict(d).items():
            given[_to_path(k)] = v
            user_keys[_to_path(k)] = k
    unexpected = [user_keys[k] for k in given if k not in flat]
    missing = [k for k in flat if k not in given]
    for k, v in given.items():
        if k in flat:
            flat[k].value = v.value if isinstance(v, TreefyState) else v
    return unexpected, missing
