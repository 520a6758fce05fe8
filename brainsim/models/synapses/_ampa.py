"""AMPA and GABA_A receptor synapses (two-state kinetic schemes)."""

from __future__ import annotations

from typing import Any

import brainunit as u

from ._kinetic import Receptor

__all__ = ["AMPA", "GABAa"]

_RATE = u.ms**-1
_BINDING = u.ms**-1 * u.mM**-1


class AMPA(Receptor):
    r"""AMPA receptor synapse: a two-state kinetic scheme gated by transmitter pulses.

    .. math::

        \frac{dg}{dt} = \alpha [T] (1 - g) - \beta g, \qquad
        [T] = \begin{cases} T & t - t_\mathrm{arrival} < T_\mathrm{dur} \\
              0 & \text{otherwise} \end{cases}

    ``update(pre_spike)`` sets ``spike_arrival_time`` to the environ time ``t`` wherever
    ``pre_spike`` is nonzero, then steps ``g`` exactly for the current ``[T]`` (exponential
    Euler of :func:`kinetic_dg`). It needs ``t``: run inside a simulation loop or
    ``with brainsim.environ.context(t=...)``. ``g`` is the open fraction times the maximal
    conductance, in mS by default (maximum 1 mS, API.md G.3): give ``g_initializer`` another
    unit (``0 * u.nS``) to scale it, or a plain ``0.0`` for a dimensionless fraction.

    This synapse needs the presynaptic spike itself, not a weighted sum, so it is not
    ``AlignPost``: use it on the presynaptic side (``align_pre_projection``).

    Parameters
    ----------
    in_size : int or tuple
    alpha : 1 / (time * concentration), default 0.98 / (ms mM)
        Binding (opening) rate.
    beta : 1 / time, default 0.18 / ms
        Unbinding (closing) rate.
    T : concentration, default 0.5 mM
        Transmitter concentration during a pulse.
    T_dur : time, default 0.5 ms
        Pulse duration after each presynaptic spike.
    g_initializer : initializer or value, default 0 mS
    name : str, optional

    State variables
    ---------------
    g : HiddenState, the conductance (mS unless ``g_initializer`` says otherwise).
    spike_arrival_time : ShortTermState, the latest spike time (initially -1e7 ms).

    References
    ----------
    .. [1] Destexhe, A., Mainen, Z. F., & Sejnowski, T. J. (1994). Synthesis of models for
       excitable membranes, synaptic transmission and neuromodulation using a common
       kinetic formalism. *Journal of Computational Neuroscience*, 1(3), 195-230.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> syn = brainsim.models.AMPA(1)
    >>> syn.init_state()
    >>> with brainsim.environ.context(t=0. * u.ms):
    ...     syn(jnp.array([True])).to_decimal(u.mS)  # 0.49/0.67 * (1 - exp(-0.067))
    Array([0.047395], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        alpha: Any = 0.98 / (u.ms * u.mM),
        beta: Any = 0.18 / u.ms,
        T: Any = 0.5 * u.mM,
        T_dur: Any = 0.5 * u.ms,
        g_initializer: Any = 0.0 * u.mS,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, T, T_dur, g_initializer, name)
        self._rates(alpha=(alpha, _BINDING), beta=(beta, _RATE))


class GABAa(Receptor):
    r"""GABA_A receptor synapse: :class:`AMPA`'s kinetic scheme with GABA_A rates.

    .. math::

        \frac{dg}{dt} = \alpha [T] (1 - g) - \beta g, \qquad
        [T] = \begin{cases} T & t - t_\mathrm{arrival} < T_\mathrm{dur} \\
              0 & \text{otherwise} \end{cases}

    Stepped exactly as :class:`AMPA` (needs the environ time ``t``; not ``AlignPost``).

    Parameters
    ----------
    in_size : int or tuple
    alpha : 1 / (time * concentration), default 0.53 / (ms mM)
        Binding (opening) rate.
    beta : 1 / time, default 0.18 / ms
        Unbinding (closing) rate.
    T : concentration, default 1 mM
        Transmitter concentration during a pulse.
    T_dur : time, default 1 ms
        Pulse duration after each presynaptic spike.
    g_initializer : initializer or value, default 0 mS
    name : str, optional

    State variables
    ---------------
    g : HiddenState, the conductance (mS unless ``g_initializer`` says otherwise).
    spike_arrival_time : ShortTermState, the latest spike time (initially -1e7 ms).

    References
    ----------
    .. [1] Destexhe, A., & Paré, D. (1999). Impact of network activity on the integrative
       properties of neocortical pyramidal neurons in vivo. *Journal of Neurophysiology*,
       81(4), 1531-1547.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> syn = brainsim.models.GABAa(1)
    >>> syn.init_state()
    >>> with brainsim.environ.context(t=0. * u.ms):
    ...     syn(jnp.array([True])).to_decimal(u.mS)  # 0.53/0.71 * (1 - exp(-0.071))
    Array([0.0511...], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        alpha: Any = 0.53 / (u.ms * u.mM),
        beta: Any = 0.18 / u.ms,
        T: Any = 1.0 * u.mM,
        T_dur: Any = 1.0 * u.ms,
        g_initializer: Any = 0.0 * u.mS,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, T, T_dur, g_initializer, name)
        self._rates(alpha=(alpha, _BINDING), beta=(beta, _RATE))
