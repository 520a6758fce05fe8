"""Short-term plasticity: Tsodyks-Markram facilitation and depression (STP), depression only
(STD). Both scale presynaptic spikes; use them as the ``stp=`` stage of a projection."""

from __future__ import annotations

from typing import Any

import brainunit as u
import numpy as np

from ..._errors import BrainSimValueError
from ..._state import HiddenState
from ...nn import Synapse
from .._utils import check_param, init_var, value
from ._kinetic import fraction_step

__all__ = ["STP", "STD", "stp_du", "stp_dx", "stp_jump", "std_jump"]


def stp_du(u: Any, tau_f: Any) -> Any:
    """du/dt of the utilisation: ``-u / tau_f`` (facilitation decays)."""
    return -u / tau_f


def stp_dx(x: Any, tau_d: Any) -> Any:
    """dx/dt of the available resources: ``(1 - x) / tau_d`` (recovery toward 1)."""
    return (1 - x) / tau_d


def stp_jump(u: Any, x: Any, spike: Any, U: Any) -> tuple[Any, Any, Any]:
    """The Tsodyks-Markram spike update; returns ``(u, x, efficacy)`` after the spike.

    ``u += U (1 - u)``, then the efficacy is ``u x spike`` (new ``u``, resources before
    release), then ``x -= u x``. ``spike`` is 0/1 (or a surrogate float).
    """
    u = u + spike * U * (1 - u)
    released = u * x * spike
    return u, x - released, released


def std_jump(x: Any, spike: Any, U: Any) -> tuple[Any, Any]:
    """The depression-only spike update; returns ``(x, efficacy)`` after the spike.

    The efficacy is ``x spike`` (the whole pool), then ``x -= U x``.
    """
    efficacy = x * spike
    return x - U * efficacy, efficacy


def _check_fraction(owner: Any, name: str, val: Any) -> Any:
    """A dimensionless parameter in (0, 1]."""
    check_param(owner, name, val, positive=True)
    raw = value(val)
    try:
        over = np.any(np.asarray(raw) > 1)
    except Exception:  # traced: nothing to check
        return val
    if over:
        raise BrainSimValueError(
            f"{type(owner).__name__}({name}=...): expected a fraction in (0, 1], got {raw!r}."
        )
    return val


class _ShortTerm(Synapse):
    """Abstract base: ``_initial(batch_size)`` gives each HiddenState's initial value."""

    def _initial(self, batch_size: int | None) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__}._initial")

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for name, val in self._initial(batch_size).items():
            setattr(self, name, HiddenState(val))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for name, val in self._initial(batch_size).items():
            getattr(self, name).value = val

    def _full(self, val: Any, batch_size: int | None) -> Any:
        return init_var(value(val), self.varshape, batch_size)

    def _spike(self, pre_spike: Any) -> Any:
        return u.math.asarray(pre_spike, dtype=self.x.value.dtype)


class STP(_ShortTerm):
    r"""Short-term facilitation and depression (Tsodyks-Markram model).

    .. math::

        \frac{du}{dt} = -\frac{u}{\tau_f}, \qquad
        \frac{dx}{dt} = \frac{1 - x}{\tau_d}

    and on a presynaptic spike, with :math:`u^-, x^-` the values just before it,

    .. math::

        u^+ = u^- + U (1 - u^-), \qquad
        \mathrm{efficacy} = u^+ x^-, \qquad
        x^+ = x^- - u^+ x^-

    Each step: ``u`` and ``x`` relax exactly (exponential Euler of :func:`stp_du` and
    :func:`stp_dx`), then the spike update :func:`stp_jump`. ``update(pre_spike)``
    returns ``u x pre_spike`` (the spike scaled by the released fraction), so use it as
    the ``stp=`` stage of ``align_pre_projection`` / ``align_post_projection``.

    Parameters
    ----------
    in_size : int or tuple
    U : dimensionless in (0, 1], default 0.15
        Utilisation increment per spike (baseline release probability).
    tau_f : time, default 1500 ms
        Facilitation time constant (decay of ``u``).
    tau_d : time, default 200 ms
        Depression time constant (recovery of ``x``).
    name : str, optional

    State variables
    ---------------
    u : HiddenState, the utilisation (initially ``U``).
    x : HiddenState, the fraction of available resources (initially 1).

    References
    ----------
    .. [1] Tsodyks, M., Pawelzik, K., & Markram, H. (1998). Neural networks with dynamic
       synapses. *Neural Computation*, 10(4), 821-835.
    .. [2] Mongillo, G., Barak, O., & Tsodyks, M. (2008). Synaptic theory of working
       memory. *Science*, 319(5869), 1543-1546.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> stp = brainsim.models.STP(1)
    >>> stp.init_state()
    >>> stp(jnp.array([1.]))          # u = 0.15 + 0.15 * 0.85, x = 1
    Array([0.2775...], dtype=float32)
    >>> stp.x.value                   # 1 - 0.2775
    Array([0.7225...], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        U: Any = 0.15,
        tau_f: Any = 1500.0 * u.ms,
        tau_d: Any = 200.0 * u.ms,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, name=name)
        self.U = _check_fraction(self, "U", U)
        self.tau_f = check_param(self, "tau_f", tau_f, u.ms, positive=True)
        self.tau_d = check_param(self, "tau_d", tau_d, u.ms, positive=True)

    def _initial(self, batch_size: int | None) -> dict[str, Any]:
        return {"u": self._full(self.U, batch_size), "x": self._full(1.0, batch_size)}

    def update(self, pre_spike: Any) -> Any:
        spike = self._spike(pre_spike)
        u_ = fraction_step(stp_du, self.u.value, value(self.tau_f))
        x = fraction_step(stp_dx, self.x.value, value(self.tau_d))
        self.u.value, self.x.value, efficacy = stp_jump(u_, x, spike, value(self.U))
        return efficacy


class STD(_ShortTerm):
    r"""Short-term depression: a resource pool depleted by spikes and recovering.

    .. math::

        \frac{dx}{dt} = \frac{1 - x}{\tau}, \qquad
        \mathrm{efficacy} = x^-, \qquad x^+ = x^- - U x^-

    Each step: ``x`` recovers exactly (exponential Euler of :func:`stp_dx`), then the
    spike update :func:`std_jump`. ``update(pre_spike)`` returns ``x pre_spike`` (the
    whole pool, not ``U x``), so a first spike from rest passes unchanged; use it as the
    ``stp=`` stage of a projection.

    Parameters
    ----------
    in_size : int or tuple
    tau : time, default 200 ms
        Recovery time constant.
    U : dimensionless in (0, 1], default 0.07
        Fraction of the pool used by each spike.
    name : str, optional

    State variables
    ---------------
    x : HiddenState, the fraction of available resources (initially 1).

    References
    ----------
    .. [1] Tsodyks, M. V., & Markram, H. (1997). The neural code between neocortical
       pyramidal neurons depends on neurotransmitter release probability. *PNAS*, 94(2),
       719-723.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> std = brainsim.models.STD(1)
    >>> std.init_state()
    >>> std(jnp.array([1.]))
    Array([1.], dtype=float32)
    >>> std.x.value
    Array([0.93], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        tau: Any = 200.0 * u.ms,
        U: Any = 0.07,
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, name=name)
        self.tau = check_param(self, "tau", tau, u.ms, positive=True)
        self.U = _check_fraction(self, "U", U)

    def _initial(self, batch_size: int | None) -> dict[str, Any]:
        return {"x": self._full(1.0, batch_size)}

    def update(self, pre_spike: Any) -> Any:
        spike = self._spike(pre_spike)
        x = fraction_step(stp_dx, self.x.value, value(self.tau))
        self.x.value, efficacy = std_jump(x, spike, value(self.U))
        return efficacy
