"""Shared pieces of the reference networks: an E/I network step and State refilling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp

from ..._state import ShortTermState, State
from ...nn import Module

__all__ = ["EINetwork", "refill_states", "K_IN", "connection_probability"]

K_IN = 80  # expected in-degree of the reference E/I networks: p = 0.02 at N = 4000


def connection_probability(p: float | None, n: int) -> float:
    """``p``, or for ``None`` the probability ``min(1, K_IN / n)`` that keeps the expected
    in-degree at 80 synapses per neuron whatever the network size ``n`` (0.02 at 4000, as in
    the benchmarks; 0.08 at 1000), so that the activity stays self-sustained."""
    return min(1.0, K_IN / n) if p is None else p


def refill_states(module: Module, init: Callable[..., None], batch_size: int | None) -> None:
    """Re-run ``init(batch_size)`` but keep the module's existing State objects, refilled.

    Compiled functions keep referring to the States they discovered, so a ``reset_state``
    must assign new values to the same States rather than create new ones.
    """
    old = {k: v for k, v in vars(module).items() if isinstance(v, State)}
    init(batch_size)
    for k, st in old.items():
        new = getattr(module, k)
        if new is not st:
            st.value = new.value
            setattr(module, k, st)


class EINetwork(Module):
    """Base of networks with a population ``N`` (excitatory neurons first) driven by the
    previous step's spikes through the projections ``E`` (from the first ``n_exc``) and
    ``I`` (from the rest). ``update()`` advances one step and returns all spikes."""

    n_exc: int
    n_inh: int

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        n = self.n_exc + self.n_inh
        self.spike = ShortTermState(jnp.zeros((n,) if batch_size is None else (batch_size, n)))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        refill_states(self, self.init_state, batch_size)

    def update(self) -> Any:
        s = self.spike.value
        self.E(s[..., : self.n_exc])
        self.I(s[..., self.n_exc :])
        spk = self.N()
        self.spike.value = spk
        return spk
