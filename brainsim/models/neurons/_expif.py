"""Exponential integrate-and-fire neuron, with and without a refractory period."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ...nn import exp_euler_step
from ._common import IFBase, Refractory, bind_params, refractory_doc

__all__ = ["ExpIF", "ExpIFRef", "expif_dv"]

_EXP_CAP = 20.0  # largest exponent of the spike-initiation term: keeps V finite


def expif_dv(
    V: Any,
    I: Any,
    V_rest: Any,
    V_T: Any,
    delta_T: Any,
    R: Any,  # noqa: E741
    tau: Any,
) -> Any:
    """dV/dt of the ExpIF neuron:
    ``(-(V - V_rest) + delta_T exp(min((V - V_T) / delta_T, 20)) + R I) / tau``."""
    spike_term = delta_T * u.math.exp(u.math.minimum((V - V_T) / delta_T, _EXP_CAP))
    return (-(V - V_rest) + spike_term + R * I) / tau


class ExpIF(IFBase):
    r"""Exponential integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest})
            + \Delta_T \exp\left(\min\left(\frac{V - V_T}{\Delta_T}, 20\right)\right) + R I(t)

    The exponent is capped at 20, so V stays finite even far above threshold. A spike is
    emitted when :math:`V \ge V_{th}` (``v_scaled = (V - V_th) / (V_th - V_reset)``); the
    reset is applied at the start of the next step: soft
    (:math:`V \leftarrow V - (V_{th} - V_{reset})`) or hard (:math:`V \leftarrow V_{reset}`).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau : time, default 10 ms
    V_th : voltage, default -30 mV
        Numerical firing threshold.
    V_reset, V_rest : voltage, default -68, -65 mV
    V_T : voltage, default -59.9 mV
        Threshold of the exponential term.
    delta_T : voltage, default 3.48 mV (positive)
        Spike slope factor.
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

    Inputs are currents (mA with the default R in ohm).

    References
    ----------
    Fourcaud-Trocmé, Hansel, van Vreeswijk & Brunel (2003), How spike generation mechanisms
    determine the neuronal response to fluctuating inputs, *J. Neurosci.* 23, 11628-11640.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.ExpIF(2)
    >>> neu.init_state()
    >>> _ = neu(10. * u.mA)
    >>> neu.V.value.to_decimal(u.mV)
    Array([-64.89..., -64.89...], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 10.0 * u.ms,
        V_th: Any = -30.0 * u.mV,
        V_reset: Any = -68.0 * u.mV,
        V_rest: Any = -65.0 * u.mV,
        V_T: Any = -59.9 * u.mV,
        delta_T: Any = 3.48 * u.mV,
        V_initializer: Any = None,
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        bind_params(
            self, R=R, tau=tau, V_th=V_th, V_reset=V_reset, V_rest=V_rest, V_T=V_T, delta_T=delta_T
        )
        self.V_initializer = V_initializer

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        params = self._params("V_rest", "V_T", "delta_T", "R", "tau")
        V = exp_euler_step(expif_dv, jumped["V"], I, *params)
        return {"V": self.sum_delta_inputs(V)}


class ExpIFRef(Refractory, ExpIF):
    __doc__ = refractory_doc(
        ExpIF,
        "V",
        "Fourcaud-Trocmé, Hansel, van Vreeswijk & Brunel (2003), *J. Neurosci.* 23, 11628-11640.",
        """\
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.ExpIFRef(2, ref_var=True)
    >>> neu.init_state()
    >>> with brainsim.environ.context(t=0. * u.ms):
    ...     spk = neu(10. * u.mA)
    >>> neu.refractory.value
    Array([False, False], dtype=bool)
""",
    )
