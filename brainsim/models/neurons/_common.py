"""Pieces shared by the integrate-and-fire family (private).

* :func:`bind_params`: unit-checked parameters, with the units of the family in one table;
* :func:`reset_membrane`: the soft / hard spike reset as a pure function;
* :class:`IFBase`: the abstract base binding States to the maths. ``update`` is
  *jump* (the spike-triggered resets of the previous step), *integrate* (one exponential
  Euler step of every ODE, written per model as ``_integrate``), *write*;
* :class:`Refractory`: absolute refractoriness, combined with a model as
  ``class ExpIFRef(Refractory, ExpIF)``, and :func:`refractory_doc`, the docstring of such
  a variant.
"""

from __future__ import annotations

from typing import Any, ClassVar

import brainunit as u
import jax
import jax.numpy as jnp

from ... import environ, init, surrogate
from ..._errors import BrainSimKeyError, BrainSimTypeError, BrainSimValueError
from ..._state import HiddenState, ShortTermState, State
from ...nn import Neuron
from .._utils import check_param, init_var, value, within_window

__all__ = ["bind_params", "reset_membrane", "IFBase", "Refractory", "refractory_doc"]

_POS = {"positive": True}
_NONNEG = {"nonnegative": True}

# name -> (unit, extra check); a model may override single entries (Gif's a and b).
_UNITS: dict[str, tuple[Any, dict[str, bool]]] = {
    "R": (u.ohm, _POS),
    "tau": (u.ms, _POS),
    "tau_a": (u.ms, _POS),
    "tau_w": (u.ms, _POS),
    "tau_syn": (u.ms, _POS),
    "tau_ref": (u.ms, _NONNEG),
    "delta_T": (u.mV, _POS),
    "c": (u.mV**-1, {}),
    "a": (u.siemens, {}),
    "b": (u.mA, {}),
    "k1": (u.ms**-1, {}),
    "k2": (u.ms**-1, {}),
    "R1": (None, {}),
    "R2": (None, {}),
    "A1": (u.mA, {}),
    "A2": (u.mA, {}),
}
_VOLTAGES = ("V_th", "V_reset", "V_rest", "V_T", "V_c", "V_th_inf", "V_th_reset", "E", "beta")


def bind_params(owner: Any, units: dict[str, Any] | None = None, **params: Any) -> None:
    """Check each parameter's unit (and sign) with ``check_param`` and set it on ``owner``."""
    for name, val in params.items():
        if units and name in units:
            unit, extra = units[name], {}
        elif name in _VOLTAGES:
            unit, extra = u.mV, {}
        else:
            unit, extra = _UNITS[name]
        setattr(owner, name, check_param(owner, name, val, unit, **extra))


def reset_membrane(V: Any, spike: Any, V_th: Any, V_reset: Any, spk_reset: str) -> Any:
    """The spike reset: soft ``V - (V_th - V_reset) * spike``; hard puts ``stop_gradient(V)``
    in place of ``V_th``, which gives exactly ``V_reset`` where ``spike == 1``."""
    if spk_reset == "hard":
        # V - sg(V) * spike first: exactly 0 where spike == 1 even for a huge V, where
        # V - (sg(V) - V_reset) would round V - V_reset to V and give 0 instead of V_reset
        return V - jax.lax.stop_gradient(V) * spike + V_reset * spike
    return V - (V_th - V_reset) * spike


class IFBase(Neuron):
    """Abstract base of the integrate-and-fire family.

    A subclass lists its hidden states in ``_hidden`` (name -> unit, initialised from the
    ``<name>_initializer`` attribute), defines ``_integrate(jumped, I)`` (one step of its
    ODEs from the post-reset values; returns the new values) and, for states other than
    ``V`` that jump on a spike, extends ``_jump(spike)``.
    """

    _hidden: ClassVar[dict[str, Any]] = {"V": u.mV}

    def __init__(
        self, in_size: Any, spk_fun: Any = None, spk_reset: str = "soft", name: str | None = None
    ) -> None:
        super().__init__(
            in_size, spk_fun=spk_fun or surrogate.ReluGrad(), spk_reset=spk_reset, name=name
        )

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for name, unit in self._hidden.items():
            setattr(self, name, HiddenState(self._initial(name, unit, batch_size)))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for name, unit in self._hidden.items():
            getattr(self, name).value = self._initial(name, unit, batch_size)

    def _initial(self, name: str, unit: Any, batch_size: int | None) -> Any:
        ini = getattr(self, f"{name}_initializer")
        if ini is None:  # the model's own resting value, consistent with its parameters
            ini = init.Constant(value(getattr(self, self._rest_of[name])))
        return init_var(ini, self.varshape, batch_size, unit)

    @property
    def _rest_of(self) -> dict[str, str]:
        """The parameter a state starts at when its initializer is ``None``."""
        return {"V": "V_rest" if hasattr(self, "V_rest") else "V_reset", "V_th": "V_th_inf"}

    def _params(self, *names: str) -> tuple[Any, ...]:
        """The current values of the named parameters (``Param``s are evaluated)."""
        return tuple(value(getattr(self, name)) for name in names)

    def _threshold(self) -> Any:
        V_th = self.V_th
        return V_th.value if isinstance(V_th, State) else value(V_th)

    def get_spike(self, V: Any = None) -> Any:
        """The spike of the last step (the array ``update`` returned); with ``V``: the
        spike function at that membrane potential."""
        return self._level(V)

    def _level(self, V: Any = None) -> Any:
        """``spk_fun`` of the scaled distance to threshold (of ``V.value`` by default)."""
        V = self.V.value if V is None else V
        V_th, V_reset = self._threshold(), value(self.V_reset)
        return self.spk_fun((V - V_th) / (V_th - V_reset))

    def _jump(self, spike: Any) -> dict[str, Any]:
        V = reset_membrane(
            self.V.value, spike, self._threshold(), value(self.V_reset), self.spk_reset
        )
        return {"V": V}

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        raise NotImplementedError(f"{type(self).__name__}._integrate")

    def _write(self, jumped: dict[str, Any], new: dict[str, Any]) -> None:
        for name, val in new.items():
            getattr(self, name).value = val

    def update(self, x: Any = 0.0 * u.mA) -> Any:
        jumped = self._jump(self._level())
        new = self._integrate(jumped, self.sum_current_inputs(x, jumped["V"]))
        self._write(jumped, new)
        return self._level()


class Refractory(IFBase):
    """Absolute refractoriness for an IF model: ``class XRef(Refractory, X)``.

    While ``t - last_spike_time < tau_ref`` every state that jumps on a spike (``V``, and
    ``w``, ``I1``, ``I2``, ``V_th`` where the model has them) is held at its post-reset
    value. ``last_spike_time`` becomes ``t`` wherever ``V >= V_th`` after the update.
    The spike emitted by the last step is kept in the ShortTermState ``spike`` (a V held
    above threshold while refractory emits none), and ``get_spike()`` returns it.
    """

    def __init__(
        self, in_size: Any, *, tau_ref: Any = 1.7 * u.ms, ref_var: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(in_size, **kwargs)
        bind_params(self, tau_ref=tau_ref)
        if not isinstance(ref_var, bool):
            raise BrainSimTypeError(
                f"{type(self).__name__}(ref_var=...): expected True or False, got {ref_var!r}."
            )
        self.ref_var = ref_var

    def _refractory_values(self, batch_size: int | None) -> dict[str, Any]:
        never = init_var(init.Constant(-1e7 * u.ms), self.varshape, batch_size, u.ms)
        vals = {"last_spike_time": never, "spike": jnp.zeros_like(u.get_mantissa(never))}
        if self.ref_var:
            vals["refractory"] = jnp.zeros(never.shape, dtype=bool)
        return vals

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        super().init_state(batch_size, **kwargs)
        vals = self._refractory_values(batch_size)
        self.last_spike_time = ShortTermState(vals.pop("last_spike_time"))
        self.spike = ShortTermState(vals.pop("spike"))
        if vals:
            self.refractory = HiddenState(vals["refractory"])

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        super().reset_state(batch_size, **kwargs)
        for name, val in self._refractory_values(batch_size).items():
            getattr(self, name).value = val

    def _now(self) -> Any:
        cls = type(self).__name__
        t = environ.get(environ.T, default=None)
        if t is None:
            raise BrainSimKeyError(
                f"{cls} needs the current time t: run it inside brainsim's simulation loop or "
                f"`with brainsim.environ.context(t=...)`."
            )
        if u.get_unit(t).dim != u.ms.dim:
            raise BrainSimValueError(
                f"{cls}: the current time t must be a time such as 1.0 * u.ms, got {t!r}."
            )
        return t

    def _refractory_now(self) -> tuple[Any, Any]:
        t = self._now()
        return t, within_window(t - self.last_spike_time.value, value(self.tau_ref))

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        # a held neuron discards its step: start it from V_reset, so that a held V far above
        # threshold cannot overflow the step (nor its gradient through ``where``)
        _, refractory = self._refractory_now()
        V = u.math.where(refractory, value(self.V_reset), jumped["V"])
        return super()._integrate({**jumped, "V": V}, I)

    def _emitted(self, t: Any) -> Any:
        """Neurons whose last (non-refractory) spike happened at time ``t``."""
        return u.math.abs(self.last_spike_time.value - t) < 0.5 * environ.get_dt()

    def update(self, x: Any = 0.0 * u.mA) -> Any:
        # Only a spike actually emitted at the previous step resets the neuron, and no spike
        # is emitted while refractory (a held V above threshold does not fire again).
        t = self._now()
        prev = self._emitted(t - environ.get_dt())
        jumped = self._jump(self._level() * prev)
        new = self._integrate(jumped, self.sum_current_inputs(x, jumped["V"]))
        self._write(jumped, new)
        spike = self._level() * self._emitted(t)
        self.spike.value = spike
        return spike

    def get_spike(self, V: Any = None) -> Any:
        """The spike of the last step (the array ``update`` returned); with ``V``: the
        spike function at that membrane potential, refractoriness ignored."""
        return self.spike.value if V is None else self._level(V)

    def _write(self, jumped: dict[str, Any], new: dict[str, Any]) -> None:
        t, refractory = self._refractory_now()
        held = {
            k: u.math.where(refractory, jumped[k], v) if k in jumped else v for k, v in new.items()
        }
        super()._write(jumped, held)
        spiked = jnp.logical_and(self.V.value >= self._threshold(), jnp.logical_not(refractory))
        last = u.math.where(spiked, t, self.last_spike_time.value)
        self.last_spike_time.value = jax.lax.stop_gradient(last)
        if self.ref_var:
            self.refractory.value = jax.lax.stop_gradient(jnp.logical_or(refractory, spiked))


_REF_DOC = r"""{title} with an absolute refractory period.

    .. math::

        t - t_{{last}} < \tau_{{ref}} \;\Longrightarrow\; \text{{{held} stay at their
        post-reset values}}

    Otherwise the dynamics, spike and resets are those of :class:`{model}`.
    ``last_spike_time`` (:math:`t_{{last}}`) becomes :math:`t` wherever :math:`V \ge V_{{th}}`
    after the update; :math:`t` is read from ``brainsim.environ``.

    Parameters
    ----------
    tau_ref : time, keyword only, default 1.7 ms
        Refractory period (>= 0).
    ref_var : bool, keyword only, default False
        Add the boolean state ``refractory``.
    **kwargs
        ``in_size`` and the parameters of :class:`{model}`, with the same units and defaults.

    State variables
    ---------------
    {held} : HiddenState, as for :class:`{model}`.
    last_spike_time : ShortTermState, time of the last spike (ms), initially -1e7 ms.
    spike : ShortTermState, the spike of the last step (what ``update`` and ``get_spike()``
        return), initially 0.
    refractory : HiddenState (bool), only with ``ref_var=True``.

    References
    ----------
    {reference}

    Examples
    --------
{example}"""


def refractory_doc(model: type, held: str, reference: str, example: str) -> str:
    """The docstring of ``<model>Ref``: one text for every refractory variant."""
    title = (model.__doc__ or model.__name__).strip().splitlines()[0].rstrip(".")
    return _REF_DOC.format(
        title=title, model=model.__name__, held=held, reference=reference, example=example
    )
