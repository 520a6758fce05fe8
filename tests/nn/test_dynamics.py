"""``brainsim.nn.Dynamics`` (API.md F.1), ``Neuron`` / ``Synapse`` bases (F.2) and
``ParamDescriber`` identifiers: sizes, ordering hooks, input channels, prefetch, delays of
states and outputs, ``align_pre``."""

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import environ
from brainsim.nn import (
    Dynamics,
    Neuron,
    ParamDescriber,
    Synapse,
    init_all_states,
    not_receive_update_input,
    not_receive_update_output,
    receive_update_input,
    receive_update_output,
)

DT = 1.0


@pytest.fixture(autouse=True)
def _dt():
    with environ.context(dt=DT):
        yield


class Counter(Dynamics):
    """``x`` counts the calls (x = k after call k); ``update`` returns ``10 x``."""

    def init_state(self, batch_size=None, **kwargs):
        self.x = brainsim.HiddenState(jnp.zeros(self.varshape))

    def update(self, inc=1.0):
        self.x.value = self.x.value + inc
        return self.x.value * 10.0


class Recorder(Dynamics):
    """Records every call's arguments in ``log``."""

    def __init__(self, in_size=1, log=None, tag="rec"):
        super().__init__(in_size)
        self.log = [] if log is None else log
        self.tag = tag

    def update(self, *args):
        self.log.append((self.tag, args))
        return args


# ------------------------------------------------------------------ sizes


@pytest.mark.parametrize(
    "in_size, expected",
    [(5, (5,)), (np.int64(3), (3,)), ((2, 3), (2, 3)), ([4, 2], (4, 2)), ((7,), (7,))],
)
def test_in_size_forms(in_size, expected):
    d = Dynamics(in_size)
    assert d.in_size == expected
    assert isinstance(d.in_size, tuple)
    assert d.out_size == expected
    assert d.varshape == expected


@pytest.mark.parametrize("bad", [1.5, "3", None, (), [], (2, 1.5), ("a",), True, {3: 1}])
def test_in_size_invalid(bad):
    with pytest.raises(ValueError, match="in_size"):
        Dynamics(bad)


def test_in_size_error_names_class():
    class MyPop(Dynamics):
        pass

    with pytest.raises(ValueError, match=r"MyPop\(in_size=...\)"):
        MyPop(2.5)


# ------------------------------------------------------------------ ordering hooks


def test_hook_registry():
    d = Dynamics(1)
    assert d.before_updates is None and d.after_updates is None
    f, g = (lambda: None), (lambda out: None)
    assert d.add_before_update("f", f) is f
    d.add_after_update("g", g)
    assert d.has_before_update("f") and not d.has_before_update("g")
    assert d.has_after_update("g") and not d.has_after_update("f")
    assert d.get_before_update("f") is f
    assert d.get_after_update("g") is g
    assert d.before_updates == {"f": f}
    assert d.after_updates == {"g": g}


def test_hook_duplicate_and_missing_keys():
    d = Dynamics(1)
    d.add_before_update("k", lambda: None)
    d.add_after_update("k", lambda out: None)
    with pytest.raises(KeyError, match="already registered"):
        d.add_before_update("k", lambda: None)
    with pytest.raises(KeyError, match="already registered"):
        d.add_after_update("k", lambda out: None)
    with pytest.raises(KeyError, match="missing"):
        d.get_before_update("missing")
    with pytest.raises(KeyError, match="missing"):
        d.get_after_update("missing")
    assert isinstance(
        pytest.raises(KeyError, d.get_after_update, "nope").value, brainsim.BrainSimError
    )


def test_call_order_and_arguments():
    log = []

    class Main(Dynamics):
        def update(self, a, b=0):
            log.append(("update", (a, b)))
            return a + b

    m = Main(1)
    m.add_before_update("b_plain", lambda *a, **k: log.append(("before_plain", a, k)))
    m.add_before_update(
        "b_input", receive_update_input(lambda *a, **k: log.append(("before_input", a, k)))
    )
    m.add_after_update("a_output", lambda *a: log.append(("after_output", a)))
    m.add_after_update(
        "a_plain", not_receive_update_output(lambda *a: log.append(("after_plain", a)))
    )
    assert m(2, b=3) == 5
    assert log == [
        ("before_plain", (), {}),
        ("before_input", (2,), {"b": 3}),
        ("update", (2, 3)),
        ("after_output", (5,)),
        ("after_plain", ()),
    ]


def test_tagging_helpers_set_and_clear():
    def f(*a):
        return a

    assert receive_update_output(f) is f and f._receive_update_output is True
    not_receive_update_output(f)
    assert f._receive_update_output is False
    receive_update_input(f)
    assert f._receive_update_input is True
    not_receive_update_input(f)
    assert f._receive_update_input is False

    # an explicitly untagged before-update gets no arguments
    seen = []
    d = Recorder()
    d.add_before_update("b", not_receive_update_input(lambda *a: seen.append(a)))
    d(1, 2)
    assert seen == [()]


def test_after_update_dynamics_receives_output():
    log = []
    main = Recorder(log=log, tag="main")
    follower = Recorder(log=log, tag="follower")
    main.add_after_update("follower", follower)
    out = main(7)
    assert out == (7,)
    assert log == [("main", (7,)), ("follower", ((7,),))]


# ------------------------------------------------------------------ input channels


def test_input_labels_and_properties():
    d = Dynamics(3)
    assert d.current_inputs is None and d.delta_inputs is None
    a, b = jnp.ones(3), jnp.full(3, 2.0)
    d.add_current_input("drive", a)
    d.add_current_input("drive", b, label="exc")
    d.add_delta_input("kick", a, label="inh")
    assert set(d.current_inputs) == {"drive", "exc // drive"}
    assert set(d.delta_inputs) == {"inh // kick"}
    assert d.get_input("exc // drive") is b
    assert d.get_input("inh // kick") is a
    with pytest.raises(ValueError, match="unknown input key 'nothing'"):
        d.get_input("nothing")
    with pytest.raises(ValueError, match="drive"):  # the label is part of the key
        d.get_input("inh // drive")


def test_readding_same_object_ok_different_object_error():
    d = Dynamics(2)
    v = jnp.ones(2)
    fn = lambda V: V  # noqa: E731
    d.add_current_input("k", v)
    d.add_current_input("k", v)  # the same object: allowed
    d.add_delta_input("f", fn)
    d.add_delta_input("f", fn)
    with pytest.raises(ValueError, match="'k'"):
        d.add_current_input("k", jnp.ones(2))  # an equal but different object
    with pytest.raises(ValueError, match="'f'"):
        d.add_delta_input("f", lambda V: V)
    d.add_current_input("k", jnp.ones(2), label="other")  # another label: another key
    assert set(d.current_inputs) == {"k", "other // k"}
    # the rejected input did not replace the stored one
    assert d.get_input("k") is v


def test_callables_kept_values_popped():
    d = Dynamics(2)
    calls = []

    def fn(V, scale=1.0):
        calls.append((V, scale))
        return V * scale

    d.add_current_input("fn", fn)
    d.add_current_input("val", jnp.asarray([1.0, 2.0]))
    V = jnp.asarray([10.0, 20.0])
    out = d.sum_current_inputs(jnp.zeros(2), V, scale=0.5)
    np.testing.assert_allclose(out, [6.0, 12.0])
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0][0], V)
    assert calls[0][1] == 0.5
    assert set(d.current_inputs) == {"fn"}  # the value was used once
    out = d.sum_current_inputs(jnp.ones(2), V)
    np.testing.assert_allclose(out, [11.0, 21.0])
    assert len(calls) == 2


def test_sum_delta_inputs_and_label_filter():
    d = Dynamics(1)
    d.add_delta_input("a", 1.0, label="exc")
    d.add_delta_input("b", 10.0, label="inh")
    d.add_delta_input("c", lambda: 100.0)
    d.add_current_input("cur", 1000.0)
    assert float(d.sum_delta_inputs(0.0, label="exc")) == 1.0
    assert set(d.delta_inputs) == {"inh // b", "c"}  # only the 'exc' value was popped
    assert float(d.sum_delta_inputs(0.0, label="exc")) == 0.0  # nothing left with 'exc'
    assert float(d.sum_delta_inputs(0.5)) == 110.5  # no label: every delta input
    assert set(d.delta_inputs) == {"c"}
    assert float(d.sum_delta_inputs(0.0)) == 100.0  # the callable stays
    assert set(d.current_inputs) == {"cur"}  # delta sums leave current inputs alone
    assert float(d.sum_current_inputs(0.0, label="exc")) == 0.0
    assert float(d.sum_current_inputs(0.0)) == 1000.0


def test_sum_inputs_without_inputs_returns_init():
    d = Dynamics(1)
    init = jnp.asarray([3.0])
    assert d.sum_current_inputs(init) is init
    assert d.sum_delta_inputs(init, label="x") is init


def test_sum_inputs_pop_false_keeps_values():
    d = Dynamics(1)
    d.add_current_input("v", 2.0)
    assert float(d.sum_current_inputs(0.0, pop=False)) == 2.0
    assert float(d.sum_current_inputs(0.0)) == 2.0
    assert d.current_inputs == {}


def test_neuron_passes_V_to_callable_inputs():
    lif = brainsim.models.LIF(3, tau=10 * u.ms)
    with environ.context(dt=0.1 * u.ms):
        lif.init_state()
        lif.V.value = jnp.asarray([0.1, 0.2, 0.3]) * u.mV
        seen = []

        def drive(V):
            seen.append(V)
            return 0.0 * u.mA

        lif.add_current_input("drive", drive)
        lif.add_delta_input("jump", jnp.asarray([0.0, 0.0, 0.5]) * u.mV)
        V_before = lif.V.value
        lif()
        lif()
    assert len(seen) == 2  # kept
    assert u.get_unit(seen[0]) == u.mV
    np.testing.assert_allclose(seen[0].to_decimal(u.mV), V_before.to_decimal(u.mV), rtol=1e-6)
    assert "jump" not in lif.delta_inputs  # popped after the first step


def test_dynamics_docstring_semantics_with_units():
    class Leak(Dynamics):
        def init_state(self, batch_size=None):
            self.x = brainsim.HiddenState(u.math.zeros(self.varshape, unit=u.mV))

        def update(self, inp=0.0 * u.mV):
            self.x.value = self.sum_current_inputs(inp, self.x.value) + self.x.value * 0.5
            return self.x.value

    d = Leak(2)
    d.init_state()
    d.add_current_input("drive", lambda x: 2.0 * u.mV)
    d.add_current_input("kick", 1.0 * u.mV)
    np.testing.assert_allclose(d().to_decimal(u.mV), [3.0, 3.0])
    np.testing.assert_allclose(d().to_decimal(u.mV), [3.5, 3.5])


# ------------------------------------------------------------------ prefetch


def test_prefetch_returns_state_value_or_attribute():
    c = Counter(2)
    c.init_state()
    c.gain = 3.5
    p = c.prefetch("x")
    assert isinstance(p, brainsim.nn.Prefetch)
    np.testing.assert_array_equal(p(), jnp.zeros(2))
    c()
    np.testing.assert_array_equal(p(), jnp.ones(2))  # read at call time, not at creation
    assert c.prefetch("gain")() == 3.5
    with pytest.raises(AttributeError, match="'missing'"):
        c.prefetch("missing")()


def test_prefetch_delay_timing_three_steps():
    """The value returned during call k is the state after call k - 3 (F.3)."""
    c = Counter(2)
    acc = c.prefetch("x").delay.at(3 * DT)
    init_all_states(c)
    got = []
    for _ in range(8):
        c()
        got.append(float(acc()[0]))
    # x after call j is j; before the first recorded call the history is zeros
    assert got == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_prefetch_delay_with_units_in_for_loop():
    class V(Dynamics):
        def init_state(self, batch_size=None):
            self.V = brainsim.HiddenState(jnp.full(self.varshape, -70.0) * u.mV)

        def update(self):
            self.V.value = self.V.value + 1.0 * u.mV

    with environ.context(dt=0.5 * u.ms):
        v = V(1)
        acc = v.prefetch_delay("V", 1.0 * u.ms)  # 2 steps
        init_all_states(v)

        def step(i):
            v()
            return acc()

        out = brainsim.transform.for_loop(step, jnp.arange(6))
    assert u.get_unit(out) == u.mV
    np.testing.assert_allclose(out.to_decimal(u.mV)[:, 0], [0, 0, -69, -68, -67, -66])


def test_prefetch_delay_registered_once_per_item():
    c = Counter(1)
    a1 = c.prefetch_delay("x", 1.0)
    a2 = c.prefetch("x").delay.at(2.0)
    assert list(c.after_updates) == ["x-prefetch-delay-None"]
    swd = c.get_after_update("x-prefetch-delay-None")
    assert isinstance(swd, brainsim.nn.StateWithDelay)
    assert swd.max_length == 3  # grown to the longest registered delay
    init_all_states(c)
    for _ in range(4):
        c()
    assert float(a1()[0]) == 3.0 and float(a2()[0]) == 2.0


def test_output_delay():
    c = Counter(2)
    acc = c.output_delay(2 * DT)
    again = c.output_delay(1 * DT)
    assert list(c.after_updates) == ["output-delay"]
    init_all_states(c)
    got, got1 = [], []
    for _ in range(5):
        c()
        got.append(float(acc()[1]))
        got1.append(float(again()[1]))
    # output after call j is 10 j
    assert got == [0.0, 0.0, 10.0, 20.0, 30.0]
    assert got1 == [0.0, 10.0, 20.0, 30.0, 40.0]


# ------------------------------------------------------------------ align_pre and describers


class Trace(Synapse):
    """A presynaptic trace: ``s <- decay * s + x``."""

    def __init__(self, in_size, decay=0.5, name=None):
        super().__init__(in_size, name=name)
        self.decay = decay

    def init_state(self, batch_size=None, **kwargs):
        self.s = brainsim.HiddenState(jnp.zeros(self.varshape))

    def update(self, x):
        self.s.value = self.s.value * self.decay + x
        return self.s.value


def test_align_pre_with_describer_built_once():
    pre = Counter((2, 3))
    desc = Trace.desc(decay=0.25)
    t1 = pre.align_pre(desc)
    t2 = pre.align_pre(Trace.desc(decay=0.25))  # an equal describer: the same instance
    assert t1 is t2
    assert isinstance(t1, Trace) and t1.in_size == pre.varshape == (2, 3)
    assert pre.get_after_update(desc.identifier) is t1
    t3 = pre.align_pre(Trace.desc(decay=0.5))  # a different describer: a new instance
    assert t3 is not t1
    init_all_states(pre)
    pre()
    pre()
    # outputs 10 then 20 go through the trace: s = 10 * 0.25 + 20
    np.testing.assert_allclose(t1.s.value, jnp.full((2, 3), 22.5))
    np.testing.assert_allclose(t3.s.value, jnp.full((2, 3), 25.0))


def test_align_pre_describer_with_own_size_and_instance():
    pre = Counter(4)
    own = pre.align_pre(Trace.desc(4, decay=0.0))
    assert own.in_size == (4,)
    inst = Trace(4)
    assert pre.align_pre(inst) is inst
    assert pre.align_pre(inst) is inst  # registered once, under id(inst)
    assert pre.has_after_update(id(inst))
    assert len(pre.after_updates) == 2
    init_all_states(pre)
    pre()
    np.testing.assert_allclose(inst.s.value, jnp.full(4, 10.0))
    with pytest.raises(ValueError, match="align_pre"):
        pre.align_pre(42)


def test_align_pre_synapse_from_catalogue():
    pre = Counter(3)
    syn = pre.align_pre(brainsim.models.Expon.desc(tau=5 * u.ms))
    assert syn is pre.align_pre(brainsim.models.Expon.desc(tau=5 * u.ms))
    assert syn.varshape == (3,)


def test_param_describer_identifiers():
    Expon = brainsim.models.Expon
    d1 = Expon.desc(1, tau=5 * u.ms)
    d2 = Expon.desc(1, tau=5 * u.ms)
    assert d1.identifier == d2.identifier
    assert hash(d1.identifier) == hash(d2.identifier)
    assert d1.identifier != Expon.desc(1, tau=6 * u.ms).identifier
    assert d1.identifier != Expon.desc(1, tau=5 * u.second).identifier
    assert d1.identifier != Expon.desc(2, tau=5 * u.ms).identifier
    assert d1.identifier != Trace.desc(1, tau=5 * u.ms).identifier
    # arrays and lists hash by value
    a = Trace.desc(np.arange(3), decay=[0.5, 0.25])
    b = Trace.desc(np.arange(3), decay=[0.5, 0.25])
    assert a.identifier == b.identifier
    assert d1.cls is Expon and d1.args == (1,) and d1.kwargs == {"tau": 5 * u.ms}
    assert isinstance(d1, ParamDescriber[Synapse])
    assert isinstance(d1, ParamDescriber[Dynamics])
    assert not isinstance(d1, ParamDescriber[Neuron])
    syn = d1(name="made")
    assert isinstance(syn, Expon) and syn.name == "made" and syn.varshape == (1,)


# ------------------------------------------------------------------ Neuron / Synapse bases


def test_neuron_base_contract():
    n = Neuron(3)
    assert n.spk_reset == "soft" and callable(n.spk_fun)
    assert Neuron(3, spk_reset="hard").spk_reset == "hard"
    with pytest.raises(ValueError, match=r"spk_reset.*'soft' or 'hard'.*'bad'"):
        Neuron(3, spk_reset="bad")
    with pytest.raises(NotImplementedError, match="get_spike"):
        n.get_spike()
    with pytest.raises(TypeError, match="spk_fun"):
        Neuron(3, spk_fun=1.0)
    assert isinstance(Synapse(2), Dynamics)
