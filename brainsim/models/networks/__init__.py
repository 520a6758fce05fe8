"""Reference networks from the literature, built only from public brainsim classes."""

from ._coba import COBANetwork as COBANetwork

__all__ = ["COBANetwork"]
