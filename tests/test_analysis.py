"""Tests for brainsim.analysis: rates, ISI statistics, counts, correlation, synchrony."""

import brainunit as u
import numpy as np
import pytest

from brainsim import analysis
from brainsim._errors import BrainSimError, BrainSimTypeError, BrainSimValueError

RATE_HZ = 20.0
DURATION_MS = 20_000.0
N = 100


def poisson_events(n=N, rate_hz=RATE_HZ, duration_ms=DURATION_MS, seed=0):
    """Independent homogeneous Poisson trains as (times_ms, indices)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate_hz * duration_ms * 1e-3, size=n)
    indices = np.repeat(np.arange(n), counts)
    times = rng.uniform(0.0, duration_ms, size=indices.size)
    order = np.argsort(times)
    return times[order], indices[order]


def regular_events(n=5, period_ms=10.0, duration_ms=1000.0):
    """Perfectly periodic trains with a different phase per neuron."""
    base = np.arange(0.0, duration_ms - period_ms, period_ms)
    times = np.concatenate([base + 0.5 + k for k in range(n)])
    indices = np.repeat(np.arange(n), base.size)
    return times, indices


@pytest.fixture(scope="module")
def poisson():
    return poisson_events()


# ----------------------------------------------------------------------------- rates


def test_poisson_rate_within_5_percent(poisson):
    times, indices = poisson
    rates = analysis.firing_rate((times, indices), duration=DURATION_MS, n_neurons=N)
    assert rates.shape == (N,)
    assert abs(rates.mean() - RATE_HZ) / RATE_HZ < 0.05
    assert np.all(np.abs(rates - RATE_HZ) / RATE_HZ < 0.3)  # 400 spikes each: ~5 % sd
    mean = analysis.mean_rate((times, indices), duration=DURATION_MS, n_neurons=N)
    assert isinstance(mean, float)
    assert mean == pytest.approx(rates.mean())
    assert abs(mean - RATE_HZ) / RATE_HZ < 0.05


def test_rate_accepts_dict_and_quantities(poisson):
    times, indices = poisson
    plain = analysis.firing_rate((times, indices), duration=DURATION_MS, n_neurons=N)
    as_ms = analysis.firing_rate(
        {"times": times * u.ms, "indices": indices}, duration=20 * u.second, n_neurons=N
    )
    as_s = analysis.firing_rate(
        (times / 1000.0 * u.second, indices), duration=DURATION_MS * u.ms, n_neurons=N
    )
    np.testing.assert_allclose(as_ms, plain)
    np.testing.assert_allclose(as_s, plain)


def test_rate_accepts_event_objects_carrying_n_neurons(poisson):
    class Events:  # duck-typed like a simulation's spike recording
        def __init__(self, times, indices, n_neurons):
            self.times, self.indices, self.n_neurons = times, indices, n_neurons

    times, indices = poisson
    expected = analysis.firing_rate((times, indices), duration=DURATION_MS, n_neurons=N)
    ev = Events(times * u.ms, indices.astype(np.int32), N)
    np.testing.assert_allclose(analysis.firing_rate(ev, duration=DURATION_MS), expected)
    as_dict = {"times": times, "indices": indices, "n_neurons": N}
    assert analysis.mean_rate(as_dict, duration=DURATION_MS) == pytest.approx(expected.mean())
    _, rate = analysis.population_rate(ev, 1.0, duration=DURATION_MS)
    assert rate.mean() == pytest.approx(expected.mean())
    with pytest.raises(BrainSimValueError, match=r"n_neurons=\.\.\.\): the number of neurons"):
        analysis.firing_rate(Events(times, indices, None), duration=DURATION_MS)


def test_events_and_raster_give_the_same_rates():
    dt = 0.1
    n_steps, n = 5000, 20
    rng = np.random.default_rng(1)
    grid = rng.random((n_steps, n)) < 0.003
    steps, cols = np.nonzero(grid)
    times = steps * dt
    from_events = analysis.firing_rate((times, cols), duration=n_steps * dt, n_neurons=n)
    from_raster = analysis.firing_rate(grid, dt=dt * u.ms)
    np.testing.assert_allclose(from_events, from_raster)
    assert analysis.mean_rate(grid, dt=dt) == pytest.approx(from_raster.mean())

    t_e, r_e = analysis.population_rate((times, cols), dt, n_neurons=n, duration=n_steps * dt)
    t_r, r_r = analysis.population_rate(grid, dt * u.ms)
    np.testing.assert_allclose(t_e, t_r)
    np.testing.assert_allclose(r_e, r_r)
    assert r_r.shape == (n_steps,)

    back_t, back_i = analysis.raster_to_events(grid.astype(int), dt=dt)
    order = np.lexsort((cols, times))
    np.testing.assert_allclose(back_t, times[order])
    np.testing.assert_array_equal(back_i, cols[order])


def test_raster_counts_above_one_and_duration_override():
    spikes = np.array([[2, 0], [0, 1]])
    np.testing.assert_allclose(analysis.firing_rate(spikes, dt=1.0), [1000.0, 500.0])
    np.testing.assert_allclose(analysis.firing_rate(spikes, duration=1 * u.second), [2.0, 1.0])
    times, indices = analysis.raster_to_events(spikes, dt=1.0, t_start=5.0)
    np.testing.assert_allclose(times, [5.0, 5.0, 6.0])
    np.testing.assert_array_equal(indices, [0, 0, 1])


def test_population_rate_mean_and_smoothing(poisson):
    times, indices = poisson
    t, rate = analysis.population_rate(
        (times, indices), 1 * u.ms, n_neurons=N, duration=DURATION_MS * u.ms
    )
    assert t.shape == rate.shape == (20_000,)
    assert t[1] - t[0] == pytest.approx(1.0)
    assert rate.mean() == pytest.approx(RATE_HZ, rel=0.05)
    _, smooth = analysis.population_rate(
        (times, indices), 1.0, n_neurons=N, duration=DURATION_MS, width=20 * u.ms
    )
    _, rect = analysis.population_rate(
        (times, indices), 1.0, n_neurons=N, duration=DURATION_MS, width=20.0, kind="rect"
    )
    for s in (smooth, rect):
        assert s.mean() == pytest.approx(RATE_HZ, rel=0.05)
        assert s.std() < 0.5 * rate.std()  # smoothing removes most bin-to-bin noise


def test_smoothing_keeps_a_constant_rate_constant():
    # one spike per neuron per 1-ms bin: 1000 Hz everywhere, edges included
    steps = np.arange(50)
    times = np.repeat(steps + 0.5, 2)
    indices = np.tile([0, 1], 50)
    for kind in ("gaussian", "rect"):
        _, rate = analysis.population_rate(
            (times, indices), 1.0, n_neurons=2, duration=50.0, width=7.0, kind=kind
        )
        np.testing.assert_allclose(rate, 1000.0)
    _, custom = analysis.population_rate(
        (times, indices), 1.0, n_neurons=2, duration=50.0, window=[1.0, 2.0, 1.0]
    )
    np.testing.assert_allclose(custom, 1000.0)


def test_population_rate_t_start_and_raster_duration():
    t, rate = analysis.population_rate(
        ([4.0, 5.5, 7.0], [0, 0, 0]), 1.0, n_neurons=1, duration=3.0, t_start=5.0
    )
    np.testing.assert_allclose(t, [5.0, 6.0, 7.0])
    np.testing.assert_allclose(rate, [1000.0, 0.0, 1000.0])  # 4 ms is before t_start
    _, r = analysis.population_rate(np.ones((10, 2)), 1.0, duration=4.0)
    assert r.shape == (4,)


# ------------------------------------------------------------------------------ ISI


def test_isi_lists_per_neuron():
    out = analysis.isi([30.0, 10.0, 20.0, 5.0] * u.ms, [0, 0, 0, 2], n_neurons=3)
    assert len(out) == 3
    np.testing.assert_allclose(out[0], [10.0, 10.0])
    assert out[1].size == 0 and out[2].size == 0


def test_poisson_cv_and_fano_near_one(poisson):
    times, indices = poisson
    cv = analysis.cv_isi(times, indices, N)
    assert cv.shape == (N,)
    assert np.all(np.isfinite(cv))
    assert analysis.mean_cv(times, indices, N) == pytest.approx(1.0, abs=0.05)
    ff = analysis.fano_factor(times, indices, N, bin_size=100 * u.ms, t_stop=DURATION_MS)
    assert ff.shape == (N,)
    assert np.nanmean(ff) == pytest.approx(1.0, abs=0.1)
    pooled = analysis.fano_factor(
        times, indices, N, bin_size=100.0, t_stop=DURATION_MS, population=True
    )
    assert pooled == pytest.approx(1.0, abs=0.2)


def test_regular_train_cv_and_fano_zero():
    times, indices = regular_events()
    cv = analysis.cv_isi(times, indices, 5)
    np.testing.assert_allclose(cv, 0.0, atol=1e-9)
    assert analysis.mean_cv(times, indices, 5) == pytest.approx(0.0, abs=1e-9)
    ff = analysis.fano_factor(times, indices, 5, bin_size=50.0, t_stop=950.0)
    np.testing.assert_allclose(ff, 0.0, atol=1e-12)


def test_bursty_train_has_high_cv():
    bursts = np.concatenate([np.arange(5) * 1.0 + start for start in (0.0, 100.0, 200.0)])
    assert analysis.cv_isi(bursts, np.zeros(bursts.size, int), 1)[0] > 1.5


def test_isi_histogram_counts_all_intervals(poisson):
    times, indices = poisson
    counts, edges = analysis.isi_histogram(times, indices, N, bins=40, max_isi=200 * u.ms)
    assert counts.shape == (40,) and edges.shape == (41,)
    assert edges[0] == 0.0 and edges[-1] == pytest.approx(200.0)
    n_isis = sum(a.size for a in analysis.isi(times, indices, N))
    total_below = sum(int((a < 200.0).sum()) for a in analysis.isi(times, indices, N))
    assert counts.sum() == total_below <= n_isis
    # exponential ISI distribution: counts decrease
    assert counts[0] > counts[10] > counts[30]
    c2, e2 = analysis.isi_histogram(times, indices, bins=np.array([0.0, 50.0, 1e9]) * u.ms)
    assert c2.sum() == n_isis
    np.testing.assert_allclose(e2, [0.0, 50.0, 1e9])


# --------------------------------------------------------------------------- counts


def test_spike_counts_bins_and_edges():
    times = np.array([0.0, 4.999, 5.0, 9.0, 10.0, 12.0])
    idx = np.array([0, 0, 1, 1, 0, 1])
    counts = analysis.spike_counts(times, idx, 2, bin_size=5.0, t_stop=12.0)
    np.testing.assert_array_equal(counts, [[2, 0], [0, 2]])  # 12 ms: partial bin dropped
    edges = analysis.spike_counts(times, idx, 2, bins=[0.0, 10.0, 20.0] * u.ms)
    np.testing.assert_array_equal(edges, [[2, 2], [1, 1]])
    shifted = analysis.spike_counts(times, idx, 2, bin_size=5.0, t_start=5.0, t_stop=15.0)
    np.testing.assert_array_equal(shifted, [[0, 2], [1, 1]])


def test_spike_counts_grid_aligned_times_land_in_their_bin():
    # times computed as i * dt in float32, as a float32 simulation records them
    dt = 0.1
    n_steps = 200_000
    times = np.arange(n_steps, dtype=np.float32) * np.float32(dt)
    idx = np.zeros(n_steps, int)
    counts = analysis.spike_counts(times, idx, 1, bin_size=dt, t_stop=n_steps * dt)
    assert counts.shape == (n_steps, 1)
    np.testing.assert_array_equal(counts[:, 0], 1)
    _, rate = analysis.population_rate((times * u.ms, idx), dt, n_neurons=1, duration=n_steps * dt)
    assert rate.shape == (n_steps,)
    np.testing.assert_allclose(rate, 1e4)


# ---------------------------------------------------------------------- correlation


def test_exact_mean_correlation_matches_brute_force():
    rng = np.random.default_rng(3)
    shared = rng.poisson(2.0, size=(500, 1))
    x = rng.poisson(2.0, size=(500, 12)) + shared
    x[:, 5] = 0  # silent neuron: left out
    active = np.delete(x, 5, axis=1)
    c = np.corrcoef(active.T)
    expected = c[np.triu_indices(11, 1)].mean()
    assert analysis.pairwise_correlation(x) == pytest.approx(expected, rel=1e-10)
    sampled = analysis.pairwise_correlation(x, n_pairs=5000, seed=0)
    assert sampled == pytest.approx(expected, abs=0.03)
    assert sampled == analysis.pairwise_correlation(x, n_pairs=5000, seed=0)
    assert analysis.pairwise_correlation(x, n_pairs=10_000_000) == pytest.approx(expected)


def test_identical_trains_are_correlated_and_synchronous():
    times, _ = poisson_events(n=1, seed=5)
    n = 30
    all_times = np.tile(times, n)
    all_idx = np.repeat(np.arange(n), times.size)
    counts = analysis.spike_counts(all_times, all_idx, n, bin_size=10.0, t_stop=DURATION_MS)
    assert analysis.pairwise_correlation(counts) == pytest.approx(1.0)
    assert analysis.pairwise_correlation(counts, n_pairs=50, seed=1) == pytest.approx(1.0)
    assert analysis.synchrony(counts) == pytest.approx(1.0)


def test_independent_trains_are_uncorrelated(poisson):
    times, indices = poisson
    counts = analysis.spike_counts(times, indices, N, bin_size=10 * u.ms, t_stop=DURATION_MS)
    assert counts.shape == (2000, N)
    assert abs(analysis.pairwise_correlation(counts)) < 0.01
    assert abs(analysis.pairwise_correlation(counts, n_pairs=500, seed=2)) < 0.02
    chi = analysis.synchrony(counts)
    assert chi == pytest.approx(1 / np.sqrt(N), rel=0.3)


def test_synchrony_on_voltage_traces():
    t = np.linspace(0, 1, 200)
    rng = np.random.default_rng(0)
    same = np.sin(2 * np.pi * 5 * t)[:, None] * np.ones((1, 10))
    noisy = same + 0.01 * rng.normal(size=same.shape)
    assert analysis.synchrony(noisy * u.mV) > 0.99
    rand = rng.normal(size=(2000, 50)) * u.mV
    assert analysis.synchrony(rand) < 0.25


# ----------------------------------------------------------------------- edge cases


def test_no_spikes():
    empty_t, empty_i = np.array([]), np.array([], dtype=int)
    np.testing.assert_array_equal(
        analysis.firing_rate((empty_t, empty_i), duration=100.0, n_neurons=3), [0.0] * 3
    )
    assert analysis.mean_rate((empty_t, empty_i), duration=100.0, n_neurons=3) == 0.0
    assert analysis.mean_rate(np.zeros((10, 4)), dt=0.1) == 0.0
    t, rate = analysis.population_rate((empty_t, empty_i), 1.0, n_neurons=3, duration=5.0)
    np.testing.assert_array_equal(rate, np.zeros(5))
    _, smooth = analysis.population_rate(
        (empty_t, empty_i), 1.0, n_neurons=3, duration=5.0, width=2.0
    )
    np.testing.assert_array_equal(smooth, np.zeros(5))
    assert [a.size for a in analysis.isi(empty_t, empty_i, 3)] == [0, 0, 0]
    assert np.all(np.isnan(analysis.cv_isi(empty_t, empty_i, 3)))
    assert np.isnan(analysis.mean_cv(empty_t, empty_i, 3))
    counts, edges = analysis.isi_histogram(empty_t, empty_i, 3, bins=5)
    assert counts.sum() == 0 and edges.size == 6
    assert np.all(np.isnan(analysis.fano_factor(empty_t, empty_i, 3, 10.0, t_stop=100.0)))
    assert np.isnan(analysis.fano_factor(empty_t, empty_i, 3, 10.0, t_stop=100.0, population=True))
    zeros = analysis.spike_counts(empty_t, empty_i, 3, bin_size=10.0, t_stop=100.0)
    assert zeros.shape == (10, 3) and zeros.sum() == 0
    assert np.isnan(analysis.pairwise_correlation(zeros))
    assert np.isnan(analysis.synchrony(zeros))
    bt, bi = analysis.raster_to_events(np.zeros((4, 2)), dt=1.0)
    assert bt.size == bi.size == 0


def test_single_spike():
    assert analysis.firing_rate(([3.0], [1]), duration=1000.0, n_neurons=2).tolist() == [0, 1]
    assert np.all(np.isnan(analysis.cv_isi([3.0], [1], 2)))
    two_spikes = analysis.cv_isi([3.0, 8.0], [0, 0], 1)  # one ISI: still NaN
    assert np.isnan(two_spikes[0])
    assert np.isnan(analysis.mean_cv([3.0], [1], 2))


def test_empty_population():
    none_t, none_i = [], []
    assert analysis.firing_rate((none_t, none_i), duration=10.0, n_neurons=0).shape == (0,)
    assert analysis.mean_rate((none_t, none_i), duration=10.0, n_neurons=0) == 0.0
    assert analysis.firing_rate(np.zeros((5, 0)), dt=1.0).shape == (0,)
    _, rate = analysis.population_rate(np.zeros((5, 0)), 1.0)
    np.testing.assert_array_equal(rate, np.zeros(5))
    assert analysis.isi(none_t, none_i, 0) == []
    assert analysis.cv_isi(none_t, none_i, 0).shape == (0,)
    assert np.isnan(analysis.mean_cv(none_t, none_i, 0))
    counts = analysis.spike_counts(none_t, none_i, 0, bin_size=1.0, t_stop=5.0)
    assert counts.shape == (5, 0)
    assert np.isnan(analysis.pairwise_correlation(counts))
    assert np.isnan(analysis.synchrony(counts))


# ------------------------------------------------------------------------ validation


EV = ([1.0, 2.0], [0, 1])


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: analysis.firing_rate(EV, duration=10.0), BrainSimValueError, r"n_neurons=\.\.\."),
        (lambda: analysis.firing_rate(EV, n_neurons=2), BrainSimValueError, r"duration=\.\.\."),
        (
            lambda: analysis.firing_rate(EV, duration=5 * u.mV, n_neurons=2),
            BrainSimTypeError,
            r"firing_rate\(duration=\.\.\.\): expected a time such as .* got a quantity in mV",
        ),
        (
            lambda: analysis.firing_rate(EV, duration=-1.0, n_neurons=2),
            BrainSimValueError,
            r"duration=\.\.\.\): expected a positive time",
        ),
        (
            lambda: analysis.firing_rate(EV, duration=10.0, n_neurons=1),
            BrainSimValueError,
            r"n_neurons=1 but `indices` contains 1; pass n_neurons=2",
        ),
        (
            lambda: analysis.firing_rate(([1.0], [0, 1]), duration=10.0, n_neurons=2),
            BrainSimValueError,
            r"indices=\.\.\.\): .*same length, got 1 times and 2 indices",
        ),
        (
            lambda: analysis.firing_rate(([1.0], [-1]), duration=10.0, n_neurons=2),
            BrainSimValueError,
            r"indices must be >= 0",
        ),
        (
            lambda: analysis.firing_rate(([1.0], [0.5]), duration=10.0, n_neurons=2),
            BrainSimTypeError,
            r"indices=\.\.\.\): expected integer neuron indices",
        ),
        (
            lambda: analysis.firing_rate(EV, duration=10.0, n_neurons=2.0),
            BrainSimTypeError,
            r"n_neurons=\.\.\.\): expected a non-negative int",
        ),
        (
            lambda: analysis.firing_rate({"times": [1.0]}, duration=10.0, n_neurons=2),
            BrainSimValueError,
            r"keys 'times' and 'indices'; missing \['indices'\]",
        ),
        (
            lambda: analysis.firing_rate(np.zeros((3, 2))),
            BrainSimValueError,
            r"firing_rate\(dt=\.\.\.\): a raster needs the time step",
        ),
        (
            lambda: analysis.firing_rate(np.zeros(3), dt=1.0),
            BrainSimValueError,
            r"spikes=\.\.\.\): expected a \(times, indices\) pair.*shape \(3,\)",
        ),
        (
            lambda: analysis.firing_rate(np.zeros((3, 2)), dt=1.0, n_neurons=3),
            BrainSimValueError,
            r"n_neurons=3 but the raster has 2 columns",
        ),
        (
            lambda: analysis.population_rate(EV, 1.0, n_neurons=2, duration=5.0, kind="box"),
            BrainSimValueError,
            r"population_rate\(kind=\.\.\.\): expected one of \('gaussian', 'rect'\)",
        ),
        (
            lambda: analysis.population_rate(EV, None, n_neurons=2, duration=5.0),
            BrainSimValueError,
            r"population_rate\(dt=\.\.\.\): a time is required",
        ),
        (
            lambda: analysis.population_rate(EV, 1.0, n_neurons=2, duration=5.0, width=0.0),
            BrainSimValueError,
            r"width=\.\.\.\): expected a positive time",
        ),
        (
            lambda: analysis.population_rate(EV, 1.0, n_neurons=2, duration=5.0, window=[-1]),
            BrainSimValueError,
            r"window=\.\.\.\): expected a non-empty 1-D array of non-negative weights",
        ),
        (
            lambda: analysis.spike_counts(*EV, 2, bin_size=1.0, bins=[0, 1], t_stop=5.0),
            BrainSimValueError,
            r"give exactly one of bin_size .* or bins",
        ),
        (
            lambda: analysis.spike_counts(*EV, 2, bin_size=1.0),
            BrainSimValueError,
            r"spike_counts\(t_stop=\.\.\.\): t_stop is required",
        ),
        (
            lambda: analysis.spike_counts(*EV, 2, bin_size=10.0, t_stop=5.0),
            BrainSimValueError,
            r"bin_size=\.\.\.\): the window \[0.0, 5.0\) ms holds no full bin",
        ),
        (
            lambda: analysis.spike_counts(*EV, 2, bins=[1.0, 1.0]),
            BrainSimValueError,
            r"bins=\.\.\.\): expected at least two increasing edges",
        ),
        (
            lambda: analysis.fano_factor(*EV, 2, 1.0),
            BrainSimValueError,
            r"fano_factor\(t_stop=\.\.\.\)",
        ),
        (
            lambda: analysis.pairwise_correlation(np.zeros(5)),
            BrainSimValueError,
            r"pairwise_correlation\(counts=\.\.\.\): expected a 2-D array",
        ),
        (
            lambda: analysis.pairwise_correlation(np.eye(3), n_pairs=0),
            BrainSimValueError,
            r"n_pairs=\.\.\.\): expected a positive int",
        ),
        (
            lambda: analysis.synchrony(np.zeros((2, 2, 2))),
            BrainSimValueError,
            r"synchrony\(counts=\.\.\.\): expected a 2-D array",
        ),
        (
            lambda: analysis.isi_histogram(*EV, bins=0),
            BrainSimValueError,
            r"isi_histogram\(bins=\.\.\.\): expected a positive int",
        ),
        (
            lambda: analysis.raster_to_events(np.full((2, 2), 0.5), dt=1.0),
            BrainSimValueError,
            r"non-negative integer spike counts",
        ),
    ],
)
def test_validation_errors_name_the_argument(call, err, match):
    with pytest.raises(err, match=match) as info:
        call()
    assert isinstance(info.value, BrainSimError)


def test_error_classes_are_builtin_catchable():
    with pytest.raises(ValueError):
        analysis.firing_rate(EV, duration=10.0)
    with pytest.raises(TypeError):
        analysis.firing_rate(EV, duration=5 * u.mV, n_neurons=2)
