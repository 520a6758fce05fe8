"""State-aware differentiation: ``grad``, ``value_and_grad``, ``vector_grad``, Jacobians,
Hessians, ``vjp``, ``jvp`` and ``fwd_grad``.

``grad_states`` may be a single State, a list / tuple, a dict, or a ``FlatStateDict``
(``model.states(ParamState)``); gradients come back in the same container with the same
keys. States that the function writes are updated after the call, exactly as in ``jit``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp

from .._errors import BrainSimTypeError, BrainSimValueError
from .._state import State
from ._core import StatefulFunction, call_pure

__all__ = [
    "grad",
    "value_and_grad",
    "vector_grad",
    "jacrev",
    "jacfwd",
    "jacobian",
    "hessian",
    "vjp",
    "jvp",
    "fwd_grad",
]


class _GradStates:
    """A normalised ``grad_states`` container: flat list of States plus how to rebuild it."""

    def __init__(self, grad_states: Any, owner: str) -> None:
        self.kind: str
        if grad_states is None:
            self.kind, self.keys, self.states = "none", (), []
        elif isinstance(grad_states, State):
            self.kind, self.keys, self.states = "single", (), [grad_states]
        elif isinstance(grad_states, dict):
            self.kind = "dict"
            self.type = type(grad_states)
            self.keys = tuple(grad_states.keys())
            self.states = list(grad_states.values())
        elif isinstance(grad_states, list | tuple):
            self.kind = "list"
            self.type = type(grad_states)
            self.keys = ()
            self.states = list(grad_states)
        else:
            raise BrainSimTypeError(
                f"{owner}(grad_states=...): expected a State, a list/tuple/dict of States or "
                f"model.states(ParamState), got {type(grad_states).__name__}."
            )
        for s in self.states:
            if not isinstance(s, State):
                raise BrainSimTypeError(
                    f"{owner}(grad_states=...): every entry must be a State, got "
                    f"{type(s).__name__}."
                )

    def pack(self, grads: list[Any]) -> Any:
        if self.kind == "single":
            return grads[0]
        if self.kind == "dict":
            return self.type(zip(self.keys, grads, strict=True))
        if self.kind == "list":
            return self.type(grads)
        return None


def _fix_units(grads: Any, primals: Any, out_unit: Any) -> Any:
    """Give gradient leaves the unit ``unit(output) / unit(input)``."""

    def fix(g, p):
        pu = u.get_unit(p)
        gm = u.get_mantissa(g)
        unit = out_unit / pu
        return u.maybe_decimal(u.Quantity(gm, unit=unit))

    return jax.tree.map(fix, grads, primals, is_leaf=u.math.is_quantity)


def _differentiate(
    fun: Callable,
    transform: Callable,
    owner: str,
    grad_states: Any,
    argnums: Any,
    has_aux: bool,
    return_value: bool,
    unit_aware: bool,
    check_states: bool,
    transform_kwargs: dict,
    value_first: bool = False,
    nested: bool = False,
    jacobian: bool = False,
) -> Callable:
    """``nested``: the transform returns rows of second derivatives (``hessian``).

    ``jacobian``: the transform is ``jax.jacrev`` / ``jax.jacfwd``, whose result is nested
    output-major (one entry per output leaf, each holding the inputs); it is regrouped per
    input here and nested output-major again at the end, as ``jax.jacrev`` returns it.
    """
    gs = _GradStates(grad_states, owner)
    if argnums is None:
        arg_list, single_arg = ((0,), True) if gs.kind == "none" else ((), False)
    elif isinstance(argnums, int):
        arg_list, single_arg = (argnums,), True
    else:
        arg_list, single_arg = tuple(argnums), False
    sf = StatefulFunction(fun, name=owner)

    @functools.wraps(fun)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for a in arg_list:
            if not 0 <= a < len(args):
                raise BrainSimValueError(
                    f"{owner}(argnums=...): argument number {a} is out of range for a call "
                    f"with {len(args)} positional argument(s)."
                )
        trace = sf.get_state_trace(*args, **kwargs)
        touched = {id(s) for s in trace.states}
        if check_states:
            for s in gs.states:
                if id(s) not in touched:
                    raise BrainSimValueError(
                        f"{owner}: a State in grad_states ({s._describe()}, created at "
                        f"{s.source_info}) is never read by the function, so its gradient "
                        f"would be zero. Remove it from grad_states or pass "
                        f"check_states=False."
                    )
        grad_ids = {id(s) for s in gs.states}
        others = [s for s in trace.states if id(s) not in grad_ids]
        written_all = dict(zip((id(s) for s in trace.states), trace.written, strict=True))
        run_states = gs.states + others
        run_written = [written_all.get(id(s), False) for s in run_states]
        out_unit: list[Any] = []

        def pure(grad_vals, diff_args, other_vals):
            call_args = list(args)
            for i, a in zip(arg_list, diff_args, strict=True):
                call_args[i] = a
            out, new = call_pure(
                fun, run_states, list(grad_vals) + list(other_vals), run_written,
                *call_args, **kwargs
            )
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise BrainSimTypeError(
                        f"{owner}(has_aux=True): the function must return a pair "
                        f"(output, aux), got {type(out).__name__}."
                    )
                out, aux = out
            else:
                aux = None
            if unit_aware:
                out_unit[:] = [u.get_unit(out)]
                out = u.get_mantissa(out)
            return out, (out, aux, new)

        grad_vals = [s.value for s in gs.states]
        other_vals = [s.value for s in others]
        diff_args = tuple(args[i] for i in arg_list)
        jt = transform(pure, argnums=(0, 1), has_aux=True, **transform_kwargs)
        jac, (value, aux, new) = jt(grad_vals, diff_args, other_vals)
        out_tree = jax.tree.structure(value)
        if jacobian:
            in_tree = jax.tree.structure((grad_vals, diff_args))
            jac = jax.tree.transpose(out_tree, in_tree, jac)
        g_states, g_args = jac
        it = iter(new)
        for s, w in zip(run_states, run_written, strict=True):
            if w:
                s.value = next(it)
        if unit_aware:
            ou = out_unit[0] if out_unit else u.get_unit(1.0)
            g_states = _fix_units(g_states, grad_vals, ou)
            g_args = _fix_units(g_args, diff_args, ou)
            value = u.maybe_decimal(u.Quantity(value, unit=ou))
        if nested:  # row i holds the blocks d2f / (d x_i d x_j)
            state_part = gs.pack([gs.pack(list(row)) for row in g_states])
            arg_part = g_args[0][0] if single_arg else tuple(tuple(r) for r in g_args)
        elif jacobian and not jax.tree_util.treedef_is_leaf(out_tree):
            # output-major, as jax.jacrev: one entry per output leaf, holding the inputs
            s_rows = [out_tree.flatten_up_to(g) for g in g_states]
            a_rows = [out_tree.flatten_up_to(g) for g in g_args]
            n = out_tree.num_leaves
            state_part = jax.tree.unflatten(
                out_tree, [gs.pack([row[k] for row in s_rows]) for k in range(n)])
            arg_part = jax.tree.unflatten(
                out_tree,
                [a_rows[0][k] if single_arg else tuple(row[k] for row in a_rows)
                 for k in range(n)])
        else:
            state_part = gs.pack(list(g_states))
            arg_part = g_args[0] if single_arg else tuple(g_args)
        if gs.kind == "none":
            grads = arg_part
        elif not arg_list:
            grads = state_part
        else:
            grads = (state_part, arg_part)
        if value_first:
            return ((value, aux), grads) if has_aux else (value, grads)
        if return_value and has_aux:
            return grads, value, aux
        if return_value:
            return grads, value
        if has_aux:
            return grads, aux
        return grads

    return wrapper


def _decorator(fun: Callable | None, build: Callable[[Callable], Callable]) -> Any:
    return build if fun is None else build(fun)


def grad(
    fun: Callable | None = None,
    grad_states: Any = None,
    argnums: Any = None,
    has_aux: bool = False,
    return_value: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    unit_aware: bool = False,
    check_states: bool = True,
) -> Any:
    """Gradient of a scalar function with respect to States and/or arguments.

    Returns the state gradients (same container and keys as ``grad_states``); with
    ``argnums`` as well, the pair ``(state_grads, arg_grads)``; with neither, the gradient
    with respect to argument 0. ``return_value=True`` gives ``(grads, value)``,
    ``has_aux=True`` ``(grads, aux)``, both ``(grads, value, aux)``.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> w = brainsim.ParamState(jnp.array([1.0, 2.0]))
    >>> loss = lambda x: jnp.sum(w.value * x) ** 2
    >>> brainsim.transform.grad(loss, grad_states=w)(jnp.ones(2))
    Array([6., 6.], dtype=float32)
    >>> g, x_g = brainsim.transform.grad(loss, {'w': w}, argnums=0)(jnp.ones(2))
    >>> g['w'], x_g
    (Array([6., 6.], dtype=float32), Array([ 6., 12.], dtype=float32))
    """
    return _decorator(
        fun,
        lambda f: _differentiate(
            f, jax.grad, "grad", grad_states, argnums, has_aux, return_value, unit_aware,
            check_states, {"holomorphic": holomorphic, "allow_int": allow_int},
        ),
    )


def value_and_grad(
    fun: Callable | None = None,
    grad_states: Any = None,
    argnums: Any = None,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
    unit_aware: bool = False,
    check_states: bool = True,
) -> Any:
    """``(value, grads)`` in JAX order (``((value, aux), grads)`` with ``has_aux``).

    >>> import jax.numpy as jnp, brainsim
    >>> w = brainsim.ParamState(jnp.float32(3.0))
    >>> brainsim.transform.value_and_grad(lambda: w.value ** 2, grad_states=w)()
    (Array(9., dtype=float32), Array(6., dtype=float32))
    """
    return _decorator(
        fun,
        lambda f: _differentiate(
            f, jax.grad, "value_and_grad", grad_states, argnums, has_aux, False, unit_aware,
            check_states, {"holomorphic": holomorphic, "allow_int": allow_int},
            value_first=True,
        ),
    )


def vector_grad(
    fun: Callable | None = None,
    grad_states: Any = None,
    argnums: Any = None,
    return_value: bool = False,
    has_aux: bool = False,
    unit_aware: bool = False,
    check_states: bool = True,
) -> Any:
    """Gradient of ``sum(fun(...))`` for non-scalar outputs (an element-wise derivative).

    >>> import jax.numpy as jnp, brainsim
    >>> brainsim.transform.vector_grad(lambda x: x ** 2)(jnp.array([1.0, 2.0]))
    Array([2., 4.], dtype=float32)
    """

    def transform(pure, argnums, has_aux):
        def run(*args):
            out, vjp_fn, aux_pack = jax.vjp(pure, *args, has_aux=True)
            grads = vjp_fn(jnp.ones_like(out))
            return tuple(grads[i] for i in argnums), aux_pack

        return run

    return _decorator(
        fun,
        lambda f: _differentiate(
            f, transform, "vector_grad", grad_states, argnums, has_aux, return_value,
            unit_aware, check_states, {},
        ),
    )


def _jac(kind: str, jax_fn: Callable) -> Callable:
    def api(
        fun: Callable | None = None,
        grad_states: Any = None,
        argnums: Any = None,
        has_aux: bool = False,
        return_value: bool = False,
        holomorphic: bool = False,
        unit_aware: bool = False,
        check_states: bool = True,
    ) -> Any:
        return _decorator(
            fun,
            lambda f: _differentiate(
                f, jax_fn, kind, grad_states, argnums, has_aux, return_value, unit_aware,
                check_states, {"holomorphic": holomorphic}, jacobian=True,
            ),
        )

    api.__name__ = kind
    api.__doc__ = (
        f"State-aware ``jax.{kind}``: Jacobian with respect to ``grad_states`` and/or "
        f"``argnums`` (same conventions as :func:`grad`).\n\n"
        f">>> import jax.numpy as jnp, brainsim\n"
        f">>> brainsim.transform.{kind}(lambda x: x ** 2)(jnp.array([1.0, 2.0]))\n"
        f"Array([[2., 0.],\n       [0., 4.]], dtype=float32)\n"
    )
    return api


jacrev = _jac("jacrev", jax.jacrev)
jacfwd = _jac("jacfwd", jax.jacfwd)
jacobian = jacrev


def _hessian_transform(pure, argnums, has_aux, holomorphic=False):
    full = jax.jacfwd(
        jax.jacrev(pure, argnums=argnums, has_aux=has_aux, holomorphic=holomorphic),
        argnums=argnums, has_aux=has_aux, holomorphic=holomorphic,
    )

    def run(*args):
        (h_states, h_args), aux = full(*args)
        # entry i is the pair (d/d states, d/d args) of gradient i: keep the state-state
        # rows and the arg-arg rows
        return ([row[0] for row in h_states], tuple(row[1] for row in h_args)), aux

    return run


def hessian(
    fun: Callable | None = None,
    grad_states: Any = None,
    argnums: Any = None,
    has_aux: bool = False,
    return_value: bool = False,
    holomorphic: bool = False,
    check_states: bool = True,
) -> Any:
    """State-aware Hessian (``jacfwd(jacrev(...))``), same conventions as :func:`grad`.

    With several States or argnums the blocks are nested as in ``jax.hessian``
    (``h[i][j]``, keyed like ``grad_states``); with both States and argnums the pair
    ``(state_hessian, arg_hessian)`` is returned and the mixed blocks are left out.

    >>> import jax.numpy as jnp, brainsim
    >>> brainsim.transform.hessian(lambda x: (x ** 3).sum())(jnp.array([1.0, 2.0]))
    Array([[ 6.,  0.],
           [ 0., 12.]], dtype=float32)
    """
    return _decorator(
        fun,
        lambda f: _differentiate(
            f, _hessian_transform, "hessian", grad_states, argnums, has_aux, return_value,
            False, check_states, {"holomorphic": holomorphic}, nested=True,
        ),
    )


def _split_diff(fun: Callable, owner: str, args: tuple, grad_states: Any, argnums: Any,
                check_states: bool) -> tuple:
    """Set up a vjp / jvp over ``grad_states`` and the arguments in ``argnums``.

    Returns ``(f, diff_primals, gs, arg_list, single_arg, run_states, run_written)`` where
    ``f(state_vals, arg_vals) -> (out, (aux, new written values))`` and ``diff_primals`` is
    ``(state values, argument values)``.
    """
    gs = _GradStates(grad_states, owner)
    if argnums is None:  # all arguments (as jax) unless States are given
        arg_list = tuple(range(len(args))) if gs.kind == "none" else ()
        single_arg = False
    elif isinstance(argnums, int) and not isinstance(argnums, bool):
        arg_list, single_arg = (argnums,), True
    else:
        arg_list, single_arg = tuple(argnums), False
    for a in arg_list:
        if not isinstance(a, int) or not 0 <= a < len(args):
            raise BrainSimValueError(
                f"{owner}(argnums=...): argument number {a!r} is out of range for a call with "
                f"{len(args)} positional argument(s)."
            )
    trace = StatefulFunction(fun, name=owner).get_state_trace(*args)
    touched = {id(st) for st in trace.states}
    if check_states:
        for st in gs.states:
            if id(st) not in touched:
                raise BrainSimValueError(
                    f"{owner}: a State in grad_states ({st._describe()}, created at "
                    f"{st.source_info}) is never read by the function, so its cotangent "
                    f"would be zero. Remove it from grad_states or pass check_states=False."
                )
    grad_ids = {id(st) for st in gs.states}
    others = [st for st in trace.states if id(st) not in grad_ids]
    written_all = dict(zip((id(st) for st in trace.states), trace.written, strict=True))
    run_states = gs.states + others
    run_written = [written_all.get(id(st), False) for st in run_states]
    other_vals = [st.value for st in others]

    def f(state_vals, arg_vals):
        call_args = list(args)
        for i, a in zip(arg_list, arg_vals, strict=True):
            call_args[i] = a
        return call_pure(fun, run_states, list(state_vals) + other_vals, run_written,
                         *call_args)

    primals = ([st.value for st in gs.states], tuple(args[i] for i in arg_list))
    return f, primals, gs, arg_list, single_arg, run_states, run_written


def _write_back(states: list, written: list, new: list) -> None:
    it = iter(new)
    for s, w in zip(states, written, strict=True):
        if w:
            s.value = next(it)


def _with_aux(f: Callable, has_aux: bool, owner: str) -> Callable:
    def run(state_vals, arg_vals):
        out, new = f(state_vals, arg_vals)
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise BrainSimTypeError(
                    f"{owner}(has_aux=True): the function must return a pair (output, aux), "
                    f"got {type(out).__name__}."
                )
            out, aux = out
            return out, (aux, new)
        return out, (None, new)

    return run


def vjp(fun: Callable, *primals: Any, grad_states: Any = None, argnums: Any = None,
        has_aux: bool = False, check_states: bool = True) -> tuple:
    """State-aware ``jax.vjp``: returns ``(out, vjp_fn)`` (or ``(out, vjp_fn, aux)``).

    States the function writes are updated. ``vjp_fn(cotangent)`` returns cotangents with
    the conventions of :func:`grad`: with neither ``grad_states`` nor ``argnums``, those of
    all ``primals`` as a tuple (as ``jax.vjp``); with ``grad_states`` only, those of the
    States (same container and keys); with ``argnums`` only, those of the selected
    arguments (an int gives one, a tuple a tuple); with both, ``(state_cts, arg_cts)``.

    >>> import jax.numpy as jnp, brainsim
    >>> out, f_vjp = brainsim.transform.vjp(lambda x: x * 3, jnp.float32(2.0))
    >>> f_vjp(jnp.float32(1.0))
    (Array(3., dtype=float32),)
    >>> w = brainsim.ParamState(jnp.float32(2.0))
    >>> out, f_vjp = brainsim.transform.vjp(lambda x: w.value * x, jnp.float32(5.0),
    ...                                     grad_states={'w': w}, argnums=0)
    >>> f_vjp(jnp.float32(1.0))
    ({'w': Array(5., dtype=float32)}, Array(2., dtype=float32))
    """
    f, diff, gs, _, single_arg, states, written = _split_diff(
        fun, "vjp", primals, grad_states, argnums, check_states)
    out, raw_vjp, (aux, new) = jax.vjp(_with_aux(f, has_aux, "vjp"), *diff, has_aux=True)
    _write_back(states, written, new)

    def vjp_fn(cotangent: Any) -> Any:
        st_ct, arg_ct = raw_vjp(cotangent)
        arg_part = arg_ct[0] if single_arg else tuple(arg_ct)
        if gs.kind == "none":
            return arg_part
        if argnums is None:
            return gs.pack(list(st_ct))
        return gs.pack(list(st_ct)), arg_part

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def jvp(fun: Callable, primals: Any, tangents: Any, has_aux: bool = False, *,
        grad_states: Any = None, argnums: Any = None, check_states: bool = True) -> tuple:
    """State-aware ``jax.jvp``: returns ``(out, tangent_out)`` (plus ``aux``).

    ``primals`` are the positional arguments. ``tangents`` follows the conventions of
    :func:`grad`: with neither ``grad_states`` nor ``argnums``, one tangent per primal (as
    ``jax.jvp``); with ``grad_states`` only, the States' tangents (same container); with
    ``argnums`` only, the selected arguments' tangents (one for an int, a tuple for a
    tuple); with both, ``(state_tangents, arg_tangents)``. Other inputs are held fixed.

    >>> import jax.numpy as jnp, brainsim
    >>> brainsim.transform.jvp(lambda x: x ** 2, (jnp.float32(3.0),), (jnp.float32(1.0),))
    (Array(9., dtype=float32), Array(6., dtype=float32))
    >>> w = brainsim.ParamState(jnp.float32(2.0))
    >>> brainsim.transform.jvp(lambda x: w.value * x, (jnp.float32(5.0),), jnp.float32(1.0),
    ...                        grad_states=w)
    (Array(10., dtype=float32), Array(5., dtype=float32))
    """
    primals = tuple(primals)
    f, diff, gs, _, single_arg, states, written = _split_diff(
        fun, "jvp", primals, grad_states, argnums, check_states)
    if gs.kind == "none":
        st_t, arg_t = [], tangents
    elif argnums is None:
        st_t, arg_t = tangents, ()
    else:
        if not (isinstance(tangents, tuple | list) and len(tangents) == 2):
            raise BrainSimTypeError(
                f"jvp(tangents=...): with grad_states and argnums, expected the pair "
                f"(state_tangents, arg_tangents), got {type(tangents).__name__}."
            )
        st_t, arg_t = tangents
    if argnums is not None and single_arg:
        arg_t = (arg_t,)
    arg_t = tuple(arg_t)
    if len(arg_t) != len(diff[1]):
        raise BrainSimValueError(
            f"jvp(tangents=...): expected {len(diff[1])} argument tangent(s), got {len(arg_t)}."
        )
    st_t = [st_t] if gs.kind == "single" else list(
        st_t.values() if isinstance(st_t, dict) else st_t)
    if len(st_t) != len(gs.states):
        raise BrainSimValueError(
            f"jvp(tangents=...): expected {len(gs.states)} State tangent(s) (one per entry of "
            f"grad_states), got {len(st_t)}."
        )
    out, t_out, (aux, new) = jax.jvp(
        _with_aux(f, has_aux, "jvp"), diff, (st_t, arg_t), has_aux=True)
    _write_back(states, written, new)
    return (out, t_out, aux) if has_aux else (out, t_out)


def fwd_grad(
    fun: Callable | None = None,
    grad_states: Any = None,
    argnums: Any = None,
    has_aux: bool = False,
    return_value: bool = False,
    key: Any = None,
) -> Any:
    """Forward gradient: an unbiased estimate ``(∇f·v) v`` with a random normal tangent v.

    One forward-mode pass instead of a backward pass (Baydin et al. 2022). Averaged over
    many random tangents it equals the gradient.

    >>> import jax, jax.numpy as jnp, brainsim
    >>> f = lambda x: jnp.sum(x ** 2)
    >>> x = jnp.array([1.0, -2.0])
    >>> keys = jax.random.split(jax.random.PRNGKey(0), 400)
    >>> est = jnp.mean(jnp.stack([brainsim.transform.fwd_grad(f, key=k)(x) for k in keys]), 0)
    >>> est                                  # the true gradient is [2, -4]
    Array([ 1.9..., -4.2...], dtype=float32)
    """

    def transform(pure, argnums, has_aux):
        def run(*args):
            primals = tuple(args[i] for i in argnums)
            k = key if key is not None else _next_key()
            leaves, tree = jax.tree.flatten(primals)
            ks = jax.random.split(k, max(len(leaves), 1))
            tl = [jax.random.normal(kk, jnp.shape(x), jnp.result_type(x))
                  for kk, x in zip(ks, leaves, strict=False)]
            tangents = jax.tree.unflatten(tree, tl)

            def f(*p):
                full = list(args)
                for i, v in zip(argnums, p, strict=True):
                    full[i] = v
                return pure(*full)

            out, t_out, aux_pack = jax.jvp(f, primals, tangents, has_aux=True)
            if jnp.shape(out) != ():
                raise BrainSimTypeError(
                    f"fwd_grad: the function must return a scalar (the forward gradient "
                    f"(grad f . v) v needs one directional derivative), got an output of "
                    f"shape {jnp.shape(out)}. Reduce it first (e.g. with .sum()), or use "
                    f"jacfwd for a full Jacobian."
                )
            grads = jax.tree.map(lambda t: t_out * t, tangents)
            return grads, aux_pack

        return run

    return _decorator(
        fun,
        lambda f: _differentiate(
            f, transform, "fwd_grad", grad_states, argnums, has_aux, return_value, False,
            True, {},
        ),
    )


def _next_key() -> Any:
    from .. import random

    return random.split_key()
