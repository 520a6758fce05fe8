"""``Recording`` -> ``neo.Segment``: spike trains and analog signals for Neo / Elephant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import brainunit as u
import numpy as np

from .._errors import BrainSimKeyError, BrainSimValueError

if TYPE_CHECKING:  # pragma: no cover
    from ._result import Recording


def _require_neo() -> tuple[Any, Any]:
    try:
        import neo
        import quantities as pq
    except ImportError as err:  # pragma: no cover - exercised without the extra
        raise ImportError(
            "Recording.to_neo needs the `neo` package: python -m pip install 'brainsim[neo]'"
        ) from err
    return neo, pq


def _pq_unit(pq: Any, unit: Any) -> Any:
    """The ``quantities`` unit spelled like a brainunit unit (``mV``, ``nA``, ``nS``, ...)."""
    if unit.is_unitless:
        return pq.dimensionless
    try:
        return pq.Quantity(1.0, str(unit)).units
    except (LookupError, ValueError, AttributeError, SyntaxError) as err:
        raise BrainSimValueError(
            f"Recording.to_neo: the unit {unit} of a trace has no spelling in the quantities "
            f"package; record the trace in a common unit (e.g. mV, nA, nS)."
        ) from err


def _ms(x: Any) -> float:
    return float(np.asarray(u.Quantity(x).to_decimal(u.ms)))


def recording_to_neo(rec: Recording, neurons: Sequence[int] | None = None,
                     names: Sequence[str] | None = None) -> Any:
    """See :meth:`Recording.to_neo`."""
    from ._result import SpikeEvents

    neo, pq = _require_neo()
    names = list(rec.data) if names is None else list(names)
    for name in names:
        if name not in rec.data:
            raise BrainSimKeyError(
                f"Recording.to_neo(names=...): no variable {name!r}; recorded: {sorted(rec.data)}."
            )
    t_start = _ms(rec.t_start)
    t_stop = t_start + _ms(rec.duration)
    seg = neo.Segment(name="brainsim recording", description=repr(rec))
    for name in names:
        v = rec.data[name]
        if isinstance(v, SpikeEvents):
            times = np.asarray(v.times.to_decimal(u.ms), np.float64)
            chosen = range(v.n_neurons) if neurons is None else neurons
            for i in chosen:
                i = int(i)
                if not 0 <= i < v.n_neurons:
                    raise BrainSimValueError(
                        f"Recording.to_neo(neurons=...): neuron {i} is outside 0..{v.n_neurons - 1}"
                        f" of {name!r}."
                    )
                ts = np.sort(times[v.indices == i])
                stop = max(t_stop, float(ts[-1]) if ts.size else t_stop)
                seg.spiketrains.append(neo.SpikeTrain(
                    ts * pq.ms, t_start=t_start * pq.ms, t_stop=stop * pq.ms,
                    name=f"{name}[{i}]", source=name, neuron=i))
            continue
        if name not in rec.times:
            continue  # not a trace over time
        unit = u.get_unit(v)
        pq_unit = _pq_unit(pq, unit)
        values = np.asarray(u.get_mantissa(v))
        values = values.reshape(values.shape[0], -1)
        if neurons is not None:
            values = values[:, np.asarray(neurons, dtype=int)]
        t = np.asarray(rec.times[name].to_decimal(u.ms), np.float64)
        step = np.diff(t)
        if t.size >= 2 and np.allclose(step, step[0], rtol=1e-6, atol=1e-9):
            sig = neo.AnalogSignal(values, units=pq_unit, t_start=t[0] * pq.ms,
                                   sampling_period=step[0] * pq.ms, name=name, source=name)
        else:
            sig = neo.IrregularlySampledSignal(t * pq.ms, values, units=pq_unit, name=name,
                                               source=name)
        if neurons is not None:
            sig.array_annotate(neuron=np.asarray(neurons, dtype=int))
        if isinstance(sig, neo.AnalogSignal):
            seg.analogsignals.append(sig)
        else:
            seg.irregularlysampledsignals.append(sig)
    return seg
