"""Cheap training diagnostics: warn when a step's gradients are all zero or a spiking layer
stayed silent for a whole batch (the usual cause of a network that does not learn)."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp

from ..nn import Module, Neuron

__all__ = ["SilentNetworkWarning", "collecting", "spiking_layers", "spike_totals", "warn"]

_HELP = "see 'My network is silent' in docs/training.md; train_step(..., diagnose=False) "\
    "turns this off"


class SilentNetworkWarning(UserWarning):
    """A training step learnt nothing: all gradients were 0 or a spiking layer never spiked.

    Switch it off with ``train_step(..., diagnose=False)`` or
    ``warnings.filterwarnings('ignore', category=brainsim.train.SilentNetworkWarning)``.
    """


_ACTIVE: list[dict[str, Any]] = []  # spike totals of the run_sequence calls of one step


@contextlib.contextmanager
def collecting() -> Iterator[dict[str, Any]]:
    """Collect, while tracing one training step, the spike totals of each spiking layer."""
    totals: dict[str, Any] = {}
    _ACTIVE.append(totals)
    try:
        yield totals
    finally:
        _ACTIVE.pop()


def spiking_layers(model: Any) -> list[tuple[str, Any]]:
    """``(name, neuron)`` of every Neuron in ``model`` while a step is being collected."""
    if not _ACTIVE or not isinstance(model, Module):
        return []
    return [(name or type(m).__name__, m) for name, m in model.named_modules()
            if isinstance(m, Neuron)]


def spike_counts(layers: list[tuple[str, Any]]) -> tuple[Any, ...]:
    """The number of spikes each layer emitted in the step just taken."""
    return tuple(jnp.sum(jnp.asarray(u.get_mantissa(m.get_spike())) != 0) for _, m in layers)


def spike_totals(layers: list[tuple[str, Any]], counts: tuple[Any, ...]) -> None:
    """Add the per-step counts (stacked over time) to the step being collected."""
    totals = _ACTIVE[-1]
    for (name, _), c in zip(layers, counts, strict=True):
        total = jax.lax.stop_gradient(jnp.sum(c))
        totals[name] = totals[name] + total if name in totals else total


def all_zero(grads: Any) -> Any:
    """Whether every gradient leaf is exactly zero (a traced bool)."""
    leaves = [jnp.all(jnp.asarray(u.get_mantissa(g)) == 0) for g in jax.tree.leaves(grads)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.asarray(False)


def warn(zero: Any, totals: dict[str, Any], loss: Any) -> None:
    """Emit the one-line warnings for one step's diagnostics (host values)."""
    silent = [name for name, n in totals.items() if int(n) == 0]
    if silent:
        warnings.warn(
            f"train_step: layer(s) {', '.join(map(repr, silent))} emitted no spike in this "
            f"batch, so no gradient flows through them; scale the input or the weights up "
            f"({_HELP}).", SilentNetworkWarning, stacklevel=4)
    if bool(zero):
        warnings.warn(
            f"train_step: every gradient is exactly 0 (loss {float(loss):.4g}): the "
            f"parameters will not change ({_HELP}).", SilentNetworkWarning, stacklevel=4)
