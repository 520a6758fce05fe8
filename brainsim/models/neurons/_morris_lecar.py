"""Morris-Lecar neuron (instantaneous Ca2+ activation, delayed K+ recovery)."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import exp_euler_step
from ._hh import ONE, _NeuronBase, membrane_dv

__all__ = ["MorrisLecar", "ml_dv", "ml_dw"]


def ml_dv(
    V: Any,
    W: Any,
    I: Any,
    V_Ca: Any,
    g_Ca: Any,
    V_K: Any,
    g_K: Any,
    V_leak: Any,
    g_leak: Any,
    C: Any,
    V1: Any,
    V2: Any,
) -> Any:
    r"""dV/dt of the Morris-Lecar neuron, with
    :math:`M_\infty = \frac{1}{2}(1 + \tanh((V - V_1)/V_2))`."""
    M_inf = 0.5 * (1.0 + u.math.tanh((V - V1) / V2))
    return membrane_dv(V, I, C, (g_Ca * M_inf, V_Ca), (g_K * W, V_K), (g_leak, V_leak))


def ml_dw(W: Any, V: Any, V3: Any, V4: Any, phi: Any) -> Any:
    r"""dW/dt of the Morris-Lecar neuron, :math:`\phi \cosh(\frac{V - V_3}{2 V_4})
    (W_\infty(V) - W)` with :math:`W_\infty = \frac{1}{2}(1 + \tanh((V - V_3)/V_4))`."""
    W_inf = 0.5 * (1.0 + u.math.tanh((V - V3) / V4))
    return phi * u.math.cosh((V - V3) / (2.0 * V4)) * (W_inf - W)


class MorrisLecar(_NeuronBase):
    r"""Morris-Lecar neuron.

    .. math::

        C \frac{dV}{dt} = -g_{Ca} M_\infty(V) (V - V_{Ca}) - g_K W (V - V_K)
                          - g_{leak} (V - V_{leak}) + I(t)

        \frac{dW}{dt} = \frac{W_\infty(V) - W}{\tau_W(V)}, \quad
        \tau_W = \frac{1}{\phi \cosh\left(\frac{V - V_3}{2 V_4}\right)}

        M_\infty = \tfrac{1}{2}\left(1 + \tanh\frac{V - V_1}{V_2}\right), \quad
        W_\infty = \tfrac{1}{2}\left(1 + \tanh\frac{V - V_3}{V_4}\right)

    The output is the upward crossing of ``V_th``, one spike per action potential; V is
    never reset.

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    V_Ca, V_K, V_leak : voltage, default 130, -84, -60 mV
        Reversal potentials.
    g_Ca, g_K, g_leak : conductance, default 4.4, 8, 2 mS
    C : capacitance, default 20 µF
    V1, V2, V3, V4 : voltage, default -1.2, 18, 2, 30 mV
        Midpoints (V1, V3) and slopes (V2, V4) of :math:`M_\infty` and :math:`W_\infty`.
    phi : rate, default 0.04 / ms
    V_th : voltage, default 10 mV (must be positive)
    V_initializer : initializer or value, default Uniform(-70 mV, -60 mV)
    W_initializer : initializer or value, default 0.02
    spk_fun : surrogate spike function, default ``ReluGrad()``
    name : str, optional

    Defaults: physiological (V in mV, C in µF, currents in µA); V starts near rest.

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    W : HiddenState, fraction of open K+ channels (dimensionless).
    spike : ShortTermState, the spike of the last step (what ``get_spike()`` returns).

    Inputs are currents in µA.

    References
    ----------
    Morris & Lecar (1981), Voltage oscillations in the barnacle giant muscle fiber,
    *Biophys. J.* 35(1), 193-213.

    Examples
    --------
    >>> import brainunit as u, jax.numpy as jnp, brainsim
    >>> brainsim.environ.set(dt=0.05 * u.ms)
    >>> ml = brainsim.models.MorrisLecar(1, V_initializer=brainsim.init.Constant(-60. * u.mV))
    >>> ml.init_state()
    >>> spikes = brainsim.transform.for_loop(lambda i: ml(100. * u.uA), jnp.arange(10000))
    >>> int(spikes.sum())  # 500 ms at 100 µA
    6
    """

    _states = {"V": u.mV, "W": ONE}
    _input_unit = u.uA

    def __init__(
        self,
        in_size: Any,
        V_Ca: Any = 130.0 * u.mV,
        g_Ca: Any = 4.4 * u.mS,
        V_K: Any = -84.0 * u.mV,
        g_K: Any = 8.0 * u.mS,
        V_leak: Any = -60.0 * u.mV,
        g_leak: Any = 2.0 * u.mS,
        C: Any = 20.0 * u.uF,
        V1: Any = -1.2 * u.mV,
        V2: Any = 18.0 * u.mV,
        V3: Any = 2.0 * u.mV,
        V4: Any = 30.0 * u.mV,
        phi: Any = 0.04 / u.ms,
        V_th: Any = 10.0 * u.mV,
        V_initializer: Any = init.Uniform(-70.0 * u.mV, -60.0 * u.mV),
        W_initializer: Any = init.Constant(0.02),
        spk_fun: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, V_th, u.mV, spk_fun, "soft", name)
        channels = dict(g_Ca=g_Ca, g_K=g_K, g_leak=g_leak)
        self._check_membrane(C, dict(V_Ca=V_Ca, V_K=V_K, V_leak=V_leak, V1=V1, V3=V3), channels)
        self._check(u.mV, positive=True, V2=V2, V4=V4)
        self._check(u.ms**-1, positive=True, phi=phi)
        self.V_initializer = V_initializer
        self.W_initializer = W_initializer

    def _integrate(self, V: Any, I: Any) -> dict[str, Any]:
        params = self._values("V_Ca", "g_Ca", "V_K", "g_K", "V_leak", "g_leak", "C", "V1", "V2")
        return {
            "V": exp_euler_step(ml_dv, V, self.W.value, I, **params),
            "W": exp_euler_step(ml_dw, self.W.value, V, **self._values("V3", "V4", "phi")),
        }
