"""Abstract bases of the model catalogue: ``Neuron`` and ``Synapse``."""

from __future__ import annotations

from typing import Any

from .. import surrogate
from .._errors import BrainSimTypeError, BrainSimValueError
from ._dynamics import Dynamics

__all__ = ["Neuron", "Synapse"]


class Neuron(Dynamics):
    """Base class of spiking neurons.

    Parameters
    ----------
    in_size
        Number of neurons or population shape.
    spk_fun
        Spike function with a surrogate gradient (default ``InvSquareGrad()``; most
        concrete neurons use ``ReluGrad()``).
    spk_reset
        ``'soft'`` (subtract ``V_th - V_reset`` times the spike) or ``'hard'`` (set to
        ``V_reset``; the gradient does not flow through the reset).
    name
        Optional name.

    Subclasses implement ``init_state``, ``reset_state``, ``update`` and ``get_spike``.
    """

    def __init__(
        self,
        in_size: Any,
        spk_fun: Any = None,
        spk_reset: str = "soft",
        name: str | None = None,
    ) -> None:
        super().__init__(in_size, name=name)
        spk_fun = surrogate.InvSquareGrad() if spk_fun is None else spk_fun
        if not callable(spk_fun):
            raise BrainSimTypeError(
                f"{type(self).__name__}(spk_fun=...): expected a callable spike function such "
                f"as brainsim.surrogate.ReluGrad(), got {type(spk_fun).__name__}."
            )
        if spk_reset not in ("soft", "hard"):
            raise BrainSimValueError(
                f"{type(self).__name__}(spk_reset=...): expected 'soft' or 'hard', got "
                f"{spk_reset!r}."
            )
        self.spk_fun = spk_fun
        self.spk_reset = spk_reset

    def get_spike(self, *args: Any, **kwargs: Any) -> Any:
        """The spike output (float, 0/1 forward, surrogate gradient backward)."""
        raise NotImplementedError(
            f"{type(self).__name__}.get_spike is not implemented; concrete neurons define it."
        )


class Synapse(Dynamics):
    """Marker base class of synapse and short-term-plasticity dynamics."""
