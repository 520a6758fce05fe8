"""Helpers shared by the plotting functions: axes creation and saving figures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._errors import BrainSimTypeError

__all__ = ["save"]


def get_axes(ax: Any, fn: str) -> Any:
    """``ax`` itself, or the Axes of a new pyplot figure when ``ax`` is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise BrainSimTypeError(
            f"{fn}(ax=...): expected a matplotlib Axes or None, got {type(ax).__name__}"
        )
    return ax


def save(fig: Any, path: str | os.PathLike, *, dpi: float = 150, **savefig_kwargs: Any) -> Path:
    """Save a figure to ``path``, creating missing parent directories.

    Parameters
    ----------
    fig
        A matplotlib Figure, or an Axes (its figure is saved).
    path
        Output file; the format follows the suffix (``.png``, ``.pdf``, ``.svg``, ...).
    dpi
        Resolution for raster formats.
    **savefig_kwargs
        Passed to :meth:`matplotlib.figure.Figure.savefig` (``bbox_inches="tight"`` is the
        default here).

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from brainsim import plot
    >>> ax = plot.raster([1.0, 2.0], [0, 1])
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = plot.save(ax, pathlib.Path(d) / "figs" / "raster.png")
    ...     print(out.name, out.stat().st_size > 0)
    raster.png True
    >>> plt.close("all")
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    if isinstance(fig, Axes):
        fig = fig.figure
    if isinstance(fig, SubFigure):
        fig = fig.figure
    if not isinstance(fig, Figure):
        raise BrainSimTypeError(
            f"save(fig=...): expected a matplotlib Figure or Axes, got {type(fig).__name__}"
        )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    savefig_kwargs.setdefault("bbox_inches", "tight")
    fig.savefig(out, dpi=dpi, **savefig_kwargs)
    return out


def set_labels(ax: Any, xlabel: str | None = None, ylabel: str | None = None) -> None:
    """Set the axis labels that are still empty: a label the user set is kept."""
    if xlabel is not None and not ax.get_xlabel():
        ax.set_xlabel(xlabel)
    if ylabel is not None and not ax.get_ylabel():
        ax.set_ylabel(ylabel)


def legend_outside(ax: Any, **kwargs: Any) -> Any:
    """A legend to the right of the axes, off the data."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), borderaxespad=0.0,
                     fontsize="small", **kwargs)
