"""Wang-Buzsaki fast-spiking interneuron (a modified Hodgkin-Huxley model)."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import exp_euler_step
from .._utils import value
from ._hh import ONE, _NeuronBase, gate_rates, hh_dv

__all__ = ["WangBuzsakiHH", "wb_dv", "wb_rates"]

_WB_GATES = {
    "m": (("lin", 1.0, -35.0, 10.0), ("exp", 4.0, -60.0, 18.0)),
    "h": (("exp", 0.07, -58.0, 20.0), ("sig", 1.0, -28.0, 10.0)),
    "n": (("lin", 0.1, -34.0, 10.0), ("exp", 0.125, -44.0, 80.0)),
}


def wb_rates(V: Any) -> dict[str, tuple[Any, Any]]:
    r"""The Wang-Buzsaki rates ``{'m': (alpha, beta), 'h': ..., 'n': ...}`` in 1/ms
    (without the temperature factor :math:`\phi`)."""
    return {name: gate_rates(V, spec) for name, spec in _WB_GATES.items()}


def wb_dv(V: Any, h: Any, n: Any, I: Any, **params: Any) -> Any:
    r"""dV/dt of the Wang-Buzsaki neuron: :func:`hh_dv` with :math:`m = m_\infty(V)`.

    ``params`` are those of :func:`hh_dv`: ``E_Na, g_Na, E_K, g_K, E_L, g_L, C``.
    """
    alpha, beta = gate_rates(V, _WB_GATES["m"])
    return hh_dv(V, alpha / (alpha + beta), h, n, I, **params)


class WangBuzsakiHH(_NeuronBase):
    r"""Wang-Buzsaki model of a hippocampal fast-spiking interneuron.

    .. math::

        C \frac{dV}{dt} = -g_{Na} m_\infty^3(V) h (V - E_{Na}) - g_K n^4 (V - E_K)
                          - g_L (V - E_L) + I(t)

        \frac{dx}{dt} = \phi \left(\alpha_x(V)(1 - x) - \beta_x(V) x\right),
        \quad x \in \{h, n\}, \qquad m_\infty = \frac{\alpha_m}{\alpha_m + \beta_m}

        \alpha_m = \frac{0.1 (V + 35)}{1 - e^{-(V + 35)/10}}, \quad
        \beta_m = 4 e^{-(V + 60)/18}, \quad
        \alpha_h = 0.07 e^{-(V + 58)/20}, \quad
        \beta_h = \frac{1}{1 + e^{-(V + 28)/10}}

        \alpha_n = \frac{0.01 (V + 34)}{1 - e^{-(V + 34)/10}}, \quad
        \beta_n = 0.125 e^{-(V + 44)/80}

    (V in mV, rates in 1/ms.) The output is the upward crossing of ``V_th``, one spike per
    action potential; V is never reset.

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    E_Na, E_K, E_L : voltage, default 55, -90, -65 mV
    g_Na, g_K, g_L : conductance, default 35, 9, 0.1 mS
    phi : dimensionless, default 5
        Temperature factor of the h and n kinetics.
    C : capacitance, default 1 µF
    V_th : voltage, default 20 mV (must be positive)
    V_initializer : initializer or value, default -65 mV
    h_initializer, n_initializer : initializer or value, default 0.6 and 0.32
    spk_fun : surrogate spike function, default ``ReluGrad()``
    name : str, optional

    Defaults: physiological (V in mV, C in µF, currents in µA); V starts at E_L.

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    h, n : HiddenState, gating variables (dimensionless).
    spike : ShortTermState, the spike of the last step (what ``get_spike()`` returns).

    Inputs are currents in µA.

    References
    ----------
    Wang & Buzsaki (1996), Gamma oscillation by synaptic inhibition in a hippocampal
    interneuronal network model, *J. Neurosci.* 16(20), 6402-6413.

    Examples
    --------
    >>> import brainunit as u, jax.numpy as jnp, brainsim
    >>> brainsim.environ.set(dt=0.01 * u.ms)
    >>> wb = brainsim.models.WangBuzsakiHH(1)
    >>> wb.init_state()
    >>> spikes = brainsim.transform.for_loop(lambda i: wb(1. * u.uA), jnp.arange(10000))
    >>> int(spikes.sum())  # 100 ms at 1 µA
    5
    """

    _states = {"V": u.mV, "h": ONE, "n": ONE}
    _input_unit = u.uA

    def __init__(
        self,
        in_size: Any,
        E_Na: Any = 55.0 * u.mV,
        g_Na: Any = 35.0 * u.mS,
        E_K: Any = -90.0 * u.mV,
        g_K: Any = 9.0 * u.mS,
        E_L: Any = -65.0 * u.mV,
        g_L: Any = 0.1 * u.mS,
        phi: Any = 5.0,
        C: Any = 1.0 * u.uF,
        V_th: Any = 20.0 * u.mV,
        V_initializer: Any = init.Constant(-65.0 * u.mV),
        h_initializer: Any = init.Constant(0.6),
        n_initializer: Any = init.Constant(0.32),
        spk_fun: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, V_th, u.mV, spk_fun, "soft", name)
        channels = dict(g_Na=g_Na, g_K=g_K, g_L=g_L)
        self._check_membrane(C, dict(E_Na=E_Na, E_K=E_K, E_L=E_L), channels)
        self._check(None, positive=True, phi=phi)
        self.V_initializer = V_initializer
        self.h_initializer = h_initializer
        self.n_initializer = n_initializer

    def _integrate(self, V: Any, I: Any) -> dict[str, Any]:
        params = self._values("E_Na", "g_Na", "E_K", "g_K", "E_L", "g_L", "C")
        new = {"V": exp_euler_step(wb_dv, V, self.h.value, self.n.value, I, **params)}
        rates = wb_rates(V)
        return {**new, **self._gates({"h": rates["h"], "n": rates["n"]}, value(self.phi))}
