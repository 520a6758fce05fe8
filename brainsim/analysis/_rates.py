"""Firing rates: per neuron, population mean, and smoothed population-rate time series."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import BrainSimValueError
from ._convert import (
    as_float_array,
    bin_index,
    check_n_neurons,
    events,
    n_bins_of,
    positive_ms,
    raster,
    scalar_ms,
    split_spikes,
)

__all__ = ["firing_rate", "mean_rate", "population_rate", "raster_to_events"]

_KINDS = ("gaussian", "rect")


def _counts_and_duration(
    spikes: Any, duration: Any, n_neurons: Any, dt: Any, fn: str
) -> tuple[np.ndarray, float]:
    """Spike count per neuron and the recording duration in ms."""
    ev = split_spikes(spikes, fn)
    if ev is not None:
        n = check_n_neurons(ev[2] if n_neurons is None else n_neurons, fn)
        _, idx = events(ev[0], ev[1], n, fn)
        dur = positive_ms(duration, fn, "duration", "1000 * u.ms")
        return np.bincount(idx, minlength=n).astype(float), dur
    arr = raster(spikes, fn)
    n = check_n_neurons(n_neurons, fn, required=False)
    if n is not None and n != arr.shape[1]:
        raise BrainSimValueError(
            f"{fn}(n_neurons=...): got n_neurons={n} but the raster has {arr.shape[1]} "
            "columns (neurons); leave n_neurons out for a raster"
        )
    if duration is None:
        if dt is None:
            raise BrainSimValueError(
                f"{fn}(dt=...): a raster needs the time step to know its duration, e.g. "
                "dt=0.1 * u.ms (or pass duration=...)"
            )
        dur = arr.shape[0] * positive_ms(dt, fn, "dt")
        if dur == 0:
            raise BrainSimValueError(f"{fn}(spikes=...): the raster has no time steps")
    else:
        dur = positive_ms(duration, fn, "duration", "1000 * u.ms")
    return arr.sum(axis=0), dur


def firing_rate(
    spikes: Any, duration: Any = None, n_neurons: int | None = None, dt: Any = None
) -> np.ndarray:
    """Mean firing rate of each neuron, in Hz.

    Parameters
    ----------
    spikes
        Either spike events -- a ``(times, indices)`` tuple, a dict with keys ``'times'``
        and ``'indices'``, or an object with ``times`` / ``indices`` (and ``n_neurons``)
        attributes such as a simulation's spike recording; times as a Quantity or plain
        numbers in ms -- or a dense raster of shape ``(n_steps, n_neurons)`` (bool, 0/1 or
        spike counts per step).
    duration
        Length of the recording (Quantity or ms). Required for events; for a raster it
        defaults to ``n_steps * dt``.
    n_neurons
        Number of neurons. Required for events (silent neurons do not appear in
        ``indices``) unless they carry it (``spikes.n_neurons`` or ``spikes['n_neurons']``);
        for a raster it is the number of columns.
    dt
        Time step of a raster (Quantity or ms). Unused for events.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_neurons,)``: spike count divided by the duration, as plain floats in Hz.
        Silent neurons give 0; an empty population gives an empty array.

    Examples
    --------
    >>> import brainunit as u
    >>> import numpy as np
    >>> from brainsim import analysis
    >>> times = np.array([10.0, 20.0, 30.0, 15.0]) * u.ms
    >>> indices = np.array([0, 0, 0, 1])
    >>> analysis.firing_rate((times, indices), duration=1 * u.second, n_neurons=3)
    array([3., 1., 0.])
    >>> raster = np.array([[1, 0], [0, 0], [1, 1], [0, 0]])  # 4 steps of 0.5 ms
    >>> analysis.firing_rate(raster, dt=0.5)
    array([1000.,  500.])
    """
    counts, dur = _counts_and_duration(spikes, duration, n_neurons, dt, "firing_rate")
    return counts / (dur * 1e-3)


def mean_rate(
    spikes: Any, duration: Any = None, n_neurons: int | None = None, dt: Any = None
) -> float:
    """Mean firing rate over all neurons and the whole recording, in Hz.

    Takes the same arguments as :func:`firing_rate` and returns the mean of its result as a
    Python float in Hz (0.0 for an empty population or a recording without spikes).

    Examples
    --------
    >>> from brainsim import analysis
    >>> analysis.mean_rate(([10.0, 20.0, 30.0, 15.0], [0, 0, 0, 1]),
    ...                    duration=1000.0, n_neurons=4)
    1.0
    """
    counts, dur = _counts_and_duration(spikes, duration, n_neurons, dt, "mean_rate")
    if counts.size == 0:
        return 0.0
    return float(counts.sum() / counts.size / (dur * 1e-3))


def _kernel(dt: float, width: Any, kind: str, window: Any, fn: str) -> np.ndarray | None:
    """Normalised smoothing kernel (in bins), or None for no smoothing."""
    if window is not None:
        k = as_float_array(window, fn, "window")
        if k.ndim != 1 or k.size == 0 or np.any(k < 0) or k.sum() <= 0:
            raise BrainSimValueError(
                f"{fn}(window=...): expected a non-empty 1-D array of non-negative weights, "
                f"got shape {k.shape}"
            )
        return k / k.sum()
    if kind not in _KINDS:
        raise BrainSimValueError(f"{fn}(kind=...): expected one of {_KINDS}, got {kind!r}")
    if width is None:
        return None
    w = positive_ms(width, fn, "width", "5 * u.ms") / dt  # in bins
    if kind == "gaussian":
        half = max(int(np.ceil(4 * w)), 1)
        x = np.arange(-half, half + 1)
        k = np.exp(-0.5 * (x / w) ** 2)
    else:
        k = np.ones(max(int(round(w)), 1))
    return k / k.sum()


def _smooth(rate: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Centred convolution, renormalised at the edges so a constant rate stays constant."""
    if rate.size == 0:
        return rate
    start = (kernel.size - 1) // 2
    num = np.convolve(rate, kernel, "full")[start : start + rate.size]
    den = np.convolve(np.ones_like(rate), kernel, "full")[start : start + rate.size]
    return num / den


def population_rate(
    spikes: Any,
    dt: Any = None,
    *,
    n_neurons: int | None = None,
    duration: Any = None,
    t_start: Any = 0.0,
    width: Any = None,
    kind: str = "gaussian",
    window: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Time series of the population firing rate, in Hz, optionally smoothed.

    The spikes are counted in bins of ``dt``; the rate in a bin is the count divided by
    ``n_neurons * dt``.

    Parameters
    ----------
    spikes
        Spike events or a raster of shape ``(n_steps, n_neurons)``; see
        :func:`firing_rate`.
    dt
        Bin width (Quantity or ms). For a raster, its time step: one bin per row.
    n_neurons, duration
        Required for events: population size (unless the events carry ``n_neurons``) and
        recording length (Quantity or ms). For a raster they come from its shape.
    t_start
        Time of the first bin (Quantity or ms); spikes before it are ignored.
    width
        Smoothing width (Quantity or ms): the standard deviation of a Gaussian kernel
        (truncated at 4 sigma) or the full width of a rectangular one. None: no smoothing.
    kind
        ``'gaussian'`` or ``'rect'``.
    window
        A custom 1-D kernel in bins (normalised to sum 1); overrides ``kind`` and ``width``.

    Returns
    -------
    (t, rate) : tuple of numpy.ndarray
        ``t`` is the start of each bin in ms, ``rate`` the population rate in Hz. The
        smoothing is renormalised at the edges, so a constant rate stays constant.

    Examples
    --------
    >>> from brainsim import analysis
    >>> t, rate = analysis.population_rate(([0.0, 0.5, 1.2], [0, 1, 0]), dt=1.0,
    ...                                    n_neurons=2, duration=3.0)
    >>> t
    array([0., 1., 2.])
    >>> rate  # 2 spikes / (2 neurons * 1 ms), 1 spike / (2 neurons * 1 ms), none
    array([1000.,  500.,    0.])
    >>> analysis.population_rate(([0.0, 0.5, 1.2], [0, 1, 0]), dt=1.0, n_neurons=2,
    ...                          duration=3.0, width=3.0, kind="rect")[1]
    array([750., 500., 250.])
    """
    fn = "population_rate"
    step = positive_ms(dt, fn, "dt")
    t0 = scalar_ms(t_start, fn, "t_start")
    ev = split_spikes(spikes, fn)
    if ev is not None:
        n = check_n_neurons(ev[2] if n_neurons is None else n_neurons, fn)
        times, _ = events(ev[0], ev[1], n, fn)
        n_bins = n_bins_of(positive_ms(duration, fn, "duration", "1000 * u.ms"), step)
        b = bin_index(times, t0, step)
        counts = np.bincount(b[(b >= 0) & (b < n_bins)], minlength=n_bins).astype(float)
    else:
        arr = raster(spikes, fn)
        n = arr.shape[1]
        counts = arr.sum(axis=1)
        if duration is not None:
            counts = counts[: n_bins_of(positive_ms(duration, fn, "duration"), step)]
    t = t0 + step * np.arange(counts.size)
    rate = counts / (max(n, 1) * step * 1e-3)
    kernel = _kernel(step, width, kind, window, fn)
    if kernel is not None:
        rate = _smooth(rate, kernel)
    return t, rate


def raster_to_events(spikes: Any, dt: Any, t_start: Any = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Convert a raster ``(n_steps, n_neurons)`` into spike events ``(times, indices)``.

    A spike in row ``i`` is placed at ``t_start + i * dt``; a count ``k > 1`` gives ``k``
    events. Times are returned in ms, sorted by time then neuron index.

    Examples
    --------
    >>> from brainsim import analysis
    >>> times, indices = analysis.raster_to_events([[1, 0], [0, 0], [1, 1]], dt=0.5)
    >>> times
    array([0., 1., 1.])
    >>> indices
    array([0, 0, 1])
    """
    fn = "raster_to_events"
    arr = raster(spikes, fn)
    step = positive_ms(dt, fn, "dt")
    t0 = scalar_ms(t_start, fn, "t_start")
    if np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise BrainSimValueError(
            f"{fn}(spikes=...): expected 0/1 or non-negative integer spike counts"
        )
    rows, cols = np.nonzero(arr)
    reps = arr[rows, cols].astype(np.int64)
    rows, cols = np.repeat(rows, reps), np.repeat(cols, reps)
    return t0 + step * rows.astype(float), cols.astype(np.int64)
