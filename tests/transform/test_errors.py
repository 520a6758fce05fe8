"""Tracer leaks and States used outside their trace (API.md A.3)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim.transform import for_loop, grad, jit, vmap

DEAD = "was created inside a traced function .* that has finished"
RAW = "a JAX tracer was written into a State while no brainsim transform is active"


class Holder:
    pass


def test_state_created_inside_jit_is_dead_after_the_call():
    holder = Holder()

    @jit
    def f(x):
        holder.s = brainsim.State(x * 2)
        return holder.s.value + 1

    np.testing.assert_array_equal(f(jnp.ones(2)), jnp.full(2, 3.0))
    with pytest.raises(brainsim.TraceContextError, match=DEAD):
        holder.s.value  # noqa: B018
    # the message says where the State was created
    with pytest.raises(brainsim.TraceContextError, match="test_errors.py"):
        holder.s.value  # noqa: B018
    # a concrete value revives it
    holder.s.value = jnp.zeros(2)
    np.testing.assert_array_equal(holder.s.value, jnp.zeros(2))


@pytest.mark.parametrize(
    "transform",
    [
        lambda f: lambda: grad(f)(1.0),
        lambda f: lambda: vmap(f)(jnp.ones(3)),
        lambda f: lambda: for_loop(f, jnp.ones(3)),
    ],
    ids=["grad", "vmap", "for_loop"],
)
def test_state_created_inside_other_transforms_is_dead(transform):
    holder = Holder()

    def f(x):
        holder.s = brainsim.State(x)
        return x * 2

    transform(f)()
    with pytest.raises(brainsim.TraceContextError, match=DEAD):
        holder.s.value  # noqa: B018


def test_state_created_inside_with_a_concrete_value_stays_alive():
    holder = Holder()

    @jit
    def f(x):
        holder.s = brainsim.State(np.arange(3.0))  # a NumPy array: no tracer in it
        return x

    f(1.0)
    np.testing.assert_array_equal(holder.s.value, np.arange(3.0))


@pytest.mark.parametrize(
    "raw",
    [jax.jit, jax.grad, jax.vmap],
    ids=["jax.jit", "jax.grad", "jax.vmap"],
)
def test_writing_a_tracer_inside_raw_jax_transform_raises(raw):
    s = brainsim.State(jnp.zeros(()))
    before = s.value

    def f(x):
        s.value = s.value + x
        return s.value.sum()

    arg = jnp.ones(3) if raw is jax.vmap else jnp.float32(1.0)
    with pytest.raises(brainsim.TraceContextError, match=RAW):
        raw(f)(arg)
    assert s.value is before
    # the hint names the brainsim transform to use instead
    with pytest.raises(brainsim.TraceContextError, match="brainsim.transform.jit"):
        raw(f)(arg)


def test_errors_are_brainsim_errors():
    assert issubclass(brainsim.TraceContextError, brainsim.BrainSimError)
    assert issubclass(brainsim.BatchAxisError, brainsim.BrainSimError)
    assert issubclass(brainsim.BatchAxisError, ValueError)
