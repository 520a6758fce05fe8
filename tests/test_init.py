"""Tests for brainsim.init: param() semantics and the initializer classes."""

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainsim import init
from brainsim._errors import BrainSimError

KEY = jax.random.PRNGKey(0)
# One shape for the generic tests: XLA compiles each (sampler, shape, dtype) once, and
# compiling is what dominates the run time (jax.random.gamma takes seconds per shape).
SHAPE = (8, 8)
STAT = (256, 256)  # statistics tests

# --------------------------------------------------------------------------------------
# param()
# --------------------------------------------------------------------------------------


class TestParamNoneAndScalar:
    def test_none_allowed(self):
        assert init.param(None, (3,)) is None

    def test_none_not_allowed(self):
        with pytest.raises(ValueError, match=r"init=None.*allow_none=False"):
            init.param(None, (3,), allow_none=False)

    @pytest.mark.parametrize(
        "scalar", [2, 2.5, True, np.float32(1.5), jnp.asarray(3.0), np.asarray(4.0)]
    )
    def test_scalar_returned_unchanged(self, scalar):
        assert init.param(scalar, (3, 4), batch_size=2) is scalar

    def test_scalar_quantity_unchanged(self):
        q = 5.0 * u.mV
        assert init.param(q, (3,)) is q

    def test_scalar_broadcast_when_not_allowed(self):
        v = init.param(2.5, (3,), allow_scalar=False)
        assert v.shape == (3,)
        np.testing.assert_allclose(v, 2.5)

    def test_scalar_quantity_broadcast_with_batch(self):
        v = init.param(-65.0 * u.mV, (3,), batch_size=2, allow_scalar=False)
        assert isinstance(v, u.Quantity)
        assert v.shape == (2, 3)
        assert v.unit == u.mV
        np.testing.assert_allclose(v.to_decimal(u.mV), -65.0)


class TestParamCallable:
    def test_callable_gets_sizes(self):
        seen = []
        init.param(lambda s: seen.append(s) or jnp.zeros(s), (3, 4))
        assert seen == [(3, 4)]

    def test_callable_gets_batch_then_sizes(self):
        seen = []
        out = init.param(lambda s: seen.append(s) or jnp.zeros(s), 5, batch_size=2)
        assert seen == [(2, 5)]
        assert out.shape == (2, 5)

    def test_int_sizes_equivalent_to_tuple_and_list(self):
        a = init.param(init.Constant(1.0), 4)
        b = init.param(init.Constant(1.0), (4,))
        c = init.param(init.Constant(1.0), [4])
        assert a.shape == b.shape == c.shape == (4,)

    def test_initializer_with_unit(self):
        v = init.param(init.Constant(1.0, unit=u.mS), (2,), batch_size=3)
        assert isinstance(v, u.Quantity) and v.unit == u.mS and v.shape == (3, 2)

    def test_class_instead_of_instance(self):
        with pytest.raises(TypeError, match=r"got a class.*ZeroInit\(...\)"):
            init.param(init.ZeroInit, (3,))


class TestParamArray:
    def test_array_unchanged_without_batch(self):
        a = jnp.arange(3.0)
        assert init.param(a, (3,)) is a

    def test_array_broadcastable_is_accepted(self):
        a = jnp.ones((1, 4))
        assert init.param(a, (3, 4)).shape == (1, 4)
        assert init.param(jnp.ones(4), (3, 4)).shape == (4,)

    def test_numpy_array_accepted(self):
        a = np.ones(3)
        assert init.param(a, 3) is a

    def test_array_not_broadcastable(self):
        with pytest.raises(ValueError, match=r"shape \(5,\) does not broadcast to sizes \(3,\)"):
            init.param(jnp.ones(5), (3,))

    def test_array_too_many_dims_without_batch(self):
        with pytest.raises(ValueError, match=r"\(2, 3\) does not broadcast to sizes \(3,\)"):
            init.param(jnp.ones((2, 3)), (3,))

    def test_batch_repetition(self):
        a = jnp.arange(3.0)
        v = init.param(a, (3,), batch_size=4)
        assert v.shape == (4, 3)
        np.testing.assert_array_equal(v, np.tile(np.arange(3.0), (4, 1)))

    def test_batch_repetition_adds_missing_dims(self):
        v = init.param(jnp.arange(4.0), (3, 4), batch_size=2)
        assert v.shape == (2, 1, 4)
        np.testing.assert_array_equal(v[1, 0], np.arange(4.0))

    def test_existing_batch_dim_accepted(self):
        a = jnp.ones((4, 3))
        assert init.param(a, (3,), batch_size=4) is a

    def test_wrong_existing_batch_dim(self):
        with pytest.raises(ValueError, match=r"leading batch axis has length 2 but batch_size=4"):
            init.param(jnp.ones((2, 3)), (3,), batch_size=4)

    def test_existing_batch_dim_with_bad_trailing_shape(self):
        with pytest.raises(ValueError, match=r"\(4, 5\) does not broadcast"):
            init.param(jnp.ones((4, 5)), (3,), batch_size=4)

    def test_quantity_units_preserved(self):
        q = jnp.arange(3.0) * u.mV
        assert init.param(q, (3,)) is q
        v = init.param(q, (3,), batch_size=2)
        assert isinstance(v, u.Quantity) and v.unit == u.mV and v.shape == (2, 3)
        np.testing.assert_array_equal(v.to_decimal(u.mV)[1], np.arange(3.0))

    def test_quantity_not_broadcastable(self):
        with pytest.raises(ValueError, match=r"does not broadcast to sizes \(2,\)"):
            init.param(jnp.ones(3) * u.mV, 2)


class TestParamArgumentErrors:
    def test_unsupported_type(self):
        with pytest.raises(TypeError, match=r"got list.*jnp.asarray"):
            init.param([1.0, 2.0], (2,))

    @pytest.mark.parametrize("sizes", ["3", 3.0, (3, "a"), None])
    def test_bad_sizes(self, sizes):
        with pytest.raises(TypeError, match=r"param\(sizes=...\): expected an int or a tuple"):
            init.param(1.0, sizes)

    def test_negative_sizes(self):
        with pytest.raises(ValueError, match=r"dimensions must be >= 0"):
            init.param(1.0, (-1,))

    @pytest.mark.parametrize("batch_size", [0, -2, 1.5, True])
    def test_bad_batch_size(self, batch_size):
        with pytest.raises(ValueError, match=r"batch_size=.*positive int"):
            init.param(jnp.ones(3), (3,), batch_size=batch_size)

    def test_errors_are_brainsim_errors(self):
        with pytest.raises(BrainSimError):
            init.param(None, 3, allow_none=False)


# --------------------------------------------------------------------------------------
# initializers: shape, dtype, unit
# --------------------------------------------------------------------------------------

RANDOM_INITS = [
    init.Uniform(),
    init.Normal(),
    init.TruncatedNormal(),
    init.LogNormal(),
    init.Gamma(2.0),
    init.Exponential(),
    init.VarianceScaling(),
    init.KaimingNormal(),
    init.KaimingUniform(),
    init.XavierNormal(),
    init.XavierUniform(),
    init.LecunNormal(),
    init.LecunUniform(),
    init.Orthogonal(),
]
DETERMINISTIC_INITS = [init.Constant(0.5), init.ZeroInit(), init.OneInit(), init.Identity()]
ALL_INITS = RANDOM_INITS + DETERMINISTIC_INITS


def _ids(objs):
    return [type(o).__name__ for o in objs]


@pytest.mark.parametrize("ini", ALL_INITS, ids=_ids(ALL_INITS))
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float16])
def test_shape_dtype_plain(ini, dtype):
    if isinstance(ini, init.Gamma) and dtype == jnp.float16:
        pytest.skip("jax.random.gamma takes seconds to compile per dtype; dtype= is generic")
    out = ini(SHAPE, key=KEY, dtype=dtype)
    assert not isinstance(out, u.Quantity)
    assert out.shape == SHAPE
    assert out.dtype == dtype
    assert bool(jnp.all(jnp.isfinite(out)))


@pytest.mark.parametrize("ini", ALL_INITS, ids=_ids(ALL_INITS))
def test_default_dtype_is_environ_dftype(ini):
    from brainsim import environ

    assert ini(SHAPE, key=KEY).dtype == environ.dftype()


@pytest.mark.parametrize("ini", [init.Normal(), init.Constant(1.0), init.KaimingNormal()])
def test_int_shape_and_list_shape(ini):
    # Shape normalisation lives in Initializer.__call__, shared by every subclass.
    assert ini(5, key=KEY).shape == (5,)
    assert ini([2, 5], key=KEY).shape == (2, 5)


@pytest.mark.parametrize("ini", ALL_INITS, ids=_ids(ALL_INITS))
def test_unit_gives_quantity(ini):
    cls = type(ini)
    with_unit = cls(**{**ini._args, "unit": u.mV})
    out = with_unit(SHAPE, key=KEY)
    assert isinstance(out, u.Quantity)
    assert out.unit == u.mV
    assert out.shape == SHAPE
    # Same numbers as the plain version with the same key.
    np.testing.assert_allclose(out.to_decimal(u.mV), ini(SHAPE, key=KEY), rtol=1e-6)


def test_custom_subclass():
    class Ramp(init.Initializer):
        def _generate(self, shape, key, dtype):
            return jnp.arange(np.prod(shape), dtype=dtype).reshape(shape)

    out = init.param(Ramp(unit=u.nA), (2, 2))
    assert out.unit == u.nA
    np.testing.assert_array_equal(out.to_decimal(u.nA), [[0, 1], [2, 3]])
    assert repr(Ramp()) == "Ramp()" and Ramp() == Ramp()


def test_normal_unit_example():
    out = init.Normal(0, 1, unit=u.mV)((3,), key=KEY)
    assert isinstance(out, u.Quantity) and out.unit == u.mV and out.shape == (3,)


def test_constant_quantity_value():
    out = init.Constant(5 * u.mV)((2,))
    assert isinstance(out, u.Quantity) and out.unit == u.mV
    np.testing.assert_allclose(out.to_decimal(u.mV), [5.0, 5.0])


def test_constant_quantity_converted_to_explicit_unit():
    out = init.Constant(0.5 * u.volt, unit=u.mV)((2,))
    assert out.unit == u.mV
    np.testing.assert_allclose(out.to_decimal(u.mV), [500.0, 500.0])


def test_constant_array_value_broadcasts():
    out = init.Constant(jnp.arange(3.0))((2, 3))
    np.testing.assert_array_equal(out, np.tile(np.arange(3.0), (2, 1)))
    with pytest.raises(ValueError, match=r"shape \(3,\) does not broadcast to the requested"):
        init.Constant(jnp.arange(3.0))((2, 4))


def test_zero_one_identity_values():
    np.testing.assert_array_equal(init.ZeroInit()((2, 2)), np.zeros((2, 2)))
    np.testing.assert_array_equal(init.OneInit()((2, 2)), np.ones((2, 2)))
    np.testing.assert_array_equal(init.OneInit(3.0)((2,)), [3.0, 3.0])
    np.testing.assert_array_equal(init.Identity(2.0)((2, 3)), 2.0 * np.eye(2, 3))
    with pytest.raises(ValueError, match=r"Identity.*at least 2 dimensions"):
        init.Identity()((3,))


def test_normal_with_quantity_arguments():
    out = init.Normal(-65.0 * u.mV, 0.002 * u.volt)((2000,), key=KEY)
    assert out.unit == u.mV
    m = out.to_decimal(u.mV)
    assert abs(float(m.mean()) + 65.0) < 0.3
    assert abs(float(m.std()) - 2.0) < 0.2


def test_uniform_with_quantity_arguments():
    out = init.Uniform(-70.0 * u.mV, -50.0 * u.mV)(STAT, key=KEY)
    assert out.unit == u.mV
    m = np.asarray(out.to_decimal(u.mV))
    assert m.min() >= -70.0 and m.max() < -50.0


def test_mixed_units_rejected():
    with pytest.raises(ValueError, match=r"Normal\(std=.*compatible with the unit mV"):
        init.Normal(0.0 * u.mV, 1.0 * u.ms)
    with pytest.raises(ValueError, match=r"Uniform\(max_val=1.0\).*give max_val a unit"):
        init.Uniform(-1.0 * u.mV, 1.0)


def test_zero_plain_with_quantity_ok():
    out = init.Normal(0, 1.0 * u.mV)(SHAPE, key=KEY)
    assert out.unit == u.mV


# --------------------------------------------------------------------------------------
# statistics
# --------------------------------------------------------------------------------------


def test_kaiming_normal_std():
    w = init.KaimingNormal()(STAT, key=KEY)
    expected = np.sqrt(2.0 / 256)
    assert abs(float(jnp.std(w)) - expected) / expected < 0.1
    assert abs(float(jnp.mean(w))) < 0.01


@pytest.mark.parametrize(
    "cls, mode, fan",
    [
        (init.KaimingUniform, "fan_in", 64),
        (init.LecunNormal, "fan_in", 64),
        (init.XavierNormal, "fan_avg", 96),
        (init.XavierUniform, "fan_avg", 96),
    ],
)
def test_variance_scaling_family_std(cls, mode, fan):
    ini = cls()
    w = ini((64, 128), key=KEY)
    expected = np.sqrt(ini.scale / fan)
    assert ini.mode == mode
    assert abs(float(jnp.std(w)) - expected) / expected < 0.1


def test_fans_for_conv_and_1d_shapes():
    # 3x3 conv kernel, 16 in, 32 out: fan_in = 9 * 16 = 144.
    w = init.VarianceScaling(1.0, "fan_in", "normal")((3, 3, 16, 32), key=KEY)
    assert abs(float(jnp.std(w)) - np.sqrt(1 / 144)) / np.sqrt(1 / 144) < 0.1
    # fan_out = 9 * 32 = 288
    w = init.VarianceScaling(1.0, "fan_out", "normal")((3, 3, 16, 32), key=KEY)
    assert abs(float(jnp.std(w)) - np.sqrt(1 / 288)) / np.sqrt(1 / 288) < 0.1
    # 1-D: fan_in = fan_out = shape[0]
    b = init.VarianceScaling(1.0, "fan_avg", "normal")((256 * 256,), key=KEY)
    assert abs(float(jnp.std(b)) - 1 / 256) * 256 < 0.1


def test_variance_scaling_custom_axes():
    ini = init.VarianceScaling(1.0, "fan_in", "uniform", in_axis=-1, out_axis=-2)
    w = ini((64, 128), key=KEY)
    assert abs(float(jnp.std(w)) - np.sqrt(1 / 128)) / np.sqrt(1 / 128) < 0.1


def test_variance_scaling_truncated_bounds():
    w = init.LecunNormal()(STAT, key=KEY)
    assert float(jnp.max(jnp.abs(w))) <= 2 * np.sqrt(1 / 256) / 0.87962566103423978 + 1e-6


def test_variance_scaling_bad_shapes():
    with pytest.raises(ValueError, match=r"at least 1 dimension"):
        init.KaimingNormal()(())
    with pytest.raises(ValueError, match=r"in_axis=5.*out of range"):
        init.VarianceScaling(in_axis=5)((3, 3), key=KEY)
    with pytest.raises(ValueError, match=r"must name different axes"):
        init.VarianceScaling(in_axis=0, out_axis=-2)((3, 3), key=KEY)


def test_variance_scaling_empty_shape():
    assert init.KaimingNormal()((0, 3), key=KEY).shape == (0, 3)


def test_uniform_bounds():
    w = np.asarray(init.Uniform(-2.0, 3.0)(STAT, key=KEY))
    assert w.min() >= -2.0 and w.max() < 3.0
    assert abs(w.mean() - 0.5) < 0.1


def test_normal_mean_std():
    w = init.Normal(3.0, 0.5)(STAT, key=KEY)
    assert abs(float(w.mean()) - 3.0) < 0.02
    assert abs(float(w.std()) - 0.5) < 0.02


def test_truncated_normal_bounds():
    w = np.asarray(init.TruncatedNormal(1.0, 2.0, lower=-1.0, upper=0.5)(STAT, key=KEY))
    assert w.min() >= 1.0 - 2.0 - 1e-5 and w.max() <= 1.0 + 1.0 + 1e-5


def test_lognormal_gamma_exponential_stats():
    ln = np.asarray(init.LogNormal(0.0, 0.5)(STAT, key=KEY))
    assert ln.min() > 0 and abs(np.log(ln).std() - 0.5) < 0.02
    # Only SHAPE (64 draws): gamma compiles slowly. Shape 100, scale 0.5 gives mean 50 and
    # std 5; swapping shape and scale would give std 70.
    g = np.asarray(init.Gamma(100.0, 0.5)(SHAPE, key=KEY))
    assert abs(g.mean() - 50.0) < 3.0 and 3.5 < g.std() < 7.0
    e = np.asarray(init.Exponential(4.0)(STAT, key=KEY))
    assert e.min() >= 0 and abs(e.mean() - 4.0) < 0.15


@pytest.mark.parametrize("shape", [SHAPE, (128, 32)])
def test_orthogonal(shape):
    w = init.Orthogonal()(shape, key=KEY)
    np.testing.assert_allclose(w.T @ w, np.eye(shape[1]), atol=1e-4)


def test_orthogonal_scale_and_wide():
    w = init.Orthogonal(scale=2.0)((32, 128), key=KEY)
    np.testing.assert_allclose(w @ w.T, 4.0 * np.eye(32), atol=1e-4)
    with pytest.raises(ValueError, match=r"at least 2 dimensions"):
        init.Orthogonal()((5,), key=KEY)


def test_delta_orthogonal():
    w = init.DeltaOrthogonal()((3, 3, 4, 4), key=KEY)
    assert w.shape == (3, 3, 4, 4)
    np.testing.assert_allclose(w[1, 1].T @ w[1, 1], np.eye(4), atol=1e-5)
    assert float(jnp.abs(w[0, 0]).max()) == 0.0
    with pytest.raises(ValueError, match=r"3-D, 4-D or 5-D"):
        init.DeltaOrthogonal()((4, 4), key=KEY)


# --------------------------------------------------------------------------------------
# randomness
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ini", RANDOM_INITS, ids=_ids(RANDOM_INITS))
def test_explicit_key_is_deterministic(ini):
    a = ini(SHAPE, key=jax.random.PRNGKey(3))
    b = ini(SHAPE, key=jax.random.PRNGKey(3))
    c = ini(SHAPE, key=jax.random.PRNGKey(4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_typed_key_accepted():
    a = init.Normal()(SHAPE, key=jax.random.key(0))
    assert a.shape == SHAPE


def test_int_key_rejected():
    with pytest.raises(TypeError, match=r"PRNGKey\(0\)"):
        init.Normal()((4,), key=0)


@pytest.mark.parametrize("ini", RANDOM_INITS, ids=_ids(RANDOM_INITS))
def test_keyless_calls_differ(ini):
    a = ini(SHAPE)
    b = ini(SHAPE)
    assert a.shape == SHAPE
    assert not np.array_equal(a, b)


def test_keyless_call_advances_global_key():
    from brainsim import random as bsr

    with bsr.seed_context(123):
        a = init.Normal()(SHAPE)
        a2 = init.Normal()(SHAPE)
    with bsr.seed_context(123):
        b = init.Normal()(SHAPE)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, a2)


def test_keyless_call_under_brainsim_jit():
    import brainsim

    f = brainsim.transform.jit(lambda: init.Normal()(SHAPE))
    a, b = f(), f()
    assert not np.array_equal(a, b)  # the global key is threaded through the jit
    with brainsim.random.seed_context(7):
        c = f()
    with brainsim.random.seed_context(7):
        np.testing.assert_array_equal(c, f())


def test_explicit_key_under_jit():
    f = jax.jit(lambda k: init.KaimingNormal()(SHAPE, key=k))
    np.testing.assert_allclose(f(KEY), init.KaimingNormal()(SHAPE, key=KEY), rtol=1e-6)


# --------------------------------------------------------------------------------------
# equality / repr
# --------------------------------------------------------------------------------------


def test_equality_by_params():
    assert init.Normal(0.0, 1.0) == init.Normal(0.0, 1.0)
    assert init.Normal(0.0, 1.0) != init.Normal(0.0, 2.0)
    assert init.Normal(0.0, 1.0) != init.Normal(0.0, 1.0, unit=u.mV)
    assert init.Normal(0.0, 1.0) != init.TruncatedNormal(0.0, 1.0)
    assert init.KaimingNormal() == init.KaimingNormal()
    assert init.KaimingNormal() != init.VarianceScaling(2.0, "fan_in", "truncated_normal")
    assert init.Constant(5 * u.mV) == init.Constant(5 * u.mV)
    assert init.Constant(5 * u.mV) != init.Constant(5 * u.ms)
    assert init.Constant(jnp.ones(3)) == init.Constant(jnp.ones(3))
    assert init.Constant(jnp.ones(3)) != init.Constant(jnp.zeros(3))
    assert hash(init.Uniform(0, 1)) == hash(init.Uniform(0, 1))
    assert len({init.ZeroInit(), init.ZeroInit()}) == 1


def test_repr():
    assert repr(init.Normal(0.0, 1.0)) == "Normal(mean=0.0, std=1.0)"
    assert repr(init.Normal(0, 1, unit=u.mV)) == "Normal(mean=0, std=1, unit=mV)"
    assert repr(init.ZeroInit()) == "ZeroInit()"
    assert repr(init.Uniform(-1.0, 1.0)) == "Uniform(min_val=-1.0, max_val=1.0)"
    assert repr(init.KaimingNormal()) == (
        "KaimingNormal(scale=2.0, mode='fan_in', distribution='truncated_normal', "
        "in_axis=-2, out_axis=-1)"
    )
    assert repr(init.Orthogonal()) == "Orthogonal(scale=1.0, axis=-1)"


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: init.Normal(0.0, -1.0), r"Normal\(std=-1.0\): expected std >= 0"),
        (lambda: init.TruncatedNormal(std=-1.0), r"TruncatedNormal\(std=-1.0\)"),
        (lambda: init.TruncatedNormal(lower=1.0, upper=0.0), r"expected lower < upper"),
        (lambda: init.Uniform(1.0, 1.0), r"expected max_val > min_val"),
        (lambda: init.Uniform(2.0, 1.0), r"expected max_val > min_val"),
        (lambda: init.LogNormal(0.0, -0.1), r"LogNormal\(sigma=-0.1\)"),
        (lambda: init.LogNormal(1.0 * u.mV, 1.0), r"expected a dimensionless number"),
        (lambda: init.Gamma(0.0), r"Gamma\(shape=0.0\): expected shape > 0"),
        (lambda: init.Gamma(1.0, -1.0), r"Gamma\(scale=-1.0\)"),
        (lambda: init.Exponential(0.0), r"Exponential\(scale=0.0\)"),
        (lambda: init.VarianceScaling(0.0), r"expected scale > 0"),
        (
            lambda: init.VarianceScaling(mode="fan"),
            r"mode='fan'.*'fan_in', 'fan_out', 'fan_avg'",
        ),
        (
            lambda: init.KaimingNormal(distribution="cauchy"),
            r"KaimingNormal\(distribution='cauchy'\).*'truncated_normal', 'normal', 'uniform'",
        ),
    ],
)
def test_validation_value_errors(build, match):
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: init.Normal(unit="mV"), r"Normal\(unit='mV'\): expected a brainunit Unit"),
        (lambda: init.Constant(1.0, unit=5 * u.mV), r"expected a brainunit Unit"),
        (lambda: init.VarianceScaling(in_axis=1.5), r"in_axis=1.5.*int axis"),
        (lambda: init.Orthogonal(axis="x"), r"axis='x'.*int axis"),
    ],
)
def test_validation_type_errors(build, match):
    with pytest.raises(TypeError, match=match):
        build()


def test_bad_call_shape():
    with pytest.raises(TypeError, match=r"Normal\(...\)\(shape=...\)"):
        init.Normal()("3", key=KEY)
