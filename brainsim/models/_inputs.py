"""Spike inputs: Poisson spike trains, Poisson synaptic bombardment and spike-time lists.

Also the helpers every input shares: the current step from ``environ`` and unit checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .. import environ
from .. import random as bsr
from .._errors import BrainSimKeyError, BrainSimTypeError, BrainSimValueError
from .._state import State
from ..nn import Dynamics, Module, Prefetch
from ._utils import check_param, value

__all__ = ["PoissonSpike", "PoissonEncoder", "PoissonInput", "poisson_input", "SpikeTime"]

_ONE = u.get_unit(1.0)
_DENSE_LIMIT = 1 << 22  # SpikeTime uses a dense (n_steps, N) table up to this many entries


# ------------------------------------------------------------------ shared helpers
def require_dim(where: str, name: str, val: Any, unit: Any, example: str) -> None:
    """Raise a ``ValueError`` naming ``where(name=...)`` unless ``val`` has ``unit``'s dimension."""
    got = u.get_unit(val)
    if got.dim != unit.dim:
        what = "the dimensionless value" if got.dim == _ONE.dim else f"a value in {got}:"
        raise BrainSimValueError(
            f"{where}({name}=...): expected a value such as {example}, got {what} {val!r}."
        )


def ratio(where: str, x: Any, dt: Any) -> Any:
    """``x / dt`` as a plain number (``x`` and ``dt`` must both be times, or both plain)."""
    r = x / dt
    if isinstance(r, u.Quantity) and not r.is_unitless:
        raise BrainSimValueError(
            f"{where}: {x!r} is not a time compatible with dt = {dt!r}; give times with units "
            f"such as 10 * u.ms when dt has units."
        )
    return u.maybe_decimal(r)


def with_unit(m: Any, unit: Any) -> Any:
    """``m`` in ``unit`` (a plain array for a dimensionless unit)."""
    return u.maybe_decimal(u.Quantity(m, unit=unit))


def spike_prob(freq: Any, dt: Any) -> Any:
    """Probability of at least one Poisson event in one step: ``1 - exp(-freq * dt)``."""
    return -jnp.expm1(-jnp.asarray(u.maybe_decimal(freq * dt), dtype=environ.dftype()))


def current_step(where: str, index: Any = None, time: Any = None) -> Any:
    """The current step: ``index``, else ``round(time / dt)``, else environ ``i``, else
    ``round(t / dt)``."""
    if index is not None:
        return jnp.asarray(index)
    if time is None:
        i = environ.get(environ.I, None)
        if i is not None:
            return jnp.asarray(i)
        time = environ.get(environ.T, None)
        if time is None:
            raise BrainSimKeyError(
                f"{where}: needs the current step, but neither `i` nor `t` is set. Run it "
                f"inside `with brainsim.environ.context(i=i, t=i * dt):` (the run loop does "
                f"this)."
            )
    return jnp.round(ratio(where, time, environ.get_dt())).astype(environ.ditype())


# ------------------------------------------------------------------ Poisson spikes
class PoissonSpike(Dynamics):
    r"""Independent Poisson spike trains with fixed rates.

    Each step every neuron spikes with probability :math:`p = 1 - e^{-f\,dt}` (the chance
    of at least one event of a rate-:math:`f` Poisson process within ``dt``):
    ``spike = rand < p``. A rate of 0 never spikes.

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    freqs : frequency (e.g. ``20 * u.Hz``), scalar or broadcastable to ``in_size``
        Firing rates, >= 0.
    spk_type : dtype, default ``bool``
        dtype of the returned spikes.
    name : str, optional

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> brainsim.random.seed(0)
    >>> gen = brainsim.models.PoissonSpike(1000, freqs=200 * u.Hz)
    >>> spk = gen()
    >>> spk.shape, spk.dtype
    ((1000,), dtype('bool'))
    >>> 5 < int(spk.sum()) < 40   # about 1000 * (1 - exp(-0.02)) = 19.8
    True
    """

    def __init__(self, in_size: Any, freqs: Any, spk_type: Any = bool,
                 name: str | None = None) -> None:
        super().__init__(in_size, name=name)
        self.freqs = check_param(self, "freqs", freqs, u.Hz, nonnegative=True)
        self.spk_type = spk_type

    def update(self) -> Any:
        p = spike_prob(value(self.freqs), environ.get_dt())
        return (bsr.rand(*self.varshape) < p).astype(self.spk_type)


class PoissonEncoder(Dynamics):
    r"""Encode rates given at each call as Poisson spikes: ``rand < 1 - exp(-freqs * dt)``.

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    spk_type : dtype, default ``bool``
        dtype of the returned spikes.
    name : str, optional

    ``update(freqs)`` takes frequencies (e.g. in Hz) whose shape broadcasts with ``in_size``
    (a leading batch axis is allowed) and returns spikes of the broadcast shape.

    Examples
    --------
    >>> import brainunit as u, brainsim, jax.numpy as jnp
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> enc = brainsim.models.PoissonEncoder(3, spk_type=float)
    >>> enc(jnp.array([0., 0., 1e6]) * u.Hz)
    Array([0., 0., 1.], dtype=float32)
    """

    def __init__(self, in_size: Any, spk_type: Any = bool, name: str | None = None) -> None:
        super().__init__(in_size, name=name)
        self.spk_type = spk_type

    def update(self, freqs: Any) -> Any:
        require_dim("PoissonEncoder.update", "freqs", freqs, u.Hz, "20 * u.Hz")
        p = spike_prob(freqs, environ.get_dt())
        shape = np.broadcast_shapes(np.shape(p), self.varshape)
        return (bsr.rand(*shape) < p).astype(self.spk_type)


# ------------------------------------------------------------------ Poisson bombardment
def _concrete(x: Any) -> np.ndarray | None:
    try:
        return np.asarray(x)
    except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
        return None


def _binomial_count(n: int, p: Any, shape: tuple) -> Any:
    """Binomial(n, p) counts; Normal(np, np(1-p)) rounded to [0, n] where np, n(1-p) > 5."""
    use_normal = (n * p > 5) & (n * (1 - p) > 5)
    known = _concrete(use_normal)

    def normal() -> Any:
        x = bsr.normal(n * p, jnp.sqrt(n * p * (1 - p)), size=shape)
        return jnp.clip(jnp.round(x), 0, n)

    def binomial() -> Any:
        return bsr.binomial(n, p, size=shape).astype(environ.dftype())

    if known is not None and known.all():
        return normal()
    if known is not None and not known.any():
        return binomial()
    return jnp.where(use_normal, normal(), binomial())


def poisson_input(
    freq: Any,
    num_input: int,
    weight: Any,
    target_state: State,
    indices: Any = None,
    refractory: Any = None,
) -> None:
    r"""Add the summed input of ``num_input`` Poisson sources directly into a State.

    Each step, ``count ~ Binomial(num_input, p)`` with :math:`p = 1 - e^{-f\,dt}` and
    ``target_state.value[indices] += count * weight`` (in place, one independent count per
    entry). When both :math:`np > 5` and :math:`n(1-p) > 5`, the count is drawn from the
    normal approximation :math:`\mathcal{N}(np, np(1-p))`, rounded and clipped to
    :math:`[0, n]` (chosen from concrete values when possible, else per entry with
    ``jnp.where``).

    Parameters
    ----------
    freq : frequency, scalar or broadcastable to the target entries
        Rate of each source, >= 0.
    num_input : int
        Number of independent sources, >= 0.
    weight : scalar with the unit of the target state (e.g. ``0.5 * u.mV`` for ``V``)
        Jump per event.
    target_state : State
        The State to update, e.g. ``neuron.V``.
    indices : index, optional
        ``target_state.value[indices]`` is updated; ``None`` updates every entry.
    refractory : bool array broadcastable to the target state, optional
        Entries where it is True are left unchanged.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> lif = brainsim.models.LIF(4)
    >>> lif.init_state()
    >>> brainsim.models.poisson_input(1e6 * u.Hz, 10, 1. * u.mV, lif.V, indices=slice(0, 2))
    >>> lif.V.value.to_decimal(u.mV)   # p = 1 - exp(-100) = 1: every source fires
    Array([10., 10.,  0.,  0.], dtype=float32)
    """
    require_dim("poisson_input", "freq", freq, u.Hz, "20 * u.Hz")
    if not isinstance(target_state, State):
        raise BrainSimTypeError(
            f"poisson_input(target_state=...): expected a State such as neuron.V, got "
            f"{type(target_state).__name__}."
        )
    if isinstance(num_input, bool) or not isinstance(num_input, int | np.integer) or (
        num_input < 0
    ):
        raise BrainSimValueError(
            f"poisson_input(num_input=...): expected an int >= 0, got {num_input!r}."
        )
    old = target_state.value
    unit = u.get_unit(old)
    if u.get_unit(weight).dim != unit.dim:
        raise BrainSimValueError(
            f"poisson_input(weight=...): the target state is in {unit}, so the weight must "
            f"have the same dimension (e.g. 0.5 * u.{unit}), got {weight!r}."
        )
    m_old = u.get_mantissa(old)
    shape = np.shape(m_old) if indices is None else np.shape(m_old[indices])
    p = spike_prob(freq, environ.get_dt())
    inc = _binomial_count(int(num_input), p, shape) * u.maybe_decimal(weight / unit)
    m_new = m_old + inc if indices is None else m_old.at[indices].add(inc)
    if refractory is not None:
        m_new = jnp.where(refractory, m_old, m_new)
    target_state.value = with_unit(m_new.astype(jnp.result_type(m_old)), unit)


class PoissonInput(Module):
    r"""``num_input`` Poisson sources whose events jump a State of a target directly.

    Each call runs :func:`poisson_input` on the State read through ``target_prefetch``
    (``neuron.prefetch('V')``): ``V[indices] += Binomial(num_input, 1 - e^{-f dt}) * weight``.

    Parameters
    ----------
    target_prefetch : Prefetch
        ``target.prefetch('<state name>')``.
    indices : index or None
        Entries to update; ``None`` means all.
    num_input : int
        Number of independent sources.
    freq : frequency
        Rate of each source.
    weight : value with the unit of the target state
        Jump per event.
    name : str, optional

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> lif = brainsim.models.LIF(3)
    >>> lif.init_state()
    >>> inp = brainsim.models.PoissonInput(lif.prefetch('V'), None, 100, 0. * u.Hz, 1. * u.mV)
    >>> inp()
    >>> lif.V.value.to_decimal(u.mV)
    Array([0., 0., 0.], dtype=float32)
    """

    def __init__(
        self,
        target_prefetch: Prefetch,
        indices: Any,
        num_input: int,
        freq: Any,
        weight: Any,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        if not isinstance(target_prefetch, Prefetch):
            raise BrainSimTypeError(
                f"PoissonInput(target_prefetch=...): expected neuron.prefetch('V') (a "
                f"Prefetch), got {type(target_prefetch).__name__}."
            )
        if isinstance(num_input, bool) or not isinstance(num_input, int | np.integer) or (
            num_input < 0
        ):
            raise BrainSimValueError(
                f"PoissonInput(num_input=...): expected an int >= 0, got {num_input!r}."
            )
        self.target = target_prefetch
        self.indices = indices
        self.num_input = int(num_input)
        self.freq = check_param(self, "freq", freq, u.Hz, nonnegative=True)
        self.weight = weight

    def update(self) -> None:
        mod, item = self.target.module, self.target.item
        state = getattr(mod, item, None)
        if not isinstance(state, State):
            raise BrainSimValueError(
                f"PoissonInput: {type(mod).__name__}.{item} is not a State (has init_state() "
                f"been called?)."
            )
        poisson_input(value(self.freq), self.num_input, value(self.weight), state, self.indices)


# ------------------------------------------------------------------ spike times
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
        How ``time / dt`` becomes a step; a callable maps a float array to integers.
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
        r = np.asarray(ratio("SpikeTime(times=...)", times, environ.get_dt()), float).reshape(-1)
        w_unit = u.get_unit(weights)
        w = np.asarray(u.get_mantissa(weights), dtype=float)
        if idx.shape != r.shape or (w.ndim > 0 and w.reshape(-1).shape != r.shape):
            raise BrainSimValueError(
                f"SpikeTime: indices ({idx.size}), times ({r.size}) and weights "
                f"({w.size if w.ndim else 'scalar'}) must have one entry per event."
            )
        n = self.varshape[0]
        if idx.size and (not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0
                         or idx.max() >= n):
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
