"""Kinetic receptor synapses (private): transmitter pulses and two-state channel gating.

Shared by :class:`AMPA`, :class:`GABAa` and :class:`BioNMDA`:

* :func:`kinetic_dg`: the closed <-> open scheme ``alpha * drive * (1 - g) - beta * g``;
* :func:`fraction_step`: one exponential-Euler step of a fraction (also used by STP);
* :class:`Receptor`: the abstract base binding it to States. A presynaptic spike sets
  ``spike_arrival_time`` to the current ``t``; the transmitter concentration ``[T]`` is
  ``T`` for ``T_dur`` after the latest arrival and 0 otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import brainunit as u
import jax

from ... import environ, init
from ..._errors import BrainSimKeyError, BrainSimValueError
from ..._state import HiddenState, ShortTermState
from ...nn import Synapse, exp_euler_step
from .._utils import check_param, init_var, value, within_window

__all__ = ["kinetic_dg", "fraction_step", "current_time", "Receptor"]

_NEVER = init.Constant(-1e7 * u.ms)
_ONE = u.get_unit(1.0)


def kinetic_dg(g: Any, drive: Any, alpha: Any, beta: Any) -> Any:
    """d(open fraction)/dt of a two-state channel: ``alpha * drive * (1 - g) - beta * g``.

    ``drive`` is the transmitter concentration (AMPA, GABAa, NMDA's ``x``) or the gating
    variable ``x`` (NMDA's ``g``); ``alpha * drive`` and ``beta`` are rates (1 / time).
    """
    return alpha * drive * (1 - g) - beta * g


def fraction_step(fn: Callable[..., Any], frac: Any, *args: Any) -> Any:
    """One exponential-Euler step of ``d frac/dt = fn(frac, *args)`` for a fraction.

    ``frac`` may carry a unit (e.g. mS): ``fn`` then runs on its mantissa, so the maximal
    value is 1 of that unit. ``fn`` receives a dimensionless Quantity, so its derivative
    is read in 1 / time whatever the unit of ``frac``.
    """
    # A dimensionless Quantity, not a plain array: exp_euler_step then derives the unit of
    # the derivative as 1 / unit(dt) (for a plain state with dt in ms it currently fails).
    x = u.Quantity(u.get_mantissa(frac), unit=_ONE)
    new = u.get_mantissa(exp_euler_step(fn, x, *args))
    return u.Quantity(new, unit=frac.unit) if isinstance(frac, u.Quantity) else new


def current_time(owner: Any) -> Any:
    """The environ time ``t``, checked; the error names ``owner``'s class."""
    cls = type(owner).__name__
    t = environ.get(environ.T, default=None)
    if t is None:
        raise BrainSimKeyError(
            f"{cls} needs the current time t to track spike arrivals: run it inside brainsim's "
            f"simulation loop or `with brainsim.environ.context(t=...)`."
        )
    if u.get_unit(t).dim != u.ms.dim:
        raise BrainSimValueError(
            f"{cls}: the current time t must be a time such as 1.0 * u.ms, got {t!r}."
        )
    return t


class Receptor(Synapse):
    """Abstract base of transmitter-gated synapses; ``update(pre_spike)`` returns ``g``.

    A subclass lists its fractions in ``_fractions`` (initialised from
    ``<name>_initializer``) and may override ``_integrate(transmitter)``, which returns the
    new value of every fraction; the default steps ``g`` with ``alpha`` and ``beta``.
    """

    _fractions: ClassVar[tuple[str, ...]] = ("g",)

    def __init__(
        self, in_size: Any, T: Any, T_dur: Any, g_initializer: Any, name: str | None
    ) -> None:
        super().__init__(in_size, name=name)
        self.T = check_param(self, "T", T, u.mM, nonnegative=True)
        self.T_dur = check_param(self, "T_dur", T_dur, u.ms, nonnegative=True)
        self.g_initializer = g_initializer

    def _rates(self, **rates: tuple[Any, Any]) -> None:
        """Check and set rate parameters given as ``name=(value, unit)``."""
        for name, (val, unit) in rates.items():
            setattr(self, name, check_param(self, name, val, unit, nonnegative=True))

    def _initial(self, batch_size: int | None) -> dict[str, Any]:
        vals = {
            name: init_var(getattr(self, f"{name}_initializer"), self.varshape, batch_size)
            for name in self._fractions
        }
        vals["spike_arrival_time"] = init_var(_NEVER, self.varshape, batch_size, u.ms)
        return vals

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        vals = self._initial(batch_size)
        self.spike_arrival_time = ShortTermState(vals.pop("spike_arrival_time"))
        for name, val in vals.items():
            setattr(self, name, HiddenState(val))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for name, val in self._initial(batch_size).items():
            getattr(self, name).value = val

    def _transmitter(self, pre_spike: Any) -> Any:
        """Record spike arrivals at the current t; return ``[T]`` (T or 0 per element)."""
        t = current_time(self)
        arrival = u.math.where(pre_spike, t, self.spike_arrival_time.value)
        self.spike_arrival_time.value = jax.lax.stop_gradient(arrival)
        T = value(self.T)
        on = within_window(t - arrival, value(self.T_dur))
        return u.math.where(on, T, u.math.zeros_like(T))

    def _integrate(self, transmitter: Any) -> dict[str, Any]:
        alpha, beta = value(self.alpha), value(self.beta)
        return {"g": fraction_step(kinetic_dg, self.g.value, transmitter, alpha, beta)}

    def update(self, pre_spike: Any) -> Any:
        for name, val in self._integrate(self._transmitter(pre_spike)).items():
            getattr(self, name).value = val
        return self.g.value
