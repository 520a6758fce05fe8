"""ISI / CV histograms and the one-call activity summary figure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import analysis
from .._errors import BrainSimTypeError
from ..analysis._convert import check_n_neurons, events, positive_ms
from ._common import get_axes
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
    **bar_kwargs: Any,
) -> Any:
    """Bar plot of the inter-spike intervals pooled over neurons.

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
    counts, edges = analysis.isi_histogram(times, indices, n_neurons, bins=bins, max_isi=max_isi)
    ax = get_axes(ax, "isi_histogram")
    bar_kwargs.setdefault("color", "0.4")
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", **bar_kwargs)
    ax.set_xlabel("ISI (ms)")
    ax.set_ylabel("Count")
    return ax


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
    ax.set_xlabel("CV of ISI")
    ax.set_ylabel("Neurons")
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
        ``width=None`` disables smoothing.
    show_isi
        Add a bottom row with the ISI histogram and the CV histogram.
    markersize
        Raster dot size in points.
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
    grid = fig.add_gridspec(rows, 2, height_ratios=[3.0, 1.2, 1.4][:rows], hspace=0.45)
    ax_raster = fig.add_subplot(grid[0, :])
    ax_rate = fig.add_subplot(grid[1, :], sharex=ax_raster)

    raster(t, idx, ax_raster, groups=groups, colors=colors, n_neurons=n, markersize=markersize)
    ax_raster.set_xlim(0.0, dur)
    ax_raster.set_xlabel("")
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
        isi_histogram(t, idx, n, fig.add_subplot(grid[2, 0]))
        cv_histogram(t, idx, n, fig.add_subplot(grid[2, 1]))
    if title is not None:
        fig.suptitle(title)
    return fig
