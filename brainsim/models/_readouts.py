"""Readout layers: a leaky rate integrator and a leaky spiking (LIF-like) readout."""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp

from .. import environ, init, surrogate
from .._state import HiddenState, ParamState
from ..nn import Module, Neuron, exp_euler_step
from ._inputs import ratio
from ._utils import check_param, init_var, value
from .neurons import lif_dv

__all__ = ["LeakyRateReadout", "LeakySpikeReadout"]

_ZERO_MV = 0.0 * u.mV


class LeakyRateReadout(Module):
    r"""A leaky integrator of weighted inputs: the standard readout of a spiking network.

    .. math:: r \leftarrow e^{-dt/\tau}\, r + x W

    Parameters
    ----------
    in_size : int or tuple
        Input size (the last axis of ``x``).
    out_size : int or tuple
        Output size.
    tau : time, default 5 ms
        Decay time constant.
    w_init : initializer or array, default ``KaimingNormal()``
        Weight ``W`` of shape ``(in, out)``.
    r_initializer : initializer or value, default ``ZeroInit()``
        Initial ``r``; give it the unit of ``x W`` when inputs carry units
        (``init.ZeroInit(unit=u.nA)``).
    name : str, optional

    Defaults: ML-style (dimensionless rates, inputs are spikes).

    State variables
    ---------------
    weight : ParamState, ``W`` of shape ``(in, out)``.
    r : HiddenState, the readout, shape ``(out,)`` or ``(batch, out)``.

    Examples
    --------
    >>> import brainunit as u, brainsim, jax.numpy as jnp
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> ro = brainsim.models.LeakyRateReadout(3, 2, tau=5 * u.ms, w_init=jnp.ones((3, 2)))
    >>> ro.init_state()
    >>> ro(jnp.ones(3))
    Array([3., 3.], dtype=float32)
    >>> ro(jnp.zeros(3))   # 3 * exp(-0.1 / 5)
    Array([2.9406..., 2.9406...], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        out_size: Any,
        tau: Any = 5.0 * u.ms,
        w_init: Any = None,
        r_initializer: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.in_size = in_size
        self.out_size = out_size
        self.tau = check_param(self, "tau", tau, u.ms, positive=True)
        w_init = init.KaimingNormal() if w_init is None else w_init
        self.weight = ParamState(init.param(w_init, (self.in_size[-1], self.out_size[-1])))
        self.r_initializer = init.ZeroInit() if r_initializer is None else r_initializer

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.r = HiddenState(init_var(self.r_initializer, self.out_size, batch_size))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.r.value = init_var(self.r_initializer, self.out_size, batch_size)

    def update(self, x: Any) -> Any:
        decay = jnp.exp(-ratio("LeakyRateReadout", environ.get_dt(), value(self.tau)))
        self.r.value = decay * self.r.value + x @ self.weight.value
        return self.r.value


class LeakySpikeReadout(Neuron):
    r"""A spiking readout: a LIF neuron driven by a weighted input ``x W``.

    .. math::

        \tau \frac{dV}{dt} = -V + x W, \qquad
        \mathrm{spike} = \mathrm{spk\_fun}\left(\frac{V - V_{th}}{V_{th}}\right)

    The reset (to 0 mV) is applied at the start of the next step, soft
    (:math:`V \leftarrow V - V_{th}\,\mathrm{spike}`) or hard, as for :class:`LIF`.

    Parameters
    ----------
    in_size : int or tuple
        Number of readout neurons; ``W`` has shape ``(in_size[-1], in_size[-1])``.
    tau : time, default 5 ms
    V_th : voltage, default 1 mV
    w_init : initializer or array, default ``KaimingNormal(unit=u.mV)``
        ``x W`` must be a voltage.
    V_initializer : initializer or value, default 0 mV
    spk_fun : surrogate spike function, default ``ReluGrad()``
    spk_reset : ``'soft'`` or ``'hard'``
    name : str, optional

    Defaults: ML-style (rest and reset at 0 mV, V_th = 1 mV; inputs are spikes).

    State variables
    ---------------
    weight : ParamState, ``W`` (mV per unit input).
    V : HiddenState, membrane potential (mV).

    Examples
    --------
    >>> import brainunit as u, brainsim, jax.numpy as jnp
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> ro = brainsim.models.LeakySpikeReadout(2, w_init=jnp.eye(2) * 50. * u.mV)
    >>> ro.init_state()
    >>> ro(jnp.array([1., 0.]))   # V = 50 (1 - exp(-0.02)) mV = 0.99 mV: below threshold
    Array([0., 0.], dtype=float32)
    >>> ro(jnp.array([1., 0.]))
    Array([1., 0.], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        tau: Any = 5.0 * u.ms,
        V_th: Any = 1.0 * u.mV,
        w_init: Any = None,
        V_initializer: Any = _ZERO_MV,
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(
            in_size, spk_fun=spk_fun or surrogate.ReluGrad(), spk_reset=spk_reset, name=name
        )
        self.tau = check_param(self, "tau", tau, u.ms, positive=True)
        self.V_th = check_param(self, "V_th", V_th, u.mV, positive=True)
        self.V_initializer = V_initializer
        w_init = init.KaimingNormal(unit=u.mV) if w_init is None else w_init
        n = self.in_size[-1]
        self.weight = ParamState(init.param(w_init, (n, n)))
        check_param(self, "w_init", self.weight.value[0], u.mV)

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.V = HiddenState(init_var(self.V_initializer, self.varshape, batch_size, u.mV))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.V.value = init_var(self.V_initializer, self.varshape, batch_size, u.mV)

    def get_spike(self, V: Any = None) -> Any:
        V = self.V.value if V is None else V
        V_th = value(self.V_th)
        return self.spk_fun((V - V_th) / V_th)

    def update(self, x: Any) -> Any:
        last_V = self.V.value
        top = jax.lax.stop_gradient(last_V) if self.spk_reset == "hard" else value(self.V_th)
        V = last_V - top * self.get_spike(last_V)
        I = self.sum_current_inputs(x @ self.weight.value, V)  # noqa: E741
        V = exp_euler_step(lif_dv, V, I, _ZERO_MV, 1.0, value(self.tau))
        self.V.value = self.sum_delta_inputs(V)
        return self.get_spike(self.V.value)
