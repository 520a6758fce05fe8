"""State-aware ``jit`` and ``make_jaxpr``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
from jax.sharding import PartitionSpec

from .._errors import BrainSimValueError
from .._state import State, read_values, write_values
from ._core import LateStateError, StatefulFunction, call_pure, normalize_argnums, state_signature

__all__ = ["jit", "make_jaxpr", "JittedFunction"]


class JittedFunction:
    """A function compiled with :func:`jit`. Call it like the original function."""

    def __init__(self, fun: Callable, jit_kwargs: dict, static_argnums: tuple,
                 static_argnames: tuple, donate_argnums: tuple) -> None:
        self.origin_fun = fun
        self.stateful_fun = StatefulFunction(fun, static_argnums, static_argnames)
        self._jit_kwargs = jit_kwargs
        self._static_argnums = static_argnums
        self._static_argnames = static_argnames
        self._donate_argnums = donate_argnums
        self._compiled: dict[Any, tuple] = {}
        # States of the latest discovery: a new argument signature first tries them, so
        # that a new shape costs one trace instead of discovery plus trace
        self._last_states: tuple[list, list] | None = None
        functools.update_wrapper(self, fun)

    # ---------------------------------------------------------------- internals
    def _entry(self, args: tuple, kwargs: dict, speculate: bool = False) -> tuple:
        sf = self.stateful_fun
        key = sf.cache_key(args, kwargs)
        entry = self._compiled.get(key)
        if entry is not None:
            # A State whose shape changed since is handled by jax.jit's own retracing.
            return entry
        if speculate and self._last_states is not None:
            # call_pure raises LateStateError if the guess misses a State or a write
            states, written = self._last_states
        else:
            trace = sf.get_state_trace(*args, **kwargs)
            states, written = list(trace.states), list(trace.written)
            self._last_states = (states, written)

        def pure(state_vals, *a, **k):
            return call_pure(sf.fun, states, state_vals, written, *a, **k)

        jitted = jax.jit(
            pure,
            static_argnums=tuple(i + 1 for i in self._static_argnums),
            static_argnames=self._static_argnames,
            donate_argnums=tuple(i + 1 for i in self._donate_argnums),
            **self._shardings(args),
        )
        entry = (states, written, jitted, state_signature(states))
        self._compiled[key] = entry
        return entry

    def _shardings(self, args: tuple) -> dict:
        """``jax.jit`` keywords with the user's shardings applied to the user's arguments and
        outputs only: the State values (first input, last output) get ``None``, i.e. the
        sharding they already have (or one XLA infers)."""
        kw = dict(self._jit_kwargs)
        ins = kw.pop("in_shardings", None)
        outs = kw.pop("out_shardings", None)
        if ins is not None:
            n_dyn = sum(1 for i in range(len(args)) if i not in self._static_argnums)
            if isinstance(ins, tuple | list) and not isinstance(ins, PartitionSpec):
                if len(ins) != n_dyn:
                    raise BrainSimValueError(
                        f"jit(in_shardings=...): expected one sharding per non-static "
                        f"positional argument ({n_dyn}), got a sequence of {len(ins)}. Pass "
                        f"a single sharding to use it for every argument."
                    )
                user = tuple(ins)
            else:
                user = (ins,) * n_dyn
            kw["in_shardings"] = (None, *user)
        if outs is not None:
            kw["out_shardings"] = (outs, None)
        return kw

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if jax.config.jax_disable_jit:
            return self.origin_fun(*args, **kwargs)
        states, written, jitted, _ = self._entry(args, kwargs, speculate=True)
        vals = read_values(states)
        try:
            out, new = jitted(vals, *args, **kwargs)
        except LateStateError:
            # the touched States differ from the guess or from the cached discovery (e.g.
            # after a State's shape changed): rediscover this signature once
            key = self.stateful_fun.cache_key(args, kwargs)
            self._compiled.pop(key, None)
            self.stateful_fun._cache.pop(key, None)
            states, written, jitted, _ = self._entry(args, kwargs)
            vals = read_values(states)
            out, new = jitted(vals, *args, **kwargs)
        write_values([s for s, w in zip(states, written, strict=True) if w], new)
        return out

    # ---------------------------------------------------------------- AOT API
    def _bound(self, args: tuple, kwargs: dict):
        states, _, jitted, _ = self._entry(args, kwargs)
        return jitted, [s.value for s in states]

    def trace(self, *args: Any, **kwargs: Any) -> Any:
        jitted, vals = self._bound(args, kwargs)
        return jitted.trace(vals, *args, **kwargs)

    def lower(self, *args: Any, **kwargs: Any) -> Any:
        """``jax.stages.Lowered`` for these arguments (state values are the first input)."""
        jitted, vals = self._bound(args, kwargs)
        return jitted.lower(vals, *args, **kwargs)

    def compile(self, *args: Any, **kwargs: Any) -> Any:
        return self.lower(*args, **kwargs).compile()

    def eval_shape(self, *args: Any, **kwargs: Any) -> Any:
        """Output shapes/dtypes without running (states are left untouched)."""
        jitted, vals = self._bound(args, kwargs)
        return jax.eval_shape(jitted, vals, *args, **kwargs)[0]

    def clear_cache(self) -> None:
        """Forget every traced signature."""
        self._compiled.clear()
        self._last_states = None
        self.stateful_fun.clear_cache()

    def __repr__(self) -> str:
        return f"jit({getattr(self.origin_fun, '__name__', self.origin_fun)!r})"


def jit(
    fun: Callable | None = None,
    *,
    static_argnums: Any = None,
    static_argnames: Any = None,
    donate_argnums: Any = None,
    donate_argnames: Any = None,
    keep_unused: bool = False,
    device: Any = None,
    backend: str | None = None,
    inline: bool = False,
    in_shardings: Any = None,
    out_shardings: Any = None,
    name: str | None = None,
) -> Any:
    """Compile ``fun`` with XLA; States it reads and writes behave exactly as in eager mode.

    Works directly (``jit(f)``) and as a decorator (``@jit`` or ``@jit(static_argnums=1)``).
    The function is traced once per argument signature (shapes, dtypes, static arguments)
    and per signature of the States it touches; a State whose shape changes (after
    ``reset_state(batch_size=...)``) triggers a new trace, not an error.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> counter = brainsim.State(jnp.zeros(()))
    >>> @brainsim.transform.jit
    ... def step(x):
    ...     counter.value += x
    ...     return counter.value * 2
    >>> step(1.0), step(2.0)
    (Array(2., dtype=float32), Array(6., dtype=float32))
    >>> counter.value
    Array(3., dtype=float32)
    """
    sa = normalize_argnums(static_argnums, "jit")
    da = normalize_argnums(donate_argnums, "jit", "donate_argnums")
    if isinstance(static_argnames, str):
        static_argnames = (static_argnames,)
    sn = tuple(static_argnames or ())
    kw: dict[str, Any] = {"keep_unused": keep_unused, "inline": inline}
    if donate_argnames is not None:
        kw["donate_argnames"] = donate_argnames
    if device is not None:
        kw["device"] = device
    if backend is not None:
        kw["backend"] = backend
    if in_shardings is not None:
        kw["in_shardings"] = in_shardings
    if out_shardings is not None:
        kw["out_shardings"] = out_shardings

    def wrap(f: Callable) -> JittedFunction:
        jf = JittedFunction(f, kw, sa, sn, da)
        if name is not None:
            jf.__name__ = name
        return jf

    return wrap if fun is None else wrap(fun)


def make_jaxpr(
    fun: Callable, static_argnums: Any = None, static_argnames: Any = None
) -> Callable[..., tuple[Any, tuple[State, ...]]]:
    """``make_jaxpr(f)(*args)`` returns ``(closed_jaxpr, states)``.

    The jaxpr's inputs are the values of ``states`` followed by the arguments.

    >>> import jax.numpy as jnp, brainsim
    >>> s = brainsim.State(jnp.ones(3))
    >>> def f(x):
    ...     s.value = s.value * x
    ...     return s.value.sum()
    >>> jaxpr, states = brainsim.transform.make_jaxpr(f)(2.0)
    >>> states == (s,)
    True
    """
    sf = StatefulFunction(fun, static_argnums, static_argnames)

    def run(*args: Any, **kwargs: Any) -> tuple[Any, tuple[State, ...]]:
        return sf.make_jaxpr(*args, **kwargs)

    return run
