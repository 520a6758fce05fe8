"""Hodgkin-Huxley neuron, and the pieces shared by the neurons of this package that are not
integrate-and-fire models (conductance-based and reduced models).

Shared here: the pure maths of a conductance-based membrane (``membrane_dv``) and of a
gating variable (``gate_dx``, ``gate_rates``), and ``_NeuronBase``, which declares the
states of a model, checks its parameters and turns ``V`` into a spike.
"""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax.numpy as jnp

from ... import environ, init, surrogate
from ..._errors import BrainSimValueError
from ..._state import HiddenState, ShortTermState
from ...nn import Neuron, exp_euler_step
from .._utils import check_param, init_var, value

__all__ = ["HH", "hh_dv", "hh_rates", "gate_dx", "gate_rates", "membrane_dv"]

ONE = u.get_unit(1.0)  # the unit of dimensionless states


# --------------------------------------------------------------------------- pure maths


def membrane_dv(V: Any, I: Any, C: Any, *channels: tuple[Any, Any]) -> Any:
    r"""dV/dt of a conductance-based membrane, :math:`(I - \sum_j g_j (V - E_j)) / C`.

    Each channel is a pair ``(g_j, E_j)``: its conductance (mS, gating included) and its
    reversal potential (mV). With ``I`` in µA and ``C`` in µF the result is in mV/ms.
    """
    total = I
    for g, E in channels:
        total = total - g * (V - E)
    return total / C


def gate_dx(x: Any, alpha: Any, beta: Any) -> Any:
    r"""dx/dt of a gating variable, :math:`\alpha (1 - x) - \beta x`."""
    return alpha * (1.0 - x) - beta * x


def _rate(V: Any, kind: str, A: float, V_half: float, k: float) -> Any:
    z = -(V - V_half * u.mV) / (k * u.mV)
    if kind == "lin":  # A z / (e^z - 1): removable singularity at z = 0
        shape = 1.0 / u.math.exprel(z)
    elif kind == "exp":
        shape = u.math.exp(z)
    else:  # "sig"
        shape = 1.0 / (1.0 + u.math.exp(z))
    return A / u.ms * shape


def gate_rates(V: Any, spec: tuple) -> tuple[Any, Any]:
    r"""The rates :math:`(\alpha, \beta)` (1/ms) of one gate at ``V`` (mV).

    ``spec`` is ``((kind, A, V_half, k), (kind, A, V_half, k))`` for alpha and beta, with
    :math:`z = -(V - V_{half}) / k` and ``kind`` one of ``'lin'`` (:math:`A z/(e^z - 1)`,
    computed with ``exprel``), ``'exp'`` (:math:`A e^z`) or ``'sig'`` (:math:`A/(1 + e^z)`).
    """
    return _rate(V, *spec[0]), _rate(V, *spec[1])


_HH_GATES = {
    "m": (("lin", 1.0, -40.0, 10.0), ("exp", 4.0, -65.0, 18.0)),
    "h": (("exp", 0.07, -65.0, 20.0), ("sig", 1.0, -35.0, 10.0)),
    "n": (("lin", 0.1, -55.0, 10.0), ("exp", 0.125, -65.0, 80.0)),
}


def hh_rates(V: Any) -> dict[str, tuple[Any, Any]]:
    r"""The classic Hodgkin-Huxley rates ``{'m': (alpha, beta), 'h': ..., 'n': ...}`` (1/ms).

    The steady state of a gate is :math:`\alpha / (\alpha + \beta)`.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> a, b = brainsim.models.hh_rates(-65. * u.mV)['m']
    >>> round(float(a / (a + b)), 5)
    0.05293
    """
    return {name: gate_rates(V, spec) for name, spec in _HH_GATES.items()}


def hh_dv(
    V: Any,
    m: Any,
    h: Any,
    n: Any,
    I: Any,
    E_Na: Any,
    g_Na: Any,
    E_K: Any,
    g_K: Any,
    E_L: Any,
    g_L: Any,
    C: Any,
) -> Any:
    r"""dV/dt of the HH neuron, :math:`(I - g_{Na} m^3 h (V - E_{Na}) - g_K n^4 (V - E_K)
    - g_L (V - E_L)) / C`."""
    return membrane_dv(V, I, C, (g_Na * m**3 * h, E_Na), (g_K * n**4, E_K), (g_L, E_L))


# --------------------------------------------------------------------------- shared base


class _NeuronBase(Neuron):
    """Machinery shared by the non-IF neurons (abstract).

    * States are declared in ``_states`` (name -> unit); each is initialised from the
      attribute ``<name>_initializer``, or from ``_steady_state(name, V)`` when that is
      ``None``. Names in ``_short_term`` become ``ShortTermState`` s, the others
      ``HiddenState`` s.
    * The spike is ``spk_fun((V - V_th) / V_th)``; ``V_th`` must be positive.
    * ``update`` (for models without a reset; Izhikevich overrides it) sums the current
      inputs (``x`` defaults to zero in ``_input_unit``), asks ``_integrate`` for the new
      states, adds the delta inputs to ``V`` and returns the upward crossing
      ``spk(V) (1 - spk(V_prev))``: one spike per action potential. It is kept in the
      ShortTermState ``spike``, which ``get_spike()`` returns.
    """

    _states: dict[str, Any] = {}
    _short_term: tuple[str, ...] = ()
    _input_unit: Any = None  # the unit of the input x (None: dimensionless)

    def __init__(
        self, in_size: Any, V_th: Any, V_unit: Any, spk_fun: Any, spk_reset: str, name: str | None
    ) -> None:
        super().__init__(
            in_size, spk_fun=spk_fun or surrogate.ReluGrad(), spk_reset=spk_reset, name=name
        )
        # positive: the spike is scaled by V_th, a negative V_th would flip it
        self.V_th = check_param(self, "V_th", V_th, V_unit, positive=True)

    def _check(
        self, unit: Any, *, positive: bool = False, nonnegative: bool = False, **params: Any
    ) -> None:
        """Check each parameter's unit (and sign) and store it as an attribute."""
        for key, val in params.items():
            val = check_param(self, key, val, unit, positive=positive, nonnegative=nonnegative)
            setattr(self, key, val)

    def _check_membrane(self, C: Any, reversals: dict, conductances: dict) -> None:
        """Check and store C (µF), the reversal potentials (mV) and conductances (mS)."""
        self._check(u.uF, positive=True, C=C)
        self._check(u.mV, **reversals)
        self._check(u.mS, nonnegative=True, **conductances)

    def _values(self, *names: str) -> dict[str, Any]:
        return {key: value(getattr(self, key)) for key in names}

    def _steady_state(self, name: str, V: Any) -> Any:
        raise BrainSimValueError(
            f"{type(self).__name__}({name}_initializer=None): {name} has no steady state in "
            f"this model; give an initializer such as brainsim.init.Constant(0.5)."
        )

    def _initial_values(self, batch_size: int | None) -> dict[str, Any]:
        vals: dict[str, Any] = {}
        for key, unit in self._states.items():
            ini = getattr(self, f"{key}_initializer")
            if ini is None:
                vals[key] = self._steady_state(key, vals["V"])
            else:
                vals[key] = init_var(ini, self.varshape, batch_size, unit)
        vals["spike"] = jnp.zeros_like(u.get_mantissa(vals["V"]), dtype=environ.dftype())
        return vals

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for key, val in self._initial_values(batch_size).items():
            short = key in self._short_term or key == "spike"
            setattr(self, key, (ShortTermState if short else HiddenState)(val))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for key, val in self._initial_values(batch_size).items():
            getattr(self, key).value = val

    def get_spike(self, V: Any = None) -> Any:
        """The spike of the last step (the array ``update`` returned); with ``V``: the
        spike function at that membrane potential (``V`` above threshold, not a crossing)."""
        return self.spike.value if V is None else self._level(V)

    def _level(self, V: Any) -> Any:
        V_th = value(self.V_th)
        return self.spk_fun((V - V_th) / V_th)

    def _emit(self, spike: Any) -> Any:
        """Keep the step's spike for ``get_spike()`` and return it."""
        self.spike.value = spike
        return spike

    def _gates(self, rates: dict[str, tuple[Any, Any]], phi: Any = 1.0) -> dict[str, Any]:
        """One exponential-Euler step of each gate ``name -> (alpha, beta)``."""
        return {
            key: exp_euler_step(gate_dx, getattr(self, key).value, phi * a, phi * b)
            for key, (a, b) in rates.items()
        }

    def _integrate(self, V: Any, I: Any) -> dict[str, Any]:
        raise NotImplementedError

    def update(self, x: Any = None) -> Any:
        V_prev = self.V.value
        if x is None:
            x = 0.0 if self._input_unit is None else 0.0 * self._input_unit
        new = self._integrate(V_prev, self.sum_current_inputs(x, V_prev))
        new["V"] = self.sum_delta_inputs(new["V"])
        for key, val in new.items():
            getattr(self, key).value = val
        return self._emit(self._level(new["V"]) * (1.0 - self._level(V_prev)))


# --------------------------------------------------------------------------- HH


class HH(_NeuronBase):
    r"""Hodgkin-Huxley neuron (classic squid-axon parameters, rest at -65 mV).

    .. math::

        C \frac{dV}{dt} = -g_{Na} m^3 h (V - E_{Na}) - g_K n^4 (V - E_K)
                          - g_L (V - E_L) + I(t)

        \frac{dx}{dt} = \alpha_x(V) (1 - x) - \beta_x(V) x, \quad x \in \{m, h, n\}

        \alpha_m = \frac{0.1 (V + 40)}{1 - e^{-(V + 40)/10}}, \quad
        \beta_m = 4 e^{-(V + 65)/18}, \quad
        \alpha_h = 0.07 e^{-(V + 65)/20}, \quad
        \beta_h = \frac{1}{1 + e^{-(V + 35)/10}}

        \alpha_n = \frac{0.01 (V + 55)}{1 - e^{-(V + 55)/10}}, \quad
        \beta_n = 0.125 e^{-(V + 65)/80}

    (V in mV, rates in 1/ms; the removable singularities use ``exprel``.) Each variable is
    stepped by exponential Euler with the others held at their previous values. The output
    is the upward crossing of ``V_th``, :math:`spk(V_t)(1 - spk(V_{t-1}))`: one spike per
    action potential. V is never reset.

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    E_Na, E_K, E_L : voltage, default 50, -77, -54.387 mV
        Reversal potentials.
    g_Na, g_K, g_L : conductance, default 120, 36, 0.3 mS
        Maximal conductances. g_L is the classic 0.3 mS (rest at -65 mV); brainpy.state
        uses 0.03 mS, which rests at -70.7 mV.
    C : capacitance, default 1 µF
    V_th : voltage, default 20 mV (must be positive)
    V_initializer : initializer or value, default Uniform(-70 mV, -60 mV)
    m_initializer, h_initializer, n_initializer : initializer or None
        ``None`` (default): the steady state :math:`\alpha/(\alpha+\beta)` at the initial V.
    spk_fun : surrogate spike function, default ``ReluGrad()``
    name : str, optional

    Defaults: physiological (squid axon; V in mV, C in µF, currents in µA).

    State variables
    ---------------
    V : HiddenState, membrane potential (mV).
    m, h, n : HiddenState, gating variables (dimensionless).
    spike : ShortTermState, the spike of the last step (what ``get_spike()`` returns).

    Inputs are currents in µA (with C in µF, I/C is in mV/ms).

    References
    ----------
    Hodgkin & Huxley (1952), A quantitative description of membrane current and its
    application to conduction and excitation in nerve, *J. Physiol.* 117(4), 500-544.

    Examples
    --------
    >>> import brainunit as u, jax.numpy as jnp, brainsim
    >>> brainsim.environ.set(dt=0.01 * u.ms)
    >>> hh = brainsim.models.HH(1, V_initializer=brainsim.init.Constant(-65. * u.mV))
    >>> hh.init_state()
    >>> round(float(hh.m.value[0]), 4), round(float(hh.n.value[0]), 4)
    (0.0529, 0.3177)
    >>> spikes = brainsim.transform.for_loop(lambda i: hh(10. * u.uA), jnp.arange(5000))
    >>> int(spikes.sum())  # 50 ms at 10 µA
    4
    """

    _states = {"V": u.mV, "m": ONE, "h": ONE, "n": ONE}
    _input_unit = u.uA

    def __init__(
        self,
        in_size: Any,
        E_Na: Any = 50.0 * u.mV,
        g_Na: Any = 120.0 * u.mS,
        E_K: Any = -77.0 * u.mV,
        g_K: Any = 36.0 * u.mS,
        E_L: Any = -54.387 * u.mV,
        g_L: Any = 0.3 * u.mS,
        C: Any = 1.0 * u.uF,
        V_th: Any = 20.0 * u.mV,
        V_initializer: Any = init.Uniform(-70.0 * u.mV, -60.0 * u.mV),
        m_initializer: Any = None,
        h_initializer: Any = None,
        n_initializer: Any = None,
        spk_fun: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, V_th, u.mV, spk_fun, "soft", name)
        channels = dict(g_Na=g_Na, g_K=g_K, g_L=g_L)
        self._check_membrane(C, dict(E_Na=E_Na, E_K=E_K, E_L=E_L), channels)
        self.V_initializer = V_initializer
        self.m_initializer = m_initializer
        self.h_initializer = h_initializer
        self.n_initializer = n_initializer

    def _steady_state(self, name: str, V: Any) -> Any:
        alpha, beta = gate_rates(V, _HH_GATES[name])
        return alpha / (alpha + beta)

    def _integrate(self, V: Any, I: Any) -> dict[str, Any]:
        gates = {key: getattr(self, key).value for key in "mhn"}
        params = self._values("E_Na", "g_Na", "E_K", "g_K", "E_L", "g_L", "C")
        new = {"V": exp_euler_step(hh_dv, V, I=I, **gates, **params)}
        return {**new, **self._gates(hh_rates(V))}
