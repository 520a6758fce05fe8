"""Version shims: the few JAX internals brainsim relies on, in one place."""

from __future__ import annotations

from typing import Any

import jax

try:  # jax >= 0.4.36 exposes BatchTracer here (deprecated alias kept through 0.12)
    from jax._src.interpreters.batching import BatchTracer as _BatchTracer
except ImportError:  # pragma: no cover - older layouts
    from jax.interpreters.batching import BatchTracer as _BatchTracer

try:  # the trace that jax.make_jaxpr is building, and its new_arg (lazy jaxpr inputs)
    from jax._src import core as _core
    from jax._src import source_info_util as _source_info
    from jax._src.interpreters.partial_eval import DynamicJaxprTrace as _DynamicJaxprTrace
except ImportError:  # pragma: no cover - other layouts: callers fall back
    _core = _source_info = _DynamicJaxprTrace = None

__all__ = ["batch_trace_of", "is_batched_by", "current_jaxpr_trace", "new_jaxpr_input"]


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


def current_jaxpr_trace() -> Any:
    """The ``jax.make_jaxpr`` trace being built right now, or None when that is unknown
    (then callers fall back to discovering States with a separate trace)."""
    if _core is None:  # pragma: no cover
        return None
    trace = getattr(getattr(_core, "trace_ctx", None), "trace", None)
    return trace if isinstance(trace, _DynamicJaxprTrace) else None


def new_jaxpr_input(trace: Any, x: Any) -> Any:
    """A new input of the jaxpr ``trace`` builds, with the type of ``x`` (a tracer)."""
    return trace.new_arg(jax.typeof(x), _source_info.current())
