"""State-aware differentiation (API.md E.2), checked against JAX on equivalent pure functions."""

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim.transform import (
    for_loop,
    grad,
    hessian,
    jacfwd,
    jacrev,
    jit,
    jvp,
    value_and_grad,
    vector_grad,
    vjp,
)


@pytest.fixture
def x64():
    """Enable float64 for the test and restore the previous setting afterwards."""
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", old)


def close(a, b, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


W0 = jnp.array([0.5, -1.0, 2.0])
B0 = jnp.array(0.3)
X = jnp.array([1.0, 2.0, -0.5])


def pure_loss(w, b, x):
    return jnp.sum(jnp.tanh(w * x + b) ** 2)


def make_states():
    w, b = brainsim.ParamState(W0), brainsim.ParamState(B0)

    def loss(x):
        return jnp.sum(jnp.tanh(w.value * x + b.value) ** 2)

    return w, b, loss


# ------------------------------------------------------------------ grad_states containers


def test_grad_single_state():
    w, _, loss = make_states()
    g = grad(loss, grad_states=w)(X)
    close(g, jax.grad(pure_loss, argnums=0)(W0, B0, X))


@pytest.mark.parametrize("container", [list, tuple])
def test_grad_list_and_tuple(container):
    w, b, loss = make_states()
    g = grad(loss, grad_states=container([w, b]))(X)
    assert type(g) is container and len(g) == 2
    gw, gb = jax.grad(pure_loss, argnums=(0, 1))(W0, B0, X)
    close(g[0], gw)
    close(g[1], gb)


def test_grad_dict():
    w, b, loss = make_states()
    g = grad(loss, grad_states={"w": w, "b": b})(X)
    assert isinstance(g, dict) and list(g) == ["w", "b"]
    gw, gb = jax.grad(pure_loss, argnums=(0, 1))(W0, B0, X)
    close(g["w"], gw)
    close(g["b"], gb)


class Affine(brainsim.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = brainsim.ParamState(W0)
        self.b = brainsim.ParamState(B0)
        self.h = brainsim.HiddenState(jnp.zeros(3))  # not a parameter

    def update(self, x):
        self.h.value = jnp.tanh(self.w.value * x + self.b.value)
        return jnp.sum(self.h.value**2)


def test_grad_flat_state_dict_keeps_type_and_keys():
    m = Affine()
    params = m.states(brainsim.ParamState)
    g = grad(m.update, grad_states=params)(X)
    assert type(g) is type(params)
    assert list(g.keys()) == [("w",), ("b",)]
    gw, gb = jax.grad(pure_loss, argnums=(0, 1))(W0, B0, X)
    close(g[("w",)], gw)
    close(g[("b",)], gb)
    # the written hidden state is updated after the call, exactly as in eager mode
    close(m.h.value, jnp.tanh(W0 * X + B0))


def test_grad_as_decorator_factory():
    w, _, loss = make_states()
    g = grad(grad_states=w)(loss)(X)
    close(g, jax.grad(pure_loss)(W0, B0, X))


# ------------------------------------------------------------------ argnums / return forms


def test_argnums_conventions():
    w, b, loss2 = make_states()

    def loss(x, y):
        return loss2(x) * y

    def pure(w_, x, y):
        return pure_loss(w_, B0, x) * y

    y = jnp.array(1.5)
    # neither states nor argnums: gradient w.r.t. argument 0
    close(grad(loss)(X, y), jax.grad(pure, argnums=1)(W0, X, y))
    # argnums alone
    close(grad(loss, argnums=1)(X, y), jax.grad(pure, argnums=2)(W0, X, y))
    gx, gy = grad(loss, argnums=(0, 1))(X, y)
    close(gx, jax.grad(pure, argnums=1)(W0, X, y))
    close(gy, jax.grad(pure, argnums=2)(W0, X, y))
    # states and argnums: (state_grads, arg_grads)
    g_states, g_arg = grad(loss, grad_states=[w], argnums=0)(X, y)
    close(g_states[0], jax.grad(pure, argnums=0)(W0, X, y))
    close(g_arg, jax.grad(pure, argnums=1)(W0, X, y))
    # states only
    close(grad(loss, grad_states=w)(X, y), jax.grad(pure, argnums=0)(W0, X, y))


def test_return_value_and_has_aux():
    w, _, loss = make_states()
    expected_g = jax.grad(pure_loss)(W0, B0, X)
    expected_v = pure_loss(W0, B0, X)

    g, v = grad(loss, grad_states=w, return_value=True)(X)
    close(g, expected_g)
    close(v, expected_v)

    def with_aux(x):
        out = loss(x)
        return out, {"twice": out * 2}

    g, aux = grad(with_aux, grad_states=w, has_aux=True)(X)
    close(g, expected_g)
    close(aux["twice"], 2 * expected_v)

    g, v, aux = grad(with_aux, grad_states=w, has_aux=True, return_value=True)(X)
    close(g, expected_g)
    close(v, expected_v)
    close(aux["twice"], 2 * expected_v)


@pytest.mark.parametrize("bad", [lambda v: v, lambda v: (v, v, v), lambda v: [v, v]])
def test_has_aux_requires_a_pair(bad):
    w, _, loss = make_states()
    with pytest.raises(TypeError, match=r"has_aux=True.*must return a pair"):
        grad(lambda x: bad(loss(x)), grad_states=w, has_aux=True)(X)


def test_unused_grad_state_raises_unless_check_states_false():
    w, b, loss = make_states()
    unused = brainsim.ParamState(jnp.ones(2), name="unused")
    with pytest.raises(
        ValueError, match=r"grad: a State in grad_states \(ParamState 'unused'.*is never read"
    ):
        grad(loss, grad_states=[w, unused])(X)
    g = grad(loss, grad_states=[w, unused], check_states=False)(X)
    close(g[0], jax.grad(pure_loss)(W0, B0, X))
    np.testing.assert_array_equal(g[1], jnp.zeros(2))


def test_written_states_are_updated_after_grad():
    w, _, loss = make_states()
    calls = brainsim.State(jnp.zeros((), jnp.int32))
    last = brainsim.State(jnp.zeros(()))

    def counted(x):
        calls.value += 1
        out = loss(x)
        last.value = out
        return out

    f = grad(counted, grad_states=w)
    f(X)
    f(X)
    assert int(calls.value) == 2
    close(last.value, pure_loss(W0, B0, X))
    assert not isinstance(last.value, jax.core.Tracer)
    close(w.value, W0)  # grad does not change the parameters


def test_value_and_grad_uses_jax_order():
    w, _, loss = make_states()
    v, g = value_and_grad(loss, grad_states=w)(X)
    ev, eg = jax.value_and_grad(pure_loss)(W0, B0, X)
    close(v, ev)
    close(g, eg)
    (v, aux), g = value_and_grad(lambda x: (loss(x), 7.0), grad_states=w, has_aux=True)(X)
    close(v, ev)
    close(g, eg)
    assert aux == 7.0


# ------------------------------------------------------------------ other derivatives


def test_vector_grad():
    w = brainsim.ParamState(W0)

    def f(x):
        return w.value * x**2

    gw, gx = vector_grad(f, grad_states=w, argnums=0)(X)
    close(gw, X**2)
    close(gx, 2 * W0 * X)
    close(vector_grad(lambda x: jnp.sin(x))(X), jnp.cos(X))
    g, v = vector_grad(f, grad_states=w, return_value=True)(X)
    close(v, W0 * X**2)


@pytest.mark.parametrize("ours, theirs", [(jacrev, jax.jacrev), (jacfwd, jax.jacfwd)])
def test_jacobians_match_jax(ours, theirs):
    w = brainsim.ParamState(W0)

    def f(x):
        return jnp.tanh(w.value[:, None] * x[None, :]).sum(axis=1)

    def pure(w_, x):
        return jnp.tanh(w_[:, None] * x[None, :]).sum(axis=1)

    jw, jx = ours(f, grad_states=w, argnums=0)(X)
    ew, ex = theirs(pure, argnums=(0, 1))(W0, X)
    assert jw.shape == (3, 3)
    close(jw, ew)
    close(jx, ex)
    close(ours(lambda x: pure(W0, x))(X), theirs(pure, argnums=1)(W0, X))


def test_hessian_matches_jax():
    w = brainsim.ParamState(W0)

    def f(x):
        return jnp.sum(jnp.sin(w.value * x) * x)

    def pure(w_, x):
        return jnp.sum(jnp.sin(w_ * x) * x)

    close(hessian(f)(X), jax.hessian(pure, argnums=1)(W0, X))
    # the remaining checks run under jit (the same transform; much cheaper than eager)
    close(jit(hessian(f, grad_states=w))(X), jax.hessian(pure, argnums=0)(W0, X))
    # several variables: nested blocks, as in jax.hessian
    h = jit(hessian(lambda x, y: f(x) * y, argnums=(0, 1)))(X, 2.0)
    e = jax.hessian(lambda x, y: pure(W0, x) * y, argnums=(0, 1))(X, 2.0)
    for i in range(2):
        for j in range(2):
            close(h[i][j], e[i][j])
    b = brainsim.ParamState(jnp.array(0.5))
    hs = jit(hessian(lambda x: f(x) * b.value, grad_states={"w": w, "b": b}))(X)
    es = jax.hessian(lambda w_, b_: pure(w_, X) * b_, argnums=(0, 1))(W0, jnp.array(0.5))
    assert set(hs) == {"w", "b"} and set(hs["w"]) == {"w", "b"}  # jit sorts dict keys
    close(hs["w"]["w"], es[0][0])
    close(hs["w"]["b"], es[0][1])
    close(hs["b"]["w"], es[1][0])
    close(hs["b"]["b"], es[1][1])


def test_vjp_and_jvp_match_jax_and_update_states():
    w = brainsim.ParamState(W0)
    seen = brainsim.State(jnp.zeros(3))

    def f(x):
        seen.value = x
        return jnp.tanh(w.value * x)

    def pure(x):
        return jnp.tanh(W0 * x)

    out, f_vjp = vjp(f, X)
    eout, e_vjp = jax.vjp(pure, X)
    close(out, eout)
    ct = jnp.array([1.0, -2.0, 0.5])
    close(f_vjp(ct)[0], e_vjp(ct)[0])
    close(seen.value, X)

    seen.value = jnp.zeros(3)
    t = jnp.array([0.1, 0.2, 0.3])
    out, t_out = jvp(f, (X,), (t,))
    eout, et_out = jax.jvp(pure, (X,), (t,))
    close(out, eout)
    close(t_out, et_out)
    close(seen.value, X)

    out, t_out, aux = jvp(lambda x: (f(x), "aux"), (X,), (t,), has_aux=True)
    assert aux == "aux"
    out, f_vjp, aux = vjp(lambda x: (f(x), 3), X, has_aux=True)
    assert aux == 3


# ------------------------------------------------------------------ units


def test_unit_aware_gradient_units():
    w = brainsim.ParamState(jnp.array([1.0, 2.0]) * u.mV)
    duration = 3.0 * u.second

    def loss(x):
        return jnp.sum((w.value * duration * x).mantissa) * (u.mV * u.second)

    g, v = grad(loss, grad_states=w, unit_aware=True, return_value=True)(jnp.ones(2))
    assert isinstance(g, u.Quantity)
    assert g.unit.has_same_dim(u.second)  # unit(loss) / unit(param)
    close(g.to_decimal(u.second), jnp.array([3.0, 3.0]))
    assert v.unit.has_same_dim(u.mV * u.second)

    def loss2(x):
        return u.math.sum(w.value * x) ** 2 / u.mV

    g2 = grad(loss2, grad_states=w, unit_aware=True)(jnp.ones(2))
    assert u.get_unit(g2).is_unitless  # (mV^2 / mV) / mV: dimensionless
    close(u.get_mantissa(g2), jnp.array([6.0, 6.0]))
    # argument gradients get unit(loss) / unit(argument)
    gs, gx = grad(loss, grad_states=w, argnums=0, unit_aware=True)(jnp.ones(2) * u.ms)
    assert gx.unit.has_same_dim(u.mV * u.second / u.ms)
    assert gs.unit.has_same_dim(u.second)


# ------------------------------------------------------------------ through loops and jit


class Recurrent(brainsim.nn.Module):
    """h <- tanh(W h + U x_t)."""

    def __init__(self, n_in, n_h, rng):
        super().__init__()
        self.W = brainsim.ParamState(jnp.asarray(0.4 * rng.normal(size=(n_h, n_h))))
        self.U = brainsim.ParamState(jnp.asarray(0.6 * rng.normal(size=(n_h, n_in))))
        self.h = brainsim.HiddenState(jnp.zeros(n_h, jnp.float64))

    def update(self, x):
        self.h.value = jnp.tanh(self.W.value @ self.h.value + self.U.value @ x)
        return self.h.value


def recurrent_pure_loss(W, U, xs):
    def step(h, x):
        h = jnp.tanh(W @ h + U @ x)
        return h, h

    _, ys = jax.lax.scan(step, jnp.zeros(W.shape[0], W.dtype), xs)
    return jnp.sum(ys**2)


def recurrent_setup(T):
    rng = np.random.default_rng(0)
    m = Recurrent(3, 5, rng)
    xs = jnp.asarray(rng.normal(size=(T, 3)))

    def loss(xs):
        m.h.value = jnp.zeros_like(m.h.value)
        ys = for_loop(m.update, xs)
        return jnp.sum(ys**2)

    return m, xs, loss


def test_grad_through_100_step_for_loop_matches_jax(x64):
    """The acceptance test: BPTT over model.states(ParamState) equals jax.grad."""
    m, xs, loss = recurrent_setup(100)
    assert m.W.value.dtype == jnp.float64
    params = m.states(brainsim.ParamState)
    g = grad(loss, grad_states=params)(xs)
    eW, eU = jax.jit(jax.grad(recurrent_pure_loss, argnums=(0, 1)))(m.W.value, m.U.value, xs)
    assert list(g.keys()) == [("W",), ("U",)]
    assert float(jnp.abs(eW).max()) > 1e-3  # a non-trivial gradient
    np.testing.assert_allclose(g[("W",)], eW, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(g[("U",)], eU, rtol=1e-6, atol=1e-10)
    # the final hidden state was written back, once, as a concrete array
    assert m.h.value.dtype == jnp.float64
    assert not isinstance(m.h.value, jax.core.Tracer)
    assert float(jnp.abs(m.h.value).sum()) > 0


def test_jit_of_grad_of_for_loop_composes(x64):
    m, xs, loss = recurrent_setup(20)
    params = m.states(brainsim.ParamState)
    eager = grad(loss, grad_states=params, return_value=True)(xs)
    jitted = jit(grad(loss, grad_states=params, return_value=True))
    for _ in range(2):
        g, v = jitted(xs)
        np.testing.assert_allclose(v, eager[1], rtol=1e-12)
        for k in params:
            np.testing.assert_allclose(g[k], eager[0][k], rtol=1e-10)
    eW, eU = jax.grad(recurrent_pure_loss, argnums=(0, 1))(m.W.value, m.U.value, xs)
    np.testing.assert_allclose(g[("W",)], eW, rtol=1e-6)
    np.testing.assert_allclose(g[("U",)], eU, rtol=1e-6)


def test_grad_inside_param_precompute_matches_uncached():
    m = brainsim.nn.Module()
    m.tau = brainsim.nn.Param(jnp.array([1.0, 2.0, 5.0]), t=brainsim.nn.SoftplusT())

    def loss(x):
        return jnp.sum((m.tau.value() * x) ** 2)

    params = m.states(brainsim.ParamState)
    assert list(params.keys()) == [("tau", "val")]
    g_plain = grad(loss, grad_states=params)(X)
    with m.param_precompute():
        assert m.tau.cache_stats["valid"]
        g_cached = grad(loss, grad_states=params)(X)
        g_jit = jit(grad(loss, grad_states=params))(X)
    raw = m.tau.val.value
    tau = jax.nn.softplus(raw)
    expected = 2 * tau * X**2 * jax.nn.sigmoid(raw)  # d/d raw of (softplus(raw) x)^2
    close(g_plain[("tau", "val")], expected, rtol=1e-5)
    close(g_cached[("tau", "val")], g_plain[("tau", "val")])
    close(g_jit[("tau", "val")], g_plain[("tau", "val")])
