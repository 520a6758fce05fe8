"""Binned spike counts and their Fano factor."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import BrainSimValueError
from ._convert import (
    bin_index,
    check_n_neurons,
    events,
    full_bins,
    positive_ms,
    scalar_ms,
    to_ms,
)

__all__ = ["spike_counts", "fano_factor"]


def spike_counts(
    times: Any,
    indices: Any,
    n_neurons: int,
    *,
    bin_size: Any = None,
    bins: Any = None,
    t_start: Any = 0.0,
    t_stop: Any = None,
) -> np.ndarray:
    """Spike counts of each neuron in consecutive time bins.

    Give either ``bin_size`` (with ``t_stop``) or explicit ``bins`` edges. Bins are
    half-open, ``[edge_k, edge_k+1)``; spikes outside all bins are ignored.

    Parameters
    ----------
    times, indices, n_neurons
        Spike events: times as a Quantity or plain numbers in ms, integer neuron indices
        in ``[0, n_neurons)``.
    bin_size
        Bin width (Quantity or ms). Only full bins between ``t_start`` and ``t_stop`` are
        used: a last partial bin is dropped, so every bin has the same width.
    bins
        Bin edges (Quantity or ms), increasing; an alternative to ``bin_size``.
    t_start, t_stop
        Start and end of the binned window (Quantity or ms), used with ``bin_size``.

    Returns
    -------
    numpy.ndarray
        Integer counts of shape ``(n_bins, n_neurons)``.

    Examples
    --------
    >>> from brainsim import analysis
    >>> analysis.spike_counts([1.0, 2.0, 6.0, 7.0, 12.0], [0, 0, 0, 1, 1], n_neurons=2,
    ...                       bin_size=5.0, t_stop=10.0)   # the spike at 12 ms is outside
    array([[2, 0],
           [1, 1]])
    """
    fn = "spike_counts"
    n = check_n_neurons(n_neurons, fn)
    t, idx = events(times, indices, n, fn)
    if (bin_size is None) == (bins is None):
        raise BrainSimValueError(
            f"{fn}(bin_size=...): give exactly one of bin_size (with t_stop) or bins "
            "(the bin edges)"
        )
    if bins is not None:
        edges = to_ms(bins, fn, "bins")
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise BrainSimValueError(f"{fn}(bins=...): expected at least two increasing edges")
        b = np.searchsorted(edges, t, side="right") - 1
        n_bins = edges.size - 1
    else:
        width = positive_ms(bin_size, fn, "bin_size", "10 * u.ms")
        t0 = scalar_ms(t_start, fn, "t_start")
        if t_stop is None:
            raise BrainSimValueError(
                f"{fn}(t_stop=...): t_stop is required with bin_size, e.g. t_stop=1000 * u.ms"
            )
        t1 = scalar_ms(t_stop, fn, "t_stop")
        n_bins = full_bins(t1 - t0, width)
        if n_bins < 1:
            raise BrainSimValueError(
                f"{fn}(bin_size=...): the window [{t0}, {t1}) ms holds no full bin of "
                f"{width} ms; use a smaller bin_size or a later t_stop"
            )
        b = bin_index(t, t0, width)
    keep = (b >= 0) & (b < n_bins)
    flat = np.bincount(b[keep] * n + idx[keep], minlength=n_bins * n)
    return flat.reshape(n_bins, n)


def fano_factor(
    times: Any,
    indices: Any,
    n_neurons: int,
    bin_size: Any,
    *,
    t_start: Any = 0.0,
    t_stop: Any = None,
    population: bool = False,
) -> np.ndarray | float:
    """Fano factor (variance / mean) of the binned spike counts.

    About 1 for a Poisson process, 0 for a perfectly regular one (bin size a multiple of
    the period), above 1 for bursty or correlated firing. The variance is taken with
    ``ddof=0``.

    Parameters
    ----------
    times, indices, n_neurons
        Spike events (times as a Quantity or in ms).
    bin_size
        Counting window (Quantity or ms).
    t_start, t_stop
        The counted interval (Quantity or ms); ``t_stop`` is required. Only full bins are
        used (see :func:`spike_counts`).
    population
        False: one Fano factor per neuron. True: the Fano factor of the population count
        (summed over neurons), which grows with synchrony.

    Returns
    -------
    numpy.ndarray or float
        Shape ``(n_neurons,)`` with NaN for neurons without spikes, or (``population=True``)
        a Python float, NaN if the population is silent.

    Examples
    --------
    >>> from brainsim import analysis
    >>> times = [1.0, 2.0, 3.0, 11.0,  5.0, 15.0]      # neuron 0 bursty, neuron 1 regular
    >>> indices = [0, 0, 0, 0,  1, 1]
    >>> analysis.fano_factor(times, indices, n_neurons=3, bin_size=10.0, t_stop=20.0)
    array([0.5, 0. , nan])
    >>> analysis.fano_factor(times, indices, n_neurons=3, bin_size=10.0, t_stop=20.0,
    ...                      population=True)   # population counts (4, 2)
    0.333...
    """
    fn = "fano_factor"
    if t_stop is None:
        raise BrainSimValueError(
            f"{fn}(t_stop=...): the end of the recording is required, e.g. t_stop=1000 * u.ms"
        )
    counts = spike_counts(
        times, indices, n_neurons, bin_size=bin_size, t_start=t_start, t_stop=t_stop
    ).astype(float)
    if population:
        total = counts.sum(axis=1)
        m = total.mean()
        return float(total.var() / m) if m > 0 else float("nan")
    mean = counts.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ff = counts.var(axis=0) / mean
    ff[mean == 0] = np.nan
    return ff
