"""``Recording``: the result of a run (time axes and values with units, spike events)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import brainunit as u
import numpy as np

from .._errors import BrainSimKeyError

__all__ = ["SpikeEvents", "Recording"]


class SpikeEvents:
    """Spikes as events: ``times`` (a Quantity in ms) and neuron ``indices``.

    A run stores the step index of each spike compactly (``steps``, int32 when it fits);
    ``times`` is computed from them on first access. Memory is proportional to the number
    of spikes, not to duration x neurons.

    >>> import numpy as np, brainunit as u, brainsim
    >>> ev = brainsim.simulate.SpikeEvents(times=np.array([1., 2.]) * u.ms,
    ...                                    indices=np.array([0, 1]), n_neurons=3)
    >>> ev.rates(1 * u.second)
    array([1., 1., 0.])
    """

    def __init__(self, times: Any = None, indices: Any = None, n_neurons: int = 0, *,
                 steps: np.ndarray | None = None, dt_ms: float | None = None) -> None:
        if indices is None:
            raise BrainSimKeyError("SpikeEvents: indices are required.")
        if times is None and (steps is None or dt_ms is None):
            raise BrainSimKeyError("SpikeEvents: give times, or steps and dt_ms.")
        self._times = times
        self.steps = steps
        self.dt_ms = dt_ms
        self.indices = np.asarray(indices)
        self.n_neurons = int(n_neurons)

    @property
    def times(self) -> Any:
        """Spike times (Quantity, ms)."""
        if self._times is None:
            self._times = u.Quantity(self.steps * np.float64(self.dt_ms), unit=u.ms)
        return self._times

    def __len__(self) -> int:
        return int(self.indices.shape[0])

    def to_numpy(self) -> dict[str, np.ndarray]:
        return {"times_ms": np.asarray(self.times.to_decimal(u.ms)), "indices": self.indices}

    def rates(self, duration: Any) -> np.ndarray:
        """Per-neuron firing rate in Hz over ``duration``."""
        d = float(u.maybe_decimal(duration / u.second))
        return np.bincount(self.indices, minlength=self.n_neurons) / d

    def __repr__(self) -> str:
        return f"SpikeEvents(n_spikes={len(self)}, n_neurons={self.n_neurons})"


@dataclass
class Recording:
    """What a :class:`~brainsim.simulate.Simulation` run recorded.

    ``rec['V']`` is the recorded array (a Quantity when the variable has units), with
    ``rec.time('V')`` its time axis; ``rec['spikes']`` is a :class:`SpikeEvents`.
    ``compile_time`` and ``run_time`` are in seconds of wall-clock.
    """

    dt: Any
    t_start: Any
    n_steps: int
    data: dict[str, Any] = field(default_factory=dict)
    times: dict[str, Any] = field(default_factory=dict)
    compile_time: float = 0.0
    run_time: float = 0.0

    @property
    def duration(self) -> Any:
        return self.n_steps * self.dt

    def __getitem__(self, name: str) -> Any:
        if name not in self.data:
            raise BrainSimKeyError(
                f"Recording: no variable {name!r}; recorded: {sorted(self.data)}."
            )
        return self.data[name]

    def __contains__(self, name: str) -> bool:
        return name in self.data

    def keys(self) -> list[str]:
        return list(self.data)

    def time(self, name: str) -> Any:
        """Time axis of a recorded trace (a Quantity)."""
        if name not in self.times:
            raise BrainSimKeyError(f"Recording: {name!r} has no time axis (spikes carry times).")
        return self.times[name]

    def to_numpy(self) -> dict[str, np.ndarray]:
        """Plain arrays: values in their unit's mantissa (``<name>__unit`` gives the unit)."""
        out: dict[str, Any] = {"dt_ms": np.asarray(u.maybe_decimal(self.dt / u.ms))}
        for k, v in self.data.items():
            if isinstance(v, SpikeEvents):
                out[f"{k}__times_ms"] = np.asarray(v.times.to_decimal(u.ms))
                out[f"{k}__indices"] = v.indices
                out[f"{k}__n_neurons"] = np.asarray(v.n_neurons)
            else:
                out[k] = np.asarray(u.get_mantissa(v))
                out[f"{k}__unit"] = np.asarray(str(u.get_unit(v)))
                if k in self.times:
                    out[f"{k}__t_ms"] = np.asarray(self.times[k].to_decimal(u.ms))
        return out

    def to_neo(self, neurons: Sequence[int] | None = None,
               names: Sequence[str] | None = None) -> Any:
        """The recording as a ``neo.Segment`` (for Neo / Elephant analysis).

        Every :class:`SpikeEvents` variable gives one ``neo.SpikeTrain`` per neuron (or per
        index in ``neurons``), times in ms from ``t_start`` to ``t_start + duration``,
        annotated with ``source`` (the variable) and ``neuron`` (its index). Every trace
        gives a ``neo.AnalogSignal`` of shape (time, channel) in its recorded unit (an
        ``IrregularlySampledSignal`` when its time axis is not regular), restricted to the
        ``neurons`` columns when they are given. ``names`` selects variables (default: all).
        Needs the extra: ``python -m pip install 'brainsim[neo]'``.

        Examples
        --------
        >>> import pytest; _ = pytest.importorskip("neo")
        >>> import brainunit as u, brainsim
        >>> brainsim.environ.set(dt=0.1 * u.ms)
        >>> lif = brainsim.models.LIF(3, tau=10 * u.ms)
        >>> rec = brainsim.simulate.run(
        ...     lif, 50 * u.ms, inputs=(2. * u.mA,),
        ...     record={"spikes": brainsim.simulate.spikes(lambda: lif.get_spike()),
        ...             "V": brainsim.simulate.trace(lambda: lif.V.value)})
        >>> seg = rec.to_neo()
        >>> len(seg.spiketrains), seg.spiketrains[0].t_stop, seg.analogsignals[0].shape
        (3, array(50.) * ms, (500, 3))
        >>> str(seg.analogsignals[0].units)
        '1.0 mV'
        """
        from ._neo import recording_to_neo

        return recording_to_neo(self, neurons=neurons, names=names)

    def save(self, path: str | os.PathLike) -> str:
        """Save to a compressed ``.npz`` file; returns the path."""
        path = os.fspath(path)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        np.savez_compressed(path, **self.to_numpy())
        return path if path.endswith(".npz") else path + ".npz"

    def __repr__(self) -> str:
        return (f"Recording(n_steps={self.n_steps}, dt={self.dt}, vars={sorted(self.data)}, "
                f"compile_time={self.compile_time:.2f}s, run_time={self.run_time:.2f}s)")
