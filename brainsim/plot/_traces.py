"""Line plots over time: state-variable traces and population rates."""

from __future__ import annotations

from typing import Any

import brainunit as u
import numpy as np

from .._errors import BrainSimTypeError, BrainSimValueError
from ..analysis._convert import as_float_array, to_hz, to_ms
from ._common import get_axes, legend_outside, set_labels

__all__ = ["traces", "population_rate"]


def _values_and_unit(values: Any, unit: Any, fn: str) -> tuple[np.ndarray, str | None]:
    """Mantissa array in ``unit`` (or the Quantity's own unit) and the unit's name."""
    if isinstance(values, u.Quantity):
        if unit is None:
            unit = u.get_unit(values)
        try:
            arr = np.asarray(values.to_decimal(unit), dtype=float)
        except (u.UnitMismatchError, TypeError) as exc:
            raise BrainSimTypeError(
                f"{fn}(unit=...): cannot express values in {u.get_unit(values)} as {unit}"
            ) from exc
        name = str(unit)
        return arr, (name if name not in ("", "1") else None)
    if unit is not None:
        raise BrainSimTypeError(
            f"{fn}(unit=...): `values` are plain numbers; pass them as a Quantity "
            "(e.g. v * u.mV) to convert units"
        )
    return as_float_array(values, fn, "values"), None


def _select(arr: np.ndarray, neurons: Any, fn: str) -> tuple[np.ndarray, np.ndarray]:
    """Columns to draw and their neuron indices."""
    ids = np.arange(arr.shape[1])
    if neurons is None:
        return arr, ids
    if isinstance(neurons, slice):
        sel = ids[neurons]
    else:
        sel = np.atleast_1d(np.asarray(neurons))
        if sel.dtype == bool:
            sel = np.flatnonzero(sel)
        if sel.ndim != 1 or (sel.size and not np.issubdtype(sel.dtype, np.integer)):
            raise BrainSimValueError(
                f"{fn}(neurons=...): expected an int, a slice or a 1-D array of indices, "
                f"got {neurons!r}"
            )
        if sel.size and (sel.min() < -arr.shape[1] or sel.max() >= arr.shape[1]):
            raise BrainSimValueError(
                f"{fn}(neurons=...): index out of range for {arr.shape[1]} neurons: {neurons!r}"
            )
        sel = ids[sel]
    return arr[:, sel], sel


def traces(
    t: Any,
    values: Any,
    neurons: Any = None,
    ax: Any = None,
    *,
    name: str | None = None,
    unit: Any = None,
    legend: bool | None = None,
    **plot_kwargs: Any,
) -> Any:
    """Plot state-variable traces (e.g. membrane potentials) against time.

    Parameters
    ----------
    t
        Time axis of length ``n_steps``: a Quantity or plain numbers in ms.
    values
        Shape ``(n_steps,)`` or ``(n_steps, n_neurons)``: a Quantity (its unit goes into
        the y label) or plain numbers.
    neurons
        Which columns to draw: an int, a slice, an index array or a boolean mask.
        Default: all.
    ax
        Axes to draw into; None creates a new figure.
    name
        Variable name for the y label, e.g. ``"V"`` gives ``"V (mV)"``.
    unit
        Unit to display a Quantity in, e.g. ``u.mV``; default: its own unit.
    legend
        Label each line ``neuron i`` and draw a legend; default: when at most 10 lines.
    **plot_kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes
        With one line per drawn neuron.

    Examples
    --------
    >>> import brainunit as u
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from brainsim import plot
    >>> t = np.arange(5) * 0.1 * u.ms
    >>> v = np.array([[-70.0, -65.0], [-69.0, -60.0], [-68.0, -55.0],
    ...               [-67.0, -50.0], [-66.0, -70.0]]) * u.mV
    >>> ax = plot.traces(t, v, name="V")
    >>> len(ax.get_lines()), ax.get_ylabel(), ax.get_xlabel()
    (2, 'V (mV)', 'Time (ms)')
    >>> plt.close(ax.figure)
    """
    fn = "traces"
    time = to_ms(t, fn, "t")
    arr, unit_name = _values_and_unit(values, unit, fn)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise BrainSimValueError(
            f"{fn}(values=...): expected shape (n_steps,) or (n_steps, n_neurons), got {arr.shape}"
        )
    if time.ndim != 1 or time.size != arr.shape[0]:
        raise BrainSimValueError(
            f"{fn}(t=...): expected {arr.shape[0]} times (one per row of `values`), got "
            f"shape {time.shape}"
        )
    arr, ids = _select(arr, neurons, fn)
    ax = get_axes(ax, fn)
    show_legend = ids.size <= 10 if legend is None else legend
    for k, i in enumerate(ids):
        label = f"neuron {i}" if show_legend else None
        ax.plot(time, arr[:, k], label=label, **plot_kwargs)
    if show_legend and ids.size:
        legend_outside(ax)
    label = name or "Value"
    set_labels(ax, "Time (ms)", f"{label} ({unit_name})" if unit_name else label)
    return ax


def population_rate(
    t: Any, rate: Any, ax: Any = None, *, label: str | None = None, **plot_kwargs: Any
) -> Any:
    """Plot a population rate against time.

    Parameters
    ----------
    t
        Time axis: a Quantity or plain numbers in ms.
    rate
        Rates of the same length: a Quantity (converted to Hz) or plain numbers in Hz,
        e.g. the output of :func:`brainsim.analysis.population_rate`.
    ax
        Axes to draw into; None creates a new figure.
    label
        Legend label of the line (a legend is drawn when given).
    **plot_kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from brainsim import analysis, plot
    >>> t, rate = analysis.population_rate(([1.0, 2.5], [0, 1]), dt=1.0, n_neurons=2,
    ...                                    duration=4.0)
    >>> ax = plot.population_rate(t, rate)
    >>> len(ax.get_lines()), ax.get_ylabel()
    (1, 'Rate (Hz)')
    >>> plt.close(ax.figure)
    """
    fn = "population_rate"
    time = to_ms(t, fn, "t")
    r = to_hz(rate, fn, "rate")
    if time.ndim != 1 or r.shape != time.shape:
        raise BrainSimValueError(
            f"{fn}(rate=...): expected a 1-D rate with one value per time, got shapes "
            f"t {time.shape} and rate {r.shape}"
        )
    ax = get_axes(ax, fn)
    if label is None:
        plot_kwargs.setdefault("color", "k")
    ax.plot(time, r, label=label, **plot_kwargs)
    if label is not None:
        legend_outside(ax)
    set_labels(ax, "Time (ms)", "Rate (Hz)")
    return ax
