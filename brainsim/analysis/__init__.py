"""Spike-train analysis: arrays, Quantities or recording dicts in, numbers out.

Conventions
-----------
- Spikes are events, ``times`` (a Quantity, or plain numbers in **ms**) with integer
  ``indices``, or a dense raster ``(n_steps, n_neurons)`` with its time step ``dt``.
  Functions that take a single ``spikes`` argument accept a ``(times, indices)`` tuple, a
  dict with keys ``'times'`` and ``'indices'``, any object with ``times`` / ``indices`` /
  ``n_neurons`` attributes (e.g. a simulation's spike recording), or a raster.
- Every time argument (``duration``, ``dt``, ``bin_size``, ``width``, ...) is a Quantity
  or plain numbers in ms.
- Results are plain NumPy arrays / Python floats: times in ms, rates in Hz, CV, Fano
  factor, correlation and synchrony dimensionless.
- This package never imports the model layers; it works on data from any simulator.
"""

from ._correlation import pairwise_correlation as pairwise_correlation
from ._correlation import synchrony as synchrony
from ._counts import fano_factor as fano_factor
from ._counts import spike_counts as spike_counts
from ._isi import cv_isi as cv_isi
from ._isi import isi as isi
from ._isi import isi_histogram as isi_histogram
from ._isi import mean_cv as mean_cv
from ._rates import firing_rate as firing_rate
from ._rates import mean_rate as mean_rate
from ._rates import population_rate as population_rate
from ._rates import raster_to_events as raster_to_events

__all__ = [
    "firing_rate",
    "mean_rate",
    "population_rate",
    "raster_to_events",
    "isi",
    "cv_isi",
    "mean_cv",
    "isi_histogram",
    "spike_counts",
    "fano_factor",
    "pairwise_correlation",
    "synchrony",
]
