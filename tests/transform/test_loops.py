"""State-aware loops and the progress bar (API.md E.4)."""

import functools
import io

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim.transform import (
    ProgressBar,
    bounded_while_loop,
    checkpointed_for_loop,
    checkpointed_scan,
    cond,
    for_loop,
    grad,
    jit,
    scan,
    while_loop,
)


class CountingState(brainsim.State):
    """Counts the concrete (non-tracer) values assigned through ``.value``."""

    def __init__(self, value):
        super().__init__(value)
        self.concrete_writes = 0

    def _set(self, v):
        if not any(isinstance(x, jax.core.Tracer) for x in jax.tree.leaves(v)):
            self.concrete_writes += 1
        brainsim.State.value.fset(self, v)

    value = property(brainsim.State.value.fget, _set)


XS = jnp.arange(1.0, 7.0)


# ------------------------------------------------------------------ scan / for_loop


def test_scan_matches_python_loop_and_writes_states_back_once():
    acc = CountingState(jnp.zeros(()))
    scale = brainsim.State(jnp.float32(0.5))
    scale_before = scale.value

    def step(c, x):
        acc.value = acc.value + x
        return c * scale.value + x, acc.value * c

    carry, ys = scan(step, jnp.float32(1.0), XS)
    c, total, e_ys = 1.0, 0.0, []
    for x in np.asarray(XS):
        total += x
        e_ys.append(total * c)
        c = c * 0.5 + x
    np.testing.assert_allclose(carry, c, rtol=1e-6)
    np.testing.assert_allclose(ys, e_ys, rtol=1e-6)
    np.testing.assert_allclose(acc.value, XS.sum())
    assert acc.concrete_writes <= 1  # written back once, not once per step
    assert scale.value is scale_before  # read-only: never written back


def test_for_loop_matches_python_loop():
    v = brainsim.State(jnp.zeros(()))
    w = brainsim.State(jnp.float32(2.0))

    def step(i, x):
        v.value = v.value * 0.5 + x * w.value + i
        return v.value, i * 2

    ys, idx2 = for_loop(step, jnp.arange(6), XS)
    e_v, e_ys = 0.0, []
    for i, x in enumerate(np.asarray(XS)):
        e_v = e_v * 0.5 + x * 2.0 + i
        e_ys.append(e_v)
    np.testing.assert_allclose(ys, e_ys, rtol=1e-6)
    np.testing.assert_array_equal(idx2, jnp.arange(6) * 2)
    np.testing.assert_allclose(v.value, e_v, rtol=1e-6)


def test_ys_stack_pytrees_on_axis_0():
    def step(c, x):
        return c, {"a": x * jnp.ones(3), "b": (x, x**2)}

    _, ys = scan(step, None, {"x": XS}["x"])
    assert ys["a"].shape == (6, 3)
    assert ys["b"][0].shape == (6,) and ys["b"][1].shape == (6,)
    np.testing.assert_allclose(ys["b"][1], XS**2)

    def two(x, y):
        return x + y["k"]

    out = for_loop(two, XS, {"k": XS * 10})
    np.testing.assert_allclose(out, XS * 11)


def test_reverse():
    acc = brainsim.State(jnp.zeros(()))

    def step(c, x):
        acc.value = acc.value * 2 + x
        return c + 1, acc.value

    carry, ys = scan(step, 0, XS, reverse=True)
    e, e_ys = 0.0, [None] * 6
    for i in range(5, -1, -1):
        e = e * 2 + float(XS[i])
        e_ys[i] = e
    assert int(carry) == 6
    np.testing.assert_allclose(ys, e_ys)
    np.testing.assert_allclose(acc.value, e)
    out = for_loop(lambda x: x * 2, XS, reverse=True)
    np.testing.assert_allclose(out, XS * 2)  # ys keep the order of xs


def test_length_without_xs():
    n = brainsim.State(jnp.zeros((), jnp.int32))

    def step(c, _):
        n.value += 1
        return c * 2, c

    carry, ys = scan(step, 1, None, length=4)
    assert int(carry) == 16
    np.testing.assert_array_equal(ys, [1, 2, 4, 8])
    assert int(n.value) == 4


def test_length_errors():
    with pytest.raises(ValueError, match=r"length=4 disagrees with the leading axis of xs \(6\)"):
        scan(lambda c, x: (c, x), 0, XS, length=4)
    with pytest.raises(ValueError, match="leading axes of xs disagree"):
        scan(lambda c, x: (c, x), 0, (XS, jnp.zeros(5)))
    with pytest.raises(ValueError, match="cannot infer the number of iterations"):
        scan(lambda c, x: (c, x), 0, None)
    with pytest.raises(ValueError, match="cannot infer the number of iterations"):
        for_loop(lambda: 1.0)
    with pytest.raises(ValueError, match="leading"):
        for_loop(lambda x: x, jnp.float32(1.0))


def test_disable_jit_runs_a_python_loop():
    acc = brainsim.State(jnp.zeros(()))
    seen = []

    def step(c, x):
        seen.append(isinstance(x, jax.core.Tracer))
        acc.value = acc.value + x
        return c + x, acc.value

    with jax.disable_jit():
        carry, ys = scan(step, 0.0, XS)
        ys2 = for_loop(lambda x: x * 2, XS)
    assert seen == [False] * 6
    np.testing.assert_allclose(carry, XS.sum())
    np.testing.assert_allclose(ys, jnp.cumsum(XS))
    np.testing.assert_allclose(ys2, XS * 2)
    np.testing.assert_allclose(acc.value, XS.sum())


def test_for_loop_with_environ_context():
    v = brainsim.State(jnp.zeros(()))

    def step(i):
        with brainsim.environ.context(i=i, t=i * 0.1):
            v.value = v.value + brainsim.environ.get_t()
            return brainsim.environ.get_i()

    out = for_loop(step, jnp.arange(5))
    np.testing.assert_array_equal(out, jnp.arange(5))
    np.testing.assert_allclose(v.value, 1.0, rtol=1e-6)


class Spiker(brainsim.nn.Module):
    """Integrates its input and resets through ``cond`` when it crosses 1."""

    def __init__(self):
        super().__init__()
        self.v = brainsim.HiddenState(jnp.zeros(()))
        self.n_spikes = brainsim.State(jnp.zeros((), jnp.int32))

    def update(self, x):
        self.v.value = self.v.value + x

        def fire():
            self.v.value = jnp.zeros(())
            self.n_spikes.value += 1
            return jnp.float32(1.0)

        return cond(self.v.value > 1.0, fire, lambda: jnp.float32(0.0))


def test_for_loop_over_module_that_calls_cond():
    xs = jnp.array([0.6, 0.6, 0.3, 0.9, 0.1, 0.2, 1.5])
    m = Spiker()
    spikes = for_loop(m.update, xs)
    v, e_spikes = 0.0, []
    for x in np.asarray(xs):
        v += x
        e_spikes.append(float(v > 1.0))
        v = 0.0 if v > 1.0 else v
    np.testing.assert_array_equal(spikes, e_spikes)
    np.testing.assert_allclose(m.v.value, v, rtol=1e-6)
    assert int(m.n_spikes.value) == sum(e_spikes)


# ------------------------------------------------------------------ checkpointed loops


def _decay_loss(loop, n, **kw):
    w = brainsim.ParamState(jnp.float32(0.9))
    h = brainsim.State(jnp.zeros(()))
    xs = jnp.sin(jnp.arange(n, dtype=jnp.float32))

    def loss(xs):
        h.value = jnp.zeros(())

        def step(c, x):
            h.value = h.value * w.value + x
            return c + h.value**2, h.value

        if loop is for_loop or loop is checkpointed_for_loop:
            ys = loop(lambda x: step(0.0, x)[1], xs, **kw)
            return jnp.sum(ys**2)
        c, ys = loop(step, jnp.float32(0.0), xs, **kw)
        return c + jnp.sum(ys)

    return jit(grad(loss, grad_states=w, return_value=True)), xs, h


@functools.cache
def _reference(loop, n):
    """(gradient, value, final state) of the plain loop (shared across bases)."""
    g_ref, xs, h_ref = _decay_loss(loop, n)
    g, v = g_ref(xs)
    return g, v, h_ref.value


@pytest.mark.parametrize("n", [1, 7, 16, 37, 100])
@pytest.mark.parametrize("base", [2, 4, 16])
def test_checkpointed_scan_equals_scan(n, base):
    g1, v1, h1 = _reference(scan, n)
    g_chk, xs, h_chk = _decay_loss(checkpointed_scan, n, base=base)
    g2, v2 = g_chk(xs)
    np.testing.assert_allclose(v2, v1, rtol=1e-5)
    np.testing.assert_allclose(g2, g1, rtol=1e-5)
    np.testing.assert_allclose(h_chk.value, h1, rtol=1e-5)


@pytest.mark.parametrize("n, base", [(1, 2), (37, 4), (100, 16)])
def test_checkpointed_for_loop_equals_for_loop(n, base):
    g1, v1, h1 = _reference(for_loop, n)
    g_chk, xs, h_chk = _decay_loss(checkpointed_for_loop, n, base=base)
    g2, v2 = g_chk(xs)
    np.testing.assert_allclose(v2, v1, rtol=1e-5)
    np.testing.assert_allclose(g2, g1, rtol=1e-5)
    np.testing.assert_allclose(h_chk.value, h1, rtol=1e-5)


def test_checkpointed_values_without_grad():
    acc = brainsim.State(jnp.zeros(()))

    def step(c, x):
        acc.value += x
        return c + 1, acc.value

    c, ys = checkpointed_scan(step, 0, XS, base=2)
    assert int(c) == 6
    np.testing.assert_allclose(ys, jnp.cumsum(XS))
    np.testing.assert_allclose(acc.value, XS.sum())
    ys = checkpointed_for_loop(lambda x: x * 3, XS, base=4)
    np.testing.assert_allclose(ys, XS * 3)


@pytest.mark.parametrize("base", [1, 0, -3, 2.5, True, "16"])
def test_checkpointed_base_must_be_an_int_at_least_2(base):
    with pytest.raises(ValueError, match=r"base=\.\.\.\): expected an int >= 2"):
        checkpointed_scan(lambda c, x: (c, x), 0, XS, base=base)
    with pytest.raises(ValueError, match="expected an int >= 2"):
        checkpointed_for_loop(lambda x: x, XS, base=base)


def test_checkpointed_needs_at_least_one_iteration():
    with pytest.raises(ValueError, match="at least one iteration"):
        checkpointed_scan(lambda c, x: (c, x), 0, jnp.zeros(0))
    with pytest.raises(ValueError, match="at least one iteration"):
        checkpointed_for_loop(lambda x: x, jnp.zeros(0))


# ------------------------------------------------------------------ while loops


def test_while_loop_with_states():
    n = brainsim.State(jnp.zeros((), jnp.int32))
    limit = brainsim.State(jnp.float32(100.0))
    limit_before = limit.value

    def body(x):
        n.value += 1
        return x * 2

    out = while_loop(lambda x: x < limit.value, body, jnp.float32(1.0))
    assert float(out) == 128.0
    assert int(n.value) == 7
    assert limit.value is limit_before
    # inside jit
    f = jit(lambda x: while_loop(lambda v: v < limit.value, body, x))
    assert float(f(jnp.float32(3.0))) == 192.0
    assert int(n.value) == 13


def test_while_loop_cond_fun_must_not_write_states():
    s = brainsim.State(jnp.zeros(()), name="s")

    def bad_cond(x):
        s.value = s.value + 1
        return x < 3

    with pytest.raises(ValueError, match=r"cond_fun must not write States.*'s'"):
        while_loop(bad_cond, lambda x: x + 1, 0)
    with pytest.raises(ValueError, match="cond_fun must not write States"):
        bounded_while_loop(bad_cond, lambda x: x + 1, 0, max_steps=5)
    assert float(s.value) == 0.0


def test_bounded_while_loop_values_and_grad():
    def f(x):
        return bounded_while_loop(lambda v: v < 10.0, lambda v: v * 2.0, x, max_steps=20)

    assert float(f(1.0)) == 16.0
    assert float(f(3.0)) == 12.0
    assert float(jax.grad(f)(1.0)) == 16.0
    assert float(jax.grad(f)(3.0)) == 4.0
    # the step limit wins when the condition stays true
    g = lambda x: bounded_while_loop(lambda v: v < 1e9, lambda v: v + 1.0, x, max_steps=5)
    assert float(g(0.0)) == 5.0


def test_bounded_while_loop_with_state_and_state_grad():
    w = brainsim.ParamState(jnp.float32(1.5))
    n = brainsim.State(jnp.zeros((), jnp.int32))

    def body(v):
        n.value += 1
        return v * w.value

    def loss():
        return bounded_while_loop(lambda v: v < 5.0, body, jnp.float32(1.0), max_steps=10, base=2)

    out = loss()
    assert float(out) == pytest.approx(1.5**4)
    assert int(n.value) == 4
    g = jit(grad(loss, grad_states=w))()
    assert float(g) == pytest.approx(4 * 1.5**3, rel=1e-5)
    assert int(n.value) == 8  # the body ran (and wrote n) once more per step under grad


def test_bounded_while_loop_max_steps():
    init = jnp.ones(3)
    assert bounded_while_loop(lambda v: True, lambda v: v + 1, init, max_steps=0) is init
    with pytest.raises(ValueError, match="non-negative int, got -1"):
        bounded_while_loop(lambda v: True, lambda v: v, init, max_steps=-1)
    for bad in (2.5, "3", None, True):
        with pytest.raises(TypeError, match="expected a non-negative int"):
            bounded_while_loop(lambda v: True, lambda v: v, init, max_steps=bad)


# ------------------------------------------------------------------ progress bar


def test_progress_bar_argument_validation():
    with pytest.raises(ValueError, match=r"freq=\.\.\.\): expected > 0"):
        ProgressBar(freq=0)
    with pytest.raises(ValueError, match="expected > 0"):
        ProgressBar(freq=-2)
    with pytest.raises(ValueError, match="expected > 0"):
        ProgressBar(count=0)
    with pytest.raises(ValueError, match="either freq .* or count .*, not both"):
        ProgressBar(freq=2, count=3)
    with pytest.raises(TypeError, match="expected an int"):
        ProgressBar(freq=2.5)
    with pytest.raises(TypeError, match="desc"):
        ProgressBar(desc=("only a format",))
    with pytest.raises(ValueError, match=r"freq must be <= the number of iterations \(3\)"):
        for_loop(lambda x: x, jnp.arange(3), pbar=ProgressBar(freq=5, disable=True))
    with pytest.raises(TypeError, match="pbar"):
        for_loop(lambda x: x, jnp.arange(3), pbar="fast")


def _bar_output(pbar_kwargs, n=10, loop=for_loop):
    buf = io.StringIO()
    bar = ProgressBar(file=buf, ascii=True, **pbar_kwargs)
    ys = loop(lambda x: x * 2, jnp.arange(n), pbar=bar)
    jax.effects_barrier()
    return ys, buf.getvalue()


def test_progress_bar_reaches_n():
    ys, text = _bar_output({"freq": 3})
    np.testing.assert_array_equal(ys, jnp.arange(10) * 2)
    assert "10/10" in text and "100%" in text
    assert "Running for 10 iterations" in text


def test_progress_bar_count_and_default():
    _, text = _bar_output({"count": 2})
    assert "10/10" in text
    _, text = _bar_output({}, n=40)
    assert "40/40" in text


def test_progress_bar_in_checkpointed_loop():
    ys, text = _bar_output(
        {"freq": 2}, n=9, loop=lambda f, xs, pbar: checkpointed_for_loop(f, xs, pbar=pbar, base=2)
    )
    np.testing.assert_array_equal(ys, jnp.arange(9) * 2)
    assert "9/9" in text


def test_progress_bar_desc_forms():
    _, text = _bar_output({"freq": 5, "desc": "training"})
    assert "training" in text and "10/10" in text
    fmt = ("step {i} y={y:.0f}", lambda d: {"i": int(d["i"]), "y": float(d["y"])})
    _, text = _bar_output({"freq": 5, "desc": fmt})
    assert "step 10 y=18" in text  # the last update: i = n, y = last output


def test_int_shorthand_and_disabled_bar_give_identical_results(capsys):
    v = brainsim.State(jnp.zeros(()))

    def step(x):
        v.value = v.value * 0.9 + x
        return v.value

    xs = jnp.linspace(0.0, 1.0, 10)
    plain = for_loop(step, xs)
    v.value = jnp.zeros(())
    disabled = for_loop(step, xs, pbar=ProgressBar(freq=5, disable=True))
    v.value = jnp.zeros(())
    shorthand = for_loop(step, xs, pbar=5)
    jax.effects_barrier()
    np.testing.assert_array_equal(disabled, plain)
    np.testing.assert_array_equal(shorthand, plain)
    assert "10/10" in capsys.readouterr().err  # pbar=5 is ProgressBar(freq=5)


def test_no_callback_in_compiled_loop_without_progress_bar():
    xs = jnp.arange(10.0)

    def run(pbar):
        return lambda xs: for_loop(lambda x: x * 2, xs, pbar=pbar)

    assert "callback" not in str(jax.make_jaxpr(run(None))(xs))
    assert "callback" in str(jax.make_jaxpr(run(ProgressBar(freq=5, disable=True)))(xs))
    assert "callback" in str(jax.make_jaxpr(run(5))(xs))
