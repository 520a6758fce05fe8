"""Tests for brainsim.plot: every helper returns its Axes / Figure with the right artists."""

import ast
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import brainunit as u
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import brainsim
from brainsim import analysis, plot
from brainsim._errors import BrainSimTypeError, BrainSimValueError

N = 50
DURATION = 500.0


@pytest.fixture(autouse=True)
def no_figure_leaks():
    """Each test closes what it opens; leftovers fail the test (and are closed)."""
    before = set(plt.get_fignums())
    yield
    leaked = set(plt.get_fignums()) - before
    plt.close("all")
    assert not leaked, f"figures left open: {sorted(leaked)}"


@pytest.fixture(scope="module")
def spikes():
    rng = np.random.default_rng(0)
    counts = rng.poisson(10.0 * DURATION * 1e-3, size=N)  # 10 Hz
    indices = np.repeat(np.arange(N), counts)
    times = rng.uniform(0.0, DURATION, size=indices.size)
    return times, indices


def test_matplotlib_is_imported_lazily():
    plot_dir = Path(brainsim.__file__).parent / "plot"
    analysis_dir = Path(brainsim.__file__).parent / "analysis"
    for path in [*plot_dir.glob("*.py"), *analysis_dir.glob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "matplotlib" for n in names), path.name


def test_raster_one_point_per_spike(spikes):
    times, indices = spikes
    ax = plot.raster(times * u.ms, indices, n_neurons=N)
    assert isinstance(ax, Axes)
    assert len(ax.collections) == 1
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) == times.size
    np.testing.assert_allclose(np.sort(offsets[:, 0]), np.sort(times))
    assert ax.get_xlabel() == "Time (ms)" and ax.get_ylabel() == "Neuron index"
    assert ax.get_ylim() == (-0.5, N - 0.5)
    assert ax.get_legend() is None
    plt.close(ax.figure)


def test_raster_seconds_are_shown_in_ms():
    ax = plot.raster([0.1, 0.2] * u.second, [0, 1])
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 0], [100.0, 200.0])
    plt.close(ax.figure)


def test_raster_groups_colours_and_legend(spikes):
    times, indices = spikes
    groups = {"E": slice(0, 40), "I": range(40, 45), "X": np.array([45, 46])}
    ax = plot.raster(times, indices, groups=groups, colors={"E": "red", "I": "blue", "X": "green"})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["E", "I", "X"]
    sizes = [len(c.get_offsets()) for c in ax.collections]
    expected = [
        int((indices < 40).sum()),
        int(((indices >= 40) & (indices < 45)).sum()),
        int(np.isin(indices, [45, 46]).sum()),
        int((indices >= 47).sum()),  # in no group: grey, no legend entry
    ]
    assert sizes == expected and sum(sizes) == times.size
    np.testing.assert_allclose(ax.collections[0].get_facecolor()[0], [1, 0, 0, 1])
    np.testing.assert_allclose(ax.collections[1].get_facecolor()[0], [0, 0, 1, 1])
    plt.close(ax.figure)


def test_raster_draws_into_given_axes_without_new_figures(spikes):
    times, indices = spikes
    fig, axes = plt.subplots(1, 2)
    n_figs = len(plt.get_fignums())
    out = plot.raster(times, indices, axes[1], groups={"A": (0, 25), "B": (25, 50)})
    assert out is axes[1]
    assert len(axes[0].collections) == 0 and len(axes[1].collections) == 2
    assert len(plt.get_fignums()) == n_figs
    plt.close(fig)


def test_raster_errors():
    with pytest.raises(BrainSimTypeError, match=r"raster\(ax=\.\.\.\): expected a matplotlib Axes"):
        plot.raster([1.0], [0], ax="left")
    with pytest.raises(BrainSimValueError, match=r"raster\(groups=\.\.\.\): group 'E' must be"):
        plot.raster([1.0], [0], groups={"E": "all"})
    with pytest.raises(BrainSimValueError, match=r"raster\(colors=\.\.\.\): no colour for"):
        plot.raster([1.0], [0], groups={"E": [0]}, colors={"I": "r"})
    with pytest.raises(BrainSimValueError, match=r"raster\(indices=\.\.\.\): .*same length"):
        plot.raster([1.0, 2.0], [0])
    assert plt.get_fignums() == []  # validation happens before a figure is made


def test_traces_units_and_selection():
    t = np.arange(100) * 0.1 * u.ms
    v = np.linspace(-70, -50, 100)[:, None] * np.ones((1, 4)) * u.mV
    ax = plot.traces(t, v, name="V")
    assert len(ax.get_lines()) == 4
    assert ax.get_ylabel() == "V (mV)" and ax.get_xlabel() == "Time (ms)"
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "neuron 0"
    plt.close(ax.figure)

    ax = plot.traces(t, v, neurons=[1, 3], unit=u.volt)
    assert len(ax.get_lines()) == 2
    assert ax.get_ylabel() == "Value (V)"
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata()[0], -0.07)
    plt.close(ax.figure)

    ax = plot.traces(np.arange(100) * 0.1, np.zeros((100, 20)), neurons=slice(0, 15))
    assert len(ax.get_lines()) == 15 and ax.get_legend() is None  # > 10 lines: no legend
    assert ax.get_ylabel() == "Value"
    plt.close(ax.figure)

    ax = plot.traces(np.arange(3.0), np.array([1.0, 2.0, 3.0]) * u.nA, neurons=0, name="I")
    assert len(ax.get_lines()) == 1 and ax.get_ylabel() == "I (nA)"
    plt.close(ax.figure)


def test_traces_errors():
    with pytest.raises(BrainSimValueError, match=r"traces\(t=\.\.\.\): expected 5 times"):
        plot.traces(np.arange(4.0), np.zeros((5, 2)))
    with pytest.raises(BrainSimTypeError, match=r"traces\(t=\.\.\.\): expected a time"):
        plot.traces(np.arange(5.0) * u.mV, np.zeros((5, 2)))
    with pytest.raises(BrainSimTypeError, match=r"traces\(unit=\.\.\.\): cannot express"):
        plot.traces(np.arange(5.0), np.zeros((5, 2)) * u.mV, unit=u.ms)
    with pytest.raises(BrainSimValueError, match=r"traces\(neurons=\.\.\.\): index out of range"):
        plot.traces(np.arange(5.0), np.zeros((5, 2)), neurons=[2])


def test_population_rate_plot(spikes):
    times, indices = spikes
    t, rate = analysis.population_rate(
        (times, indices), 1.0, n_neurons=N, duration=DURATION, width=10.0
    )
    ax = plot.population_rate(t * u.ms, rate * u.Hz)
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), rate)
    assert ax.get_ylabel() == "Rate (Hz)"
    ax2 = plot.population_rate(t, rate / 1000.0 * u.kHz, ax, label="all")
    assert ax2 is ax and len(ax.get_lines()) == 2
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), rate)
    assert ax.get_legend() is not None
    plt.close(ax.figure)
    with pytest.raises(BrainSimValueError, match=r"population_rate\(rate=\.\.\.\)"):
        plot.population_rate(t, rate[:-1])


def test_isi_and_cv_histograms(spikes):
    times, indices = spikes
    ax = plot.isi_histogram(times, indices, N, bins=30)
    counts, _ = analysis.isi_histogram(times, indices, N, bins=30)
    assert len(ax.patches) == 30
    np.testing.assert_allclose([p.get_height() for p in ax.patches], counts)
    plt.close(ax.figure)
    ax = plot.cv_histogram(times, indices, N, bins=12)
    assert len(ax.patches) == 12
    n_valid = int(np.isfinite(analysis.cv_isi(times, indices, N)).sum())
    assert sum(p.get_height() for p in ax.patches) == n_valid
    assert len(ax.get_lines()) == 1  # the mean-CV marker
    plt.close(ax.figure)


def test_summary_figure_with_groups(spikes, tmp_path):
    times, indices = spikes
    fig = plot.summary(
        times * u.ms,
        indices,
        N,
        DURATION * u.ms,
        groups={"E": slice(0, 40), "I": slice(40, None)},
        title="net",
    )
    assert isinstance(fig, Figure)
    ax_raster, ax_rate, ax_isi, ax_cv = fig.axes
    assert sum(len(c.get_offsets()) for c in ax_raster.collections) == times.size
    assert [t.get_text() for t in ax_raster.get_legend().get_texts()] == ["E", "I"]
    assert len(ax_rate.get_lines()) == 2  # one rate per group
    assert ax_isi.get_xlabel() == "ISI (ms)" and ax_cv.get_xlabel() == "CV of ISI"
    assert fig._suptitle.get_text() == "net"
    out = plot.save(fig, tmp_path / "deep" / "dir" / "summary.png", dpi=60)
    assert out.exists() and out.stat().st_size > 10_000
    width, height = plt.imread(out).shape[1::-1]
    assert width > 300 and height > 300
    plt.close(fig)


def test_summary_without_groups_or_isi(spikes):
    times, indices = spikes
    fig = plot.summary(times, indices, N, DURATION, show_isi=False, width=None)
    assert len(fig.axes) == 2
    assert len(fig.axes[1].get_lines()) == 1
    again = plot.summary(times, indices, N, DURATION, fig=fig)  # redraw into the same figure
    assert again is fig and len(fig.axes) == 4
    plt.close(fig)


def test_summary_with_no_spikes():
    fig = plot.summary([], [], 10, 100.0)
    assert len(fig.axes) == 4
    plt.close(fig)


def test_summary_errors_before_any_figure():
    with pytest.raises(BrainSimValueError, match=r"summary\(duration=\.\.\.\): a time is"):
        plot.summary([1.0], [0], 1, None)
    with pytest.raises(BrainSimValueError, match=r"summary\(colors=\.\.\.\): 2 groups need 2"):
        plot.summary([1.0], [0], 2, 10.0, groups={"A": [0], "B": [1]}, colors=["r"])
    with pytest.raises(BrainSimTypeError, match=r"summary\(fig=\.\.\.\): expected a matplotlib"):
        plot.summary([1.0], [0], 1, 10.0, fig="f")
    assert plt.get_fignums() == []


def test_save_axes_and_errors(tmp_path):
    ax = plot.raster([1.0, 2.0, 3.0], [0, 1, 2])
    path = plot.save(ax, str(tmp_path / "a" / "raster.png"))
    assert path == tmp_path / "a" / "raster.png"
    assert path.stat().st_size > 0
    plt.close(ax.figure)
    with pytest.raises(BrainSimTypeError, match=r"save\(fig=\.\.\.\): expected a matplotlib"):
        plot.save("not a figure", tmp_path / "x.png")
