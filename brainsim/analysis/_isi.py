"""Inter-spike intervals: per-neuron ISIs, their coefficient of variation, histograms."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import BrainSimValueError
from ._convert import check_n_neurons, events, positive_ms, to_ms

__all__ = ["isi", "cv_isi", "mean_cv", "isi_histogram"]


def _intervals(
    times: Any, indices: Any, n_neurons: int | None, fn: str, required: bool = True
) -> tuple[np.ndarray, np.ndarray, int]:
    """All ISIs (ms), the neuron each belongs to, and the number of neurons."""
    n = check_n_neurons(n_neurons, fn, required=required)
    t, idx = events(times, indices, n, fn)
    if n is None:
        n = int(idx.max()) + 1 if idx.size else 0
    order = np.lexsort((t, idx))
    t, idx = t[order], idx[order]
    same = idx[1:] == idx[:-1]
    return np.diff(t)[same], idx[1:][same], n


def isi(times: Any, indices: Any, n_neurons: int) -> list[np.ndarray]:
    """Inter-spike intervals of each neuron, in ms.

    Parameters
    ----------
    times
        Spike times, a Quantity or plain numbers in ms (any order).
    indices
        Neuron index of each spike, integers in ``[0, n_neurons)``.
    n_neurons
        Number of neurons.

    Returns
    -------
    list of numpy.ndarray
        ``n_neurons`` arrays; entry ``i`` holds the ``k_i - 1`` intervals (ms) between the
        ``k_i`` sorted spikes of neuron ``i`` (empty for fewer than two spikes).

    Examples
    --------
    >>> from brainsim import analysis
    >>> analysis.isi([5.0, 1.0, 2.0, 9.0], [0, 0, 1, 0], n_neurons=3)
    [array([4., 4.]), array([], dtype=float64), array([], dtype=float64)]
    """
    isis, owner, n = _intervals(times, indices, n_neurons, "isi")
    if n == 0:
        return []
    return list(np.split(isis, np.searchsorted(owner, np.arange(1, n))))


def cv_isi(times: Any, indices: Any, n_neurons: int) -> np.ndarray:
    """Coefficient of variation of the inter-spike intervals of each neuron.

    ``CV = std(ISI) / mean(ISI)`` (population standard deviation, ``ddof=0``): 0 for a
    perfectly regular train, about 1 for a Poisson process.

    Parameters
    ----------
    times, indices, n_neurons
        Spike events as in :func:`isi` (times as a Quantity or in ms).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_neurons,)``, dimensionless; NaN for neurons with fewer than two ISIs
        (fewer than three spikes). Use :func:`mean_cv` for the population mean.

    Examples
    --------
    >>> from brainsim import analysis
    >>> times = [0.0, 10.0, 20.0, 30.0,  0.0, 10.0, 30.0,  5.0]
    >>> indices = [0, 0, 0, 0,  1, 1, 1,  2]
    >>> analysis.cv_isi(times, indices, n_neurons=3)   # regular, ISIs (10, 20), one spike
    array([0.        , 0.33333333,        nan])
    """
    isis, owner, n = _intervals(times, indices, n_neurons, "cv_isi")
    count = np.bincount(owner, minlength=n).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(owner, isis, minlength=n) / count
        var = np.bincount(owner, (isis - mean[owner]) ** 2, minlength=n) / count
        cv = np.sqrt(var) / mean
    cv[(count < 2) | ~np.isfinite(cv)] = np.nan
    return cv


def mean_cv(times: Any, indices: Any, n_neurons: int) -> float:
    """Population mean of :func:`cv_isi`, ignoring neurons with fewer than two ISIs.

    Returns a Python float; NaN when no neuron has two ISIs.

    Examples
    --------
    >>> from brainsim import analysis
    >>> times = [0.0, 10.0, 20.0, 30.0,  0.0, 10.0, 30.0,  5.0]
    >>> indices = [0, 0, 0, 0,  1, 1, 1,  2]
    >>> round(analysis.mean_cv(times, indices, n_neurons=3), 4)
    0.1667
    >>> analysis.mean_cv([1.0], [0], n_neurons=1)
    nan
    """
    cv = cv_isi(times, indices, n_neurons)
    valid = cv[np.isfinite(cv)]
    return float(valid.mean()) if valid.size else float("nan")


def isi_histogram(
    times: Any,
    indices: Any,
    n_neurons: int | None = None,
    bins: Any = 50,
    max_isi: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of the inter-spike intervals pooled over all neurons.

    Parameters
    ----------
    times, indices
        Spike events (times as a Quantity or plain numbers in ms).
    n_neurons
        Number of neurons; optional here (only used to validate ``indices``).
    bins
        Number of equal bins, or the bin edges (Quantity or ms).
    max_isi
        Upper end of the histogram range when ``bins`` is an int (Quantity or ms);
        default: the largest ISI. The range starts at 0.

    Returns
    -------
    (counts, edges) : tuple of numpy.ndarray
        Integer counts of length ``n_bins`` and the ``n_bins + 1`` edges in ms, as in
        :func:`numpy.histogram`.

    Examples
    --------
    >>> from brainsim import analysis
    >>> counts, edges = analysis.isi_histogram([0.0, 10.0, 30.0, 5.0, 15.0], [0, 0, 0, 1, 1],
    ...                                        bins=2, max_isi=40.0)
    >>> counts
    array([2, 1])
    >>> edges
    array([ 0., 20., 40.])
    """
    fn = "isi_histogram"
    isis, _, _ = _intervals(times, indices, n_neurons, fn, required=False)
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer):
        edges = to_ms(bins, fn, "bins")
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise BrainSimValueError(
                f"{fn}(bins=...): expected an int or at least two increasing bin edges"
            )
        counts, edges = np.histogram(isis, bins=edges)
        return counts, edges
    if bins < 1:
        raise BrainSimValueError(f"{fn}(bins=...): expected a positive int, got {bins}")
    if max_isi is not None:
        top = positive_ms(max_isi, fn, "max_isi", "100 * u.ms")
    else:
        top = float(isis.max()) if isis.size and isis.max() > 0 else 1.0
    return np.histogram(isis, bins=int(bins), range=(0.0, top))
