"""Conformance tests for ``brainsim.filter`` (API.md B.4)."""

import jax.numpy as jnp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import brainsim
from brainsim import filter as F

P = brainsim.ParamState(jnp.ones(2), tag="fast")
H = brainsim.HiddenState(jnp.zeros(2), tag={"a", "b"})
S = brainsim.State(0.0)
PATH = ("layer1", "weight", "val")


# ------------------------------------------------------------------ to_predicate


def test_str_becomes_with_tag():
    pred = F.to_predicate("fast")
    assert pred == F.WithTag("fast")
    assert pred(PATH, P) is True
    assert pred(PATH, H) is False
    assert pred(PATH, S) is False  # tag is None
    assert F.to_predicate("a")(PATH, H) and F.to_predicate("b")(PATH, H)


def test_with_tag_matches_plain_string_tag_and_untagged_objects():
    class Obj:
        tag = "fast"

    assert F.WithTag("fast")((), Obj())
    assert not F.WithTag("fas")((), Obj())  # a plain string tag is not a substring match
    assert not F.WithTag("fast")((), object())


def test_type_becomes_of_type():
    pred = F.to_predicate(brainsim.ParamState)
    assert pred == F.OfType(brainsim.ParamState)
    assert pred(PATH, P)
    assert not pred(PATH, H)
    assert F.to_predicate(brainsim.State)(PATH, H)  # subclasses match
    assert F.to_predicate(brainsim.ShortTermState)(PATH, H)
    assert not F.to_predicate(brainsim.LongTermState)(PATH, H)


def test_of_type_matches_snapshots_by_their_type():
    ref = P.to_state_ref()
    assert not isinstance(ref, brainsim.ParamState)
    assert F.OfType(brainsim.ParamState)(PATH, ref)
    assert F.OfType(brainsim.LongTermState)(PATH, ref)
    assert not F.OfType(brainsim.HiddenState)(PATH, ref)


@pytest.mark.parametrize("f", [True, ...])
def test_true_and_ellipsis_become_everything(f):
    pred = F.to_predicate(f)
    assert pred == F.Everything()
    assert all(pred(PATH, x) for x in (P, H, S, 1, None))


@pytest.mark.parametrize("f", [False, None])
def test_false_and_none_become_nothing(f):
    pred = F.to_predicate(f)
    assert pred == F.Nothing()
    assert not any(pred(PATH, x) for x in (P, H, S, 1, None))


@pytest.mark.parametrize("container", [list, tuple])
def test_list_and_tuple_become_any(container):
    pred = F.to_predicate(container([brainsim.ParamState, "a"]))
    assert pred == F.Any(brainsim.ParamState, "a")
    assert pred(PATH, P) and pred(PATH, H)
    assert not pred(PATH, S)


def test_callable_is_used_unchanged():
    def fn(path, x):
        return path[0] == "layer1"

    assert F.to_predicate(fn) is fn
    lam = lambda path, x: False
    assert F.to_predicate(lam) is lam


def test_predicate_objects_are_returned_unchanged():
    f = F.Not(F.WithTag("x"))
    assert F.to_predicate(f) is f


@pytest.mark.parametrize("bad", [3, 2.5, object(), b"fast"])
def test_bad_filter_raises_type_error(bad):
    with pytest.raises(TypeError, match="to_predicate: expected a filter") as info:
        F.to_predicate(bad)
    assert isinstance(info.value, brainsim.BrainSimError)
    assert type(bad).__name__ in str(info.value)


def test_bad_filter_inside_a_list_raises():
    with pytest.raises(TypeError, match="to_predicate: expected a filter"):
        F.to_predicate([brainsim.ParamState, 3])


# ------------------------------------------------------------------ combinators


def test_any_all_not():
    anyf = F.Any(brainsim.ParamState, "a")
    allf = F.All(brainsim.HiddenState, "a", "b")
    notf = F.Not(brainsim.HiddenState)
    assert anyf(PATH, P) and anyf(PATH, H) and not anyf(PATH, S)
    assert allf(PATH, H) and not allf(PATH, P)
    assert notf(PATH, P) and notf(PATH, S) and not notf(PATH, H)
    assert not F.Any()(PATH, P)  # empty Any matches nothing
    assert F.All()(PATH, P)  # empty All matches everything


def test_path_contains():
    pred = F.PathContains("layer1")
    assert pred(PATH, S)
    assert not pred(("layer10", "w"), S)  # whole parts, not substrings
    assert F.PathContains(0)(("layers", 0, "w"), S)
    assert not F.PathContains(1)(("layers", 0, "w"), S)


def test_everything_and_nothing():
    assert F.Everything()((), None) is True
    assert F.Nothing()((), None) is False


def test_combinators_are_hashable_and_comparable():
    pairs = [
        (F.WithTag("a"), F.WithTag("a")),
        (F.OfType(brainsim.State), F.OfType(brainsim.State)),
        (F.PathContains("x"), F.PathContains("x")),
        (F.Any("a", brainsim.State), F.Any("a", brainsim.State)),
        (F.All("a", brainsim.State), F.All("a", brainsim.State)),
        (F.Not("a"), F.Not("a")),
        (F.Everything(), F.Everything()),
        (F.Nothing(), F.Nothing()),
    ]
    for a, b in pairs:
        assert a == b and hash(a) == hash(b)
        assert a is not b
    assert len({a for a, _ in pairs} | {b for _, b in pairs}) == len(pairs)
    assert F.WithTag("a") != F.WithTag("b")
    assert F.Any("a", "b") != F.Any("b", "a")
    assert F.Any("a") != F.All("a")
    assert F.Everything() != F.Nothing()
    assert F.Not("a") == F.Not(F.WithTag("a"))  # compared by predicate
    assert F.Any([brainsim.State]) == F.Any(F.Any(brainsim.State))


def test_reprs():
    assert repr(F.OfType(brainsim.ParamState)) == "OfType(ParamState)"
    assert repr(F.WithTag("x")) == "WithTag('x')"
    assert repr(F.Everything()) == "Everything()"


# ------------------------------------------------------------------ multi-filter splits


class _M(brainsim.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = brainsim.ParamState(jnp.ones(2))
        self.h = brainsim.HiddenState(jnp.zeros(2))
        self.s = brainsim.State(jnp.zeros(1))


@pytest.mark.parametrize("everything", [..., True])
def test_everything_only_last_in_multi_filter_states(everything):
    m = _M()
    with pytest.raises(ValueError, match="may only be the last filter") as info:
        m.states(everything, brainsim.ParamState)
    assert isinstance(info.value, brainsim.BrainSimError)
    with pytest.raises(ValueError, match="position 1 of 3"):
        m.states(brainsim.HiddenState, everything, brainsim.ParamState)
    params, rest = m.states(brainsim.ParamState, everything)
    assert list(params) == [("w",)]
    assert list(rest) == [("h",), ("s",)]


def test_everything_alone_is_fine():
    m = _M()
    assert list(m.states(...)) == [("w",), ("h",), ("s",)]
    with pytest.raises(ValueError, match="last filter"):
        brainsim.graph.treefy_split(m, ..., brainsim.HiddenState)


# ------------------------------------------------------------------ properties

TAGS = st.sampled_from(["a", "b", "c"])
STATE_TYPES = st.sampled_from(
    [brainsim.State, brainsim.ParamState, brainsim.HiddenState, brainsim.ShortTermState]
)
SIMPLE = st.one_of(TAGS, STATE_TYPES, st.just(...), st.none(), st.booleans())


@st.composite
def _filters(draw, depth=2):
    if depth == 0:
        return draw(SIMPLE)
    kind = draw(st.sampled_from(["simple", "any", "all", "not", "list"]))
    if kind == "simple":
        return draw(SIMPLE)
    sub = st.lists(_filters(depth - 1), max_size=3)
    if kind == "any":
        return F.Any(*draw(sub))
    if kind == "all":
        return F.All(*draw(sub))
    if kind == "list":
        return draw(sub)
    return F.Not(draw(_filters(depth - 1)))


def _reference(f, x):
    """What a filter means, written independently of brainsim.filter."""
    if isinstance(f, F.Any):
        return any(_reference(g, x) for g in f.filters)
    if isinstance(f, F.All):
        return all(_reference(g, x) for g in f.filters)
    if isinstance(f, F.Not):
        return not _reference(f.filter, x)
    if isinstance(f, list):
        return any(_reference(g, x) for g in f)
    if f is True or f is ...:
        return True
    if f is False or f is None:
        return False
    if isinstance(f, str):
        return x.tag is not None and f in x.tag
    return isinstance(x, f)


@settings(max_examples=60, deadline=None)
@given(f=_filters(), typ=STATE_TYPES, tags=st.sets(TAGS))
def test_property_combinators_agree_with_set_semantics(f, typ, tags):
    x = typ(jnp.zeros(1), tag=tags or None)
    pred = F.to_predicate(f)
    assert pred((), x) == _reference(f, x)
    assert F.to_predicate(F.Not(f))((), x) == (not _reference(f, x))
    assert hash(F.Any(f)) == hash(F.Any(f)) and F.Any(f) == F.Any(f)


@settings(max_examples=40, deadline=None)
@given(fs=st.lists(_filters(1), min_size=2, max_size=4))
def test_property_multi_filter_partition(fs):
    """Each state goes to the first filter it matches; unmatched ones are dropped."""
    fs = [f for f in fs if f is not ... and f is not True]
    if len(fs) < 2:
        return
    m = _M()
    m.t = brainsim.ShortTermState(jnp.zeros(1), tag="a")
    parts = m.states(*fs)
    assert len(parts) == len(fs)
    for path, state in m.states().items():
        first = next((i for i, f in enumerate(fs) if _reference(f, state)), None)
        for i, part in enumerate(parts):
            assert (path in part) == (i == first)
