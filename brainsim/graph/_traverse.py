"""The one traversal of the object graph that every graph query is a view of.

:func:`walk` visits the graph in attribute *definition* order, parents before children,
each Node and State once (by identity, under the first path found). Every entry knows its
path (attribute names, dict keys, list indices), its hierarchy level (root 0, +1 per Node
stepped into; containers do not count; a State has the level of the Node owning it), the
Node that owns it, and the container and key it sits under (for editing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from .._state import State
from ._node import Node, registered_impl

__all__ = ["Entry", "walk", "iter_node", "iter_leaf", "join_path", "MAX_LEVEL"]

MAX_LEVEL = 2**31 - 1


class Entry(NamedTuple):
    """One item found by :func:`walk`."""

    path: tuple
    obj: Any
    level: int
    owner: Node | None  # the nearest enclosing graph Node (None for the root)
    container: Any  # the object holding ``obj`` (a Node, dict, list, ...), None for the root
    key: Any  # attribute name / dict key / list index of ``obj`` in ``container``


def join_path(path: tuple) -> str:
    """Dotted form of a path: ``('layers', 0, 'w')`` -> ``'layers.0.w'``."""
    return ".".join(str(p) for p in path)


def _children(obj: Any) -> list[tuple[Any, Any]] | None:
    if isinstance(obj, Node):
        hidden = type(obj).graph_invisible_attrs
        return [(k, v) for k, v in vars(obj).items() if k not in hidden]
    impl = registered_impl(obj)
    if impl is not None:
        return list(impl.flatten(obj)[0])
    if isinstance(obj, dict):
        return list(obj.items())
    if isinstance(obj, list | tuple):
        return list(enumerate(obj))
    return None


def walk(root: Any, state_aliases: bool = False) -> Iterator[Entry]:
    """Yield every Node and State reachable from ``root`` (root first, definition order).

    A State reachable under several paths is yielded once, under its first path, unless
    ``state_aliases`` is true: then every path to it is yielded (for removing all of them).

    Examples
    --------
    >>> import brainsim
    >>> m = brainsim.nn.Module()
    >>> m.sub = brainsim.nn.Module()
    >>> m.sub.w = brainsim.ParamState(1.0)
    >>> [(e.path, type(e.obj).__name__, e.level) for e in brainsim.graph.walk(m)]
    [((), 'Module', 0), (('sub',), 'Module', 1), (('sub', 'w'), 'ParamState', 1)]
    """
    seen: set[int] = set()
    active: set[int] = set()

    def visit(obj, path, parent_level, owner, container, key):
        if isinstance(obj, State):
            if state_aliases or id(obj) not in seen:
                seen.add(id(obj))
                yield Entry(path, obj, max(parent_level, 0), owner, container, key)
            return
        if isinstance(obj, Node):
            if id(obj) in seen:
                return
            seen.add(id(obj))
            level = parent_level + 1
            yield Entry(path, obj, level, owner, container, key)
            for k, child in _children(obj):
                yield from visit(child, path + (k,), level, obj, obj, k)
            return
        children = _children(obj)
        if children is None or id(obj) in active:
            return
        if registered_impl(obj) is not None:
            if id(obj) in seen:
                return
            seen.add(id(obj))
        active.add(id(obj))
        try:
            for k, child in children:
                yield from visit(child, path + (k,), parent_level, owner, obj, k)
        finally:
            active.discard(id(obj))

    yield from visit(root, (), -1, None, None, None)


def iter_node(root: Any) -> Iterator[tuple[tuple, Node]]:
    """Raw traversal: ``(path, node)`` for every graph Node, root first."""
    for e in walk(root):
        if isinstance(e.obj, Node):
            yield e.path, e.obj


def iter_leaf(root: Any) -> Iterator[tuple[tuple, State]]:
    """Raw traversal: ``(path, state)`` for every State."""
    for e in walk(root):
        if isinstance(e.obj, State):
            yield e.path, e.obj
