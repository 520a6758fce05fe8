"""Synaptic outputs: turn a bound conductance into a current for the postsynaptic cell."""

from __future__ import annotations

from typing import Any

import brainunit as u

from .._errors import BrainSimValueError
from ..nn import Module
from ._utils import check_param, value

__all__ = ["SynOut", "COBA", "CUBA", "MgBlock"]


class SynOut(Module):
    """Base of synaptic outputs: ``bind_cond(g)`` then ``out(V)`` returns a current.

    A bound conductance persists until it is re-bound. Calling before any bind raises.
    ``V`` is the membrane potential: a Quantity, or a plain array read in mV (as model
    parameters and states are everywhere else).
    """

    graph_invisible_attrs = ("_g",)

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)
        self._g: Any = None

    def bind_cond(self, g: Any) -> None:
        """Bind the conductance used by the next calls."""
        self._g = g

    def unbind_cond(self) -> None:
        self._g = None

    def __call__(self, V: Any = None, *args: Any, **kwargs: Any) -> Any:
        if self._g is None:
            raise BrainSimValueError(
                f"{type(self).__name__}: no conductance bound; a projection must call "
                f"bind_cond(g) before the output is used."
            )
        if V is not None and not isinstance(V, u.Quantity):
            V = u.Quantity(V, unit=u.mV)  # plain mantissas are millivolts
        return self.update(self._g, V)

    def update(self, g: Any, V: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


class COBA(SynOut):
    r"""Conductance-based output: :math:`I = g (E - V)`.

    >>> import brainunit as u, brainsim
    >>> out = brainsim.models.COBA(E=0. * u.mV)
    >>> out.bind_cond(2. * u.nS)
    >>> float(out(-60. * u.mV).to_decimal(u.pA))
    120.0
    """

    def __init__(self, E: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        self.E = check_param(self, "E", E, u.mV)

    def update(self, g: Any, V: Any) -> Any:
        return g * (value(self.E) - V)


class CUBA(SynOut):
    r"""Current-based output: :math:`I = g \cdot scale` (ignores V).

    >>> import brainunit as u, brainsim
    >>> out = brainsim.models.CUBA()
    >>> out.bind_cond(1. * u.mS)
    >>> float(out(0. * u.mV).to_decimal(u.mA))
    1.0
    """

    def __init__(self, scale: Any = 1.0 * u.volt, name: str | None = None) -> None:
        super().__init__(name=name)
        self.scale = scale

    def update(self, g: Any, V: Any) -> Any:
        return g * value(self.scale)


class MgBlock(SynOut):
    r"""NMDA output with magnesium block:

    .. math:: I = \frac{g (E - V)}{1 + \frac{[Mg]}{\beta} e^{\alpha (V_{offset} - V)}}

    >>> import brainunit as u, brainsim
    >>> out = brainsim.models.MgBlock()
    >>> out.bind_cond(1. * u.nS)
    >>> round(float(out(-65. * u.mV).to_decimal(u.pA)), 4)
    3.2645
    >>> round(float(out(-65.).to_decimal(u.pA)), 4)     # a plain array is read in mV
    3.2645
    """

    def __init__(self, E: Any = 0.0 * u.mV, cc_Mg: Any = 1.2 * u.mM,
                 alpha: Any = 0.062 / u.mV, beta: Any = 3.57 * u.mM,
                 V_offset: Any = 0.0 * u.mV, name: str | None = None) -> None:
        super().__init__(name=name)
        self.E = check_param(self, "E", E, u.mV)
        self.cc_Mg = check_param(self, "cc_Mg", cc_Mg, u.mM, nonnegative=True)
        self.alpha = check_param(self, "alpha", alpha, 1 / u.mV)
        self.beta = check_param(self, "beta", beta, u.mM, positive=True)
        self.V_offset = check_param(self, "V_offset", V_offset, u.mV)

    def update(self, g: Any, V: Any) -> Any:
        block = 1 + value(self.cc_Mg) / value(self.beta) * u.math.exp(
            value(self.alpha) * (value(self.V_offset) - V))
        return g * (value(self.E) - V) / block
