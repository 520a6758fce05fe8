"""LIF neurons with a built-in exponential synapse: current-based and conductance-based."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import exp_euler_step
from .._utils import value
from ._common import IFBase, bind_params
from ._lif import lif_dv

__all__ = ["CubaLIF", "CobaLIF", "cubalif_dg", "cobalif_dv"]


def cubalif_dg(g: Any, tau_syn: Any) -> Any:
    """dg/dt of the built-in synapse (current or conductance): ``-g / tau_syn``."""
    return -g / tau_syn


def cobalif_dv(V: Any, I: Any, g: Any, V_rest: Any, E: Any, R: Any, tau: Any) -> Any:  # noqa: E741
    """dV/dt of the CobaLIF neuron: ``(-(V - V_rest) + R (g (E - V) + I)) / tau``."""
    return (-(V - V_rest) + R * (g * (E - V) + I)) / tau


class _SynapticLIF(IFBase):
    """LIF with a synaptic variable ``g`` that decays with ``tau_syn`` and receives the
    delta inputs (spike arrivals). ``g`` is updated first and drives V in the same step."""

    def _integrate(self, jumped: dict[str, Any], I: Any) -> dict[str, Any]:  # noqa: E741
        g = exp_euler_step(cubalif_dg, self.g.value, value(self.tau_syn))
        g = self.sum_delta_inputs(g)
        return {"V": self._step_V(jumped["V"], g, I), "g": g}


class CubaLIF(_SynapticLIF):
    r"""Current-based LIF neuron with a built-in exponential synaptic current.

    .. math::

        \tau_{syn} \frac{dg}{dt} = -g, \qquad
        \tau \frac{dV}{dt} = -(V - V_{rest}) + R (g + I(t))

    Delta inputs (e.g. weighted spikes, in mA) are added to :math:`g`, which then drives V
    in the same step. Spike and reset as in :class:`LIF`.

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau, tau_syn : time, default 5, 5 ms
    V_th, V_reset, V_rest : voltage, default 1, 0, 0 mV
    V_initializer : initializer, value or None, default None
        The initial V; ``None``: ``V_rest`` (so a physiological ``V_rest`` needs nothing else).
    g_initializer : initializer or value, default 0 mA
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
    g : HiddenState, synaptic current (mA).

    References
    ----------
    Gerstner, Kistler, Naud & Paninski (2014), *Neuronal Dynamics*, ch. 3.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.CubaLIF(2)
    >>> neu.init_state()
    >>> neu.add_delta_input('spikes', 3. * u.mA)
    >>> _ = neu()
    >>> neu.g.value.to_decimal(u.mA)
    Array([3., 3.], dtype=float32)
    """

    _hidden = {"V": u.mV, "g": u.mA}

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 5.0 * u.ms,
        tau_syn: Any = 5.0 * u.ms,
        V_th: Any = 1.0 * u.mV,
        V_reset: Any = 0.0 * u.mV,
        V_rest: Any = 0.0 * u.mV,
        V_initializer: Any = None,
        g_initializer: Any = init.Constant(0.0 * u.mA),
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        bind_params(self, R=R, tau=tau, tau_syn=tau_syn, V_th=V_th, V_reset=V_reset, V_rest=V_rest)
        self.V_initializer = V_initializer
        self.g_initializer = g_initializer

    def _step_V(self, V: Any, g: Any, I: Any) -> Any:  # noqa: E741
        return exp_euler_step(lif_dv, V, g + I, *self._params("V_rest", "R", "tau"))


class CobaLIF(_SynapticLIF):
    r"""Conductance-based LIF neuron with a built-in exponential synaptic conductance.

    .. math::

        \tau_{syn} \frac{dg}{dt} = -g, \qquad
        \tau \frac{dV}{dt} = -(V - V_{rest}) + R (g (E - V) + I(t))

    Delta inputs (conductance jumps, in S) are added to :math:`g`, which then drives V in the
    same step (the :math:`-R g V` term is part of the exponential-Euler Jacobian). Spike
    and reset as in :class:`LIF`.

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    R : resistance, default 1 ohm
    tau, tau_syn : time, default 5, 5 ms
    V_th, V_reset, V_rest : voltage, default 1, 0, 0 mV
    E : voltage, default 0 mV
        Synaptic reversal potential.
    V_initializer : initializer, value or None, default None
        The initial V; ``None``: ``V_rest`` (so a physiological ``V_rest`` needs nothing else).
    g_initializer : initializer or value, default 0 S
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
    g : HiddenState, synaptic conductance (S).

    References
    ----------
    Gerstner, Kistler, Naud & Paninski (2014), *Neuronal Dynamics*, ch. 3.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.CobaLIF(2, E=10. * u.mV)
    >>> neu.init_state()
    >>> neu.add_delta_input('spikes', 0.5 * u.siemens)
    >>> _ = neu()
    >>> neu.V.value.to_decimal(u.mV)
    Array([0.09..., 0.09...], dtype=float32)
    """

    _hidden = {"V": u.mV, "g": u.siemens}

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 5.0 * u.ms,
        tau_syn: Any = 5.0 * u.ms,
        V_th: Any = 1.0 * u.mV,
        V_reset: Any = 0.0 * u.mV,
        V_rest: Any = 0.0 * u.mV,
        E: Any = 0.0 * u.mV,
        V_initializer: Any = None,
        g_initializer: Any = init.Constant(0.0 * u.siemens),
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        bind_params(self, R=R, tau=tau, tau_syn=tau_syn, V_th=V_th, V_reset=V_reset, V_rest=V_rest)
        bind_params(self, E=E)
        self.V_initializer = V_initializer
        self.g_initializer = g_initializer

    def _step_V(self, V: Any, g: Any, I: Any) -> Any:  # noqa: E741
        return exp_euler_step(cobalif_dv, V, I, g, *self._params("V_rest", "E", "R", "tau"))
