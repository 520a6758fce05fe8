"""Readable figures (issue 13, item 8): the summary raster shows a subset, the legend is off
the data, the raster has its own time label, the ISI histogram is on log axes, the rate
panel names its kernel, and user labels are kept."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from brainsim import plot


@pytest.fixture
def events():
    rng = np.random.default_rng(0)
    n, k = 4000, 40000
    return np.sort(rng.uniform(0, 1000, k)), rng.integers(0, n, k), n


def test_summary_raster_shows_500_of_4000_neurons(events):
    t, idx, n = events
    fig = plot.summary(t, idx, n, 1000.0, groups={"exc": slice(0, 3200), "inh": (3200, 4000)})
    raster, rate, isi, _ = fig.axes
    rows = np.concatenate([c.get_offsets()[:, 1] for c in raster.collections])
    assert np.unique(rows).size <= 500 and rows.max() < 500
    assert "500 of 4000" in raster.get_ylabel()
    # the groups keep their share: 400 exc rows, 100 inh rows
    exc, inh = (np.unique(c.get_offsets()[:, 1]).size for c in raster.collections)
    assert exc == pytest.approx(400, abs=5) and inh == pytest.approx(100, abs=5)
    assert raster.get_xlabel() == "Time (ms)"
    assert all(lbl.get_visible() for lbl in raster.get_xticklabels())
    assert "Gaussian" in rate.get_ylabel() and "5 ms" in rate.get_ylabel()
    assert isi.get_xscale() == "log" and isi.get_yscale() == "log"
    fig.canvas.draw()
    # the legends sit right of the axes, off the data
    for ax in (raster, rate):
        box, frame = ax.get_legend().get_window_extent(), ax.get_window_extent()
        assert box.x0 >= frame.x1
    plt.close(fig)


def test_summary_of_a_small_network_shows_every_neuron():
    fig = plot.summary([1.0, 5.0, 9.0, 3.0], [0, 0, 0, 1], 2, 10.0)
    assert "shown" not in fig.axes[0].get_ylabel()
    plt.close(fig)


def test_raster_and_traces_keep_user_labels():
    fig, (a, b) = plt.subplots(2)
    a.set_xlabel("t [s]")
    a.set_ylabel("cell")
    plot.raster([1.0, 2.0], [0, 1], a)
    assert (a.get_xlabel(), a.get_ylabel()) == ("t [s]", "cell")
    b.set_ylabel("membrane")
    plot.traces(np.arange(5.0), np.zeros((5, 2)), ax=b, name="V")
    assert b.get_ylabel() == "membrane" and b.get_xlabel() == "Time (ms)"
    plt.close(fig)
