"""``Optimizer``: apply any optax ``GradientTransformation`` to a model's ParamStates.

brainsim writes no optimizers of its own. ``Optimizer(tx, params)`` binds an optax
transformation (``optax.adam(1e-3)``, ``optax.chain(optax.clip_by_global_norm(1.0), ...)``,
schedules, ``optax.multi_transform``) to a set of :class:`~brainsim.ParamState`\\ s and
updates their values in place. The optax state lives in a :class:`~brainsim.LongTermState`,
so a whole training step (loss, gradients, update) compiles with
:func:`brainsim.transform.jit`.
"""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .._errors import BrainSimKeyError, BrainSimTypeError, BrainSimValueError
from .._state import LongTermState, ParamState
from ..nn import Module, Param

__all__ = ["Optimizer"]


def _is_q(x: Any) -> bool:
    return isinstance(x, u.Quantity)


_ONE_DIM = u.get_unit(1.0).dim


def _grad_mantissa(p: Any, g: Any) -> Any:
    """The gradient as d loss / d (mantissa of ``p`` in its own unit), as ``p``'s dtype.

    A unit-aware gradient of a dimensionless loss (unit ``1 / unit(p)``) is converted to
    exactly ``1 / unit(p)``; any other gradient contributes its mantissa (that is what
    ``brainsim.transform.grad`` returns without ``unit_aware``).
    """
    if _is_q(g):
        if _is_q(p) and (g.unit * p.unit).dim == _ONE_DIM:
            g = g.to_decimal(p.unit**-1)
        else:
            g = g.mantissa
    return jnp.asarray(g, jnp.result_type(u.get_mantissa(p)))


def _name(key: Any) -> str:
    return ".".join(str(p) for p in key) if isinstance(key, tuple) else str(key)


def _as_param_state(x: Any, where: str) -> ParamState:
    """A ParamState, or the ParamState behind a trainable ``Param``."""
    if isinstance(x, Param):
        if not x.fit:
            raise BrainSimValueError(
                f"Optimizer(params=...): {where} is a non-trainable Param (fit=False); leave "
                f"it out or build it with fit=True."
            )
        return x.val
    if not isinstance(x, ParamState):
        raise BrainSimTypeError(
            f"Optimizer(params=...): {where} is a {type(x).__name__}, expected a ParamState "
            f"(or a trainable Param). Pass model.states(brainsim.ParamState)."
        )
    return x


def _normalize(params: Any) -> tuple[Any, str, list[Any], list[ParamState]]:
    """``(container for grad_states, kind, keys, states)``; kind is dict / list / single."""
    if isinstance(params, Module):
        params = params.states(ParamState)
    if isinstance(params, ParamState | Param):
        st = _as_param_state(params, "the parameter")
        return st, "single", [], [st]
    if hasattr(params, "keys") and hasattr(params, "items") and not isinstance(params, dict):
        params = dict(params.items())  # a CollectionView from model.parameters()
    if isinstance(params, dict):
        keys = list(params.keys())
        states = [_as_param_state(v, f"entry {k!r}") for k, v in params.items()]
        out = (
            type(params)(zip(keys, states, strict=True))
            if all(isinstance(v, ParamState) for v in params.values())
            else dict(zip(keys, states, strict=True))
        )
        return out, "dict", keys, states
    if isinstance(params, list | tuple):
        states = [_as_param_state(v, f"entry {i}") for i, v in enumerate(params)]
        return list(states), "list", list(range(len(states))), states
    raise BrainSimTypeError(
        f"Optimizer(params=...): expected a Module, model.states(ParamState), a dict or list "
        f"of ParamStates, or a single ParamState; got {type(params).__name__}."
    )


class Optimizer:
    """Apply an optax transformation to ParamStates, in place.

    Parameters
    ----------
    tx
        An optax ``GradientTransformation``, for example ``optax.adam(1e-3)`` or
        ``optax.chain(optax.clip_by_global_norm(1.0), optax.adam(schedule))``.
    params
        The parameters to train: ``model.states(ParamState)`` (a path-keyed dict), a Module
        (its ``states(ParamState)``), ``model.parameters()``, a dict or list of ParamStates
        (trainable ``Param`` objects stand for their ``val`` state), or one ParamState.

    Attributes
    ----------
    params
        The ParamStates, in the container to pass to
        ``brainsim.transform.grad(..., grad_states=opt.params)``: gradients then come back
        keyed exactly as :meth:`step` expects them.
    opt_state : LongTermState
        The optax state, a pytree over the parameter *values*. It is a State, so a
        ``brainsim.transform.jit``-compiled training step threads it automatically.

    Notes
    -----
    optax sees the values as a ``dict`` keyed by dotted path (``'fc.weight.val'``) when
    ``params`` is a dict, a ``list`` when it is a list, and the bare value for one
    ParamState; use these keys in ``optax.multi_transform`` label functions. A parameter
    holding a Quantity is updated on its mantissa and keeps its unit; its gradient is the
    derivative with respect to that mantissa, which is what ``brainsim.transform.grad``
    returns.

    Examples
    --------
    >>> import jax.numpy as jnp, optax, brainsim
    >>> w = brainsim.ParamState(jnp.array([1.0, -2.0]))
    >>> opt = brainsim.train.Optimizer(optax.sgd(0.1), {'w': w})
    >>> loss = lambda: jnp.sum(w.value ** 2)
    >>> grads = brainsim.transform.grad(loss, grad_states=opt.params)()
    >>> opt.step(grads)
    >>> w.value                                   # w - 0.1 * 2 w
    Array([ 0.8, -1.6], dtype=float32)
    """

    def __init__(self, tx: optax.GradientTransformation, params: Any) -> None:
        if not (hasattr(tx, "init") and hasattr(tx, "update")):
            raise BrainSimTypeError(
                f"Optimizer(tx=...): expected an optax GradientTransformation such as "
                f"optax.adam(1e-3), got {type(tx).__name__}."
            )
        self.tx = tx
        self.params, self._kind, self._keys, self._states = _normalize(params)
        if not self._states:
            raise BrainSimValueError(
                "Optimizer(params=...): no ParamStates to train (the container is empty)."
            )
        if self._kind == "dict":
            self._names = [_name(k) for k in self._keys]
            if len(set(self._names)) != len(self._names):
                raise BrainSimValueError(
                    "Optimizer(params=...): two parameter keys have the same dotted name; "
                    "use distinct keys."
                )
        self.opt_state = LongTermState(None, name="opt_state")
        self.init()

    # ---------------------------------------------------------------- value trees
    def _pack(self, leaves: list[Any]) -> Any:
        if self._kind == "dict":
            return dict(zip(self._names, leaves, strict=True))
        if self._kind == "list":
            return list(leaves)
        return leaves[0]

    def _unpack(self, tree: Any) -> list[Any]:
        if self._kind == "dict":
            return [tree[n] for n in self._names]
        if self._kind == "list":
            return list(tree)
        return [tree]

    def _values(self) -> list[Any]:
        """Mantissas of the current parameter values."""
        return [jax.tree.map(u.get_mantissa, s.value, is_leaf=_is_q) for s in self._states]

    def init(self) -> None:
        """(Re)build ``opt_state`` from the current parameter values (done at construction)."""
        self.opt_state.value = self.tx.init(self._pack(self._values()))

    # ---------------------------------------------------------------- update
    def _grad_leaves(self, grads: Any) -> list[Any]:
        if self._kind == "single":
            return [grads]
        if self._kind == "list":
            if not isinstance(grads, list | tuple) or len(grads) != len(self._states):
                got = len(grads) if isinstance(grads, list | tuple) else type(grads).__name__
                raise BrainSimValueError(
                    f"Optimizer.step(grads): expected a list of {len(self._states)} gradients "
                    f"(one per parameter, in order), got {got}."
                )
            return list(grads)
        if not isinstance(grads, dict):
            raise BrainSimTypeError(
                f"Optimizer.step(grads): expected a dict keyed like opt.params, got "
                f"{type(grads).__name__}. Compute it with brainsim.transform.grad(loss, "
                f"grad_states=opt.params)."
            )
        missing = [k for k in self._keys if k not in grads]
        known = set(self._keys)
        unexpected = [k for k in grads if k not in known]
        if missing or unexpected:
            raise BrainSimKeyError(
                f"Optimizer.step(grads): the gradient keys do not match the parameters. "
                f"Missing: {[_name(k) for k in missing]}; unexpected: "
                f"{[_name(k) for k in unexpected]}. Compute the gradients with "
                f"brainsim.transform.grad(loss, grad_states=opt.params)."
            )
        return [grads[k] for k in self._keys]

    def step(self, grads: Any) -> None:
        """Apply one update: ``tx.update`` then ``optax.apply_updates``, written in place.

        Parameters
        ----------
        grads
            Gradients keyed exactly like :attr:`params` (the output of
            ``brainsim.transform.grad(loss, grad_states=opt.params)``).
        """
        g_leaves = self._grad_leaves(grads)
        olds = [s.value for s in self._states]
        values = self._values()
        g_vals = []
        for key, g, old in zip(self._keys or [None], g_leaves, olds, strict=True):
            try:
                g_vals.append(jax.tree.map(_grad_mantissa, old, g, is_leaf=_is_q))
                ok = all(
                    np.shape(a) == np.shape(b)
                    for a, b in zip(
                        jax.tree.leaves(g_vals[-1]),
                        jax.tree.leaves(jax.tree.map(u.get_mantissa, old, is_leaf=_is_q)),
                        strict=True,
                    )
                )
            except (ValueError, TypeError):
                ok = False
            if not ok:
                where = "" if key is None else f" for {_name(key)!r}"
                shape = lambda t: jax.tree.map(  # noqa: E731
                    lambda x: np.shape(u.get_mantissa(x)), t, is_leaf=_is_q
                )
                raise BrainSimValueError(
                    f"Optimizer.step(grads): the gradient{where} has shape {shape(g)}, but "
                    f"the parameter has shape {shape(old)}."
                )
        params = self._pack(values)
        updates, new_opt = self.tx.update(self._pack(g_vals), self.opt_state.value, params)
        new_vals = self._unpack(optax.apply_updates(params, updates))
        for s, old, new in zip(self._states, olds, new_vals, strict=True):
            s.value = jax.tree.map(
                lambda o, n: u.Quantity(n, unit=o.unit) if _is_q(o) else n,
                old,
                new,
                is_leaf=_is_q,
            )
        self.opt_state.value = new_opt

    def __repr__(self) -> str:
        return f"Optimizer(tx={type(self.tx).__name__}, n_params={len(self._states)})"
