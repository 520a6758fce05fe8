"""Backpropagation through time: run a model over a sequence, take gradients, update.

The pattern (every piece is an ordinary brainsim call; this module only packages it)::

    brainsim.environ.set(dt=1.0 * u.ms)
    model = Net()                                        # a brainsim.nn.Module
    brainsim.nn.init_all_states(model, batch_size=32)    # create the States once
    opt = brainsim.train.Optimizer(optax.adam(1e-3), model.states(brainsim.ParamState))

    def loss_fn(model, xs, labels):                      # xs: (T, B, ...) time-first
        outs = brainsim.train.run_sequence(model, xs, batch_size=xs.shape[1])
        logits = outs.mean(axis=0)                       # (B, classes)
        loss = brainsim.train.softmax_cross_entropy(logits, labels) + model.reg_loss()
        return loss, {"acc": brainsim.train.accuracy(logits, labels)}

    for xs, labels in batches:                           # compiled once per input shape
        loss, metrics = brainsim.train.train_step(model, opt, loss_fn, xs, labels)

``run_sequence`` resets every State to the batch size (``reset_all_states``), then steps the
model once per time step inside ``brainsim.transform.for_loop`` with ``environ.context(i=i,
t=i*dt)``. ``checkpoint=True`` switches to ``checkpointed_for_loop``: the same gradients,
with memory growing like ``base * log_base(T)`` instead of ``T``. ``train_step`` is
``value_and_grad`` over ``opt.params`` followed by ``opt.step``, compiled with
``brainsim.transform.jit``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import environ
from .._errors import BrainSimTypeError, BrainSimValueError
from ..nn import Module, reset_all_states
from ..transform import checkpointed_for_loop, for_loop, jit, value_and_grad
from . import _diagnostics as diag
from ._optim import Optimizer

__all__ = ["run_sequence", "train_step"]


def run_sequence(
    model: Callable[..., Any],
    xs: Any,
    batch_size: int | None = None,
    checkpoint: bool = False,
    base: int = 16,
    reset: bool = True,
) -> Any:
    """Run ``model`` once per time step over ``xs`` and return the stacked outputs.

    Parameters
    ----------
    model
        A Module (or any callable reading and writing States) taking one time slice.
    xs
        Inputs with time on axis 0: an array, a Quantity, or a tuple of them (then the model
        is called as ``model(*x_t)``).
    batch_size
        Passed to ``brainsim.nn.reset_all_states`` (``None``: unbatched States).
    checkpoint
        Use :func:`brainsim.transform.checkpointed_for_loop` (memory-saving BPTT).
    base
        Checkpoint branching factor (with ``checkpoint=True``).
    reset
        Reset the model's States first (default). ``False`` continues from the current
        States.

    Returns
    -------
    The per-step outputs stacked on a new axis 0.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.environ.set(dt=1.0 * u.ms)
    >>> lif = brainsim.models.LIF(3, tau=10 * u.ms)
    >>> brainsim.nn.init_all_states(lif)   # doctest: +ELLIPSIS
    LIF(...)
    >>> xs = jnp.full((50, 4, 3), 2.0) * u.mA
    >>> spikes = brainsim.train.run_sequence(lif, xs, batch_size=4)
    >>> spikes.shape, lif.V.value.shape
    ((50, 4, 3), (4, 3))
    """
    if not callable(model):
        raise BrainSimTypeError(
            f"run_sequence(model=...): expected a Module or callable, got {type(model).__name__}."
        )
    leaves = jax.tree.leaves(xs)
    if not leaves or any(np.ndim(x) == 0 for x in leaves):
        raise BrainSimValueError(
            "run_sequence(xs=...): expected inputs with a leading time axis, shape (T, ...)."
        )
    n = int(np.shape(leaves[0])[0])
    if reset:
        if isinstance(model, Module):
            reset_all_states(model, batch_size=batch_size)
        else:
            raise BrainSimTypeError(
                "run_sequence(reset=True): only a brainsim Module can be reset; pass "
                "reset=False for a plain callable."
            )
    dt = environ.get_dt()
    multi = isinstance(xs, tuple)

    layers = diag.spiking_layers(model)  # empty unless train_step is collecting diagnostics

    def step(i: Any, x: Any) -> Any:
        with environ.context(i=i, t=i * dt):
            out = model(*x) if multi else model(x)
        return (out, diag.spike_counts(layers)) if layers else out

    idx = jnp.arange(n)
    if checkpoint:
        outs = checkpointed_for_loop(step, idx, xs, base=base)
    else:
        outs = for_loop(step, idx, xs)
    if layers:
        outs, counts = outs
        diag.spike_totals(layers, counts)
    return outs


# one compiled step per (model, loss_fn), kept as long as the optimizer lives
_STEPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled_step(model: Any, optimizer: Optimizer, loss_fn: Callable) -> Callable:
    cache = _STEPS.setdefault(optimizer, {})
    key = (id(model), loss_fn)
    hit = cache.get(key)
    if hit is not None and hit[0]() is model:
        return hit[1]

    def objective(*batch: Any) -> Any:
        with diag.collecting() as totals:
            out = loss_fn(model, *batch)
        if isinstance(out, tuple):
            if len(out) != 2:
                raise BrainSimTypeError(
                    f"train_step: loss_fn must return a scalar loss or a pair (loss, aux), "
                    f"got a tuple of {len(out)}."
                )
            return out[0], (out[1], totals)
        return out, (None, totals)

    vg = value_and_grad(objective, grad_states=optimizer.params, has_aux=True)

    @jit
    def step(*batch: Any) -> Any:
        (loss, (aux, totals)), grads = vg(*batch)
        optimizer.step(grads)
        return loss, aux, (diag.all_zero(grads), totals)

    def run(*batch: Any, diagnose: bool = True) -> Any:
        loss, aux, (zero, totals) = step(*batch)
        if diagnose:
            diag.warn(zero, totals, loss)
        return loss if aux is None else (loss, aux)

    try:
        ref = weakref.ref(model)
    except TypeError:
        ref = lambda m=model: m  # noqa: E731
    cache[key] = (ref, run)
    return run


def train_step(
    model: Any, optimizer: Optimizer, loss_fn: Callable, *batch: Any, diagnose: bool = True
) -> Any:
    """One compiled training step: loss, gradients over ``optimizer.params``, update.

    Parameters
    ----------
    model
        Passed to ``loss_fn`` as its first argument.
    optimizer
        A :class:`~brainsim.train.Optimizer`; its ParamStates are differentiated and updated.
    loss_fn
        ``loss_fn(model, *batch)`` returning the scalar loss, or ``(loss, aux)`` where
        ``aux`` is any pytree of metrics. Include ``model.reg_loss()`` yourself when the
        model has priors. Define it once (not as a new lambda each call): the compiled step
        is cached per ``(model, loss_fn)``.
    *batch
        Arrays passed to ``loss_fn``; a new shape compiles a new version.
    diagnose
        Warn (:class:`~brainsim.train.SilentNetworkWarning`, one line) when every gradient
        of the step is exactly 0, or when a spiking layer stepped by ``run_sequence``
        emitted no spike in the whole batch. Costs one small read-back per step; ``False``
        turns it off.

    Returns
    -------
    The loss, or ``(loss, aux)`` when ``loss_fn`` returns a pair. The loss is the value
    *before* the update.

    Examples
    --------
    >>> import jax.numpy as jnp, optax, brainsim
    >>> layer = brainsim.nn.Linear(2, 1, w_init=jnp.zeros((2, 1)))
    >>> opt = brainsim.train.Optimizer(optax.sgd(0.1), layer)
    >>> def loss_fn(m, x, y):
    ...     return brainsim.train.mse(m(x), y)
    >>> x, y = jnp.ones((4, 2)), jnp.ones((4, 1))
    >>> [round(float(brainsim.train.train_step(layer, opt, loss_fn, x, y)), 3)
    ...  for _ in range(3)]
    [1.0, 0.16, 0.026]
    """
    if not isinstance(optimizer, Optimizer):
        raise BrainSimTypeError(
            f"train_step(optimizer=...): expected a brainsim.train.Optimizer, got "
            f"{type(optimizer).__name__}."
        )
    if not callable(loss_fn):
        raise BrainSimTypeError("train_step(loss_fn=...): expected a callable.")
    return _compiled_step(model, optimizer, loss_fn)(*batch, diagnose=diagnose)
