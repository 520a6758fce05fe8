"""Quadratic integrate-and-fire neurons: plain, adaptive, adaptive with refractoriness."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import exp_euler_step
from ._adexif import Adaptation
from ._common import IFBase, Refractory, bind_params, refractory_doc

__all__ = ["QuaIF", "AdQuaIF", "AdQuaIFRef", "quaif_dv", "adquaif_dv"]


def quaif_dv(V: Any, I: Any, V_rest: Any, V_c: Any, c: Any, R: Any, tau: Any) -> Any:  # noqa: E741
    """dV/dt of the QuaIF neuron: ``(c (V - V_rest) (V - V_c) + R I) / tau``."""
    return (c * (V - V_rest) * (V - V_c) + R * I) / tau


def adquaif_dv(
    V: Any,
    I: Any,
    w: Any,
    V_rest: Any,
    V_c: Any,
    c: Any,
    R: Any,  # noqa: E741
    tau: Any,
) -> Any:
    """dV/dt of the AdQuaIF neuron: :func:`quaif_dv` with the current ``I - w``."""
    return quaif_dv(V, I - w, V_rest, V_c, c, R, tau)


class QuaIF(IFBase):
    r"""Quadratic integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = c (V - V_{rest})(V - V_c) + R I(t)

    V stays at :math:`V_{rest}` without input. A spike is emitted when :math:`V \ge V_{th}`
    (``v_scaled = (V - V_th) / (V_th - V_reset)``); the reset is applied at the start of
    the next step: soft (:math:`V \leftarrow V - (V_{th} - V_{reset})`) or hard
    (:math:`V \leftarrow V_{reset}`).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau : time, default 10 ms
    V_th, V_reset, V_rest : voltage, default -30, -68, -65 mV
    V_c : voltage, default -50 mV
        Critical voltage of spike initiation (above ``V_rest``).
    c : inverse voltage, default 0.07 / mV
    V_initializer : initializer, value or None, default None
        The initial V; ``None``: ``V_rest`` (so a physiological ``V_rest`` needs nothing else).
    spk_fun : surrogate spike function, default ``ReluGrad()``
    spk_reset : ``'soft'`` or ``'hard'``
    name : str, optional

    Defaults: the voltages are physiological (rest at -65 mV); the current scale is the
    ML-style one (R = 1 ohm, inputs in mA: 1 mA shifts the steady V by 1 mV).

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).

    References
    ----------
    Latham, Richmond, Nelson & Nirenberg (2000), Intrinsic dynamics in neuronal networks.
    I. Theory, *J. Neurophysiol.* 83, 808-827.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.QuaIF(2)
    >>> neu.init_state()
    >>> _ = neu()
    >>> neu.V.value.to_decimal(u.mV)
    Array([-65., -65.], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 10.0 * u.ms,
        V_th: Any = -30.0 * u.mV,
        V_reset: Any = -68.0 * u.mV,
        V_rest: Any = -65.0 * u.mV,
        V_c: Any = -50.0 * u.mV,
        c: Any = 0.07 / u.mV,
        V_initializer: Any = None,
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        bind_params(self, R=R, tau=tau, V_th=V_th, V_reset=V_reset, V_rest=V_rest, V_c=V_c, c=c)
        self.V_initializer = V_initializer

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        params = self._params("V_rest", "V_c", "c", "R", "tau")
        V = exp_euler_step(quaif_dv, jumped["V"], I, *params)
        return {"V": self.sum_delta_inputs(V)}


class AdQuaIF(Adaptation):
    r"""Adaptive quadratic integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = c (V - V_{rest})(V - V_c) - R w + R I(t), \qquad
        \tau_w \frac{dw}{dt} = a (V - V_{rest}) - w

    Spike and V reset as in :class:`QuaIF`; on a spike :math:`w \leftarrow w + b` (at the
    start of the next step).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau, tau_w : time, default 10, 10 ms
    V_th, V_reset, V_rest, V_c : voltage, default -30, -68, -65, -50 mV
    c : inverse voltage, default 0.07 / mV
    a : conductance, default 1 S
    b : current, default 0.1 mA
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
    Izhikevich (2004), Which model to use for cortical spiking neurons?, *IEEE Trans.
    Neural Netw.* 15, 1063-1070; Touboul (2008), *SIAM J. Appl. Math.* 68, 1045-1079.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.AdQuaIF(2, V_initializer=-20. * u.mV)
    >>> neu.init_state()
    >>> _ = neu()  # V starts above V_th: w jumps by b = 0.1 mA
    >>> neu.w.value.to_decimal(u.mA)
    Array([0.168..., 0.168...], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 10.0 * u.ms,
        tau_w: Any = 10.0 * u.ms,
        V_th: Any = -30.0 * u.mV,
        V_reset: Any = -68.0 * u.mV,
        V_rest: Any = -65.0 * u.mV,
        V_c: Any = -50.0 * u.mV,
        c: Any = 0.07 / u.mV,
        a: Any = 1.0 * u.siemens,
        b: Any = 0.1 * u.mA,
        V_initializer: Any = None,
        w_initializer: Any = init.Constant(0.0 * u.mA),
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        bind_params(self, R=R, tau=tau, tau_w=tau_w, V_th=V_th, V_reset=V_reset, V_rest=V_rest)
        bind_params(self, V_c=V_c, c=c, a=a, b=b)
        self.V_initializer = V_initializer
        self.w_initializer = w_initializer

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        params = self._params("V_rest", "V_c", "c", "R", "tau")
        V = exp_euler_step(adquaif_dv, jumped["V"], I, jumped["w"], *params)
        return self._adapt(V, jumped["w"])


class AdQuaIFRef(Refractory, AdQuaIF):
    __doc__ = refractory_doc(
        AdQuaIF,
        "V, w",
        "Izhikevich (2004), *IEEE Trans. Neural Netw.* 15, 1063-1070.",
        """\
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.AdQuaIFRef(2, ref_var=True)
    >>> neu.init_state(batch_size=3)
    >>> neu.refractory.value.shape
    (3, 2)
""",
    )
