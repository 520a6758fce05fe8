"""ISI / CV histograms and the one-call activity summary figure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import analysis
from .._errors import BrainSimTypeError
from ..analysis._convert import check_n_neurons, events, positive_ms
from ._common import get_axes, set_labels
from ._raster import group_members, raster, resolve_colors
from ._traces import population_rate

__all__ = ["isi_histogram", "cv_histogram", "summary"]


def isi_histogram(
    times: Any,
    indices: Any,
    n_neurons: int | None = None,
    ax: Any = None,
    *,
    bins: Any = 50,
    max_isi: Any = None,
    log: bool = False,
    **bar_kwargs: Any,
) -> Any:
    """Bar plot of the inter-spike intervals pooled over neurons.

    With ``log=True`` and an int ``bins`` the bins are spaced logarithmically between the
    shortest and the longest ISI and both axes are logarithmic, so that the short bursts
    and the long pauses of irregular firing are both visible.

    Takes the arguments of :func:`brainsim.analysis.isi_histogram` (times as a Quantity
    or in ms; ``bins`` an int or edges) plus ``ax`` and keyword arguments for
    :meth:`matplotlib.axes.Axes.bar`. Returns the Axes, with one bar per bin.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from brainsim import plot
    >>> ax = plot.isi_histogram([0.0, 10.0, 30.0], [0, 0, 0], bins=4)
    >>> len(ax.patches), ax.get_xlabel()
    (4, 'ISI (ms)')
    >>> plt.close(ax.figure)
    """
    if log and isinstance(bins, int | np.integer):
        isis = [d for d in analysis.isi(times, indices, n_neurons or _n_of(indices)) if d.size]
        pos = np.concatenate(isis) if isis else np.zeros(0)
        pos = pos[pos > 0]
        if max_isi is not None:
            pos = pos[pos <= positive_ms(max_isi, "isi_histogram", "max_isi", "100 * u.ms")]
        if pos.size:
            lo, hi = float(pos.min()), float(pos.max())
            bins = np.geomspace(lo, hi * (1 + 1e-9) if hi > lo else lo * 10.0, int(bins) + 1)
    counts, edges = analysis.isi_histogram(times, indices, n_neurons, bins=bins, max_isi=max_isi)
    ax = get_axes(ax, "isi_histogram")
    bar_kwargs.setdefault("color", "0.4")
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", **bar_kwargs)
    if log:
        ax.set_xscale("log")
        if np.any(counts > 0):
            ax.set_yscale("log")
    set_labels(ax, "ISI (ms)", "Count")
    return ax


def _n_of(indices: Any) -> int:
    idx = np.asarray(indices)
    return int(idx.max()) + 1 if idx.size else 1


def cv_histogram(
    times: Any,
    indices: Any,
    n_neurons: int,
    ax: Any = None,
    *,
    bins: int = 20,
    **bar_kwargs: Any,
) -> Any:
    """Histogram of the per-neuron ISI coefficient of variation.

    Neurons with fewer than two ISIs (NaN CV) are left out; the population mean CV is
    marked with a dashed line. Returns the Axes, with one bar per bin.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from brainsim import plot
    >>> ax = plot.cv_histogram([0.0, 10.0, 20.0, 0.0, 10.0, 30.0], [0, 0, 0, 1, 1, 1],
    ...                        n_neurons=2, bins=5)
    >>> len(ax.patches), ax.get_xlabel()
    (5, 'CV of ISI')
    >>> plt.close(ax.figure)
    """
    cv = analysis.cv_isi(times, indices, n_neurons)
    cv = cv[np.isfinite(cv)]
    top = max(1.5, float(cv.max()) * 1.05) if cv.size else 1.5
    counts, edges = np.histogram(cv, bins=bins, range=(0.0, top))
    ax = get_axes(ax, "cv_histogram")
    bar_kwargs.setdefault("color", "0.4")
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", **bar_kwargs)
    if cv.size:
        ax.axvline(float(cv.mean()), color="k", linestyle="--", linewidth=1)
    set_labels(ax, "CV of ISI", "Neurons")
    return ax


def summary(
    times: Any,
    indices: Any,
    n_neurons: int,
    duration: Any,
    *,
    groups: Mapping[str, Any] | None = None,
    colors: Any = None,
    title: str | None = None,
    bin_size: Any = 1.0,
    width: Any = 5.0,
    show_isi: bool = True,
    markersize: float = 2.0,
    max_neurons: int | None = 500,
    figsize: tuple[float, float] | None = None,
    fig: Any = None,
) -> Any:
    """One-call activity figure: raster, population rate and (optionally) ISI / CV.

    Parameters
    ----------
    times, indices
        Spike events (times as a Quantity or plain numbers in ms).
    n_neurons
        Population size.
    duration
        Length of the recording (Quantity or ms).
    groups, colors
        Named populations and their colours, as in :func:`raster`; with groups the rate
        panel shows one rate per group.
    title
        Figure title.
    bin_size, width
        Bin width and Gaussian smoothing width of the population rate (Quantity or ms);
        ``width=None`` disables smoothing. The rate panel's label names the kernel.
    show_isi
        Add a bottom row with the ISI histogram (log-spaced bins, log axes) and the CV
        histogram.
    markersize
        Raster dot size in points.
    max_neurons
        The raster shows at most this many neurons (default 500: 4000 rows are a texture,
        not spikes), taken evenly from each group in proportion to its size; the y label
        says how many are shown. The rate and ISI panels always use every neuron.
        ``None`` shows all.
    figsize
        Size of a new figure in inches.
    fig
        A Figure to draw into (cleared first); None creates a new pyplot figure.

    Returns
    -------
    matplotlib.figure.Figure
        Axes in order: raster, rate, and (with ``show_isi``) ISI and CV histograms.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from brainsim import plot
    >>> fig = plot.summary([1.0, 5.0, 9.0, 3.0, 8.0], [0, 0, 0, 1, 1], n_neurons=2,
    ...                    duration=10.0, groups={"E": [0], "I": [1]}, title="demo")
    >>> len(fig.axes)
    4
    >>> plt.close(fig)
    """
    fn = "summary"
    n = check_n_neurons(n_neurons, fn)
    t, idx = events(times, indices, n, fn)
    dur = positive_ms(duration, fn, "duration", "1000 * u.ms")
    step = positive_ms(bin_size, fn, "bin_size", "1 * u.ms")
    if groups is not None:  # validate before a figure is created
        members = group_members(groups, n, fn)
        palette = resolve_colors(colors, list(members), fn)
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=figsize or (8.0, 7.0 if show_isi else 5.5))
    else:
        from matplotlib.figure import Figure

        if not isinstance(fig, Figure):
            raise BrainSimTypeError(
                f"{fn}(fig=...): expected a matplotlib Figure or None, got {type(fig).__name__}"
            )
        fig.clear()
    rows = 3 if show_isi else 2
    grid = fig.add_gridspec(rows, 2, height_ratios=[3.0, 1.2, 1.4][:rows], hspace=0.6)
    ax_raster = fig.add_subplot(grid[0, :])
    ax_rate = fig.add_subplot(grid[1, :], sharex=ax_raster)

    shown = _raster_subset(members if groups is not None else {"": np.arange(n)}, n,
                           max_neurons)
    keep = np.isin(idx, shown)
    row = np.searchsorted(shown, idx[keep])  # neuron -> its row in the raster
    rows_of = None if groups is None else {
        name: np.searchsorted(shown, np.intersect1d(neurons, shown))
        for name, neurons in members.items()}
    raster(t[keep], row, ax_raster, groups=rows_of, colors=colors if groups is not None
           else None, n_neurons=shown.size, markersize=markersize)
    ax_raster.set_xlim(0.0, dur)
    ax_raster.tick_params(labelbottom=True)
    ax_raster.set_xlabel("Time (ms)")
    ax_raster.set_ylabel("Neuron" if shown.size == n else
                         f"Neuron ({shown.size} of {n} shown)")
    if width is None:
        kernel = f"{step:g} ms bins"
    else:
        kernel = f"Gaussian σ = {positive_ms(width, fn, 'width', '5 * u.ms'):g} ms"
    ax_rate.set_ylabel(f"Rate (Hz)\n{kernel}")
    if groups is None:
        tr, rate = analysis.population_rate(
            (t, idx), dt=step, n_neurons=n, duration=dur, width=width
        )
        population_rate(tr, rate, ax_rate)
    else:
        for name, neurons in members.items():
            mine = np.isin(idx, neurons)
            local = np.searchsorted(neurons, idx[mine])
            tr, rate = analysis.population_rate(
                (t[mine], local), dt=step, n_neurons=neurons.size, duration=dur, width=width
            )
            population_rate(tr, rate, ax_rate, label=name, color=palette[name])
    if show_isi:
        isi_histogram(t, idx, n, fig.add_subplot(grid[2, 0]), log=True)
        cv_histogram(t, idx, n, fig.add_subplot(grid[2, 1]))
    if title is not None:
        fig.suptitle(title)
    return fig


def _raster_subset(members: dict[str, np.ndarray], n: int, max_neurons: int | None) -> Any:
    """Sorted neuron indices to draw: at most ``max_neurons``, evenly spaced within each
    group, each group keeping its share of the population (at least one neuron)."""
    every = np.unique(np.concatenate([m for m in members.values()] or [np.arange(n)]))
    if max_neurons is None or every.size <= max_neurons:
        return np.arange(n) if every.size == n else every
    total = sum(m.size for m in members.values())
    picked = []
    for m in members.values():
        k = max(1, int(round(max_neurons * m.size / max(total, 1))))
        k = min(k, m.size)
        picked.append(m[np.linspace(0, m.size - 1, k).round().astype(int)])
    return np.unique(np.concatenate(picked))
