"""The sparse E/I network of Brunel (2000): delta synapses, delays, external Poisson drive."""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax.numpy as jnp

from ... import environ, init, random
from ..._errors import BrainSimValueError
from ..._state import ShortTermState
from ...nn import EventFixedProb, Module
from .._projections import DeltaProj
from ..neurons import LIFRef
from ._base import refill_states

__all__ = ["BrunelNetwork"]


class BrunelNetwork(Module):
    r"""Sparsely connected network of excitatory and inhibitory LIF neurons (Brunel 2000).

    .. math::

        \tau \frac{dV_i}{dt} = -V_i + \tau \sum_j J_{ij} \sum_k \delta(t - t_j^k - D)

    with :math:`\tau = 20` ms, threshold :math:`\theta = 20` mV, reset
    :math:`V_r = 10` mV, refractory period 2 ms and transmission delay :math:`D = 1.5` ms.
    Every neuron receives on average :math:`C_E = \epsilon N_E` excitatory connections of
    strength :math:`J` and :math:`C_I = \epsilon N_I` inhibitory ones of strength
    :math:`-g J` (a synaptic event makes V jump), plus :math:`C_E` independent external
    Poisson inputs of strength :math:`J`, each at rate
    :math:`\nu_{ext} = \eta\, \nu_{thr}` with :math:`\nu_{thr} = \theta / (J C_E \tau)`.
    Inputs arriving during the refractory period are lost. The regime is set by
    :math:`g` and :math:`\eta = \nu_{ext}/\nu_{thr}`: :math:`g = 5, \eta = 2` gives
    asynchronous irregular (AI) activity, :math:`g = 3, \eta = 2` synchronous regular (SR).

    Implementation: the recurrent connections are event-driven with a fixed out-degree
    :math:`\epsilon N_{post}` and no multapses (so the in-degree is :math:`C_E` on average,
    binomially distributed, instead of exactly :math:`C_E`). The delay is a ring buffer of the
    population's output (``output_delay``) read :math:`D - dt` back before each step's
    update, which gives a total delay of exactly :math:`D`. The external drive is the
    summed count of the :math:`C_E` Poisson sources each step (a Poisson count of mean
    :math:`C_E \nu_{ext} dt`), added as a jump of V before the threshold, like the recurrent
    input. Initial V is uniform in :math:`[0, \theta]`.

    ``update()`` advances one step and returns the spikes of all neurons (excitatory
    first).

    Parameters
    ----------
    n_exc, n_inh : int, default 10000, 2500
    epsilon : float, default 0.1
        Connection probability.
    J : voltage, default 0.1 mV
        Excitatory PSP amplitude (jump of V).
    g : float, default 5.0
        Relative strength of inhibition.
    eta : float, default 2.0
        :math:`\nu_{ext} / \nu_{thr}`.
    delay : time, default 1.5 ms
        Transmission delay (a multiple of dt, at least dt).
    seed : int, default 0
        Seed of the connectivity.
    name : str, optional

    Attributes
    ----------
    nu_ext : frequency
        Rate of each external Poisson source.

    References
    ----------
    Brunel (2000) Dynamics of sparsely connected networks of excitatory and inhibitory
    spiking neurons, J Comput Neurosci 8:183-208.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> net = brainsim.models.networks.BrunelNetwork(n_exc=400, n_inh=100, g=5.0, eta=2.0)
    >>> round(float(net.nu_ext.to_decimal(u.Hz)), 1)   # 2 * 20 mV / (0.1 mV * 40 * 20 ms)
    500.0
    >>> _ = brainsim.nn.init_all_states(net)
    >>> with brainsim.environ.context(t=0. * u.ms, i=0):
    ...     spikes = net()
    >>> spikes.shape
    (500,)
    """

    def __init__(
        self,
        n_exc: int = 10000,
        n_inh: int = 2500,
        epsilon: float = 0.1,
        J: Any = 0.1 * u.mV,
        g: float = 5.0,
        eta: float = 2.0,
        delay: Any = 1.5 * u.ms,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        dt = environ.get_dt()
        if not delay >= dt:
            raise BrainSimValueError(
                f"BrunelNetwork(delay=...): the delay must be at least one step (dt = {dt}), "
                f"got {delay}."
            )
        n = n_exc + n_inh
        self.n_exc, self.n_inh = n_exc, n_inh
        self.C_E = int(epsilon * n_exc)
        theta, tau = 20.0 * u.mV, 20.0 * u.ms
        self.J, self.g, self.eta = J, g, eta
        self.nu_ext = (eta * theta / (J * self.C_E * tau)).in_unit(u.Hz)
        self.N = LIFRef(
            n,
            tau=tau,
            tau_ref=2.0 * u.ms,
            V_rest=0.0 * u.mV,
            V_th=theta,
            V_reset=10.0 * u.mV,
            V_initializer=init.Uniform(0.0 * u.mV, theta),
            spk_reset="hard",
        )
        # the output as it was `delay - dt` ago, read before this step's update: delay D
        self.E = DeltaProj(
            self.N.output_delay(delay - dt, slice(0, n_exc)),
            comm=EventFixedProb(n_exc, n, epsilon, J, seed=seed, allow_multi_conn=False),
            post=self.N,
        )
        self.I = DeltaProj(
            self.N.output_delay(delay - dt, slice(n_exc, n)),
            comm=EventFixedProb(n_inh, n, epsilon, -g * J, seed=seed + 1, allow_multi_conn=False),
            post=self.N,
        )

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        if batch_size is not None:
            raise BrainSimValueError(
                "BrunelNetwork: batching is not supported (the delay buffer holds one "
                "network); build several networks or vmap over independent ones instead."
            )
        self.spike = ShortTermState(jnp.zeros(self.n_exc + self.n_inh))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        refill_states(self, self.init_state, batch_size)

    def update(self) -> Any:
        self.E()
        self.I()
        # C_E independent Poisson sources at nu_ext: their summed count is Poisson
        lam = u.maybe_decimal(self.C_E * self.nu_ext * environ.get_dt())
        count = random.poisson(lam, (self.n_exc + self.n_inh,)).astype(environ.dftype())
        self.N.add_delta_input("external", count * self.J)
        spk = self.N()
        self.spike.value = spk
        return spk
