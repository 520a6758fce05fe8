"""State-aware conditionals: ``cond``, ``switch``, ``ifelse`` and ``jit_error_if``.

States touched in any branch are threaded through; only the taken branch's writes take
effect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import BrainSimError, BrainSimTypeError, BrainSimValueError
from .._state import State
from ._core import call_pure, discover

__all__ = ["cond", "switch", "ifelse", "jit_error_if"]


def _is_traced(x: Any) -> bool:
    """Whether ``x`` is a JAX tracer (under ``disable_jit`` it may still be one, e.g. in vmap)."""
    return isinstance(x, jax.core.Tracer)


def _check_scalar(x: Any, owner: str, what: str, integer: bool = False) -> None:
    if isinstance(x, list | tuple | dict):
        raise BrainSimTypeError(
            f"{owner}: {what} must be a scalar bool or number, got a {type(x).__name__}."
        )
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        if not isinstance(x, bool | int | float | np.bool_ | np.number):
            raise BrainSimTypeError(
                f"{owner}: {what} must be a scalar bool or number (or a 0-d array), got "
                f"{type(x).__name__} {x!r}."
            )
        dtype = np.result_type(x)
    if integer and not (jnp.issubdtype(dtype, jnp.integer) or jnp.issubdtype(dtype, jnp.bool_)):
        raise BrainSimTypeError(
            f"{owner}: {what} must be an integer scalar, got {x!r} of dtype {dtype}. "
            f"Convert it explicitly, e.g. with int(...) or x.astype(int)."
        )
    if not integer and not (jnp.issubdtype(dtype, jnp.number) or jnp.issubdtype(dtype, jnp.bool_)):
        raise BrainSimTypeError(
            f"{owner}: {what} must be a scalar bool or number, got {x!r} of dtype {dtype}."
        )
    shape = np.shape(x)
    if shape != ():
        raise BrainSimTypeError(
            f"{owner}: {what} must be a scalar (shape ()), got shape {shape}. Reduce it first, "
            f"e.g. with jnp.any(...) / jnp.all(...)."
        )


def _branches_states(branches: Sequence[Callable], operands: tuple) -> tuple[list, list]:
    states: list[State] = []
    written: dict[int, bool] = {}
    for br in branches:
        tr = discover(br, *operands)
        for s, w in zip(tr.states, tr.written, strict=True):
            if id(s) not in written:
                states.append(s)
                written[id(s)] = False
            written[id(s)] = written[id(s)] or w
    return states, [written[id(s)] for s in states]


def _run_branches(index: Any, branches: Sequence[Callable], operands: tuple,
                  use_cond: bool) -> Any:
    states, written = _branches_states(branches, operands)
    vals = [s.value for s in states]

    def wrap(br):
        def run(state_vals, *ops):
            return call_pure(br, states, state_vals, written, *ops)

        return run

    wrapped = [wrap(b) for b in branches]
    if use_cond:
        out, new = jax.lax.cond(index, wrapped[0], wrapped[1], vals, *operands)
    else:
        out, new = jax.lax.switch(index, wrapped, vals, *operands)
    it = iter(new)
    for s, w in zip(states, written, strict=True):
        if w:
            s.value = next(it)
    return out


def cond(pred: Any, true_fun: Callable, false_fun: Callable, *operands: Any) -> Any:
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``, compiled.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> s = brainsim.State(jnp.zeros(()))
    >>> def up(x):
    ...     s.value += x
    ...     return x
    >>> brainsim.transform.cond(True, up, lambda x: -x, 2.0), s.value
    (Array(2., dtype=float32, weak_type=True), Array(2., dtype=float32))
    """
    _check_scalar(pred, "cond", "the predicate")
    if not (callable(true_fun) and callable(false_fun)):
        raise BrainSimTypeError("cond: true_fun and false_fun must be callables.")
    if jax.config.jax_disable_jit and not _is_traced(pred):
        return true_fun(*operands) if pred else false_fun(*operands)
    return _run_branches(jnp.asarray(pred, dtype=bool), [true_fun, false_fun], operands, True)


def switch(index: Any, branches: Sequence[Callable], *operands: Any) -> Any:
    """Apply ``branches[index](*operands)``; ``index`` is clamped to ``[0, len - 1]``.

    >>> import brainsim
    >>> brainsim.transform.switch(5, [lambda x: x, lambda x: x * 10], 2.0)
    Array(20., dtype=float32, weak_type=True)
    """
    branches = list(branches)
    if not branches:
        raise BrainSimValueError("switch: branches must not be empty.")
    for b in branches:
        if not callable(b):
            raise BrainSimTypeError(f"switch: every branch must be callable, got {b!r}.")
    _check_scalar(index, "switch", "the index", integer=True)
    if len(branches) == 1:
        return branches[0](*operands)
    idx = jnp.clip(jnp.asarray(index, dtype=jnp.int32), 0, len(branches) - 1)
    if jax.config.jax_disable_jit and not _is_traced(idx):
        return branches[int(idx)](*operands)
    return _run_branches(idx, branches, operands, False)


def ifelse(
    conditions: Sequence[Any],
    branches: Sequence[Any],
    *operands: Any,
    check_cond: bool = True,
) -> Any:
    """Run the branch whose condition is true; exactly one condition must hold.

    Non-callable branches are returned as values.

    >>> import brainsim
    >>> x = 5.0
    >>> brainsim.transform.ifelse([x < 0, x >= 0], [lambda: -1.0, lambda: 1.0])
    Array(1., dtype=float32, weak_type=True)
    """
    conditions = list(conditions)
    branches = list(branches)
    if len(conditions) != len(branches):
        raise BrainSimValueError(
            f"ifelse: {len(conditions)} conditions but {len(branches)} branches; give one "
            f"condition per branch."
        )
    if not conditions:
        raise BrainSimValueError("ifelse: needs at least one branch.")
    for c in conditions:
        _check_scalar(c, "ifelse", "every condition")
    conds = jnp.asarray([jnp.asarray(c, dtype=bool) for c in conditions])
    if check_cond:
        jit_error_if(
            jnp.sum(conds) != 1,
            "ifelse: exactly one condition must be true, got {} true.",
            jnp.sum(conds),
        )
    fns = [b if callable(b) else (lambda *_, b=b: b) for b in branches]
    return switch(jnp.argmax(conds), fns, *operands)


def jit_error_if(pred: Any, error: str | Callable[..., str], *err_args: Any) -> None:
    """Raise ``BrainSimError(msg)`` at run time when ``pred`` is true, also inside ``jit``.

    ``error`` is a message (formatted with ``err_args`` via ``str.format``) or a callable
    ``fn(*err_args) -> str``. Inside compiled code the error surfaces as JAX's runtime error
    whose text contains the message.

    >>> import brainsim
    >>> brainsim.transform.jit_error_if(False, "never raised")
    >>> brainsim.transform.jit_error_if(True, "x was {}", 3)
    Traceback (most recent call last):
    ...
    brainsim._errors.BrainSimError: x was 3
    """

    def message(*a: Any) -> str:
        vals = [np.asarray(x).tolist() for x in a]
        return error(*vals) if callable(error) else str(error).format(*vals)

    def raise_error(p: Any, *a: Any) -> None:
        if bool(p):
            raise BrainSimError(message(*a))

    try:
        concrete = bool(pred)
    except (jax.errors.ConcretizationTypeError, jax.errors.TracerBoolConversionError):
        concrete = None
    if concrete is not None:
        if concrete:
            raise BrainSimError(message(*err_args))
        return
    # The predicate goes to the callback too: under ``vmap`` a batched predicate turns the
    # cond into a select that runs both branches, and only the lanes whose predicate holds
    # may raise.
    jax.lax.cond(
        pred,
        lambda p, *a: jax.debug.callback(raise_error, p, *a),
        lambda p, *a: None,
        pred,
        *err_args,
    )
