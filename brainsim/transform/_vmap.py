"""State-aware ``vmap`` and ``vmap_new_states``, plus state-aware ``checkpoint`` / ``remat``.

A State declared in ``in_states`` is mapped on its axis; one declared in ``out_states`` is
written back with that batch axis. An undeclared State is broadcast when read, and writing a
batched value into it raises :class:`~brainsim.BatchAxisError`. Random keys are split per
lane, so random draws differ across the batch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._compat import batch_trace_of, is_batched_by
from .._errors import BatchAxisError, BrainSimTypeError, BrainSimValueError
from .._state import State, catch_new_states, trace_depth
from ._core import StatefulFunction, call_pure, discover

__all__ = ["vmap", "vmap_new_states", "checkpoint", "remat"]


def _norm_states(spec: Any, owner: str, arg: str) -> dict[int, tuple[State, int]]:
    """``{axis: {name: State}}`` / ``{axis: [States]}`` / ``[States]`` / State -> by id."""
    out: dict[int, tuple[State, int]] = {}

    def add(s: Any, axis: int) -> None:
        if not isinstance(s, State):
            raise BrainSimTypeError(
                f"{owner}({arg}=...): expected States, got {type(s).__name__}."
            )
        if id(s) in out and out[id(s)][1] != axis:
            raise BatchAxisError(
                f"{owner}({arg}=...): {s._describe()} is declared with two batch axes "
                f"({out[id(s)][1]} and {axis})."
            )
        out[id(s)] = (s, axis)

    if spec is None:
        return out
    if isinstance(spec, State):
        add(spec, 0)
    elif isinstance(spec, dict):
        for axis, group in spec.items():
            if not isinstance(axis, int):
                raise BrainSimTypeError(
                    f"{owner}({arg}=...): dict keys must be int batch axes, got {axis!r}."
                )
            items = group.values() if isinstance(group, dict) else (
                [group] if isinstance(group, State) else group
            )
            for s in items:
                add(s, axis)
    elif isinstance(spec, list | tuple):
        for s in spec:
            add(s, 0)
    else:
        raise BrainSimTypeError(
            f"{owner}({arg}=...): expected a State, a list of States or {{axis: States}}, got "
            f"{type(spec).__name__}."
        )
    return out


def _batch_size(args: tuple, in_axes: Any, mapped: list[tuple[Any, int]],
                axis_size: int | None, owner: str) -> int:
    sizes: set[int] = set()
    axes = in_axes if isinstance(in_axes, tuple | list) else (in_axes,) * len(args)
    for a, ax in zip(args, axes, strict=True):
        if ax is None:
            continue
        leaves_ax = jax.tree.leaves(
            jax.tree.map(lambda _, ax=ax: ax, a) if not isinstance(ax, dict | list | tuple)
            else ax
        )
        for leaf, lax_ in zip(jax.tree.leaves(a), leaves_ax, strict=False):
            if lax_ is not None and np.ndim(leaf):
                sizes.add(int(np.shape(leaf)[lax_]))
    for v, ax in mapped:
        for leaf in jax.tree.leaves(v):
            sizes.add(int(np.shape(leaf)[ax]))
    if axis_size is not None:
        sizes.add(int(axis_size))
    if len(sizes) > 1:
        raise BrainSimValueError(
            f"{owner}: inconsistent batch sizes {sorted(sizes)} across the mapped arguments, "
            f"in_states and axis_size."
        )
    if not sizes:
        raise BrainSimValueError(
            f"{owner}: cannot infer the batch size: map at least one argument or State, or "
            f"give axis_size=..."
        )
    return sizes.pop()


def _random_states(states: list[State]) -> list[State]:
    from ..random import RandomState

    return [s for s in states if isinstance(s, RandomState)]


def _split_keys(s: State, n: int) -> Any:
    keys = jax.random.split(s.value, n + 1)
    s.value = keys[0]
    return keys[1:]


def vmap(
    fn: Callable | None = None,
    *,
    in_axes: Any = 0,
    out_axes: Any = 0,
    axis_name: Any = None,
    axis_size: int | None = None,
    spmd_axis_name: Any = None,
    in_states: Any = None,
    out_states: Any = None,
) -> Any:
    """Vectorise ``fn`` over a batch axis, with States mapped, broadcast or written batched.

    Parameters
    ----------
    in_axes, out_axes, axis_name, axis_size, spmd_axis_name
        As in ``jax.vmap``.
    in_states
        States mapped on a batch axis: ``{axis: {name: State}}``, ``{axis: [States]}``, a
        list of States (axis 0) or one State. Written ones keep that axis on the way out.
    out_states
        States written back with a batch axis (same formats).

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> w = brainsim.State(jnp.ones(3))          # broadcast to every lane
    >>> h = brainsim.State(jnp.zeros((4, 3)))    # one row per lane
    >>> def step(x):
    ...     h.value = h.value + w.value * x
    ...     return h.value.sum()
    >>> brainsim.transform.vmap(step, in_states=h)(jnp.arange(4.0))
    Array([0., 3., 6., 9.], dtype=float32)
    >>> h.value[:, 0]
    Array([0., 1., 2., 3.], dtype=float32)
    """
    if fn is None:
        return functools.partial(
            vmap, in_axes=in_axes, out_axes=out_axes, axis_name=axis_name,
            axis_size=axis_size, spmd_axis_name=spmd_axis_name, in_states=in_states,
            out_states=out_states,
        )
    ins = _norm_states(in_states, "vmap", "in_states")
    outs = _norm_states(out_states, "vmap", "out_states")
    for k, (s, ax) in outs.items():
        if k in ins and ins[k][1] != ax:
            raise BatchAxisError(
                f"vmap: {s._describe()} is mapped on axis {ins[k][1]} in in_states but axis "
                f"{ax} in out_states; a State keeps one batch axis."
            )

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise NotImplementedError(
                f"vmap: keyword arguments are not supported (got {sorted(kwargs)}); pass them "
                f"positionally and use in_axes."
            )
        if isinstance(in_axes, tuple | list) and len(in_axes) != len(args):
            raise BrainSimValueError(
                f"vmap: in_axes has {len(in_axes)} entries but the function was called with "
                f"{len(args)} positional argument(s); give one axis (or None) per argument."
            )
        axes = tuple(in_axes) if isinstance(in_axes, tuple | list) else (in_axes,) * len(args)
        declared_in = list(ins.values())
        n = _batch_size(args, axes, [(s.value, ax) for s, ax in declared_in], axis_size, "vmap")

        # --- discovery, with declared in_states swapped to their per-lane values
        in_list = [s for s, _ in declared_in]
        in_ax = [ax for _, ax in declared_in]

        def lane(in_vals, *a):
            for s, v in zip(in_list, in_vals, strict=True):
                s.restore_value(v)
            return fn(*a)

        trace = discover(
            jax.vmap(lane, in_axes=(in_ax, *axes), axis_size=n, axis_name=axis_name),
            [s.value for s in in_list], *args,
        )
        states, written = list(trace.states), list(trace.written)
        for s in in_list:
            if s not in set(states):
                states.append(s)
                written.append(False)
        rng = [s for s in _random_states(states) if id(s) not in ins]

        mapped_ids = {id(s) for s in in_list} | {id(s) for s in rng}
        mapped = [s for s in states if id(s) in mapped_ids]
        m_axes = [ins[id(s)][1] if id(s) in ins else 0 for s in mapped]
        m_vals = [_split_keys(s, n) if s in rng else s.value for s in mapped]
        unmapped = [s for s in states if id(s) not in mapped_ids]
        u_vals = [s.value for s in unmapped]
        wr = dict(zip((id(s) for s in states), written, strict=True))
        # outputs: written states, with their batch axis (declared) or None (undeclared)
        out_list = [s for s in states if wr[id(s)] and s not in rng]
        o_axes = [
            outs[id(s)][1] if id(s) in outs else (ins[id(s)][1] if id(s) in ins else None)
            for s in out_list
        ]
        run_states = mapped + unmapped
        run_written = [wr[id(s)] for s in run_states]

        def pure(probe, m_v, u_v, *a):
            ref = batch_trace_of(probe)
            out, new = call_pure(fn, run_states, list(m_v) + list(u_v), run_written, *a)
            new_by_id = dict(zip(
                (id(s) for s, w in zip(run_states, run_written, strict=True) if w), new,
                strict=True,
            ))
            result = []
            for s, ax in zip(out_list, o_axes, strict=True):
                v = new_by_id[id(s)]
                if ax is None and is_batched_by(v, ref):
                    raise BatchAxisError(
                        f"vmap: the function writes a batched value into {s._describe()} "
                        f"(created at {s.source_info}), but that State was not declared with "
                        f"a batch axis. Declare it, e.g. out_states={{0: [state]}} (or "
                        f"in_states if it is also mapped on the way in), or make the written "
                        f"value independent of the mapped inputs."
                    )
                result.append(v)
            return out, result

        vm = jax.vmap(
            pure,
            in_axes=(0, m_axes, None, *axes),
            out_axes=(out_axes, o_axes),
            axis_size=n,
            axis_name=axis_name,
            spmd_axis_name=spmd_axis_name,
        )
        out, new = vm(jnp.arange(n), m_vals, u_vals, *args)
        for s, v in zip(out_list, new, strict=True):
            s.value = v
        return out

    return wrapper


def vmap_new_states(
    fun: Callable | None = None,
    *,
    in_axes: Any = 0,
    out_axes: Any = 0,
    axis_size: int | None = None,
    state_tag: str | None = None,
    state_to_exclude: Any = None,
    **unsupported: Any,
) -> Any:
    """Vectorise the *creation* of States: States created inside get a leading batch axis.

    Random draws differ per lane. Existing States may be read (broadcast) but not written,
    except random keys.

    >>> import jax.numpy as jnp, brainsim
    >>> holder = {}
    >>> def make():
    ...     holder['v'] = brainsim.HiddenState(brainsim.random.normal(size=3))
    >>> brainsim.transform.vmap_new_states(make, axis_size=4)()
    >>> holder['v'].value.shape
    (4, 3)
    """
    if unsupported:
        bad = sorted(unsupported)
        if {"in_states", "out_states"} & set(bad):
            raise BrainSimValueError(
                "vmap_new_states: in_states / out_states are not supported; States created "
                "inside always get the batch axis."
            )
        raise TypeError(f"vmap_new_states: unexpected keyword arguments {bad}.")
    if axis_size is not None and (not isinstance(axis_size, int) or axis_size <= 0):
        raise BrainSimValueError(
            f"vmap_new_states(axis_size=...): expected a positive int, got {axis_size!r}."
        )
    if fun is None:
        return functools.partial(
            vmap_new_states, in_axes=in_axes, out_axes=out_axes, axis_size=axis_size,
            state_tag=state_tag, state_to_exclude=state_to_exclude,
        )

    @functools.wraps(fun)
    def wrapper(*args: Any) -> Any:
        axes = tuple(in_axes) if isinstance(in_axes, tuple | list) else (in_axes,) * len(args)
        n = _batch_size(args, axes, [], axis_size, "vmap_new_states")
        trace = discover(jax.vmap(lambda *a: fun(*a), in_axes=axes, axis_size=n), *args)
        states, written = list(trace.states), list(trace.written)
        rng = _random_states(states)
        bad = [s for s, w in zip(states, written, strict=True) if w and s not in rng]
        if bad:
            raise BrainSimValueError(
                f"vmap_new_states: the function writes the existing State "
                f"{bad[0]._describe()}; only new States may be created inside (use vmap with "
                f"in_states/out_states to update existing ones)."
            )
        rng_ids = {id(s) for s in rng}
        others = [s for s in states if id(s) not in rng_ids]
        keys = [_split_keys(s, n) for s in rng]
        o_vals = [s.value for s in others]
        run_states = rng + others
        run_written = [False] * len(run_states)
        created: list[list] = []

        def pure(k_v, o_v, *a):
            cap: list = []
            # the random keys were split outside: their writes are dropped on purpose
            out, _ = call_pure(fun, run_states, list(k_v) + list(o_v), run_written, *a,
                               capture_new=cap, check_writes=False)
            created[:] = [cap]
            return out, [v for _, v in cap]

        with catch_new_states(state_tag, state_to_exclude) as catcher:
            out, new_vals = jax.vmap(pure, in_axes=(0, None, *axes), out_axes=(out_axes, 0),
                                     axis_size=n)(keys, o_vals, *args)
        depth = trace_depth()
        for (s, _), v in zip(created[0] if created else [], new_vals, strict=True):
            s._value = v  # adopt: the State now lives at the caller's trace level
            s.stack_level = depth
        del catcher
        return out

    return wrapper


def checkpoint(
    fun: Callable | None = None,
    *,
    prevent_cse: bool = True,
    policy: Callable | None = None,
    static_argnums: Any = (),
) -> Any:
    """State-aware ``jax.checkpoint`` (rematerialisation): recompute ``fun`` in the backward
    pass instead of storing its intermediates.

    >>> import jax, jax.numpy as jnp, brainsim
    >>> f = brainsim.transform.checkpoint(lambda x: jnp.sin(x) ** 2)
    >>> float(jax.grad(f)(1.0)) == float(jax.grad(lambda x: jnp.sin(x) ** 2)(1.0))
    True
    """
    if fun is None:
        return functools.partial(checkpoint, prevent_cse=prevent_cse, policy=policy,
                                 static_argnums=static_argnums)
    sf = StatefulFunction(fun, static_argnums=static_argnums)
    st_nums = sf.static_argnums

    @functools.wraps(fun)
    def wrapper(*args: Any) -> Any:
        trace = sf.get_state_trace(*args)
        states, written = list(trace.states), list(trace.written)

        def pure(vals, *a):
            return call_pure(fun, states, vals, written, *a)

        out, new = jax.checkpoint(
            pure, prevent_cse=prevent_cse, policy=policy,
            static_argnums=tuple(i + 1 for i in st_nums),
        )([s.value for s in states], *args)
        it = iter(new)
        for s, w in zip(states, written, strict=True):
            if w:
                s.value = next(it)
        return out

    return wrapper


remat = checkpoint
