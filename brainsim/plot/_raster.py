"""Spike raster plots with named, coloured populations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._errors import BrainSimTypeError, BrainSimValueError
from ..analysis._convert import check_n_neurons, events
from ._common import get_axes, legend_outside, set_labels

__all__ = ["raster"]


def group_members(groups: Any, n_neurons: int, fn: str) -> dict[str, np.ndarray]:
    """``{name: sorted neuron indices}`` from ``{name: slice | range | (start, stop) | array}``."""
    if not isinstance(groups, Mapping):
        raise BrainSimTypeError(
            f"{fn}(groups=...): expected a dict such as {{'E': slice(0, 800), "
            f"'I': slice(800, 1000)}}, got {type(groups).__name__}"
        )
    out: dict[str, np.ndarray] = {}
    for name, sel in groups.items():
        if isinstance(sel, slice):
            members = np.arange(*sel.indices(n_neurons))
        elif isinstance(sel, range):
            members = np.asarray(sel, dtype=np.int64)
        elif (
            isinstance(sel, tuple)
            and len(sel) == 2
            and all(isinstance(v, int | np.integer) for v in sel)
        ):
            members = np.arange(sel[0], sel[1])
        else:
            members = np.asarray(sel)
            if members.dtype == bool:
                members = np.flatnonzero(members)
            if members.ndim != 1 or (members.size and not np.issubdtype(members.dtype, np.integer)):
                raise BrainSimValueError(
                    f"{fn}(groups=...): group {name!r} must be a slice, a range, a "
                    f"(start, stop) pair or a 1-D array of neuron indices, got {sel!r}"
                )
        out[str(name)] = np.unique(members.astype(np.int64))
    return out


def resolve_colors(colors: Any, names: Sequence[str], fn: str) -> dict[str, Any]:
    """One colour per group name, from None (default cycle), a dict, a list or one colour."""
    if colors is None:
        return {name: f"C{k % 10}" for k, name in enumerate(names)}
    if isinstance(colors, Mapping):
        missing = [n for n in names if n not in colors]
        if missing:
            raise BrainSimValueError(f"{fn}(colors=...): no colour for the groups {missing}")
        return {n: colors[n] for n in names}
    if isinstance(colors, str) or (
        isinstance(colors, tuple) and len(colors) in (3, 4) and not isinstance(colors[0], str)
    ):
        return dict.fromkeys(names, colors)
    colors = list(colors)
    if len(colors) < len(names):
        raise BrainSimValueError(
            f"{fn}(colors=...): {len(names)} groups need {len(names)} colours, got {len(colors)}"
        )
    return dict(zip(names, colors, strict=False))


def raster(
    times: Any,
    indices: Any,
    ax: Any = None,
    *,
    groups: Mapping[str, Any] | None = None,
    colors: Any = None,
    markersize: float = 2.0,
    marker: str = ".",
    n_neurons: int | None = None,
    legend: bool = True,
    **scatter_kwargs: Any,
) -> Any:
    """Spike raster: one dot per spike at (time, neuron index).

    Parameters
    ----------
    times
        Spike times: a Quantity or plain numbers in ms.
    indices
        Neuron index of each spike.
    ax
        Axes to draw into; None creates a new figure.
    groups
        ``{name: neurons}`` with ``neurons`` a slice, range, ``(start, stop)`` pair, index
        array or boolean mask, e.g. ``{"E": slice(0, 800), "I": slice(800, 1000)}``. Each
        group gets its own colour and a legend entry. A spike goes to the first group that
        contains its neuron; spikes of neurons in no group are drawn in grey.
    colors
        One colour, a list (one per group) or a dict ``{name: colour}``. Default: the
        matplotlib colour cycle with groups, black without.
    markersize
        Dot diameter in points.
    marker
        Matplotlib marker.
    n_neurons
        Population size: fixes the y range to ``[0, n_neurons)`` and bounds open slices.
    legend
        Draw a legend of the group names (only with ``groups``), outside the axes on the
        right so that it never hides spikes.
    **scatter_kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter` (e.g. ``rasterized=True``).

    Returns
    -------
    matplotlib.axes.Axes
        One scatter collection per group (one without groups) whose offsets are the spikes.
        Axis labels already set on ``ax`` are kept.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from brainsim import plot
    >>> ax = plot.raster([1.0, 2.0, 3.0], [0, 1, 3], groups={"E": slice(0, 2), "I": (2, 4)})
    >>> [len(c.get_offsets()) for c in ax.collections]
    [2, 1]
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['E', 'I']
    >>> plt.close(ax.figure)
    """
    fn = "raster"
    n = check_n_neurons(n_neurons, fn, required=False)
    t, idx = events(times, indices, n, fn)
    if groups is not None:  # validate before a figure is created
        bound = n if n is not None else (int(idx.max()) + 1 if idx.size else 0)
        members = group_members(groups, bound, fn)
        palette = resolve_colors(colors, list(members), fn)
    ax = get_axes(ax, fn)
    kw = {"s": markersize**2, "marker": marker, "linewidths": 0, **scatter_kwargs}
    if groups is None:
        color = "k" if colors is None else colors
        ax.scatter(t, idx, color=color, **kw)
    else:
        unassigned = np.ones(t.size, dtype=bool)
        for name, neurons in members.items():
            mine = unassigned & np.isin(idx, neurons)
            unassigned &= ~mine
            ax.scatter(t[mine], idx[mine], color=palette[name], label=name, **kw)
        if unassigned.any():
            ax.scatter(t[unassigned], idx[unassigned], color="0.6", **kw)
        if legend and members:
            legend_outside(ax, markerscale=max(6.0 / max(markersize, 1e-3), 1.0))
    set_labels(ax, "Time (ms)", "Neuron index")
    if n is not None:
        ax.set_ylim(-0.5, max(n, 1) - 0.5)
    return ax
