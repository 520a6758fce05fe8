"""State-aware loops: ``scan``, ``for_loop``, their checkpointed (memory-saving) forms,
``while_loop`` and ``bounded_while_loop``.

States written in the body are carried through the loop and written back once at the end;
States only read are closed over (never copied out).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import BrainSimTypeError, BrainSimValueError
from .._state import State
from ._core import call_pure, discover
from ._progress import to_pbar

__all__ = [
    "scan",
    "for_loop",
    "checkpointed_scan",
    "checkpointed_for_loop",
    "while_loop",
    "bounded_while_loop",
]


def _loop_length(xs: Any, length: int | None, owner: str) -> int:
    leaves = jax.tree.leaves(xs)
    lengths = {int(np.shape(x)[0]) if np.ndim(x) else -1 for x in leaves}
    if -1 in lengths:
        raise BrainSimValueError(f"{owner}: every xs leaf needs a leading (time) axis.")
    if len(lengths) > 1:
        raise BrainSimValueError(
            f"{owner}: the leading axes of xs disagree: {sorted(lengths)}. Every input must "
            f"have the same length."
        )
    if lengths:
        n = lengths.pop()
        if length is not None and length != n:
            raise BrainSimValueError(
                f"{owner}: length={length} disagrees with the leading axis of xs ({n})."
            )
        return n
    if length is None:
        raise BrainSimValueError(
            f"{owner}: cannot infer the number of iterations: give xs or length=..."
        )
    if not isinstance(length, int | np.integer) or length < 0:
        raise BrainSimValueError(f"{owner}: length must be a non-negative int, got {length!r}.")
    return int(length)


def _x_spec(xs: Any) -> Any:
    return jax.tree.map(lambda x: jax.ShapeDtypeStruct(np.shape(x)[1:], jnp.result_type(x)), xs)


class _StateLoop:
    """Discovers the States of a loop body and builds the pure carry-threading body."""

    def __init__(self, f: Callable, carry: Any, x_spec: Any) -> None:
        trace = discover(f, carry, x_spec)
        self.f = f
        self.states: list[State] = list(trace.states)
        self.written: list[bool] = list(trace.written)
        self.carried = [s for s, w in zip(self.states, self.written, strict=True) if w]
        self.closed = [s for s, w in zip(self.states, self.written, strict=True) if not w]

    def initial(self) -> tuple[list, list]:
        return [s.value for s in self.carried], [s.value for s in self.closed]

    def body(self, closed_vals: list) -> Callable:
        def pure(carry: tuple, x: Any) -> tuple:
            user_carry, state_vals = carry
            vals, ci, oi = [], iter(state_vals), iter(closed_vals)
            for w in self.written:
                vals.append(next(ci) if w else next(oi))
            (c, y), new = call_pure(self.f, self.states, vals, self.written, user_carry, x)
            return (c, new), y

        return pure

    def write_back(self, vals: list) -> None:
        for s, v in zip(self.carried, vals, strict=True):
            s.value = v


def _python_scan(f: Callable, init: Any, xs: Any, n: int, reverse: bool) -> tuple[Any, Any]:
    carry, ys = init, []
    order = range(n - 1, -1, -1) if reverse else range(n)
    for i in order:
        x = jax.tree.map(lambda a, i=i: a[i], xs)
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys = ys[::-1]
    stacked = jax.tree.map(lambda *a: jnp.stack(a), *ys) if ys else None
    return carry, stacked


def scan(
    f: Callable[[Any, Any], tuple[Any, Any]],
    init: Any,
    xs: Any,
    length: int | None = None,
    reverse: bool = False,
    unroll: int | bool = 1,
    pbar: Any = None,
) -> tuple[Any, Any]:
    """``lax.scan`` over ``f(carry, x) -> (carry, y)`` with States threaded through the loop.

    Returns ``(carry, ys)``, ys stacked on axis 0. States written in ``f`` are carried and
    written back once at the end.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> total = brainsim.State(jnp.zeros(()))
    >>> def step(c, x):
    ...     total.value += x
    ...     return c + 1, total.value
    >>> carry, ys = brainsim.transform.scan(step, 0, jnp.arange(4.0))
    >>> carry
    Array(4, dtype=int32, weak_type=True)
    >>> ys, total.value
    (Array([0., 1., 3., 6.], dtype=float32), Array(6., dtype=float32))
    """
    n = _loop_length(xs, length, "scan")
    if jax.config.jax_disable_jit:
        return _python_scan(f, init, xs, n, reverse)
    bar = to_pbar(pbar)
    loop = _StateLoop(f, init, _x_spec(xs))
    carried, closed = loop.initial()
    body = loop.body(closed)
    if bar is not None and n > 0:
        freq = bar.init(n)

        def ticking(cr, x):
            c, i = cr
            c2, y = body(c, x)
            bar.tick(i, freq, c2[0], y)
            return (c2, i + 1), y

        ((c, vals), _), ys = jax.lax.scan(
            ticking, ((init, carried), jnp.asarray(0, jnp.int32)), xs, length=n,
            reverse=reverse, unroll=unroll,
        )
    else:
        (c, vals), ys = jax.lax.scan(
            body, (init, carried), xs, length=n, reverse=reverse, unroll=unroll
        )
    loop.write_back(vals)
    return c, ys


def for_loop(
    f: Callable[..., Any],
    *xs: Any,
    length: int | None = None,
    reverse: bool = False,
    unroll: int | bool = 1,
    pbar: Any = None,
) -> Any:
    """Run ``f(*x_t)`` for every t and return the stacked outputs (scan without a carry).

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> v = brainsim.State(jnp.zeros(()))
    >>> def step(i):
    ...     v.value = v.value * 0.5 + 1.0
    ...     return v.value
    >>> brainsim.transform.for_loop(step, jnp.arange(3))
    Array([1.  , 1.5 , 1.75], dtype=float32)
    """
    _, ys = scan(lambda c, x: (c, f(*x)), None, xs, length=length, reverse=reverse,
                 unroll=unroll, pbar=pbar)
    return ys


# --------------------------------------------------------------------------- checkpointed


def _check_base(base: Any, owner: str) -> int:
    if not isinstance(base, int | np.integer) or isinstance(base, bool) or base < 2:
        raise BrainSimValueError(f"{owner}(base=...): expected an int >= 2, got {base!r}.")
    return int(base)


def _nested_checkpoint_scan(body: Callable, carry: Any, xs: Any, n: int, base: int,
                            y_spec: Any) -> tuple[Any, Any]:
    """Scan ``body`` over n steps with nested rematerialisation (memory ~ base * log_base n).

    Steps are grouped into ``base`` chunks, each a checkpointed inner scan, recursively;
    padded steps (when ``n`` is not a multiple) are skipped with ``lax.cond``.
    """
    if n <= base:
        return jax.lax.scan(jax.checkpoint(body), carry, xs, length=n)
    inner = math.ceil(n / base)
    outer = math.ceil(n / inner)
    total = inner * outer
    valid = jnp.arange(total) < n

    def pad(x):
        widths = [(0, total - n)] + [(0, 0)] * (np.ndim(x) - 1)
        return jnp.pad(x, widths)

    xs_p = jax.tree.map(pad, xs)
    packed = jax.tree.map(lambda x: x.reshape((outer, inner) + x.shape[1:]), (xs_p, valid))

    def masked(c, xv):
        x, ok = xv
        zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), y_spec)
        return jax.lax.cond(ok, body, lambda c_, x_: (c_, zeros), c, x)

    def chunk(c, xv_chunk):
        return _nested_checkpoint_scan(masked, c, xv_chunk, inner, base, y_spec)

    carry, ys = jax.lax.scan(jax.checkpoint(chunk), carry, packed, length=outer)
    ys = jax.tree.map(lambda y: y.reshape((total,) + y.shape[2:])[:n], ys)
    return carry, ys


def checkpointed_scan(
    f: Callable[[Any, Any], tuple[Any, Any]],
    init: Any,
    xs: Any,
    length: int | None = None,
    base: int = 16,
    pbar: Any = None,
) -> tuple[Any, Any]:
    """:func:`scan` with nested checkpoints: the same result, memory for BPTT grows
    like ``base * log_base(T)`` instead of ``T``.

    >>> import jax, jax.numpy as jnp, brainsim
    >>> w = brainsim.ParamState(jnp.array(0.9))
    >>> def loss():
    ...     c, _ = brainsim.transform.checkpointed_scan(
    ...         lambda c, x: (c * w.value + x, c), 0.0, jnp.ones(100), base=4)
    ...     return c
    >>> g = brainsim.transform.grad(loss, grad_states=w)()
    >>> bool(jnp.isfinite(g))
    True
    """
    n = _loop_length(xs, length, "checkpointed_scan")
    base = _check_base(base, "checkpointed_scan")
    if n < 1:
        raise BrainSimValueError("checkpointed_scan: needs at least one iteration (length >= 1).")
    if jax.config.jax_disable_jit:
        return _python_scan(f, init, xs, n, False)
    bar = to_pbar(pbar)
    loop = _StateLoop(f, init, _x_spec(xs))
    carried, closed = loop.initial()
    body = loop.body(closed)
    if xs is None:
        xs = jnp.zeros((n, 0))
        plain = body
        body = lambda c, x: plain(c, None)  # noqa: E731
    freq = bar.init(n) if bar is not None else 0
    if bar is not None:
        plain_body = body

        def body(cr, x):  # noqa: F811 - progress-ticking wrapper
            (c, i) = cr
            c2, y = plain_body(c, x)
            bar.tick(i, freq, c2[0], y)
            return (c2, i + 1), y

        carry0: Any = ((init, carried), jnp.asarray(0, jnp.int32))
    else:
        carry0 = (init, carried)
    x0 = jax.tree.map(lambda x: x[0], xs)
    y_spec = jax.eval_shape(body, carry0, x0)[1]
    loop_restore = [s._value for s in loop.states]
    try:
        carry, ys = _nested_checkpoint_scan(body, carry0, xs, n, base, y_spec)
    finally:
        for s, v in zip(loop.states, loop_restore, strict=True):
            s._value = v
    if bar is not None:
        carry = carry[0]
    c, vals = carry
    loop.write_back(vals)
    return c, ys


def checkpointed_for_loop(
    f: Callable[..., Any],
    *xs: Any,
    length: int | None = None,
    base: int = 16,
    pbar: Any = None,
) -> Any:
    """:func:`for_loop` with nested checkpoints (see :func:`checkpointed_scan`).

    >>> import jax.numpy as jnp, brainsim
    >>> v = brainsim.State(jnp.zeros(()))
    >>> def step(x):
    ...     v.value += x
    ...     return v.value
    >>> brainsim.transform.checkpointed_for_loop(step, jnp.ones(5), base=2)
    Array([1., 2., 3., 4., 5.], dtype=float32)
    """
    _, ys = checkpointed_scan(lambda c, x: (c, f(*x)), None, xs, length=length, base=base,
                              pbar=pbar)
    return ys


# --------------------------------------------------------------------------- while loops


def while_loop(cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any],
               init_val: Any) -> Any:
    """``lax.while_loop`` with States written in ``body_fun`` carried through the loop.

    ``cond_fun`` may read States but must not write them.

    >>> import jax.numpy as jnp, brainsim
    >>> n = brainsim.State(jnp.asarray(0))
    >>> def body(x):
    ...     n.value += 1
    ...     return x * 2
    >>> brainsim.transform.while_loop(lambda x: x < 100, body, 1.0), n.value
    (Array(128., dtype=float32, weak_type=True), Array(7, dtype=int32, weak_type=True))
    """
    if jax.config.jax_disable_jit and not isinstance(cond_fun(init_val), jax.core.Tracer):
        # a traced predicate (e.g. under vmap) cannot drive a Python loop: use lax below
        val = init_val
        while cond_fun(val):
            val = body_fun(val)
        return val
    tc = discover(cond_fun, init_val)
    if any(tc.written):
        bad = tc.write_states()[0]
        raise BrainSimValueError(
            f"while_loop: cond_fun must not write States, but it writes {bad._describe()} "
            f"(created at {bad.source_info}). Move the update into body_fun."
        )
    tb = discover(body_fun, init_val)
    states = list(tb.states) + [s for s in tc.states if s not in set(tb.states)]
    written = list(tb.written) + [False] * (len(states) - len(tb.states))
    carried = [s for s, w in zip(states, written, strict=True) if w]
    closed_vals = [s.value for s, w in zip(states, written, strict=True) if not w]
    no_write = [False] * len(states)

    def assemble(state_vals):
        vals, ci, oi = [], iter(state_vals), iter(closed_vals)
        for w in written:
            vals.append(next(ci) if w else next(oi))
        return vals

    def cond(carry):
        val, state_vals = carry
        out, _ = call_pure(cond_fun, states, assemble(state_vals), no_write, val)
        return out

    def body(carry):
        val, state_vals = carry
        out, new = call_pure(body_fun, states, assemble(state_vals), written, val)
        return out, new

    val, vals = jax.lax.while_loop(cond, body, (init_val, [s.value for s in carried]))
    for s, v in zip(carried, vals, strict=True):
        s.value = v
    return val


def bounded_while_loop(cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any],
                       init_val: Any, *, max_steps: int, base: int = 16) -> Any:
    """A reverse-differentiable while loop of at most ``max_steps`` iterations.

    Runs as a checkpointed scan of ``max_steps`` steps whose body is skipped once
    ``cond_fun`` is false, so ``grad`` works through it.

    >>> import jax, jax.numpy as jnp, brainsim
    >>> f = lambda x: brainsim.transform.bounded_while_loop(
    ...     lambda v: v < 10.0, lambda v: v * 2.0, x, max_steps=20)
    >>> f(1.0), jax.grad(f)(1.0)
    (Array(16., dtype=float32, weak_type=True), Array(16., dtype=float32, weak_type=True))
    """
    if not isinstance(max_steps, int | np.integer) or isinstance(max_steps, bool):
        raise BrainSimTypeError(
            f"bounded_while_loop(max_steps=...): expected a non-negative int, got {max_steps!r}."
        )
    if max_steps < 0:
        raise BrainSimValueError(
            f"bounded_while_loop(max_steps=...): expected a non-negative int, got {max_steps}."
        )
    if max_steps == 0:
        return init_val
    tc = discover(cond_fun, init_val)
    if any(tc.written):
        raise BrainSimValueError("bounded_while_loop: cond_fun must not write States.")

    def step(val, _):
        return cond(cond_fun(val), lambda v: body_fun(v), lambda v: v, val), None

    from ._conditions import cond

    val, _ = checkpointed_scan(step, init_val, None, length=int(max_steps), base=base)
    return val
