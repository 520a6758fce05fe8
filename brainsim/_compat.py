"""Version shims: the few JAX internals brainsim relies on, in one place."""

from __future__ import annotations

from typing import Any

import jax

try:  # jax >= 0.4.36 exposes BatchTracer here (deprecated alias kept through 0.12)
    from jax._src.interpreters.batching import BatchTracer as _BatchTracer
except ImportError:  # pragma: no cover - older layouts
    from jax.interpreters.batching import BatchTracer as _BatchTracer

__all__ = ["batch_trace_of", "is_batched_by"]


def batch_trace_of(x: Any) -> Any:
    """The batching trace that owns tracer ``x`` (None if ``x`` is not a BatchTracer)."""
    return getattr(x, "_trace", None) if isinstance(x, _BatchTracer) else None


def is_batched_by(value: Any, trace: Any) -> bool:
    """True when any leaf of ``value`` carries a batch axis of the vmap ``trace``."""
    for leaf in jax.tree.leaves(value):
        if (
            isinstance(leaf, _BatchTracer)
            and getattr(leaf, "_trace", None) is trace
            and getattr(leaf, "batch_dim", None) is not None
        ):
            return True
    return False
