"""Matplotlib helpers for spiking data: raster, traces, rates, ISI / CV, summary figure.

Every function takes plain arrays or Quantities (times in ms when plain, rates in Hz),
draws into ``ax`` (a new pyplot figure when ``ax=None``), returns the Axes (``summary``
returns the Figure) and never calls ``plt.show()``. matplotlib is imported only when a
function runs. Use :func:`save` to write a figure, creating its directory.
"""

from ._common import save as save
from ._raster import raster as raster
from ._summary import cv_histogram as cv_histogram
from ._summary import isi_histogram as isi_histogram
from ._summary import summary as summary
from ._traces import population_rate as population_rate
from ._traces import traces as traces

__all__ = [
    "raster",
    "traces",
    "population_rate",
    "isi_histogram",
    "cv_histogram",
    "summary",
    "save",
]
