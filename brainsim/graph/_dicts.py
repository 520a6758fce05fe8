"""Path-keyed dictionaries and list-like collection views returned by graph queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jax

from .. import filter as _filter
from .._state import State, TreefyState

__all__ = ["FlatDict", "FlatStateDict", "NestedStateDict", "CollectionView"]


class FlatDict(dict):
    """A dict keyed by path tuples (``('layer1', 'weight')``)."""

    def filter(self, *filters: Any) -> FlatDict | tuple[FlatDict, ...]:
        """Subset(s) by filter; with k >= 2 filters, each item goes to the first match."""
        return _split(self, filters)

    def to_nest(self) -> NestedStateDict:
        """Nest by path parts."""
        out = NestedStateDict()
        for path, v in self.items():
            d = out
            for p in path[:-1]:
                d = d.setdefault(p, NestedStateDict())
            d[path[-1]] = v
        return out

    def __repr__(self) -> str:
        inner = ",\n".join(f"  {k!r}: {v!r}" for k, v in self.items())
        return f"{type(self).__name__}({{\n{inner}\n}})" if self else f"{type(self).__name__}({{}})"


def _split(d: FlatDict, filters: tuple) -> Any:
    if not filters:
        return type(d)(d)
    preds = _filter.to_predicates(filters)
    outs = [type(d)() for _ in preds]
    for k, v in d.items():
        for p, out in zip(preds, outs, strict=True):
            if p(k, v):
                out[k] = v
                break
    return outs[0] if len(outs) == 1 else tuple(outs)


class FlatStateDict(FlatDict):
    """Path tuple -> live :class:`~brainsim.State` (a pytree with the States as leaves).

    Examples
    --------
    >>> import brainsim, jax.numpy as jnp
    >>> m = brainsim.nn.Module()
    >>> m.w = brainsim.ParamState(jnp.ones(2))
    >>> m.v = brainsim.HiddenState(jnp.zeros(3))
    >>> states = m.states()
    >>> list(states.keys())
    [('w',), ('v',)]
    >>> states.to_dict_values()[('w',)]
    Array([1., 1.], dtype=float32)
    """

    def to_dict_values(self) -> dict[tuple, Any]:
        """Path -> current value."""
        return {k: (v.value if isinstance(v, State) else v) for k, v in self.items()}

    def assign_dict_values(self, values: dict[tuple, Any]) -> None:
        """Write values (keyed like this dict) into the States."""
        for k, v in values.items():
            self[k].value = v.value if isinstance(v, TreefyState) else v


class NestedStateDict(dict):
    """Nested dict keyed by path parts; ``to_flat()`` gives the flat form."""

    def to_flat(self) -> FlatStateDict:
        out = FlatStateDict()

        def rec(d, prefix):
            for k, v in d.items():
                if isinstance(v, dict) and not isinstance(v, State):
                    rec(v, prefix + (k,))
                else:
                    out[prefix + (k,)] = v

        rec(self, ())
        return out


def _flatten_dict(d: dict):
    keys = tuple(d.keys())
    return [d[k] for k in keys], keys


def _flatten_dict_with_keys(d: dict):
    keys = tuple(d.keys())
    return [(jax.tree_util.DictKey(k), d[k]) for k in keys], keys


for _cls in (FlatDict, FlatStateDict, NestedStateDict):
    jax.tree_util.register_pytree_with_keys(
        _cls,
        _flatten_dict_with_keys,
        (lambda c: lambda keys, vals: c(zip(keys, vals, strict=True)))(_cls),
        _flatten_dict,
    )


class CollectionView(list):
    """A list of items that also offers ``keys()`` (dotted names), ``values()``, ``items()``.

    Both ``for m in model.modules()`` and ``model.modules().values()`` work.
    """

    def __init__(self, names: list[str], items: list[Any]) -> None:
        super().__init__(items)
        self._names = list(names)

    def keys(self) -> list[str]:
        return list(self._names)

    def values(self) -> list[Any]:
        return list(self)

    def items(self) -> list[tuple[str, Any]]:
        return list(zip(self._names, self, strict=True))

    def filter(self, pred: Callable[[str, Any], bool]) -> CollectionView:
        pairs = [(n, x) for n, x in self.items() if pred(n, x)]
        return CollectionView([n for n, _ in pairs], [x for _, x in pairs])

    def __iter__(self) -> Iterator[Any]:
        return super().__iter__()
