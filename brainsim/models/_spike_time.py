"""``SpikeTime``: a list of (neuron, time) events replayed as an input layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import brainunit as u
import jax.numpy as jnp
import numpy as np

from .. import environ
from .._errors import BrainSimValueError
from ..nn import Dynamics
from ._inputs import current_step, ratio, require_dim, with_unit

__all__ = ["SpikeTime"]

_DENSE_LIMIT = 1 << 22  # a dense (n_steps, N) table up to this many entries, else sorted events


_ROUNDING: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "round": np.round,
    "floor": np.floor,
    "ceil": np.ceil,
}


def _to_steps(r: np.ndarray, rule: Any) -> np.ndarray:
    """Apply the rounding rule; ratios within 1e-6 of an integer count as that integer."""
    near = np.round(r)
    r = np.where(np.abs(r - near) < 1e-6, near, r)
    fn = _ROUNDING[rule] if isinstance(rule, str) else rule
    steps = np.asarray(fn(r))
    if steps.shape != r.shape:
        raise BrainSimValueError(
            f"SpikeTime(time_as_step=...): the rule returned shape {steps.shape} for "
            f"{r.shape} times; it must work element-wise."
        )
    return steps.astype(np.int64)


class SpikeTime(Dynamics):
    r"""Emit ``weights`` at given neurons and times (a spike list as an input layer).

    Event ``j`` is emitted on step ``time_as_step(times[j] / dt)`` at neuron
    ``indices[j]``; the output on a step is the sum of the weights of its events (zeros on
    steps without events or out of range). Times need not be sorted. The current step is
    ``update(index=)``, else ``round(update(time=) / dt)``, else environ ``i``, else
    ``round(t / dt)``. The events are tabulated per step at construction (``dt`` must be set
    then), so ``update`` is a table lookup that works under ``jit`` / ``for_loop``.

    Parameters
    ----------
    in_size : int
        Number of neurons (1-D populations only).
    indices : sequence of int
        Neuron of each event, in ``[0, in_size)``.
    times : times (e.g. ``[1., 2.] * u.ms``)
        Time of each event.
    weights : scalar or sequence, default 1.0
        Value emitted per event (any unit); a sequence has one entry per event.
    time_as_step : ``'round'``, ``'floor'``, ``'ceil'`` or callable
        How ``time / dt`` becomes a step (``'round'`` is ``np.round``: halves go to the even
        step); a callable maps a float array to integers.
        Ratios within 1e-6 of an integer count as that integer (``0.3 ms / 0.1 ms`` is step
        3 under every rule).
    name : str, optional

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> st = brainsim.models.SpikeTime(3, indices=[0, 2, 1], times=[0.2, 0.2, 0.5] * u.ms)
    >>> st(index=2)
    Array([1., 0., 1.], dtype=float32)
    >>> with brainsim.environ.context(i=5, t=0.5 * u.ms):
    ...     st()
    Array([0., 1., 0.], dtype=float32)
    >>> st(index=100)
    Array([0., 0., 0.], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        indices: Any,
        times: Any,
        weights: Any = 1.0,
        time_as_step: str | Callable = "round",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, name=name)
        if len(self.varshape) != 1:
            raise BrainSimValueError(
                f"SpikeTime(in_size=...): only 1-D populations are supported, got "
                f"{self.varshape}; flatten the population."
            )
        if not (callable(time_as_step) or time_as_step in _ROUNDING):
            raise BrainSimValueError(
                f"SpikeTime(time_as_step=...): expected 'round', 'floor', 'ceil' or a "
                f"callable, got {time_as_step!r}."
            )
        require_dim("SpikeTime", "times", times, u.ms, "[1., 2.] * u.ms")
        idx = np.asarray(indices).reshape(-1)
        times, weights = u.math.asarray(times), u.math.asarray(weights)
        r = np.asarray(ratio("SpikeTime(times=...)", times, environ.get_dt()), float).reshape(-1)
        w_unit = u.get_unit(weights)
        w = np.asarray(u.get_mantissa(weights), dtype=float)
        if idx.shape != r.shape or (w.ndim > 0 and w.reshape(-1).shape != r.shape):
            raise BrainSimValueError(
                f"SpikeTime: indices ({idx.size}), times ({r.size}) and weights "
                f"({w.size if w.ndim else 'scalar'}) must have one entry per event."
            )
        n = self.varshape[0]
        if idx.size and (
            not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= n
        ):
            raise BrainSimValueError(
                f"SpikeTime(indices=...): expected integers in [0, {n}), got {indices!r}."
            )
        w = np.broadcast_to(w.reshape(-1) if w.ndim else w, r.shape)
        steps = _to_steps(r, time_as_step)
        keep = steps >= 0
        steps, idx, w = steps[keep], idx[keep], w[keep]
        self.time_as_step = time_as_step
        self.unit = w_unit
        self.n_steps = int(steps.max()) + 1 if steps.size else 0
        dtype = environ.dftype()
        if self.n_steps * n <= _DENSE_LIMIT:
            table = np.zeros((self.n_steps, n))
            np.add.at(table, (steps, idx), w)
            self.table = jnp.asarray(table, dtype)
        else:
            order = np.argsort(steps, kind="stable")
            self.table = None
            self.event_steps = jnp.asarray(steps[order])
            self.event_indices = jnp.asarray(idx[order])
            self.event_weights = jnp.asarray(w[order], dtype)
            self.max_per_step = int(np.bincount(steps).max())

    def _lookup(self, k: Any) -> Any:
        n = self.varshape[0]
        zeros = jnp.zeros(n, environ.dftype())
        if self.n_steps == 0:
            return zeros
        in_range = (k >= 0) & (k < self.n_steps)
        if self.table is not None:
            return jnp.where(in_range, self.table[jnp.clip(k, 0, self.n_steps - 1)], zeros)
        ev = self.event_steps
        pos = jnp.searchsorted(ev, k, side="left") + jnp.arange(self.max_per_step)
        pos_c = jnp.clip(pos, 0, ev.shape[0] - 1)
        hit = (pos < ev.shape[0]) & (ev[pos_c] == k)
        return zeros.at[self.event_indices[pos_c]].add(
            jnp.where(hit, self.event_weights[pos_c], 0.0)
        )

    def update(self, index: Any = None, time: Any = None) -> Any:
        k = current_step("SpikeTime.update", index, time)
        return with_unit(self._lookup(k), self.unit)
