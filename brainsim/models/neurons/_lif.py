"""Leaky integrate-and-fire neuron."""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax

from ... import init, surrogate
from ..._state import HiddenState
from ...nn import Neuron, exp_euler_step
from .._utils import check_param, init_var, value
from ._common import Refractory, bind_params

__all__ = ["LIF", "LIFRef", "lif_dv"]


def lif_dv(V: Any, I: Any, V_rest: Any, R: Any, tau: Any) -> Any:  # noqa: E741
    """dV/dt of the LIF neuron: ``(-V + V_rest + R I) / tau``."""
    return (-V + V_rest + R * I) / tau


class LIF(Neuron):
    r"""Leaky integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + R I(t)

    A spike is emitted when :math:`V \ge V_{th}`; the reset is applied at the start of the
    next step: soft (:math:`V \leftarrow V - (V_{th} - V_{reset})`) or hard
    (:math:`V \leftarrow V_{reset}`).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau : time, default 5 ms
    V_th, V_reset, V_rest : voltage, default 1, 0, 0 mV
    V_initializer : initializer, value or None, default None
        The initial V; ``None``: ``V_rest`` (so a physiological ``V_rest`` needs nothing else).
    spk_fun : surrogate spike function, default ``ReluGrad()``
    spk_reset : ``'soft'`` or ``'hard'``
    name : str, optional

    Defaults: the voltages, ``R = 1 ohm`` and ``tau`` are the ML-style ones (V_rest =
        V_reset = 0 mV, V_th = 1 mV, inputs in mA: 1 mA holds V at 1 mV, the threshold). For
        physiological values set them, e.g. ``V_rest=V_reset=-65 * u.mV``,
        ``V_th=-50 * u.mV`` and ``tau=20 * u.ms``; V then starts at ``V_rest``.

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).

    Inputs are currents (mA with the default R in ohm).

    References
    ----------
    Gerstner, Kistler, Naud & Paninski (2014), *Neuronal Dynamics*, ch. 1.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> lif = brainsim.models.LIF(2, tau=10 * u.ms)
    >>> lif.init_state()
    >>> _ = lif(2. * u.mA)
    >>> lif.V.value.to_decimal(u.mV)
    Array([0.0199..., 0.0199...], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 5.0 * u.ms,
        V_th: Any = 1.0 * u.mV,
        V_reset: Any = 0.0 * u.mV,
        V_rest: Any = 0.0 * u.mV,
        V_initializer: Any = None,
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun or surrogate.ReluGrad(), spk_reset=spk_reset,
                         name=name)
        self.R = check_param(self, "R", R, u.ohm, positive=True)
        self.tau = check_param(self, "tau", tau, u.ms, positive=True)
        self.V_th = check_param(self, "V_th", V_th, u.mV)
        self.V_reset = check_param(self, "V_reset", V_reset, u.mV)
        self.V_rest = check_param(self, "V_rest", V_rest, u.mV)
        self.V_initializer = V_initializer

    def _initial_V(self, batch_size: int | None) -> Any:
        ini = self.V_initializer
        ini = init.Constant(value(self.V_rest)) if ini is None else ini
        return init_var(ini, self.varshape, batch_size, u.mV)

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.V = HiddenState(self._initial_V(batch_size))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.V.value = self._initial_V(batch_size)

    def get_spike(self, V: Any = None) -> Any:
        V = self.V.value if V is None else V
        V_th, V_reset = value(self.V_th), value(self.V_reset)
        return self.spk_fun((V - V_th) / (V_th - V_reset))

    def update(self, x: Any = 0.0 * u.mA) -> Any:
        V_th, V_reset = value(self.V_th), value(self.V_reset)
        last_V = self.V.value
        last_spk = self.get_spike(last_V)
        top = jax.lax.stop_gradient(last_V) if self.spk_reset == "hard" else V_th
        V = last_V - (top - V_reset) * last_spk
        I = self.sum_current_inputs(x, V)  # noqa: E741
        V = exp_euler_step(lif_dv, V, I, value(self.V_rest), value(self.R), value(self.tau))
        V = self.sum_delta_inputs(V)
        self.V.value = V
        return self.get_spike(V)


class LIFRef(Refractory):
    r"""Leaky integrate-and-fire neuron with an absolute refractory period.

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + R I(t)
        \quad \text{unless} \quad t - t_{last} < \tau_{ref}

    The spike and reset are those of :class:`LIF`. While
    :math:`t - t_{last} < \tau_{ref}` the membrane potential is held at its post-reset value;
    :math:`t_{last}` (``last_spike_time``) becomes :math:`t` wherever :math:`V \ge V_{th}`
    after the update. The current time comes from ``brainsim.environ`` (``t``).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau : time, default 5 ms
    tau_ref : time, default 5 ms (>= 0)
    V_th, V_reset, V_rest : voltage, default 1, 0, 0 mV
    V_initializer : initializer, value or None, default None
        The initial V; ``None``: ``V_rest`` (so a physiological ``V_rest`` needs nothing else).
    spk_fun : surrogate spike function, default ``ReluGrad()``
    spk_reset : ``'soft'`` or ``'hard'``
    ref_var : bool, default False
        Add the boolean state ``refractory``.
    name : str, optional

    Defaults: the voltages, ``R = 1 ohm`` and ``tau`` are the ML-style ones (V_rest =
        V_reset = 0 mV, V_th = 1 mV, inputs in mA: 1 mA holds V at 1 mV, the threshold). For
        physiological values set them, e.g. ``V_rest=V_reset=-65 * u.mV``,
        ``V_th=-50 * u.mV`` and ``tau=20 * u.ms``; V then starts at ``V_rest``.

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    last_spike_time : ShortTermState, time of the last spike (ms), initially -1e7 ms.
    spike : ShortTermState, the spike of the last step (what ``get_spike()`` returns).
    refractory : HiddenState (bool), only with ``ref_var=True``.

    References
    ----------
    Gerstner, Kistler, Naud & Paninski (2014), *Neuronal Dynamics*, ch. 1.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.LIFRef(2, tau=10 * u.ms, tau_ref=2 * u.ms)
    >>> neu.init_state()
    >>> with brainsim.environ.context(t=0. * u.ms):
    ...     spk = neu(2. * u.mA)
    >>> neu.V.value.to_decimal(u.mV)
    Array([0.0199..., 0.0199...], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 5.0 * u.ms,
        tau_ref: Any = 5.0 * u.ms,
        V_th: Any = 1.0 * u.mV,
        V_reset: Any = 0.0 * u.mV,
        V_rest: Any = 0.0 * u.mV,
        V_initializer: Any = None,
        spk_fun: Any = None,
        spk_reset: str = "soft",
        ref_var: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(
            in_size,
            spk_fun=spk_fun,
            spk_reset=spk_reset,
            name=name,
            tau_ref=tau_ref,
            ref_var=ref_var,
        )
        bind_params(self, R=R, tau=tau, V_th=V_th, V_reset=V_reset, V_rest=V_rest)
        self.V_initializer = V_initializer

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        V = exp_euler_step(lif_dv, jumped["V"], I, *self._params("V_rest", "R", "tau"))
        return {"V": self.sum_delta_inputs(V)}
