"""What to record during a run: ``trace`` (a variable, optionally a neuron subset, every n
steps) and ``spikes`` (compact events or per-step counts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import brainunit as u
import jax.numpy as jnp
import numpy as np

from .._errors import BrainSimTypeError, BrainSimValueError
from .._state import State

__all__ = ["Monitor", "trace", "spikes"]


class _StateProbe:
    """Reads a State; the Simulation re-points it when ``init_state`` replaces the State."""

    def __init__(self, state: State) -> None:
        self.state = state

    def __call__(self) -> Any:
        return self.state.value


class _OutputProbe:
    """Reads the value the step function returned (``trace('output')``, ``spikes('output')``)."""

    def __call__(self) -> Any:  # pragma: no cover - Monitor.read passes the output instead
        raise BrainSimValueError("the 'output' probe is read by the Simulation")


OUTPUT = "output"


def _as_probe(source: Any, owner: str) -> Callable[[], Any]:
    if isinstance(source, str):
        if source == OUTPUT:
            return _OutputProbe()
        raise BrainSimValueError(
            f"{owner}(source=...): the only string accepted is 'output' (the value the step "
            f"function returns), got {source!r}. Pass a State or a callable otherwise."
        )
    if isinstance(source, State):
        return _StateProbe(source)
    if callable(source):
        return source
    raise BrainSimTypeError(
        f"{owner}: expected a State or a callable returning the value to record, got "
        f"{type(source).__name__}. Example: trace(lambda: net.N.V.value), trace(net.N.V) or "
        f"spikes('output') for what the step returns."
    )


class Monitor:
    """A recording spec: what to read each step, which neurons, how often, and how to store.

    Build with :func:`trace` or :func:`spikes`.
    """

    def __init__(self, probe: Callable[[], Any], neurons: Any = None, every: int = 1,
                 kind: str = "trace") -> None:
        if not isinstance(every, int | np.integer) or isinstance(every, bool) or every < 1:
            raise BrainSimValueError(f"{kind}(every=...): expected an int >= 1, got {every!r}.")
        if neurons is not None and not isinstance(neurons, slice | int | np.integer):
            neurons = np.asarray(neurons)
            if neurons.ndim != 1 or not (
                np.issubdtype(neurons.dtype, np.integer) or neurons.dtype == bool
            ):
                raise BrainSimValueError(
                    f"{kind}(neurons=...): expected a slice, an int, or a 1-D integer/bool "
                    f"array of neuron indices."
                )
        self.probe = probe
        self.neurons = neurons
        self.every = int(every)
        self.kind = kind
        self.n_neurons: int | None = None  # filled at the first trace

    @property
    def reads_output(self) -> bool:
        """Whether this monitor records the step function's return value."""
        return isinstance(self.probe, _OutputProbe)

    def read(self, output: Any = None) -> Any:
        """Read the value for one step (inside the compiled loop); ``output`` is what the
        step function returned."""
        if self.reads_output:
            if output is None:
                raise BrainSimValueError(
                    f"{self.kind}('output'): the step function returned None; record a State "
                    f"or a callable instead, or make the step return the value."
                )
            v = output
        else:
            v = self.probe()
        if self.neurons is not None:
            v = v[..., self.neurons]
        if self.kind == "spike_counts":
            return jnp.sum(jnp.asarray(u.get_mantissa(v)) != 0, axis=-1).astype(jnp.int32)
        if self.kind == "spikes":
            return jnp.asarray(u.get_mantissa(v)) != 0
        return v

    def __repr__(self) -> str:
        return f"{self.kind}(every={self.every}, neurons={self.neurons!r})"


def trace(source: Any, neurons: Any = None, every: int = 1) -> Monitor:
    """Record a variable each ``every`` steps, optionally only for some neurons.

    Parameters
    ----------
    source
        A State (``net.N.V``), a callable returning an array / Quantity each step, or
        ``'output'``: the value the step function (the model's ``update``) returns.
    neurons
        A slice, an index, or an array of indices along the last axis.
    every
        Record every n-th step (the first recorded step is the n-th of the run).

    >>> import brainsim
    >>> m = brainsim.simulate.trace(lambda: 0.0, every=10)
    >>> m.every
    10
    """
    return Monitor(_as_probe(source, "trace"), neurons, every, "trace")


def spikes(source: Any, neurons: Any = None, as_counts: bool = False) -> Monitor:
    """Record spikes compactly: as ``(time, index)`` events (default) or per-step counts.

    Events cost memory proportional to the number of spikes, not to duration x neurons.
    ``source`` is a State, a callable such as ``lambda: neuron.get_spike()``, or
    ``'output'``: the spikes the step function (the model's ``update``) returns.

    >>> import brainsim
    >>> brainsim.simulate.spikes(lambda: 0.0, as_counts=True).kind
    'spike_counts'
    """
    return Monitor(_as_probe(source, "spikes"), neurons, 1,
                   "spike_counts" if as_counts else "spikes")
