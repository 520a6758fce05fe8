"""Integrate-and-fire neuron (no resting potential, reset towards 0)."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ...nn import exp_euler_step
from ._common import IFBase, bind_params

__all__ = ["IF", "if_dv"]


def if_dv(V: Any, I: Any, R: Any, tau: Any) -> Any:  # noqa: E741
    """dV/dt of the IF neuron: ``(-V + R I) / tau``."""
    return (-V + R * I) / tau


class IF(IFBase):
    r"""Integrate-and-fire neuron.

    .. math::

        \tau \frac{dV}{dt} = -V + R I(t)

    A spike is emitted when :math:`V \ge V_{th}` (``v_scaled = (V - V_th) / V_th``); the
    reset is applied at the start of the next step: soft (:math:`V \leftarrow V - V_{th}`)
    or hard (:math:`V \leftarrow 0`).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau : time, default 5 ms
    V_th : voltage, default 1 mV (positive)
    V_initializer : initializer, value or None, default None (V starts at 0 mV)
    spk_fun : surrogate spike function, default ``ReluGrad()``
    spk_reset : ``'soft'`` or ``'hard'``
    name : str, optional

    Defaults: ML-style (V_th = 1 mV, R = 1 ohm, inputs in mA; V resets towards 0 mV).

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).

    Inputs are currents (mA with the default R in ohm).

    References
    ----------
    Lapicque (1907); Abbott (1999), Lapicque's introduction of the integrate-and-fire model
    neuron, *Brain Res. Bull.* 50, 303-304.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.IF(2, tau=10 * u.ms)
    >>> neu.init_state()
    >>> neu(2. * u.mA)
    Array([0., 0.], dtype=float32)
    >>> neu.V.value.to_decimal(u.mV)
    Array([0.0199..., 0.0199...], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 5.0 * u.ms,
        V_th: Any = 1.0 * u.mV,
        V_initializer: Any = None,
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        bind_params(self, R=R, tau=tau, V_th=V_th)
        self.V_reset = 0.0 * u.mV  # fixed: IF resets towards 0, v_scaled = (V - V_th) / V_th
        self.V_initializer = V_initializer

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        V = exp_euler_step(if_dv, jumped["V"], I, *self._params("R", "tau"))
        return {"V": self.sum_delta_inputs(V)}
