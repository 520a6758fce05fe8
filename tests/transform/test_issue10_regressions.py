"""Regression tests for issue 10 (correctness sweep): transforms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import transform


# ---------------------------------------------------------------- item 1: errors under vmap
def test_jit_error_if_under_vmap_fires_only_for_lanes_whose_predicate_holds():
    f = lambda x: (transform.jit_error_if(x > 100, "too big: {}", x), x)[1]
    np.testing.assert_array_equal(jax.vmap(f)(jnp.arange(3)), jnp.arange(3))
    with pytest.raises(Exception, match="too big: 101"):
        jax.block_until_ready(jax.vmap(f)(jnp.array([1, 101, 2])))


def test_ifelse_under_vmap_counts_true_conditions_per_lane():
    def f(x):
        return transform.ifelse([x < 0, x >= 0], [lambda: -1.0, lambda: 1.0])

    np.testing.assert_allclose(jax.vmap(f)(jnp.array([-2.0, 3.0])), [-1.0, 1.0])
    g = lambda x: transform.ifelse([x < 0, x < 1], [lambda: -1.0, lambda: 1.0])
    with pytest.raises(Exception, match="exactly one condition must be true, got 2"):
        jax.block_until_ready(jax.vmap(g)(jnp.array([0.5, -1.0])))


# ------------------------------------------------- item 2: disable_jit combined with vmap
def test_cond_switch_while_under_disable_jit_and_vmap_match_lax():
    xs = jnp.array([-1.0, 2.0, 3.0])
    with jax.disable_jit():
        got = jax.vmap(lambda x: transform.cond(x > 0, lambda y: y * 2, lambda y: -y, x))(xs)
        np.testing.assert_allclose(got, [1.0, 4.0, 6.0])
        idx = jnp.array([0, 1, 5])
        got = jax.vmap(lambda i, x: transform.switch(i, [lambda y: y, lambda y: y * 10], x))(
            idx, xs)
        np.testing.assert_allclose(got, [-1.0, 20.0, 30.0])
        got = jax.vmap(lambda x: transform.while_loop(lambda v: v < 10, lambda v: v * 2, x))(
            jnp.array([1.0, 3.0]))
        np.testing.assert_allclose(got, [16.0, 12.0])


def test_cond_under_disable_jit_and_vmap_writes_states_per_lane():
    s = brainsim.State(jnp.zeros(3))

    def f(x):
        def up(y):
            s.value = s.value + y
            return y

        return transform.cond(x > 0, up, lambda y: y, x)

    with jax.disable_jit():
        transform.vmap(f, in_states={0: [s]})(jnp.array([-1.0, 2.0, 3.0]))
    np.testing.assert_allclose(s.value, [0.0, 2.0, 3.0])


# ---------------------------------------------------------------- silent acceptance
@pytest.mark.parametrize("pred", [object(), "yes", None])
def test_cond_rejects_a_non_numeric_predicate(pred):
    with pytest.raises(TypeError, match="cond: the predicate must be a scalar bool or number"):
        transform.cond(pred, lambda: 1.0, lambda: 0.0)


@pytest.mark.parametrize("index", [1.5, jnp.float32(1.0)])
def test_switch_rejects_a_float_index(index):
    with pytest.raises(TypeError, match="switch: the index must be an integer scalar"):
        transform.switch(index, [lambda: 1.0, lambda: 0.0])


# ------------------------------------------------- item 8: Jacobians of tuple outputs
@pytest.mark.parametrize("kind", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("argnums", [0, (0, 1)])
def test_jacobian_of_a_tuple_output_matches_jax(kind, argnums):
    f = lambda x, y: (x * y, jnp.sin(x).sum())
    x, y = jnp.array([1.0, 2.0]), jnp.array([3.0, 4.0])
    got = getattr(transform, kind)(f, argnums=argnums)(x, y)
    want = getattr(jax, kind)(f, argnums=argnums)(x, y)
    assert jax.tree.structure(got) == jax.tree.structure(want)
    jax.tree.map(np.testing.assert_allclose, got, want)


def test_jacobian_of_a_dict_output_with_states_is_output_major():
    w = brainsim.ParamState(jnp.array([1.0, 2.0]))
    f = lambda x: {"a": w.value * x, "b": (w.value ** 2).sum()}
    g_states, g_x = transform.jacrev(f, grad_states={"w": w}, argnums=0)(jnp.ones(2))
    np.testing.assert_allclose(g_states["a"]["w"], jnp.diag(jnp.ones(2)))
    np.testing.assert_allclose(g_states["b"]["w"], [2.0, 4.0])
    np.testing.assert_allclose(g_x["a"], jnp.diag(w.value))


# ------------------------------------------------- missing: vjp / jvp over States
def test_vjp_gives_state_cotangents_with_grad_states():
    w = brainsim.ParamState(jnp.array([1.0, 2.0]))
    f = lambda x: w.value * x
    x = jnp.array([3.0, 5.0])
    out, f_vjp = transform.vjp(f, x, grad_states={"w": w})
    np.testing.assert_allclose(out, [3.0, 10.0])
    np.testing.assert_allclose(f_vjp(jnp.ones(2))["w"], x)
    _, f_vjp = transform.vjp(f, x, grad_states=w, argnums=0)
    g_w, g_x = f_vjp(jnp.ones(2))
    np.testing.assert_allclose(g_w, x)
    np.testing.assert_allclose(g_x, w.value)
    _, f_vjp = transform.vjp(lambda a, b: a * b, x, x, argnums=(1,))
    np.testing.assert_allclose(f_vjp(jnp.ones(2))[0], x)


def test_jvp_takes_state_tangents_with_grad_states():
    w = brainsim.ParamState(jnp.array([1.0, 2.0]))
    f = lambda x: (w.value * x).sum()
    x = jnp.array([3.0, 5.0])
    out, t = transform.jvp(f, (x,), [jnp.array([1.0, 0.0])], grad_states=[w])
    np.testing.assert_allclose([out, t], [13.0, 3.0])
    out, t = transform.jvp(f, (x,), ({"w": jnp.ones(2)}, jnp.ones(2)),
                           grad_states={"w": w}, argnums=0)
    np.testing.assert_allclose(t, 8.0 + 3.0)


def test_vjp_and_jvp_reject_a_grad_state_the_function_never_reads():
    w = brainsim.ParamState(jnp.ones(2))
    with pytest.raises(ValueError, match="vjp: a State in grad_states .* is never read"):
        transform.vjp(lambda x: x * 2, jnp.ones(2), grad_states=w)


# ---------------------------------------------------------------- silent acceptance
def test_fwd_grad_rejects_a_non_scalar_output():
    with pytest.raises(TypeError, match="fwd_grad: the function must return a scalar"):
        transform.fwd_grad(lambda x: x ** 2, key=jax.random.PRNGKey(0))(jnp.ones(3))


# ------------------------------------------------- item 4: jit shardings are the user's
def test_jit_shardings_apply_to_the_users_arguments_and_outputs_only():
    from jax.sharding import Mesh, NamedSharding
    from jax.sharding import PartitionSpec as P

    mesh = Mesh(np.array(jax.devices()), ("x",))
    rep = NamedSharding(mesh, P())
    counter = brainsim.State(jnp.zeros(2))

    def f(x, y):
        counter.value += x
        return x + y, {"a": x * 2}

    x = jnp.ones(2)
    g = transform.jit(f, in_shardings=(rep, rep), out_shardings=rep)
    out, aux = g(x, x)
    np.testing.assert_allclose(out, 2.0)
    assert out.sharding.is_equivalent_to(rep, out.ndim)
    g2 = transform.jit(f, in_shardings=rep, out_shardings=(rep, {"a": rep}))
    out, aux = g2(x, x)
    np.testing.assert_allclose(aux["a"], 2.0)
    np.testing.assert_allclose(counter.value, 2.0)  # both calls updated the State
    with pytest.raises(ValueError, match=r"jit\(in_shardings=...\): expected one sharding per"):
        transform.jit(f, in_shardings=(rep,))(x, x)


# ------------------------------------------------- item 3: jit runs the function once
def test_jit_runs_the_python_function_once_per_signature():
    calls = []
    counter = brainsim.State(jnp.zeros(2))

    @transform.jit
    def step(x):
        calls.append(1)
        counter.value += x
        return counter.value * 2

    np.testing.assert_allclose(step(jnp.ones(2)), 2.0)
    np.testing.assert_allclose(step(jnp.ones(2)), 4.0)
    assert len(calls) == 1
    step.clear_cache()
    np.testing.assert_allclose(step(jnp.ones(2)), 6.0)
    assert len(calls) == 2
    counter.value = jnp.zeros(3)  # a State's shape changes: one new trace, right values
    np.testing.assert_allclose(step(jnp.ones(3)), 2.0)
    assert len(calls) == 3


def test_jit_with_a_state_created_lazily_on_the_first_run():
    class Lazy(brainsim.nn.Module):
        def update(self, x):
            if not hasattr(self, "acc"):
                self.acc = brainsim.State(jnp.zeros(()))
            self.acc.value = self.acc.value + x
            return self.acc.value * 3

    m = Lazy()
    f = transform.jit(lambda x: m(x))
    assert float(f(1.0)) == 3.0
    assert float(f(2.0)) == 6.0  # the State is local to the trace (API.md A.3)


def test_jit_once_with_nested_transforms_reading_states():
    w = brainsim.State(jnp.array(2.0))
    h = brainsim.State(jnp.array(0.0))
    calls = []

    @transform.jit
    def run(xs):
        calls.append(1)

        def body(x):
            h.value = h.value * 0.5 + w.value * x
            return h.value

        return transform.for_loop(body, xs)

    ys = run(jnp.ones(3))
    np.testing.assert_allclose(ys, [2.0, 3.0, 3.5])
    np.testing.assert_allclose(run(jnp.ones(3))[0], 3.75)
    assert len(calls) == 1 and float(h.value) == pytest.approx(3.9375)
