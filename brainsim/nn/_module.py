"""``Module``: the base class of every model object, and its graph API.

Every query method here is a thin view over :func:`brainsim.graph.walk` (one traversal:
definition order, parents first, identity de-duplication, hierarchy levels, dotted paths).
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import graph
from .._errors import (
    ArgumentError,
    BrainSimAttributeError,
    BrainSimTypeError,
    BrainSimValueError,
)
from .._state import ParamState, State, catch_new_states
from ..graph import CollectionView, FlatDict, FlatStateDict, NestedStateDict, join_path
from ..graph._ops import check_hierarchy
from ..graph._traverse import MAX_LEVEL

__all__ = ["Module", "ParamDescriber", "ParamDesc", "param_entries"]

_FULL = (0, MAX_LEVEL)


def _to_size(value: Any, owner: str, arg: str) -> tuple[int, ...] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int | np.integer):
        return (int(value),)
    elif isinstance(value, np.ndarray | np.generic) or hasattr(value, "dtype"):
        arr = np.asarray(value)
        if arr.ndim == 0 and np.issubdtype(arr.dtype, np.integer):
            return (int(arr),)
    elif isinstance(value, list | tuple):
        return tuple(value)
    raise ArgumentError(
        f"{owner}.{arg}: expected an int, a 0-d integer array, or a list/tuple of ints, got "
        f"{type(value).__name__}: {value!r}."
    )


class _DescriberMeta(type):
    def __getitem__(cls, base: type) -> type:
        return _DescriberOf(base)


class _DescriberOf:
    """``ParamDescriber[Base]``: an isinstance check on the described class."""

    def __init__(self, base: type) -> None:
        self.base = base

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, ParamDescriber) and issubclass(obj.cls, self.base)


def _hashable(x: Any) -> Any:
    import brainunit as u

    if isinstance(x, u.Quantity):
        return ("quantity", _hashable(np.asarray(x.mantissa)), str(x.unit))
    if isinstance(x, np.ndarray) or hasattr(x, "__array__") and hasattr(x, "dtype"):
        arr = np.asarray(x)
        if arr.size <= 1024:
            return ("array", arr.shape, str(arr.dtype), arr.tobytes())
        return ("id", id(x))
    try:
        hash(x)
        return x
    except TypeError:
        if isinstance(x, dict):
            return tuple(sorted((k, _hashable(v)) for k, v in x.items()))
        if isinstance(x, list | tuple):
            return tuple(_hashable(v) for v in x)
        return ("id", id(x))


class ParamDescriber(metaclass=_DescriberMeta):
    """A deferred constructor ``cls(*args, **kwargs)`` with a hashable ``identifier``.

    Examples
    --------
    >>> import brainsim
    >>> d = brainsim.nn.Linear.desc(out_size=5)
    >>> isinstance(d, brainsim.nn.ParamDescriber[brainsim.nn.Module])
    True
    >>> layer = d(3)
    >>> layer.in_size, layer.out_size
    ((3,), (5,))
    """

    def __init__(self, cls: type, *args: Any, **kwargs: Any) -> None:
        self.cls = cls
        self.args = args
        self.kwargs = kwargs
        self.identifier = (cls, _hashable(args), _hashable(kwargs))

    def __call__(self, *more: Any, **kw: Any) -> Any:
        return self.cls(*self.args, *more, **{**self.kwargs, **kw})

    def init(self, *more: Any, **kw: Any) -> Any:
        return self(*more, **kw)

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.cls.__name__}.desc({', '.join(parts)})"


class ParamDesc:
    """Mixin giving ``Cls.desc(*args, **kw)`` -> :class:`ParamDescriber`."""

    @classmethod
    def desc(cls, *args: Any, **kwargs: Any) -> ParamDescriber:
        return ParamDescriber(cls, *args, **kwargs)


def param_entries(
    root: Any, allowed_hierarchy: tuple[int, int] = _FULL
) -> list[tuple[tuple, Any, Any]]:
    """``(path, param, owner)`` for every Param under root, in traversal order."""
    from ._param import Param  # Param subclasses Module; imported lazily

    lo, hi = allowed_hierarchy
    return [
        (e.path, e.obj, e.owner)
        for e in graph.walk(root)
        if isinstance(e.obj, Param) and lo <= e.level <= hi
    ]


class Module(graph.Node, ParamDesc):
    """Base class of every model object.

    A Module's graph children are its attributes: sub-Modules, States and containers of
    them. ``__call__`` calls :meth:`update`; ``x >> module`` is ``module(x)``.

    Parameters
    ----------
    name
        Optional name (a ``str``); read-only afterwards.

    Examples
    --------
    >>> import brainsim, jax.numpy as jnp
    >>> class Scale(brainsim.nn.Module):
    ...     def __init__(self, factor):
    ...         super().__init__()
    ...         self.factor = brainsim.ParamState(jnp.asarray(factor))
    ...     def update(self, x):
    ...         return x * self.factor.value
    >>> layer = Scale(2.0)
    >>> layer(3.0)
    Array(6., dtype=float32, weak_type=True)
    >>> 3.0 >> layer >> layer
    Array(12., dtype=float32, weak_type=True)
    >>> list(layer.states(brainsim.ParamState).keys())
    [('factor',)]

    The seed example, with a plain float attribute:

    >>> class Scale(brainsim.nn.Module):
    ...     def __init__(self, scale):
    ...         super().__init__()
    ...         self.scale = scale
    ...     def update(self, x):
    ...         return x * self.scale
    >>> Scale(2.0)(3.0)
    6.0
    """

    graph_invisible_attrs: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fn = cls.__dict__.get("init_state")
        if fn is not None and callable(fn) and not getattr(fn, "_marks_init", False):
            cls.init_state = _marking_init_state(fn)

    def __getattr__(self, name: str) -> Any:
        # Only reached when ordinary look-up fails. A module whose init_state() has not
        # run yet is missing its States: say so, instead of a bare AttributeError.
        cls = type(self)
        if (
            not name.startswith("__")
            and cls.init_state is not Module.init_state
            and self not in _INITIALISED
        ):
            raise BrainSimAttributeError(
                f"{cls.__name__}.{name}: the module has no attribute {name!r} yet; its States "
                f"are created by init_state(). Call module.init_state() (or "
                f"brainsim.nn.init_all_states(model)) before using it."
            )
        raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")

    def __init__(self, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise ArgumentError(
                f"{type(self).__name__}(name=...): expected a str or None, got "
                f"{type(name).__name__}: {name!r}."
            )
        self._name = name
        self._in_size: tuple[int, ...] | None = None
        self._out_size: tuple[int, ...] | None = None

    # ------------------------------------------------------------------ basic properties
    @property
    def name(self) -> str | None:
        """The module's name (read-only)."""
        return getattr(self, "_name", None)

    @name.setter
    def name(self, value: Any) -> None:
        raise AttributeError(
            f"{type(self).__name__}.name is read-only; pass name=... to the constructor."
        )

    @property
    def in_size(self) -> tuple[int, ...] | None:
        return getattr(self, "_in_size", None)

    @in_size.setter
    def in_size(self, value: Any) -> None:
        self._in_size = _to_size(value, type(self).__name__, "in_size")

    @property
    def out_size(self) -> tuple[int, ...] | None:
        return getattr(self, "_out_size", None)

    @out_size.setter
    def out_size(self, value: Any) -> None:
        self._out_size = _to_size(value, type(self).__name__, "out_size")

    # ------------------------------------------------------------------ behaviour
    def update(self, *args: Any, **kwargs: Any) -> Any:
        """The module's behaviour; subclasses override it."""
        raise NotImplementedError(
            f"{type(self).__name__}.update is not implemented: subclasses of Module define "
            f"update(...) to say what calling the module does."
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.update(*args, **kwargs)

    def __rrshift__(self, x: Any) -> Any:
        """``x >> module`` is ``module(x)`` (chains: ``x >> m1 >> m2 == m2(m1(x))``).

        With a brainunit Quantity on the left, brainunit's own ``>>`` runs first and hands
        the module the bare mantissa; call ``module(q)`` for Quantity inputs.
        """
        return self(x)

    def init_state(self, *args: Any, **kwargs: Any) -> None:
        """Create this module's States (hook; the base does nothing)."""

    def reset_state(self, *args: Any, **kwargs: Any) -> None:
        """Re-initialise this module's States in place (hook; the base does nothing)."""

    def init_all_states(self, *args: Any, state_tag: str | None = None, **kwargs: Any):
        """Run ``init_state`` on the whole graph; return the catcher of new States."""
        from ._collective import init_all_states

        with catch_new_states(state_tag) as catcher:
            init_all_states(self, *args, **kwargs)
        return catcher

    def reset_all_states(self, *args: Any, **kwargs: Any) -> Module:
        """Run ``reset_state`` on the whole graph."""
        from ._collective import reset_all_states

        return reset_all_states(self, *args, **kwargs)

    # ------------------------------------------------------------------ graph queries
    def states(
        self, *filters: Any, allowed_hierarchy: tuple[int, int] = _FULL
    ) -> FlatStateDict | tuple[FlatStateDict, ...]:
        """Every State (path tuple -> State); with k filters, k subsets (first match wins)."""
        return graph.states(self, *filters, allowed_hierarchy=allowed_hierarchy)

    def state_trees(self, *filters: Any) -> NestedStateDict | tuple[NestedStateDict, ...]:
        """The same States as :meth:`states`, nested by path parts."""
        res = self.states(*filters)
        return tuple(r.to_nest() for r in res) if isinstance(res, tuple) else res.to_nest()

    def nodes(
        self, *filters: Any, allowed_hierarchy: tuple[int, int] = _FULL
    ) -> FlatDict | tuple[FlatDict, ...]:
        """Every graph Node (root included at path ``()``)."""
        return graph.nodes(self, *filters, allowed_hierarchy=allowed_hierarchy)

    def _module_entries(self) -> list[tuple[tuple, Module, int]]:
        return [(e.path, e.obj, e.level) for e in graph.walk(self) if isinstance(e.obj, Module)]

    def children(self) -> Iterator[Module]:
        """Modules at level 1, in definition order."""
        return (m for _, m in self.named_children())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for the modules at level 1."""
        return ((join_path(p), m) for p, m, lvl in self._module_entries() if lvl == 1)

    def modules(self, include_self: bool = True) -> CollectionView:
        """All Modules at any depth (Params and Regularizations included), root first."""
        pairs = list(self.named_modules(include_self=include_self))
        return CollectionView([n for n, _ in pairs], [m for _, m in pairs])

    def named_modules(
        self, prefix: str = "", include_self: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)``; the root's name is ``prefix`` (default ``''``)."""
        for p, m, _ in self._module_entries():
            if not p:
                if include_self:
                    yield prefix, m
                continue
            name = join_path(p)
            yield (f"{prefix}.{name}" if prefix else name), m

    def _params(self, filters: tuple, allowed_hierarchy: Any) -> list[tuple[tuple, Any]]:
        if (
            len(filters) == 1
            and isinstance(filters[0], tuple)
            and len(filters[0]) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in filters[0])
        ):
            allowed_hierarchy, filters = filters[0], ()
        lo_hi = check_hierarchy(allowed_hierarchy)
        from .. import filter as _filter

        preds = [_filter.to_predicate(f) for f in filters]
        return [
            (p, prm)
            for p, prm, _ in param_entries(self, lo_hi)
            if all(pred(p, prm) for pred in preds)
        ]

    def param_modules(
        self, *filters: Any, allowed_hierarchy: tuple[int, int] = _FULL
    ) -> CollectionView:
        """Every ``Param`` (``Const`` included) matching all ``filters``.

        Filters are predicates ``(path, param) -> bool``, types or tags. A single positional
        pair of ints is read as ``allowed_hierarchy``.

        >>> import jax.numpy as jnp, brainsim
        >>> from brainsim.nn import Module, Param, IdentityT, SoftplusT, L1Reg
        >>> model = Module()
        >>> model.tau = Param(10.0, t=SoftplusT())
        >>> model.w = Param(jnp.ones(3), reg=L1Reg(0.1))
        >>> transformed = model.param_modules(lambda path, p: not isinstance(p.t, IdentityT))
        >>> [p is model.tau for p in transformed]
        [True]
        >>> regularized = model.param_modules(lambda path, p: p.reg is not None)
        >>> regularized.keys()
        ['w']
        """
        pairs = self._params(filters, allowed_hierarchy)
        return CollectionView([join_path(p) for p, _ in pairs], [x for _, x in pairs])

    def named_param_modules(
        self, *filters: Any, allowed_hierarchy: tuple[int, int] = _FULL
    ) -> Iterator[tuple[str, Any]]:
        """``(dotted path, Param)`` pairs, e.g. ``('layer1.weight', Param)``.

        >>> import brainsim
        >>> from brainsim import init, nn
        >>> class Net(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.layer1 = nn.Linear(10, 20)
        ...         self.layer2 = nn.Linear(20, 5, b_init=None)
        >>> model = Net()
        >>> for name, param in model.named_param_modules():
        ...     print(f"{name}: {param.value().shape}")
        layer1.weight: (10, 20)
        layer1.bias: (20,)
        layer2.weight: (20, 5)
        """
        return iter(self.param_modules(*filters, allowed_hierarchy=allowed_hierarchy).items())

    par_modules = param_modules
    para_modules = param_modules
    named_par_modules = named_param_modules
    named_para_modules = named_param_modules

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Param | ParamState]]:  # noqa: F821
        """Trainable parameters: each ``Param`` with ``fit=True`` and each bare ParamState.

        With ``recurse=False``, only those owned directly by this module.
        """
        from ._param import Param

        for e in graph.walk(self):
            if isinstance(e.obj, Param):
                ok = e.obj.fit
            elif isinstance(e.obj, ParamState):
                ok = not isinstance(e.owner, Param)
            else:
                continue
            if not ok or (not recurse and e.owner is not self):
                continue
            name = join_path(e.path)
            yield (f"{prefix}.{name}" if prefix else name), e.obj

    def parameters(self, recurse: bool = True) -> CollectionView:
        """The trainable parameters as a collection view (see :meth:`named_parameters`)."""
        pairs = list(self.named_parameters(recurse=recurse))
        return CollectionView([n for n, _ in pairs], [p for _, p in pairs])

    def reg_loss(self, *filters: Any) -> Any:
        """Sum of ``p.reg_loss()`` over ``param_modules(*filters)`` (0.0 when none).

        >>> import jax.numpy as jnp, brainsim
        >>> from brainsim.nn import Module, Param, L1Reg, L2Reg
        >>> model = Module()
        >>> model.a = Param(jnp.array([1.0, -2.0]), reg=L1Reg(0.5))
        >>> model.b = Param(jnp.array([1.0, 2.0]), reg=L2Reg(0.1))
        >>> float(model.reg_loss())
        2.0
        >>> float(model.reg_loss(lambda path, p: isinstance(p.reg, L1Reg)))
        1.5
        >>> Module().reg_loss()
        0.0
        """
        total: Any = 0.0
        for _, p in self._params(filters, _FULL):
            total = total + p.reg_loss()
        return total

    @contextlib.contextmanager
    def param_precompute(self, allowed_hierarchy: tuple[int, int] = _FULL) -> Iterator[None]:
        """Cache the constrained value of every Param in range for the block.

        Nested contexts are reference-counted, and caches are released even when the block
        raises.

        >>> import jax.numpy as jnp, brainsim
        >>> from brainsim.nn import Module, Param, SoftplusT
        >>> model = Module()
        >>> model.param = Param(jnp.ones(100), t=SoftplusT())
        >>> model.sub = Module(); model.sub.p = Param(2.0, t=SoftplusT())
        >>> with model.param_precompute():
        ...     val1 = model.param.value()       # served from the cache
        ...     model.param.cache_stats['valid']
        True
        >>> model.param.cache_stats['has_cached_value']   # cleared on exit
        False
        >>> with model.param_precompute(allowed_hierarchy=(1, 1)):   # direct attributes only
        ...     model.param.cache_stats['valid'], model.sub.p.cache_stats['valid']
        (True, False)
        >>> try:
        ...     with model.param_precompute():
        ...         raise ValueError("Something went wrong")
        ... except ValueError:
        ...     pass
        >>> model.param.cache_stats['has_cached_value']   # still cleared
        False
        """
        params = [p for _, p in self._params((), allowed_hierarchy)]
        entered = []
        try:
            for p in params:
                p._cache_enter()
                entered.append(p)
            yield
        finally:
            for p in reversed(entered):
                p._cache_exit()

    # ------------------------------------------------------------------ repr / copy
    def __repr__(self) -> str:
        hidden = set(type(self).graph_invisible_attrs)
        parts = []
        for k, v in vars(self).items():
            if v is None or k in hidden:
                continue
            shown = k
            if k.startswith("_") and not k.startswith("__"):
                prop = getattr(type(self), k[1:], None)
                if not isinstance(prop, property):
                    continue
                shown = k[1:]
            parts.append(f"{shown}={_short_repr(v)}")
        return f"{type(self).__name__}({', '.join(parts)})"


# Modules whose init_state() has run (Module.__getattr__ uses it for its message)
_INITIALISED: weakref.WeakSet = weakref.WeakSet()


def _marking_init_state(fn: Callable) -> Callable:
    """Wrap a subclass's ``init_state`` so that the module remembers it ran."""

    @functools.wraps(fn)
    def init_state(self: Module, *args: Any, **kwargs: Any) -> Any:
        out = fn(self, *args, **kwargs)
        _INITIALISED.add(self)
        return out

    init_state._marks_init = True
    return init_state


def _short_repr(v: Any) -> str:
    if isinstance(v, State | Module):
        return repr(v)
    shape = getattr(v, "shape", None)
    if shape is not None and int(np.prod(shape)) > 8:
        return f"<{getattr(v, 'dtype', '')}{list(shape)}>"
    return repr(v)


def check_callable(owner: str, arg: str, value: Any) -> Callable:
    if not callable(value):
        raise BrainSimTypeError(
            f"{owner}({arg}=...): expected a callable, got {type(value).__name__}."
        )
    return value


def check_positive(owner: str, arg: str, value: Any) -> Any:
    if np.any(np.asarray(value) <= 0):
        raise BrainSimValueError(f"{owner}({arg}=...): expected a positive value, got {value!r}.")
    return value
