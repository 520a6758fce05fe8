"""Filters select States and graph nodes by type, tag, path or predicate.

A filter is anything :func:`to_predicate` accepts; the result is a predicate
``(path, x) -> bool`` where ``path`` is a tuple of attribute names, dict keys and list
indices.

Examples
--------
>>> import brainsim
>>> from brainsim import filter as F
>>> s = brainsim.ParamState(1.0, tag='fast')
>>> F.to_predicate(brainsim.ParamState)(('w',), s), F.to_predicate('fast')(('w',), s)
(True, True)
>>> F.to_predicate(F.Not(brainsim.HiddenState))(('w',), s)
True
>>> F.PathContains('layer1')(('layer1', 'weight', 'val'), s)
True
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Hashable

from ._errors import BrainSimTypeError, BrainSimValueError

__all__ = [
    "Filter",
    "to_predicate",
    "WithTag",
    "OfType",
    "PathContains",
    "Any",
    "All",
    "Not",
    "Everything",
    "Nothing",
]

Filter = typing.Any  # type alias for documentation purposes


class _Pred:
    """Base of the built-in predicates: hashable and comparable by parameters."""

    def _key(self) -> tuple:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __repr__(self) -> str:
        args = ", ".join(repr(a) for a in self._key())
        return f"{type(self).__name__}({args})"


class WithTag(_Pred):
    """Matches objects whose ``tag`` is ``tag`` or contains it."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def _key(self) -> tuple:
        return (self.tag,)

    def __call__(self, path: tuple, x: typing.Any) -> bool:
        t = getattr(x, "tag", None)
        if t is None:
            return False
        if isinstance(t, str):
            return t == self.tag
        try:
            return self.tag in t
        except TypeError:
            return False


class OfType(_Pred):
    """Matches ``isinstance(x, type)``, or snapshots whose ``.type`` subclasses it."""

    def __init__(self, type: type) -> None:
        self.type = type

    def _key(self) -> tuple:
        return (self.type,)

    def __call__(self, path: tuple, x: typing.Any) -> bool:
        if isinstance(x, self.type):
            return True
        t = getattr(x, "type", None)
        return isinstance(t, type) and issubclass(t, self.type)

    def __repr__(self) -> str:
        return f"OfType({self.type.__name__})"


class PathContains(_Pred):
    """Matches when any part of the path equals ``key``."""

    def __init__(self, key: Hashable) -> None:
        self.key = key

    def _key(self) -> tuple:
        return (self.key,)

    def __call__(self, path: tuple, x: typing.Any) -> bool:
        return self.key in path


class Any(_Pred):  # noqa: A001 - the filter vocabulary of the reference API
    """Matches when any of the filters matches."""

    def __init__(self, *filters: Filter) -> None:
        self.filters = tuple(filters)
        self._preds = tuple(to_predicate(f) for f in filters)

    def _key(self) -> tuple:
        return self._preds

    def __call__(self, path: tuple, x: typing.Any) -> bool:
        return any(p(path, x) for p in self._preds)


class All(_Pred):
    """Matches when all of the filters match."""

    def __init__(self, *filters: Filter) -> None:
        self.filters = tuple(filters)
        self._preds = tuple(to_predicate(f) for f in filters)

    def _key(self) -> tuple:
        return self._preds

    def __call__(self, path: tuple, x: typing.Any) -> bool:
        return all(p(path, x) for p in self._preds)


class Not(_Pred):
    """Matches when the filter does not."""

    def __init__(self, filter: Filter) -> None:
        self.filter = filter
        self._pred = to_predicate(filter)

    def _key(self) -> tuple:
        return (self._pred,)

    def __call__(self, path: tuple, x: typing.Any) -> bool:
        return not self._pred(path, x)


class Everything(_Pred):
    """Matches everything."""

    def _key(self) -> tuple:
        return ()

    def __call__(self, path: tuple, x: typing.Any) -> bool:
        return True


class Nothing(_Pred):
    """Matches nothing."""

    def _key(self) -> tuple:
        return ()

    def __call__(self, path: tuple, x: typing.Any) -> bool:
        return False


def to_predicate(f: Filter) -> Callable[[tuple, typing.Any], bool]:
    """Turn a filter into a predicate ``(path, x) -> bool``.

    - a ``str`` becomes ``WithTag(s)``; a type becomes ``OfType(T)``;
    - ``True`` and ``...`` become ``Everything()``; ``False`` and ``None`` ``Nothing()``;
    - a list or tuple becomes ``Any(*items)``; a callable is used unchanged.
    """
    if isinstance(f, _Pred):
        return f
    if isinstance(f, str):
        return WithTag(f)
    if isinstance(f, type):
        return OfType(f)
    if f is True or f is Ellipsis:
        return Everything()
    if f is False or f is None:
        return Nothing()
    if isinstance(f, list | tuple):
        return Any(*f)
    if callable(f):
        return f
    raise BrainSimTypeError(
        f"to_predicate: expected a filter (a type, a tag string, True/False/None/..., a "
        f"list/tuple of filters or a callable (path, x) -> bool), got {type(f).__name__}: "
        f"{f!r}."
    )


def to_predicates(filters: tuple) -> tuple[Callable[[tuple, typing.Any], bool], ...]:
    """Predicates for a multi-filter split: ``...`` / ``True`` may only come last."""
    for i, f in enumerate(filters[:-1]):
        if f is Ellipsis or f is True:
            raise BrainSimValueError(
                f"filters: `...` / `True` matches everything and may only be the last filter, "
                f"but it is at position {i} of {len(filters)}. Move it to the end."
            )
    return tuple(to_predicate(f) for f in filters)
