"""Conformance suite: what every neuron, synapse, input and readout of the catalogue must do.

Parametrised over the registry in ``registry.py`` (one entry per public model; adding an
entry gives a model every test below):

* the registry is complete (every public class is registered or excluded with a reason);
* ``init_state`` / ``reset_state`` shapes with and without a batch;
* ``jit`` equals eager execution (20 steps);
* ``vmap`` (States in ``in_states``) equals a loop over the lanes;
* ``for_loop`` equals a hand-written loop (50 steps), and the model is active in them;
* surrogate gradients through 50 steps are finite and non-zero;
* every State carries its documented unit, after init and after batched steps;
* models that read the time fail loudly without it, naming themselves;
* float32 by default, float64 under ``environ.set_precision(64)``.

Comparisons use the same initial state values and random key for both runs
(``fresh`` / ``restore``) and ``rtol=1e-5``. The reference loops of the vmap and for_loop
tests call the *jitted* step (one compilation instead of 50 slow eager steps); that the
jitted step equals eager execution is the jit test.
"""

import sys
from pathlib import Path

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from registry import CONDUCTANCE, EXCLUDED, REGISTRY, SPIKE, VALUE, Entry, Skip, public_classes

import brainsim
from brainsim import environ, transform
from brainsim.nn import Param

BATCH = 3
IDS = [e.name for e in REGISTRY]
NEURONS_AND_SYNAPSES = (brainsim.nn.Neuron, brainsim.nn.Synapse)

parametrize = pytest.mark.parametrize("entry", REGISTRY, ids=IDS)


# ------------------------------------------------------------------ fixtures
@pytest.fixture
def env(entry: Entry):
    """The entry's dt, a fixed random key (restored afterwards) and no ambient t / i."""
    key = brainsim.random.get_key()
    brainsim.random.seed(0)
    try:
        with environ.context(dt=entry.dt):
            yield entry
    finally:
        brainsim.random.set_key(key)


@pytest.fixture(params=[32, 64], ids=["float32", "float64"])
def precision(request):
    """Run the test under precision 32 (the default) or 64 (JAX x64); restore afterwards."""
    old = environ.get(environ.PRECISION, 32)
    environ.set_precision(request.param)
    try:
        yield request.param
    finally:
        environ.set_precision(old)


# ------------------------------------------------------------------ helpers
def build(entry: Entry, batch_size: int | None = None):
    model = entry.factory()
    model.init_state(batch_size=batch_size)
    return model


def fresh(entry: Entry):
    """A built model, its initial state values, and the random key re-seeded: each run of
    a comparison starts from ``restore(model, init)`` and draws the same numbers."""
    model = build(entry)
    init = snapshot(model)
    restore(model, init)
    return model, init


def dyn_states(model) -> dict[str, brainsim.State]:
    """The model's States other than parameters, keyed by dotted path."""
    return {
        ".".join(map(str, path)): s
        for path, s in model.states().items()
        if not isinstance(s, brainsim.ParamState)
    }


def snapshot(model) -> dict[str, object]:
    return {k: s.value for k, s in dyn_states(model).items()}


def restore(model, snap: dict[str, object], seed: int = 0) -> None:
    for k, s in dyn_states(model).items():
        s.value = snap[k]
    brainsim.random.seed(seed)


def make_step(entry: Entry, model, scale=None):
    """One step at index ``i``: ``t = i * dt`` and ``i`` in environ, the entry's input
    (multiplied by ``scale`` when given)."""

    def step(i):
        args = entry.drive(i, None)
        if scale is not None:
            args = scaled(args, scale)
        with environ.context(i=i, t=i * entry.dt):
            return model(*args)

    return step


def scaled(args, scale):
    """Multiply every floating leaf of ``args`` (Quantity mantissas included) by ``scale``."""

    def mul(x):
        return x * scale if jnp.issubdtype(jnp.result_type(x), jnp.inexact) else x

    return jax.tree.map(mul, args)


def stack(outs):
    return u.math.stack(outs) if isinstance(outs[0], u.Quantity) else jnp.stack(outs)


def mantissa(x) -> np.ndarray:
    return np.asarray(u.get_mantissa(x))


def assert_close(actual, expected, what: str) -> None:
    """Same unit, and values equal to rtol 1e-5 (with an absolute floor of 1e-5 of the
    largest magnitude, for entries that pass through zero)."""
    ua, ue = u.get_unit(actual), u.get_unit(expected)
    assert ua == ue or (ua.is_unitless and ue.is_unitless), f"{what}: unit {ua} != {ue}"
    a, e = mantissa(actual), mantissa(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    if a.dtype == np.bool_ or e.dtype == np.bool_:
        np.testing.assert_array_equal(a, e, err_msg=what)
        return
    floor = 1e-5 * float(np.max(np.abs(e))) if e.size else 0.0
    np.testing.assert_allclose(a, e, rtol=1e-5, atol=max(floor, 1e-30), err_msg=what)


def assert_states_close(model_a: dict, model_b: dict, what: str) -> None:
    assert model_a.keys() == model_b.keys()
    for k in model_a:
        assert_close(model_a[k], model_b[k], f"{what}: state {k}")


def lane(tree, b: int):
    return jax.tree.map(lambda x: x[b], tree)


def float_states(model) -> dict[str, object]:
    return {
        k: v
        for k, v in snapshot(model).items()
        if jnp.issubdtype(jnp.result_type(u.get_mantissa(v)), jnp.floating)
    }


# ------------------------------------------------------------------ the registry itself
def test_registry_covers_every_public_model():
    registered = [e.name for e in REGISTRY]
    assert len(registered) == len(set(registered)), "a model is registered twice"
    public = public_classes()
    assert not set(registered) & set(EXCLUDED), "a model is both registered and excluded"
    missing = sorted(set(public) - set(registered) - set(EXCLUDED))
    assert not missing, (
        f"public model classes without a conformance entry: {missing}. Add an Entry to "
        f"tests/models/registry.py (or an exclusion with its reason to EXCLUDED)."
    )
    stale = sorted((set(registered) | set(EXCLUDED)) - set(public))
    assert not stale, f"registry names that brainsim.models does not export: {stale}"
    for e in REGISTRY:
        assert public[e.name] is e.cls
    assert all(isinstance(r, str) and r for r in EXCLUDED.values())
    # every exported neuron and synapse is registered, none excluded
    for name, cls in public.items():
        if issubclass(cls, NEURONS_AND_SYNAPSES):
            assert name in registered, f"{name} is a Neuron/Synapse: it must be registered"


@parametrize
def test_entry_is_well_formed(entry: Entry, env):
    assert entry.kind in (SPIKE, CONDUCTANCE, VALUE)
    assert u.get_unit(entry.dt).dim == u.ms.dim
    if isinstance(entry.grad, Skip):
        assert entry.grad.reason
        assert not issubclass(entry.cls, NEURONS_AND_SYNAPSES), (
            f"{entry.name}: neurons and synapses must have a gradient test"
        )
    model = entry.factory()
    assert isinstance(model, entry.cls)
    if isinstance(entry.grad, str) and entry.grad != "input":
        assert hasattr(model, entry.grad), f"{entry.name} has no parameter {entry.grad!r}"


# ------------------------------------------------------------------ activity
def assert_active(entry: Entry, outs, init: dict, final: dict) -> None:
    """The registry parameters make the model do something within 50 steps, so that the
    comparisons of this suite are not comparing constants."""
    out = mantissa(outs)
    assert out.shape == (50, *entry.shape)
    assert np.all(np.isfinite(out.astype(float)))
    if entry.kind == SPIKE:
        assert set(np.unique(out.astype(float))) <= {0.0, 1.0}, "spikes must be 0 or 1"
        assert out.sum() > 0, f"{entry.name} does not spike within 50 steps"
    elif entry.kind == CONDUCTANCE:
        assert np.all(out >= 0) and np.any(out > 0), f"{entry.name}: g stays 0 or is negative"
    else:
        assert np.any(out != 0), f"{entry.name}: the output stays 0"
    for k, v in final.items():
        assert np.all(np.isfinite(mantissa(v).astype(float))), f"state {k} is not finite"
    changed = [k for k, v in final.items() if not np.array_equal(mantissa(v), mantissa(init[k]))]
    assert changed or not entry.dims, f"{entry.name}: no state changed in 50 steps"


# ------------------------------------------------------------------ 1. shapes
@parametrize
def test_init_and_reset_shapes(entry: Entry, env):
    model = build(entry)
    assert set(dyn_states(model)) == set(entry.dims), (
        f"{entry.name} states {sorted(dyn_states(model))} != registry {sorted(entry.dims)}"
    )
    if hasattr(model, "varshape"):
        assert tuple(model.varshape) == entry.shape

    def shapes(m):
        return {k: np.shape(mantissa(v)) for k, v in snapshot(m).items()}

    plain = dict.fromkeys(entry.dims, entry.shape)
    batched = {n: dict.fromkeys(entry.dims, (n, *entry.shape)) for n in (BATCH, 4)}
    assert shapes(model) == plain
    held = dyn_states(model)
    model.reset_state(batch_size=4)
    assert shapes(model) == batched[4]
    assert all(held[k] is s for k, s in dyn_states(model).items()), "reset made new States"
    model.reset_state()
    assert shapes(model) == plain
    model = build(entry, batch_size=BATCH)
    assert shapes(model) == batched[BATCH]
    model.reset_state(batch_size=4)
    assert shapes(model) == batched[4]
    model.reset_state(batch_size=BATCH)
    assert shapes(model) == batched[BATCH]


# ------------------------------------------------------------------ 2. jit == eager
@parametrize
def test_jit_equals_eager(entry: Entry, env):
    model, init = fresh(entry)
    step = make_step(entry, model)
    eager = [step(i) for i in range(20)]
    eager_states = snapshot(model)

    restore(model, init)
    jstep = transform.jit(step)
    jitted = [jstep(jnp.asarray(i)) for i in range(20)]
    assert_close(stack(jitted), stack(eager), f"{entry.name} outputs")
    assert_states_close(snapshot(model), eager_states, entry.name)


# ------------------------------------------------------------------ 3. vmap == loop
@parametrize
def test_vmap_equals_loop(entry: Entry, env):
    """A batch of 3 lanes, each with its own input and its own time offset, through
    ``vmap`` with the model's States in ``in_states``, against 3 unbatched runs."""
    n_steps, offsets = 20, jnp.arange(BATCH) * 5
    model = build(entry)
    init = snapshot(model)

    def lane_step(i, offset, args):
        k = i + offset
        with environ.context(i=k, t=k * entry.dt):
            return model(*args)

    # the batched run: every lane starts from the same (unbatched) initial state
    for k, s in dyn_states(model).items():
        s.value = jax.tree.map(lambda x: jnp.broadcast_to(x, (BATCH, *jnp.shape(x))), init[k])
    vstep = transform.jit(
        transform.vmap(lane_step, in_axes=(None, 0, 0), in_states=list(dyn_states(model).values()))
    )
    outs = [vstep(jnp.asarray(i), offsets, entry.drive(i, BATCH)) for i in range(n_steps)]
    outs = mantissa(stack(outs))
    assert outs.shape == (n_steps, BATCH, *entry.shape)
    batched = snapshot(model)
    for k, v in batched.items():
        assert np.shape(mantissa(v)) == (BATCH, *entry.shape), f"state {k} lost its batch axis"

    if entry.stochastic:
        # vmap splits the key per lane, so the lanes cannot equal sequential runs; they
        # must differ from each other (independent draws)
        assert not np.array_equal(outs[:, 0], outs[:, 1])
        return

    jstep = transform.jit(lane_step)
    for b in range(BATCH):
        restore(model, init)
        ref = [
            jstep(jnp.asarray(i), offsets[b], lane(entry.drive(i, BATCH), b))
            for i in range(n_steps)
        ]
        assert_close(outs[:, b], mantissa(stack(ref)), f"{entry.name} outputs, lane {b}")
        for k, v in snapshot(model).items():
            assert_close(lane(batched[k], b), v, f"{entry.name} state {k}, lane {b}")


# ------------------------------------------------------------------ 4. for_loop == loop
@parametrize
def test_for_loop_equals_hand_loop(entry: Entry, env):
    model, init = fresh(entry)
    step = make_step(entry, model)
    jstep = transform.jit(step)
    by_hand = stack([jstep(jnp.asarray(i)) for i in range(50)])
    hand_states = snapshot(model)

    restore(model, init)
    looped = transform.for_loop(step, jnp.arange(50))
    assert_close(looped, by_hand, f"{entry.name} outputs")
    assert_states_close(snapshot(model), hand_states, entry.name)
    assert_active(entry, looped, init, hand_states)


# ------------------------------------------------------------------ 5. gradients
@parametrize
def test_surrogate_gradient_is_finite_and_nonzero(entry: Entry, env):
    if isinstance(entry.grad, Skip):
        pytest.skip(entry.grad.reason)
    model = build(entry)
    by_input = entry.grad == "input"
    if not by_input:  # differentiate with respect to a parameter made trainable
        param = Param(getattr(model, entry.grad))
        setattr(model, entry.grad, param)

    def loss(scale):
        step = make_step(entry, model, scale if by_input else None)
        outs = transform.for_loop(step, jnp.arange(50))
        return jnp.sum(u.get_mantissa(outs))

    if by_input:
        g, value = transform.grad(loss, return_value=True)(1.0)
    else:
        g, value = transform.grad(loss, grad_states=param.val, return_value=True)(1.0)
    g = mantissa(g)
    assert np.isfinite(float(value))
    assert np.all(np.isfinite(g)), f"{entry.name}: non-finite gradient {g}"
    assert np.any(g != 0), f"{entry.name}: the gradient through 50 steps is zero"


# ------------------------------------------------------------------ 6. units
def assert_documented_units(entry: Entry, model, when: str) -> None:
    values = snapshot(model)
    assert set(values) == set(entry.dims)
    for k, v in values.items():
        expected = entry.dims[k]
        what = f"{entry.name}.{k} ({when})"
        if expected is bool:
            assert jnp.result_type(u.get_mantissa(v)) == jnp.bool_, f"{what} is not bool"
        elif expected is None:
            assert u.get_unit(v).is_unitless, f"{what}: expected dimensionless, got {v!r}"
        else:
            assert isinstance(v, u.Quantity), f"{what}: expected a Quantity in {expected}"
            assert v.unit.dim == expected.dim and v.unit == expected, (
                f"{what}: expected {expected}, got {v.unit}"
            )


@parametrize
def test_units_on_every_state(entry: Entry, env):
    """Units after init, and after 3 eager steps in batch mode (``init_state(batch_size)``
    and batched inputs), which must also keep the batch axis."""
    model = build(entry)
    assert_documented_units(entry, model, "after init_state")
    model = build(entry, batch_size=BATCH)
    for i in range(3):
        with environ.context(i=i, t=i * entry.dt):
            out = model(*entry.drive(i, BATCH))
    assert_documented_units(entry, model, "after 3 batched steps")
    for k, v in snapshot(model).items():
        assert np.shape(mantissa(v)) == (BATCH, *entry.shape), f"{k} lost its batch axis"
    if entry.dims:  # stateless generators have no batch of their own
        assert np.shape(mantissa(out)) == (BATCH, *entry.shape)
    if entry.kind == CONDUCTANCE:  # the output has the unit of the conductance states
        g_units = {u.get_unit(v) for k, v in snapshot(model).items() if k.startswith("g")}
        assert g_units == {u.get_unit(out)}
    model.reset_state()
    assert_documented_units(entry, model, "after reset_state()")


# ------------------------------------------------------------------ time
@parametrize
def test_time_requirement(entry: Entry, env):
    """Models that read ``t`` (or ``i``) fail loudly, naming themselves, without it; the
    others run without it."""
    assert environ.get(environ.T, None) is None and environ.get(environ.I, None) is None
    model = build(entry)
    if entry.needs_t:
        with pytest.raises(KeyError, match=entry.name):
            model(*entry.drive(0, None))
    else:
        out = model(*entry.drive(0, None))
        assert np.shape(mantissa(out)) == entry.shape


# ------------------------------------------------------------------ 7. precision
@parametrize
def test_float_precision(entry: Entry, env, precision):
    expected = jnp.float64 if precision == 64 else jnp.float32
    model = build(entry)
    for k, v in float_states(model).items():
        assert jnp.result_type(u.get_mantissa(v)) == expected, f"{k} after init_state"
    outs = transform.for_loop(make_step(entry, model), jnp.arange(10))
    out_dtype = jnp.result_type(u.get_mantissa(outs))
    assert out_dtype == expected or out_dtype == jnp.bool_, f"output dtype {out_dtype}"
    states = float_states(model)
    assert set(states) == {k for k, d in entry.dims.items() if d is not bool}
    for k, v in states.items():
        assert jnp.result_type(u.get_mantissa(v)) == expected, f"{k} after 10 steps"
        assert np.all(np.isfinite(mantissa(v)))
    assert_documented_units(entry, model, f"after 10 steps at precision {precision}")
