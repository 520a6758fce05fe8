"""State-aware conditionals (API.md E.5)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim.transform import cond, ifelse, jit, jit_error_if, switch


def make_two_states():
    a = brainsim.State(jnp.zeros(2))
    b = brainsim.State(jnp.zeros(2))

    def on_true(x):
        a.value = a.value + x
        return x * 2

    def on_false(x):
        b.value = b.value - x
        return x * 3

    return a, b, on_true, on_false


X = jnp.array([1.0, 2.0])


@pytest.mark.parametrize("use_jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("pred", [True, False])
def test_cond_only_taken_branch_writes_take_effect(pred, use_jit):
    a, b, on_true, on_false = make_two_states()
    f = lambda p, x: cond(p, on_true, on_false, x)
    if use_jit:
        f = jit(f)
    out = f(jnp.asarray(pred), X)
    out = f(jnp.asarray(pred), X)
    if pred:
        np.testing.assert_allclose(out, X * 2)
        np.testing.assert_allclose(a.value, X * 2)
        np.testing.assert_allclose(b.value, 0.0)
    else:
        np.testing.assert_allclose(out, X * 3)
        np.testing.assert_allclose(a.value, 0.0)
        np.testing.assert_allclose(b.value, -X * 2)


def test_cond_read_only_state_in_a_branch_is_untouched():
    r = brainsim.State(jnp.ones(2))
    before = r.value
    out = cond(True, lambda x: x + r.value, lambda x: x, X)
    np.testing.assert_allclose(out, X + 1)
    assert r.value is before


@pytest.mark.parametrize("pred", [1, 0.0, np.bool_(True), jnp.asarray(2)])
def test_cond_accepts_scalar_bool_or_number(pred):
    out = cond(pred, lambda: jnp.float32(1.0), lambda: jnp.float32(0.0))
    assert float(out) == float(bool(pred))


@pytest.mark.parametrize(
    "pred",
    [jnp.array([True, False]), np.ones((1,), bool), [True], (True,)],
    ids=["jax-shape-2", "numpy-shape-1", "list", "tuple"],
)
def test_cond_non_scalar_predicate_raises_type_error(pred):
    with pytest.raises(TypeError, match="cond: the predicate must be a scalar"):
        cond(pred, lambda: 1.0, lambda: 0.0)


def test_cond_non_scalar_predicate_inside_jit_raises_type_error():
    with pytest.raises(TypeError, match="shape \\(2,\\)"):
        jit(lambda p: cond(p, lambda: 1.0, lambda: 0.0))(jnp.array([True, False]))


# ------------------------------------------------------------------ switch


def test_switch_clamps_the_index():
    branches = [lambda x: x, lambda x: x * 10, lambda x: x * 100]
    for index, expected in [(-3, 1.0), (0, 1.0), (1, 10.0), (2, 100.0), (7, 100.0)]:
        assert float(switch(index, branches, 1.0)) == expected
    f = jit(lambda i: switch(i, branches, 1.0))
    for index, expected in [(-1, 1.0), (1, 10.0), (99, 100.0)]:
        assert float(f(index)) == expected


def test_switch_with_states():
    s = brainsim.State(jnp.zeros(()))

    def add(k):
        def br(x):
            s.value = s.value + k * x
            return s.value

        return br

    f = jit(lambda i, x: switch(i, [add(1.0), add(10.0), add(100.0)], x))
    f(1, 1.0)
    f(5, 1.0)
    f(-5, 2.0)
    assert float(s.value) == 10.0 + 100.0 + 2.0


def test_switch_empty_and_single_branch():
    with pytest.raises(ValueError, match="branches must not be empty"):
        switch(0, [], 1.0)
    calls = []

    def only(x):
        calls.append(isinstance(x, jax.core.Tracer))
        return x + 1

    assert switch(5, [only], 1.0) == 2.0  # called directly, no tracing
    assert calls == [False]
    with pytest.raises(TypeError, match="the index must be a scalar"):
        switch(jnp.array([0, 1]), [only, only], 1.0)


# ------------------------------------------------------------------ ifelse


def test_ifelse_picks_the_true_branch():
    branches = [lambda x: x - 1, lambda x: x, lambda x: x + 1]

    def f(x):
        return ifelse([x < 0, x == 0, x > 0], branches, x)

    assert float(f(-2.0)) == -3.0
    assert float(f(0.0)) == 0.0
    assert float(f(5.0)) == 6.0
    jf = jit(f)
    assert float(jf(-2.0)) == -3.0 and float(jf(5.0)) == 6.0
    # non-callable branches are values
    assert float(ifelse([False, True], [1.0, 2.0])) == 2.0


def test_ifelse_with_states():
    s = brainsim.State(jnp.zeros(()))

    def set_to(v):
        def br():
            s.value = jnp.float32(v)

        return br

    ifelse([False, True, False], [set_to(1), set_to(2), set_to(3)])
    assert float(s.value) == 2.0


def test_ifelse_check_cond_errors():
    branches = [lambda: 1.0, lambda: 2.0]
    with pytest.raises(brainsim.BrainSimError, match="exactly one condition must be true, got 2"):
        ifelse([True, True], branches)
    with pytest.raises(brainsim.BrainSimError, match="exactly one condition must be true, got 0"):
        ifelse([False, False], branches)
    f = jit(lambda x: ifelse([x > 0, x > 1], branches))
    assert float(f(0.5)) == 1.0
    with pytest.raises(Exception, match="exactly one condition must be true"):
        jax.block_until_ready(f(5.0))
    # check_cond=False skips the check (the first true condition wins)
    assert float(ifelse([True, True], branches, check_cond=False)) == 1.0


def test_ifelse_argument_errors():
    with pytest.raises(ValueError, match="2 conditions but 1 branches"):
        ifelse([True, False], [lambda: 1.0])
    with pytest.raises(TypeError, match="every condition must be a scalar"):
        ifelse([jnp.array([True, False]), False], [1.0, 2.0])


# ------------------------------------------------------------------ jit_error_if


def test_jit_error_if_eager():
    jit_error_if(False, "never")
    with pytest.raises(brainsim.BrainSimError, match="x was 3"):
        jit_error_if(True, "x was {}", 3)
    with pytest.raises(brainsim.BrainSimError, match="negative: -1.5"):
        jit_error_if(jnp.float32(-1.5) < 0, lambda v: f"negative: {v}", jnp.float32(-1.5))


def test_jit_error_if_inside_jit():
    @jit
    def check(x):
        jit_error_if(jnp.any(x < 0), "found {} negative values", jnp.sum(x < 0))
        return x * 2

    np.testing.assert_allclose(check(jnp.ones(3)), 2.0)
    with pytest.raises(Exception, match="found 2 negative values"):
        jax.block_until_ready(check(jnp.array([-1.0, 2.0, -3.0])))
    # the compiled function still works after an error
    np.testing.assert_allclose(check(jnp.ones(3)), 2.0)
