"""Conformance tests for ``brainsim.nn.Module`` and containers (API.md B.2, B.3, B.5, B.6)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim.nn import (
    Const,
    L1Reg,
    L2Reg,
    Linear,
    Module,
    Param,
    ParamDescriber,
    Sequential,
)

# ------------------------------------------------------------------ the seed example


def test_seed_example_scale():
    class Scale(brainsim.nn.Module):
        def __init__(self, scale):
            super().__init__()
            self.scale = scale

        def update(self, x):
            return x * self.scale

    layer = Scale(2.0)
    assert layer(3.0) == 6.0
    assert repr(layer) == "Scale(scale=2.0)"
    assert (3.0 >> layer) == 6.0
    assert list(layer.states()) == []


# ------------------------------------------------------------------ B.2 construction


class Add(Module):
    def __init__(self, k, name=None):
        super().__init__(name=name)
        self.k = k

    def update(self, x, extra=0.0):
        return x + self.k + extra


def test_name():
    assert Module().name is None
    assert Module(name="net").name == "net"
    assert Add(1, name="a").name == "a"


@pytest.mark.parametrize("bad", [3, 1.5, b"x", ["a"], object()])
def test_name_validation_dual_error(bad):
    with pytest.raises(TypeError, match=r"Module\(name=...\): expected a str or None") as info:
        Module(name=bad)
    assert isinstance(info.value, AssertionError)
    assert isinstance(info.value, brainsim.BrainSimError)
    with pytest.raises(AssertionError, match="expected a str or None"):
        Add(1, name=bad)


def test_name_is_read_only():
    m = Module(name="x")
    with pytest.raises(AttributeError, match="Module.name is read-only"):
        m.name = "y"
    assert m.name == "x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, (3,)),
        (np.int64(4), (4,)),
        (np.int32(2), (2,)),
        (np.array(5), (5,)),
        (jnp.array(6), (6,)),
        ([2, 3], (2, 3)),
        ((2, 3), (2, 3)),
        ((), ()),
        (None, None),
    ],
)
def test_in_out_size_setters(value, expected):
    m = Module()
    assert m.in_size is None and m.out_size is None
    m.in_size = value
    m.out_size = value
    assert m.in_size == expected and m.out_size == expected
    if expected is not None:
        assert isinstance(m.in_size, tuple)


@pytest.mark.parametrize("bad", ["3", 1.5, np.array([1, 2]), np.array(1.0), True, {"a": 1}])
def test_in_out_size_setter_errors(bad):
    m = Module()
    for attr in ("in_size", "out_size"):
        with pytest.raises(TypeError, match=rf"Module\.{attr}: expected an int") as info:
            setattr(m, attr, bad)
        assert isinstance(info.value, AssertionError)
        assert isinstance(info.value, brainsim.BrainSimError)
    assert m.in_size is None


def test_base_update_raises():
    with pytest.raises(NotImplementedError, match="Module.update is not implemented"):
        Module()(1.0)
    with pytest.raises(NotImplementedError, match="update is not implemented"):
        Module().update()


def test_call_forwards_to_update():
    m = Add(1.0)
    assert m(2.0) == 3.0
    assert m(2.0, extra=10.0) == 13.0
    assert m.update(2.0, 1.0) == 4.0


def test_rrshift_chains():
    m1, m2 = Add(1.0), Add(10.0)
    x = jnp.ones(2)
    np.testing.assert_array_equal(x >> m1 >> m2, m2(m1(x)))
    np.testing.assert_array_equal(x >> m1, np.full(2, 2.0))


def test_repr_rules():
    assert repr(Module()) == "Module()"
    assert repr(Module(name="n")) == "Module(name='n')"
    m = Module()
    m.in_size = 3
    assert repr(m) == "Module(in_size=(3,))"
    assert repr(Add(2)) == "Add(k=2)"
    assert repr(Add(None)) == "Add()"  # None values are omitted

    class Hidden(Module):
        graph_invisible_attrs = ("secret",)

        def __init__(self):
            super().__init__()
            self.secret = 1
            self.shown = 2

    assert repr(Hidden()) == "Hidden(shown=2)"
    nested = Module()
    nested.child = Add(1)
    assert repr(nested) == "Module(child=Add(k=1))"


# ------------------------------------------------------------------ B.3 queries


class Block(Module):
    def __init__(self):
        super().__init__()
        self.inner = Add(1)
        self.s = brainsim.HiddenState(jnp.zeros(2))


def _tree():
    root = Module()
    root.layer1 = Block()
    root.layers = [Add(1), Block()]
    root.d = {"k": Add(2)}
    return root


def test_children_and_named_children():
    root = _tree()
    names = [n for n, _ in root.named_children()]
    assert names == ["layer1", "layers.0", "layers.1", "d.k"]
    kids = list(root.children())
    assert kids == [root.layer1, root.layers[0], root.layers[1], root.d["k"]]
    assert all(a is b for a, b in zip(kids, [m for _, m in root.named_children()], strict=True))
    assert list(Module().children()) == []


def test_children_include_params_since_they_are_modules():
    root = Module()
    root.w = Param(1.0)
    root.sub = Block()
    assert [n for n, _ in root.named_children()] == ["w", "sub"]


def test_modules_and_named_modules():
    root = _tree()
    mods = root.modules()
    assert isinstance(mods, brainsim.graph.CollectionView)
    expected = [
        "",
        "layer1",
        "layer1.inner",
        "layers.0",
        "layers.1",
        "layers.1.inner",
        "d.k",
    ]
    assert mods.keys() == expected
    assert mods.values() == list(mods)
    assert mods[0] is root and len(mods) == 7
    assert [n for n, _ in mods.items()] == expected
    assert list(m for m in root.modules()) == mods.values()  # `for m in model.modules()`
    assert root.modules(include_self=False).keys() == expected[1:]
    assert [n for n, _ in root.named_modules()] == expected
    assert [n for n, _ in root.named_modules(prefix="model")] == ["model"] + [
        f"model.{n}" for n in expected[1:]
    ]
    assert [n for n, _ in root.named_modules(prefix="m", include_self=False)][0] == "m.layer1"
    assert [m for _, m in root.named_modules()][2] is root.layer1.inner


def test_modules_include_params_and_regularizations():
    root = Module()
    root.w = Param(jnp.ones(2), reg=L2Reg(0.1))
    mods = root.modules()
    assert mods.keys() == ["", "w", "w.reg"]
    assert isinstance(mods[2], L2Reg)


def _two_layer():
    model = Module()
    model.layer1 = Linear(3, 4)
    model.layer2 = Linear(4, 2, b_init=None)
    return model


def test_named_param_modules_of_two_linear_layers():
    model = _two_layer()
    names = [n for n, _ in model.named_param_modules()]
    assert names == ["layer1.weight", "layer1.bias", "layer2.weight"]
    params = model.param_modules()
    assert params.keys() == names
    assert params[0] is model.layer1.weight
    assert all(isinstance(p, Param) for p in params)
    assert params.values()[2].value.shape == (4, 2)


def test_param_modules_filters():
    model = _two_layer()
    model.c = Const(jnp.ones(3))
    model.layer1.weight.tag = "decay"
    assert model.param_modules().keys() == [
        "layer1.weight",
        "layer1.bias",
        "layer2.weight",
        "c",
    ]
    # predicates (path, param)
    only_weights = model.param_modules(lambda path, p: path[-1] == "weight")
    assert only_weights.keys() == ["layer1.weight", "layer2.weight"]
    assert model.param_modules(lambda path, p: p.fit is False).keys() == ["c"]
    # types
    assert model.param_modules(Const).keys() == ["c"]
    # tags
    assert model.param_modules("decay").keys() == ["layer1.weight"]
    # several filters must all match
    both = model.param_modules(
        lambda path, p: path[0] == "layer1", lambda path, p: p.value.ndim == 1
    )
    assert both.keys() == ["layer1.bias"]
    # a positional (lo, hi) pair is allowed_hierarchy
    assert model.param_modules((1, 1)).keys() == ["c"]
    assert model.param_modules((2, 2)).keys() == ["layer1.weight", "layer1.bias", "layer2.weight"]
    assert model.param_modules(allowed_hierarchy=(1, 1)).keys() == ["c"]
    assert model.param_modules((0, 0)).keys() == []
    assert [n for n, _ in model.named_param_modules((1, 1))] == ["c"]
    with pytest.raises(ValueError, match=r"expected 0 <= lo <= hi"):
        model.param_modules(allowed_hierarchy=(3, 1))


def test_param_module_aliases():
    model = _two_layer()
    names = model.param_modules().keys()
    for alias in ("par_modules", "para_modules"):
        assert getattr(model, alias)().keys() == names
    for alias in ("named_par_modules", "named_para_modules"):
        assert [n for n, _ in getattr(model, alias)()] == names


def test_parameters_and_named_parameters():
    model = _two_layer()
    model.c = Const(1.0)  # not trainable
    model.w = brainsim.ParamState(jnp.ones(2))  # bare ParamState
    model.h = brainsim.HiddenState(jnp.zeros(2))  # not a parameter
    model.sub = Module()
    model.sub.p = brainsim.ParamState(jnp.zeros(1))
    model.sub.q = Param(2.0)
    named = list(model.named_parameters())
    assert [n for n, _ in named] == [
        "layer1.weight",
        "layer1.bias",
        "layer2.weight",
        "w",
        "sub.p",
        "sub.q",
    ]
    assert named[0][1] is model.layer1.weight and named[3][1] is model.w
    params = model.parameters()
    assert params.keys() == [n for n, _ in named]
    assert params.values()[0].value.shape == (3, 4)  # `param.value.shape`
    assert params[0].value().shape == (3, 4)  # `param.value().shape`
    # recurse=False: owned directly by this module
    assert [n for n, _ in model.named_parameters(recurse=False)] == ["w"]
    assert model.sub.parameters(recurse=False).keys() == ["p", "q"]
    assert model.layer1.parameters(recurse=False).keys() == ["weight", "bias"]
    # prefixes
    assert [n for n, _ in model.named_parameters(prefix="model")][:2] == [
        "model.layer1.weight",
        "model.layer1.bias",
    ]
    assert [n for n, _ in model.named_parameters(prefix="m", recurse=False)] == ["m.w"]


def test_reg_loss():
    model = Module()
    model.a = Param(jnp.array([1.0, 2.0]), reg=L2Reg(0.1))  # 0.1 * 5
    model.b = Param(jnp.array([1.0, -2.0]), reg=L1Reg(1.0))  # 3
    model.c = Param(jnp.ones(3))  # unregularized
    model.d = Const(jnp.ones(2), reg=L2Reg(1.0))  # non-trainable: 0
    np.testing.assert_allclose(model.reg_loss(), 3.5, rtol=1e-6)
    np.testing.assert_allclose(model.reg_loss(lambda path, p: path == ("a",)), 0.5, rtol=1e-6)
    np.testing.assert_allclose(model.reg_loss(lambda path, p: path[0] in "bd"), 3.0, rtol=1e-6)
    assert model.reg_loss(Const) == 0.0
    empty = Module()
    empty.c = Param(1.0)
    assert empty.reg_loss() == 0.0
    assert Module().reg_loss() == 0.0
    assert isinstance(Module().reg_loss(), float)
    # reg_loss is differentiable through the value
    model2 = Module()
    model2.a = Param(jnp.array([1.0, 2.0]), reg=L2Reg(0.1))
    gdef, state = brainsim.graph.treefy_split(model2)
    grads = jax.grad(lambda s: brainsim.graph.treefy_merge(gdef, s).reg_loss())(state)
    np.testing.assert_allclose(grads["a"]["val"].value, [0.2, 0.4], rtol=1e-6)


# ------------------------------------------------------------------ param_precompute


class Counting:
    """A precompute callable that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return x * 2


def _cached(model):
    return [n for n, p in model.named_param_modules() if p.cache_stats["has_cached_value"]]


def _nested_params():
    model = Module()
    model.direct = Param(jnp.ones(2))
    model.sub = Module()
    model.sub.deep = Param(jnp.full(2, 3.0))
    return model


def test_param_precompute_caches_and_clears():
    model = _nested_params()
    counter = Counting()
    model.p = Param(jnp.ones(2), precompute=counter)
    assert _cached(model) == []
    with model.param_precompute():
        assert _cached(model) == ["direct", "sub.deep", "p"]
        assert counter.calls == 1
        for _ in range(3):
            np.testing.assert_array_equal(model.p.value(), np.full(2, 2.0))
        assert counter.calls == 1  # served from the cache
    assert _cached(model) == []
    model.p.value()
    assert counter.calls == 2


def test_param_precompute_hierarchy():
    model = _nested_params()
    with model.param_precompute(allowed_hierarchy=(0, 0)):
        assert _cached(model) == []
    with model.param_precompute(allowed_hierarchy=(1, 1)):
        assert _cached(model) == ["direct"]
    with model.param_precompute(allowed_hierarchy=(2, 2)):
        assert _cached(model) == ["sub.deep"]
    assert _cached(model) == []
    with pytest.raises(TypeError, match="expected a pair of ints"):
        with model.param_precompute(allowed_hierarchy=5):
            pass


def test_param_precompute_nesting_is_reference_counted():
    model = _nested_params()
    with model.param_precompute():
        with model.param_precompute():
            assert _cached(model) == ["direct", "sub.deep"]
        assert _cached(model) == ["direct", "sub.deep"]  # the outer still holds them
        with model.param_precompute(allowed_hierarchy=(1, 1)):
            pass
        assert _cached(model) == ["direct", "sub.deep"]
    assert _cached(model) == []
    with model.param_precompute(allowed_hierarchy=(1, 1)):
        with model.param_precompute():
            assert _cached(model) == ["direct", "sub.deep"]
        assert _cached(model) == ["direct"]
    assert _cached(model) == []
    with model.sub.param_precompute():  # a sub-module's own context
        with model.param_precompute():
            pass
        assert _cached(model) == ["sub.deep"]
    assert _cached(model) == []


def test_param_precompute_clears_after_exception():
    model = _nested_params()
    with pytest.raises(RuntimeError, match="boom"):
        with model.param_precompute():
            with model.param_precompute():
                raise RuntimeError("boom")
    assert _cached(model) == []
    with model.param_precompute():  # still usable afterwards
        assert _cached(model) == ["direct", "sub.deep"]
    assert _cached(model) == []


def test_param_precompute_failure_on_entry_releases_entered_params():
    def bad(x):
        raise FloatingPointError("bad precompute")

    model = _nested_params()
    model.z = Param(jnp.ones(2))
    model.z.precompute = bad
    with pytest.raises(FloatingPointError, match="bad precompute"):
        with model.param_precompute():
            pass
    assert _cached(model) == []


def test_param_precompute_sees_writes():
    model = _nested_params()
    with model.param_precompute():
        model.direct.set_value(jnp.full(2, 5.0))
        np.testing.assert_array_equal(model.direct.value(), np.full(2, 5.0))
        model.sub.deep.val.value = jnp.zeros(2)
        np.testing.assert_array_equal(model.sub.deep.value(), np.zeros(2))


# ------------------------------------------------------------------ B.6 init / reset


def test_base_hooks_do_nothing():
    m = Module()
    assert m.init_state() is None
    assert m.reset_state(batch_size=3) is None


def _order_model(log):
    class Plain(Module):
        def __init__(self, tag):
            super().__init__()
            self.tag_ = tag

        def init_state(self, *args, **kwargs):
            log.append((self.tag_, args, kwargs))

        def reset_state(self, *args, **kwargs):
            log.append(("reset", self.tag_))

    class Tagged(Plain):
        def __init__(self, tag, order):
            super().__init__(tag)
            self.order = order

    class Late(Tagged):
        @brainsim.nn.call_order(3)
        def init_state(self, *args, **kwargs):
            log.append((self.tag_, args, kwargs))

        @brainsim.nn.call_order(3)
        def reset_state(self, *args, **kwargs):
            log.append(("reset", self.tag_))

    class Mid(Tagged):
        @brainsim.nn.call_order(2)
        def init_state(self, *args, **kwargs):
            log.append((self.tag_, args, kwargs))

    root = Plain("root")
    root.late = Late("late", 3)
    root.a = Plain("a")
    root.a.x = Plain("a.x")
    root.a.mid = Mid("a.mid", 2)
    root.items = [Plain("items.0")]
    root.zero = Late("late2", 3)
    return root


def test_init_all_states_order():
    log = []
    root = _order_model(log)
    out = brainsim.nn.init_all_states(root, 7, batch_size=4)
    assert out is root
    names = [t for t, _, _ in log]
    assert all(args == (7,) and kw == {"batch_size": 4} for _, args, kw in log)
    untagged = names[:4]
    assert sorted(untagged) == ["a", "a.x", "items.0", "root"]
    assert untagged.index("a.x") < untagged.index("a") < untagged.index("root")
    assert untagged.index("items.0") < untagged.index("root")
    assert names[4:] == ["a.mid", "late", "late2"]  # ascending call_order, stable


def test_reset_all_states_order():
    log = []
    root = _order_model(log)
    assert root.reset_all_states() is root
    names = [t for _, t in log]
    assert names[-2:] == ["late", "late2"]
    assert names.index("a.x") < names.index("a") < names.index("root")
    log.clear()
    brainsim.nn.reset_all_states(root)
    assert [t for _, t in log][-2:] == ["late", "late2"]


@pytest.mark.parametrize("bad", [10, -1, 100, 1.5, True])
def test_call_order_range(bad):
    with pytest.raises(ValueError, match=r"call_order\(level=...\): expected an int in \[0, 10\)"):
        brainsim.nn.call_order(bad)


def test_module_init_all_states_returns_catcher():
    class Neuron(Module):
        def init_state(self, batch_size=None):
            shape = (3,) if batch_size is None else (batch_size, 3)
            self.V = brainsim.HiddenState(jnp.zeros(shape))

    root = Module()
    root.n1 = Neuron()
    root.n2 = Neuron()
    existing = brainsim.State(0.0)
    root.e = existing
    catcher = root.init_all_states(batch_size=2, state_tag="new")
    assert len(catcher) == 2
    assert set(catcher) == {root.n1.V, root.n2.V}
    assert existing not in list(catcher)
    assert root.n1.V.value.shape == (2, 3)
    assert catcher.get_by_tag("new") == catcher.get_states()
    assert root.n1.V.tag == {"new"}
    plain = root.init_all_states()
    assert len(plain) == 2 and plain[0].tag is None


def test_call_all_fns():
    log = []

    class Hook(Module):
        def ping(self, x, scale=1):
            log.append(x * scale)

    root = Module()
    root.h = Hook()
    with pytest.raises(ValueError, match="has no method 'ping'"):
        brainsim.nn.call_all_fns(root, "ping", (1,))
    brainsim.nn.call_all_fns(root, "ping", (2,), {"scale": 3}, fn_if_not_exist="pass")
    assert log == [6]
    with pytest.warns(UserWarning, match="has no method 'ping'"):
        brainsim.nn.call_all_fns(root, "ping", (1,), fn_if_not_exist="warn")
    brainsim.nn.call_all_fns(root, "ping", (5,), fn_if_not_exist="pass", node_to_exclude=Hook)
    assert log == [6, 1]
    with pytest.raises(ValueError, match=r"fn_if_not_exist=\.\.\.\): expected 'raise'"):
        brainsim.nn.call_all_fns(root, "ping", fn_if_not_exist="ignore")


# ------------------------------------------------------------------ Sequential


def test_sequential_builds_describers_and_wraps_callables():
    net = Sequential(Linear(4, 8), jax.nn.relu, Linear.desc(out_size=2))
    assert net.in_size == (4,) and net.out_size == (2,)
    assert len(net) == 3
    assert isinstance(net[1], brainsim.nn.ElementWiseBlock)
    assert net[1].in_size == (8,) and net[1].out_size == (8,)
    assert isinstance(net[2], Linear) and net[2].in_size == (8,)
    x = jnp.arange(4.0)
    expected = net[2](jax.nn.relu(net[0](x)))
    np.testing.assert_allclose(net(x), expected, rtol=1e-6)
    np.testing.assert_allclose(x >> net, expected, rtol=1e-6)
    assert list(net) == net.layers
    assert list(net.states(brainsim.ParamState))[0] == ("layers", 0, "weight", "val")
    assert [n for n, _ in net.named_param_modules()] == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.2.weight",
        "layers.2.bias",
    ]


def test_sequential_indexing():
    a, b, c = Linear(4, 3), Linear(3, 2), Linear(2, 5)
    net = Sequential(a, b, c)
    assert net[0] is a and net[-1] is c
    sub = net[0:2]
    assert isinstance(sub, Sequential) and sub.layers == [a, b]
    assert sub.in_size == (4,) and sub.out_size == (2,)
    picked = net[(0, 2)]
    assert isinstance(picked, Sequential) and picked.layers == [a, c]
    empty = net[5:]
    assert isinstance(empty, Sequential) and len(empty) == 0
    assert empty.in_size is None and empty.out_size is None
    assert len(net[()]) == 0
    with pytest.raises(IndexError):
        net[3]


def test_sequential_append_extend_insert():
    net = Sequential(Linear(4, 3))
    net.append(Linear.desc(out_size=2))
    assert net[1].in_size == (3,) and net.out_size == (2,)
    net.extend([jnp.tanh, Linear.desc(out_size=6)])
    assert len(net) == 4 and net.out_size == (6,) and net[3].in_size == (2,)
    net.insert(1, Linear.desc(out_size=3))  # built from layer 0's out_size
    assert net[1].in_size == (3,) and len(net) == 5
    net.insert(-1, jnp.abs)  # before the last layer
    assert len(net) == 6 and isinstance(net[-2], brainsim.nn.ElementWiseBlock)
    last = Linear(6, 1)
    net.insert(len(net), last)  # at the end
    assert net[-1] is last and net.out_size == (1,)
    net.insert(-len(net), Linear(4, 4))  # at the very front
    assert net[0].out_size == (4,) and net.in_size == (4,)
    net.insert(0, jnp.abs)
    assert isinstance(net[0], brainsim.nn.ElementWiseBlock) and net.in_size == (4,)
    n = len(net)
    with pytest.raises(IndexError, match=f"index {n + 1} out of range for {n} layers"):
        net.insert(n + 1, jnp.abs)
    with pytest.raises(IndexError, match=f"index {-n - 1} out of range"):
        net.insert(-n - 1, jnp.abs)
    assert len(net) == n


def test_sequential_errors():
    with pytest.raises(brainsim.BrainSimError, match="the first layer must be a Module"):
        Sequential(jnp.tanh)
    with pytest.raises(brainsim.BrainSimError, match="unsupported layer type int"):
        Sequential(Linear(2, 2), 5)
    net = Sequential(Linear(4, 2))
    with pytest.raises(brainsim.BrainSimError, match="unsupported layer type str"):
        net.append("relu")
    with pytest.raises(brainsim.BrainSimError, match=r"layer 0 \(Linear\) failed") as info:
        net(jnp.ones(3))  # wrong input size
    assert info.value.__cause__ is not None

    def raises_brainsim(x):
        raise brainsim.TraceContextError("inner")

    net2 = Sequential(Linear(2, 2), raises_brainsim)
    with pytest.raises(brainsim.TraceContextError, match="inner"):
        net2(jnp.ones(2))  # brainsim errors pass through unchanged


# ------------------------------------------------------------------ ParamDescriber


def test_param_describer():
    d1 = Linear.desc(3, out_size=5)
    d2 = Linear.desc(3, out_size=5)
    d3 = Linear.desc(3, out_size=6)
    assert isinstance(d1, ParamDescriber)
    assert d1.identifier == d2.identifier and hash(d1.identifier) == hash(d2.identifier)
    assert d1.identifier != d3.identifier
    assert {d1.identifier: 1}[d2.identifier] == 1
    d4 = Linear.desc(3, out_size=5, w_init=[[1.0] * 5] * 3)  # unhashable args
    assert hash(d4.identifier) == hash(
        Linear.desc(3, out_size=5, w_init=[[1.0] * 5] * 3).identifier
    )
    assert isinstance(d1, ParamDescriber[Module])
    assert isinstance(d1, ParamDescriber[Linear])
    assert not isinstance(d1, ParamDescriber[Param])
    assert not isinstance(Linear(3, 5), ParamDescriber[Module])
    layer = d1()
    assert isinstance(layer, Linear) and layer.in_size == (3,) and layer.out_size == (5,)
    assert d1.init().out_size == (5,)
    assert Linear.desc(out_size=2)(7).in_size == (7,)
    assert repr(d1) == "Linear.desc(3, out_size=5)"
