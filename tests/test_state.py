"""Conformance tests for the State system (API.md section (a))."""

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import brainsim
from brainsim import filter as F

# ------------------------------------------------------------------ errors


def test_error_hierarchy():
    assert issubclass(brainsim.TraceContextError, brainsim.BrainSimError)
    assert issubclass(brainsim.BatchAxisError, brainsim.BrainSimError)
    assert issubclass(brainsim.BrainSimError, Exception)


# ------------------------------------------------------------------ A.1 State


def test_metadata_tag_and_attributes():
    s = brainsim.State(jnp.zeros(2), name="v", tag="fast", unit_hint="mV")
    assert s.name == "v"
    assert s.tag == {"fast"}
    assert s.unit_hint == "mV"
    assert brainsim.State(1.0).tag is None
    assert brainsim.State(1.0, tag=["a", "b", "a"]).tag == {"a", "b"}
    assert brainsim.State(1.0, tag=("x",)).tag == {"x"}


def test_name_is_settable_without_checks():
    s = brainsim.State(1.0)
    assert s.name is None
    s.name = "w"
    assert s.name == "w"
    s.name = None
    assert s.name is None


def test_add_tag():
    s = brainsim.State(1.0)
    s.add_tag("a")
    assert s.tag == {"a"}
    s.add_tag(["b", "c"])
    assert s.tag == {"a", "b", "c"}


def test_identity_equality_and_hashing():
    a = brainsim.State(jnp.ones(3))
    b = brainsim.State(jnp.ones(3))
    assert a == a and a != b
    assert hash(a) != hash(b) or a is not b
    d = {a: 1, b: 2}
    assert d[a] == 1 and d[b] == 2
    assert len({a, b, a}) == 2
    a.value = jnp.zeros(3)  # hash does not depend on the value
    assert d[a] == 1 and a in {a}


def test_value_read_write():
    s = brainsim.State(jnp.zeros(3))
    s.value = s.value + 1.0
    np.testing.assert_array_equal(s.value, np.ones(3))


def test_writing_a_state_into_a_state_is_rejected():
    a, b = brainsim.State(1.0), brainsim.State(2.0)
    with pytest.raises(ValueError, match="cannot store a State inside a State") as info:
        a.value = b
    assert isinstance(info.value, brainsim.BrainSimError)
    assert a.value == 1.0
    with pytest.raises(ValueError, match="copy_from"):
        brainsim.State(b)
    with pytest.raises(ValueError, match="cannot store a State"):
        a.restore_value(b)


@pytest.mark.parametrize(
    ("value", "n"),
    [
        ({"a": jnp.zeros(5), "b": jnp.zeros((2, 3))}, 11),
        (jnp.zeros((4, 5)), 20),
        (1.0, 1),
        ([jnp.zeros(2), (jnp.zeros(3), np.zeros((1, 1)))], 6),
        (jnp.ones(7) * u.mV, 7),
        ({}, 0),
    ],
)
def test_numel(value, n):
    assert brainsim.State(value).numel() == n


@settings(max_examples=30, deadline=None)
@given(
    shapes=st.dictionaries(
        st.text("abc", min_size=1, max_size=2),
        st.lists(st.integers(0, 3), max_size=3).map(tuple),
        max_size=4,
    )
)
def test_property_numel_sums_leaf_sizes(shapes):
    value = {k: np.zeros(shape) for k, shape in shapes.items()}
    value["nested"] = [np.zeros(shape) for shape in shapes.values()]
    expected = 2 * sum(int(np.prod(shape)) for shape in shapes.values())
    assert brainsim.State(value).numel() == expected


def test_copy():
    s = brainsim.ParamState(jnp.ones(3), name="w", tag="t", extra=5)
    c = s.copy()
    assert type(c) is brainsim.ParamState
    assert c is not s and c != s
    assert c.name == "w" and c.tag == {"t"} and c.extra == 5
    np.testing.assert_array_equal(c.value, s.value)
    c.value = jnp.zeros(3)
    np.testing.assert_array_equal(s.value, np.ones(3))
    c.add_tag("other")
    assert s.tag == {"t"}  # metadata containers are not shared


def test_replace():
    s = brainsim.HiddenState(jnp.ones(2), name="v")
    r = s.replace(value=jnp.zeros(2), _name="x")
    assert type(r) is brainsim.HiddenState and r is not s
    assert r.name == "x" and s.name == "v"
    np.testing.assert_array_equal(r.value, np.zeros(2))
    np.testing.assert_array_equal(s.value, np.ones(2))
    same = s.replace()
    np.testing.assert_array_equal(same.value, s.value)
    assert same is not s
    with pytest.raises(TypeError, match="must be an array"):
        s.replace(value=1.0)  # the subclass's value check still applies


def test_copy_from_same_type():
    a = brainsim.ParamState(jnp.zeros(2), name="a")
    b = brainsim.ParamState(jnp.ones(2), name="b", tag="t")
    a.copy_from(b)
    np.testing.assert_array_equal(a.value, np.ones(2))
    assert a.name == "b" and a.tag == {"t"}
    assert a is not b


@pytest.mark.parametrize(
    ("target", "other", "msg"),
    [
        (brainsim.ParamState, brainsim.State, "expected a ParamState, got State"),
        (brainsim.State, brainsim.ParamState, "expected a State, got ParamState"),
        (brainsim.ShortTermState, brainsim.HiddenState, "got HiddenState"),
    ],
)
def test_copy_from_type_mismatch(target, other, msg):
    a = target(jnp.zeros(2))
    b = other(jnp.ones(2))
    with pytest.raises(ValueError, match=msg) as info:
        a.copy_from(b)
    assert isinstance(info.value, brainsim.BrainSimError)
    np.testing.assert_array_equal(a.value, np.zeros(2))


def test_restore_value_counts_as_a_read():
    s = brainsim.State(jnp.zeros(2))
    with brainsim.StateTraceStack() as trace:
        s.restore_value(jnp.ones(2))
    assert trace.states == [s]
    assert trace.written == [False]
    assert trace.write_states() == [] and trace.read_states() == [s]
    np.testing.assert_array_equal(s.value, np.ones(2))


def test_value_call():
    s = brainsim.State({"a": jnp.ones(2), "b": jnp.full(3, 2.0)})
    out = s.value_call(lambda x: x * 10)
    np.testing.assert_array_equal(out["a"], np.full(2, 10.0))
    np.testing.assert_array_equal(out["b"], np.full(3, 20.0))
    np.testing.assert_array_equal(s.value["a"], np.ones(2))  # not written
    q = brainsim.State({"v": jnp.ones(2) * u.mV})
    seen = []
    out = q.value_call(lambda x: seen.append(x) or x * 2)
    assert isinstance(seen[0], u.Quantity)  # Quantities are leaves, not split
    assert u.math.allclose(out["v"], 2 * jnp.ones(2) * u.mV)


def test_to_state_ref_and_update_from_ref():
    s = brainsim.ParamState(jnp.arange(3.0), name="w", tag="t")
    ref = s.to_state_ref()
    assert isinstance(ref, brainsim.TreefyState)
    assert ref.type is brainsim.ParamState
    assert ref.metadata["_name"] == "w"
    np.testing.assert_array_equal(ref.value, np.arange(3.0))
    # a pytree whose only leaf is the value
    leaves = jax.tree.leaves(ref)
    assert len(leaves) == 1
    doubled = jax.tree.map(lambda x: x * 2, ref)
    assert isinstance(doubled, brainsim.TreefyState) and doubled.type is brainsim.ParamState
    np.testing.assert_array_equal(doubled.value, 2 * np.arange(3.0))
    np.testing.assert_array_equal(ref.value, np.arange(3.0))  # snapshot unaffected
    jitted = jax.jit(lambda r: r.replace(r.value + 1))(ref)
    np.testing.assert_array_equal(jitted.value, np.arange(3.0) + 1)
    # a snapshot is independent of later writes
    s.value = jnp.zeros(3)
    s.name = "changed"
    np.testing.assert_array_equal(ref.value, np.arange(3.0))
    s.update_from_ref(doubled)
    np.testing.assert_array_equal(s.value, 2 * np.arange(3.0))
    assert s.name == "w"
    fresh = ref.to_state()
    assert type(fresh) is brainsim.ParamState and fresh is not s and fresh.tag == {"t"}


def test_stack_level_and_source_info():
    s = brainsim.State(1.0)
    assert s.stack_level == 0
    assert "test_state.py" in s.source_info
    with brainsim.StateTraceStack():
        inner = brainsim.State(1.0)
        with brainsim.StateTraceStack():
            inner2 = brainsim.State(1.0)
    assert inner.stack_level == 1 and inner2.stack_level == 2


# ------------------------------------------------------------------ A.2 subclasses


def test_subclass_hierarchy():
    assert issubclass(brainsim.ParamState, brainsim.LongTermState)
    assert issubclass(brainsim.BatchState, brainsim.LongTermState)
    assert issubclass(brainsim.LongTermState, brainsim.State)
    assert issubclass(brainsim.HiddenState, brainsim.ShortTermState)
    assert issubclass(brainsim.HiddenGroupState, brainsim.HiddenState)
    assert issubclass(brainsim.HiddenTreeState, brainsim.HiddenGroupState)
    assert issubclass(brainsim.DelayState, brainsim.ShortTermState)
    assert issubclass(brainsim.ShortTermState, brainsim.State)
    assert not issubclass(brainsim.ShortTermState, brainsim.LongTermState)


@pytest.mark.parametrize(
    "value", [np.zeros((2, 3)), jnp.zeros((2, 3)), jnp.zeros((2, 3)) * u.mV, np.float32(0.0)]
)
def test_hidden_state_accepts_arrays(value):
    h = brainsim.HiddenState(value)
    assert h.varshape == np.shape(value)
    assert h.num_state == 1


@pytest.mark.parametrize(
    ("value", "kind"),
    [(1.0, "float"), (1, "int"), ({"a": jnp.zeros(2)}, "dict"), ([jnp.zeros(2)], "list")],
)
def test_hidden_state_rejects_non_arrays(value, kind):
    with pytest.raises(TypeError, match=f"must be an array.*got {kind}") as info:
        brainsim.HiddenState(value)
    assert isinstance(info.value, brainsim.BrainSimError)
    h = brainsim.HiddenState(jnp.zeros(2))
    with pytest.raises(TypeError, match="HiddenState: the value must be an array"):
        h.value = value
    np.testing.assert_array_equal(h.value, np.zeros(2))


def test_hidden_state_shape_may_change():
    h = brainsim.HiddenState(jnp.zeros(3))
    h.value = jnp.zeros((4, 3))
    assert h.varshape == (4, 3)


def test_hidden_group_state():
    g = brainsim.HiddenGroupState(jnp.zeros((4, 3)))
    assert g.varshape == (4,) and g.num_state == 3
    g.set_value([jnp.ones(4), jnp.full(4, 2.0), jnp.full(4, 3.0)])
    np.testing.assert_array_equal(g.get_value(1), np.full(4, 2.0))
    np.testing.assert_array_equal(g.get_value(-1), np.full(4, 3.0))
    g.set_value({0: jnp.full(4, 7.0)})
    np.testing.assert_array_equal(g.get_value(0), np.full(4, 7.0))
    np.testing.assert_array_equal(g.get_value(2), np.full(4, 3.0))
    with pytest.raises(ValueError, match=r"member 0 has shape \(5,\), expected \(4,\)"):
        g.set_value([jnp.ones(5)])
    with pytest.raises(ValueError, match=r"member index must be an int in \[0, 3\)"):
        g.get_value(3)
    with pytest.raises(ValueError, match="unknown member 'V'"):
        g.get_value("V")


def test_hidden_tree_state_units():
    s = brainsim.HiddenTreeState(
        {"V": jnp.zeros(3) * u.mV, "w": jnp.ones(3) * u.mA, "n": jnp.ones(3)}
    )
    assert s.varshape == (3,) and s.num_state == 3
    assert isinstance(s, brainsim.HiddenState)
    V = s.get_value("V")
    assert u.get_unit(V) == u.mV
    w = s.get_value(1)
    assert u.math.allclose(w, jnp.ones(3) * u.mA)
    n = s.get_value("n")
    assert not isinstance(n, u.Quantity)
    s.set_value({"V": jnp.full(3, -65.0) * u.mV, "w": jnp.full(3, 2e-3) * u.amp})
    assert u.math.allclose(s.get_value("V"), jnp.full(3, -65.0) * u.mV)
    assert u.get_unit(s.get_value("w")) == u.mA
    np.testing.assert_allclose(u.get_mantissa(s.get_value("w")), np.full(3, 2.0), rtol=1e-6)
    with pytest.raises(ValueError, match=r"member 'V' has shape \(2,\), expected \(3,\)"):
        s.set_value({"V": jnp.zeros(2) * u.mV})
    with pytest.raises(u.UnitMismatchError, match="different dimensions"):
        s.set_value({"V": jnp.zeros(3) * u.ms})
    with pytest.raises(u.UnitMismatchError, match="different dimensions"):
        s.set_value({"n": jnp.zeros(3) * u.ms})  # a unitless member stays unitless
    with pytest.raises(u.UnitMismatchError, match="different dimensions"):
        s.set_value({"V": jnp.zeros(3)})
    assert u.math.allclose(s.get_value("V"), jnp.full(3, -65.0) * u.mV)


def test_hidden_tree_state_from_list_and_errors():
    s = brainsim.HiddenTreeState([jnp.zeros(2) * u.mV, jnp.ones(2)])
    assert s.num_state == 2
    assert u.get_unit(s.get_value(0)) == u.mV
    s.set_value([jnp.ones(2) * u.mV, jnp.zeros(2)])
    assert u.math.allclose(s.get_value(0), jnp.ones(2) * u.mV)
    with pytest.raises(ValueError, match="all members must have the same shape"):
        brainsim.HiddenTreeState({"a": jnp.zeros(2), "b": jnp.zeros(3)})
    with pytest.raises(ValueError, match="at least one member"):
        brainsim.HiddenTreeState({})
    with pytest.raises(TypeError, match="must be a dict or list"):
        brainsim.HiddenTreeState(jnp.zeros(3))


def test_fake_state_is_not_a_state():
    f = brainsim.FakeState(0.5, name="w")
    assert not isinstance(f, brainsim.State)
    assert f.value == 0.5 and f.name == "w"
    f.value = 1.5
    assert f.value == 1.5
    m = brainsim.nn.Module()
    m.f = f
    m.s = brainsim.State(1.0)
    assert list(m.states()) == [("s",)]
    with brainsim.StateTraceStack() as trace:
        _ = f.value
    assert trace.states == []


def test_maybe_state():
    s = brainsim.State(jnp.ones(2))
    assert brainsim.maybe_state(s) is s.value
    assert brainsim.maybe_state(3.0) == 3.0
    f = brainsim.FakeState(2.0)
    assert brainsim.maybe_state(f) is f


# ------------------------------------------------------------------ A.3 recording


def test_trace_records_first_access_order_and_original_values():
    a = brainsim.State(jnp.zeros(1), name="a")
    b = brainsim.State(jnp.ones(1), name="b")
    c = brainsim.State(jnp.full(1, 2.0), name="c")
    a0, b0, c0 = a.value, b.value, c.value
    with brainsim.StateTraceStack() as trace:
        x = b.value
        a.value = x + 10
        b.value = x + 20
        _ = c.value
        _ = a.value
    assert trace.states == [b, a, c]
    assert trace.written == [True, True, False]
    assert trace.original_values[0] is b0
    assert trace.original_values[1] is a0
    assert trace.original_values[2] is c0
    assert trace.write_states() == [b, a]
    assert trace.read_states() == [c]
    trace.recover_original_values()
    assert a.value is a0 and b.value is b0


def test_states_created_inside_are_not_recorded():
    outer = brainsim.State(1.0)
    with brainsim.StateTraceStack() as trace:
        inner = brainsim.State(2.0)
        inner.value = inner.value + 1
        _ = outer.value
    assert trace.states == [outer]
    assert trace.created == [inner]


def test_nested_recorders_both_record():
    a = brainsim.State(1.0)
    with brainsim.StateTraceStack() as outer:
        between = brainsim.State(2.0)
        with brainsim.StateTraceStack() as inner:
            a.value = a.value + 1
            _ = between.value
            innermost = brainsim.State(3.0)
            _ = innermost.value
    assert outer.states == [a] and outer.written == [True]
    assert inner.states == [a, between] and inner.written == [True, False]
    assert outer.created == [between]
    assert inner.created == [innermost]
    assert brainsim.State(0.0).stack_level == 0  # stack popped


def test_recorder_popped_after_exception():
    with pytest.raises(RuntimeError, match="boom"):
        with brainsim.StateTraceStack():
            raise RuntimeError("boom")
    assert brainsim.State(0.0).stack_level == 0


@settings(max_examples=50, deadline=None)
@given(ops=st.lists(st.tuples(st.integers(0, 4), st.booleans()), max_size=20))
def test_property_trace_log(ops):
    states = [brainsim.State(float(i)) for i in range(5)]
    originals = [s.value for s in states]
    with brainsim.StateTraceStack() as trace:
        for i, write in ops:
            if write:
                states[i].value = float(100 + i)
            else:
                _ = states[i].value
    first = list(dict.fromkeys(i for i, _ in ops))
    assert trace.states == [states[i] for i in first]
    assert trace.written == [any(w for j, w in ops if j == i) for i in first]
    assert trace.original_values == [originals[i] for i in first]


# ------------------------------------------------------------------ catch_new_states


def test_catch_new_states_basic():
    before = brainsim.State(0.0)
    with brainsim.catch_new_states("new") as catcher:
        a = brainsim.State(jnp.zeros(2))
        b = brainsim.ParamState(jnp.ones(3), tag="p")
        before.value = 1.0
    after = brainsim.State(0.0)
    assert len(catcher) == 2
    assert list(catcher) == [a, b]
    assert catcher[0] is a and catcher[-1] is b
    assert catcher.get_states() == [a, b]
    vals = catcher.get_state_values()
    np.testing.assert_array_equal(vals[1], np.ones(3))
    assert a.tag == {"new"} and b.tag == {"p", "new"}
    assert before.tag is None and after.tag is None
    assert catcher.get_by_tag("p") == [b]
    assert catcher.get_by_tag("new") == [a, b]
    assert catcher.get_by_tag("absent") == []


def test_catch_new_states_without_tag():
    with brainsim.catch_new_states() as catcher:
        a = brainsim.State(1.0)
    assert list(catcher) == [a] and a.tag is None


@pytest.mark.parametrize(
    "exclude",
    [
        brainsim.HiddenState,
        (brainsim.HiddenState, brainsim.DelayState),
        lambda path, st: isinstance(st, brainsim.HiddenState),
        F.OfType(brainsim.HiddenState),
        F.Any(brainsim.HiddenState, brainsim.DelayState),
    ],
)
def test_catch_new_states_exclusion(exclude):
    with brainsim.catch_new_states("t", state_to_exclude=exclude) as catcher:
        p = brainsim.ParamState(1.0)
        brainsim.HiddenState(jnp.zeros(2))
        brainsim.HiddenGroupState(jnp.zeros((2, 2)))
    assert list(catcher) == [p]
    assert p.tag == {"t"}


def test_catch_new_states_exclusion_is_not_tagged():
    with brainsim.catch_new_states("t", state_to_exclude=brainsim.HiddenState):
        h = brainsim.HiddenState(jnp.zeros(2))
    assert h.tag is None


@pytest.mark.parametrize("bad", ["tag", 3, (brainsim.State, 3)])
def test_catch_new_states_bad_exclusion(bad):
    with pytest.raises(TypeError, match=r"state_to_exclude=\.\.\.\): expected a State type"):
        with brainsim.catch_new_states(state_to_exclude=bad):
            pass


def test_nested_catchers_both_catch():
    with brainsim.catch_new_states("outer") as outer:
        a = brainsim.State(1.0)
        with brainsim.catch_new_states("inner") as inner:
            b = brainsim.State(2.0)
    assert list(outer) == [a, b]
    assert list(inner) == [b]
    assert b.tag == {"outer", "inner"} and a.tag == {"outer"}


def test_catcher_removed_after_exception():
    with pytest.raises(KeyError):
        with brainsim.catch_new_states() as catcher:
            raise KeyError("x")
    brainsim.State(1.0)
    assert len(catcher) == 0


# ------------------------------------------------------------------ check_state_value_tree


def test_check_state_value_tree():
    s = brainsim.State({"a": jnp.zeros(2)})
    with brainsim.check_state_value_tree():
        s.value = {"a": jnp.zeros((5, 2))}  # shape change allowed
        with pytest.raises(ValueError, match="tree structure") as info:
            s.value = [jnp.zeros(2)]
        assert isinstance(info.value, brainsim.BrainSimError)
        with pytest.raises(ValueError, match="tree structure"):
            s.value = {"a": jnp.zeros(2), "b": jnp.zeros(2)}
        with brainsim.check_state_value_tree():
            pass
        with pytest.raises(ValueError, match="tree structure"):  # still on after nesting
            s.value = jnp.zeros(2)
    assert s.value["a"].shape == (5, 2)
    s.value = [jnp.zeros(2)]  # off by default
    assert isinstance(s.value, list)


# ------------------------------------------------------------------ tracers and raw jax


@pytest.mark.parametrize("transform", ["jit", "grad", "vmap"])
def test_writing_a_tracer_into_a_concrete_state_raises(transform):
    s = brainsim.State(jnp.ones(()))

    def f(x):
        s.value = x * 2
        return x.sum()

    wrapped = {"jit": jax.jit(f), "grad": jax.grad(f), "vmap": jax.vmap(f)}[transform]
    with pytest.raises(brainsim.TraceContextError, match="tracer was written") as info:
        wrapped(jnp.ones(3) if transform == "vmap" else jnp.ones(()))
    msg = str(info.value)
    assert "brainsim.transform.jit" in msg and "treefy_split/treefy_merge" in msg
    np.testing.assert_array_equal(s.value, 1.0)  # unchanged


def test_states_created_from_tracers_inside_raw_jit_can_be_written():
    m = brainsim.nn.Module()
    m.w = brainsim.ParamState(jnp.ones(3))
    m.h = brainsim.HiddenState(jnp.zeros(3))
    gdef, state = brainsim.graph.treefy_split(m)

    @jax.jit
    def step(state, x):
        local = brainsim.graph.treefy_merge(gdef, state)
        local.h.value = local.h.value + local.w.value * x
        scratch = brainsim.State(x)
        scratch.value = scratch.value + 1
        return brainsim.graph.treefy_split(local)[1], scratch.value

    new_state, extra = step(state, 2.0)
    brainsim.graph.update_states(m, new_state)
    np.testing.assert_array_equal(m.h.value, np.full(3, 2.0))
    assert float(extra) == 3.0


def test_kill_created_makes_leaked_states_dead():
    leaked = []

    @jax.jit
    def f(x):
        with brainsim.StateTraceStack() as trace:
            s = brainsim.State(x * 2)
            c = brainsim.State(np.ones(2))  # concrete (numpy): stays alive
            leaked.extend([s, c])
        trace.kill_created()
        return x

    f(jnp.ones(2))
    s, c = leaked
    with pytest.raises(brainsim.TraceContextError, match="created inside a traced function"):
        _ = s.value
    with pytest.raises(brainsim.TraceContextError, match="test_state.py"):
        _ = s.value  # says where it was created
    np.testing.assert_array_equal(c.value, np.ones(2))
    s.value = jnp.zeros(2)  # a concrete value revives it
    np.testing.assert_array_equal(s.value, np.zeros(2))
    assert "dead" not in repr(s)
