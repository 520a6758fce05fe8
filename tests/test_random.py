"""Tests for brainsim.random: the key State, seeding, samplers, units and validation."""

import inspect
import threading

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import brainsim
from brainsim import environ
from brainsim import random as br


@pytest.fixture(autouse=True)
def restore_default_key():
    """Put back the DEFAULT key and NumPy's global RNG state after every test."""
    key, np_state = br.get_key(), np.random.get_state()
    yield
    br.set_key(key)
    np.random.set_state(np_state)


def _same(a, b):
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


# ------------------------------------------------------------------ keys and seeding
def test_random_state_is_a_state_holding_a_raw_key():
    rs = br.RandomState(3)
    assert isinstance(rs, brainsim.State)
    assert rs.value.shape == (2,) and rs.value.dtype == np.uint32
    assert _same(rs.value, jax.random.PRNGKey(3))
    assert _same(br.RandomState(jax.random.key(3)).value, jax.random.PRNGKey(3))
    assert _same(br.RandomState(jax.random.PRNGKey(5)).value, jax.random.PRNGKey(5))
    assert not _same(br.RandomState().value, br.RandomState().value)  # OS entropy


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_int_seed_matches_jax_prngkey(n):
    assert _same(br.RandomState(n).value, jax.random.PRNGKey(n))


@pytest.mark.parametrize("bad", [-1, 2**32])
def test_seed_out_of_range(bad):
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 2\*\*32\)"):
        br.seed(bad)


@pytest.mark.parametrize("bad", ["a", 1.5, jnp.zeros(3, jnp.uint32), jnp.zeros(2)])
def test_bad_seed_or_key_type(bad):
    with pytest.raises(TypeError, match=r"expected an int seed or a JAX PRNG key"):
        br.RandomState(bad)


def test_seed_replays_jax_and_numpy():
    br.seed(42)
    a, na = br.normal(size=5), np.random.rand(3)
    br.seed(42)
    b, nb = br.normal(size=5), np.random.rand(3)
    assert _same(a, b) and _same(na, nb)


def test_two_draws_differ_and_state_advances():
    br.seed(0)
    k0 = br.get_key()
    a, b = br.rand(4), br.rand(4)
    assert not _same(a, b)
    assert not _same(br.get_key(), k0)


def test_seed_context_restores_jax_and_numpy_state():
    br.seed(1)
    key_before, np_before = br.get_key(), np.random.get_state()[1].copy()
    with br.seed_context(7):
        a = br.uniform(size=3)
        np.random.rand(2)
    assert _same(br.get_key(), key_before)
    assert _same(np.random.get_state()[1], np_before)
    with br.seed_context(7):
        b = br.uniform(size=3)
    assert _same(a, b)


def test_seed_context_restores_on_exception():
    key_before = br.get_key()
    with pytest.raises(RuntimeError):
        with br.seed_context(3):
            br.rand(2)
            raise RuntimeError
    assert _same(br.get_key(), key_before)


def test_explicit_key_does_not_advance_the_state():
    rs = br.RandomState(0)
    before = rs.value
    x = rs.normal(size=3, key=jax.random.PRNGKey(9))
    y = rs.normal(size=3, key=9)  # an int seed is accepted too
    assert _same(rs.value, before)
    assert _same(x, y)
    assert _same(x, jax.random.normal(jax.random.PRNGKey(9), (3,)))
    with pytest.raises(TypeError, match=r"`key=` argument"):
        rs.normal(size=3, key="nine")


def test_draw_uses_subkey_and_keeps_the_other_half():
    rs = br.RandomState(0)
    k0 = rs.value
    x = rs.uniform(size=2)
    keep, sub = jax.random.split(k0)
    assert _same(rs.value, keep)
    assert _same(x, jax.random.uniform(sub, (2,)))


def test_split_key_and_split_keys():
    rs = br.RandomState(0)
    k = rs.split_key()
    assert k.shape == (2,)
    ks = rs.split_key(3)
    assert ks.shape == (3, 2)
    assert rs.split_keys(1).shape == (1, 2)
    assert br.split_key().shape == (2,) and br.split_keys(4).shape == (4, 2)
    with pytest.raises(ValueError, match=r"`n` must be a positive int, got 0"):
        rs.split_key(0)
    with pytest.raises(ValueError, match=r"`n` must be a positive int, got 1.5"):
        br.split_keys(1.5)
    with pytest.raises(brainsim.BrainSimError, match=r"positive int, got None"):
        br.split_keys(None)


def test_set_get_key_and_default_rng():
    br.set_key(jax.random.PRNGKey(11))
    assert _same(br.get_key(), jax.random.PRNGKey(11))
    assert _same(br.get_key_data(), jax.random.PRNGKey(11))
    assert isinstance(br.get_key(), jax.Array)
    assert br.default_rng() is br.DEFAULT
    rng = br.default_rng(5)
    assert rng is not br.DEFAULT and _same(rng.value, jax.random.PRNGKey(5))
    with pytest.raises(TypeError, match=r"set_key: expected an int seed or a JAX PRNG key"):
        br.set_key(jnp.zeros((3,), jnp.uint32))


def test_clone_is_independent_and_advances_parent():
    rs = br.RandomState(0)
    before = rs.value
    child = rs.clone()
    assert type(child) is br.RandomState
    assert not _same(rs.value, before)
    assert not _same(child.uniform(size=4), rs.uniform(size=4))


def test_backup_and_restore_key():
    rs = br.RandomState(0)
    with pytest.raises(ValueError, match=r"no backed-up key"):
        rs.restore_key()
    rs.backup_key()
    with pytest.raises(ValueError, match=r"already backed up"):
        rs.backup_key()
    ref = rs.randn(3)
    rs.restore_key()
    assert _same(rs.randn(3), ref)
    before = rs.value
    rs.split_key(backup=True)
    assert not _same(rs.value, before)
    rs.restore_key()
    assert _same(rs.value, before)
    key = br.get_key()
    br.backup_key()
    br.rand(2)
    br.restore_key()
    assert _same(br.get_key(), key)


def test_backup_keeps_metadata_hashable():
    rs = br.RandomState(0)
    rs.backup_key()
    ref = rs.to_state_ref()
    leaves, treedef = jax.tree.flatten(ref)
    assert len(leaves) == 1
    assert jax.tree.structure(rs.to_state_ref()) == treedef  # metadata compares as aux data
    rs.restore_key()


def test_threads_never_share_a_key():
    rs = br.RandomState(0)
    keys = []

    def worker():
        keys.extend(tuple(np.asarray(rs.split_key()).tolist()) for _ in range(25))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(keys) == 100 and len(set(keys)) == 100


# ------------------------------------------------------------------ tracing
def test_state_trace_stack_records_the_key_as_written():
    rs = br.RandomState(0)
    with brainsim.StateTraceStack() as tr:
        rs.normal(size=3)
    assert tr.states == [rs] and tr.written == [True]
    with brainsim.StateTraceStack() as tr:
        rs.normal(size=3, key=1)
    assert tr.states == []


def test_functional_jit_pattern():
    rs = br.RandomState(0)

    def pure(key):
        old = rs.value
        with brainsim.StateTraceStack() as tr:
            rs.restore_value(key)
            x = rs.normal(size=3)
            new_key = rs.value
        rs.restore_value(old)
        assert tr.written == [True]
        return x, new_key

    jitted = jax.jit(pure)
    x1, k1 = jitted(rs.value)
    x2, k2 = jitted(k1)
    assert not _same(x1, x2)
    eager = br.RandomState(0)
    assert np.allclose(x1, eager.normal(size=3)) and np.allclose(x2, eager.normal(size=3))
    assert _same(k2, eager.value)


def test_raw_jax_jit_with_a_state_fails_loudly():
    rs = br.RandomState(0)
    with pytest.raises(brainsim.TraceContextError, match=r"raw jax\.jit"):
        jax.jit(lambda: rs.normal(size=2))()


def test_samplers_work_under_jit_with_key():
    # traced parameters are not inspected, the draw still works
    f = jax.jit(lambda k, p: br.bernoulli(p, size=4, key=k))
    assert f(jax.random.PRNGKey(0), 0.5).shape == (4,)
    g = jax.jit(lambda k, loc: br.normal(loc, 2.0, key=k))
    assert g(jax.random.PRNGKey(0), jnp.ones(3)).shape == (3,)


# ------------------------------------------------------------------ shapes and dtypes
F, I, B = "f", "i", "b"


def _sums_to(axis_sum):
    return lambda x: np.allclose(np.asarray(x).sum(-1), axis_sum, atol=1e-5)


# name, args, kwargs, dtype kind, shape, optional property checked on an eager draw
SHAPE_CASES = [
    ("rand", (2, 3), {}, F, (2, 3), lambda x: (x >= 0).all() & (x < 1).all()),
    ("randn", (4,), {}, F, (4,), None),
    ("random", (), {"size": 3}, F, (3,), None),
    ("random_sample", (), {"size": (2, 2)}, F, (2, 2), None),
    ("ranf", (), {}, F, (), None),
    ("sample", (), {"size": 1}, F, (1,), None),
    ("uniform", (np.zeros(3), 2.0), {}, F, (3,), None),
    ("randint", (5,), {"size": (2, 3)}, I, (2, 3), lambda x: (x >= 0).all() & (x < 5).all()),
    ("randint", (np.arange(3), 10), {}, I, (3,), lambda x: (x >= np.arange(3)).all()),
    (
        "random_integers",
        (1, 6),
        {"size": 200},
        I,
        (200,),
        lambda x: set(x.tolist()) == set(range(1, 7)),
    ),
    ("choice", (5,), {"size": 3, "replace": False}, I, (3,), lambda x: len(set(x.tolist())) == 3),
    ("choice", (np.arange(4.0),), {"size": (2, 2), "p": [0.1, 0.2, 0.3, 0.4]}, F, (2, 2), None),
    ("permutation", (6,), {}, I, (6,), lambda x: sorted(x.tolist()) == list(range(6))),
    ("shuffle", (np.ones((3, 2)),), {"axis": 1}, F, (3, 2), None),
    ("normal", (np.zeros((2, 1)), np.ones(3)), {}, F, (2, 3), None),
    ("normal", (0.0, 1.0), {}, F, (), None),
    ("standard_normal", (), {"size": 2}, F, (2,), None),
    ("truncated_normal", (-1.0, 1.0), {"size": 50}, F, (50,), lambda x: (abs(x) <= 1).all()),
    ("lognormal", (0.0, np.ones(3)), {}, F, (3,), lambda x: (x > 0).all()),
    ("laplace", (np.zeros(2),), {}, F, (2,), None),
    ("logistic", (), {"size": 2}, F, (2,), None),
    ("gumbel", (), {"size": 2}, F, (2,), None),
    ("standard_cauchy", (), {"size": 2}, F, (2,), None),
    ("exponential", (np.ones(4),), {}, F, (4,), None),
    ("standard_exponential", (), {"size": 3}, F, (3,), lambda x: (x >= 0).all()),
    ("rayleigh", (), {"size": 3}, F, (3,), lambda x: (x >= 0).all()),
    ("gamma", (np.full(2, 2.0),), {}, F, (2,), None),
    ("standard_gamma", (2.0,), {"size": 3}, F, (3,), None),
    ("weibull", (1.5,), {"size": 3}, F, (3,), lambda x: (x >= 0).all()),
    ("weibull_min", (1.5,), {"size": 3}, F, (3,), lambda x: (x >= 0).all()),
    ("beta", (2.0, np.ones(3)), {}, F, (3,), None),
    ("pareto", (3.0,), {"size": 3}, F, (3,), None),
    ("power", (3.0,), {"size": 3}, F, (3,), lambda x: (x >= 0).all() & (x <= 1).all()),
    ("standard_t", (3.0,), {"size": 3}, F, (3,), None),
    ("t", (np.full(2, 3.0),), {}, F, (2,), None),
    ("chisquare", (3.0,), {"size": 3}, F, (3,), None),
    ("f", (3.0, 4.0), {"size": 3}, F, (3,), None),
    ("noncentral_chisquare", (3.0, 1.0), {"size": 3}, F, (3,), None),
    ("noncentral_f", (3.0, 4.0, 1.0), {"size": 3}, F, (3,), None),
    ("loggamma", (0.5,), {"size": 3}, F, (3,), None),
    ("maxwell", (), {"size": 3}, F, (3,), lambda x: (x >= 0).all()),
    ("vonmises", (0.0, 1.0), {"size": 3}, F, (3,), None),
    ("triangular", (0.0, 0.5, 1.0), {"size": 3}, F, (3,), None),
    ("wald", (1.0, 2.0), {"size": 3}, F, (3,), None),
    ("multivariate_normal", (np.zeros(2), np.eye(2)), {"size": 4}, F, (4, 2), None),
    (
        "orthogonal",
        (3,),
        {"size": 2},
        F,
        (2, 3, 3),
        lambda q: np.allclose(q @ q.swapaxes(1, 2), np.eye(3), atol=1e-5),
    ),
    ("dirichlet", (np.ones(3),), {"size": 4}, F, (4, 3), _sums_to(1.0)),
    ("bernoulli", (0.3,), {"size": 3}, B, (3,), None),
    ("bernoulli", (np.full((2, 2), 0.5),), {}, B, (2, 2), None),
    ("binomial", (10, 0.5), {"size": 3}, I, (3,), None),
    ("poisson", (np.ones(3),), {}, I, (3,), None),
    ("poisson", (2.0,), {}, I, (), None),
    ("geometric", (0.5,), {"size": 3}, I, (3,), None),
    ("negative_binomial", (3, 0.5), {"size": 3}, I, (3,), None),
    ("hypergeometric", (5, 5, 3), {"size": 3}, I, (3,), None),
    ("logseries", (0.9,), {"size": 200}, I, (200,), lambda x: (x >= 1).all()),
    ("zipf", (1.5,), {"size": 200}, I, (200,), lambda x: (x >= 1).all()),
    (
        "multinomial",
        (np.array([5, 10]), [0.2, 0.3, 0.5]),
        {},
        I,
        (2, 3),
        _sums_to(np.array([5, 10])),
    ),
    ("multinomial", (10, [0.2, 0.3, 0.5]), {"size": 2}, I, (2, 3), None),
    ("categorical", (np.zeros((4, 3)),), {}, I, (4,), lambda x: (x >= 0).all() & (x < 3).all()),
    ("rand_like", (np.zeros((2, 3)),), {}, F, (2, 3), None),
    ("randn_like", (np.zeros(3, np.float32),), {}, F, (3,), None),
    ("randint_like", (np.zeros(3, np.int32), 5), {}, I, (3,), None),
]


@pytest.mark.parametrize(
    "name, args, kwargs, kind, shape, prop",
    SHAPE_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(SHAPE_CASES)],
)
def test_shapes_and_default_dtypes(name, args, kwargs, kind, shape, prop):
    fn = getattr(br, name)
    expected = {F: environ.dftype(), I: environ.ditype(), B: np.bool_}[kind]
    # abstract evaluation: checks shape and dtype of every sampler without compiling it
    out = jax.eval_shape(lambda k: fn(*args, key=k, **kwargs), jax.random.PRNGKey(0))
    assert out.shape == shape and out.dtype == expected
    if prop is not None:
        x = fn(*args, **kwargs)
        assert x.shape == shape and x.dtype == expected
        assert prop(np.asarray(x))


def test_dtype_override_and_precision_64():
    assert br.normal(size=2, dtype=jnp.float16).dtype == jnp.float16
    assert br.randint(5, size=2, dtype=jnp.int16).dtype == jnp.int16
    with environ.context(precision=64):
        assert br.normal(size=2).dtype == jnp.float64
        assert br.randint(3, size=2).dtype == jnp.int64
    assert br.normal(size=2).dtype == jnp.float32
    with pytest.raises(TypeError, match=r"random\.normal: `dtype` must be a float dtype"):
        br.normal(size=2, dtype=jnp.int32)
    with pytest.raises(TypeError, match=r"random\.poisson: `dtype` must be an integer dtype"):
        br.poisson(size=2, dtype=jnp.float32)


def test_like_functions_follow_the_input_dtype():
    assert br.rand_like(jnp.zeros(2, jnp.float16)).dtype == jnp.float16
    assert br.randn_like(jnp.zeros(2, jnp.int32)).dtype == jnp.float32
    assert br.randint_like(jnp.zeros(2, jnp.int16), 4).dtype == jnp.int16
    assert br.randn_like(jnp.zeros(3) * u.mV).shape == (3,)
    x = br.randint_like(jnp.zeros(1000, jnp.int32), 2, 5)
    assert int(x.min()) >= 2 and int(x.max()) < 5


@pytest.mark.parametrize("size", [-1, 1.5, "3", (2, -1), True])
def test_bad_size(size):
    with pytest.raises(brainsim.BrainSimError, match=r"`size` must"):
        br.random(size)


def test_parameters_must_broadcast_to_size():
    with pytest.raises(ValueError, match=r"parameter shapes \[\(\), \(3,\)\] do not broadcast"):
        br.normal(0.0, np.ones(3), size=(2,))
    with pytest.raises(ValueError, match=r"do not broadcast together"):
        br.uniform(np.zeros(2), np.ones(3))


# ------------------------------------------------------------------ units
def test_uniform_and_normal_units():
    v = br.uniform(1 * u.mV, 2 * u.mV, (1000,))
    assert isinstance(v, u.Quantity) and v.unit == u.mV and v.shape == (1000,)
    assert bool(((v >= 1 * u.mV) & (v < 2 * u.mV)).all())
    n = br.normal(0 * u.mV, 1 * u.mV, (3,))
    assert n.unit == u.mV
    # the scale is converted to the unit of the location
    w = br.normal(-65 * u.mV, 0.001 * u.volt, size=20000)
    assert w.unit == u.mV
    assert abs(float(w.mantissa.std()) - 1.0) < 0.05
    assert abs(float(w.mantissa.mean()) + 65) < 0.05
    # scale only, location defaults to 0 in that unit; a plain 0 is fine next to units
    assert br.normal(scale=2 * u.ms, size=2).unit == u.ms
    assert br.uniform(0.0, 5 * u.ms, 2).unit == u.ms
    # dimensionless Quantities are plain numbers
    assert not isinstance(br.normal((1 * u.ms) / (1 * u.ms), 1.0, size=2), u.Quantity)


@pytest.mark.parametrize(
    "call, unit",
    [
        (lambda: br.truncated_normal(-1 * u.mV, 1 * u.mV, 5), u.mV),
        (
            lambda: br.truncated_normal(-70 * u.mV, -50 * u.mV, 5, loc=-60 * u.mV, scale=5 * u.mV),
            u.mV,
        ),
        (lambda: br.laplace(1 * u.nA, 1 * u.nA, 3), u.nA),
        (lambda: br.logistic(1 * u.nA, size=3), u.nA),
        (lambda: br.gumbel(scale=1 * u.mS, size=3), u.mS),
        (lambda: br.triangular(0 * u.mV, 1 * u.mV, 3 * u.mV, 3), u.mV),
        (lambda: br.exponential(10 * u.ms, 3), u.ms),
        (lambda: br.rayleigh(2 * u.ms, 3), u.ms),
        (lambda: br.weibull_min(2.0, 1 * u.ms, 3), u.ms),
        (lambda: br.wald(1 * u.ms, 2 * u.ms, 3), u.ms),
        (lambda: br.multivariate_normal(jnp.zeros(2) * u.mV, jnp.eye(2) * u.mV**2, 3), u.mV),
        (lambda: br.choice(jnp.arange(4.0) * u.mV, 2), u.mV),
        (lambda: br.permutation(jnp.arange(4.0) * u.ms), u.ms),
    ],
)
def test_units_are_kept(call, unit):
    x = call()
    assert isinstance(x, u.Quantity) and x.unit == unit


def test_truncated_normal_respects_bounds_in_units():
    x = br.truncated_normal(-70 * u.mV, -60 * u.mV, 2000, loc=-65 * u.mV, scale=10 * u.mV)
    m = x.to_decimal(u.mV)
    assert float(m.min()) >= -70 and float(m.max()) <= -60


def test_unit_errors():
    with pytest.raises(ValueError, match=r"`scale` is in ms but `loc` is in mV"):
        br.normal(0 * u.mV, 1 * u.ms, 3)
    with pytest.raises(TypeError, match=r"`low` is in mV but `high` is a plain number.*high=2"):
        br.uniform(1 * u.mV, 2, 3)
    with pytest.raises(TypeError, match=r"`shape` must be a plain number, got a Quantity in mV"):
        br.gamma(2 * u.mV, size=3)
    with pytest.raises(TypeError, match=r"`p` must be a plain number"):
        br.bernoulli(0.5 * u.mV)
    with pytest.raises(ValueError, match=r"`cov` must be in mV\^2"):
        br.multivariate_normal(jnp.zeros(2) * u.mV, jnp.eye(2))


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "call, exc, pattern",
    [
        (lambda: br.bernoulli(1.5), ValueError, r"random\.bernoulli: `p` must be a probability"),
        (lambda: br.binomial(5, -0.1), ValueError, r"random\.binomial: `p` must be a probability"),
        (lambda: br.binomial(-1, 0.5), ValueError, r"`n` must be non-negative"),
        (lambda: br.poisson(-1.0), ValueError, r"random\.poisson: `lam` must be non-negative"),
        (lambda: br.geometric(0.0), ValueError, r"`p` must be in \(0, 1\]"),
        (lambda: br.randint(3, 3), ValueError, r"random\.randint: `high` must be > `low`"),
        (lambda: br.uniform(2.0, 1.0), ValueError, r"`high` must be >= `low`"),
        (lambda: br.normal(0.0, -1.0), ValueError, r"`scale` must be non-negative"),
        (lambda: br.truncated_normal(1.0, -1.0), ValueError, r"`upper` must be > `lower`"),
        (lambda: br.gamma(0.0), ValueError, r"random\.gamma: `shape` must be positive"),
        (lambda: br.beta(1.0, -2.0), ValueError, r"random\.beta: `b` must be positive"),
        (lambda: br.zipf(1.0), ValueError, r"random\.zipf: `a` must be > 1"),
        (lambda: br.logseries(1.0), ValueError, r"`p` must be in \(0, 1\)"),
        (lambda: br.triangular(0.0, 2.0, 1.0), ValueError, r"`right` must be >= `mode`"),
        (lambda: br.hypergeometric(2, 2, 5), ValueError, r"`nsample` must be <= ngood \+ nbad"),
        (lambda: br.choice(3, 5, replace=False), ValueError, r"cannot take 5 samples from 3"),
        (lambda: br.choice(3, p=[0.5, 0.5]), ValueError, r"`p` must have shape \(3,\)"),
        (lambda: br.choice(3, p=[0.5, 0.6, 0.1]), ValueError, r"summing to 1"),
        (lambda: br.choice(0), ValueError, r"`a` must be a positive int"),
        (lambda: br.multinomial(5, [0.5, 0.6]), ValueError, r"summing to 1"),
        (
            lambda: br.multivariate_normal(np.zeros(2), np.eye(3)),
            ValueError,
            r"shape \(\.\.\., d, d\)",
        ),
        (
            lambda: br.multivariate_normal(np.zeros(2), np.eye(2), method="qr"),
            ValueError,
            r"`method`",
        ),
        (lambda: br.orthogonal(0), ValueError, r"`n` must be a positive int"),
        (lambda: br.dirichlet(3.0), ValueError, r"`alpha` needs a last axis of categories"),
        (lambda: br.permutation(np.ones(3), axis=2), ValueError, r"`axis`=2 is out of range"),
        (lambda: br.normal("a"), TypeError, r"`loc` must be numeric"),
    ],
)
def test_argument_validation(call, exc, pattern):
    key = br.get_key()
    with pytest.raises(exc, match=pattern):
        call()
    assert _same(br.get_key(), key)  # a rejected call does not advance the state


def test_errors_are_brainsim_errors():
    with pytest.raises(brainsim.BrainSimError):
        br.bernoulli(2.0)
    with pytest.raises(brainsim.BrainSimError):
        br.RandomState("x")


# ------------------------------------------------------------------ statistics
N = 20000
STAT_CASES = [
    # name, args, kind, mean, std (None: only the mean is checked)
    ("uniform", (2.0, 4.0), F, 3.0, 2 / np.sqrt(12)),
    ("normal", (1.0, 2.0), F, 1.0, 2.0),
    ("exponential", (0.5,), F, 0.5, 0.5),
    ("gamma", (3.0, 2.0), F, 6.0, np.sqrt(12)),
    ("beta", (2.0, 5.0), F, 2 / 7, np.sqrt(10 / (49 * 8))),
    ("binomial", (20, 0.3), I, 6.0, np.sqrt(4.2)),
    ("poisson", (4.0,), I, 4.0, 2.0),
    ("bernoulli", (0.3,), B, 0.3, np.sqrt(0.21)),
    ("geometric", (0.25,), I, 4.0, np.sqrt(12)),
    ("negative_binomial", (3, 0.4), I, 4.5, np.sqrt(11.25)),
    ("hypergeometric", (7, 13, 9), I, 3.15, np.sqrt(9 * 0.35 * 0.65 * 11 / 19)),
    ("wald", (2.0, 5.0), F, 2.0, np.sqrt(8 / 5)),
    ("laplace", (1.0, 0.5), F, 1.0, 0.5 * np.sqrt(2)),
    ("pareto", (5.0,), F, 0.25, np.sqrt(5 / (16 * 3))),
    ("triangular", (0.0, 1.0, 4.0), F, 5 / 3, np.sqrt(13 / 18)),
    ("vonmises", (0.5, 4.0), F, 0.5, None),
]


@pytest.mark.parametrize("name, args, kind, mean, std", STAT_CASES, ids=[c[0] for c in STAT_CASES])
def test_sample_moments(name, args, kind, mean, std):
    x = getattr(br, name)(*args, size=N, key=123)
    assert x.shape == (N,)
    assert x.dtype == {F: environ.dftype(), I: environ.ditype(), B: np.bool_}[kind]
    x = np.asarray(x, dtype=np.float64)
    sd = std if std is not None else x.std()
    assert abs(x.mean() - mean) < 5 * sd / np.sqrt(N)
    if std is not None:
        assert abs(x.std() - std) < 0.05 * std


def test_choice_without_replacement_and_with_p():
    x = np.asarray(br.choice(10, 10, replace=False))
    assert sorted(x.tolist()) == list(range(10))
    assert set(np.asarray(br.choice(3, 50, p=[0.0, 0.0, 1.0])).tolist()) == {2}


def test_permutation_keeps_the_elements():
    x = jnp.arange(10)
    assert sorted(np.asarray(br.permutation(x)).tolist()) == list(range(10))
    y = br.permutation(jnp.arange(12).reshape(3, 4), axis=1, independent=True)
    assert (np.sort(np.asarray(y), axis=1) == np.arange(12).reshape(3, 4)).all()


# ------------------------------------------------------------------ module API
def test_module_level_functions_mirror_the_methods():
    for name in br.__all__:
        assert hasattr(br, name), name
    key_functions = {"RandomState", "DEFAULT", "seed", "seed_context", "default_rng"}
    key_functions |= {"set_key", "get_key", "get_key_data", "split_key", "split_keys"}
    key_functions |= {"backup_key", "restore_key"}
    samplers = [n for n in br.__all__ if n not in key_functions]
    assert len(samplers) == 57
    for name in samplers:
        fn, method = getattr(br, name), getattr(br.RandomState, name)
        assert fn.__doc__ and fn.__doc__ == method.__doc__, name
        params = list(inspect.signature(fn).parameters)
        assert params == list(inspect.signature(method).parameters)[1:], name
        assert "self" not in params


def test_every_public_function_has_a_docstring():
    for name in br.__all__:
        obj = getattr(br, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
