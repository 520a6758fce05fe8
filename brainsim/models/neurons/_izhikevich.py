"""Izhikevich neuron, without and with an absolute refractory period."""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp

from ... import environ, init
from ..._errors import BrainSimKeyError
from ...nn import exp_euler_step
from .._utils import value, within_window
from ._hh import _NeuronBase

__all__ = ["Izhikevich", "IzhikevichRef", "izhikevich_dv", "izhikevich_du"]

_P1 = 0.04 / (u.mV * u.ms)
_P2 = 5.0 / u.ms
_P3 = 140.0 * u.mV / u.ms


def izhikevich_dv(V: Any, U: Any, I: Any) -> Any:
    r"""dV/dt of the Izhikevich neuron, :math:`0.04 V^2 + 5 V + 140 - u + I` (mV/ms)."""
    return _P1 * V * V + _P2 * V + _P3 - U + I


def izhikevich_du(U: Any, V: Any, a: Any, b: Any) -> Any:
    r"""du/dt of the Izhikevich neuron, :math:`a (b V - u)` (mV/ms²)."""
    return a * (b * V - U)


_DOC_PARAMS = """
    Parameters
    ----------
    in_size : int or tuple
        Population size.
    a : rate, default 0.02 / ms
        Time scale of the recovery variable u.
    b : rate, default 0.2 / ms
        Sensitivity of u to V.
    c : voltage, default -65 mV
        Reset value of V.
    d : mV/ms, default 8 mV/ms
        Increment of u at a spike.
    V_th : voltage, default 30 mV (must be positive)
    V_initializer : initializer or value, default -65 mV
    u_initializer : initializer or value, default 0 mV/ms
    spk_fun : surrogate spike function, default ``ReluGrad()``
    spk_reset : ``'hard'`` (default: V is set to c) or ``'soft'`` (V decreases by V_th - c)
    name : str, optional
"""


class _IzhikevichBase(_NeuronBase):
    """Parameters, reset and integration shared by Izhikevich and IzhikevichRef."""

    _states = {"V": u.mV, "u": u.mV / u.ms}

    def __init__(
        self,
        in_size: Any,
        a: Any = 0.02 / u.ms,
        b: Any = 0.2 / u.ms,
        c: Any = -65.0 * u.mV,
        d: Any = 8.0 * u.mV / u.ms,
        V_th: Any = 30.0 * u.mV,
        V_initializer: Any = init.Constant(-65.0 * u.mV),
        u_initializer: Any = init.Constant(0.0 * u.mV / u.ms),
        spk_fun: Any = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, V_th, u.mV, spk_fun, spk_reset, name)
        self._check(u.ms**-1, a=a, b=b)
        self._check(u.mV, c=c)
        self._check(u.mV / u.ms, d=d)
        self.V_initializer = V_initializer
        self.u_initializer = u_initializer

    def _reset(self) -> tuple[Any, Any]:
        """V and u after the reset caused by the previous step's spike."""
        V, U = self.V.value, self.u.value
        spk = self._level(V)
        top = jax.lax.stop_gradient(V) if self.spk_reset == "hard" else value(self.V_th)
        return V - (top - value(self.c)) * spk, U + value(self.d) * spk

    def _advance(self, V: Any, U: Any, x: Any) -> tuple[Any, Any]:
        """One exponential-Euler step of V and u from (V, u), both with the old values."""
        I = self.sum_current_inputs(x, V)
        V_new = self.sum_delta_inputs(exp_euler_step(izhikevich_dv, V, U, I))
        return V_new, exp_euler_step(izhikevich_du, U, V, **self._values("a", "b"))


class Izhikevich(_IzhikevichBase):
    __doc__ = (
        r"""Izhikevich neuron (quadratic V, linear recovery u).

    .. math::

        \frac{dV}{dt} = 0.04 V^2 + 5 V + 140 - u + I(t), \qquad
        \frac{du}{dt} = a (b V - u)

        V \ge V_{th}: \quad V \leftarrow c, \quad u \leftarrow u + d

    (V in mV, t in ms, u and I in mV/ms; the constants carry these units.) The reset is
    applied at the start of the next step, so after a spiking step ``V.value`` is still at
    or above ``V_th``.
    """
        + _DOC_PARAMS
        + r"""
    Defaults: physiological regular spiking (V in mV, rest and reset at -65 mV; inputs
    in mV/ms, as in Izhikevich 2003).

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    u : HiddenState, recovery variable (mV/ms).
    spike : ShortTermState, the spike of the last step (what ``get_spike()`` returns).

    Inputs ``x`` are in mV/ms.

    References
    ----------
    Izhikevich (2003), Simple model of spiking neurons, *IEEE Trans. Neural Netw.* 14(6),
    1569-1572.

    Examples
    --------
    >>> import brainunit as u, jax.numpy as jnp, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> izh = brainsim.models.Izhikevich(1)
    >>> izh.init_state()
    >>> spikes = brainsim.transform.for_loop(lambda i: izh(10. * u.mV / u.ms), jnp.arange(3000))
    >>> int(spikes.sum())  # regular spiking, 300 ms
    6
    """
    )

    def update(self, x: Any = 0.0 * u.mV / u.ms) -> Any:
        V, U = self._advance(*self._reset(), x)
        self.V.value, self.u.value = V, U
        return self._emit(self._level(V))


class IzhikevichRef(_IzhikevichBase):
    __doc__ = (
        r"""Izhikevich neuron with an absolute refractory period.

    As :class:`Izhikevich`; while :math:`t - t_{last} < \tau_{ref}`, V and u are held at their
    post-reset values. ``last_spike_time`` becomes ``t`` wherever :math:`V \ge V_{th}` after
    the update. Needs ``t`` (with units) in ``brainsim.environ``.
    """
        + _DOC_PARAMS
        + r"""    tau_ref : time, default 0 ms (keyword only)
    ref_var : bool, default False (keyword only)
        Also keep a boolean ``refractory`` state.

    Defaults: physiological regular spiking (V in mV, rest and reset at -65 mV; inputs
    in mV/ms, as in Izhikevich 2003).

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    u : HiddenState, recovery variable (mV/ms).
    spike : ShortTermState, the spike of the last step (what ``get_spike()`` returns).
    last_spike_time : ShortTermState, initially -1e7 ms.
    refractory : HiddenState (bool), only with ``ref_var=True``.

    References
    ----------
    See :class:`Izhikevich`.

    Examples
    --------
    >>> import brainunit as u, jax.numpy as jnp, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> izh = brainsim.models.IzhikevichRef(1, tau_ref=5. * u.ms, ref_var=True)
    >>> izh.init_state()
    >>> def step(i):
    ...     with brainsim.environ.context(t=i * 0.1 * u.ms):
    ...         return izh(10. * u.mV / u.ms)
    >>> int(brainsim.transform.for_loop(step, jnp.arange(3000)).sum())
    6
    >>> izh.refractory.value
    Array([False], dtype=bool)
    """
    )

    _states = {**_IzhikevichBase._states, "last_spike_time": u.ms}
    _short_term = ("last_spike_time",)

    def __init__(
        self, in_size: Any, *, tau_ref: Any = 0.0 * u.ms, ref_var: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(in_size, **kwargs)
        self._check(u.ms, nonnegative=True, tau_ref=tau_ref)
        self.ref_var = bool(ref_var)
        self.last_spike_time_initializer = init.Constant(-1e7 * u.ms)

    def _initial_values(self, batch_size: int | None) -> dict[str, Any]:
        vals = super()._initial_values(batch_size)
        if self.ref_var:
            vals["refractory"] = jnp.zeros(u.math.shape(vals["V"]), dtype=bool)
        return vals

    def update(self, x: Any = 0.0 * u.mV / u.ms) -> Any:
        t = environ.get(environ.T, default=None)
        if t is None:
            raise BrainSimKeyError(
                f"{type(self).__name__} needs the current time t: run it inside brainsim's "
                f"simulation loop or `with brainsim.environ.context(t=...)`."
            )
        V0, U0 = self._reset()
        V, U = self._advance(V0, U0, x)
        refractory = within_window(t - self.last_spike_time.value, value(self.tau_ref))
        V, U = u.math.where(refractory, V0, V), u.math.where(refractory, U0, U)
        spiking = V >= value(self.V_th)
        self.V.value, self.u.value = V, U
        self.last_spike_time.value = jax.lax.stop_gradient(
            u.math.where(spiking, t, self.last_spike_time.value)
        )
        if self.ref_var:
            self.refractory.value = u.math.logical_or(refractory, spiking)
        return self._emit(self._level(V))
