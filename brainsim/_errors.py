"""Exception classes shared by every layer of brainsim.

Every exception raised on purpose by brainsim subclasses :class:`BrainSimError`, plus the
built-in type a user would naturally catch (``TypeError``, ``ValueError``, ...), so both
``except BrainSimError`` and ``except ValueError`` work.
"""

from __future__ import annotations

__all__ = [
    "BrainSimError",
    "TraceContextError",
    "BatchAxisError",
    "BrainSimTypeError",
    "BrainSimValueError",
    "BrainSimKeyError",
    "BrainSimAttributeError",
    "ArgumentError",
]


class BrainSimError(Exception):
    """Base class of every error raised by brainsim."""


class TraceContextError(BrainSimError, RuntimeError):
    """A State was used outside the trace it belongs to, or a tracer leaked out of one."""


class BatchAxisError(BrainSimError, ValueError):
    """A batched value met a State whose batch axis was not declared (see ``vmap``)."""


class BrainSimTypeError(BrainSimError, TypeError):
    """An argument has the wrong type."""


class BrainSimValueError(BrainSimError, ValueError):
    """An argument has the right type but an invalid value."""


class BrainSimKeyError(BrainSimError, KeyError):
    """A key or name is missing or duplicated."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class BrainSimAttributeError(BrainSimError, AttributeError):
    """An attribute is missing, e.g. a State used before ``init_state()`` created it."""


class ArgumentError(BrainSimError, TypeError, AssertionError):
    """Invalid ``name`` / size arguments.

    Subclasses both ``TypeError`` and ``AssertionError``: the reference API raises
    ``AssertionError`` here, so code written against it keeps working.
    """
