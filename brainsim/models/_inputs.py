"""Poisson inputs: spike trains, rate encoding and synaptic bombardment of a State.

Also the helpers every input shares: the current step from ``environ`` and unit checks.
"""

from __future__ import annotations

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

__all__ = ["PoissonSpike", "PoissonEncoder", "PoissonInput", "poisson_input"]

_ONE = u.get_unit(1.0)


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

    def __init__(
        self, in_size: Any, freqs: Any, spk_type: Any = bool, name: str | None = None
    ) -> None:
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
    """Binomial(n, p) counts; Normal(np, np(1-p)) rounded to [0, n] where np, n(1-p) > 5;
    Poisson(np) clipped to n when p <= 0.01 (relative error O(p))."""
    use_normal = (n * p > 5) & (n * (1 - p) > 5)
    known = _concrete(use_normal)

    def normal() -> Any:
        x = bsr.normal(n * p, jnp.sqrt(n * p * (1 - p)), size=shape)
        return jnp.clip(jnp.round(x), 0, n)

    def binomial() -> Any:
        small = _concrete(p)
        if small is not None and np.all(small <= 1e-2):
            # Poisson(np) differs from Binomial(n, p) by O(p) (<1 % here) and samples ~6x
            # faster than jax's binomial sampler
            lam = jnp.broadcast_to(jnp.asarray(n * p, environ.dftype()), shape)
            return jnp.minimum(bsr.poisson(lam), n).astype(environ.dftype())
        return bsr.binomial(n, p, size=shape).astype(environ.dftype())

    if known is not None and known.all():
        return normal()
    if known is not None and not known.any():
        return binomial()
    return jnp.where(use_normal, normal(), binomial())


def _check_count(where: str, n: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise BrainSimValueError(f"{where}(num_input=...): expected an int >= 0, got {n!r}.")


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
    _check_count("poisson_input", num_input)
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
        _check_count("PoissonInput", num_input)
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
