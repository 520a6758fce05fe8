"""Hindmarsh-Rose neuron (dimensionless bursting model)."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import exp_euler_step
from ._hh import ONE, _NeuronBase

__all__ = ["HindmarshRose", "hindmarsh_rose_dv", "hindmarsh_rose_dy", "hindmarsh_rose_dz"]


def hindmarsh_rose_dv(V: Any, y: Any, z: Any, I: Any, a: Any, b: Any, tau: Any) -> Any:
    r"""dV/dt of the Hindmarsh-Rose neuron, :math:`(y - a V^3 + b V^2 - z + I) / \tau`."""
    return (y - a * V**3 + b * V**2 - z + I) / tau


def hindmarsh_rose_dy(y: Any, V: Any, c: Any, d: Any, tau: Any) -> Any:
    r"""dy/dt of the Hindmarsh-Rose neuron, :math:`(c - d V^2 - y) / \tau`."""
    return (c - d * V**2 - y) / tau


def hindmarsh_rose_dz(z: Any, V: Any, r: Any, s: Any, V_rest: Any, tau: Any) -> Any:
    r"""dz/dt of the Hindmarsh-Rose neuron, :math:`r (s (V - V_r) - z) / \tau`."""
    return r * (s * (V - V_rest) - z) / tau


class HindmarshRose(_NeuronBase):
    r"""Hindmarsh-Rose neuron.

    .. math::

        \tau \frac{dV}{dt} = y - a V^3 + b V^2 - z + I(t), \qquad
        \tau \frac{dy}{dt} = c - d V^2 - y, \qquad
        \tau \frac{dz}{dt} = r \left(s (V - V_r) - z\right)

    V, y, z and the input I are dimensionless; ``tau`` sets the time scale. The slow
    adaptation z makes the neuron fire in bursts (I = 3 with the defaults). The output is
    the upward crossing of ``V_th``, one spike per action potential; V is never reset.
    Bursting is sensitive to the integration error: with the exponential-Euler step used
    here, use ``dt <= 0.01 ms`` (at 0.05 ms the bursts collapse into tonic spiking).

    Parameters
    ----------
    in_size : int or tuple
        Population size.
    a, b, c, d : dimensionless, default 1, 3, 1, 5
    r : dimensionless, default 0.006
        Ratio of the slow and fast time scales.
    s : dimensionless, default 4
    V_rest : dimensionless, default -1.6
        The :math:`V_r` of the equations.
    tau : time, default 1 ms
    V_th : dimensionless, default 1 (must be positive)
    V_initializer, y_initializer, z_initializer : initializer or value, default -1.6, -10, 0
    spk_fun : surrogate spike function, default ``ReluGrad()``
    name : str, optional

    Defaults: dimensionless (the model has no physical units); V starts at V_rest.

    State variables
    ---------------
    V : HiddenState, membrane-like variable.
    y : HiddenState, fast recovery (spiking) variable.
    z : HiddenState, slow adaptation (bursting) variable.
    spike : ShortTermState, the spike of the last step (what ``get_spike()`` returns).

    References
    ----------
    Hindmarsh & Rose (1984), A model of neuronal bursting using three coupled first order
    differential equations, *Proc. R. Soc. Lond. B* 221(1222), 87-102.

    Examples
    --------
    >>> import brainunit as u, jax.numpy as jnp, brainsim
    >>> brainsim.environ.set(dt=0.01 * u.ms)
    >>> hr = brainsim.models.HindmarshRose(1)
    >>> hr.init_state()
    >>> spikes = brainsim.transform.for_loop(lambda i: hr(3.), jnp.arange(100000))
    >>> int(spikes.sum())  # 1000 ms: bursts of 4 spikes
    47
    """

    _states = {"V": ONE, "y": ONE, "z": ONE}

    def __init__(
        self,
        in_size: Any,
        a: Any = 1.0,
        b: Any = 3.0,
        c: Any = 1.0,
        d: Any = 5.0,
        r: Any = 0.006,
        s: Any = 4.0,
        V_rest: Any = -1.6,
        tau: Any = 1.0 * u.ms,
        V_th: Any = 1.0,
        V_initializer: Any = init.Constant(-1.6),
        y_initializer: Any = init.Constant(-10.0),
        z_initializer: Any = init.Constant(0.0),
        spk_fun: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, V_th, None, spk_fun, "soft", name)
        self._check(None, a=a, b=b, c=c, d=d, r=r, s=s, V_rest=V_rest)
        self._check(u.ms, positive=True, tau=tau)
        self.V_initializer = V_initializer
        self.y_initializer = y_initializer
        self.z_initializer = z_initializer

    def _integrate(self, V: Any, I: Any) -> dict[str, Any]:
        y, z = self.y.value, self.z.value
        return {
            "V": exp_euler_step(hindmarsh_rose_dv, V, y, z, I, **self._values("a", "b", "tau")),
            "y": exp_euler_step(hindmarsh_rose_dy, y, V, **self._values("c", "d", "tau")),
            "z": exp_euler_step(hindmarsh_rose_dz, z, V, **self._values("r", "s", "V_rest", "tau")),
        }
