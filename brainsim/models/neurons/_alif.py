"""Adaptive leaky integrate-and-fire neuron (spike-triggered threshold adaptation)."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import exp_euler_step
from .._utils import value
from ._common import IFBase, bind_params
from ._lif import lif_dv

__all__ = ["ALIF", "alif_da"]


def alif_da(a: Any, tau_a: Any) -> Any:
    """da/dt of the ALIF adaptation variable: ``-a / tau_a``."""
    return -a / tau_a


class ALIF(IFBase):
    r"""Adaptive leaky integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + R I(t), \qquad
        \tau_a \frac{da}{dt} = -a

    The effective threshold is :math:`V_{th} + \beta a`; a spike is emitted when
    ``v_scaled = (V - V_th - beta a) / (V_th - V_reset) >= 0``. At the start of the next
    step :math:`a \leftarrow a + 1` and V is reset as in :class:`LIF` (soft:
    :math:`V \leftarrow V - (V_{th} - V_{reset})`, hard: :math:`V \leftarrow V_{reset}`).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau : time, default 5 ms
    tau_a : time, default 100 ms
    V_th, V_reset, V_rest : voltage, default 1, 0, 0 mV
    beta : voltage, default 0.1 mV
        Threshold increase per unit of adaptation.
    spk_fun : surrogate spike function, default ``ReluGrad()``
    spk_reset : ``'soft'`` or ``'hard'``
    V_initializer : initializer, value or None, default None
        The initial V; ``None``: ``V_rest`` (so a physiological ``V_rest`` needs nothing else).
    a_initializer : initializer or value, default 0 (dimensionless)
    name : str, optional

    Defaults: the voltages, ``R = 1 ohm`` and ``tau`` are the ML-style ones (V_rest =
        V_reset = 0 mV, V_th = 1 mV, inputs in mA: 1 mA holds V at 1 mV, the threshold). For
        physiological values set them, e.g. ``V_rest=V_reset=-65 * u.mV``,
        ``V_th=-50 * u.mV`` and ``tau=20 * u.ms``; V then starts at ``V_rest``.

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    a : HiddenState, adaptation variable (dimensionless).

    References
    ----------
    Bellec, Salaj, Subramoney, Legenstein & Maass (2018), Long short-term memory and
    learning-to-learn in networks of spiking neurons, *NeurIPS*.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.ALIF(2, V_initializer=2. * u.mV)
    >>> neu.init_state()
    >>> _ = neu()  # the initial V is above threshold: a jumps by 1, then decays
    >>> neu.a.value
    Array([0.999..., 0.999...], dtype=float32)
    """

    _hidden = {"V": u.mV, "a": None}

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 5.0 * u.ms,
        tau_a: Any = 100.0 * u.ms,
        V_th: Any = 1.0 * u.mV,
        V_reset: Any = 0.0 * u.mV,
        V_rest: Any = 0.0 * u.mV,
        beta: Any = 0.1 * u.mV,
        spk_fun: Any = None,
        spk_reset: str = "soft",
        V_initializer: Any = None,
        a_initializer: Any = init.Constant(0.0),
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        bind_params(
            self, R=R, tau=tau, tau_a=tau_a, V_th=V_th, V_reset=V_reset, V_rest=V_rest, beta=beta
        )
        self.V_initializer = V_initializer
        self.a_initializer = a_initializer

    def get_spike(self, V: Any = None, a: Any = None) -> Any:
        """The spike of the last step; with ``V`` (and ``a``): the spike function there."""
        return self._level(V, a)

    def _level(self, V: Any = None, a: Any = None) -> Any:
        V = self.V.value if V is None else V
        a = self.a.value if a is None else a
        V_th, V_reset = value(self.V_th), value(self.V_reset)
        return self.spk_fun((V - V_th - value(self.beta) * a) / (V_th - V_reset))

    def _jump(self, spike: Any) -> dict[str, Any]:
        return {**super()._jump(spike), "a": self.a.value + spike}

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        V = exp_euler_step(lif_dv, jumped["V"], I, *self._params("V_rest", "R", "tau"))
        # a is dimensionless: step it as a unitless Quantity so that it pairs with dt in ms
        a = u.maybe_decimal(exp_euler_step(alif_da, u.Quantity(jumped["a"]), value(self.tau_a)))
        return {"V": self.sum_delta_inputs(V), "a": a}
