"""Conformance tests for ``brainsim.nn.Param`` and ``Const`` (API.md C.1)."""

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
from brainsim.nn import Const, IdentityT, L1Reg, L2Reg, Module, Param, SoftplusT, Transform


def _inv_softplus(y):
    y = np.asarray(y, dtype=np.float64)
    return y + np.log(-np.expm1(-y))


def _has_transform_grad():
    return hasattr(brainsim, "transform") and hasattr(brainsim.transform, "grad")


class Flaky(Transform):
    """Identity whose forward raises while ``fail`` is set."""

    def __init__(self):
        self.fail = False

    def forward(self, x):
        if self.fail:
            raise FloatingPointError("forward failed")
        return x

    def inverse(self, y):
        return y


# ------------------------------------------------------------------ storage and value()


def test_identity_param_stores_value():
    p = Param(jnp.array([1.0, 2.0]))
    assert isinstance(p, Module)
    assert isinstance(p.val, brainsim.ParamState)
    assert p.fit is True
    assert isinstance(p.t, IdentityT) and p.reg is None and p.precompute is None
    np.testing.assert_array_equal(p.val.value, [1.0, 2.0])
    np.testing.assert_array_equal(p.value(), [1.0, 2.0])
    assert p.value().dtype == jnp.float32


def test_values_are_converted_to_the_environment_float():
    assert Param(3).value().dtype == jnp.float32
    assert Param([1, 2]).value().dtype == jnp.float32
    with environ.context(precision=64):
        assert Param(3).value().dtype == jnp.float64


def test_softplus_stores_the_inverse_float32():
    x = jnp.array([0.5, 1.0, 10.0, 20.0])
    p = Param(x, t=SoftplusT())
    np.testing.assert_allclose(p.val.value, _inv_softplus(x), rtol=1e-6)
    np.testing.assert_allclose(p.value(), x, rtol=1e-6)


def test_softplus_stores_the_inverse_float64():
    with environ.context(precision=64):
        x = jnp.array([1e-3, 0.1, 1.0, 10.0, 50.0])
        p = Param(x, t=SoftplusT())
        assert p.val.value.dtype == jnp.float64
        np.testing.assert_allclose(p.val.value, _inv_softplus(x), rtol=1e-12)
        np.testing.assert_allclose(p.value(), x, rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(x=st.floats(1e-3, 30.0))
def test_property_softplus_round_trip(x):
    with environ.context(precision=64):
        p = Param(x, t=SoftplusT())
        assert abs(float(p.value()) - x) <= 1e-6 * x
        assert abs(float(p.val.value) - float(_inv_softplus(x))) <= 1e-6 * max(1.0, abs(x))


def test_unit_aware_softplus():
    p = Param(2 * u.mV, t=SoftplusT(1 * u.mV))
    v = p.value()
    assert isinstance(v, u.Quantity)
    assert u.math.allclose(v, 2 * u.mV)
    raw = p.val.value
    assert not isinstance(raw, u.Quantity)
    np.testing.assert_allclose(raw, 0.5413, atol=1e-4)
    np.testing.assert_allclose(raw, np.log(np.expm1(1.0)), rtol=1e-6)


def test_quantity_without_transform_keeps_unit():
    p = Param(jnp.ones(3) * u.mV)
    assert u.get_unit(p.value()) == u.mV
    assert p.value.shape == (3,)


def test_fit_false_stores_a_raw_array():
    m = Module()
    m.w = Param(jnp.ones(2), fit=False)
    m.t = Param(jnp.ones(2))
    assert not isinstance(m.w.val, brainsim.State)
    assert isinstance(m.w.val, jax.Array)
    assert list(m.states(brainsim.ParamState)) == [("t", "val")]
    assert list(m.states()) == [("t", "val")]
    np.testing.assert_array_equal(m.w.value(), np.ones(2))
    raw_sp = Param(5.0, t=SoftplusT(), fit=False)
    np.testing.assert_allclose(raw_sp.val, _inv_softplus(5.0), rtol=1e-6)


def test_state_path_contract():
    m = Module()
    m.w = Param(1.0)
    m.sub = Module()
    m.sub.tau = Param(10.0, t=SoftplusT())
    assert list(m.states(brainsim.ParamState)) == [("w", "val"), ("sub", "tau", "val")]


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("bad", [lambda x: x, SoftplusT, "softplus", None])
def test_t_must_be_a_transform(bad):
    with pytest.raises(TypeError, match=r"Param\(t=...\): expected an instance of Transform") as e:
        Param(1.0, t=bad)
    assert isinstance(e.value, brainsim.BrainSimError)


@pytest.mark.parametrize("bad", [0.1, SoftplusT(), "l2", L2Reg])
def test_reg_must_be_a_regularization(bad):
    with pytest.raises(ValueError, match=r"Param\(reg=...\): expected None or a Regularization"):
        Param(1.0, reg=bad)


@pytest.mark.parametrize("bad", [3, "f", jnp.ones(2)])
def test_precompute_must_be_callable(bad):
    with pytest.raises(TypeError, match=r"Param\(precompute=...\): expected a callable or None"):
        Param(1.0, precompute=bad)


def test_fit_must_be_a_bool():
    with pytest.raises(TypeError, match=r"Param\(fit=...\): expected a bool"):
        Param(1.0, fit="yes")


def test_value_must_be_numeric():
    with pytest.raises(TypeError, match=r"Param\(value=...\): got a ParamState"):
        Param(brainsim.ParamState(1.0))
    with pytest.raises(TypeError, match=r"Param\(value=...\): expected a number"):
        Param({"a": 1.0})


# ------------------------------------------------------------------ set_value, reg, clip


def test_set_value():
    p = Param(1.0, t=SoftplusT())
    state = p.val
    p.set_value(5.0)
    assert p.val is state  # written in place
    np.testing.assert_allclose(p.val.value, _inv_softplus(5.0), rtol=1e-6)
    np.testing.assert_allclose(p.value(), 5.0, rtol=1e-6)
    q = Param(2 * u.mV, t=SoftplusT(1 * u.mV))
    q.set_value(3 * u.mV)
    assert u.math.allclose(q.value(), 3 * u.mV)
    c = Param(jnp.ones(2), fit=False)
    c.set_value(jnp.zeros(2))
    np.testing.assert_array_equal(c.value(), np.zeros(2))


def test_set_value_invalidates_the_cache():
    p = Param(1.0)
    p.cache()
    p.set_value(4.0)
    assert p.cache_stats == {"valid": False, "has_cached_value": False}
    assert float(p.value()) == 4.0


def test_reg_loss():
    w = Param(jnp.array([1.0, 2.0]), reg=L2Reg(0.1))
    np.testing.assert_allclose(w.reg_loss(), 0.5, rtol=1e-6)
    assert Param(jnp.ones(2)).reg_loss() == 0.0
    assert Param(jnp.ones(2), reg=L2Reg(1.0), fit=False).reg_loss() == 0.0
    # computed on the constrained value
    sp = Param(jnp.array([2.0]), t=SoftplusT(), reg=L1Reg(1.0))
    np.testing.assert_allclose(sp.reg_loss(), 2.0, rtol=1e-5)


def test_reset_to_prior():
    p = Param(jnp.array([1.0, 2.0]), reg=L2Reg(0.1))
    p.reset_to_prior()
    np.testing.assert_array_equal(p.value(), np.zeros(2))
    q = Param(jnp.array([1.0, 2.0]))
    q.reset_to_prior()  # no regularizer: nothing happens
    np.testing.assert_array_equal(q.value(), [1.0, 2.0])
    mv = Param(jnp.ones(3) * u.mV, reg=L1Reg(1.0))
    mv.reset_to_prior()
    assert u.math.allclose(mv.value(), jnp.zeros(3) * u.mV)


def test_clip():
    p = Param(jnp.array([-1.0, 0.5, 3.0]))
    p.clip(0.0, 1.0)
    np.testing.assert_array_equal(p.value(), [0.0, 0.5, 1.0])
    q = Param(jnp.array([-1.0, 3.0]))
    q.clip(min_val=0.0)
    np.testing.assert_array_equal(q.value(), [0.0, 3.0])
    q.clip(max_val=2.0)
    np.testing.assert_array_equal(q.value(), [0.0, 2.0])
    sp = Param(jnp.array([0.5, 5.0]), t=SoftplusT())
    sp.clip(max_val=2.0)  # on the constrained value
    np.testing.assert_allclose(sp.value(), [0.5, 2.0], rtol=1e-5)
    np.testing.assert_allclose(sp.val.value, _inv_softplus([0.5, 2.0]), rtol=1e-5)
    pq = Param(jnp.array([1.0, 5.0]) * u.mV)
    pq.clip(max_val=2 * u.mV)
    assert u.math.allclose(pq.value(), jnp.array([1.0, 2.0]) * u.mV)


# ------------------------------------------------------------------ cache


class Counting:
    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return x * 2


def test_cache_cycle():
    counter = Counting()
    p = Param(jnp.ones(2), precompute=counter)
    assert p.cache_stats == {"valid": False, "has_cached_value": False}
    assert "enabled" not in p.cache_stats
    np.testing.assert_array_equal(p.value(), np.full(2, 2.0))  # precompute applied
    assert p.cache_stats["has_cached_value"] is False  # value() never fills the cache
    out = p.cache()
    np.testing.assert_array_equal(out, np.full(2, 2.0))
    assert p.cache_stats == {"valid": True, "has_cached_value": True}
    calls = counter.calls
    for _ in range(3):
        np.testing.assert_array_equal(p.value(), np.full(2, 2.0))
    assert counter.calls == calls  # served from the cache
    p.clear_cache()
    assert p.cache_stats == {"valid": False, "has_cached_value": False}
    p.value()
    assert counter.calls == calls + 1


def test_writing_the_state_directly_invalidates_the_cache():
    p = Param(jnp.ones(2), t=SoftplusT())
    p.cache()
    p.val.value = jnp.zeros(2)
    assert p.cache_stats["valid"] is False
    np.testing.assert_allclose(p.value(), np.full(2, np.log(2.0)), rtol=1e-6)  # not stale


def test_nothing_is_cached_when_forward_raises():
    t = Flaky()
    p = Param(jnp.ones(2), t=t)
    t.fail = True
    with pytest.raises(FloatingPointError, match="forward failed"):
        p.cache()
    assert p.cache_stats == {"valid": False, "has_cached_value": False}
    t.fail = False
    p.cache()
    t.fail = True
    p.val.value = jnp.zeros(2)
    with pytest.raises(FloatingPointError, match="forward failed"):
        p.cache()
    assert p.cache_stats["valid"] is False  # the stale entry is not revalidated


def test_precompute_error_caches_nothing():
    def boom(x):
        raise ArithmeticError("precompute failed")

    p = Param(1.0, precompute=boom)
    with pytest.raises(ArithmeticError, match="precompute failed"):
        p.cache()
    assert p.cache_stats["has_cached_value"] is False


def test_cache_thread_safety_smoke():
    p = Param(jnp.ones(64))
    a, b = np.ones(64), np.full(64, 3.0)
    errors, seen = [], set()
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                v = np.asarray(p.value())
                if not (np.array_equal(v, a) or np.array_equal(v, b)):
                    errors.append(v)
                seen.add(float(v[0]))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    def writer():
        try:
            for i in range(200):
                p.set_value(b if i % 2 else a)
                p.cache()
                if i % 3 == 0:
                    p.clear_cache()
        except Exception as err:  # noqa: BLE001
            errors.append(err)
        finally:
            stop.set()

    threads = [threading.Thread(target=reader) for _ in range(3)] + [
        threading.Thread(target=writer)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors[:3]
    assert seen <= {1.0, 3.0} and seen


# ------------------------------------------------------------------ gradients


def _tau_model():
    m = Module()
    m.tau = Param(jnp.array([1.0, 2.0]), t=SoftplusT())
    return m


def _expected_grad(m):
    # d/draw sum(softplus(raw)**2) = 2 * softplus(raw) * sigmoid(raw)
    raw = m.tau.val.value
    return 2 * jax.nn.softplus(raw) * jax.nn.sigmoid(raw)


def _loss_of_state(gdef):
    def loss(state):
        local = brainsim.graph.treefy_merge(gdef, state)
        return jnp.sum(local.tau.value() ** 2)

    return loss


def test_grad_through_value_functional_pattern():
    m = _tau_model()
    gdef, state = brainsim.graph.treefy_split(m)
    grads = jax.grad(_loss_of_state(gdef))(state)
    g = grads["tau"]["val"]
    assert isinstance(g, brainsim.TreefyState) and g.type is brainsim.ParamState
    np.testing.assert_allclose(g.value, _expected_grad(m), rtol=1e-5)


def test_grad_wrt_raw_value():
    p = Param(jnp.array([1.0, 2.0]), t=SoftplusT())
    gdef, _ = brainsim.graph.treefy_split(p)

    def loss(raw):
        return jnp.sum(brainsim.graph.treefy_merge(gdef, {"val": raw}).value() ** 2)

    raw = p.val.value
    np.testing.assert_allclose(
        jax.grad(loss)(raw), 2 * jax.nn.softplus(raw) * jax.nn.sigmoid(raw), rtol=1e-5
    )
    np.testing.assert_allclose(jax.jit(loss)(raw), 5.0, rtol=1e-5)


def test_cache_is_trace_safe_under_param_precompute():
    m = _tau_model()
    expected = _expected_grad(m)
    gdef, state = brainsim.graph.treefy_split(m)
    with m.param_precompute():
        assert m.tau.cache_stats["valid"]
        # the graphdef made inside the context carries the warmed cache
        gdef_hot, state_hot = brainsim.graph.treefy_split(m)
        for g, s in ((gdef, state), (gdef_hot, state_hot)):
            grads = jax.grad(_loss_of_state(g))(s)
            np.testing.assert_allclose(grads["tau"]["val"].value, expected, rtol=1e-5)
            assert np.all(np.asarray(grads["tau"]["val"].value) != 0)
        # a clone is trace-safe too
        clone = brainsim.graph.clone(m)
        g2, s2 = brainsim.graph.treefy_split(clone)
        np.testing.assert_allclose(
            jax.grad(_loss_of_state(g2))(s2)["tau"]["val"].value, expected, rtol=1e-5
        )
        # concrete reads still come from the cache, and match
        np.testing.assert_allclose(m.tau.value(), [1.0, 2.0], rtol=1e-6)
    assert m.tau.cache_stats["has_cached_value"] is False


@pytest.mark.skipif(not _has_transform_grad(), reason="brainsim.transform.grad not available")
def test_transform_grad_under_param_precompute():
    m = _tau_model()
    expected = _expected_grad(m)

    def loss():
        return jnp.sum(m.tau.value() ** 2)

    plain = brainsim.transform.grad(loss, grad_states=m.tau.val)()
    np.testing.assert_allclose(plain, expected, rtol=1e-5)
    with m.param_precompute():
        cached = brainsim.transform.grad(loss, grad_states=m.tau.val)()
        np.testing.assert_allclose(cached, expected, rtol=1e-5)
        grads = brainsim.transform.grad(loss, grad_states=m.states(brainsim.ParamState))()
        np.testing.assert_allclose(grads[("tau", "val")], expected, rtol=1e-5)
        assert m.tau.cache_stats["valid"]  # the cache survives the traced call
    assert m.tau.cache_stats["has_cached_value"] is False


# ------------------------------------------------------------------ Param.init


def test_param_init_none():
    assert Param.init(None) is None
    assert Param.init(None, (3,)) is None
    with pytest.raises(ValueError, match="Expect a parameter.*we got None"):
        Param.init(None, allow_none=False)


def test_param_init_passthrough():
    p = Param(jnp.ones(3))
    assert Param.init(p) is p
    assert Param.init(p, (3,)) is p
    assert Param.init(p, (2, 3)) is p


def test_param_init_callable():
    calls = []

    def init(sizes, scale=1.0):
        calls.append((sizes, scale))
        return jnp.full(sizes, scale)

    p = Param.init(init, 4, scale=2.0)
    assert calls == [((4,), 2.0)]
    assert isinstance(p, Const)
    np.testing.assert_array_equal(p.value(), np.full(4, 2.0))
    assert Param.init(init, [2, 3]).value.shape == (2, 3)
    returned = Param(jnp.ones(2))
    assert Param.init(lambda s: returned, (2,)) is returned
    with pytest.raises(ValueError, match="`sizes` is required when `data` is a callable"):
        Param.init(init)


@pytest.mark.parametrize("data", [0.5, 3, np.float32(1.0), jnp.ones(3), np.zeros((2, 3))])
def test_param_init_wraps_scalars_and_arrays_as_const(data):
    p = Param.init(data, (2, 3))
    assert isinstance(p, Const) and p.fit is False
    np.testing.assert_array_equal(np.broadcast_to(p.value(), (2, 3)), np.broadcast_to(data, (2, 3)))


def test_param_init_keeps_units():
    p = Param.init(jnp.ones(3) * u.mV, 3)
    assert u.get_unit(p.value()) == u.mV


@pytest.mark.parametrize(
    ("data", "sizes"),
    [
        (jnp.ones(3), 4),
        (jnp.ones(3), (4,)),
        (jnp.ones(3), 1),  # broadcasting the *sizes* is not allowed
        (jnp.ones((2, 3)), (3,)),
        (jnp.ones((2, 3)), (3, 3)),
        (jnp.ones((2, 1)), [1, 5]),
    ],
)
def test_param_init_shape_mismatch(data, sizes):
    shape = tuple(np.shape(data))
    expected = (sizes,) if isinstance(sizes, int) else tuple(sizes)
    with pytest.raises(ValueError, match="does not match") as info:
        Param.init(data, sizes)
    assert str(shape) in str(info.value) and str(expected) in str(info.value)


@pytest.mark.parametrize(
    ("data", "sizes"),
    [(jnp.ones(3), (2, 3)), (1.0, 7), (jnp.ones((1, 3)), (4, 3)), (jnp.ones(4), [4])],
)
def test_param_init_broadcastable_shapes(data, sizes):
    assert isinstance(Param.init(data, sizes), Param)


def test_param_init_sizes_type_errors():
    with pytest.raises(ValueError, match=r"sizes=...\): expected an int, list or tuple.*str"):
        Param.init(1.0, "3")
    with pytest.raises(TypeError, match=r"sizes=...\): expected an int, list or tuple.*dict"):
        Param.init(1.0, {"n": 3})


# ------------------------------------------------------------------ Const


def test_const():
    c = Const(jnp.array([1.0, 2.0]))
    assert isinstance(c, Param) and c.fit is False
    assert not isinstance(c.val, brainsim.State)
    with pytest.raises(ValueError, match="non-trainable") as info:
        Const(1.0, fit=True)
    assert isinstance(info.value, brainsim.BrainSimError)
    assert Const(1.0, fit=False).fit is False
    assert Const(jnp.ones(2), reg=L2Reg(1.0)).reg_loss() == 0.0
    c.set_value(jnp.array([3.0, 4.0]))
    np.testing.assert_array_equal(c.value(), [3.0, 4.0])
    c.clip(max_val=3.5)
    np.testing.assert_array_equal(c.value(), [3.0, 3.5])
    sp = Const(2.0, t=SoftplusT())
    np.testing.assert_allclose(sp.value(), 2.0, rtol=1e-6)
    m = Module()
    m.c = c
    assert list(m.states()) == [] and m.parameters().keys() == []
    assert m.param_modules().keys() == ["c"]


# ------------------------------------------------------------------ value accessor


def test_value_accessor_delegates():
    p = Param(jnp.ones((2, 3)))
    assert p.value.shape == (2, 3)
    assert p.value.dtype == jnp.float32
    assert p.value.ndim == 2
    assert p.shape == (2, 3)
    assert "1." in repr(p.value)
    q = Param(jnp.ones(2) * u.mV)
    assert q.value.unit == u.mV
    assert callable(p.value)
