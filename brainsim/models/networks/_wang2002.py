"""The decision-making network of Wang (2002): two competing selective populations."""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax.numpy as jnp
import numpy as np

from ... import environ, init, random
from ..._errors import BrainSimValueError
from ..._state import ShortTermState
from ...nn import Module
from .._outputs import COBA, MgBlock
from .._projections import AlignPostProj, CurrentProj
from ..neurons import LIFRef
from ..synapses import BioNMDA, Expon
from ._base import refill_states

__all__ = ["DecisionNetwork"]


class _GroupSum(Module):
    """All-to-all connectivity with one weight per (presynaptic group, postsynaptic neuron):
    ``y = [sum of x over each group] @ W``. Costs O(n_pre + n_groups n_post) per step."""

    def __init__(self, bounds: list[tuple[int, int]], weight: Any) -> None:
        super().__init__()
        self.bounds = tuple(bounds)
        self.in_size = (bounds[-1][1],)
        self.out_size = (int(np.shape(u.get_mantissa(weight))[-1]),)
        self.weight = weight

    def update(self, x: Any) -> Any:
        xm = jnp.asarray(u.get_mantissa(x), environ.dftype())
        sums = jnp.stack([jnp.sum(xm[..., a:b], axis=-1) for a, b in self.bounds], axis=-1)
        w = self.weight
        return u.Quantity(sums @ w.mantissa, unit=w.unit)


class DecisionNetwork(Module):
    r"""Recurrent network for two-alternative decisions (Wang 2002), scalable in size.

    :math:`N_E` excitatory and :math:`N_I = N_E / 4` inhibitory conductance-based LIF
    neurons. A fraction :math:`f = 0.15` of the excitatory cells forms each of the two
    selective populations A and B, the rest is non-selective. All connections are
    all-to-all with the synaptic currents

    .. math::

        I = g_{AMPA,ext} s_{ext} (V - 0) + g_{AMPA} \sum_j w_j s_j^{AMPA} (V - 0)
            + \frac{g_{NMDA} \sum_j w_j s_j^{NMDA} (V - 0)}{1 + [Mg] e^{-0.062 V}/3.57}
            + g_{GABA} \sum_j s_j^{GABA} (V + 70)

    Weights :math:`w_+ = 1.7` within A and within B, :math:`w_- = 1 - f (w_+ - 1)/(1 - f)`
    from A to B, B to A and non-selective to selective cells, 1 otherwise. Neurons: E
    :math:`C = 0.5` nF, :math:`g_L = 25` nS, :math:`\tau_{ref} = 2` ms; I :math:`C = 0.2`
    nF, :math:`g_L = 20` nS, :math:`\tau_{ref} = 1` ms; :math:`E_L = -70` mV,
    :math:`V_{th} = -50` mV, :math:`V_{reset} = -55` mV. Synapses: AMPA exponential,
    :math:`\tau = 2` ms; GABA exponential, :math:`\tau = 5` ms; NMDA second order with
    rise 2 ms, decay 100 ms and :math:`\alpha = 0.5` /ms. Conductances (E / I cells, nS):
    external AMPA 2.1 / 1.62, recurrent AMPA 0.05 / 0.04, NMDA 0.165 / 0.13, GABA 1.3 / 1.0,
    given for :math:`N_E = 1600`, :math:`N_I = 400`; recurrent conductances are scaled by
    :math:`1600 / N_E` and :math:`400 / N_I` so that smaller networks keep the same mean
    input. Every neuron receives background Poisson input at 2.4 kHz (800 sources at
    3 Hz); during a stimulus, each cell of A (B) receives an extra Poisson train at
    :math:`\mu_0 (1 \pm c)` with :math:`\mu_0 = 40` Hz and coherence :math:`c`.

    Implementation: AMPA and GABA are :class:`Expon` synapses on the postsynaptic side
    (``AlignPostProj``; external and recurrent AMPA share one conductance, which is exact
    since they have the same time constant and reversal potential); NMDA is a presynaptic
    :class:`BioNMDA` (``x``: rise 2 ms, driven by a 0.5 ms transmitter pulse with
    :math:`\alpha_2 T = 5` /ms, which gives the same time integral of ``x`` per isolated
    spike, 2 ms, as the jump of 1 in Wang's model; ``g``: :math:`\alpha_1 = 0.5` /ms,
    :math:`\beta_1 = 0.01` /ms) read through :class:`MgBlock`. All-to-all sums are taken
    per presynaptic group, so a step costs O(N). The external inputs are Poisson counts
    of the summed rate per neuron and step.

    ``update()`` advances one step and returns the spikes of all neurons: A, B,
    non-selective, then inhibitory. ``set_stimulus(coherence, on)`` changes the stimulus
    (no recompilation: both are States).

    Parameters
    ----------
    n_exc : int, default 1600
        Number of excitatory neurons (:math:`N_I = N_E / 4`).
    f : float, default 0.15
        Fraction of excitatory cells in each selective population.
    w_plus : float, default 1.7
    mu0 : frequency, default 40 Hz
    coherence : float, default 0.0
        Initial stimulus coherence in [-1, 1] (positive favours A).
    name : str, optional

    References
    ----------
    Wang (2002) Probabilistic decision making by slow reverberation in cortical circuits,
    Neuron 36:955-968.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> net = brainsim.models.networks.DecisionNetwork(n_exc=160)
    >>> net.n_A, net.n_B, net.n_ns, net.n_inh
    (24, 24, 112, 40)
    >>> _ = brainsim.nn.init_all_states(net)
    >>> with brainsim.environ.context(t=0. * u.ms, i=0):
    ...     spikes = net()
    >>> spikes.shape
    (200,)
    """

    def __init__(
        self,
        n_exc: int = 1600,
        f: float = 0.15,
        w_plus: float = 1.7,
        mu0: Any = 40.0 * u.Hz,
        coherence: float = 0.0,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        n_sel = int(round(f * n_exc))
        if n_sel < 1 or 2 * n_sel >= n_exc:
            raise BrainSimValueError(
                f"DecisionNetwork(n_exc={n_exc}, f={f}): each selective population needs "
                f"at least one neuron and the non-selective one too; use a larger n_exc."
            )
        self.n_A = self.n_B = n_sel
        self.n_ns = n_exc - 2 * n_sel
        self.n_exc, self.n_inh = n_exc, n_exc // 4
        self.mu0, self.coherence0 = mu0, float(coherence)
        self.nu_bg = 2400.0 * u.Hz
        sE, sI = 1600.0 / n_exc, 400.0 / self.n_inh  # keep the total recurrent input
        w_minus = 1.0 - f * (w_plus - 1.0) / (1.0 - f)
        a, b = (0, n_sel), (n_sel, 2 * n_sel)
        groups = [a, b, (2 * n_sel, n_exc)]
        # rows: presynaptic group (A, B, ns); columns: postsynaptic E neuron
        gain = np.ones((3, n_exc))
        gain[0, a[0] : a[1]] = gain[1, b[0] : b[1]] = w_plus
        gain[0, b[0] : b[1]] = gain[1, a[0] : a[1]] = w_minus
        gain[2, : 2 * n_sel] = w_minus
        ones_I = np.ones((1, self.n_inh))
        nS = u.nS

        self.E = LIFRef(
            n_exc,
            R=1.0 / (25.0 * nS),
            tau=20.0 * u.ms,
            tau_ref=2.0 * u.ms,
            V_rest=-70.0 * u.mV,
            V_th=-50.0 * u.mV,
            V_reset=-55.0 * u.mV,
            V_initializer=init.Constant(-70.0 * u.mV),
            spk_reset="hard",
        )
        self.I = LIFRef(
            self.n_inh,
            R=1.0 / (20.0 * nS),
            tau=10.0 * u.ms,
            tau_ref=1.0 * u.ms,
            V_rest=-70.0 * u.mV,
            V_th=-50.0 * u.mV,
            V_reset=-55.0 * u.mV,
            V_initializer=init.Constant(-70.0 * u.mV),
            spk_reset="hard",
        )
        zero = init.Constant(0.0 * nS)

        def ampa(post, n_post):
            return dict(
                syn=Expon.desc(n_post, tau=2.0 * u.ms, g_initializer=zero),
                out=COBA.desc(E=0.0 * u.mV),
                post=post,
            )

        def gaba(post, n_post):
            return dict(
                syn=Expon.desc(n_post, tau=5.0 * u.ms, g_initializer=zero),
                out=COBA.desc(E=-70.0 * u.mV),
                post=post,
            )

        def mg_block():
            return MgBlock(E=0.0 * u.mV, cc_Mg=1.0 * u.mM, alpha=0.062 / u.mV, beta=3.57 * u.mM)

        e_all = [(0, n_exc)]
        i_all = [(0, self.n_inh)]
        self.AMPA_EE = AlignPostProj(
            comm=_GroupSum(groups, gain * 0.05 * sE * nS), **ampa(self.E, n_exc)
        )
        self.AMPA_EI = AlignPostProj(
            comm=_GroupSum(e_all, ones_I * 0.04 * sE * nS), **ampa(self.I, self.n_inh)
        )
        self.GABA_IE = AlignPostProj(
            comm=_GroupSum(i_all, np.ones((1, n_exc)) * 1.3 * sI * nS), **gaba(self.E, n_exc)
        )
        self.GABA_II = AlignPostProj(
            comm=_GroupSum(i_all, ones_I * 1.0 * sI * nS), **gaba(self.I, self.n_inh)
        )
        self.NMDA = BioNMDA(
            n_exc,
            alpha1=0.5 / u.ms,
            beta1=0.01 / u.ms,
            alpha2=5.0 / (u.ms * u.mM),
            beta2=0.5 / u.ms,
            T=1.0 * u.mM,
            T_dur=0.5 * u.ms,
            g_initializer=0.0,  # Wang's gating variable s is a dimensionless fraction
        )
        self.NMDA_EE = CurrentProj(
            comm=_GroupSum(groups, gain * 0.165 * sE * nS), out=mg_block(), post=self.E
        )
        self.NMDA_EI = CurrentProj(
            comm=_GroupSum(e_all, ones_I * 0.13 * sE * nS), out=mg_block(), post=self.I
        )
        self.g_ext_E, self.g_ext_I = 2.1 * nS, 1.62 * nS

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        if batch_size is not None:
            raise BrainSimValueError(
                "DecisionNetwork: batching is not supported; use vmap "
                "over independent networks instead."
            )
        self.spike = ShortTermState(jnp.zeros(self.n_exc + self.n_inh))
        self.coherence = ShortTermState(jnp.asarray(self.coherence0, environ.dftype()))
        self.stimulus_on = ShortTermState(jnp.asarray(0.0, environ.dftype()))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        refill_states(self, self.init_state, batch_size)

    def set_stimulus(self, coherence: float | None = None, on: bool | None = None) -> None:
        """Set the coherence (in [-1, 1], positive favours A) and switch the stimulus."""
        if coherence is not None:
            self.coherence.value = jnp.asarray(coherence, environ.dftype())
        if on is not None:
            self.stimulus_on.value = jnp.asarray(float(on), environ.dftype())

    def _external_rates(self) -> Any:
        """Poisson rate into each excitatory neuron (Hz): background plus stimulus."""
        c, on = self.coherence.value, self.stimulus_on.value
        mu0 = float(self.mu0.to_decimal(u.Hz))
        stim = jnp.concatenate(
            [
                jnp.full(self.n_A, mu0 * (1.0 + c)),
                jnp.full(self.n_B, mu0 * (1.0 - c)),
                jnp.zeros(self.n_ns),
            ]
        )
        return float(self.nu_bg.to_decimal(u.Hz)) + on * stim

    def update(self) -> Any:
        dt_s = float(u.maybe_decimal(environ.get_dt() / u.second))
        s = self.spike.value
        s_E, s_I = s[: self.n_exc], s[self.n_exc :]
        self.AMPA_EE(s_E)
        self.AMPA_EI(s_E)
        self.GABA_IE(s_I)
        self.GABA_II(s_I)
        g_nmda = self.NMDA(s_E)
        self.NMDA_EE(g_nmda)
        self.NMDA_EI(g_nmda)
        n_E = random.poisson(self._external_rates() * dt_s, (self.n_exc,)).astype(environ.dftype())
        n_I = random.poisson(float(self.nu_bg.to_decimal(u.Hz)) * dt_s, (self.n_inh,)).astype(
            environ.dftype()
        )
        self.AMPA_EE.syn.add_delta_input("external", n_E * self.g_ext_E)
        self.AMPA_EI.syn.add_delta_input("external", n_I * self.g_ext_I)
        spk = jnp.concatenate([self.E(), self.I()])
        self.spike.value = spk
        return spk
