"""FitzHugh-Nagumo neuron (dimensionless excitable system)."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import exp_euler_step
from ._hh import ONE, _NeuronBase

__all__ = ["FitzHughNagumo", "fhn_dv", "fhn_dw"]


def fhn_dv(V: Any, w: Any, I: Any, tau: Any) -> Any:
    r"""dV/dt of the FitzHugh-Nagumo neuron, :math:`(V - V^3/3 - w + I) / \tau`."""
    return (V - V**3 / 3.0 - w + I) / tau


def fhn_dw(w: Any, V: Any, a: Any, b: Any, tau_w: Any) -> Any:
    r"""dw/dt of the FitzHugh-Nagumo neuron, :math:`(V + a - b w) / \tau_w`."""
    return (V + a - b * w) / tau_w


class FitzHughNagumo(_NeuronBase):
    r"""FitzHugh-Nagumo neuron.

    .. math::

        \tau \frac{dV}{dt} = V - \frac{V^3}{3} - w + I(t), \qquad
        \tau_w \frac{dw}{dt} = V + a - b w

    V, w and the input I are dimensionless; the time constants are in ms. The output is the
    upward crossing of ``V_th``, one spike per cycle; V is never reset. With the defaults
    the neuron rests without input and oscillates on a limit cycle for I = 0.5.

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    a, b : dimensionless, default 0.7, 0.8
    tau : time, default 1 ms
    tau_w : time, default 12.5 ms
    V_th : dimensionless, default 1 (must be positive)
    V_initializer : initializer or value, default -1.2
    w_initializer : initializer or value, default -0.62
    spk_fun : surrogate spike function, default ``ReluGrad()``
    name : str, optional

    Defaults: dimensionless (the model has no physical units); V starts at rest.

    State variables
    ---------------
    V : HiddenState, fast (membrane-like) variable.
    w : HiddenState, slow recovery variable.
    spike : ShortTermState, the spike of the last step (what ``get_spike()`` returns).

    References
    ----------
    FitzHugh (1961), Impulses and physiological states in theoretical models of nerve
    membrane, *Biophys. J.* 1(6), 445-466. Nagumo, Arimoto & Yoshizawa (1962), An active
    pulse transmission line simulating nerve axon, *Proc. IRE* 50(10), 2061-2070.

    Examples
    --------
    >>> import brainunit as u, jax.numpy as jnp, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> fhn = brainsim.models.FitzHughNagumo(1)
    >>> fhn.init_state()
    >>> spikes = brainsim.transform.for_loop(lambda i: fhn(0.5), jnp.arange(2000))
    >>> int(spikes.sum())  # 200 ms on the limit cycle
    5
    """

    _states = {"V": ONE, "w": ONE}

    def __init__(
        self,
        in_size: Any,
        a: Any = 0.7,
        b: Any = 0.8,
        tau: Any = 1.0 * u.ms,
        tau_w: Any = 12.5 * u.ms,
        V_th: Any = 1.0,
        V_initializer: Any = init.Constant(-1.2),
        w_initializer: Any = init.Constant(-0.62),
        spk_fun: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, V_th, None, spk_fun, "soft", name)
        self._check(None, a=a, b=b)
        self._check(u.ms, positive=True, tau=tau, tau_w=tau_w)
        self.V_initializer = V_initializer
        self.w_initializer = w_initializer

    def _integrate(self, V: Any, I: Any) -> dict[str, Any]:
        return {
            "V": exp_euler_step(fhn_dv, V, self.w.value, I, **self._values("tau")),
            "w": exp_euler_step(fhn_dw, self.w.value, V, **self._values("a", "b", "tau_w")),
        }
