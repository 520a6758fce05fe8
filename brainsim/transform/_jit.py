"""State-aware ``jit`` and ``make_jaxpr``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import numpy as np
from jax.extend.core import jaxpr_as_fun
from jax.sharding import PartitionSpec

from .._compat import current_jaxpr_trace, new_jaxpr_input
from .._errors import BrainSimValueError
from .._state import State, StateTraceStack, read_values, write_values
from ._core import LateStateError, StatefulFunction, call_pure, normalize_argnums, state_signature

__all__ = ["jit", "make_jaxpr", "JittedFunction"]


class _NoJaxprTrace(Exception):
    """``jax.make_jaxpr`` did not expose the trace it builds: discover States separately."""


class _StaleTrace(Exception):
    """The traced jaxpr no longer matches the arguments or States (a State's shape changed)."""


def _liftable(x: Any) -> bool:
    return isinstance(x, jax.Array | np.ndarray | np.generic | bool | int | float | complex)


class _LiftingTrace(StateTraceStack):
    """Records States like any trace and, at a State's first access, turns its value into new
    inputs of the jaxpr being built: the function runs once, and the States it touches
    become inputs as it meets them (API.md A.3)."""

    def __init__(self, trace: Any) -> None:
        super().__init__("jit")
        self._jax_trace = trace
        self.lifted: list[tuple[Any, list[bool]]] = []  # per State: (treedef, lifted leaves)

    def _record(self, state: State, write: bool) -> None:
        first = id(state) not in self._index
        super()._record(state, write)
        if first:
            leaves, tree = jax.tree.flatten(state._value)
            mask = [_liftable(x) for x in leaves]
            if any(mask):
                state._value = jax.tree.unflatten(tree, [
                    new_jaxpr_input(self._jax_trace, x) if m else x
                    for x, m in zip(leaves, mask, strict=True)
                ])
            self.lifted.append((tree, mask))


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
        functools.update_wrapper(self, fun)

    # ---------------------------------------------------------------- internals
    def _jit(self, pure: Callable, args: tuple) -> Any:
        return jax.jit(
            pure,
            static_argnums=tuple(i + 1 for i in self._static_argnums),
            static_argnames=self._static_argnames,
            donate_argnums=tuple(i + 1 for i in self._donate_argnums),
            **self._shardings(args),
        )

    def _entry(self, args: tuple, kwargs: dict) -> tuple:
        sf = self.stateful_fun
        key = sf.cache_key(args, kwargs)
        entry = self._compiled.get(key)
        if entry is not None:
            return entry
        try:
            entry = self._trace_once(key, args, kwargs)
        except _NoJaxprTrace:
            entry = self._discover_then_trace(args, kwargs)
        self._compiled[key] = entry
        return entry

    def _trace_once(self, key: Any, args: tuple, kwargs: dict) -> tuple:
        """Run the Python function once, under ``jax.make_jaxpr``, lifting the States it
        touches into jaxpr inputs; the compiled function evaluates that jaxpr."""
        sf = self.stateful_fun
        st, dyn, skw, dkw = sf.split_args(args, kwargs)
        recs: list[_LiftingTrace] = []

        def run(dyn_args, dyn_kwargs):
            trace = current_jaxpr_trace()
            if trace is None:
                raise _NoJaxprTrace
            a, k = sf.merge_args(st, dyn_args, skw, dyn_kwargs)
            rec = _LiftingTrace(trace)
            recs.append(rec)
            with rec:
                try:
                    out = sf.fun(*a, **k)
                    new = [v._value for v, w in zip(rec.states, rec.written, strict=True) if w]
                finally:
                    rec.recover_original_values()
                    rec.kill_created()
            return out, new

        sf.num_traces += 1
        closed, out_shape = jax.make_jaxpr(run, return_shape=True)(dyn, dkw)
        rec = recs[-1]
        states, written, lifted = list(rec.states), list(rec.written), list(rec.lifted)
        sf._cache[key] = (rec, state_signature(states))
        in_avals = [(a.shape, a.dtype) for a in closed.in_avals]
        out_tree = jax.tree.structure(out_shape)
        evaluate = jaxpr_as_fun(closed)

        def pure(state_vals, *a, **k):
            _, d, _, dk = sf.split_args(a, k)
            flat = jax.tree.leaves((d, dk))
            try:
                for v, (tree, mask) in zip(state_vals, lifted, strict=True):
                    leaves = tree.flatten_up_to(v)
                    flat.extend(x for x, m in zip(leaves, mask, strict=True) if m)
            except (ValueError, TypeError) as err:
                raise _StaleTrace from err
            got = [(jax.typeof(x).shape, jax.typeof(x).dtype) for x in flat]
            if got != in_avals:
                raise _StaleTrace
            return jax.tree.unflatten(out_tree, evaluate(*flat))

        return states, written, self._jit(pure, args), state_signature(states)

    def _discover_then_trace(self, args: tuple, kwargs: dict) -> tuple:
        """Fallback: discover the States with an abstract trace, then trace again under
        ``jax.jit`` with their values as inputs (the function runs twice)."""
        sf = self.stateful_fun
        trace = sf.get_state_trace(*args, **kwargs)
        states, written = list(trace.states), list(trace.written)

        def pure(state_vals, *a, **k):
            return call_pure(sf.fun, states, state_vals, written, *a, **k)

        return states, written, self._jit(pure, args), state_signature(states)

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
        states, written, jitted, _ = self._entry(args, kwargs)
        vals = read_values(states)
        try:
            out, new = jitted(vals, *args, **kwargs)
        except (LateStateError, _StaleTrace):
            # the touched States differ from the cached trace (e.g. a State's shape changed
            # since): trace this signature again
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
