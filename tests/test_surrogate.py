"""Tests for ``brainsim.surrogate``: spike forward, surrogate gradients, primitives."""

from __future__ import annotations

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brainsim import surrogate
from brainsim._errors import BrainSimError, BrainSimTypeError, BrainSimValueError

S = surrogate

# Every class with its defaults and with non-default parameters.
CASES = [
    S.Sigmoid(),
    S.Sigmoid(alpha=2.5),
    S.PiecewiseQuadratic(),
    S.PiecewiseQuadratic(alpha=3.0),
    S.PiecewiseExp(),
    S.PiecewiseExp(alpha=2.0),
    S.SoftSign(),
    S.SoftSign(alpha=3.0),
    S.Arctan(),
    S.Arctan(alpha=0.5),
    S.NonzeroSignLog(),
    S.NonzeroSignLog(alpha=4.0),
    S.ERF(),
    S.ERF(alpha=2.0),
    S.PiecewiseLeakyRelu(),
    S.PiecewiseLeakyRelu(c=0.1, w=0.5),
    S.SquarewaveFourierSeries(),
    S.SquarewaveFourierSeries(n=4, t_period=5.0),
    S.S2NN(),
    S.S2NN(alpha=2.0, beta=0.5, epsilon=0.0),
    S.QPseudoSpike(),
    S.QPseudoSpike(alpha=1.0),
    S.QPseudoSpike(alpha=0.5),
    S.LeakyRelu(),
    S.LeakyRelu(alpha=0.0, beta=0.5),
    S.LogTailedRelu(),
    S.LogTailedRelu(alpha=0.2),
    S.ReluGrad(),
    S.ReluGrad(alpha=0.5, width=2.0),
    S.GaussianGrad(),
    S.GaussianGrad(sigma=1.0, alpha=1.0),
    S.MultiGaussianGrad(),
    S.MultiGaussianGrad(h=0.3, s=3.0, sigma=0.8, scale=1.0),
    S.InvSquareGrad(),
    S.InvSquareGrad(alpha=10.0),
    S.SlayerGrad(),
    S.SlayerGrad(alpha=3.0),
]
IDS = [repr(c) for c in CASES]
cases = pytest.mark.parametrize("f", CASES, ids=IDS)

CLASSES = [v for v in vars(S).values() if isinstance(v, type) and issubclass(v, S.Surrogate)]
CLASSES.remove(S.Surrogate)

# The grid avoids nothing on purpose: it contains 0, the kinks at +-0.5, +-1, +-2.
X = np.linspace(-3.0, 3.0, 61)


def params(f: S.Surrogate) -> dict:
    """The constructor arguments of ``f``, read back through the public signature."""
    return {name: getattr(f, name) for name in inspect.signature(type(f)).parameters}


# ------------------------------------------------------------ independent numpy references


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _npdf(x, mu, s):
    return np.exp(-((x - mu) ** 2) / (2 * s * s)) / (np.sqrt(2 * np.pi) * s)


def _sfs(x, n, t_period):
    w = 2 * np.pi / t_period
    return 4 / t_period * sum(np.cos((2 * i - 1) * w * x) for i in range(1, n + 1))


REFERENCE = {
    "Sigmoid": lambda x, alpha: alpha * _sig(alpha * x) * (1 - _sig(alpha * x)),
    "PiecewiseQuadratic": lambda x, alpha: np.where(
        np.abs(x) <= 1 / alpha, alpha - alpha**2 * np.abs(x), 0.0
    ),
    "PiecewiseExp": lambda x, alpha: alpha / 2 * np.exp(-alpha * np.abs(x)),
    "SoftSign": lambda x, alpha: alpha / (2 * (1 + np.abs(alpha * x)) ** 2),
    "Arctan": lambda x, alpha: (alpha / 2) / (1 + (np.pi * alpha * x / 2) ** 2),
    "NonzeroSignLog": lambda x, alpha: 1 / (1 / alpha + np.abs(x)),
    "ERF": lambda x, alpha: alpha / np.sqrt(np.pi) * np.exp(-(alpha**2) * x**2),
    "PiecewiseLeakyRelu": lambda x, c, w: np.where(np.abs(x) <= w, 1 / (2 * w), c),
    "SquarewaveFourierSeries": _sfs,
    # the table's beta/(x+1); epsilon (1e-8 or 0 here) is below the comparison tolerance
    "S2NN": lambda x, alpha, beta, epsilon: np.where(
        x < 0, alpha * _sig(alpha * x) * (1 - _sig(alpha * x)), beta / (np.abs(x) + 1)
    ),
    "QPseudoSpike": lambda x, alpha: (1 + 2 * np.abs(x) / (alpha + 1)) ** (-alpha),
    "LeakyRelu": lambda x, alpha, beta: np.where(x < 0, alpha, beta),
    "LogTailedRelu": lambda x, alpha: np.where(
        x <= 0, alpha, np.where(x <= 1, 1.0, 1 / np.maximum(x, 1))
    ),
    "ReluGrad": lambda x, alpha, width: np.maximum(alpha * width - alpha * np.abs(x), 0),
    "GaussianGrad": lambda x, sigma, alpha: alpha * _npdf(x, 0, sigma),
    "MultiGaussianGrad": lambda x, h, s, sigma, scale: (
        scale
        * (
            (1 + h) * _npdf(x, 0, sigma)
            - h * _npdf(x, sigma, s * sigma)
            - h * _npdf(x, -sigma, s * sigma)
        )
    ),
    "InvSquareGrad": lambda x, alpha: 1 / (alpha * np.abs(x) + 1) ** 2,
    "SlayerGrad": lambda x, alpha: np.exp(-alpha * np.abs(x)),
}

TWINS = {
    "Sigmoid": "sigmoid",
    "PiecewiseQuadratic": "piecewise_quadratic",
    "PiecewiseExp": "piecewise_exp",
    "SoftSign": "soft_sign",
    "Arctan": "arctan",
    "NonzeroSignLog": "nonzero_sign_log",
    "ERF": "erf",
    "PiecewiseLeakyRelu": "piecewise_leaky_relu",
    "SquarewaveFourierSeries": "squarewave_fourier_series",
    "S2NN": "s2nn",
    "QPseudoSpike": "q_pseudo_spike",
    "LeakyRelu": "leaky_relu",
    "LogTailedRelu": "log_tailed_relu",
    "ReluGrad": "relu_grad",
    "GaussianGrad": "gaussian_grad",
    "MultiGaussianGrad": "multi_gaussian_grad",
    "InvSquareGrad": "inv_square_grad",
    "SlayerGrad": "slayer_grad",
}


@pytest.fixture
def x64():
    """Enable 64-bit floats for one test and restore the previous setting afterwards."""
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", previous)


def vgrad(fn):
    """Elementwise derivative of an elementwise function."""
    return jax.grad(lambda x: fn(x).sum())


# ------------------------------------------------------------ catalogue completeness


def test_catalogue_is_covered():
    assert {type(c) for c in CASES} == set(CLASSES)
    assert set(REFERENCE) == set(TWINS) == {c.__name__ for c in CLASSES}
    assert len(CLASSES) == 18
    names = set(S.__all__)
    assert names == {"Surrogate", *TWINS, *TWINS.values()}
    assert all(hasattr(S, n) for n in names)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_class_docstring_states_formula(cls):
    doc = cls.__doc__
    assert doc and ".. math::" in doc and "Parameters" in doc
    assert all(name in doc for name in inspect.signature(cls).parameters)


# ------------------------------------------------------------ forward pass


@cases
def test_forward_is_heaviside_float32(f):
    y = f(jnp.array([-1.0, 0.0, 1.0], dtype=jnp.float32))
    assert y.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(y), [0.0, 1.0, 1.0])
    assert f(jnp.float32(-0.0)) == 1.0  # -0.0 >= 0


@cases
def test_forward_float64_and_int_promotion(f, x64):
    y = f(jnp.array([-1.0, 0.0, 1.0], dtype=jnp.float64))
    assert y.dtype == jnp.float64
    np.testing.assert_array_equal(np.asarray(y), [0.0, 1.0, 1.0])
    assert f.surrogate_grad(jnp.array(X, dtype=jnp.float64)).dtype == jnp.float64
    assert f(jnp.array([-1, 0, 2])).dtype == jnp.float64  # default float with x64


@cases
def test_int_and_bool_input_promoted_to_default_float(f):
    y = f(jnp.array([-1, 0, 1]))
    assert y.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(y), [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(np.asarray(f([False, True])), [1.0, 1.0])
    assert f(-1).dtype == jnp.float32 and f(2) == 1.0
    assert f.surrogate_grad(jnp.array([0, 1])).dtype == jnp.float32


@cases
def test_forward_float16_preserved(f):
    assert f(jnp.array([-1.0, 0.0], dtype=jnp.float16)).dtype == jnp.float16


# XLA on CPU flushes subnormals to zero, so a negative subnormal compares as -0.0 (spike 1)
@given(st.floats(allow_nan=False, allow_subnormal=False, width=32))
@settings(max_examples=50, deadline=None)
def test_forward_matches_numpy_heaviside(v):
    x = jnp.float32(v)
    assert float(S.Sigmoid()(x)) == (1.0 if v >= 0 else 0.0)


def test_forward_shapes_kept():
    x = jnp.zeros((2, 3, 4))
    assert S.Arctan()(x).shape == (2, 3, 4)
    assert vgrad(S.Arctan())(x).shape == (2, 3, 4)


# ------------------------------------------------------------ gradients under transforms


@cases
def test_grad_equals_surrogate_grad(f):
    x = jnp.asarray(X, jnp.float32)
    expected = np.asarray(f.surrogate_grad(x))
    assert f.surrogate_grad(x).dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(vgrad(f)(x)), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(jax.jit(vgrad(f))(x)), expected, rtol=1e-6, atol=1e-7)
    per_elem = jax.vmap(jax.grad(f))(x)
    np.testing.assert_allclose(np.asarray(per_elem), expected, rtol=1e-6, atol=1e-7)


@cases
def test_jvp_tangent_is_surrogate_grad_times_tangent(f):
    x = jnp.asarray(X, jnp.float32)
    t = jnp.linspace(-2.0, 2.0, X.size, dtype=jnp.float32)
    y, dy = jax.jvp(f, (x,), (t,))
    np.testing.assert_array_equal(np.asarray(y), (X >= 0).astype(np.float32))
    expected = np.asarray(f.surrogate_grad(x)) * np.asarray(t)
    np.testing.assert_allclose(np.asarray(dy), expected, rtol=1e-6, atol=1e-7)
    assert dy.dtype == jnp.float32


@cases
def test_grad_float64(f, x64):
    x = jnp.asarray(X, jnp.float64)
    g = vgrad(f)(x)
    assert g.dtype == jnp.float64
    ref = REFERENCE[type(f).__name__](X, **params(f))
    np.testing.assert_allclose(np.asarray(g), ref, rtol=1e-7, atol=1e-12)


@cases
def test_surrogate_grad_matches_numpy_reference(f):
    x32 = jnp.asarray(X, jnp.float32)
    ref = REFERENCE[type(f).__name__](np.asarray(x32, np.float64), **params(f))
    np.testing.assert_allclose(np.asarray(f.surrogate_grad(x32)), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "f, x, g",
    [
        (S.Sigmoid(), 0.0, 1.0),
        (S.ReluGrad(), 0.0, 0.3),
        (S.ReluGrad(), 0.5, 0.15),
        (S.ReluGrad(), -0.5, 0.15),
        (S.ReluGrad(), 2.0, 0.0),
        (S.InvSquareGrad(), 0.0, 1.0),
        (S.InvSquareGrad(), 0.01, 0.25),
        (S.PiecewiseQuadratic(), 0.0, 1.0),
        (S.PiecewiseQuadratic(), 1.0, 0.0),
        (S.PiecewiseQuadratic(alpha=2.0), 0.6, 0.0),
        (S.PiecewiseQuadratic(alpha=2.0), -0.25, 1.0),
        (S.PiecewiseExp(), 0.0, 0.5),
        (S.SoftSign(), 0.0, 0.5),
        (S.SoftSign(), 1.0, 0.125),
        (S.Arctan(), 0.0, 0.5),
        (S.NonzeroSignLog(), 0.0, 1.0),
        (S.NonzeroSignLog(), 1.0, 0.5),
        (S.ERF(), 0.0, 1 / np.sqrt(np.pi)),
        (S.PiecewiseLeakyRelu(), 0.5, 0.5),
        (S.PiecewiseLeakyRelu(), 1.5, 0.01),
        (S.SquarewaveFourierSeries(), 0.0, 1.0),
        (S.S2NN(), -1e-3, 1.0),
        (S.S2NN(), 1.0, 0.5),
        (S.QPseudoSpike(), 0.0, 1.0),
        (S.QPseudoSpike(), 1.5, 0.25),
        (S.LeakyRelu(), -1.0, 0.1),
        (S.LeakyRelu(), 0.0, 1.0),
        (S.LogTailedRelu(), 0.0, 0.0),
        (S.LogTailedRelu(), 0.5, 1.0),
        (S.LogTailedRelu(), 4.0, 0.25),
        (S.GaussianGrad(), 0.0, 0.5 / (np.sqrt(2 * np.pi) * 0.5)),
        (S.SlayerGrad(), 0.0, 1.0),
        (S.SlayerGrad(), -1.0, np.exp(-1.0)),
    ],
    ids=lambda v: repr(v) if isinstance(v, S.Surrogate) else None,
)
def test_pinned_values(f, x, g):
    np.testing.assert_allclose(float(jax.grad(f)(jnp.float32(x))), g, rtol=1e-5, atol=1e-6)


def test_piecewise_quadratic_zero_outside_support():
    for alpha in (0.5, 1.0, 4.0):
        f = S.PiecewiseQuadratic(alpha=alpha)
        outside = jnp.array([-3.0, -1.01, 1.01, 3.0]) / alpha
        np.testing.assert_array_equal(np.asarray(vgrad(f)(outside)), 0.0)
        assert float(f.surrogate_grad(jnp.float32(0.5 / alpha))) > 0


def test_multi_gaussian_has_negative_lobes():
    g = np.asarray(S.MultiGaussianGrad().surrogate_grad(jnp.asarray(X)))
    assert g[X.size // 2] > 0 and g.min() < 0


def test_second_order_gradient_is_finite():
    x = jnp.asarray(X, jnp.float32)
    for f in CASES[::2]:
        g2 = jax.vmap(jax.grad(jax.grad(f)))(x)
        assert np.isfinite(np.asarray(g2)).all(), f


def test_equal_instances_share_the_jit_cache():
    traces = []

    @jax.jit
    def step(x):
        traces.append(1)
        return S.sigmoid(x, alpha=2.0) + S.Sigmoid(2.0)(x)

    step(jnp.ones(3))
    step(jnp.zeros(3))
    assert len(traces) == 1

    count = []

    def apply(f, x):
        count.append(1)
        return vgrad(f)(x)

    jitted = jax.jit(apply, static_argnums=0)
    jitted(S.ReluGrad(0.3), jnp.ones(2))
    jitted(S.ReluGrad(alpha=0.3, width=1.0), jnp.ones(2))
    assert len(count) == 1
    jitted(S.ReluGrad(0.4), jnp.ones(2))
    assert len(count) == 2


def test_no_tracer_leaks():
    with jax.checking_leaks():
        f = S.QPseudoSpike(1.0)
        jax.jit(vgrad(f))(jnp.asarray(X))
        jax.jit(jax.vmap(jax.grad(f)))(jnp.ones(2))
        jax.jvp(f, (jnp.ones(2),), (jnp.ones(2),))


# ------------------------------------------------------------ smooth primitive


@cases
def test_surrogate_fun_primitive(f):
    x = jnp.asarray(X, jnp.float32)

    y, g = f.surrogate_fun(x), f.surrogate_grad(x)
    dy = jax.vmap(jax.grad(f.surrogate_fun))(x)
    assert abs(float(f.surrogate_fun(jnp.float32(0.0))) - 0.5) < 1e-7
    assert y.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(dy), np.asarray(g), rtol=1e-4, atol=1e-4)
    # central finite differences in float64 agree too (shifted off the kinks)
    with jax.enable_x64(True):
        xs, h = jnp.asarray(X + 0.0123, jnp.float64), 1e-6
        fd = (f.surrogate_fun(xs + h) - f.surrogate_fun(xs - h)) / (2 * h)
        g64 = f.surrogate_grad(xs)
        np.testing.assert_allclose(np.asarray(fd), np.asarray(g64), atol=1e-4)
    # monotone wherever the surrogate gradient is non-negative (everywhere but the two
    # classes with negative lobes, checked separately)
    y, g = np.asarray(y, np.float64), np.asarray(g)
    rising = (g[:-1] >= 0) & (g[1:] >= 0)
    assert np.all(np.diff(y)[rising] >= -1e-6)
    if not isinstance(f, (S.SquarewaveFourierSeries, S.MultiGaussianGrad)):
        assert rising.all()


def test_squarewave_fun_monotone_near_zero():
    f = S.SquarewaveFourierSeries()
    y = np.asarray(f.surrogate_fun(jnp.linspace(-1.0, 1.0, 41)))
    assert np.all(np.diff(y) > 0)


def test_surrogate_fun_not_implemented_message():
    class Box(S.Surrogate):
        def __init__(self, width: float = 1.0):
            self.width = width

        def surrogate_grad(self, x):
            return jnp.where(jnp.abs(x) <= self.width, 0.5 / self.width, 0.0)

    box = Box(2.0)
    assert repr(box) == "Box(width=2.0)" and box == Box(2.0) and box != Box(1.0)
    np.testing.assert_allclose(np.asarray(vgrad(box)(jnp.array([0.0, 3.0]))), [0.25, 0.0])
    with pytest.raises(NotImplementedError, match="Box has no closed-form surrogate_fun"):
        box.surrogate_fun(jnp.zeros(2))

    class Bare(S.Surrogate):
        pass

    with pytest.raises(NotImplementedError, match="Bare must implement surrogate_grad"):
        jax.grad(Bare())(1.0)
    assert repr(Bare()) == "Bare()"


# ------------------------------------------------------------ equality, hashing, repr, twins


@cases
def test_equality_hash_and_repr(f):
    twin = type(f)(**params(f))
    assert f == twin and hash(f) == hash(twin) and f is not twin
    assert repr(f) == f"{type(f).__name__}({', '.join(f'{k}={v!r}' for k, v in params(f).items())})"
    assert eval(repr(f), vars(S)) == f
    assert f != object() and f != None  # noqa: E711
    others = [c for c in CASES if c is not f]
    assert all(f != o for o in others)
    assert len({*CASES}) == len(CASES)


def test_repr_examples():
    assert repr(S.Sigmoid(alpha=4)) == "Sigmoid(alpha=4.0)"
    assert repr(S.SquarewaveFourierSeries()) == "SquarewaveFourierSeries(n=2, t_period=8.0)"
    assert repr(S.ReluGrad()) == "ReluGrad(alpha=0.3, width=1.0)"
    assert S.Sigmoid(4) == S.Sigmoid(4.0) and S.Sigmoid() != S.ERF(4.0)
    assert S.LeakyRelu(0.1, 1.0) != S.LeakyRelu(1.0, 0.1)


@cases
def test_functional_twin(f):
    twin = getattr(S, TWINS[type(f).__name__])
    kwargs = params(f)
    x = jnp.asarray(X, jnp.float32)
    np.testing.assert_array_equal(np.asarray(twin(x, **kwargs)), np.asarray(f(x)))
    np.testing.assert_array_equal(
        np.asarray(vgrad(lambda v: twin(v, **kwargs))(x)), np.asarray(vgrad(f)(x))
    )
    # defaults of the twin are the class defaults
    sig = inspect.signature(twin)
    assert list(sig.parameters)[0] == "x"
    for name, p in inspect.signature(type(f)).parameters.items():
        assert sig.parameters[name].default == p.default
    assert twin.__name__ == TWINS[type(f).__name__] and type(f).__name__ in twin.__doc__


# ------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "make, match",
    [
        (
            lambda: S.Sigmoid(alpha=-1.0),
            r"Sigmoid\(alpha=\.\.\.\): expected a positive .* got -1\.0",
        ),
        (lambda: S.Sigmoid(alpha=0.0), r"Sigmoid\(alpha=\.\.\.\): expected a positive"),
        (lambda: S.ERF(alpha=float("nan")), r"ERF\(alpha=\.\.\.\): .*finite.*got nan"),
        (lambda: S.Arctan(alpha=float("inf")), r"Arctan\(alpha=\.\.\.\).*got inf"),
        (lambda: S.PiecewiseQuadratic(alpha=0), r"PiecewiseQuadratic\(alpha=\.\.\.\)"),
        (lambda: S.NonzeroSignLog(alpha=-2), r"NonzeroSignLog\(alpha=\.\.\.\)"),
        (lambda: S.PiecewiseLeakyRelu(w=0.0), r"PiecewiseLeakyRelu\(w=\.\.\.\)"),
        (lambda: S.PiecewiseLeakyRelu(c=-0.1), r"PiecewiseLeakyRelu\(c=\.\.\.\): .*non-negative"),
        (lambda: S.SquarewaveFourierSeries(n=0), r"SquarewaveFourierSeries\(n=\.\.\.\): .*int.*0"),
        (lambda: S.SquarewaveFourierSeries(t_period=-8.0), r"t_period=\.\.\..*-8\.0"),
        (lambda: S.S2NN(epsilon=-1e-3), r"S2NN\(epsilon=\.\.\.\): .*non-negative"),
        (lambda: S.S2NN(beta=0.0), r"S2NN\(beta=\.\.\.\)"),
        (lambda: S.QPseudoSpike(alpha=0.0), r"QPseudoSpike\(alpha=\.\.\.\)"),
        (lambda: S.LeakyRelu(alpha=-0.1), r"LeakyRelu\(alpha=\.\.\.\): .*non-negative"),
        (lambda: S.LogTailedRelu(alpha=-1.0), r"LogTailedRelu\(alpha=\.\.\.\)"),
        (lambda: S.ReluGrad(width=0.0), r"ReluGrad\(width=\.\.\.\)"),
        (lambda: S.GaussianGrad(sigma=-0.5), r"GaussianGrad\(sigma=\.\.\.\)"),
        (lambda: S.MultiGaussianGrad(s=0.0), r"MultiGaussianGrad\(s=\.\.\.\)"),
        (lambda: S.MultiGaussianGrad(h=-0.1), r"MultiGaussianGrad\(h=\.\.\.\)"),
        (lambda: S.InvSquareGrad(alpha=-100.0), r"InvSquareGrad\(alpha=\.\.\.\)"),
        (lambda: S.SlayerGrad(alpha=0.0), r"SlayerGrad\(alpha=\.\.\.\)"),
        (lambda: S.sigmoid(jnp.ones(2), alpha=-4.0), r"Sigmoid\(alpha=\.\.\.\)"),
    ],
)
def test_invalid_values(make, match):
    with pytest.raises(BrainSimValueError, match=match) as info:
        make()
    assert isinstance(info.value, ValueError) and isinstance(info.value, BrainSimError)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: S.Sigmoid(alpha="4"), r"Sigmoid\(alpha=\.\.\.\): expected .* got str '4'"),
        (lambda: S.Sigmoid(alpha=True), r"Sigmoid\(alpha=\.\.\.\).*got bool True"),
        (lambda: S.ERF(alpha=jnp.ones(2)), r"ERF\(alpha=\.\.\.\)"),
        (lambda: S.SquarewaveFourierSeries(n=2.5), r"SquarewaveFourierSeries\(n=\.\.\.\).*int"),
        (lambda: S.SquarewaveFourierSeries(n=True), r"n=\.\.\.\).*got bool"),
        (lambda: S.Sigmoid()(jnp.ones(2, jnp.complex64)), r"Sigmoid: expected a real array"),
    ],
)
def test_invalid_types(make, match):
    with pytest.raises(BrainSimTypeError, match=match) as info:
        make()
    assert isinstance(info.value, TypeError)


def test_quantity_input_rejected_with_hint():
    u = pytest.importorskip("brainunit")
    v = jnp.array([1.0, -1.0]) * u.mV
    with pytest.raises(BrainSimTypeError, match=r"Quantity with unit mV.*to_decimal"):
        S.Sigmoid()(v)
    # a dimensionless ratio is a plain array and works
    np.testing.assert_array_equal(np.asarray(S.Sigmoid()(v / u.mV)), [1.0, 0.0])


def test_numpy_and_jax_scalar_parameters_accepted():
    assert S.Sigmoid(np.float32(2.0)) == S.Sigmoid(2.0)
    assert S.Sigmoid(jnp.asarray(2.0)) == S.Sigmoid(2)
    assert S.SquarewaveFourierSeries(n=np.int64(3)).n == 3
    assert isinstance(S.Sigmoid(np.float32(2.0)).alpha, float)
