"""The COBA network of Vogels & Abbott (2005) as used in Brette et al. (2007), benchmark 1."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ... import init, random
from ...nn import EventFixedProb
from .._outputs import COBA
from .._projections import AlignPostProj
from ..neurons import LIFRef
from ..synapses import Expon
from ._base import EINetwork

__all__ = ["COBANetwork"]


class COBANetwork(EINetwork):
    r"""Conductance-based E/I network of leaky integrate-and-fire neurons.

    4000 LIF neurons (80 % excitatory) with :math:`C = 200` pF, :math:`g_L = 10` nS
    (:math:`\tau_m = 20` ms), :math:`E_L = -60` mV, :math:`V_{th} = -50` mV,
    :math:`V_{reset} = -60` mV, :math:`\tau_{ref} = 5` ms; exponential conductances
    (:math:`\tau_e = 5` ms, :math:`\tau_i = 10` ms, :math:`E_e = 0` mV, :math:`E_i = -80` mV,
    :math:`w_e = 6` nS, :math:`w_i = 67` nS) through random connections with probability
    0.02 (event-driven, fixed out-degree). No external input: activity is self-sustained
    from the initial conditions :math:`V = E_L + (5\,\mathcal{N}(0,1) - 5)` mV,
    :math:`g_e = (1.5\,\mathcal{N}(0,1) + 4) \cdot 10` nS,
    :math:`g_i = (12\,\mathcal{N}(0,1) + 20) \cdot 10` nS.

    ``update()`` advances one step and returns the spikes of all neurons (excitatory
    first). Parameters scale the network (``n_exc``, ``n_inh``; weights are kept, as in the
    benchmark, so small networks are not self-sustaining).

    References
    ----------
    Vogels & Abbott (2005) J Neurosci 25:10786. Brette et al. (2007) J Comput Neurosci
    23:349, benchmark 1.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> net = brainsim.models.networks.COBANetwork(n_exc=80, n_inh=20, seed=1)
    >>> _ = brainsim.nn.init_all_states(net)
    >>> with brainsim.environ.context(t=0. * u.ms, i=0):
    ...     spikes = net()
    >>> spikes.shape
    (100,)
    """

    def __init__(self, n_exc: int = 3200, n_inh: int = 800, p: float = 0.02,
                 we: Any = 6.0 * u.nS, wi: Any = 67.0 * u.nS, seed: int = 0,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        n = n_exc + n_inh
        self.n_exc, self.n_inh = n_exc, n_inh
        self.N = LIFRef(
            n, R=1.0 / (10.0 * u.nS), tau=20.0 * u.ms, tau_ref=5.0 * u.ms,
            V_rest=-60.0 * u.mV, V_th=-50.0 * u.mV, V_reset=-60.0 * u.mV,
            V_initializer=init.Normal(-65.0 * u.mV, 5.0 * u.mV), spk_reset="hard",
        )
        self.E = AlignPostProj(
            comm=EventFixedProb(n_exc, n, p, we, seed=seed),
            syn=Expon.desc(n, tau=5.0 * u.ms,
                           g_initializer=init.Normal(40.0 * u.nS, 15.0 * u.nS)),
            out=COBA.desc(E=0.0 * u.mV), post=self.N,
        )
        self.I = AlignPostProj(
            comm=EventFixedProb(n_inh, n, p, wi, seed=seed + 1),
            syn=Expon.desc(n, tau=10.0 * u.ms,
                           g_initializer=init.Normal(200.0 * u.nS, 120.0 * u.nS)),
            out=COBA.desc(E=-80.0 * u.mV), post=self.N,
        )



del random
