"""``Sequential`` containers and element-wise blocks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .._errors import BrainSimError, BrainSimKeyError
from ._module import Module, ParamDescriber

__all__ = ["Sequential", "ElementWiseBlock", "Lambda"]


class ElementWiseBlock(Module):
    """Marker base class for shape-preserving layers."""


class Lambda(ElementWiseBlock):
    """Wrap a plain callable as an element-wise layer (output size = input size)."""

    graph_invisible_attrs = ("fn",)

    def __init__(self, fn: Callable[[Any], Any], in_size: Any = None) -> None:
        super().__init__()
        self.fn = fn
        self.in_size = in_size
        self.out_size = in_size

    def update(self, x: Any) -> Any:
        return self.fn(x)

    def __repr__(self) -> str:
        return f"Lambda({getattr(self.fn, '__name__', self.fn)!r})"


class Sequential(Module):
    """Chain layers: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    ``first`` must be a Module. Later items may be Modules, plain callables (wrapped as
    element-wise layers), or describers such as ``Linear.desc(out_size=5)``, built with
    ``in_size`` taken from the previous layer's ``out_size``.

    Examples
    --------
    >>> import jax, jax.numpy as jnp, brainsim
    >>> from brainsim.nn import Sequential, Linear
    >>> net = Sequential(Linear(4, 8), jax.nn.relu, Linear.desc(out_size=2))
    >>> net.in_size, net.out_size, len(net)
    ((4,), (2,), 3)
    >>> (jnp.ones(4) >> net).shape
    (2,)
    >>> len(net[0:2]), type(net[1]).__name__
    (2, 'Lambda')
    """

    def __init__(self, first: Module, *layers: Any) -> None:
        super().__init__()
        if not isinstance(first, Module):
            raise BrainSimError(
                f"Sequential(first=...): the first layer must be a Module (its in_size defines "
                f"the input), got {type(first).__name__}."
            )
        self.layers: list[Module] = []
        self.extend([first, *layers])

    @classmethod
    def _from_layers(cls, layers: list[Module]) -> Sequential:
        seq = object.__new__(cls)
        Module.__init__(seq)
        seq.layers = list(layers)
        seq._resize()
        return seq

    def _resize(self) -> None:
        self.in_size = self.layers[0].in_size if self.layers else None
        self.out_size = self.layers[-1].out_size if self.layers else None

    def _format(self, layer: Any, in_size: Any) -> Module:
        if isinstance(layer, ElementWiseBlock):
            # shape-preserving: sizes pass through (API.md B.5)
            if layer.in_size is None and in_size is not None:
                layer.in_size = in_size
            if layer.out_size is None:
                layer.out_size = layer.in_size
            return layer
        if isinstance(layer, Module):
            return layer
        if isinstance(layer, ParamDescriber):
            if in_size is None:
                raise BrainSimError(
                    f"Sequential: cannot build {layer!r}: the previous layer has no out_size."
                )
            return layer(in_size=in_size)
        if callable(layer):
            return Lambda(layer, in_size)
        raise BrainSimError(
            f"Sequential: unsupported layer type {type(layer).__name__}; expected a Module, a "
            f"describer (Cls.desc(...)) or a callable."
        )

    def update(self, x: Any) -> Any:
        for i, layer in enumerate(self.layers):
            try:
                x = layer(x)
            except BrainSimError:
                raise
            except Exception as err:
                raise BrainSimError(
                    f"Sequential: layer {i} ({type(layer).__name__}) failed: "
                    f"{type(err).__name__}: {err}"
                ) from err
        return x

    def __getitem__(self, key: int | str | slice | tuple) -> Any:
        """A layer by position or by ``name``; a slice or tuple of positions gives a new
        ``Sequential``. A missing name raises ``KeyError``."""
        if isinstance(key, str):
            for layer in self.layers:
                if layer.name == key:
                    return layer
            names = [layer.name for layer in self.layers if layer.name is not None]
            raise BrainSimKeyError(
                f"Sequential[{key!r}]: no layer named {key!r}; the named layers are {names}. "
                f"Index by position (seq[0]) or give the layer a name (Linear(..., name=...))."
            )
        if isinstance(key, slice):
            return Sequential._from_layers(self.layers[key])
        if isinstance(key, tuple):
            return Sequential._from_layers([self.layers[i] for i in key])
        return self.layers[key]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def append(self, layer: Any) -> None:
        prev = self.layers[-1].out_size if self.layers else None
        self.layers.append(self._format(layer, prev))
        self._resize()

    def extend(self, layers: Iterable[Any]) -> None:
        for layer in layers:
            self.append(layer)

    def insert(self, index: int, layer: Any) -> None:
        """Insert ``layer`` before position ``index`` (Python list convention: ``-1`` puts it
        before the last layer, ``len(self)`` at the end)."""
        n = len(self.layers)
        if not -n <= index <= n:
            raise IndexError(
                f"Sequential.insert: index {index} out of range for {n} layers "
                f"(expected {-n} <= index <= {n})."
            )
        if index < 0:
            index += n
        prev = self.layers[index - 1].out_size if index > 0 else self.in_size
        self.layers.insert(index, self._format(layer, prev))
        self._resize()
