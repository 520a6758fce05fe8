"""Adaptive exponential integrate-and-fire neuron, with and without a refractory period."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import exp_euler_step
from .._utils import value
from ._common import IFBase, Refractory, bind_params, refractory_doc
from ._expif import expif_dv

__all__ = ["AdExIF", "AdExIFRef", "adexif_dv", "adexif_dw"]


def adexif_dv(
    V: Any,
    I: Any,
    w: Any,
    V_rest: Any,
    V_T: Any,
    delta_T: Any,  # noqa: E741
    R: Any,
    tau: Any,
) -> Any:
    """dV/dt of the AdExIF neuron: :func:`expif_dv` with the current ``I - w``."""
    return expif_dv(V, I - w, V_rest, V_T, delta_T, R, tau)


def adexif_dw(w: Any, V: Any, V_rest: Any, a: Any, tau_w: Any) -> Any:
    """dw/dt of the adaptation current: ``(a (V - V_rest) - w) / tau_w``."""
    return (a * (V - V_rest) - w) / tau_w


class Adaptation(IFBase):
    """Private base of models with an adaptation current ``w`` (AdExIF, AdQuaIF): ``w``
    jumps by ``b`` on a spike, then follows :func:`adexif_dw` driven by the new ``V``."""

    _hidden = {"V": u.mV, "w": u.mA}

    def _jump(self, spike: Any) -> dict[str, Any]:
        return {**super()._jump(spike), "w": self.w.value + value(self.b) * spike}

    def _adapt(self, V: Any, w: Any) -> dict[str, Any]:
        V = self.sum_delta_inputs(V)
        w = exp_euler_step(adexif_dw, w, V, *self._params("V_rest", "a", "tau_w"))
        return {"V": V, "w": w}


class AdExIF(Adaptation):
    r"""Adaptive exponential integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + \Delta_T e^{\min((V - V_T)/\Delta_T,\ 20)}
            - R w + R I(t), \qquad
        \tau_w \frac{dw}{dt} = a (V - V_{rest}) - w

    A spike is emitted when :math:`V \ge V_{th}` (``v_scaled = (V - V_th) / (V_th -
    V_reset)``). At the start of the next step :math:`w \leftarrow w + b` and V is reset,
    soft (:math:`V \leftarrow V - (V_{th} - V_{reset})`) or hard
    (:math:`V \leftarrow V_{reset}`).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau, tau_w : time, default 10, 30 ms
    V_th, V_reset, V_rest : voltage, default -55, -68, -65 mV
    V_T : voltage, default -59.9 mV
    delta_T : voltage, default 3.48 mV (positive)
    a : conductance, default 1 S
        Subthreshold coupling of V to w.
    b : current, default 1 mA
        Spike-triggered increment of w.
    V_initializer : initializer, value or None, default None
        The initial V; ``None``: ``V_rest`` (so a physiological ``V_rest`` needs nothing else).
    w_initializer : initializer or value, default 0 mA
    spk_fun : surrogate spike function, default ``ReluGrad()``
    spk_reset : ``'soft'`` or ``'hard'``
    name : str, optional

    Defaults: the voltages are physiological (rest at -65 mV); the current scale is the
    ML-style one (R = 1 ohm, inputs in mA: 1 mA shifts the steady V by 1 mV).

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    w : HiddenState, adaptation current (mA).

    References
    ----------
    Brette & Gerstner (2005), Adaptive exponential integrate-and-fire model as an effective
    description of neuronal activity, *J. Neurophysiol.* 94, 3637-3642.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.AdExIF(2, V_initializer=-50. * u.mV)
    >>> neu.init_state()
    >>> _ = neu()  # V starts above V_th: w jumps by b = 1 mA, then relaxes
    >>> neu.w.value.to_decimal(u.mA)
    Array([1.00..., 1.00...], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 10.0 * u.ms,
        tau_w: Any = 30.0 * u.ms,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -68.0 * u.mV,
        V_rest: Any = -65.0 * u.mV,
        V_T: Any = -59.9 * u.mV,
        delta_T: Any = 3.48 * u.mV,
        a: Any = 1.0 * u.siemens,
        b: Any = 1.0 * u.mA,
        V_initializer: Any = None,
        w_initializer: Any = init.Constant(0.0 * u.mA),
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        bind_params(self, R=R, tau=tau, tau_w=tau_w, V_th=V_th, V_reset=V_reset, V_rest=V_rest)
        bind_params(self, V_T=V_T, delta_T=delta_T, a=a, b=b)
        self.V_initializer = V_initializer
        self.w_initializer = w_initializer

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        params = self._params("V_rest", "V_T", "delta_T", "R", "tau")
        V = exp_euler_step(adexif_dv, jumped["V"], I, jumped["w"], *params)
        return self._adapt(V, jumped["w"])


class AdExIFRef(Refractory, AdExIF):
    __doc__ = refractory_doc(
        AdExIF,
        "V, w",
        "Brette & Gerstner (2005), *J. Neurophysiol.* 94, 3637-3642.",
        """\
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.AdExIFRef(2)
    >>> neu.init_state()
    >>> with brainsim.environ.context(t=0. * u.ms):
    ...     spk = neu(10. * u.mA)
    >>> neu.last_spike_time.value.to_decimal(u.ms)
    Array([-1.e+07, -1.e+07], dtype=float32)
""",
    )
