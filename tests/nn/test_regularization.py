"""Regularizers: loss values against NumPy, jit/grad, reset/sample, fit_hyper, units, errors."""

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim._errors import BrainSimTypeError, BrainSimValueError
from brainsim.nn import (
    BetaReg,
    CauchyReg,
    ChainedReg,
    DirichletReg,
    ElasticNetReg,
    EntropyReg,
    ExponentialReg,
    GammaReg,
    GaussianReg,
    GroupLassoReg,
    HorseshoeReg,
    HuberReg,
    InverseGammaReg,
    L1Reg,
    L2Reg,
    LogNormalReg,
    LogUniformReg,
    MaxNormReg,
    OrthogonalReg,
    Regularization,
    SpectralNormReg,
    SpikeAndSlabReg,
    StudentTReg,
    TotalVariationReg,
    UniformReg,
)

X = np.array([[0.3, -1.2, 2.0], [0.5, 0.05, -0.7]])  # any sign
XP = np.abs(X)  # positive support
XB = np.array([[0.1, 0.35, 0.5], [0.7, 0.95, 0.2]])  # in (0, 1)
KEY = jax.random.PRNGKey(0)


def _softmax(x):
    e = np.exp(x.ravel() - x.max())
    return e / e.sum()


def _huber(x, d):
    a = np.abs(x)
    return np.where(a <= d, 0.5 * x**2, d * (a - 0.5 * d)).sum()


def _group_lasso(x, g):
    flat = x.ravel()
    flat = np.concatenate([flat, np.zeros(-flat.size % g)])
    return np.sqrt((flat.reshape(-1, g) ** 2).sum(1) + 1e-8).sum()


def _gauss_prec(std):
    return np.maximum(1.0 / (np.asarray(std) ** 2 + 1e-8), 0) + 1e-6


def _spike_slab(x, s0, s1, pi):
    mix = pi * np.exp(-0.5 * (x / s0) ** 2) / s0 + (1 - pi) * np.exp(-0.5 * (x / s1) ** 2) / s1
    return -np.log(mix + 1e-8).sum()


_MEAN, _STD = np.array([0.0, 1.0, -0.5]), np.array([1.0, 2.0, 0.5])

# (id, factory, input, independent NumPy loss)
CASES = [
    ("L1", lambda: L1Reg(0.3), X, lambda x: 0.3 * np.abs(x).sum()),
    ("L2", lambda: L2Reg(0.1), X, lambda x: 0.1 * (x**2).sum()),
    (
        "ElasticNet",
        lambda: ElasticNetReg(0.2, 0.3, alpha=0.7),
        X,
        lambda x: 0.7 * 0.2 * np.abs(x).sum() + 0.3 * 0.3 * (x**2).sum(),
    ),
    (
        "ElasticNet-clipped",
        lambda: ElasticNetReg(0.2, 0.3, alpha=1.5),
        X,
        lambda x: 0.2 * np.abs(x).sum(),
    ),
    (
        "Gaussian",
        lambda: GaussianReg(0.5, 2.0, weight=0.3),
        X,
        lambda x: 0.3 * ((_gauss_prec(2.0) * (x - 0.5) ** 2).sum() - np.log(_gauss_prec(2.0))),
    ),
    (
        "Gaussian-array",
        lambda: GaussianReg(_MEAN, _STD),
        X,
        lambda x: (_gauss_prec(_STD) * (x - _MEAN) ** 2).sum() - np.log(_gauss_prec(_STD)).sum(),
    ),
    ("Huber", lambda: HuberReg(0.5, delta=0.8), X, lambda x: 0.5 * _huber(x, 0.8)),
    ("GroupLasso", lambda: GroupLassoReg(0.2, group_size=4), X, lambda x: 0.2 * _group_lasso(x, 4)),
    ("GroupLasso-1", lambda: GroupLassoReg(0.2), X, lambda x: 0.2 * _group_lasso(x, 1)),
    (
        "TV-1",
        lambda: TotalVariationReg(0.4, order=1),
        X,
        lambda x: 0.4 * np.abs(np.diff(x.ravel())).sum(),
    ),
    (
        "TV-2",
        lambda: TotalVariationReg(0.4, order=2),
        X,
        lambda x: 0.4 * np.abs(np.diff(x.ravel(), n=2)).sum(),
    ),
    (
        "MaxNorm",
        lambda: MaxNormReg(2.0, max_value=1.5),
        X,
        lambda x: 2.0 * max(np.sqrt((x**2).sum() + 1e-8) - 1.5, 0) ** 2,
    ),
    (
        "Entropy-max",
        lambda: EntropyReg(0.3, maximize=True),
        X,
        lambda x: 0.3 * (_softmax(x) * np.log(_softmax(x) + 1e-8)).sum(),
    ),
    (
        "Entropy-min",
        lambda: EntropyReg(0.3, maximize=False),
        X,
        lambda x: -0.3 * (_softmax(x) * np.log(_softmax(x) + 1e-8)).sum(),
    ),
    (
        "Orthogonal",
        lambda: OrthogonalReg(0.5),
        X,
        lambda x: 0.5 * ((x.T @ x - np.eye(3)) ** 2).sum(),
    ),
    (
        "SpectralNorm",
        lambda: SpectralNormReg(1.5, max_value=1.0),
        X,
        lambda x: 1.5 * max(np.linalg.svd(x, compute_uv=False)[0] - 1.0, 0) ** 2,
    ),
    (
        "StudentT",
        lambda: StudentTReg(0.7, df=4.0, scale=0.5),
        X,
        lambda x: 0.7 * np.log1p((x / 0.5) ** 2 / 4.0).sum(),
    ),
    (
        "Cauchy",
        lambda: CauchyReg(0.7, scale=0.5),
        X,
        lambda x: 0.7 * np.log1p((x / 0.5) ** 2).sum(),
    ),
    (
        "Uniform",
        lambda: UniformReg(2.0, lower=-0.5, upper=1.0),
        X,
        lambda x: 2.0 * (np.maximum(-0.5 - x, 0) ** 2 + np.maximum(x - 1.0, 0) ** 2).sum(),
    ),
    (
        "LogNormal",
        lambda: LogNormalReg(0.5, mu=0.2, sigma=0.8),
        XP,
        lambda x: 0.5 * ((np.log(x) - 0.2) ** 2 / (2 * 0.8**2) + np.log(x)).sum(),
    ),
    (
        "Exponential",
        lambda: ExponentialReg(0.5, rate=2.0),
        X,
        lambda x: 0.5 * 2.0 * np.maximum(x, 0).sum(),
    ),
    (
        "Gamma",
        lambda: GammaReg(0.5, alpha=3.0, beta=2.0),
        XP,
        lambda x: 0.5 * (-(3.0 - 1) * np.log(x) + 2.0 * x).sum(),
    ),
    (
        "Beta",
        lambda: BetaReg(0.5, a=2.0, b=3.0),
        XB,
        lambda x: 0.5 * (-(2.0 - 1) * np.log(x) - (3.0 - 1) * np.log(1 - x)).sum(),
    ),
    (
        "Horseshoe",
        lambda: HorseshoeReg(0.5, tau=0.3),
        X,
        lambda x: 0.5 * np.log1p((x / 0.3) ** 2).sum(),
    ),
    (
        "InverseGamma",
        lambda: InverseGammaReg(0.5, alpha=3.0, beta=2.0),
        XP,
        lambda x: 0.5 * ((3.0 + 1) * np.log(x) + 2.0 / x).sum(),
    ),
    (
        "LogUniform",
        lambda: LogUniformReg(0.5, lower=0.1, upper=1.5),
        XP,
        lambda x: 0.5 * np.log(np.clip(x, 0.1, 1.5)).sum(),
    ),
    (
        "SpikeAndSlab",
        lambda: SpikeAndSlabReg(0.5, spike_scale=0.05, slab_scale=2.0, pi=0.3),
        X,
        lambda x: 0.5 * _spike_slab(x, 0.05, 2.0, 0.3),
    ),
    (
        "Dirichlet",
        lambda: DirichletReg(0.5, alpha=0.5),
        X,
        lambda x: 0.5 * (-(0.5 - 1) * np.log(_softmax(x) + 1e-8)).sum(),
    ),
    (
        "Chained",
        lambda: ChainedReg(L1Reg(0.3), L2Reg(0.1), weight=2.0),
        X,
        lambda x: 2.0 * (0.3 * np.abs(x).sum() + 0.1 * (x**2).sum()),
    ),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("make, x, ref", [c[1:] for c in CASES], ids=IDS)
def test_loss_matches_numpy(make, x, ref):
    reg = make()
    got = reg.loss(jnp.asarray(x, jnp.float32))
    assert jnp.shape(got) == ()
    np.testing.assert_allclose(float(got), ref(x), rtol=2e-5, atol=1e-6)
    assert float(reg(jnp.asarray(x, jnp.float32))) == pytest.approx(float(got))


def test_every_public_regularizer_is_covered():
    names = {n for n in brainsim.nn.__all__ if n.endswith("Reg")}
    covered = {type(c[1]()).__name__ for c in CASES}
    assert names == covered


@pytest.mark.parametrize("make", [c[1] for c in CASES], ids=IDS)
def test_jit_and_grad_are_finite_on_any_sign(make):
    reg = make()
    x = jnp.asarray(X * [[1, 1, 1], [0, 1, 1]], jnp.float32)  # zeros and negatives
    eager = reg.loss(x)
    value, grad = jax.jit(jax.value_and_grad(reg.loss))(x)
    np.testing.assert_allclose(value, eager, rtol=1e-5)
    assert bool(jnp.isfinite(eager))
    assert bool(jnp.all(jnp.isfinite(grad)))


@pytest.mark.parametrize("make", [c[1] for c in CASES], ids=IDS)
def test_sample_init_shape(make):
    s = make().sample_init((2, 3), key=KEY)
    assert jnp.shape(s) == (2, 3)
    assert bool(jnp.all(jnp.isfinite(jnp.asarray(s))))


@pytest.mark.parametrize("shape, expected", [(4, (4,)), ([2, 3], (2, 3)), ((), ())])
def test_sample_init_shape_forms(shape, expected):
    assert jnp.shape(L2Reg().sample_init(shape, key=KEY)) == expected
    assert jnp.shape(ChainedReg(UniformReg()).sample_init(shape, key=KEY)) == expected


def test_sample_init_shape_must_fit_array_hyperparameters():
    assert GaussianReg(_MEAN, _STD).sample_init((4, 3), key=KEY).shape == (4, 3)
    with pytest.raises(BrainSimValueError, match=r"GaussianReg\.sample_init.*\(3,\).*\(5,\)"):
        GaussianReg(_MEAN, _STD).sample_init((5,), key=KEY)


def test_sample_init_uses_global_rng_without_key():
    reg = GaussianReg(1.0, 0.5)
    a, b = reg.sample_init((1000,)), reg.sample_init((1000,))
    assert not np.allclose(a, b)
    assert float(jnp.mean(a)) == pytest.approx(1.0, abs=0.1)
    assert float(jnp.std(a)) == pytest.approx(0.5, abs=0.1)


def test_sample_init_respects_support():
    pos = [LogNormalReg(), ExponentialReg(), GammaReg(), InverseGammaReg()]
    for reg in pos:
        assert bool(jnp.all(reg.sample_init((2, 3), key=KEY) > 0)), type(reg).__name__
    b = BetaReg().sample_init((2, 3), key=KEY)
    assert bool(jnp.all((b > 0) & (b < 1)))
    for reg in [UniformReg(lower=-2.0, upper=3.0), LogUniformReg(lower=0.1, upper=10.0)]:
        s = reg.sample_init((2, 3), key=KEY)
        assert bool(jnp.all((s >= reg._h("lower")) & (s <= reg._h("upper"))))
    q = OrthogonalReg().sample_init((4, 3), key=KEY)
    np.testing.assert_allclose(q.T @ q, np.eye(3), atol=1e-5)
    assert float(OrthogonalReg().loss(q)) < 1e-9
    w = SpectralNormReg(max_value=2.0).sample_init((4, 3), key=KEY)
    assert float(np.linalg.svd(np.asarray(w), compute_uv=False)[0]) == pytest.approx(1.0, 1e-4)


# ------------------------------------------------------------------ pinned examples
def test_l2_pinned_example():
    assert float(L2Reg(weight=0.1).loss(jnp.array([1.0, 2.0]))) == pytest.approx(0.5)
    assert float(L2Reg(weight=-1.0).loss(jnp.array([1.0, 2.0]))) == 0.0  # relu(w)


def test_reset_values():
    assert float(L1Reg().reset_value()) == 0.0
    np.testing.assert_allclose(GaussianReg(_MEAN, _STD).reset_value(), _MEAN)
    assert float(UniformReg(lower=-1.0, upper=3.0).reset_value()) == pytest.approx(1.0)
    lu = LogUniformReg(lower=1e-2, upper=1e4).reset_value()
    assert float(lu) == pytest.approx(10.0, rel=1e-5)
    assert float(LogNormalReg(mu=0.7).reset_value()) == pytest.approx(np.exp(0.7), rel=1e-6)
    assert float(GammaReg(alpha=3.0, beta=2.0).reset_value()) == pytest.approx(1.0, rel=1e-6)
    assert float(GammaReg(alpha=0.5).reset_value()) == pytest.approx(0.0, abs=1e-7)
    assert float(InverseGammaReg(alpha=3.0, beta=2.0).reset_value()) == pytest.approx(0.5)
    assert float(BetaReg(a=3.0, b=2.0).reset_value()) == pytest.approx(2 / 3, rel=1e-6)
    assert float(BetaReg(a=1.0, b=1.0).reset_value()) == pytest.approx(0.5)


def test_chained_reg():
    x = jnp.array([0.5, -2.0, 1.0])
    members = [L1Reg(0.3), GaussianReg(1.0, 2.0), UniformReg(lower=0.0, upper=0.2)]
    reg = ChainedReg(*members, weight=0.5)
    expected = 0.5 * sum(float(m.loss(x)) for m in members)
    assert float(reg.loss(x)) == pytest.approx(expected, rel=1e-6)
    assert float(ChainedReg().loss(x)) == 0.0
    assert float(ChainedReg().reset_value()) == 0.0
    assert ChainedReg().sample_init((2, 2)).shape == (2, 2)
    first = ChainedReg(GaussianReg(4.0, 1.0), L1Reg())
    assert float(first.reset_value()) == 4.0
    a = first.sample_init((3,), key=KEY)
    np.testing.assert_allclose(a, GaussianReg(4.0, 1.0).sample_init((3,), key=KEY))
    # members are graph children: fitted hyperparameters are found through the chain
    fitted = ChainedReg(L1Reg(), GaussianReg(0.0, 1.0, fit_hyper=True))
    keys = set(fitted.states(brainsim.ParamState).keys())
    assert keys == {("regularizations", 1, "mean"), ("regularizations", 1, "precision")}


def test_param_integration():
    p = brainsim.nn.Param(jnp.zeros(2), reg=GaussianReg(3.0, 1.0, weight=0.5))
    p.reset_to_prior()
    np.testing.assert_allclose(p.value(), [3.0, 3.0])
    assert float(p.reg_loss()) == pytest.approx(-0.5 * np.log(1 + 1e-6), abs=1e-6)


# ------------------------------------------------------------------ fit_hyper
FITTED = {
    ElasticNetReg: {"alpha"},
    GaussianReg: {"mean", "precision"},
    HuberReg: {"delta"},
    MaxNormReg: {"max_value"},
    SpectralNormReg: {"max_value"},
    StudentTReg: {"df", "scale"},
    CauchyReg: {"scale"},
    UniformReg: {"lower", "upper"},
    LogNormalReg: {"mu", "sigma"},
    ExponentialReg: {"rate"},
    GammaReg: {"alpha", "beta"},
    BetaReg: {"a", "b"},
    HorseshoeReg: {"tau"},
    InverseGammaReg: {"alpha", "beta"},
    LogUniformReg: {"lower", "upper"},
    SpikeAndSlabReg: {"spike_scale", "slab_scale", "pi"},
    DirichletReg: {"alpha"},
}
WEIGHT_ONLY = [L1Reg, L2Reg, GroupLassoReg, TotalVariationReg, EntropyReg, OrthogonalReg]


def _make(cls, fit_hyper):
    if cls is GaussianReg:
        return GaussianReg(0.5, 2.0, fit_hyper=fit_hyper)
    if cls is LogUniformReg:  # bounds the test values reach on both sides
        return LogUniformReg(lower=0.1, upper=2.0, fit_hyper=fit_hyper)
    return cls(fit_hyper=fit_hyper)


@pytest.mark.parametrize("cls", list(FITTED), ids=lambda c: c.__name__)
def test_fit_hyper_makes_param_states_with_finite_grads(cls):
    reg = _make(cls, True)
    found = reg.states(brainsim.ParamState)
    assert {k[0] for k in found} == FITTED[cls]
    x = jnp.asarray(np.concatenate([XB, 3 * X]), jnp.float32)  # inside and outside bounds
    gdef, params, rest = brainsim.graph.treefy_split(reg, brainsim.ParamState, ...)

    def f(p):
        return brainsim.graph.treefy_merge(gdef, p, rest).loss(x)

    value, grads = jax.jit(jax.value_and_grad(f))(params)
    grads = jax.tree.leaves(grads)
    assert len(grads) == len(FITTED[cls])
    assert all(bool(jnp.all(jnp.isfinite(g))) for g in grads)
    assert all(float(jnp.max(jnp.abs(g))) > 0 for g in grads)
    assert float(value) == pytest.approx(float(reg.loss(x)), rel=1e-5)


@pytest.mark.parametrize("cls", list(FITTED) + WEIGHT_ONLY, ids=lambda c: c.__name__)
def test_no_param_states_without_fit_hyper(cls):
    assert len(_make(cls, False).states(brainsim.ParamState)) == 0


@pytest.mark.parametrize("cls", WEIGHT_ONLY, ids=lambda c: c.__name__)
def test_weight_is_never_fitted(cls):
    assert len(_make(cls, True).states(brainsim.ParamState)) == 0


def test_fitted_hyper_outside_its_domain_keeps_loss_finite():
    reg = StudentTReg(df=3.0, scale=1.0, fit_hyper=True)
    reg.df.value = jnp.asarray(-1.0)
    reg.scale.value = jnp.asarray(0.0)
    assert bool(jnp.isfinite(reg.loss(jnp.asarray(X))))


# ------------------------------------------------------------------ units
def test_units_mantissa_when_hyperparameters_are_plain():
    x = jnp.array([1.0, 2.0])
    assert float(L2Reg(0.1).loss(x * u.mV)) == pytest.approx(0.5)
    assert float(GaussianReg(1.0, 1.0).loss(x * u.mV)) == pytest.approx(
        float(GaussianReg(1.0, 1.0).loss(x))
    )


def test_units_converted_to_hyperparameter_unit():
    reg = GaussianReg(-65.0 * u.mV, 5.0 * u.mV)
    assert reg.unit == u.mV
    plain = GaussianReg(-65.0, 5.0).loss(jnp.array([-60.0, -70.0]))
    got = reg.loss(jnp.array([-0.060, -0.070]) * u.volt)
    assert float(got) == pytest.approx(float(plain), rel=1e-5)
    r = reg.reset_value()
    assert isinstance(r, u.Quantity) and r.unit == u.mV and float(r.mantissa) == -65.0
    s = reg.sample_init((4,), key=KEY)
    assert isinstance(s, u.Quantity) and s.shape == (4,)
    assert s.unit.dim == u.mV.dim
    mid = UniformReg(lower=0.0 * u.mV, upper=2.0 * u.volt).reset_value()
    assert float(mid.to_decimal(u.mV)) == pytest.approx(1000.0)
    # d/dv of p (v - mean)^2 at 5 mV above the mean: 2 * 0.04 * 5 (pulls toward the mean)
    g = jax.grad(lambda v: reg.loss(v * u.mV))(jnp.array([-60.0]))
    assert float(g[0]) == pytest.approx(0.4, rel=1e-4)


def test_unit_errors():
    reg = GaussianReg(0.0 * u.mV, 1.0 * u.mV)
    with pytest.raises(BrainSimValueError, match=r"GaussianReg\.loss\(value\): mean is in mV"):
        reg.loss(jnp.ones(2))
    with pytest.raises(BrainSimValueError, match=r"GaussianReg\.loss\(value\).*got a value in"):
        reg.loss(jnp.ones(2) * u.ms)
    with pytest.raises(BrainSimValueError, match=r"GaussianReg\(std=\.\.\.\): expected the same"):
        GaussianReg(0.0 * u.mV, 1.0 * u.ms)
    with pytest.raises(BrainSimValueError, match=r"UniformReg\(upper=\.\.\.\).*dimensionless"):
        UniformReg(lower=-1.0, upper=1.0 * u.mV)
    with pytest.raises(BrainSimValueError, match=r"L1Reg\(weight=\.\.\.\): expected a dimens"):
        L1Reg(weight=1.0 * u.mV)


# ------------------------------------------------------------------ validation
V, T = BrainSimValueError, BrainSimTypeError
POS = "expected a positive value"
ERRORS = [
    (lambda: GaussianReg(0.0, -1.0), V, r"GaussianReg\(std=...\): expected a positive std"),
    (lambda: GaussianReg(0.0, 0.0), V, r"GaussianReg\(std=.*got 0\.0"),
    (lambda: GaussianReg("a", 1.0), T, r"GaussianReg\(mean=.*real number.*str"),
    (lambda: L1Reg(float("nan")), V, r"L1Reg\(weight=...\): expected finite"),
    (lambda: L2Reg(None), T, r"L2Reg\(weight=...\): expected a real number"),
    (lambda: L2Reg(fit_hyper=1), T, r"L2Reg\(fit_hyper=...\): expected True or False"),
    (lambda: HuberReg(delta=0.0), V, r"HuberReg\(delta=...\): " + POS),
    (lambda: GroupLassoReg(group_size=2.0), T, r"GroupLassoReg\(group_size=.*got float"),
    (lambda: GroupLassoReg(group_size=True), T, r"GroupLassoReg\(group_size=.*got bool"),
    (lambda: GroupLassoReg(group_size=0), V, r"GroupLassoReg\(group_size=.*positive int.*got 0"),
    (
        lambda: TotalVariationReg(order=3),
        V,
        r"TotalVariationReg\(order=...\): expected 1.*2.*got 3",
    ),
    (lambda: TotalVariationReg(order=1.5), V, r"TotalVariationReg\(order=.*got 1\.5"),
    (lambda: MaxNormReg(max_value=-1.0), V, r"MaxNormReg\(max_value=.*non-negative"),
    (lambda: SpectralNormReg(max_value=-1.0), V, r"SpectralNormReg\(max_value=.*non-negative"),
    (lambda: EntropyReg(maximize="yes"), T, r"EntropyReg\(maximize=...\): expected True"),
    (lambda: StudentTReg(df=0.0), V, r"StudentTReg\(df=...\): " + POS),
    (lambda: StudentTReg(scale=-2.0), V, r"StudentTReg\(scale=...\): " + POS),
    (lambda: CauchyReg(scale=0.0), V, r"CauchyReg\(scale=...\): " + POS),
    (lambda: UniformReg(lower=1.0, upper=1.0), V, r"UniformReg\(lower=..., upper=...\): .*<"),
    (lambda: LogNormalReg(sigma=0.0), V, r"LogNormalReg\(sigma=...\): " + POS),
    (lambda: ExponentialReg(rate=-1.0), V, r"ExponentialReg\(rate=...\): " + POS),
    (lambda: GammaReg(alpha=0.0), V, r"GammaReg\(alpha=...\): " + POS),
    (lambda: GammaReg(beta=-1.0), V, r"GammaReg\(beta=...\): " + POS),
    (lambda: BetaReg(a=0.0), V, r"BetaReg\(a=...\): " + POS),
    (lambda: BetaReg(b=-1.0), V, r"BetaReg\(b=...\): " + POS),
    (lambda: HorseshoeReg(tau=0.0), V, r"HorseshoeReg\(tau=...\): " + POS),
    (lambda: InverseGammaReg(alpha=-1.0), V, r"InverseGammaReg\(alpha=...\): " + POS),
    (lambda: InverseGammaReg(beta=0.0), V, r"InverseGammaReg\(beta=...\): " + POS),
    (lambda: LogUniformReg(lower=0.0), V, r"LogUniformReg\(lower=...\): " + POS),
    (lambda: LogUniformReg(lower=10.0, upper=1.0), V, r"LogUniformReg\(lower=.*lower < upper"),
    (lambda: SpikeAndSlabReg(spike_scale=0.0), V, r"SpikeAndSlabReg\(spike_scale=...\): " + POS),
    (lambda: SpikeAndSlabReg(slab_scale=-1.0), V, r"SpikeAndSlabReg\(slab_scale=...\): " + POS),
    (
        lambda: SpikeAndSlabReg(pi=1.5),
        V,
        r"SpikeAndSlabReg\(pi=.*probability in \[0, 1\], got 1\.5",
    ),
    (lambda: DirichletReg(alpha=0.0), V, r"DirichletReg\(alpha=...\): " + POS),
    (
        lambda: ChainedReg(L1Reg(), "l2"),
        T,
        r"ChainedReg\(\*regs\): expected Regul.*str at position 1",
    ),
    (lambda: L1Reg().sample_init("3"), T, r"L1Reg\.sample_init\(shape=...\): expected an int"),
]


@pytest.mark.parametrize("make, err, pattern", ERRORS)
def test_validation_errors(make, err, pattern):
    with pytest.raises(err, match=pattern):
        make()


def test_errors_are_catchable_as_builtins():
    with pytest.raises(ValueError):
        GaussianReg(0.0, -1.0)
    with pytest.raises(TypeError):
        GroupLassoReg(group_size="2")


def test_base_class_contract():
    class Abs(Regularization):
        def loss(self, value):
            return jnp.sum(jnp.abs(self._number(value)))

    reg = Abs()
    assert float(reg(jnp.array([-1.0, 2.0]))) == 3.0
    assert float(reg.reset_value()) == 0.0
    assert reg.sample_init((2, 3)).shape == (2, 3)
    with pytest.raises(NotImplementedError, match=r"Regularization\.loss is not implemented"):
        Regularization().loss(1.0)
