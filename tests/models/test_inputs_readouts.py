"""Inputs and readouts: Poisson statistics, spike-time tables, current generators (values,
windows, units, loops), the OU process, and the leaky readouts."""

import math

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import environ, models
from brainsim.transform import for_loop, jit

DT = 0.1 * u.ms


@pytest.fixture(autouse=True)
def _dt_and_key():
    key = brainsim.random.get_key()
    brainsim.random.seed(0)
    with environ.context(dt=DT):
        yield
    brainsim.random.set_key(key)


def run(fn, n):
    """Call ``fn()`` for steps 0..n-1 inside a for_loop, with i and t set; stack outputs."""

    def step(i):
        with environ.context(i=i, t=i * DT):
            return fn()

    return for_loop(step, jnp.arange(n))


def nA(x):
    return np.asarray(x.to_decimal(u.nA))


# ------------------------------------------------------------------ Poisson spikes
def test_poisson_spike_rate_dtype_and_zero_rate():
    freqs = jnp.where(jnp.arange(2000) < 1000, 50.0, 0.0) * u.Hz
    gen = models.PoissonSpike(2000, freqs=freqs)
    spikes = np.asarray(run(gen, 1000))
    assert spikes.shape == (1000, 2000) and spikes.dtype == np.bool_
    p = 1 - math.exp(-50 * 1e-4)
    assert abs(spikes[:, :1000].mean() / p - 1) < 0.05
    assert not spikes[:, 1000:].any()  # frequency 0 never spikes
    assert models.PoissonSpike(3, 10 * u.Hz, spk_type=jnp.float32)().dtype == jnp.float32


def test_poisson_encoder_rates_batch_and_units():
    enc = models.PoissonEncoder(500, spk_type=float)
    out = run(lambda: enc(jnp.full((2, 500), 200.0) * u.Hz), 500)
    assert out.shape == (500, 2, 500) and out.dtype == jnp.float32
    p = 1 - math.exp(-200 * 1e-4)
    assert abs(float(out.mean()) / p - 1) < 0.05
    with pytest.raises(ValueError, match=r"freqs=.*20 \* u.Hz"):
        enc(jnp.ones(500))


def test_poisson_spike_unit_error_names_argument():
    with pytest.raises(ValueError, match=r"PoissonSpike\(freqs=...\).*Hz"):
        models.PoissonSpike(3, freqs=10.0)
    with pytest.raises(ValueError, match=r"freqs.*>= 0"):
        models.PoissonSpike(3, freqs=-1 * u.Hz)


# ------------------------------------------------------------------ Poisson bombardment
N = 100_000  # one shape for every eager draw: jax compiles its binomial sampler per shape


def _mv(state):
    return np.asarray(state.value.to_decimal(u.mV))


def _check_binomial(x, n, p):
    assert np.all(x == np.round(x)) and x.min() >= 0 and x.max() <= n
    assert abs(x.mean() / (n * p) - 1) < 0.02
    assert abs(x.var() / (n * p * (1 - p)) - 1) < 0.04


@pytest.mark.parametrize("n", [20, 1000])  # n p = 3.6 (exact binomial), 181 (normal approx.)
def test_poisson_input_mean_and_variance_match_binomial(n):
    state = brainsim.HiddenState(jnp.zeros(N) * u.mV)
    models.poisson_input(2000 * u.Hz, n, 1.0 * u.mV, state)
    _check_binomial(_mv(state), n, 1 - math.exp(-0.2))


def test_poisson_input_traced_frequency_chooses_per_entry():
    # under jit the frequency is traced, so the regime is chosen per entry with jnp.where:
    # n p = 1.98 (binomial) for the first half, 18.1 (normal) for the second
    state = brainsim.HiddenState(jnp.zeros(N) * u.mV)
    freq = jnp.where(jnp.arange(N) < N // 2, 200.0, 2000.0) * u.Hz
    jit(lambda f: models.poisson_input(f, 100, 1.0 * u.mV, state))(freq)
    x = _mv(state)
    _check_binomial(x[: N // 2], 100, 1 - math.exp(-0.02))
    _check_binomial(x[N // 2 :], 100, 1 - math.exp(-0.2))


def test_poisson_input_indices_refractory_and_units():
    state = brainsim.HiddenState(jnp.zeros(N + 3) * u.mV)
    refractory = jnp.arange(N + 3) == 1
    models.poisson_input(
        1e6 * u.Hz, 3, 2.0 * u.mV, state, indices=slice(0, N), refractory=refractory
    )  # p = 1: every source fires
    np.testing.assert_allclose(_mv(state)[[0, 1, 2, N, N + 2]], [6, 0, 6, 0, 0])
    models.poisson_input(1e6 * u.Hz, 1, 1.0 * u.uvolt, state, indices=slice(3, N + 3))
    np.testing.assert_allclose(_mv(state)[[0, 2, 3, N + 2]], [6, 6, 6.001, 1e-3], rtol=1e-5)
    with pytest.raises(ValueError, match=r"poisson_input\(weight=...\).*mV"):
        models.poisson_input(10 * u.Hz, 3, 1.0 * u.mA, state)
    with pytest.raises(ValueError, match=r"poisson_input\(freq=...\)"):
        models.poisson_input(10 * u.ms, 3, 1.0 * u.mV, state)
    with pytest.raises(ValueError, match=r"num_input"):
        models.poisson_input(10 * u.Hz, -1, 1.0 * u.mV, state)


def test_poisson_input_module_updates_target_state_in_a_loop():
    lif = models.LIF(2 * N)
    lif.init_state()
    inp = models.PoissonInput(
        lif.prefetch("V"), jnp.arange(0, 2 * N, 2), 10, 500 * u.Hz, 0.1 * u.mV
    )
    run(inp, 20)
    v = np.asarray(lif.V.value.to_decimal(u.mV))
    assert np.all(v[1::2] == 0)
    p = 1 - math.exp(-500 * 1e-4)
    assert abs(v[0::2].mean() / (20 * 10 * p * 0.1) - 1) < 0.02
    with pytest.raises(TypeError, match="target_prefetch"):
        models.PoissonInput(lif.V, None, 10, 10 * u.Hz, 0.1 * u.mV)
    with pytest.raises(ValueError, match=r"PoissonInput\(freq=...\)"):
        models.PoissonInput(lif.prefetch("V"), None, 10, 10.0, 0.1 * u.mV)


# ------------------------------------------------------------------ SpikeTime
def _first_steps(st, n_steps):
    out = np.stack([np.asarray(st(index=k)) for k in range(n_steps)])
    return [int(np.flatnonzero(out[:, j])[0]) for j in range(out.shape[1])]


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("round", [1, 2, 3]),
        ("floor", [1, 1, 3]),
        ("ceil", [2, 2, 3]),
        (lambda r: np.floor(r) + 1, [2, 2, 4]),
    ],
)
def test_spike_time_rounding_rules(rule, expected):
    # 0.3 ms / 0.1 ms = 2.9999999999999996 in floating point: step 3 under every rule
    st = models.SpikeTime(3, [0, 1, 2], [0.14, 0.16, 0.3] * u.ms, time_as_step=rule)
    assert _first_steps(st, 5) == expected


def test_spike_time_unsorted_weights_units_and_step_sources():
    st = models.SpikeTime(
        3, [2, 0, 1, 0], [0.5, 0.1, 0.3, 0.1] * u.ms, weights=[1.0, 2.0, 3.0, 4.0] * u.nA
    )
    np.testing.assert_allclose(nA(st(index=1)), [6, 0, 0])  # same neuron and step: summed
    np.testing.assert_allclose(nA(st(time=0.3 * u.ms)), [0, 3, 0])
    with environ.context(i=5, t=0.0 * u.ms):  # i takes precedence over t
        np.testing.assert_allclose(nA(st()), [0, 0, 1])
    with environ.context(t=0.5 * u.ms):
        np.testing.assert_allclose(nA(st()), [0, 0, 1])
    for k in (-1, 0, 2, 6, 10_000):
        np.testing.assert_allclose(nA(st(index=k)), 0)
    with pytest.raises(KeyError, match="context"):
        st()


def _table(idx, times, n_steps, n):
    ref = np.zeros((n_steps, n))
    np.add.at(ref, (np.round(np.asarray(times.to_decimal(u.ms)) / 0.1).astype(int), idx), 1)
    return ref


def test_spike_time_in_for_loop_dense_and_sparse_tables():
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 3000, 3000)
    times = rng.uniform(0, 200, 3000) * u.ms  # 2000 steps x 3000 neurons: a sparse table
    sparse = models.SpikeTime(3000, idx, times)
    assert sparse.table is None
    np.testing.assert_array_equal(run(sparse, 2001), _table(idx, times, 2001, 3000))
    dense = models.SpikeTime(50, idx[:40] % 50, times[:40])
    assert dense.table is not None
    np.testing.assert_array_equal(run(dense, 2001), _table(idx[:40] % 50, times[:40], 2001, 50))


def test_spike_time_errors():
    with pytest.raises(ValueError, match="one entry per event"):
        models.SpikeTime(3, [0, 1], [1.0] * u.ms)
    with pytest.raises(ValueError, match="one entry per event"):
        models.SpikeTime(3, [0, 1], [1.0, 2.0] * u.ms, weights=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="time_as_step"):
        models.SpikeTime(3, [0], [1.0] * u.ms, time_as_step="nearest")
    with pytest.raises(ValueError, match="1-D"):
        models.SpikeTime((2, 3), [0], [1.0] * u.ms)
    with pytest.raises(ValueError, match=r"SpikeTime\(times=...\)"):
        models.SpikeTime(3, [0], [1.0])
    with pytest.raises(ValueError, match=r"indices"):
        models.SpikeTime(3, [3], [1.0] * u.ms)


# ------------------------------------------------------------------ current generators
def test_constant_input_window_and_units():
    inp = models.ConstantInput((2, 3), 1.5 * u.nA, duration=10 * u.ms, t_start=2 * u.ms)
    for t, v in [(0.0, 0.0), (1.9, 0.0), (2.0, 1.5), (11.9, 1.5), (12.0, 0.0)]:
        with environ.context(t=t * u.ms):
            out = inp()
        assert out.shape == (2, 3) and u.get_unit(out) == u.nA
        np.testing.assert_allclose(nA(out), v)
    with pytest.raises(ValueError, match=r"ConstantInput\(duration=...\).*10 \* u.ms"):
        models.ConstantInput(2, 1.0 * u.nA, duration=10.0)
    with pytest.raises(ValueError, match=r"ConstantInput\(value=...\).*shape"):
        models.ConstantInput(2, jnp.ones(3) * u.nA, duration=1 * u.ms)


def test_section_and_constant_input_builders():
    inp = models.SectionInput([0.0, 1.0, 0.5] * u.nA, [1.0, 2.0, 1.0] * u.ms)
    ks = [0, 9, 10, 29, 30, 39, 40, 1000]
    np.testing.assert_allclose(nA(inp.value_at(ks)), [0, 0, 1, 1, 0.5, 0.5, 0, 0])
    arr, total = models.section_input(
        [0.0, 1.0, 0.5] * u.nA, [1.0, 2.0, 1.0] * u.ms, return_length=True
    )
    assert arr.shape == (40,) and u.math.allclose(total, 4 * u.ms)
    np.testing.assert_allclose(nA(arr), nA(run(inp, 40)))
    arr2, total2 = models.constant_input(
        [(0.0 * u.nA, 1 * u.ms), (1.0 * u.nA, 2 * u.ms), (0.5 * u.nA, 1 * u.ms)]
    )
    np.testing.assert_allclose(nA(arr2), nA(arr))
    per_neuron = models.SectionInput([jnp.array([1.0, 2.0]) * u.nA, 0.0 * u.nA], [0.2, 0.1] * u.ms)
    np.testing.assert_allclose(
        nA(per_neuron.as_array(0.4 * u.ms)), [[1, 2], [1, 2], [0, 0], [0, 0]]
    )
    with pytest.raises(ValueError, match="same length"):
        models.SectionInput([1.0, 2.0] * u.nA, [1.0] * u.ms)
    with pytest.raises(ValueError, match=r"SectionInput\(values=...\)"):
        models.SectionInput([1.0 * u.nA, 1.0 * u.mV], [1.0, 1.0] * u.ms)


def test_step_input_unsorted_and_duration():
    inp = models.StepInput([1.0, 2.0, 3.0] * u.nA, [5.0, 1.0, 8.0] * u.ms)
    np.testing.assert_allclose(
        nA(inp.value_at([0, 9, 10, 49, 50, 80, 10**6])), [0, 0, 2, 2, 1, 3, 3]
    )
    arr = models.step_input([1.0, 2.0, 3.0] * u.nA, [5.0, 1.0, 8.0] * u.ms, 9 * u.ms)
    assert arr.shape == (90,)
    np.testing.assert_allclose(nA(arr), nA(inp.value_at(jnp.arange(90))))
    ended = models.StepInput([1.0] * u.nA, [0.0] * u.ms, duration=1 * u.ms)
    np.testing.assert_allclose(nA(ended.value_at([0, 9, 10])), [1, 1, 0])


def test_ramp_input_values_loop_and_builder():
    ramp = models.RampInput(1.0 * u.nA, 3.0 * u.nA, 10 * u.ms, t_start=5 * u.ms)
    with environ.context(t=10 * u.ms):
        np.testing.assert_allclose(nA(ramp()), 2.0)
    np.testing.assert_allclose(
        nA(ramp.value_at([49, 50, 149, 150])), [0, 1, 1 + 2 * 99 / 100, 0], rtol=1e-6
    )
    arr = models.ramp_input(1.0 * u.nA, 3.0 * u.nA, 10 * u.ms, t_start=5 * u.ms)
    assert arr.shape == (150,)
    np.testing.assert_allclose(nA(arr), nA(run(ramp, 150)), rtol=1e-6)
    with pytest.raises(ValueError, match="c_start/c_end"):
        models.RampInput(1.0 * u.nA, 3.0 * u.mV, 10 * u.ms)


def test_sinusoidal_input_values_bias_and_units():
    sin = models.SinusoidalInput(2.0 * u.nA, 100 * u.Hz, 20 * u.ms, t_start=1 * u.ms)
    # quarter period = 2.5 ms after t_start
    np.testing.assert_allclose(
        nA(sin.value_at([0, 10, 35, 60, 85, 210])), [0, 0, 2, 0, -2, 0], atol=1e-5
    )
    biased = models.sinusoidal_input(2.0 * u.nA, 100 * u.Hz, 20 * u.ms, bias=True)
    assert biased.shape == (200,)
    np.testing.assert_allclose(nA(biased)[[0, 25, 75]], [2, 4, 0], atol=1e-5)
    np.testing.assert_allclose(nA(run(sin, 210)), nA(sin.as_array(21 * u.ms)), atol=1e-5)
    with pytest.raises(ValueError, match=r"SinusoidalInput\(frequency=...\)"):
        models.SinusoidalInput(1.0 * u.nA, 10 * u.ms, 10 * u.ms)


def test_ou_process_exact_step_and_stationary_statistics():
    ou = models.OUProcessInput(1.0 * u.nA, 0.5 * u.nA, 1 * u.ms, 30 * u.ms, in_size=5000)
    ou.init_state()
    assert ou.x.value.shape == (5000,) and u.math.allclose(ou.x.value, 1.0 * u.nA)
    # the exact update: without noise x relaxes by exp(-dt / tau)
    det = models.OUProcessInput(1.0 * u.nA, 0.0 * u.nA, 1 * u.ms, 30 * u.ms)
    det.init_state()
    det.x.value = 2.0 * u.nA
    with environ.context(i=0):
        np.testing.assert_allclose(nA(det()), 1 + math.exp(-0.1), rtol=1e-6)
    out = nA(run(ou, 310))
    last = out[299]
    assert abs(last.mean() - 1.0) < 0.03
    assert abs(last.std() / 0.5 - 1) < 0.05
    lag1 = np.corrcoef(out[250], out[251])[0, 1]
    assert abs(lag1 - math.exp(-0.1)) < 0.02
    np.testing.assert_array_equal(out[300:], 0)  # outside the window
    ou.reset_state(batch_size=3)
    assert ou.x.value.shape == (3, 5000)
    with pytest.raises(ValueError, match=r"OUProcessInput\(sigma=...\)"):
        models.OUProcessInput(1.0 * u.nA, 0.5 * u.mV, 1 * u.ms, 10 * u.ms)
    with pytest.raises(ValueError, match=r"OUProcessInput\(tau=...\)"):
        models.OUProcessInput(1.0 * u.nA, 0.5 * u.nA, 1.0, 10 * u.ms)


def test_wiener_process_increments():
    w = models.WienerProcessInput(2.0 * u.nA / u.ms**0.5, 5 * u.ms, t_start=1 * u.ms, in_size=2000)
    out = nA(run(w, 70))
    assert out.shape == (70, 2000)
    np.testing.assert_array_equal(out[:10], 0)
    np.testing.assert_array_equal(out[60:], 0)
    inside = out[10:60]
    assert abs(inside.mean()) < 0.01
    assert abs(inside.std() / (2.0 * math.sqrt(0.1)) - 1) < 0.02
    with pytest.raises(ValueError, match=r"WienerProcessInput\(sigma=...\).*sqrt"):
        models.WienerProcessInput(1.0 * u.nA, 5 * u.ms)


def test_generator_registered_as_a_neuron_current_input():
    lif = models.LIF(2, tau=10 * u.ms)
    lif.init_state()
    lif.add_current_input("drive", models.ConstantInput(2, 2.0 * u.mA, 1 * u.ms, 0.5 * u.ms))

    def step():
        lif()
        return lif.V.value.to_decimal(u.mV)

    V = np.asarray(run(step, 20))[:, 0]
    np.testing.assert_array_equal(V[:5], 0)  # before t_start
    np.testing.assert_allclose(V[5], 2 * (1 - math.exp(-0.01)), rtol=1e-5)
    assert np.all(np.diff(V[5:15]) > 0) and np.all(np.diff(V[15:]) < 0)  # window ends at 1.5 ms


def test_generators_need_the_current_time():
    inp = models.ConstantInput(1, 1.0 * u.nA, 1 * u.ms)
    with pytest.raises(KeyError, match=r"ConstantInput.update.*environ.context"):
        inp()


# ------------------------------------------------------------------ readouts
def test_leaky_rate_readout_numbers_and_batch_shapes():
    ro = models.LeakyRateReadout(3, 1, tau=5 * u.ms, w_init=jnp.ones((3, 1)))
    ro.init_state()
    np.testing.assert_allclose(ro(jnp.ones(3)), [3.0])
    np.testing.assert_allclose(ro(jnp.zeros(3)), [3 * math.exp(-0.02)], rtol=1e-6)
    np.testing.assert_allclose(ro.r.value, [2.9406], atol=1e-4)

    ro = models.LeakyRateReadout(3, 2)
    assert isinstance(ro.weight, brainsim.ParamState) and ro.weight.value.shape == (3, 2)
    ro.init_state(batch_size=4)
    assert ro(jnp.ones((4, 3))).shape == (4, 2)
    ro.reset_state(batch_size=2)
    assert ro.r.value.shape == (2, 2) and not ro.r.value.any()
    with pytest.raises(ValueError, match=r"LeakyRateReadout\(tau=...\)"):
        models.LeakyRateReadout(3, 2, tau=5.0)


def test_leaky_rate_readout_with_units():
    ro = models.LeakyRateReadout(
        2, 1, w_init=jnp.ones((2, 1)), r_initializer=brainsim.init.ZeroInit(unit=u.nA)
    )
    ro.init_state()
    np.testing.assert_allclose(nA(ro(jnp.ones(2) * u.nA)), [2.0])


def test_leaky_spike_readout_matches_a_reference_simulation():
    ro = models.LeakySpikeReadout(2, w_init=jnp.eye(2) * 30.0 * u.mV)
    ro.init_state()
    spikes = np.asarray(run(lambda: ro(jnp.array([1.0, 0.0])), 30))
    a, V, expected = math.exp(-0.02), 0.0, []
    for _ in range(30):  # soft reset by V_th = 1 mV, then exact integration of 30 mV drive
        V = (V - (V >= 1.0)) * a + 30.0 * (1 - a)
        expected.append(float(V >= 1.0))
    np.testing.assert_array_equal(spikes[:, 0], expected)
    assert 10 <= sum(expected) <= 20 and not spikes[:, 1].any()
    ro.reset_state(batch_size=3)
    assert ro.V.value.shape == (3, 2)
    assert ro(jnp.ones((3, 2))).shape == (3, 2)
    with pytest.raises(ValueError, match=r"LeakySpikeReadout\(w_init=...\).*mV"):
        models.LeakySpikeReadout(2, w_init=jnp.eye(2))
