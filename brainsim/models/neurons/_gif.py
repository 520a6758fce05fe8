"""Generalized integrate-and-fire neuron (Mihalas-Niebur), with and without refractoriness."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import exp_euler_step
from .._utils import value
from ._common import IFBase, Refractory, bind_params, refractory_doc
from ._lif import lif_dv

__all__ = ["Gif", "GifRef", "gif_dI", "gif_dV_th"]

_RATE = u.ms**-1


def gif_dI(I: Any, k: Any) -> Any:  # noqa: E741
    """dI_j/dt of an internal current of the Gif neuron: ``-k_j I_j``."""
    return -k * I


def gif_dV_th(V_th: Any, V: Any, V_rest: Any, V_th_inf: Any, a: Any, b: Any) -> Any:
    """dV_th/dt of the Gif threshold: ``a (V - V_rest) - b (V_th - V_th_inf)``."""
    return a * (V - V_rest) - b * (V_th - V_th_inf)


class Gif(IFBase):
    r"""Generalized integrate-and-fire neuron (Mihalas & Niebur 2009).

    .. math::

        \frac{dI_j}{dt} = -k_j I_j \quad (j = 1, 2), \qquad
        \frac{dV_{th}}{dt} = a (V - V_{rest}) - b (V_{th} - V_{th\infty}),

        \tau \frac{dV}{dt} = -(V - V_{rest}) + R (I_1 + I_2 + I(t))

    A spike is emitted when :math:`V \ge V_{th}` (the state;
    ``v_scaled = (V - V_th) / (V_th - V_reset)``). At the start of the next step
    :math:`I_j \leftarrow R_j I_j + A_j`, :math:`V_{th} \leftarrow \max(V_{th,reset}, V_{th})`
    and V is reset, soft (:math:`V \leftarrow V - (V_{th} - V_{reset})`) or hard
    (:math:`V \leftarrow V_{reset}`).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 20 ohm
    tau : time, default 20 ms
    V_rest, V_reset : voltage, default -70, -70 mV
    V_th_inf, V_th_reset : voltage, default -50, -60 mV
    V_th_initializer : initializer, value or None, default None (``V_th_inf``)
    a, b : rate (1/ms), default 0, 0.01 / ms
        Coupling of the threshold to V, and its relaxation rate.
    k1, k2 : rate (1/ms), default 0.2, 0.02 / ms
    R1, R2 : dimensionless, default 0, 1
    A1, A2 : current, default 0, 0 mA
    V_initializer : initializer, value or None, default None
        The initial V; ``None``: ``V_rest`` (so a physiological ``V_rest`` needs nothing else).
    I1_initializer, I2_initializer : initializer or value, default 0 mA
    spk_fun : surrogate spike function, default ``ReluGrad()``
    spk_reset : ``'soft'`` or ``'hard'``
    name : str, optional

    Defaults: the voltages are physiological (rest at -70 mV); the current scale is the
    ML-style one (R = 20 ohm, inputs in mA: 1 mA shifts the steady V by 20 mV).

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    I1, I2 : HiddenState, internal currents (mA).
    V_th : HiddenState, threshold (mV).

    References
    ----------
    Mihalas & Niebur (2009), A generalized linear integrate-and-fire neural model produces
    diverse spiking behaviors, *Neural Comput.* 21, 704-718.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.Gif(2, V_reset=-80. * u.mV, V_th_initializer=-75. * u.mV)
    >>> neu.init_state()
    >>> _ = neu()  # V = -70 >= V_th = -75: the threshold jumps up to V_th_reset = -60 mV
    >>> neu.V_th.value.to_decimal(u.mV)
    Array([-59.99..., -59.99...], dtype=float32)
    """

    _hidden = {"V": u.mV, "I1": u.mA, "I2": u.mA, "V_th": u.mV}

    def __init__(
        self,
        in_size: Any,
        R: Any = 20.0 * u.ohm,
        tau: Any = 20.0 * u.ms,
        V_rest: Any = -70.0 * u.mV,
        V_reset: Any = -70.0 * u.mV,
        V_th_inf: Any = -50.0 * u.mV,
        V_th_reset: Any = -60.0 * u.mV,
        V_th_initializer: Any = None,
        a: Any = 0.0 / u.ms,
        b: Any = 0.01 / u.ms,
        k1: Any = 0.2 / u.ms,
        k2: Any = 0.02 / u.ms,
        R1: Any = 0.0,
        R2: Any = 1.0,
        A1: Any = 0.0 * u.mA,
        A2: Any = 0.0 * u.mA,
        V_initializer: Any = None,
        I1_initializer: Any = init.Constant(0.0 * u.mA),
        I2_initializer: Any = init.Constant(0.0 * u.mA),
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        bind_params(self, R=R, tau=tau, V_rest=V_rest, V_reset=V_reset, V_th_inf=V_th_inf)
        bind_params(self, {"a": _RATE, "b": _RATE}, V_th_reset=V_th_reset, a=a, b=b, k1=k1, k2=k2)
        bind_params(self, R1=R1, R2=R2, A1=A1, A2=A2)
        self.V_initializer = V_initializer
        self.I1_initializer = I1_initializer
        self.I2_initializer = I2_initializer
        self.V_th_initializer = V_th_initializer

    def _jump(self, spike: Any) -> dict[str, Any]:
        I1, I2, V_th = self.I1.value, self.I2.value, self.V_th.value
        return {
            **super()._jump(spike),
            "I1": I1 + spike * (value(self.R1) * I1 + value(self.A1) - I1),
            "I2": I2 + spike * (value(self.R2) * I2 + value(self.A2) - I2),
            "V_th": V_th + spike * (u.math.maximum(value(self.V_th_reset), V_th) - V_th),
        }

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        V = jumped["V"]
        I1 = exp_euler_step(gif_dI, jumped["I1"], value(self.k1))
        I2 = exp_euler_step(gif_dI, jumped["I2"], value(self.k2))
        params = self._params("V_rest", "V_th_inf", "a", "b")
        V_th = exp_euler_step(gif_dV_th, jumped["V_th"], V, *params)
        V = exp_euler_step(lif_dv, V, I1 + I2 + I, *self._params("V_rest", "R", "tau"))
        return {"V": self.sum_delta_inputs(V), "I1": I1, "I2": I2, "V_th": V_th}


class GifRef(Refractory, Gif):
    __doc__ = refractory_doc(
        Gif,
        "V, I1, I2, V_th",
        "Mihalas & Niebur (2009), *Neural Comput.* 21, 704-718.",
        """\
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.GifRef(2, V_initializer=-51. * u.mV)
    >>> neu.init_state()
    >>> with brainsim.environ.context(t=0.5 * u.ms):
    ...     spk = neu(20. * u.mA)
    >>> spk
    Array([1., 1.], dtype=float32)
    >>> neu.last_spike_time.value.to_decimal(u.ms)
    Array([0.5, 0.5], dtype=float32)
""",
    )
