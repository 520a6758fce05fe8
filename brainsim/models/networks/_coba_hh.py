"""The COBA-HH network of Brette et al. (2007), benchmark 3, and its Traub-Miles neuron."""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax.numpy as jnp

from ... import environ, init, surrogate
from ..._state import HiddenState, ShortTermState
from ...nn import EventFixedProb, Neuron, exp_euler_step
from .._outputs import COBA
from .._projections import AlignPostProj
from .._utils import check_param, init_var, value
from ..neurons import gate_dx, gate_rates, hh_dv
from ..synapses import Expon
from ._base import EINetwork, connection_probability

__all__ = ["TraubHH", "traub_rates", "COBAHHNetwork"]

_AREA = 20000.0 * u.um**2


def traub_rates(V: Any, V_T: Any = -63.0 * u.mV) -> dict[str, tuple[Any, Any]]:
    r"""Traub & Miles (1991) rates ``{'m': (alpha, beta), 'h': ..., 'n': ...}`` (1/ms).

    With :math:`v = V - V_T` in mV (Brette et al. 2007, benchmark 3):

    .. math::

        \alpha_m = \frac{0.32 (13 - v)}{e^{(13 - v)/4} - 1}, \quad
        \beta_m = \frac{0.28 (v - 40)}{e^{(v - 40)/5} - 1}, \quad
        \alpha_h = 0.128\, e^{(17 - v)/18}, \quad
        \beta_h = \frac{4}{1 + e^{(40 - v)/5}}

        \alpha_n = \frac{0.032 (15 - v)}{e^{(15 - v)/5} - 1}, \quad
        \beta_n = 0.5\, e^{(10 - v)/40}

    (the removable singularities use ``exprel``).

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> a, b = brainsim.models.networks.traub_rates(-63. * u.mV)['h']
    >>> round(float(a.to_decimal(u.kHz)), 4)   # 0.128 / ms * e^(17/18)
    0.3291
    """
    v = V - V_T
    spec = {
        "m": (("lin", 1.28, 13.0, 4.0), ("lin", 1.4, 40.0, -5.0)),
        "h": (("exp", 0.128, 17.0, 18.0), ("sig", 4.0, 40.0, 5.0)),
        "n": (("lin", 0.16, 15.0, 5.0), ("exp", 0.5, 10.0, 40.0)),
    }
    return {name: gate_rates(v, s) for name, s in spec.items()}


class TraubHH(Neuron):
    r"""Hodgkin-Huxley neuron with the Traub-Miles kinetics of Brette et al. (2007).

    .. math::

        C \frac{dV}{dt} = -g_L (V - E_L) - g_{Na} m^3 h (V - E_{Na})
                          - g_K n^4 (V - E_K) + I(t)

    with the gates :math:`\dot x = \alpha_x (1 - x) - \beta_x x` and the rates of
    :func:`traub_rates`. Every variable is stepped by exponential Euler with the others at
    their previous values (as Brian2's ``exponential_euler``). The output is the upward
    crossing of ``V_th``; V is never reset.

    Parameters
    ----------
    in_size : int or tuple
    C : capacitance, default 200 pF (1 µF/cm² over 20000 µm²)
    g_L, g_Na, g_K : conductance, default 10 nS, 20 µS, 6 µS
        (5e-5 S/cm², 100 mS/cm², 30 mS/cm² over 20000 µm²).
    E_L, E_Na, E_K : voltage, default -60, 50, -90 mV
    V_T : voltage, default -63 mV
        Shift of the rate functions.
    V_th : voltage, default -20 mV
        Spike detection threshold.
    V_initializer : initializer or value, default Normal(-65 mV, 5 mV)
    spk_fun : surrogate spike function, default ``ReluGrad()``
    name : str, optional

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    m, h, n : HiddenState, gates, initialised at their steady state for the initial V.
    spike : ShortTermState, the spike of the last step (what ``get_spike()`` returns).

    Inputs are currents (e.g. pA).

    References
    ----------
    Traub & Miles (1991), *Neuronal Networks of the Hippocampus*. Brette et al. (2007)
    J Comput Neurosci 23:349, benchmark 3.

    Examples
    --------
    >>> import brainunit as u, jax.numpy as jnp, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> neu = brainsim.models.networks.TraubHH(2, V_initializer=-65. * u.mV)
    >>> neu.init_state()
    >>> drive = jnp.array([0., 0.5]) * u.nA
    >>> counts = brainsim.transform.for_loop(lambda i: neu(drive), jnp.arange(2000)).sum(0)
    >>> bool(counts[1] > 3 * counts[0])   # 200 ms: slow firing alone, fast under 0.5 nA
    True
    """

    def __init__(
        self,
        in_size: Any,
        C: Any = 1.0 * u.uF / u.cm**2 * _AREA,
        g_L: Any = 5e-5 * u.siemens / u.cm**2 * _AREA,
        g_Na: Any = 100.0 * u.msiemens / u.cm**2 * _AREA,
        g_K: Any = 30.0 * u.msiemens / u.cm**2 * _AREA,
        E_L: Any = -60.0 * u.mV,
        E_Na: Any = 50.0 * u.mV,
        E_K: Any = -90.0 * u.mV,
        V_T: Any = -63.0 * u.mV,
        V_th: Any = -20.0 * u.mV,
        V_initializer: Any = init.Normal(-65.0 * u.mV, 5.0 * u.mV),
        spk_fun: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, spk_fun=spk_fun or surrogate.ReluGrad(), name=name)
        self.C = check_param(self, "C", C, u.pF, positive=True)
        for key, val in dict(g_L=g_L, g_Na=g_Na, g_K=g_K).items():
            setattr(self, key, check_param(self, key, val, u.nS, nonnegative=True))
        for key, val in dict(E_L=E_L, E_Na=E_Na, E_K=E_K, V_T=V_T, V_th=V_th).items():
            setattr(self, key, check_param(self, key, val, u.mV))
        self.V_initializer = V_initializer

    def _initial(self, batch_size: int | None) -> dict[str, Any]:
        V = init_var(self.V_initializer, self.varshape, batch_size, u.mV)
        gates = {k: a / (a + b) for k, (a, b) in traub_rates(V, value(self.V_T)).items()}
        spike = jnp.zeros_like(u.get_mantissa(V), dtype=environ.dftype())
        return {"V": V, **{k: u.maybe_decimal(g) for k, g in gates.items()}, "spike": spike}

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for key, val in self._initial(batch_size).items():
            setattr(self, key, (ShortTermState if key == "spike" else HiddenState)(val))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for key, val in self._initial(batch_size).items():
            getattr(self, key).value = val

    def get_spike(self, V: Any = None) -> Any:
        """The spike of the last step (the upward crossing ``update`` returned); with ``V``:
        the spike function at that membrane potential."""
        return self.spike.value if V is None else self._level(V)

    def _level(self, V: Any) -> Any:
        return self.spk_fun((V - value(self.V_th)).to_decimal(u.mV))

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        V = self.V.value
        I = self.sum_current_inputs(x, V)  # noqa: E741
        gates = {k: getattr(self, k).value for k in "mhn"}
        p = {k: value(getattr(self, k)) for k in ("E_Na", "g_Na", "E_K", "g_K", "E_L", "g_L", "C")}
        V_new = self.sum_delta_inputs(exp_euler_step(hh_dv, V, I=I, **gates, **p))
        for k, (a, b) in traub_rates(V, value(self.V_T)).items():
            getattr(self, k).value = exp_euler_step(gate_dx, gates[k], a, b)
        self.V.value = V_new
        self.spike.value = self._level(V_new) * (1.0 - self._level(V))
        return self.spike.value


class COBAHHNetwork(EINetwork):
    r"""Conductance-based E/I network of Traub-Miles HH neurons (Brette benchmark 3).

    4000 :class:`TraubHH` neurons (80 % excitatory; area 20000 µm², :math:`C = 1`
    µF/cm², :math:`g_L = 5 \cdot 10^{-5}` S/cm², :math:`E_L = -60` mV,
    :math:`g_{Na} = 100` mS/cm², :math:`g_K = 30` mS/cm², :math:`E_{Na} = 50` mV,
    :math:`E_K = -90` mV, :math:`V_T = -63` mV); exponential conductances
    (:math:`\tau_e = 5` ms, :math:`\tau_i = 10` ms, :math:`E_e = 0` mV, :math:`E_i = -80`
    mV, :math:`w_e = 6` nS, :math:`w_i = 67` nS) through random connections with probability
    0.02 (event-driven, fixed out-degree, no multapses). No external input: the activity is
    sustained from the initial conditions of Brian2's reference script,
    :math:`V = E_L + (5\,\mathcal{N}(0,1) - 5)` mV,
    :math:`g_e = (1.5\,\mathcal{N}(0,1) + 4) \cdot 10` nS,
    :math:`g_i = (12\,\mathcal{N}(0,1) + 20) \cdot 10` nS; the gates start at their steady
    state for the initial V. A spike is an upward crossing of -20 mV.

    ``update()`` advances one step and returns the spikes of all neurons (excitatory
    first).

    Parameters
    ----------
    n_exc, n_inh : int, default 3200, 800
    p : float or None, default None
        Connection probability; ``None``: ``min(1, 80 / N)``, a fixed expected in-degree of
        80 (0.02 at N = 4000).
    we, wi : conductance, default 6 nS and 67 nS
    seed : int, default 0
        Seed of the connectivity.
    name : str, optional

    References
    ----------
    Brette et al. (2007) J Comput Neurosci 23:349, benchmark 3; Traub & Miles (1991).

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> net = brainsim.models.networks.COBAHHNetwork(n_exc=80, n_inh=20, seed=1)
    >>> _ = brainsim.nn.init_all_states(net)
    >>> with brainsim.environ.context(t=0. * u.ms, i=0):
    ...     spikes = net()
    >>> spikes.shape
    (100,)
    """

    def __init__(
        self,
        n_exc: int = 3200,
        n_inh: int = 800,
        p: float | None = None,
        we: Any = 6.0 * u.nS,
        wi: Any = 67.0 * u.nS,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        n = n_exc + n_inh
        self.n_exc, self.n_inh = n_exc, n_inh
        p = connection_probability(p, n)
        self.N = TraubHH(n, V_initializer=init.Normal(-65.0 * u.mV, 5.0 * u.mV))
        self.E = AlignPostProj(
            comm=EventFixedProb(n_exc, n, p, we, seed=seed, allow_multi_conn=False),
            syn=Expon.desc(n, tau=5.0 * u.ms, g_initializer=init.Normal(40.0 * u.nS, 15.0 * u.nS)),
            out=COBA.desc(E=0.0 * u.mV),
            post=self.N,
        )
        self.I = AlignPostProj(
            comm=EventFixedProb(n_inh, n, p, wi, seed=seed + 1, allow_multi_conn=False),
            syn=Expon.desc(
                n, tau=10.0 * u.ms, g_initializer=init.Normal(200.0 * u.nS, 120.0 * u.nS)
            ),
            out=COBA.desc(E=-80.0 * u.mV),
            post=self.N,
        )

