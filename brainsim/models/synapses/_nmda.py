"""Biophysical NMDA receptor synapse (second-order kinetic scheme)."""

from __future__ import annotations

from typing import Any, ClassVar

import brainunit as u

from .._utils import value
from ._kinetic import Receptor, fraction_step, kinetic_dg

__all__ = ["BioNMDA"]


class BioNMDA(Receptor):
    r"""NMDA receptor synapse with a second-order kinetic scheme (slow rise and decay).

    .. math::

        \frac{dx}{dt} = \alpha_2 [T] (1 - x) - \beta_2 x, \qquad
        \frac{dg}{dt} = \alpha_1 x (1 - g) - \beta_1 g

    with :math:`[T] = T` for ``T_dur`` after the latest presynaptic spike and 0 otherwise.
    Both equations are :func:`kinetic_dg`; ``g`` is driven by ``x`` instead of ``[T]``.
    Each step ``x`` and ``g`` are advanced together from their values at the start of the
    step (exponential Euler), so ``g`` starts rising one step after ``x``. Voltage
    dependence (the Mg2+ block) belongs to the output: use ``MgBlock``.

    ``update(pre_spike)`` needs the environ time ``t`` (run inside a simulation loop or
    ``with brainsim.environ.context(t=...)``); it is not ``AlignPost``.

    Parameters
    ----------
    in_size : int or tuple
    alpha1 : 1 / time, default 2 / ms
        Opening rate of ``g`` per unit of ``x``.
    beta1 : 1 / time, default 0.01 / ms
        Closing rate of ``g``.
    alpha2 : 1 / (time * concentration), default 1 / (ms mM)
        Binding rate of ``x``.
    beta2 : 1 / time, default 0.5 / ms
        Unbinding rate of ``x``.
    T : concentration, default 1 mM
        Transmitter concentration during a pulse.
    T_dur : time, default 0.5 ms
        Pulse duration after each presynaptic spike.
    g_initializer : initializer or value, default 0 mS
        Initial ``g``; a unit (e.g. ``0 * u.mS``) makes ``g`` carry it (maximum 1 of it).
    name : str, optional

    State variables
    ---------------
    g : HiddenState, the conductance (mS unless ``g_initializer`` says otherwise).
    x : HiddenState, the transmitter-bound fraction (dimensionless, initially 0).
    spike_arrival_time : ShortTermState, the latest spike time (initially -1e7 ms).

    References
    ----------
    .. [1] Destexhe, A., Mainen, Z. F., & Sejnowski, T. J. (1998). Kinetic models of
       synaptic transmission. In C. Koch & I. Segev (Eds.), *Methods in Neuronal
       Modeling* (2nd ed., pp. 1-25). MIT Press.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> syn = brainsim.models.BioNMDA(1)
    >>> syn.init_state()
    >>> with brainsim.environ.context(t=0. * u.ms):
    ...     syn(jnp.array([True])).to_decimal(u.mS)  # g starts one step after x
    Array([0.], dtype=float32)
    >>> syn.x.value                      # 1/1.5 * (1 - exp(-0.15))
    Array([0.09286...], dtype=float32)
    >>> with brainsim.environ.context(t=0.1 * u.ms):
    ...     syn(jnp.array([False])).to_decimal(u.mS)
    Array([0.01839...], dtype=float32)
    """

    _fractions: ClassVar[tuple[str, ...]] = ("g", "x")

    def __init__(
        self,
        in_size: Any,
        alpha1: Any = 2.0 / u.ms,
        beta1: Any = 0.01 / u.ms,
        alpha2: Any = 1.0 / (u.ms * u.mM),
        beta2: Any = 0.5 / u.ms,
        T: Any = 1.0 * u.mM,
        T_dur: Any = 0.5 * u.ms,
        g_initializer: Any = 0.0 * u.mS,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, T, T_dur, g_initializer, name)
        rate, binding = u.ms**-1, u.ms**-1 * u.mM**-1
        self._rates(alpha1=(alpha1, rate), beta1=(beta1, rate))
        self._rates(alpha2=(alpha2, binding), beta2=(beta2, rate))
        self.x_initializer = 0.0  # x is a dimensionless fraction; starts unbound

    def _integrate(self, transmitter: Any) -> dict[str, Any]:
        x = self.x.value
        alpha1, beta1 = value(self.alpha1), value(self.beta1)
        alpha2, beta2 = value(self.alpha2), value(self.beta2)
        return {
            "x": fraction_step(kinetic_dg, x, transmitter, alpha2, beta2),
            "g": fraction_step(kinetic_dg, self.g.value, x, alpha1, beta1),
        }
