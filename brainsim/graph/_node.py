"""The graph node base class and the registry of custom graph containers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._errors import BrainSimTypeError

__all__ = ["Node", "register_graph_node_type", "GraphNodeImpl"]


class Node:
    """A registered mutable object of the model graph.

    Its graph children are its instance attributes (``vars(self)``), minus the names in
    the class attribute ``graph_invisible_attrs``. :class:`brainsim.nn.Module` subclasses it.
    """

    graph_invisible_attrs: tuple[str, ...] = ()


@dataclass(frozen=True)
class GraphNodeImpl:
    """How to traverse and edit a registered custom container type."""

    type: type
    flatten: Callable[[Any], tuple[list[tuple[Any, Any]], Any]]
    set_key: Callable[[Any, Any, Any], None]
    pop_key: Callable[[Any, Any], Any]
    create_empty: Callable[[Any], Any]
    clear: Callable[[Any], None]


_REGISTRY: dict[type, GraphNodeImpl] = {}
_builtin_type = type


def register_graph_node_type(
    type: type,
    flatten: Callable[[Any], tuple[list[tuple[Any, Any]], Any]],
    set_key: Callable[[Any, Any, Any], None],
    pop_key: Callable[[Any, Any], Any],
    create_empty: Callable[[Any], Any],
    clear: Callable[[Any], None],
) -> None:
    """Register a custom mutable container as a graph node.

    ``flatten(obj) -> (list of (key, child), aux)``; ``set_key(obj, key, value)``;
    ``pop_key(obj, key) -> value``; ``create_empty(aux) -> obj``; ``clear(obj)``.

    Examples
    --------
    >>> import brainsim
    >>> class Bag:
    ...     def __init__(self): self.items = {}
    >>> brainsim.graph.register_graph_node_type(
    ...     Bag,
    ...     flatten=lambda b: (list(b.items.items()), None),
    ...     set_key=lambda b, k, v: b.items.__setitem__(k, v),
    ...     pop_key=lambda b, k: b.items.pop(k),
    ...     create_empty=lambda aux: Bag(),
    ...     clear=lambda b: b.items.clear())
    >>> m = brainsim.nn.Module()
    >>> m.bag = Bag(); m.bag.items['w'] = brainsim.ParamState(1.0)
    >>> list(m.states().keys())
    [('bag', 'w')]
    """
    if not isinstance(type, _builtin_type):
        raise BrainSimTypeError(
            f"register_graph_node_type: expected a class as `type`, got {type!r}."
        )
    _REGISTRY[type] = GraphNodeImpl(type, flatten, set_key, pop_key, create_empty, clear)


def registered_impl(obj: Any) -> GraphNodeImpl | None:
    return _REGISTRY.get(obj.__class__)
