"""Tests for the constraint transforms in ``brainsim.nn`` (API.md section C.2)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import brainunit as u
import hypothesis.extra.numpy as hnp
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brainsim._errors import BrainSimError, BrainSimTypeError, BrainSimValueError
from brainsim.nn import (
    AffineT,
    ChainT,
    ClipT,
    ExpT,
    IdentityT,
    LogT,
    MaskedT,
    NegativeT,
    NegSoftplusT,
    OrderedT,
    PositiveT,
    PowerT,
    ReluT,
    ScaledSigmoidT,
    SigmoidT,
    SimplexT,
    SoftplusT,
    SoftsignT,
    TanhT,
    Transform,
    UnitVectorT,
    save_exp,
)

SETTINGS = settings(max_examples=50, deadline=None)
N = 8  # fixed sample size, so eager JAX ops compile once per shape
MASK = jnp.array([True, False] * (N // 2))


@dataclass(frozen=True)
class Case:
    """A bijection, the constrained interval ``(y_lo, y_hi)`` in ``unit`` to draw y from,
    and the moderate unconstrained interval ``(x_lo, x_hi)`` to draw x from."""

    t: Transform
    y_lo: float
    y_hi: float
    x_lo: float = -4.0
    x_hi: float = 4.0
    unit: u.Unit | None = None


E = 1e-3  # keep y at least this far from any bound
CASES = [
    Case(IdentityT(), -100.0, 100.0, -100.0, 100.0),
    Case(SoftplusT(), E, 50.0, -4.0, 10.0),
    Case(SoftplusT(-2.0), -2.0 + E, 50.0, -4.0, 10.0),
    Case(SoftplusT(1 * u.mV), 1.0 + E, 50.0, -4.0, 10.0, u.mV),
    Case(NegSoftplusT(), -50.0, -E, -10.0, 4.0),
    Case(NegSoftplusT(3 * u.mV), -50.0, 3.0 - E, -10.0, 4.0, u.mV),
    Case(SigmoidT(0.0, 1.0), E, 1.0 - E, -5.0, 5.0),
    Case(SigmoidT(-3.0, 5.0), -3.0 + E, 5.0 - E, -5.0, 5.0),
    Case(SigmoidT(0 * u.mV, 10 * u.mV), E, 10.0 - E, -5.0, 5.0, u.mV),
    Case(ScaledSigmoidT(0.0, 2.0, beta=3.0), E, 2.0 - E, -1.5, 1.5),
    Case(TanhT(-1.0, 1.0), -1.0 + E, 1.0 - E, -3.0, 3.0),
    Case(TanhT(0 * u.mV, 5 * u.mV), E, 5.0 - E, -3.0, 3.0, u.mV),
    Case(SoftsignT(0.0, 4.0), E, 4.0 - E, -20.0, 20.0),
    Case(LogT(1.0), 1.0 + E, 1e3, -5.0, 5.0),
    Case(ExpT(-1 * u.mV), -1.0 + E, 100.0, -5.0, 5.0, u.mV),
    Case(PositiveT(), E, 1e3, -5.0, 5.0),
    Case(NegativeT(), -1e3, -E, -5.0, 5.0),
    Case(AffineT(2.0, -1.0), -100.0, 100.0, -50.0, 50.0),
    Case(AffineT(-0.5 * u.mV, 1 * u.mV), -100.0, 100.0, -50.0, 50.0, u.mV),
    Case(PowerT(0.5), -2.0 + E, 20.0, 0.1, 20.0),
    Case(PowerT(0.0), -10.0, 10.0, 0.1, 20.0),
    Case(PowerT(2.0), -0.5 + E, 50.0, 0.1, 10.0),
    Case(ChainT(AffineT(2.0, 1.0), SoftplusT(1 * u.mV)), 1.0 + E, 50.0, -3.0, 5.0, u.mV),
    Case(MaskedT(MASK, SoftplusT()), E, 50.0, -4.0, 10.0),
]

fractions = hnp.arrays(np.float64, (N,), elements=st.floats(0.0, 1.0))


def _ids(cases):
    return [repr(c.t) for c in cases]


def _mantissa(y, unit):
    return np.asarray(y.to_decimal(unit) if unit is not None else y)


def _y(case, frac):
    y = np.float32(case.y_lo + frac * (case.y_hi - case.y_lo))
    y = np.clip(y, np.nextafter(np.float32(case.y_lo), np.float32(np.inf)), case.y_hi)
    return (u.Quantity(jnp.asarray(y), unit=case.unit) if case.unit else jnp.asarray(y)), y


def _x(case, frac):
    return jnp.asarray(np.float32(case.x_lo + frac * (case.x_hi - case.x_lo)))


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
@SETTINGS
@given(frac=fractions)
def test_round_trips(case, frac):
    """forward(inverse(y)) == y on the domain, and inverse(forward(x)) == x for moderate x."""
    y, y_plain = _y(case, frac)
    x = case.t.inverse(y)
    assert not isinstance(x, u.Quantity)
    back = case.t.forward(x)
    np.testing.assert_allclose(_mantissa(back, case.unit), y_plain, rtol=1e-5, atol=1e-5)

    x = _x(case, frac)
    y = case.t.forward(x)
    assert isinstance(y, u.Quantity) == (case.unit is not None)
    np.testing.assert_allclose(case.t.inverse(y), x, rtol=1e-4, atol=1e-4)


def test_masked_log_abs_det_jacobian_is_diagonal_of_jacobian():
    t = MaskedT(MASK, SigmoidT(-1.0, 2.0))
    x = jnp.linspace(-3.0, 3.0, N)
    jac = jax.jacfwd(t.forward)(x)
    np.testing.assert_array_equal(jac - jnp.diag(jnp.diag(jac)), 0.0)  # element-wise map
    np.testing.assert_allclose(t.log_abs_det_jacobian(x), jnp.log(jnp.diag(jac)), atol=1e-5)
    assert t.log_abs_det_jacobian(x)[1] == 0.0


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_jit_vmap_grad_and_log_det(case):
    """Under one jit: forward equals eager, vmap equals the batched call, gradients are
    finite, and log_abs_det_jacobian equals log|dy/dx| from autodiff (element-wise maps,
    so the gradient of the sum is the derivative)."""
    t = case.t
    x = _x(case, np.linspace(0.0, 1.0, N))

    def everything(x):
        y = t.forward(x)
        # MaskedT's mask has the shape of a whole sample, so it is not vmapped
        vm = y if isinstance(t, MaskedT) else jax.vmap(t.forward)(x)
        grad = jax.grad(lambda x: jnp.sum(u.get_mantissa(t.forward(x))))(x)
        return y, t.inverse(y), vm, grad, t.log_abs_det_jacobian(x, y)

    y, x_back, vm, grad, ladj = jax.jit(everything)(x)
    eager = t.forward(x)
    np.testing.assert_allclose(_mantissa(y, case.unit), _mantissa(eager, case.unit), rtol=1e-6)
    np.testing.assert_allclose(x_back, t.inverse(eager), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_mantissa(vm, case.unit), _mantissa(eager, case.unit), rtol=1e-6)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(ladj, jnp.log(jnp.abs(grad)), atol=1e-4)
    np.testing.assert_allclose(t.log_abs_det_jacobian(x), ladj, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- SoftplusT


def test_softplus_default_lower_is_zero():
    t = SoftplusT()
    assert t.lower == 0.0
    np.testing.assert_allclose(t.forward(jnp.array([-30.0, 0.0])), [0.0, math.log(2.0)], atol=1e-6)


def test_softplus_with_unit_matches_the_api_example():
    t = SoftplusT(1 * u.mV)
    x = t.inverse(2 * u.mV)
    assert not isinstance(x, u.Quantity)
    np.testing.assert_allclose(x, 0.5413248, rtol=1e-6)
    y = t.forward(x)
    assert isinstance(y, u.Quantity) and u.get_unit(y) == u.mV
    np.testing.assert_allclose(y.to_decimal(u.mV), 2.0, rtol=1e-6)
    # a compatible unit is converted, not rejected
    np.testing.assert_allclose(t.inverse(0.002 * u.volt), 0.5413248, rtol=1e-5)


def test_softplus_jit_vmap_grad():
    t = SoftplusT(1 * u.mV)
    x = jnp.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(jax.jit(t.forward)(x).to_decimal(u.mV), t(x).to_decimal(u.mV))
    np.testing.assert_allclose(
        jax.vmap(t.inverse)(u.Quantity(jnp.array([1.5, 2.0, 9.0]), unit=u.mV)),
        t.inverse(u.Quantity(jnp.array([1.5, 2.0, 9.0]), unit=u.mV)),
        rtol=1e-6,
    )
    g = jax.grad(lambda x: t.forward(x).to_decimal(u.mV))(0.3)
    np.testing.assert_allclose(g, jax.nn.sigmoid(0.3), rtol=1e-6)


def test_plain_bounds_give_plain_jax_arrays():
    for t in (SoftplusT(), SigmoidT(0.0, 1.0), AffineT(2.0, 1.0), PositiveT()):
        y = t.forward(jnp.ones(3))
        assert isinstance(y, jax.Array) and not isinstance(y, u.Quantity)
        assert isinstance(t.inverse(y), jax.Array)


def test_dtype_is_float32_by_default_and_follows_the_input():
    t = SigmoidT(0.0, 1.0)
    assert t.forward(0).dtype == jnp.float32  # ints become float32
    assert t.forward(jnp.zeros(2, jnp.float16)).dtype == jnp.float16
    assert t.inverse(jnp.full(2, 0.5, jnp.float16)).dtype == jnp.float16
    assert SoftplusT(np.zeros(2)).forward(jnp.zeros(2, jnp.bfloat16)).dtype == jnp.bfloat16


def test_identity_passes_quantities_through():
    q = jnp.array([1.0, 2.0]) * u.mV
    assert IdentityT().forward(q) is q
    assert IdentityT().inverse(q) is q
    np.testing.assert_array_equal(IdentityT().log_abs_det_jacobian(q), [0.0, 0.0])


def test_save_exp_caps_the_exponent():
    np.testing.assert_allclose(save_exp(1.0), math.e, rtol=1e-6)
    np.testing.assert_allclose(save_exp(100.0), math.exp(20.0), rtol=1e-6)
    np.testing.assert_allclose(save_exp(5.0, max_value=2.0), math.exp(2.0), rtol=1e-6)
    assert np.isfinite(jax.grad(save_exp)(100.0))


# ----------------------------------------------------------------------------- vector


vectors = hnp.arrays(np.float32, (5,), elements=st.floats(-5.0, 5.0, width=32))


@SETTINGS
@given(x=vectors)
def test_ordered_output_is_increasing_and_round_trips(x):
    t = OrderedT()
    y = t.forward(x)
    assert y.shape == x.shape
    assert np.all(np.diff(np.asarray(y)) > 0)
    np.testing.assert_allclose(t.inverse(y), x, atol=1e-4)


@SETTINGS
@given(x=vectors)
def test_simplex_output_sums_to_one_and_round_trips(x):
    t = SimplexT()
    y = t.forward(x)
    assert y.shape == (6,)
    assert np.all(np.asarray(y) > 0)
    np.testing.assert_allclose(jnp.sum(y), 1.0, rtol=1e-5)
    np.testing.assert_allclose(t.inverse(y), x, atol=1e-3)


@SETTINGS
@given(w=hnp.arrays(np.float64, (4,), elements=st.floats(1e-2, 1.0)))
def test_simplex_forward_of_inverse_is_identity(w):
    y = jnp.asarray((w / w.sum()).astype(np.float32))
    np.testing.assert_allclose(SimplexT().forward(SimplexT().inverse(y)), y, atol=1e-5)


@SETTINGS
@given(d=hnp.arrays(np.float32, (4,), elements=st.floats(2.0**-6, 10.0, width=32)))
def test_ordered_forward_of_inverse_is_identity(d):
    y = jnp.cumsum(jnp.asarray(d)) - 5.0
    np.testing.assert_allclose(OrderedT().forward(OrderedT().inverse(y)), y, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("t, head", [(OrderedT(), slice(None)), (SimplexT(), slice(0, -1))])
def test_vector_log_abs_det_jacobian_matches_slogdet(t, head):
    x = jnp.array([0.3, -1.2, 2.0, 0.5])
    jac = jax.jacfwd(lambda x: t.forward(x)[head])(x)
    _, expected = jnp.linalg.slogdet(jac)
    np.testing.assert_allclose(t.log_abs_det_jacobian(x), expected, atol=1e-4)


def test_vector_transforms_work_on_batches():
    x = jnp.arange(12.0).reshape(3, 4) / 4.0
    assert SimplexT().forward(x).shape == (3, 5)
    np.testing.assert_allclose(jnp.sum(SimplexT().forward(x), -1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(jax.vmap(OrderedT().forward)(x), OrderedT().forward(x))
    assert OrderedT().log_abs_det_jacobian(x).shape == (3,)


@SETTINGS
@given(x=vectors.filter(lambda v: np.linalg.norm(v) > 1e-2))
def test_unit_vector_has_norm_one(x):
    y = UnitVectorT().forward(x)
    np.testing.assert_allclose(jnp.linalg.norm(y), 1.0, rtol=1e-5)
    np.testing.assert_allclose(UnitVectorT().inverse(y), y)


def test_unit_vector_of_zero_is_zero_with_finite_gradient():
    t = UnitVectorT()
    np.testing.assert_array_equal(t.forward(jnp.zeros(3)), jnp.zeros(3))
    assert np.all(np.isfinite(jax.grad(lambda x: t.forward(x).sum())(jnp.zeros(3))))


# ----------------------------------------------------------------------------- non-bijections


def test_clip_clips_both_ways():
    t = ClipT(0.0, 1.0)
    np.testing.assert_array_equal(t.forward(jnp.array([-1.0, 0.5, 2.0])), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(t.inverse(jnp.array([-1.0, 0.5, 2.0])), [0.0, 0.5, 1.0])
    tu = ClipT(-1 * u.mV, 1 * u.mV)
    np.testing.assert_array_equal(tu.forward(jnp.array([-3.0, 3.0])).to_decimal(u.mV), [-1, 1])
    np.testing.assert_array_equal(tu.inverse(jnp.array([-3.0, 0.5]) * u.mV), [-1.0, 0.5])


def test_relu_shifts_and_rectifies():
    np.testing.assert_array_equal(ReluT().forward(jnp.array([-1.0, 2.0])), [0.0, 2.0])
    t = ReluT(1.0)
    np.testing.assert_array_equal(t.forward(jnp.array([-1.0, 2.0])), [1.0, 3.0])
    np.testing.assert_array_equal(t.inverse(jnp.array([0.0, 3.0])), [0.0, 2.0])
    tu = ReluT(-70 * u.mV)
    np.testing.assert_array_equal(tu.forward(jnp.array([-1.0, 5.0])).to_decimal(u.mV), [-70, -65])


@pytest.mark.parametrize("t", [ClipT(0.0, 1.0), ReluT(), UnitVectorT()], ids=repr)
def test_non_bijections_have_no_log_det(t):
    with pytest.raises(NotImplementedError, match=f"{type(t).__name__} is not a bijection"):
        t.log_abs_det_jacobian(jnp.ones(2))


# ----------------------------------------------------------------------------- combinators


def test_chain_applies_the_first_transform_first():
    add3, double = AffineT(1.0, 3.0), AffineT(2.0, 0.0)
    assert float(ChainT(add3, double).forward(1.0)) == 8.0  # 2 * (1 + 3)
    assert float(ChainT(double, add3).forward(1.0)) == 5.0  # 2 * 1 + 3
    assert float(ChainT(add3, double).inverse(8.0)) == 1.0
    x = jnp.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(ChainT().forward(x), x)


def test_chain_log_det_is_summed_along_the_chain():
    t = ChainT(AffineT(2.0, 1.0), SoftplusT())
    x = jnp.array([-1.0, 0.5])
    expected = math.log(2.0) + jax.nn.log_sigmoid(2.0 * x + 1.0)
    np.testing.assert_allclose(t.log_abs_det_jacobian(x), expected, rtol=1e-6)


def test_masked_applies_only_where_mask():
    t = MaskedT(jnp.array([True, False, True]), PositiveT())
    x = jnp.array([0.0, -2.0, 1.0])
    np.testing.assert_allclose(t.forward(x), [1.0, -2.0, math.e], rtol=1e-6)
    np.testing.assert_allclose(t.inverse(t.forward(x)), x, atol=1e-6)


def test_masked_unit_transform_and_safe_gradients():
    t = MaskedT(jnp.array([True, False]), SoftplusT(1 * u.mV))
    y = t.forward(jnp.array([0.0, -5.0]))
    np.testing.assert_allclose(y.to_decimal(u.mV), [1.0 + math.log(2.0), -5.0], rtol=1e-6)
    np.testing.assert_allclose(t.inverse(y), [0.0, -5.0], atol=1e-6)
    # the unmasked entry lies outside PowerT's domain; gradients must still be finite
    p = MaskedT(jnp.array([True, False]), PowerT(0.5))
    g = jax.grad(lambda x: p.forward(x).sum())(jnp.array([4.0, -3.0]))
    assert np.all(np.isfinite(g))
    g = jax.grad(lambda y: p.inverse(y).sum())(jnp.array([1.0, -3.0]))
    assert np.all(np.isfinite(g))


# ----------------------------------------------------------------------------- validation


def test_errors_are_brainsim_errors():
    assert issubclass(BrainSimValueError, BrainSimError) and issubclass(
        BrainSimValueError, ValueError
    )
    assert issubclass(BrainSimTypeError, BrainSimError) and issubclass(BrainSimTypeError, TypeError)


@pytest.mark.parametrize("cls", [SigmoidT, TanhT, SoftsignT, ClipT, ScaledSigmoidT])
@pytest.mark.parametrize("lower, upper", [(1.0, 0.0), (1.0, 1.0), (2 * u.mV, 1 * u.mV)])
def test_upper_must_exceed_lower(cls, lower, upper):
    with pytest.raises(
        BrainSimValueError, match=rf"{cls.__name__}\(lower, upper\): expected upper > lower"
    ):
        cls(lower, upper)


def test_upper_must_exceed_lower_message_shows_the_arguments():
    with pytest.raises(BrainSimValueError, match=r"got lower=2 \* mV and upper=1 \* mV$"):
        SigmoidT(2 * u.mV, 1 * u.mV)


def test_upper_must_exceed_lower_elementwise():
    with pytest.raises(BrainSimValueError, match=r"got lower=\[0.0, 2.0\] and upper=\[1.0, 1.0\]"):
        SigmoidT(jnp.array([0.0, 2.0]), jnp.array([1.0, 1.0]))


@pytest.mark.parametrize(
    "lower, upper, got",
    [
        (0 * u.mV, 1 * u.ms, r"a quantity in mV\) and upper=1 \* ms \(a quantity in ms\)"),
        (0.0, 10 * u.mV, r"a dimensionless value\) and upper=10 \* mV"),
    ],
)
def test_bounds_need_compatible_units(lower, upper, got):
    with pytest.raises(
        BrainSimValueError,
        match=r"SigmoidT\(lower, upper\): lower and upper must "
        r"have compatible units, got lower=.*" + got,
    ):
        SigmoidT(lower, upper)


def test_compatible_units_are_converted_to_the_unit_of_lower():
    t = SigmoidT(0 * u.mV, 0.01 * u.volt)
    np.testing.assert_allclose(t.forward(0.0).to_decimal(u.mV), 5.0, rtol=1e-6)
    assert u.get_unit(t.forward(0.0)) == u.mV


def test_bounded_transforms_need_finite_bounds():
    with pytest.raises(BrainSimValueError, match=r"TanhT\(lower, upper\): expected finite bounds"):
        TanhT(0.0, math.inf)
    ClipT(0.0, math.inf)  # clipping to a half line is fine


@pytest.mark.parametrize("beta", [0.0, -1.0, math.inf, math.nan, 1.0 * u.ms])
def test_scaled_sigmoid_beta_must_be_positive_and_finite(beta):
    with pytest.raises(
        BrainSimValueError,
        match=r"ScaledSigmoidT\(beta\): expected a positive, "
        r"finite number such as 1.0, got beta=",
    ):
        ScaledSigmoidT(0.0, 1.0, beta=beta)


@pytest.mark.parametrize("scale", [0.0, 1e-12, jnp.array([1.0, 0.0]), 0 * u.mV])
def test_affine_scale_must_be_nonzero(scale):
    shift = 0 * u.mV if isinstance(scale, u.Quantity) else 0.0
    with pytest.raises(
        BrainSimValueError,
        match=r"AffineT\(scale\): expected a non-zero scale "
        r"so the map can be inverted, got scale=",
    ):
        AffineT(scale, shift)


def test_affine_units_must_match():
    with pytest.raises(
        BrainSimValueError,
        match=r"AffineT\(scale, shift\): scale and shift must "
        r"have compatible units",
    ):
        AffineT(1 * u.mV, 1 * u.ms)


@pytest.mark.parametrize("lmbda", [math.nan, math.inf, jnp.array([0.5, 1.0])])
def test_power_lmbda_must_be_a_finite_scalar(lmbda):
    with pytest.raises(
        BrainSimValueError,
        match=r"PowerT\(lmbda\): expected a concrete, finite "
        r"scalar such as 0.5, got lmbda=",
    ):
        PowerT(lmbda)


def test_chain_items_must_be_transforms():
    with pytest.raises(
        BrainSimTypeError,
        match=r"ChainT\(transforms\[1\]\): expected a Transform "
        r"such as SoftplusT\(\), got 3 \(int\)",
    ):
        ChainT(SoftplusT(), 3)
    with pytest.raises(BrainSimTypeError, match=r"ChainT\(transforms\[0\]\): .*got <class"):
        ChainT(SoftplusT)  # the class, not an instance


def test_masked_arguments_are_checked():
    with pytest.raises(
        BrainSimTypeError,
        match=r"MaskedT\(transform\): expected a Transform "
        r"such as SoftplusT\(\), got 'softplus' \(str\)",
    ):
        MaskedT(jnp.array([True]), "softplus")
    with pytest.raises(
        BrainSimTypeError,
        match=r"MaskedT\(mask\): expected a boolean array "
        r".*got dtype int",
    ):
        MaskedT(np.array([1, 0]), SoftplusT())


def test_inverse_rejects_the_wrong_unit():
    t = SoftplusT(1 * u.mV)
    with pytest.raises(
        BrainSimValueError,
        match=r"SoftplusT\(lower=1 \* mV\)\.inverse\(y\): "
        r"expected a quantity in mV \(or a compatible unit\), got a quantity in ms",
    ):
        t.inverse(2 * u.ms)
    with pytest.raises(
        BrainSimValueError,
        match=r"expected a quantity in mV .*got a "
        r"dimensionless value; pass y like 1.0 \* mV",
    ):
        t.inverse(2.0)
    with pytest.raises(
        BrainSimValueError,
        match=r"SigmoidT\(lower=0.0, upper=1.0\)\.inverse\(y\): "
        r"expected a dimensionless value .*got a quantity in mV",
    ):
        SigmoidT(0.0, 1.0).inverse(0.5 * u.mV)


def test_forward_rejects_a_dimensioned_input():
    with pytest.raises(
        BrainSimValueError,
        match=r"SoftplusT\(lower=0.0\)\.forward\(x\): expected "
        r"an unconstrained plain number, got a quantity in mV",
    ):
        SoftplusT().forward(1 * u.mV)
    np.testing.assert_allclose(SoftplusT().forward(u.Quantity(0.0)), math.log(2.0), rtol=1e-6)


@pytest.mark.parametrize("t", [OrderedT(), SimplexT(), UnitVectorT()], ids=repr)
def test_vector_transforms_need_a_vector(t):
    with pytest.raises(
        BrainSimValueError,
        match=rf"{type(t).__name__}\(\): expected x with a "
        r"last axis of length >= 1, got shape \(\)",
    ):
        t.forward(1.0)


def test_transform_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        Transform()


# ----------------------------------------------------------------------------- repr and equality


@pytest.mark.parametrize(
    "t, text",
    [
        (IdentityT(), "IdentityT()"),
        (SoftplusT(), "SoftplusT(lower=0.0)"),
        (SoftplusT(1 * u.mV), "SoftplusT(lower=1 * mV)"),
        (NegSoftplusT(), "NegSoftplusT(upper=0.0)"),
        (SigmoidT(0 * u.mV, 10 * u.mV), "SigmoidT(lower=0 * mV, upper=10 * mV)"),
        (ScaledSigmoidT(0.0, 1.0, beta=2.0), "ScaledSigmoidT(lower=0.0, upper=1.0, beta=2.0)"),
        (ExpT(0.0), "ExpT(lower=0.0)"),
        (AffineT(2.0, 1.0), "AffineT(scale=2.0, shift=1.0)"),
        (PowerT(), "PowerT(lmbda=0.5)"),
        (ReluT(), "ReluT(lower_bound=0.0)"),
        (
            ChainT(SoftplusT(), AffineT(2.0, 1.0)),
            "ChainT(SoftplusT(lower=0.0), AffineT(scale=2.0, shift=1.0))",
        ),
        (
            MaskedT(jnp.array([True, False]), PositiveT()),
            "MaskedT(mask=[True, False], transform=PositiveT(), safe_value=1.0)",
        ),
        (SoftplusT(jnp.zeros(20)), "SoftplusT(lower=Array(shape=(20,), dtype=float32))"),
    ],
)
def test_repr(t, text):
    assert repr(t) == text


def test_equality_and_hash_by_type_and_parameters():
    assert SoftplusT(1.0) == SoftplusT(1.0) and hash(SoftplusT(1.0)) == hash(SoftplusT(1.0))
    assert SoftplusT() == SoftplusT(0.0)
    assert SoftplusT(1.0) != SoftplusT(2.0)
    assert SoftplusT(1.0) != NegSoftplusT(1.0)
    assert LogT(0.0) != ExpT(0.0)
    assert SoftplusT(1 * u.mV) == SoftplusT(1 * u.mV)
    assert SoftplusT(1 * u.mV) != SoftplusT(1.0)
    assert SigmoidT(jnp.zeros(2), jnp.ones(2)) == SigmoidT(np.zeros(2), np.ones(2))
    assert ChainT(SoftplusT(), PositiveT()) == ChainT(SoftplusT(), PositiveT())
    assert ChainT(SoftplusT(), PositiveT()) != ChainT(PositiveT(), SoftplusT())
    assert MaskedT(MASK, SoftplusT()) == MaskedT(MASK, SoftplusT())
    assert len({SoftplusT(), SoftplusT(0.0), PositiveT(), OrderedT(), OrderedT()}) == 3
    assert SoftplusT() != "SoftplusT(lower=0.0)"


def test_transforms_are_valid_static_jit_arguments():
    calls = []

    def run(t, x):
        calls.append(t)
        return t.forward(x)

    f = jax.jit(run, static_argnums=0)
    np.testing.assert_allclose(f(SoftplusT(1.0), 0.0), 1.0 + math.log(2.0), rtol=1e-6)
    f(SoftplusT(1.0), 0.0)  # equal transform: cached, no retrace
    assert len(calls) == 1
    f(SoftplusT(2.0), 0.0)
    assert len(calls) == 2
