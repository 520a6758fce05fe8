"""Population coordination: pairwise count correlations and Golomb's synchrony measure."""

from __future__ import annotations

from typing import Any

import brainunit as u
import numpy as np

from .._errors import BrainSimTypeError, BrainSimValueError
from ._convert import as_float_array

__all__ = ["pairwise_correlation", "synchrony"]

_PAIR_CHUNK = 4096


def _matrix(x: Any, fn: str, name: str) -> np.ndarray:
    arr = as_float_array(x, fn, name)
    if arr.ndim != 2:
        raise BrainSimValueError(
            f"{fn}({name}=...): expected a 2-D array of shape (n_bins, n_neurons), e.g. from "
            f"analysis.spike_counts; got shape {arr.shape}"
        )
    return arr


def pairwise_correlation(
    counts: Any, n_pairs: int | None = None, seed: int | np.random.Generator | None = None
) -> float:
    """Mean Pearson correlation coefficient between the spike counts of pairs of neurons.

    Neurons whose count never changes (silent ones in particular) have no defined
    correlation and are left out.

    Parameters
    ----------
    counts
        Spike counts of shape ``(n_bins, n_neurons)``, e.g. from :func:`spike_counts` or a
        raster; the bin size sets the time scale of the correlation.
    n_pairs
        None: the exact mean over all pairs, computed in ``O(n_bins * n_neurons)`` time
        and memory (no ``n_neurons**2`` matrix). An int: the mean over that many random
        distinct pairs (with replacement); the exact mean is used when ``n_pairs`` is at
        least the number of pairs.
    seed
        Seed or :class:`numpy.random.Generator` for the pair sampling.

    Returns
    -------
    float
        The mean correlation, in ``[-1, 1]``; NaN if fewer than two neurons vary.

    Examples
    --------
    >>> import numpy as np
    >>> from brainsim import analysis
    >>> a = np.array([0, 1, 0, 2, 1])
    >>> analysis.pairwise_correlation(np.stack([a, a, np.zeros(5)], axis=1))  # silent: out
    1.0
    >>> analysis.pairwise_correlation(np.stack([a, 2 - a], axis=1))
    -1.0
    """
    fn = "pairwise_correlation"
    x = _matrix(counts, fn, "counts")
    if n_pairs is not None and (
        isinstance(n_pairs, bool) or not isinstance(n_pairs, int | np.integer) or n_pairs < 1
    ):
        raise BrainSimValueError(f"{fn}(n_pairs=...): expected a positive int, got {n_pairs!r}")
    std = x.std(axis=0)
    active = std > 0
    n = int(active.sum())
    if n < 2:
        return float("nan")
    z = (x[:, active] - x[:, active].mean(axis=0)) / std[active]
    t = x.shape[0]
    if n_pairs is None or n_pairs >= n * (n - 1) // 2:
        s = z.sum(axis=1)
        return float(np.clip((s @ s / t - n) / (n * (n - 1)), -1.0, 1.0))
    if not (seed is None or isinstance(seed, int | np.integer | np.random.Generator)):
        raise BrainSimTypeError(
            f"{fn}(seed=...): expected an int, None or a numpy Generator, got {seed!r}"
        )
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, int(n_pairs))
    j = rng.integers(0, n - 1, int(n_pairs))
    j = j + (j >= i)  # distinct from i, uniform over the others
    total = 0.0
    for k in range(0, i.size, _PAIR_CHUNK):
        sl = slice(k, k + _PAIR_CHUNK)
        total += float(np.sum(z[:, i[sl]] * z[:, j[sl]])) / t
    return float(np.clip(total / i.size, -1.0, 1.0))


def synchrony(counts: Any) -> float:
    """Golomb's synchrony measure chi of a population.

    .. math::

        \\chi^2 = \\frac{\\operatorname{Var}_t\\left[\\frac{1}{N}\\sum_i x_i(t)\\right]}
                       {\\frac{1}{N}\\sum_i \\operatorname{Var}_t\\left[x_i(t)\\right]}

    ``chi`` is 1 when all neurons do the same thing and about ``1/sqrt(N)`` when they are
    independent (Golomb 2007, Scholarpedia 2(1):1347).

    Parameters
    ----------
    counts
        Array of shape ``(n_steps, n_neurons)``: binned spike counts, a raster, or traces
        such as membrane potentials (a Quantity is fine: the ratio has no unit).

    Returns
    -------
    float
        ``chi`` in ``[0, 1]``; NaN when no neuron varies in time.

    Examples
    --------
    >>> import numpy as np
    >>> from brainsim import analysis
    >>> a = np.array([0, 1, 0, 2, 1])
    >>> analysis.synchrony(np.stack([a, a, a], axis=1))
    1.0
    >>> analysis.synchrony(np.stack([a, 2 - a], axis=1))  # opposite phase cancels
    0.0
    """
    fn = "synchrony"
    if isinstance(counts, u.Quantity):
        counts = u.get_mantissa(counts)
    x = _matrix(counts, fn, "counts")
    if x.shape[1] == 0 or x.shape[0] < 2:
        return float("nan")
    denominator = x.var(axis=0).mean()
    if denominator <= 0:
        return float("nan")
    chi2 = x.mean(axis=1).var() / denominator
    return float(np.sqrt(np.clip(chi2, 0.0, 1.0)))
