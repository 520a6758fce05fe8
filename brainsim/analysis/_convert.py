"""Input normalisation shared by :mod:`brainsim.analysis` and :mod:`brainsim.plot`.

Everything here turns user input (Quantities, JAX arrays, NumPy arrays, lists, recording
dicts) into plain NumPy arrays in fixed units -- times in ms, rates in Hz -- and raises a
:class:`~brainsim._errors.BrainSimError` that names the function and the argument when the
input cannot be used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import brainunit as u
import numpy as np

from .._errors import BrainSimTypeError, BrainSimValueError

__all__: list[str] = []

_TIME_DIM = u.get_dim(u.ms)
_FREQ_DIM = u.get_dim(u.Hz)

# A time within ``_REL_TOL * |t / bin|`` bins below a bin edge counts to the later bin: spike
# times recorded as ``i * dt`` in float32 carry a relative rounding error of a few float32
# ulps (1.2e-7 each), which would otherwise drop them into bin ``i - 1``.
_REL_TOL = 1e-6
_ABS_TOL = 1e-9


def _describe(x: Any) -> str:
    if isinstance(x, u.Quantity):
        return f"a quantity in {u.get_unit(x)}"
    arr = np.asarray(x)
    if arr.ndim == 0:
        return f"the value {arr.item()!r}"
    return f"an array of shape {arr.shape} and dtype {arr.dtype}"


def as_float_array(x: Any, fn: str, name: str) -> np.ndarray:
    """Plain float NumPy array of a (unit-less) array-like."""
    if isinstance(x, u.Quantity):
        if not u.get_dim(x).is_dimensionless:
            raise BrainSimTypeError(f"{fn}({name}=...): expected plain numbers, got {_describe(x)}")
        x = u.get_mantissa(x)
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise BrainSimTypeError(
            f"{fn}({name}=...): expected numbers, got {type(x).__name__}"
        ) from exc


def to_ms(x: Any, fn: str, name: str) -> np.ndarray:
    """Times as a float array in ms (Quantity of time, or plain numbers taken as ms)."""
    if isinstance(x, u.Quantity):
        if u.get_dim(x) != _TIME_DIM:
            raise BrainSimTypeError(
                f"{fn}({name}=...): expected a time such as 10 * u.ms (or plain numbers "
                f"in ms), got {_describe(x)}"
            )
        return np.asarray(x.to_decimal(u.ms), dtype=float)
    return as_float_array(x, fn, name)


def to_hz(x: Any, fn: str, name: str) -> np.ndarray:
    """Rates as a float array in Hz (Quantity of frequency, or plain numbers taken as Hz)."""
    if isinstance(x, u.Quantity):
        if u.get_dim(x) != _FREQ_DIM:
            raise BrainSimTypeError(
                f"{fn}({name}=...): expected a rate such as 5 * u.Hz (or plain numbers "
                f"in Hz), got {_describe(x)}"
            )
        return np.asarray(x.to_decimal(u.Hz), dtype=float)
    return as_float_array(x, fn, name)


def positive_ms(x: Any, fn: str, name: str, example: str = "0.1 * u.ms") -> float:
    """A single strictly positive time in ms."""
    if x is None:
        raise BrainSimValueError(f"{fn}({name}=...): a time is required, e.g. {name}={example}")
    arr = to_ms(x, fn, name)
    if arr.ndim != 0 and arr.size != 1:
        raise BrainSimValueError(f"{fn}({name}=...): expected one time, got {_describe(x)}")
    value = float(arr.reshape(()))
    if not np.isfinite(value) or value <= 0:
        raise BrainSimValueError(
            f"{fn}({name}=...): expected a positive time such as {example}, got {value} ms"
        )
    return value


def scalar_ms(x: Any, fn: str, name: str) -> float:
    """A single finite time in ms (any sign)."""
    arr = to_ms(x, fn, name)
    if arr.size != 1 or not np.isfinite(arr).all():
        raise BrainSimValueError(f"{fn}({name}=...): expected one finite time, got {arr!r}")
    return float(arr.reshape(()))


def check_n_neurons(n_neurons: Any, fn: str, required: bool = True) -> int | None:
    """A non-negative Python int (or None when not required)."""
    if n_neurons is None:
        if required:
            raise BrainSimValueError(
                f"{fn}(n_neurons=...): the number of neurons is required with spike events "
                "(silent neurons leave no trace in `indices`), e.g. n_neurons=100"
            )
        return None
    if isinstance(n_neurons, bool) or not isinstance(n_neurons, int | np.integer):
        raise BrainSimTypeError(
            f"{fn}(n_neurons=...): expected a non-negative int, got {n_neurons!r}"
        )
    if n_neurons < 0:
        raise BrainSimValueError(
            f"{fn}(n_neurons=...): expected a non-negative int, got {n_neurons}"
        )
    return int(n_neurons)


def events(
    times: Any, indices: Any, n_neurons: int | None, fn: str
) -> tuple[np.ndarray, np.ndarray]:
    """Validated ``(times_ms, indices)`` arrays: 1-D, same length, indices in range."""
    t = to_ms(times, fn, "times")
    if t.ndim == 0:
        t = t.reshape(1)
    if t.ndim != 1:
        raise BrainSimValueError(f"{fn}(times=...): expected a 1-D array, got shape {t.shape}")
    if isinstance(indices, u.Quantity):
        raise BrainSimTypeError(
            f"{fn}(indices=...): expected integer neuron indices, got {_describe(indices)}"
        )
    idx = np.asarray(indices)
    if idx.ndim == 0:
        idx = idx.reshape(1)
    if idx.ndim != 1:
        raise BrainSimValueError(f"{fn}(indices=...): expected a 1-D array, got shape {idx.shape}")
    if idx.shape != t.shape:
        raise BrainSimValueError(
            f"{fn}(indices=...): `times` and `indices` must have the same length, got "
            f"{t.shape[0]} times and {idx.shape[0]} indices"
        )
    if idx.size and not np.issubdtype(idx.dtype, np.integer):
        as_float = np.asarray(idx, dtype=float)
        if not np.all(np.isfinite(as_float)) or np.any(as_float != np.round(as_float)):
            raise BrainSimTypeError(
                f"{fn}(indices=...): expected integer neuron indices, got dtype {idx.dtype}"
            )
    idx = idx.astype(np.int64)
    if idx.size and idx.min() < 0:
        raise BrainSimValueError(
            f"{fn}(indices=...): neuron indices must be >= 0, got {int(idx.min())}"
        )
    if n_neurons is not None and idx.size and idx.max() >= n_neurons:
        raise BrainSimValueError(
            f"{fn}(n_neurons=...): got n_neurons={n_neurons} but `indices` contains "
            f"{int(idx.max())}; pass n_neurons={int(idx.max()) + 1} or more"
        )
    return t, idx


def raster(spikes: Any, fn: str, name: str = "spikes") -> np.ndarray:
    """A validated 2-D ``(n_steps, n_neurons)`` float array of spike counts per step."""
    arr = as_float_array(spikes, fn, name)
    if arr.ndim != 2:
        raise BrainSimValueError(
            f"{fn}({name}=...): expected a (times, indices) pair, a dict with 'times' and "
            f"'indices', or a 2-D raster of shape (n_steps, n_neurons); got an array of "
            f"shape {arr.shape}"
        )
    return arr


def split_spikes(spikes: Any, fn: str) -> tuple[Any, Any, Any] | None:
    """``(times, indices, n_neurons or None)`` if ``spikes`` holds events, None for a raster.

    Events are a ``(times, indices)`` tuple, a dict with keys ``'times'`` and ``'indices'``
    (and optionally ``'n_neurons'``), or any object with ``times`` and ``indices``
    attributes (and optionally ``n_neurons``), such as a simulation's spike recording.
    """
    if isinstance(spikes, Mapping):
        missing = [k for k in ("times", "indices") if k not in spikes]
        if missing:
            raise BrainSimValueError(
                f"{fn}(spikes=...): a dict of spike events needs the keys 'times' and "
                f"'indices'; missing {missing}, got keys {sorted(map(str, spikes))}"
            )
        return spikes["times"], spikes["indices"], spikes.get("n_neurons")
    if isinstance(spikes, tuple):
        if len(spikes) != 2:
            raise BrainSimValueError(
                f"{fn}(spikes=...): a tuple of spike events must be (times, indices), got "
                f"a tuple of length {len(spikes)}"
            )
        return spikes[0], spikes[1], None
    if hasattr(spikes, "times") and hasattr(spikes, "indices"):
        return spikes.times, spikes.indices, getattr(spikes, "n_neurons", None)
    return None


def bin_index(t_ms: np.ndarray, t_start: float, bin_size: float) -> np.ndarray:
    """Index of the half-open bin ``[t_start + k*bin_size, t_start + (k+1)*bin_size)``."""
    x = (t_ms - t_start) / bin_size
    return np.floor(x + _ABS_TOL + _REL_TOL * np.abs(x)).astype(np.int64)


def n_bins_of(duration: float, bin_size: float) -> int:
    """Number of bins of ``bin_size`` covering ``duration`` (a last partial bin counts)."""
    x = duration / bin_size
    return max(int(np.ceil(x - _ABS_TOL - _REL_TOL * x)), 0)


def full_bins(span: float, bin_size: float) -> int:
    """Number of whole bins of ``bin_size`` in ``span`` (a last partial bin is dropped)."""
    x = span / bin_size
    return max(int(np.floor(x + _ABS_TOL + _REL_TOL * abs(x))), 0)
