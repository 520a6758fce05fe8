"""``brainsim.nn.Delay`` ring buffer, ``StateWithDelay`` and interpolation (API.md F.3)."""

import math

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import brainsim
from brainsim import environ
from brainsim.nn import Delay, DelayAccess, InterpolationRegistry, StateWithDelay

ALL_INTERPOLATIONS = [
    "linear",
    "nearest",
    "round",
    "cubic",
    "hermite",
    "polynomial2",
    "polynomial3",
]


@pytest.fixture
def dt1():
    with environ.context(dt=1.0):
        yield


@pytest.fixture
def no_global_dt():
    """Remove a global ``dt`` (doctests may have set one) and restore it afterwards."""
    old = environ.pop(environ.DT, None)
    try:
        yield
    finally:
        if old is not None:
            environ.set(dt=old)


def filled(values, time=None, **kw):
    """A scalar Delay (dt from context) fed ``values`` in order."""
    d = Delay(jnp.zeros(()), time=len(values) if time is None else time, **kw)
    d.init_state()
    for v in values:
        d.update(jnp.asarray(v, dtype=jnp.float32))
    return d


def read_ago(delay, time):
    """The value ``time`` ago through ``retrieve_time_ago``, and the same read through the
    absolute-time ``retrieve_at_time`` (``t`` set as a run loop does)."""
    with environ.context(t=100.0):
        ago = delay.retrieve_time_ago(time)
        np.testing.assert_allclose(delay.retrieve_at_time(100.0 - time), ago, atol=1e-5)
        return ago


# ------------------------------------------------------------------ construction


@pytest.mark.parametrize(
    "time, dt, length",
    [
        (3.0, 1.0, 4),
        (2.5, 1.0, 4),
        (0.3, 0.1, 4),
        (None, 1.0, 1),
        (0.0, 1.0, 1),
        (2.0 * u.ms, 0.1 * u.ms, 21),
        (0.25 * u.ms, 0.1 * u.ms, 4),
        (1.0 * u.ms, 1.0 * u.ms, 2),
    ],
)
def test_max_length(time, dt, length):
    with environ.context(dt=dt):
        d = Delay(jnp.zeros(2), time=time)
    assert d.max_length == length
    if time is not None and u.get_mantissa(time) > 0:
        assert d.max_length == math.ceil(round(float(u.maybe_decimal(time / dt)), 9)) + 1


def test_requires_dt(no_global_dt):
    with pytest.raises(KeyError, match="dt"):
        Delay(jnp.zeros(2), time=1.0)


def test_unit_mismatch_time_and_dt():
    with environ.context(dt=0.1 * u.ms):
        with pytest.raises(ValueError, match="time"):
            Delay(jnp.zeros(2), time=3.0 * u.mV)


def test_negative_time_raises(dt1):
    with pytest.raises(ValueError, match=">= 0"):
        Delay(jnp.zeros(2), time=-1.0)


def test_init_and_reset_state_shapes(dt1):
    d = Delay(jnp.zeros((2, 3)), time=2.0)
    d.init_state()
    assert isinstance(d.history, brainsim.DelayState)
    assert isinstance(d.write_ptr, brainsim.ShortTermState)
    assert d.history.value.shape == (3, 2, 3)
    assert int(d.write_ptr.value) == 0
    d.update(jnp.ones((2, 3)))
    assert int(d.write_ptr.value) == 1
    d.reset_state(batch_size=4)
    assert d.history.value.shape == (3, 4, 2, 3)
    assert int(d.write_ptr.value) == 0
    assert not np.any(np.asarray(d.history.value))
    d2 = Delay(jnp.zeros(5, dtype=jnp.float32), time=1.0)
    d2.init_state(batch_size=7)
    assert d2.history.value.shape == (2, 7, 5)
    assert d2.history.value.dtype == jnp.float32


def test_pytree_target(dt1):
    d = Delay({"a": jnp.zeros(2), "b": jnp.zeros((), jnp.int32)}, time=1.0)
    d.init_state()
    assert d.history.value["a"].shape == (2, 2)
    assert d.history.value["b"].dtype == jnp.int32
    d.update({"a": jnp.ones(2), "b": jnp.asarray(3, jnp.int32)})
    d.update({"a": jnp.full(2, 2.0), "b": jnp.asarray(4, jnp.int32)})
    out = d.retrieve_at_step(1)
    np.testing.assert_array_equal(out["a"], [1.0, 1.0])
    assert int(out["b"]) == 3


def test_verified_example(dt1):
    d = filled([0, 1, 2, 3, 4], time=3.0)
    assert [float(d.retrieve_at_step(k)) for k in (0, 1, 2, 3)] == [4.0, 3.0, 2.0, 1.0]


def test_reset_refills_history(dt1):
    d = filled([5, 6], time=2.0, init=-1.0)
    d.reset_state()
    assert [float(d.retrieve_at_step(k)) for k in range(3)] == [-1.0, -1.0, -1.0]


@pytest.mark.parametrize(
    "init, expected",
    [
        (None, 0.0),
        (7.0, 7.0),
        (jnp.asarray(2.5), 2.5),
        (lambda shape, dtype: jnp.full(shape, -3.0, dtype), -3.0),
    ],
)
def test_history_before_first_write_is_init(dt1, init, expected):
    d = Delay(jnp.zeros(3), time=3.0, init=init)
    d.init_state(batch_size=2)
    d.update(jnp.ones((2, 3)))
    np.testing.assert_array_equal(d.retrieve_at_step(0), np.ones((2, 3)))
    for k in (1, 2, 3):
        np.testing.assert_array_equal(d.retrieve_at_step(k), np.full((2, 3), expected))


def test_indices_select_elements(dt1):
    d = Delay(jnp.zeros(4), time=2.0)
    d.init_state()
    d.update(jnp.arange(4.0))
    d.update(jnp.arange(4.0) + 10)
    np.testing.assert_array_equal(d.retrieve_at_step(1, 2), 2.0)
    np.testing.assert_array_equal(d.retrieve_at_step(0, jnp.asarray([0, 3])), [10.0, 13.0])


@settings(max_examples=25, deadline=None)
@given(
    max_steps=st.integers(0, 5),
    values=st.lists(st.integers(-50, 50), min_size=0, max_size=14),
    init=st.integers(-9, 9),
)
def test_ring_buffer_matches_a_list(max_steps, values, init):
    """Property: step k reads the k-th most recent write, or init before the first write."""
    with environ.context(dt=1.0):
        d = Delay(jnp.zeros(()), time=float(max_steps), init=float(init))
        d.init_state()
        for v in values:
            d.update(jnp.asarray(float(v)))
        got = [float(d.retrieve_at_step(k)) for k in range(max_steps + 1)]
    history = [float(init)] * (max_steps + 1) + [float(v) for v in values]
    assert got == [history[-1 - k] for k in range(max_steps + 1)]


# ------------------------------------------------------------------ entries


def test_register_entry_at_access(dt1):
    d = Delay(jnp.zeros(2), time=1.0)
    assert d.max_length == 2
    assert d.register_entry("three", 3.0) is d
    assert d.max_length == 4  # grown
    d.register_entry("one_idx", 1.0, 1)
    with pytest.raises(KeyError, match="'three' already exists"):
        d.register_entry("three", 2.0)
    acc = d.access("two", 2.0)
    assert isinstance(acc, DelayAccess)
    d.init_state()
    for x in range(5):
        d.update(jnp.asarray([x, 10.0 * x]))
    np.testing.assert_array_equal(d.at("three"), [1.0, 10.0])
    np.testing.assert_array_equal(d.at("one_idx"), 30.0)
    np.testing.assert_array_equal(acc(), [2.0, 20.0])
    with pytest.raises(KeyError, match="'nope'"):
        d.at("nope")


def test_entries_argument(dt1):
    d = Delay(jnp.zeros(()), time=None, entries={"a": 2.0, "b": 4.0})
    assert d.max_length == 5
    d.init_state()
    for x in range(6):
        d.update(jnp.asarray(float(x)))
    assert float(d.at("a")) == 3.0 and float(d.at("b")) == 1.0


def test_register_after_init_grows_buffer(dt1):
    d = Delay(jnp.zeros(()), time=1.0)
    d.init_state()
    d.register_entry("late", 3.0)
    assert d.history.value.shape == (4,)
    for x in range(4):
        d.update(jnp.asarray(float(x)))
    assert float(d.at("late")) == 0.0


def test_register_delay(dt1):
    d = Delay(jnp.zeros(4), time=1.0)
    assert d.register_delay(2.0) == (2,)
    assert d.register_delay(2.5, 1) == (3, 1)
    assert d.max_length == 4
    steps, idx = d.register_delay(1.0, jnp.asarray([0, 2]))
    assert steps == 1 and idx.tolist() == [0, 2]
    with pytest.raises(TypeError, match="indices must be integers"):
        d.register_delay(1.0, 1.5)
    with pytest.raises(TypeError, match="indices must be integers"):
        d.register_delay(1.0, jnp.asarray([0.0, 1.0]))


# ------------------------------------------------------------------ interpolation


def _signal(poly, n=16):
    """Values ``poly(j)`` written at steps j = 0..n-1 (the last is the most recent)."""
    return [poly(j) for j in range(n)]


def _ago(poly, n, k):
    return poly(n - 1 - k)


LINEAR = lambda j: 0.5 + 0.25 * j  # noqa: E731
QUADRATIC = lambda j: 1.0 - 0.3 * j + 0.05 * j * j  # noqa: E731
CUBIC = lambda j: 2.0 + 0.1 * j - 0.04 * j * j + 0.003 * j**3  # noqa: E731


@pytest.mark.parametrize(
    "interp, signals",
    [
        ("linear", [LINEAR]),
        ("polynomial2", [LINEAR, QUADRATIC]),
        ("polynomial3", [LINEAR, QUADRATIC, CUBIC]),
        ("cubic", [LINEAR, QUADRATIC, CUBIC]),
        ("hermite", [LINEAR, QUADRATIC]),
    ],
)
@pytest.mark.parametrize("k", [2.0, 3.3, 4.5, 6.75])
def test_interpolation_exact_on_polynomials(dt1, interp, signals, k):
    for poly in signals:
        d = filled(_signal(poly), time=12.0, interpolation=interp)
        np.testing.assert_allclose(float(read_ago(d, k)), _ago(poly, 16, k), rtol=1e-5, atol=1e-5)


def test_linear_is_default_and_not_exact_on_quadratics(dt1):
    d = filled(_signal(QUADRATIC), time=12.0)
    assert d.interpolation == "linear"
    k = 3.5
    exact = _ago(QUADRATIC, 16, k)
    chord = 0.5 * (_ago(QUADRATIC, 16, 3) + _ago(QUADRATIC, 16, 4))
    assert abs(exact - chord) > 1e-3  # the test signal can tell the two apart
    np.testing.assert_allclose(float(read_ago(d, k)), chord, rtol=1e-6)


def test_hermite_differs_from_cubic_on_cubics(dt1):
    k = 3.3  # (at the midpoint both rules give the same weights)
    cub = float(read_ago(filled(_signal(CUBIC), time=12.0, interpolation="cubic"), k))
    her = float(read_ago(filled(_signal(CUBIC), time=12.0, interpolation="hermite"), k))
    np.testing.assert_allclose(cub, _ago(CUBIC, 16, k), rtol=1e-5)
    assert abs(her - cub) > 1e-4


@pytest.mark.parametrize("interp", ["nearest", "round"])
def test_nearest_and_round(dt1, interp):
    d = filled(_signal(LINEAR), time=12.0, interpolation=interp)
    for k, j in [(2.4, 2), (2.6, 3), (5.0, 5), (0.2, 0)]:
        assert float(read_ago(d, k)) == _ago(LINEAR, 16, j)


@pytest.mark.parametrize("interp", ALL_INTERPOLATIONS)
def test_integer_delays_read_exact_samples(dt1, interp):
    vals = [float(v) for v in np.random.default_rng(0).normal(size=16)]
    d = filled(vals, time=12.0, interpolation=interp)
    for k in (2, 5, 7):
        np.testing.assert_allclose(float(read_ago(d, float(k))), vals[15 - k], rtol=1e-5, atol=1e-6)


def test_retrieve_at_time_with_units_and_indices():
    with environ.context(dt=0.1 * u.ms):
        d = Delay(jnp.zeros(3) * u.mV, time=1.0 * u.ms)
        d.init_state()
        for j in range(12):
            d.update(jnp.asarray([j, 2.0 * j, 3.0 * j]) * u.mV)
        with environ.context(t=1.2 * u.ms):
            out = d.retrieve_at_time(0.95 * u.ms, 1)  # absolute: 0.25 ms before t
            ago = d.retrieve_time_ago(0.25 * u.ms, 1)
    np.testing.assert_allclose(ago.to_decimal(u.mV), out.to_decimal(u.mV), rtol=1e-5)
    assert u.get_unit(out) == u.mV
    np.testing.assert_allclose(out.to_decimal(u.mV), 2.0 * (11 - 2.5), rtol=1e-5)


def test_unknown_interpolation(dt1):
    with pytest.raises(ValueError, match="unknown interpolation 'spline9'"):
        Delay(jnp.zeros(2), time=1.0, interpolation="spline9")
    with pytest.raises(ValueError, match="unknown interpolation"):
        InterpolationRegistry.get("nope")
    assert set(ALL_INTERPOLATIONS) <= set(InterpolationRegistry.names())


def test_custom_interpolation_rule(dt1):
    def floor_plus_100(read, k):
        return read(jnp.floor(k).astype(jnp.int32)) + 100.0

    InterpolationRegistry.register("test-floor-plus-100", floor_plus_100)
    try:
        d = filled(_signal(LINEAR), time=12.0, interpolation="test-floor-plus-100")
        assert float(read_ago(d, 3.9)) == _ago(LINEAR, 16, 3) + 100.0
        # a callable works directly too
        d2 = filled(_signal(LINEAR), time=12.0, interpolation=floor_plus_100)
        assert float(read_ago(d2, 3.9)) == _ago(LINEAR, 16, 3) + 100.0
    finally:
        InterpolationRegistry._rules.pop("test-floor-plus-100", None)
    with pytest.raises(TypeError, match="callable"):
        InterpolationRegistry.register("bad", 3)


# ------------------------------------------------------------------ update_every


def test_update_every_writes_every_n_steps(dt1):
    d = Delay(jnp.zeros(()), time=6.0, update_every=2.0)
    d.init_state()
    for x in range(7):  # calls 0..6: writes on 0, 2, 4, 6
        d.update(jnp.asarray(float(x)))
    h = np.asarray(d.history.value)
    assert sorted(h[h != 0].tolist()) == [2.0, 4.0, 6.0]
    assert int(d.write_ptr.value) == 4  # four writes (the value 0 included)
    assert float(d.retrieve_at_step(0)) == 6.0
    assert float(d.retrieve_at_step(2)) == 4.0
    assert float(d.retrieve_at_step(4)) == 2.0
    assert float(d.retrieve_at_step(6)) == 0.0


def test_update_every_in_for_loop(dt1):
    d = Delay(jnp.zeros(()), time=4.0, update_every=2.0)
    d.init_state()

    def step(x):
        d.update(x)
        return d.retrieve_at_step(0)

    out = brainsim.transform.for_loop(step, jnp.arange(1.0, 7.0))
    np.testing.assert_array_equal(out, [1.0, 1.0, 3.0, 3.0, 5.0, 5.0])


def test_update_every_smaller_than_dt(dt1):
    with pytest.raises(ValueError, match="update_every"):
        Delay(jnp.zeros(()), time=2.0, update_every=0.5)


# ------------------------------------------------------------------ error checks


def test_jit_error_check_eager(dt1):
    d = filled([1.0, 2.0], time=3.0)
    with environ.context(jit_error_check=True):
        assert float(d.retrieve_at_step(3)) == 0.0  # in range
        with pytest.raises(brainsim.BrainSimError, match="outside"):
            d.retrieve_at_step(4)
        with pytest.raises(brainsim.BrainSimError, match="outside"):
            d.retrieve_at_step(-1)
    # without the flag no check is made
    d.retrieve_at_step(4)


def test_jit_error_check_inside_jit(dt1):
    d = filled([1.0, 2.0], time=3.0)

    @brainsim.transform.jit
    def read(k):
        with environ.context(jit_error_check=True):
            return d.retrieve_at_step(k)

    assert float(read(jnp.asarray(1))) == 1.0
    with pytest.raises(Exception, match="requested delay of 9 steps is outside") as info:
        jax.block_until_ready(read(jnp.asarray(9)))
    assert not isinstance(info.value, AssertionError)


# ------------------------------------------------------------------ StateWithDelay


class Ramp(brainsim.nn.Module):
    def init_state(self, batch_size=None):
        self.x = brainsim.HiddenState(jnp.zeros(2))

    def update(self):
        self.x.value = self.x.value + 1.0


def test_state_with_delay_records_state(dt1):
    r = Ramp()
    swd = StateWithDelay(r, "x")
    assert swd.interpolation == "round"
    acc = swd.access(2.0)
    acc1 = swd.access(1.0, 0)
    r.init_state()
    swd.init_state()  # target_info is taken here, from r.x
    assert swd.history.value.shape == (3, 2)
    got = []
    for _ in range(4):
        r()
        swd()
        got.append((acc().tolist(), float(acc1())))
    assert got == [([0.0, 0.0], 0.0), ([0.0, 0.0], 1.0), ([1.0, 1.0], 2.0), ([2.0, 2.0], 3.0)]
    with environ.context(t=0.0):
        np.testing.assert_array_equal(swd.retrieve_time_ago(1.4), [3.0, 3.0])  # rounds to 1
        np.testing.assert_array_equal(swd.retrieve_at_time(-1.4), [3.0, 3.0])


def test_state_with_delay_update_every(dt1):
    r = Ramp()
    with pytest.raises(ValueError, match="update_every"):
        StateWithDelay(r, "x", update_every=0.5)
    swd = StateWithDelay(r, "x", update_every=2.0)
    acc = swd.access(4.0)
    r.init_state()
    swd.init_state()
    got = []
    for _ in range(7):
        r()
        swd()
        got.append(float(acc()[0]))
    # writes after calls 1, 3, 5, 7 (x = 1, 3, 5, 7); 4 steps = 2 writes back
    assert got == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 3.0]


def test_state_with_delay_without_state(dt1):
    r = Ramp()
    swd = StateWithDelay(r, "x")
    with pytest.raises(ValueError, match="not a State"):
        swd.init_state()


def test_quantity_history_keeps_units():
    with environ.context(dt=0.5 * u.ms):
        d = Delay(jnp.zeros(2) * u.mV, time=1.0 * u.ms, init=-65.0 * u.mV)
        d.init_state(batch_size=3)
        assert u.get_unit(d.history.value) == u.mV
        assert d.history.value.shape == (3, 3, 2)
        d.update(jnp.ones((3, 2)) * u.mV)
        d.update(jnp.full((3, 2), 2.0) * u.volt)  # converted into the history's unit
        out0, out2 = d.retrieve_at_step(0), d.retrieve_at_step(2)
    assert u.get_unit(out0) == u.mV
    np.testing.assert_allclose(out0.to_decimal(u.mV), np.full((3, 2), 2000.0))
    np.testing.assert_allclose(out2.to_decimal(u.mV), np.full((3, 2), -65.0))


# ------------------------------------------------------------------ loops and golden traces


def test_golden_trace_in_for_loop(dt1):
    """A Delay fed 1..10 returns exactly the sequence delayed by 2 (zeros before)."""
    d = Delay(jnp.zeros(()), time=3.0)
    d.init_state()

    def step(x):
        d.update(x)
        return d.retrieve_at_step(2), d.at("three"), d.retrieve_at_step(0)

    d.register_entry("three", 3.0)
    seq = jnp.arange(1.0, 11.0)
    two, three, zero = brainsim.transform.for_loop(step, seq)
    np.testing.assert_array_equal(two, [0, 0, 1, 2, 3, 4, 5, 6, 7, 8])
    np.testing.assert_array_equal(three, [0, 0, 0, 1, 2, 3, 4, 5, 6, 7])
    np.testing.assert_array_equal(zero, seq)
    # the loop wrote the states back: an eager read continues the trace
    assert float(d.retrieve_at_step(1)) == 9.0


def test_golden_trace_fractional_delay_in_for_loop():
    """A linear-interpolated delay of 2.5 steps of a sine wave, against NumPy."""
    dt = 0.1
    with environ.context(dt=dt * u.ms):
        d = Delay(jnp.zeros(()), time=0.5 * u.ms)
        d.init_state()
        ts = jnp.arange(40) * dt

        def step(t):
            with environ.context(t=t * u.ms):
                d.update(jnp.sin(t))
                return d.retrieve_at_time(t * u.ms - 0.25 * u.ms)  # absolute time

        out = np.asarray(brainsim.transform.for_loop(step, ts))
    x = np.sin(np.arange(40) * dt)
    xpad = np.concatenate([np.zeros(3), x])  # history before t=0 is zeros
    # 2.5 steps ago: the mean of the samples 2 and 3 steps ago
    expected = 0.5 * (xpad[1:-2] + xpad[0:-3])
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_batched_delay_in_jit_and_vmap_like_use(dt1):
    d = Delay(jnp.zeros(3), time=2.0)
    d.init_state(batch_size=2)

    @brainsim.transform.jit
    def step(x):
        d.update(x)
        return d.retrieve_at_step(2)

    xs = [jnp.full((2, 3), float(i)) for i in range(1, 5)]
    outs = [float(step(x)[1, 2]) for x in xs]
    assert outs == [0.0, 0.0, 1.0, 2.0]
