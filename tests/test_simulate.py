"""``brainsim.simulate``: runs by duration or steps, recordings (subsets, every-n, spike
events and counts) against an eager step-by-step reference, inputs over steps, chunking,
continued runs without recompiling, the memory estimate, progress bar, saving, batching."""

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import models, nn, simulate

DT = 0.1  # ms
N = 6  # neurons; never equal to a run length, so constants are not mistaken for series
AMPS = np.linspace(0.5, 4.0, N)  # mA; the upper ones spike within a few ms


@pytest.fixture(autouse=True)
def _dt():
    with brainsim.environ.context(dt=DT * u.ms):
        yield


def make_lif():
    return models.LIF(N, tau=5 * u.ms, V_th=1.0 * u.mV)


def drive(n, offset=0):
    """A current that changes every step, (n, N) in mA, for global steps offset..offset+n."""
    i = np.arange(offset, offset + n)[:, None]
    return jnp.asarray(AMPS[None] * (1 + 0.5 * np.sin(i / 4.0)), dtype=jnp.float32) * u.mA


_EAGER = {}


def eager(n):
    """Step-by-step reference without any compilation: V (n, N) in mV and spikes (n, N)."""
    if n not in _EAGER:
        lif = make_lif()
        nn.init_all_states(lif)
        x = drive(n)
        V, S = [], []
        for i in range(n):
            with brainsim.environ.context(i=i, t=i * DT * u.ms):
                lif(x[i])
            V.append(np.asarray(lif.V.value.to_decimal(u.mV)))
            S.append(np.asarray(lif.get_spike()) != 0)
        _EAGER[n] = (np.array(V), np.array(S))
    return _EAGER[n]


def mV(x):
    return np.asarray(x.to_decimal(u.mV))


def ms(x):
    return np.asarray(x.to_decimal(u.ms))


def lif_sim(record=None, **kw):
    """A LIF Simulation; ``record`` maps names to functions of the LIF giving monitors."""
    lif = make_lif()
    mons = {k: f(lif) for k, f in (record or {}).items()}
    return lif, simulate.Simulation(lif, mons, **kw)


V_AND_SPIKES = {
    "V": lambda lif: simulate.trace(lambda: lif.V.value),
    "spk": lambda lif: simulate.spikes(lambda: lif.get_spike()),
}


def assert_same_recording(a, b):
    assert a.keys() == b.keys()
    for k in a.keys():
        if isinstance(a[k], simulate.SpikeEvents):
            np.testing.assert_array_equal(ms(a[k].times), ms(b[k].times))
            np.testing.assert_array_equal(a[k].indices, b[k].indices)
        else:
            np.testing.assert_allclose(
                np.asarray(u.get_mantissa(a[k])), np.asarray(u.get_mantissa(b[k])), rtol=1e-6
            )
            np.testing.assert_allclose(ms(a.time(k)), ms(b.time(k)), rtol=1e-6)


# --------------------------------------------------------------------------- run length


def test_run_by_duration_equals_run_by_n_steps():
    _, sim_a = lif_sim(V_AND_SPIKES)
    _, sim_b = lif_sim(V_AND_SPIKES)
    a = sim_a.run(5 * u.ms, inputs=(drive(50),))
    b = sim_b.run(n_steps=50, inputs=(drive(50),))
    assert a.n_steps == b.n_steps == 50
    assert float(a.duration.to_decimal(u.ms)) == pytest.approx(5.0)
    assert_same_recording(a, b)
    np.testing.assert_allclose(mV(a["V"]), eager(50)[0], rtol=1e-5, atol=1e-6)


def test_run_needs_exactly_one_of_duration_and_n_steps():
    _, sim = lif_sim()
    with pytest.raises(ValueError, match="exactly one of duration"):
        sim.run()
    with pytest.raises(ValueError, match="exactly one of duration"):
        sim.run(5 * u.ms, n_steps=50)
    with pytest.raises(ValueError, match=r"n_steps=...\): expected an int >= 0"):
        sim.run(n_steps=2.5)
    assert sim.i == 0


def test_duration_incompatible_with_dt_raises_before_running():
    lif, sim = lif_sim()
    with pytest.raises(ValueError, match="expected a time compatible with dt"):
        sim.run(5 * u.mV)
    with pytest.raises(ValueError, match="not a whole number of steps"):
        sim.run(0.25 * u.ms)
    with pytest.raises(ValueError, match="must be >= 0"):
        sim.run(-1 * u.ms)
    assert sim.i == 0 and sim.num_compiles == 0
    np.testing.assert_array_equal(mV(lif.V.value), np.zeros(N))


# --------------------------------------------------------------------------- recordings


def test_trace_values_and_neuron_subsets_match_eager():
    idx = np.array([5, 0, 2])
    _, sim = lif_sim(
        {
            "V": lambda lif: simulate.trace(lambda: lif.V.value),
            "V_slice": lambda lif: simulate.trace(lambda: lif.V.value, neurons=slice(1, 4)),
            "V_idx": lambda lif: simulate.trace(lambda: lif.V.value, neurons=idx),
        }
    )
    rec = sim.run(n_steps=40, inputs=(drive(40),))
    V = eager(40)[0]
    assert rec["V"].shape == (40, N)
    np.testing.assert_allclose(mV(rec["V"]), V, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mV(rec["V_slice"]), V[:, 1:4], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mV(rec["V_idx"]), V[:, idx], rtol=1e-5, atol=1e-6)
    for k in ("V", "V_slice", "V_idx"):
        np.testing.assert_allclose(ms(rec.time(k)), np.arange(40) * DT, rtol=1e-6, atol=1e-9)


def test_trace_of_a_state_follows_reinitialisation():
    lif = make_lif()
    nn.init_all_states(lif)  # trace() gets this State; Simulation() then re-initialises
    sim = simulate.Simulation(lif, {"V": simulate.trace(lif.V)})
    rec = sim.run(n_steps=20, inputs=(drive(20),))
    np.testing.assert_allclose(mV(rec["V"]), eager(20)[0], rtol=1e-5, atol=1e-6)


def _every_sim(chunk_size=None):
    return lif_sim(
        {
            "V": lambda lif: simulate.trace(lambda: lif.V.value, every=3),
            "V2": lambda lif: simulate.trace(lambda: lif.V.value, neurons=[1, 4], every=4),
        },
        chunk_size=chunk_size,
    )[1]


@pytest.mark.parametrize("chunk_size", [None, 7])
def test_every_n_values_and_time_axis_across_chunks_and_continued_runs(chunk_size):
    sim = _every_sim(chunk_size)
    first = sim.run(n_steps=20, inputs=(drive(20),))
    second = sim.run(n_steps=23, inputs=(drive(23, offset=20),))
    V = eager(43)[0]
    for name, every, cols in (("V", 3, slice(None)), ("V2", 4, [1, 4])):
        steps = np.array([], int)
        for rec, (lo, hi) in ((first, (0, 20)), (second, (20, 43))):
            # global steps i with (i + 1) % every == 0, i.e. every n-th step since t = 0
            s = np.array([i for i in range(lo, hi) if (i + 1) % every == 0])
            np.testing.assert_allclose(mV(rec[name]), V[s][:, cols], rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(ms(rec.time(name)), s * DT, rtol=1e-6)
            steps = np.concatenate([steps, s])
        assert len(steps) == 43 // every
    assert float(second.t_start.to_decimal(u.ms)) == pytest.approx(2.0)


def test_spike_events_and_counts_match_dense_eager():
    _, sim = lif_sim(
        {
            **V_AND_SPIKES,
            "cnt": lambda lif: simulate.spikes(lambda: lif.get_spike(), as_counts=True),
            "sub": lambda lif: simulate.spikes(lambda: lif.get_spike(), neurons=slice(3, None)),
        }
    )
    rec = sim.run(n_steps=60, inputs=(drive(60),))
    S = eager(60)[1]
    assert S.sum() > 3  # the reference does spike
    ev = rec["spk"]
    assert isinstance(ev, simulate.SpikeEvents) and ev.n_neurons == N and len(ev) == S.sum()
    steps, idx = np.nonzero(S)
    np.testing.assert_allclose(ms(ev.times), steps * DT, rtol=1e-6)
    np.testing.assert_array_equal(ev.indices, idx)
    np.testing.assert_array_equal(rec["cnt"], S.sum(axis=1))
    assert rec["cnt"].shape == (60,)
    steps3, idx3 = np.nonzero(S[:, 3:])
    np.testing.assert_array_equal(rec["sub"].indices, idx3)
    np.testing.assert_allclose(ms(rec["sub"].times), steps3 * DT, rtol=1e-6)
    assert rec["sub"].n_neurons == N - 3


def test_monitor_arguments_are_checked():
    with pytest.raises(TypeError, match="expected a State or a callable"):
        simulate.trace(3.0)
    with pytest.raises(ValueError, match="every=...\\): expected an int >= 1"):
        simulate.trace(lambda: 0.0, every=0)
    with pytest.raises(ValueError, match="neurons=..."):
        simulate.trace(lambda: 0.0, neurons=np.zeros((2, 2), int))
    with pytest.raises(TypeError, match="must be built with simulate.trace"):
        simulate.Simulation(make_lif(), {"V": lambda: 0.0})


# --------------------------------------------------------------------------- inputs


class _Echo(nn.Module):
    """Stores its two inputs' sum each step, so the recording shows exactly what it got."""

    def init_state(self, batch_size=None, **kwargs):
        self.last = brainsim.ShortTermState(jnp.zeros(3))
        self.steps = brainsim.ShortTermState(jnp.zeros((), jnp.int32))

    def update(self, x, c):
        self.last.value = x + c
        self.steps.value = brainsim.environ.get("i")


def test_inputs_over_steps_are_indexed_and_constants_passed_every_step():
    echo = _Echo()
    sim = simulate.Simulation(
        echo,
        {
            "got": simulate.trace(lambda: echo.last.value),
            "i": simulate.trace(lambda: echo.steps.value),
        },
        chunk_size=4,
    )
    series = jnp.arange(10 * 3, dtype=jnp.float32).reshape(10, 3)
    const = jnp.array([100.0, 200.0, 300.0])
    rec = sim.run(n_steps=10, inputs=(series, const))
    np.testing.assert_array_equal(rec["got"], np.asarray(series) + np.asarray(const))
    np.testing.assert_array_equal(rec["i"], np.arange(10))
    rec = sim.run(n_steps=10, inputs=(series * 2, const))  # a continued run: its own series
    np.testing.assert_array_equal(rec["got"], 2 * np.asarray(series) + np.asarray(const))
    np.testing.assert_array_equal(rec["i"], np.arange(10, 20))


def test_constant_current_input_matches_eager():
    lif, sim = lif_sim(V_AND_SPIKES)
    rec = sim.run(n_steps=30, inputs=(jnp.asarray(AMPS) * u.mA,))
    ref = make_lif()
    nn.init_all_states(ref)
    V = []
    for i in range(30):
        with brainsim.environ.context(i=i, t=i * DT * u.ms):
            ref(jnp.asarray(AMPS) * u.mA)
        V.append(mV(ref.V.value))
    np.testing.assert_allclose(mV(rec["V"]), np.array(V), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- chunking


def _full_record():
    return {
        **V_AND_SPIKES,
        "V3": lambda lif: simulate.trace(lambda: lif.V.value, neurons=[0, 5], every=4),
        "cnt": lambda lif: simulate.spikes(lambda: lif.get_spike(), as_counts=True),
    }


def test_chunked_run_equals_unchunked_run():
    _, whole = lif_sim(_full_record())
    _, chunked = lif_sim(_full_record(), chunk_size=7)
    a = whole.run(n_steps=50, inputs=(drive(50),))
    b = chunked.run(n_steps=50, inputs=(drive(50),))
    assert len(a["spk"]) > 0
    assert_same_recording(a, b)
    assert len(chunked._compiled) == 2  # chunks of 7 steps, and the last one of 1
    assert len(whole._compiled) == 1


def test_chunk_length_is_bounded_by_max_chunk_bytes(monkeypatch):
    _, ref = lif_sim(_full_record())
    _, sim = lif_sim(_full_record(), max_chunk_bytes=100)
    lengths = []
    get_fn = sim._get_fn

    def spy(k, *args, **kwargs):
        lengths.append(k)
        return get_fn(k, *args, **kwargs)

    monkeypatch.setattr(sim, "_get_fn", spy)
    b = sim.run(n_steps=50, inputs=(drive(50),))
    a = ref.run(n_steps=50, inputs=(drive(50),))
    assert sum(lengths) == 50 and len(lengths) > 1
    assert max(lengths) < 50
    # recorded bytes per step: V (6 float32), spikes (6 bool), V3 (2 float32), counts (int32)
    per_step = N * 4 + N * 1 + 2 * 4 + 4
    assert max(lengths) * per_step <= 100
    assert_same_recording(a, b)


# --------------------------------------------------------------------------- continuing


def _coba(seed):
    with brainsim.random.seed_context(seed):
        net = models.networks.COBANetwork(n_exc=320, n_inh=80, p=0.1, we=10 * u.nS, seed=3)
        sim = simulate.Simulation(net, {"spk": simulate.spikes(lambda: net.spike.value)})
    return sim


def test_continued_run_equals_one_full_run_and_does_not_recompile():
    full = _coba(7).run(40 * u.ms)["spk"]
    sim = _coba(7)
    a = sim.run(20 * u.ms)
    traces, compiles = sim.num_traces, sim.num_compiles
    assert compiles == 1 and traces >= 1
    b = sim.run(20 * u.ms)
    assert (sim.num_traces, sim.num_compiles) == (traces, compiles)
    assert float(b.t_start.to_decimal(u.ms)) == pytest.approx(20.0)
    t_full = ms(full.times)
    assert (t_full < 20).sum() > 0 and (t_full >= 20).sum() > 0  # both halves are active
    times = np.concatenate([ms(a["spk"].times), ms(b["spk"].times)])
    idx = np.concatenate([a["spk"].indices, b["spk"].indices])
    np.testing.assert_allclose(times, t_full, rtol=1e-6)
    np.testing.assert_array_equal(idx, full.indices)


def test_reset_state_restarts_time_at_zero():
    _, sim = lif_sim(V_AND_SPIKES)
    first = sim.run(n_steps=30, inputs=(drive(30),))
    assert sim.i == 30 and float(sim.t.to_decimal(u.ms)) == pytest.approx(3.0)
    sim.reset_state()
    assert sim.i == 0
    again = sim.run(n_steps=30, inputs=(drive(30),))
    assert float(again.t_start.to_decimal(u.ms)) == 0.0
    assert_same_recording(first, again)


# --------------------------------------------------------------------------- memory, misc


def test_memory_estimate_refuses_a_huge_dense_trace_before_running():
    lif, sim = lif_sim({"V": lambda lif: simulate.trace(lambda: lif.V.value)}, max_host_bytes=1000)
    with pytest.raises(ValueError, match=r"neurons=.*every="):
        sim.run(n_steps=1000, inputs=(jnp.asarray(AMPS) * u.mA,))
    assert sim.i == 0 and sim.num_compiles == 0
    np.testing.assert_array_equal(mV(lif.V.value), np.zeros(N))
    # recording less often fits: 1000 / 100 steps x 6 float32 = 240 bytes
    lif, sim = lif_sim(
        {"V": lambda lif: simulate.trace(lambda: lif.V.value, every=100)}, max_host_bytes=1000
    )
    assert sim.run(n_steps=1000, inputs=(jnp.asarray(AMPS) * u.mA,))["V"].shape == (10, N)


def test_pbar_gives_identical_results():
    _, plain = lif_sim(_full_record(), chunk_size=20)
    _, bar = lif_sim(_full_record(), chunk_size=20)
    a = plain.run(n_steps=50, inputs=(drive(50),))
    b = bar.run(n_steps=50, inputs=(drive(50),), pbar=True)
    assert_same_recording(a, b)


def test_recording_to_numpy_and_save_round_trip(tmp_path):
    _, sim = lif_sim(V_AND_SPIKES)
    rec = sim.run(n_steps=50, inputs=(drive(50),))
    arrays = rec.to_numpy()
    assert set(arrays) == {
        "dt_ms",
        "V",
        "V__unit",
        "V__t_ms",
        "spk__times_ms",
        "spk__indices",
        "spk__n_neurons",
    }
    np.testing.assert_allclose(arrays["V"], mV(rec["V"]))
    assert str(arrays["V__unit"]) == "mV"
    np.testing.assert_allclose(arrays["V__t_ms"], np.arange(50) * DT, rtol=1e-6)
    np.testing.assert_array_equal(arrays["spk__indices"], rec["spk"].indices)
    assert float(arrays["dt_ms"]) == pytest.approx(DT)
    path = rec.save(tmp_path / "r.npz")
    with np.load(path) as loaded:
        assert set(loaded.files) == set(arrays)
        for k, v in arrays.items():
            np.testing.assert_array_equal(loaded[k], v)
    with pytest.raises(KeyError, match="no variable 'W'"):
        rec["W"]


def test_spike_events_rates():
    ev = simulate.SpikeEvents(
        times=np.array([1.0, 2.0, 3.0]) * u.ms, indices=np.array([0, 0, 2], np.int32), n_neurons=4
    )
    np.testing.assert_allclose(ev.rates(0.5 * u.second), [4.0, 0.0, 2.0, 0.0])
    np.testing.assert_allclose(ev.rates(500 * u.ms), [4.0, 0.0, 2.0, 0.0])
    _, sim = lif_sim(V_AND_SPIKES)
    rec = sim.run(n_steps=60, inputs=(drive(60),))
    np.testing.assert_allclose(rec["spk"].rates(rec.duration), eager(60)[1].sum(0) / 6e-3)


def test_compile_and_run_times_are_nonnegative_floats():
    _, sim = lif_sim(V_AND_SPIKES)
    for _ in range(2):
        rec = sim.run(n_steps=10, inputs=(drive(10),))
        assert isinstance(rec.compile_time, float) and rec.compile_time >= 0.0
        assert isinstance(rec.run_time, float) and rec.run_time >= 0.0


def test_one_call_run_form():
    lif = make_lif()
    rec = simulate.run(
        lif, 5 * u.ms, record={"V": simulate.trace(lambda: lif.V.value)}, inputs=(drive(50),)
    )
    assert rec.n_steps == 50
    np.testing.assert_allclose(mV(rec["V"]), eager(50)[0], rtol=1e-5, atol=1e-6)


def test_batch_size_records_batched_shapes():
    lif = make_lif()
    sim = simulate.Simulation(
        lif,
        {
            "V": simulate.trace(lambda: lif.V.value),
            "Vs": simulate.trace(lambda: lif.V.value, neurons=[0, 3], every=5),
            "cnt": simulate.spikes(lambda: lif.get_spike(), as_counts=True),
        },
        batch_size=2,
    )
    rec = sim.run(n_steps=40, inputs=(drive(40),))
    V, S = eager(40)
    assert rec["V"].shape == (40, 2, N)
    assert rec["Vs"].shape == (8, 2, 2)
    assert rec["cnt"].shape == (40, 2)
    for b in range(2):
        np.testing.assert_allclose(mV(rec["V"])[:, b], V, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(rec["cnt"][:, b], S.sum(1))


def test_inputs_as_callables_of_t_are_evaluated_in_the_compiled_step():
    brainsim.environ.set(dt=0.1 * u.ms)
    lif = models.LIF(2, tau=10 * u.ms)
    sim = simulate.Simulation(lif, record={"V": simulate.trace(lambda: lif.V.value)})
    drive = lambda t: 2.0 * u.mA * (t >= 10.0 * u.ms)  # noqa: E731
    V = np.asarray(sim.run(20 * u.ms, inputs=(drive,))["V"].to_decimal(u.mV))
    assert np.all(V[:100] == 0.0) and V[100:].max() > 0.5
    n = sim.num_compiles
    sim.run(20 * u.ms, inputs=(drive,))  # same function object: no recompilation
    assert sim.num_compiles == n
