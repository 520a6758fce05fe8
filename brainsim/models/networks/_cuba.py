"""The current-based CUBA network of Brette et al. (2007), benchmark 2."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init
from ...nn import EventFixedProb
from .._outputs import CUBA
from .._projections import AlignPostProj
from ..neurons import LIFRef
from ..synapses import Expon
from ._base import EINetwork, connection_probability

__all__ = ["CUBANetwork"]


class CUBANetwork(EINetwork):
    r"""Current-based E/I network of leaky integrate-and-fire neurons (Brette benchmark 2).

    .. math::

        \tau_m \frac{dV}{dt} = -(V - E_L) + g_e + g_i, \qquad
        \tau_e \frac{dg_e}{dt} = -g_e, \qquad \tau_i \frac{dg_i}{dt} = -g_i

    with :math:`\tau_m = 20` ms, :math:`E_L = -49` mV, :math:`V_{th} = -50` mV,
    :math:`V_{reset} = -60` mV, refractory period 5 ms, :math:`\tau_e = 5` ms,
    :math:`\tau_i = 10` ms. A presynaptic spike makes :math:`g_e` jump by
    :math:`w_e = 60 \cdot 0.27 / 10 = 1.62` mV or :math:`g_i` by
    :math:`w_i = -20 \cdot 4.5 / 10 = -9` mV. Connections are random with probability 0.02
    (event-driven, fixed out-degree, no multapses); 80 % of the neurons are excitatory. Since
    :math:`E_L > V_{th}` the neurons fire without input; the initial potentials are uniform
    in :math:`[V_{reset}, V_{th}]` and :math:`g_e = g_i = 0`.

    **Mapping to brainsim.** The benchmark's :math:`g_e, g_i` are in volts: they are
    :math:`R I_{syn}`. Here each is an :class:`Expon` synapse whose state ``g`` is in mV
    (weights in mV: the PSC jump in units of :math:`R I`), and the output is
    ``CUBA(scale=1 / R)``, so the current into the :class:`LIFRef` is :math:`g / R` and
    :math:`R I = g` exactly, whatever the membrane resistance ``R`` (100 MOhm here,
    :math:`C = \tau_m / R = 200` pF). A weight :math:`w` therefore gives the benchmark's
    PSP: a jump :math:`w` of the exponential current, filtered by the membrane.

    ``update()`` advances one step and returns the spikes of all neurons (excitatory
    first).

    Parameters
    ----------
    n_exc, n_inh : int, default 3200, 800
    p : float or None, default None
        Connection probability; ``None``: ``min(1, 80 / N)``, a fixed expected in-degree of
        80 (0.02 at N = 4000).
    we, wi : voltage, default 1.62 mV and -9 mV
        Jumps of :math:`g_e` and :math:`g_i` per presynaptic spike.
    seed : int, default 0
        Seed of the connectivity.
    name : str, optional

    References
    ----------
    Brette et al. (2007) J Comput Neurosci 23:349, benchmark 2 (after Vogels & Abbott 2005).

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> net = brainsim.models.networks.CUBANetwork(n_exc=80, n_inh=20, seed=1)
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
        we: Any = 1.62 * u.mV,
        wi: Any = -9.0 * u.mV,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        n = n_exc + n_inh
        self.n_exc, self.n_inh = n_exc, n_inh
        p = connection_probability(p, n)
        R = 100.0 * u.Mohm
        self.N = LIFRef(
            n,
            R=R,
            tau=20.0 * u.ms,
            tau_ref=5.0 * u.ms,
            V_rest=-49.0 * u.mV,
            V_th=-50.0 * u.mV,
            V_reset=-60.0 * u.mV,
            V_initializer=init.Uniform(-60.0 * u.mV, -50.0 * u.mV),
            spk_reset="hard",
        )
        g0 = init.Constant(0.0 * u.mV)
        self.E = AlignPostProj(
            comm=EventFixedProb(n_exc, n, p, we, seed=seed, allow_multi_conn=False),
            syn=Expon.desc(n, tau=5.0 * u.ms, g_initializer=g0),
            out=CUBA.desc(scale=1.0 / R),
            post=self.N,
        )
        self.I = AlignPostProj(
            comm=EventFixedProb(n_inh, n, p, wi, seed=seed + 1, allow_multi_conn=False),
            syn=Expon.desc(n, tau=10.0 * u.ms, g_initializer=g0),
            out=CUBA.desc(scale=1.0 / R),
            post=self.N,
        )

