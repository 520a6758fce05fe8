"""Conformance tests for graph traversal and the functional view (API.md B.1, B.3, B.5)."""

import copy

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import brainsim
from brainsim import graph
from brainsim.nn import Module, Param

MAX = 2**31 - 1


def _levels(root):
    return {e.path: e.level for e in graph.walk(root)}


def _resolve(obj, path):
    for part in path:
        obj = obj[part] if isinstance(obj, list | tuple | dict) else getattr(obj, part)
    return obj


class Leaf(Module):
    def __init__(self, n=2):
        super().__init__()
        self.w = brainsim.ParamState(jnp.arange(float(n)))
        self.h = brainsim.HiddenState(jnp.zeros(n))


def _model():
    """root: z (Leaf), a (Module with nested Leaf), layers [Leaf, Leaf], d {'k': Leaf}, s."""
    root = Module()
    root.z = Leaf()
    root.a = Module()
    root.a.inner = Leaf(3)
    root.layers = [Leaf(), Leaf()]
    root.d = {"k": Leaf()}
    root.s = brainsim.ShortTermState(jnp.ones(1))
    return root


# ------------------------------------------------------------------ order, paths, dedup


def test_definition_order_parents_first_root_at_empty_path():
    root = _model()
    paths = list(root.nodes().keys())
    assert paths == [
        (),
        ("z",),
        ("a",),
        ("a", "inner"),
        ("layers", 0),
        ("layers", 1),
        ("d", "k"),
    ]
    assert root.nodes()[()] is root
    assert list(root.states().keys()) == [
        ("z", "w"),
        ("z", "h"),
        ("a", "inner", "w"),
        ("a", "inner", "h"),
        ("layers", 0, "w"),
        ("layers", 0, "h"),
        ("layers", 1, "w"),
        ("layers", 1, "h"),
        ("d", "k", "w"),
        ("d", "k", "h"),
        ("s",),
    ]
    walked = [e.path for e in graph.walk(root)]
    assert walked.index(("a",)) < walked.index(("a", "inner")) < walked.index(("a", "inner", "w"))


def test_iter_node_and_iter_leaf():
    root = _model()
    assert [p for p, _ in graph.iter_node(root)] == list(root.nodes().keys())
    assert [p for p, _ in graph.iter_leaf(root)] == list(root.states().keys())
    assert all(isinstance(s, brainsim.State) for _, s in graph.iter_leaf(root))


def test_join_path():
    assert graph.join_path(("layers", 0, "w", "val")) == "layers.0.w.val"
    assert graph.join_path(()) == ""


def test_shared_submodule_is_reported_once_under_first_path():
    root = Module()
    shared = Leaf()
    root.first = shared
    root.other = Module()
    root.other.again = shared
    root.many = [shared, {"x": shared}]
    nodes = root.nodes()
    assert list(nodes.keys()) == [(), ("first",), ("other",)]
    assert list(root.states().keys()) == [("first", "w"), ("first", "h")]
    assert [n for n, _ in root.named_modules()] == ["", "first", "other"]


def test_shared_state_is_reported_once_under_first_path():
    root = Module()
    s = brainsim.State(1.0)
    root.b = [s]
    root.a = s
    assert list(root.states().keys()) == [("b", 0)]


def test_graph_invisible_attrs():
    class Hidden(Module):
        graph_invisible_attrs = ("cache",)

        def __init__(self):
            super().__init__()
            self.cache = brainsim.State(1.0)
            self.seen = brainsim.State(2.0)

    assert list(Hidden().states().keys()) == [("seen",)]


def test_plain_node_subclass_is_traversed():
    class Box(graph.Node):
        def __init__(self):
            self.s = brainsim.State(1.0)

    root = Module()
    root.box = Box()
    assert list(root.nodes().keys()) == [(), ("box",)]
    assert list(root.states().keys()) == [("box", "s")]


def test_tuples_and_non_graph_values():
    root = Module()
    root.t = (brainsim.State(1.0), 3, "text", None, jnp.ones(2))
    root.arr = jnp.zeros(3)
    root.f = 1.5
    assert list(root.states().keys()) == [("t", 0)]


# ------------------------------------------------------------------ hierarchy


def test_hierarchy_levels_b1():
    root = Module()
    root.s0 = brainsim.State(0.0)
    root.w = Param(1.0)
    root.layers = [Leaf()]
    root.d = {"k": Leaf()}
    root.a = Module()
    root.a.b = Module()
    root.a.b.s = brainsim.State(2.0)
    lv = _levels(root)
    assert lv[()] == 0
    assert lv[("s0",)] == 0  # a State has the level of its owner
    assert lv[("w",)] == 1  # a Param is a Module: one level down
    assert lv[("w", "val")] == 1  # its internal state sits at its level
    assert lv[("layers", 0)] == 1 and lv[("layers", 0, "w")] == 1  # lists add no level
    assert lv[("d", "k")] == 1 and lv[("d", "k", "h")] == 1  # dicts neither
    assert lv[("a",)] == 1 and lv[("a", "b")] == 2 and lv[("a", "b", "s")] == 2


def test_allowed_hierarchy_ranges():
    root = Module()
    root.s0 = brainsim.State(0.0)
    root.w = Param(1.0)
    root.a = Module()
    root.a.b = Module()
    root.a.b.s = brainsim.State(2.0)
    assert list(root.states(allowed_hierarchy=(0, 0))) == [("s0",)]
    assert list(root.states(allowed_hierarchy=(1, 1))) == [("w", "val")]
    assert list(root.states(allowed_hierarchy=(1, 2))) == [("w", "val"), ("a", "b", "s")]
    assert list(root.states(allowed_hierarchy=(2, MAX))) == [("a", "b", "s")]
    assert list(root.states(allowed_hierarchy=(3, 5))) == []
    assert list(root.states(allowed_hierarchy=[0, 0])) == [("s0",)]
    assert list(root.nodes(allowed_hierarchy=(0, 0))) == [()]
    assert list(root.nodes(allowed_hierarchy=(1, 1))) == [("w",), ("a",)]
    assert list(graph.states(root, allowed_hierarchy=(2, 2))) == [("a", "b", "s")]
    assert list(root.states(brainsim.State, allowed_hierarchy=(0, 0))) == [("s0",)]


@pytest.mark.parametrize("bad", [(1,), (0, 1, 2), 3, ("a", 1), (0.0, 1), (True, 1), None])
def test_allowed_hierarchy_type_errors(bad):
    with pytest.raises(TypeError, match=r"allowed_hierarchy: expected a pair of ints") as info:
        Module().states(allowed_hierarchy=bad)
    assert isinstance(info.value, brainsim.BrainSimError)
    with pytest.raises(TypeError, match=r"expected a pair of ints"):
        Module().nodes(allowed_hierarchy=bad)


@pytest.mark.parametrize("bad", [(2, 1), (-1, 3), (-2, -1)])
def test_allowed_hierarchy_value_errors(bad):
    with pytest.raises(ValueError, match=r"expected 0 <= lo <= hi") as info:
        Module().states(allowed_hierarchy=bad)
    assert isinstance(info.value, brainsim.BrainSimError)


# ------------------------------------------------------------------ states / state_trees / nodes


def test_states_with_zero_one_and_k_filters():
    root = _model()
    everything = root.states()
    assert isinstance(everything, graph.FlatStateDict)
    assert len(everything) == 11
    assert all(v is _resolve(root, k) for k, v in everything.items())
    params = root.states(brainsim.ParamState)
    assert isinstance(params, graph.FlatStateDict)
    assert list(params) == [k for k in everything if k[-1] == "w"]
    hidden, params2 = root.states(brainsim.HiddenState, brainsim.ParamState)
    assert list(hidden) == [k for k in everything if k[-1] == "h"]
    assert params2 == params
    # first match wins, unmatched dropped
    a, b, c = root.states(brainsim.State, brainsim.ParamState, brainsim.ShortTermState)
    assert len(a) == 11 and len(b) == 0 and len(c) == 0
    only_hidden = root.states(brainsim.HiddenState, brainsim.BatchState)
    assert len(only_hidden[0]) == 5 and len(only_hidden[1]) == 0
    # predicates see the path
    in_layers = root.states(lambda path, s: path[0] == "layers")
    assert list(in_layers) == [k for k in everything if k[0] == "layers"]
    # a tag
    root.z.w.add_tag("fast")
    assert list(root.states("fast")) == [("z", "w")]


def test_state_trees_nest_and_to_flat():
    root = _model()
    tree = root.state_trees()
    assert isinstance(tree, graph.NestedStateDict)
    assert tree["z"]["w"] is root.z.w
    assert tree["layers"][1]["h"] is root.layers[1].h
    assert tree["a"]["inner"]["w"] is root.a.inner.w
    assert tree["s"] is root.s
    flat = tree.to_flat()
    assert isinstance(flat, graph.FlatStateDict)
    assert list(flat.items()) == list(root.states().items())
    params, hidden = root.state_trees(brainsim.ParamState, brainsim.HiddenState)
    assert isinstance(params, graph.NestedStateDict)
    assert params["d"]["k"]["w"] is root.d["k"].w and "h" not in params["d"]["k"]
    assert list(hidden.to_flat()) == list(root.states(brainsim.HiddenState))
    assert root.states().to_nest() == tree


def test_nodes_filters():
    root = Module()
    root.w = Param(1.0)
    root.sub = Leaf()
    root.sub.p = Param(2.0)
    nodes = root.nodes()
    assert isinstance(nodes, graph.FlatDict)
    assert list(nodes) == [(), ("w",), ("sub",), ("sub", "p")]
    assert list(root.nodes(Param)) == [("w",), ("sub", "p")]
    assert list(root.nodes(Leaf)) == [("sub",)]
    assert list(root.nodes(lambda path, n: len(path) == 1)) == [("w",), ("sub",)]
    params, leaves = root.nodes(Param, Leaf)
    assert list(params) == [("w",), ("sub", "p")] and list(leaves) == [("sub",)]
    assert list(root.nodes(Param, allowed_hierarchy=(2, 2))) == [("sub", "p")]
    assert list(graph.nodes(root, Module)) == list(nodes)


def test_flat_dict_filter_and_values():
    root = _model()
    flat = root.states()
    params = flat.filter(brainsim.ParamState)
    assert list(params) == list(root.states(brainsim.ParamState))
    vals = flat.to_dict_values()
    np.testing.assert_array_equal(vals[("z", "w")], np.arange(2.0))
    flat.assign_dict_values({("z", "w"): jnp.full(2, 7.0)})
    np.testing.assert_array_equal(root.z.w.value, np.full(2, 7.0))


# ------------------------------------------------------------------ pytrees


def test_flat_and_nested_state_dicts_are_pytrees():
    root = _model()
    flat = root.states()
    values = jax.tree.map(lambda s: s.value, flat)
    assert isinstance(values, graph.FlatStateDict)
    assert list(values) == list(flat)
    np.testing.assert_array_equal(values[("layers", 0, "w")], np.arange(2.0))
    tree = root.state_trees()
    vtree = jax.tree.map(lambda s: s.value, tree)
    assert isinstance(vtree, graph.NestedStateDict)
    assert isinstance(vtree["layers"], graph.NestedStateDict)
    assert list(vtree["layers"][0]) == ["w", "h"]
    assert vtree["a"]["inner"]["w"].shape == (3,)
    # key paths name the dict keys
    paths = [p for p, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]
    assert paths[0] == (jax.tree_util.DictKey("z"), jax.tree_util.DictKey("w"))
    # snapshots from treefy_split map over their values and go through jit
    _, mapping = graph.treefy_split(root)
    doubled = jax.jit(lambda m: jax.tree.map(lambda x: x * 2, m))(mapping)
    assert isinstance(doubled, graph.NestedStateDict)
    ref = doubled["z"]["w"]
    assert isinstance(ref, brainsim.TreefyState) and ref.type is brainsim.ParamState
    np.testing.assert_array_equal(ref.value, 2 * np.arange(2.0))


# ------------------------------------------------------------------ split / merge / clone


def test_treefy_split_merge_round_trip():
    root = _model()
    gdef, mapping = graph.treefy_split(root)
    assert isinstance(gdef, graph.GraphDef)
    assert isinstance(mapping, graph.NestedStateDict)
    assert isinstance(mapping["z"]["w"], brainsim.TreefyState)
    new = graph.treefy_merge(gdef, mapping)
    assert type(new) is Module and new is not root
    old_states, new_states = root.states(), new.states()
    assert list(old_states) == list(new_states)
    for k in old_states:
        assert type(new_states[k]) is type(old_states[k])
        assert new_states[k] is not old_states[k]
        np.testing.assert_array_equal(new_states[k].value, old_states[k].value)
    # the merged graph is independent
    new.z.w.value = jnp.zeros(2)
    np.testing.assert_array_equal(root.z.w.value, np.arange(2.0))
    # merging twice gives two independent graphs
    again = graph.treefy_merge(gdef, mapping)
    assert again.z.w is not new.z.w
    np.testing.assert_array_equal(again.z.w.value, np.arange(2.0))


def test_split_with_filters():
    root = _model()
    gdef, params, rest = graph.treefy_split(root, brainsim.ParamState, ...)
    assert list(params.to_flat()) == list(root.states(brainsim.ParamState))
    assert len(rest.to_flat()) == 6
    params = jax.tree.map(lambda x: x + 100, params)
    new = graph.treefy_merge(gdef, params, rest)
    np.testing.assert_array_equal(new.layers[1].w.value, np.arange(2.0) + 100)
    np.testing.assert_array_equal(new.layers[1].h.value, np.zeros(2))
    with pytest.raises(ValueError, match="last filter"):
        graph.treefy_split(root, ..., brainsim.ParamState)


def test_split_metadata_survives():
    root = Module()
    root.s = brainsim.ParamState(jnp.ones(2), name="weights", tag="fast")
    new = graph.clone(root)
    assert new.s.name == "weights" and new.s.tag == {"fast"}
    new.s.add_tag("other")
    assert root.s.tag == {"fast"}


def test_merge_errors():
    root = _model()
    gdef, params, rest = graph.treefy_split(root, brainsim.ParamState, ...)
    with pytest.raises(TypeError, match="expected a GraphDef") as info:
        graph.treefy_merge(params, rest)
    assert isinstance(info.value, brainsim.BrainSimError)
    with pytest.raises(KeyError, match=r"no value for the State at path \('z', 'h'\)"):
        graph.treefy_merge(gdef, params)
    with pytest.raises(TypeError, match="expected a state mapping"):
        graph.treefy_merge(gdef, [1, 2])


def test_graphdef():
    root = _model()
    gdef = graph.graphdef(root)
    assert isinstance(gdef, graph.GraphDef)
    assert "Module" in repr(gdef) and "num_states=11" in repr(gdef)
    assert hash(gdef) == hash(gdef)  # usable as a static argument
    _, mapping = graph.treefy_split(root)
    np.testing.assert_array_equal(graph.treefy_merge(gdef, mapping).z.w.value, np.arange(2.0))


def test_clone_and_deepcopy_keep_sharing():
    root = Module()
    shared = Leaf()
    root.a = shared
    root.b = [shared]
    s = brainsim.State(jnp.ones(2))
    root.s1 = s
    root.d = {"s2": s}
    for new in (graph.clone(root), copy.deepcopy(root)):
        assert new is not root and new.a is not shared
        assert new.b[0] is new.a
        assert new.d["s2"] is new.s1 and new.s1 is not s
        np.testing.assert_array_equal(new.s1.value, np.ones(2))
        assert list(new.states()) == list(root.states())
        new.a.w.value = jnp.full(2, 9.0)
        assert float(new.b[0].w.value[0]) == 9.0
        np.testing.assert_array_equal(shared.w.value, np.arange(2.0))


def test_update_states():
    root = _model()
    _, mapping = graph.treefy_split(root)
    mapping = jax.tree.map(lambda x: x + 1, mapping)
    w_state = root.z.w
    graph.update_states(root, mapping)
    assert root.z.w is w_state  # in place
    np.testing.assert_array_equal(root.z.w.value, np.arange(2.0) + 1)
    graph.update_states(root, {("layers", 0, "h"): jnp.full(2, 5.0)})
    np.testing.assert_array_equal(root.layers[0].h.value, np.full(2, 5.0))
    graph.update_states(root, {"s": jnp.zeros(1)})  # plain nested dict
    np.testing.assert_array_equal(root.s.value, np.zeros(1))
    with pytest.raises(KeyError, match=r"update_states: no State at path \('nope',\)") as info:
        graph.update_states(root, {("nope",): 1.0})
    assert isinstance(info.value, brainsim.BrainSimError)


# ------------------------------------------------------------------ pop_states


def test_pop_states_requires_a_filter():
    with pytest.raises(ValueError, match="pop_states: expected at least one filter") as info:
        graph.pop_states(_model())
    assert isinstance(info.value, brainsim.BrainSimError)


def test_pop_states_removes_from_module_dict_and_list():
    root = Module()
    root.h = brainsim.HiddenState(jnp.zeros(1))
    root.p = brainsim.ParamState(jnp.ones(1))
    root.d = {"h": brainsim.HiddenState(jnp.zeros(2)), "p": brainsim.ParamState(jnp.ones(2))}
    h0, h1 = brainsim.HiddenState(jnp.zeros(3)), brainsim.HiddenState(jnp.zeros(4))
    keep = brainsim.ParamState(jnp.ones(3))
    root.l = [h0, keep, h1]
    popped = graph.pop_states(root, brainsim.HiddenState)
    assert isinstance(popped, graph.NestedStateDict)
    assert list(popped.to_flat()) == [("h",), ("d", "h"), ("l", 0), ("l", 2)]
    ref = popped["l"][2]
    assert isinstance(ref, brainsim.TreefyState) and ref.type is brainsim.HiddenState
    assert ref.value.shape == (4,)
    assert not hasattr(root, "h")
    assert list(root.d) == ["p"]
    assert root.l == [keep]
    assert list(root.states()) == [("p",), ("d", "p"), ("l", 0)]


def test_pop_states_with_several_filters():
    root = _model()
    hidden, short = graph.pop_states(root, brainsim.HiddenState, brainsim.ShortTermState)
    assert len(hidden.to_flat()) == 5 and list(short.to_flat()) == [("s",)]
    assert all(isinstance(s, brainsim.ParamState) for s in root.states().values())
    assert len(root.states()) == 5


def test_pop_states_from_tuple_raises():
    root = Module()
    root.t = (brainsim.State(1.0),)
    with pytest.raises(TypeError, match=r"cannot remove the State at \('t', 0\) from an immutable"):
        graph.pop_states(root, brainsim.State)


# ------------------------------------------------------------------ assign_state_values


def test_assign_state_values():
    root = _model()
    unexpected, missing = graph.assign_state_values(
        root,
        {("z", "w"): jnp.full(2, 1.0), "layers.1.h": jnp.full(2, 2.0)},
        {"a.inner.w": jnp.full(3, 3.0), "nope.x": 0.0, ("zz",): 1.0},
    )
    assert unexpected == ["nope.x", ("zz",)]  # as the user wrote them (issue 10)
    assert ("z", "w") not in missing and ("layers", 1, "h") not in missing
    assert len(missing) == 11 - 3 and ("s",) in missing
    np.testing.assert_array_equal(root.z.w.value, np.full(2, 1.0))
    np.testing.assert_array_equal(root.layers[1].h.value, np.full(2, 2.0))
    np.testing.assert_array_equal(root.a.inner.w.value, np.full(3, 3.0))
    assert brainsim.nn.assign_state_values is graph.assign_state_values
    ref = brainsim.ParamState(jnp.full(2, 4.0)).to_state_ref()
    assert graph.assign_state_values(root, {"z.w": ref})[0] == []
    np.testing.assert_array_equal(root.z.w.value, np.full(2, 4.0))
    with pytest.raises(TypeError, match="keys must be path tuples or dotted strings"):
        graph.assign_state_values(root, {3: 1.0})


# ------------------------------------------------------------------ custom containers


class Bag:
    """A mutable container that is not a pytree."""

    def __init__(self):
        self.items = {}


graph.register_graph_node_type(
    Bag,
    flatten=lambda b: (list(b.items.items()), None),
    set_key=lambda b, k, v: b.items.__setitem__(k, v),
    pop_key=lambda b, k: b.items.pop(k),
    create_empty=lambda aux: Bag(),
    clear=lambda b: b.items.clear(),
)


def test_register_graph_node_type():
    root = Module()
    root.bag = Bag()
    root.bag.items["w"] = brainsim.ParamState(jnp.ones(2))
    root.bag.items["sub"] = Leaf()
    assert list(root.states()) == [("bag", "w"), ("bag", "sub", "w"), ("bag", "sub", "h")]
    assert list(root.nodes()) == [(), ("bag", "sub")]
    new = graph.clone(root)
    assert isinstance(new.bag, Bag) and new.bag.items["w"] is not root.bag.items["w"]
    np.testing.assert_array_equal(new.bag.items["w"].value, np.ones(2))
    popped = graph.pop_states(root, brainsim.ParamState)
    assert list(popped.to_flat()) == [("bag", "w"), ("bag", "sub", "w")]
    assert list(root.bag.items) == ["sub"]


def test_register_graph_node_type_rejects_non_types():
    with pytest.raises(TypeError, match="expected a class as `type`"):
        graph.register_graph_node_type(Bag(), lambda b: ([], None), None, None, None, None)


# ------------------------------------------------------------------ cycles


def test_cycles_terminate():
    root = Module()
    root.child = Leaf()
    root.child.parent = root  # Node cycle
    root.l = [brainsim.State(1.0)]
    root.l.append(root.l)  # list containing itself
    root.d = {}
    root.d["self"] = root.d
    assert list(root.nodes()) == [(), ("child",)]
    assert list(root.states()) == [("child", "w"), ("child", "h"), ("l", 0)]
    new = graph.clone(root)
    assert new.child.parent is new
    assert new.l[1] is new.l
    assert new.d["self"] is new.d
    assert list(new.states()) == list(root.states())


# ------------------------------------------------------------------ property: split/merge


STATE_TYPES = [brainsim.State, brainsim.ParamState, brainsim.HiddenState, brainsim.ShortTermState]


def _build(data, depth, pool, aliases, path):
    """A random Module graph; records pairs of paths that must resolve to the same object."""
    m = Module()
    for i in range(data.draw(st.integers(0, 3), label="n_attrs")):
        name = f"a{i}"
        kinds = ["state", "module", "list", "dict", "shared"] if depth > 0 else ["state"]
        kind = data.draw(st.sampled_from(kinds), label="kind")
        if kind == "shared" and not pool:
            kind = "state"
        if kind == "state":
            value = _draw_state(data)
        elif kind == "module":
            value = _build(data, depth - 1, pool, aliases, path + (name,))
        elif kind == "shared":
            target_path, value = data.draw(st.sampled_from(pool), label="shared")
            aliases.append((target_path, path + (name,)))
        else:
            n = data.draw(st.integers(0, 3), label="n_items")
            items = []
            for j in range(n):
                if data.draw(st.booleans(), label="item is module"):
                    key = j if kind == "list" else f"k{j}"
                    items.append(_build(data, depth - 1, pool, aliases, path + (name, key)))
                else:
                    items.append(_draw_state(data))
            value = items if kind == "list" else {f"k{j}": v for j, v in enumerate(items)}
        setattr(m, name, value)
        if isinstance(value, Module | brainsim.State) and kind != "shared":
            pool.append((path + (name,), value))
    return m


def _draw_state(data):
    typ = data.draw(st.sampled_from(STATE_TYPES), label="state type")
    shape = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2), label="shape"))
    seed = data.draw(st.integers(0, 2**16), label="seed")
    return typ(jnp.asarray(np.random.default_rng(seed).normal(size=shape), dtype=jnp.float32))


def _check_same_graph(old, new, aliases):
    old_states, new_states = old.states(), new.states()
    assert list(old_states) == list(new_states)
    old_ids = {id(s) for s in old_states.values()}
    for k, s in old_states.items():
        t = new_states[k]
        assert type(t) is type(s)
        assert id(t) not in old_ids  # fresh States
        np.testing.assert_array_equal(np.asarray(t.value), np.asarray(s.value))
    assert [type(n) for n in old.nodes().values()] == [type(n) for n in new.nodes().values()]
    assert list(old.nodes()) == list(new.nodes())
    for p, q in aliases:
        assert _resolve(old, p) is _resolve(old, q)
        assert _resolve(new, p) is _resolve(new, q)
        assert _resolve(new, p) is not _resolve(old, p)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_split_merge_round_trip(data):
    aliases = []
    root = _build(data, 2, [], aliases, ())
    gdef, mapping = graph.treefy_split(root)
    _check_same_graph(root, graph.treefy_merge(gdef, mapping), aliases)
    # through a pytree round trip of the mapping
    leaves, treedef = jax.tree.flatten(mapping)
    assert len(leaves) == len(root.states())
    _check_same_graph(root, graph.treefy_merge(gdef, jax.tree.unflatten(treedef, leaves)), aliases)
    # with filters
    gdef2, params, hidden, rest = graph.treefy_split(
        root, brainsim.ParamState, brainsim.HiddenState, ...
    )
    n = len(params.to_flat()) + len(hidden.to_flat()) + len(rest.to_flat())
    assert n == len(root.states())
    _check_same_graph(root, graph.treefy_merge(gdef2, params, hidden, rest), aliases)
    _check_same_graph(root, graph.clone(root), aliases)
    _check_same_graph(root, copy.deepcopy(root), aliases)
