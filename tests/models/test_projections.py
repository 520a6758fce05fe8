"""Synaptic outputs (COBA, CUBA, MgBlock) and projections: the AlignPostProj example in both
modes, synapse merging, delays, delta/current projections, align-pre/post with STP against
hand computations, gap junctions, construction errors, and jit/for_loop equal eager."""

import re

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import models, nn

DT = 0.1  # ms


@pytest.fixture(autouse=True)
def _dt():
    with brainsim.environ.context(dt=DT * u.ms):
        yield


def mV(x):
    return np.asarray(x.to_decimal(u.mV))


def mS(x):
    return np.asarray(x.to_decimal(u.mS))


def mA(x):
    return np.asarray(x.to_decimal(u.mA))


def quiet_lif(n, tau=10.0):
    """A LIF that never spikes in these tests (so V is a pure leaky integral)."""
    return models.LIF(n, tau=tau * u.ms, V_th=1e6 * u.mV)


def align_post(post, mode, weight=1.0, tau=5.0, **kw):
    comm = nn.EventLinear(2, post.varshape[0], jnp.full((2, post.varshape[0]), weight) * u.mS)
    if mode == "merging":
        syn, out = models.Expon.desc(post.varshape[0], tau=tau * u.ms), models.CUBA.desc()
    else:
        syn, out = models.Expon(post.varshape[0], tau=tau * u.ms), models.CUBA()
    return models.AlignPostProj(comm=comm, syn=syn, out=out, post=post, **kw)


def init(*modules):
    for m in modules:
        nn.init_all_states(m)


# --------------------------------------------------------------------------- outputs


@pytest.mark.parametrize(
    "out",
    [models.COBA(E=0.0 * u.mV), models.CUBA(), models.MgBlock()],
    ids=lambda o: type(o).__name__,
)
def test_synout_before_bind_raises(out):
    with pytest.raises(ValueError, match=rf"{type(out).__name__}: no conductance bound"):
        out(-60.0 * u.mV)


def test_bound_conductance_persists_until_rebound():
    out = models.COBA(E=0.0 * u.mV)
    out.bind_cond(2.0 * u.nS)
    first = float(out(-60.0 * u.mV).to_decimal(u.pA))
    second = float(out(-60.0 * u.mV).to_decimal(u.pA))
    assert first == pytest.approx(120.0) and second == pytest.approx(120.0)
    out.bind_cond(1.0 * u.nS)
    assert float(out(-60.0 * u.mV).to_decimal(u.pA)) == pytest.approx(60.0)
    out.unbind_cond()
    with pytest.raises(ValueError, match="no conductance bound"):
        out(-60.0 * u.mV)


def test_coba_is_g_times_driving_force():
    out = models.COBA(E=-80.0 * u.mV)
    g = jnp.array([1.0, 2.0, 3.0]) * u.nS
    V = jnp.array([-60.0, -80.0, -90.0]) * u.mV
    out.bind_cond(g)
    np.testing.assert_allclose(
        np.asarray(out(V).to_decimal(u.pA)), [1.0 * -20.0, 0.0, 3.0 * 10.0], rtol=1e-6
    )


def test_cuba_is_g_times_scale_and_ignores_V():
    out = models.CUBA()
    out.bind_cond(jnp.array([1.0, 2.5]) * u.mS)
    a, b = out(0.0 * u.mV), out(-70.0 * u.mV)
    np.testing.assert_allclose(mA(a), [1.0, 2.5])  # mS * 1 V = mA
    np.testing.assert_allclose(mA(b), mA(a))
    half = models.CUBA(scale=0.5 * u.volt)
    half.bind_cond(2.0 * u.mS)
    assert float(mA(half(0.0 * u.mV))) == pytest.approx(1.0)


def test_mgblock_matches_numpy_formula():
    E, cc, alpha, beta, V_off = 5.0, 1.5, 0.07, 3.0, -2.0
    out = models.MgBlock(
        E=E * u.mV, cc_Mg=cc * u.mM, alpha=alpha / u.mV, beta=beta * u.mM, V_offset=V_off * u.mV
    )
    V = np.array([-80.0, -65.0, -20.0, 0.0, 30.0])
    g = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    out.bind_cond(jnp.asarray(g) * u.nS)
    expected = g * (E - V) / (1 + cc / beta * np.exp(alpha * (V_off - V)))  # nS * mV = pA
    np.testing.assert_allclose(
        np.asarray(out(jnp.asarray(V) * u.mV).to_decimal(u.pA)), expected, rtol=1e-5
    )
    default = models.MgBlock()
    default.bind_cond(1.0 * u.nS)
    v = -65.0
    ref = (0 - v) / (1 + 1.2 / 3.57 * np.exp(0.062 * (0 - v)))
    assert float(default(v * u.mV).to_decimal(u.pA)) == pytest.approx(ref, rel=1e-5)


# --------------------------------------------------------------------------- Projection base


class _Counter(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = []

    def update(self, *args):
        self.calls.append(args)


def test_projection_base_requires_a_child_and_calls_children():
    with pytest.raises(ValueError, match="no child node"):
        models.Projection().update()
    proj = models.Projection()
    proj.a, proj.b = _Counter(), _Counter()
    proj.update(1)
    assert proj.a.calls == [(1,)] and proj.b.calls == [(1,)]


def test_projection_auto_names_are_unique_and_numbered():
    post = quiet_lif(1)
    p1, p2 = align_post(post, "instance"), align_post(post, "instance")
    n1 = int(re.fullmatch(r"AlignPostProj(\d+)", p1.name).group(1))
    n2 = int(re.fullmatch(r"AlignPostProj(\d+)", p2.name).group(1))
    assert n2 == n1 + 1
    d1 = models.DeltaProj(comm=lambda x: x * u.mV, post=post)
    assert re.fullmatch(r"DeltaProj\d+", d1.name)
    assert models.DeltaProj(comm=lambda x: x * u.mV, post=post, name="mine").name == "mine"


# --------------------------------------------------------------------------- AlignPostProj


@pytest.mark.parametrize("mode", ["merging", "instance"])
def test_align_post_example(mode):
    post = quiet_lif(1)
    proj = align_post(post, mode)
    init(post, proj)
    assert proj.merging is (mode == "merging")
    proj(jnp.array([1.0, 0.0]))
    post()
    np.testing.assert_allclose(mS(proj.syn.g.value), [1.0], rtol=1e-6)
    np.testing.assert_allclose(mV(post.V.value), [1.0 * (1 - np.exp(-0.01))], rtol=1e-5)


@pytest.mark.parametrize("mode", ["merging", "instance"])
def test_align_post_a_few_steps_match_hand_computation(mode):
    tau_s, tau_m = 5.0, 10.0
    post = quiet_lif(1, tau=tau_m)
    proj = align_post(post, mode, weight=2.0, tau=tau_s)
    init(post, proj)
    spikes = np.array([[1, 0], [0, 0], [1, 1], [0, 0], [0, 1]], np.float32)
    g, V = 0.0, 0.0
    es, em = np.exp(-DT / tau_s), np.exp(-DT / tau_m)
    for s in spikes:
        proj(jnp.asarray(s))
        post()
        g = g * es + 2.0 * np.count_nonzero(s)
        V = V * em + g * 1.0 * (1 - em)  # I = g * 1 V (mA), R = 1 ohm
        np.testing.assert_allclose(mS(proj.syn.g.value), [g], rtol=1e-5)
        np.testing.assert_allclose(mV(post.V.value), [V], rtol=1e-5)


def test_merging_shares_one_synapse_and_one_output():
    post = quiet_lif(1)
    p1 = align_post(post, "merging", weight=1.0)
    p2 = align_post(post, "merging", weight=2.0)
    assert p1.syn is p2.syn and p1.out is p2.out
    assert len(post.current_inputs) == 1
    assert next(iter(post.current_inputs.values())) is p1.out
    assert len(post.before_updates) == 1
    init(post, p1, p2)
    p1(jnp.array([1.0, 0.0]))  # 1 mS
    p2(jnp.array([0.0, 1.0]))  # 2 mS
    post()
    np.testing.assert_allclose(mS(p1.syn.g.value), [3.0], rtol=1e-6)
    np.testing.assert_allclose(mV(post.V.value), [3.0 * (1 - np.exp(-0.01))], rtol=1e-5)


def test_merging_with_different_describers_does_not_share():
    post = quiet_lif(1)
    p1 = align_post(post, "merging", tau=5.0)
    p2 = align_post(post, "merging", tau=6.0)
    comm = nn.EventLinear(2, 1, jnp.ones((2, 1)) * u.mS)
    p3 = models.AlignPostProj(
        comm=comm,
        syn=models.Expon.desc(1, tau=5.0 * u.ms),
        out=models.COBA.desc(E=0.0 * u.mV),
        post=post,
    )
    assert p1.syn is not p2.syn and p1.out is not p2.out
    assert p3.syn is not p1.syn and p3.out is not p1.out
    assert len(post.current_inputs) == 3 and len(post.before_updates) == 3


def test_instance_mode_registers_its_own_output():
    post = quiet_lif(1)
    p1, p2 = align_post(post, "instance"), align_post(post, "instance")
    assert p1.syn is not p2.syn
    outs = list(post.current_inputs.values())
    assert len(outs) == 2 and outs[0] is p1.out and outs[1] is p2.out
    assert not post.before_updates


def test_align_post_mixing_modes_and_wrong_types_raise_type_error():
    post = quiet_lif(1)
    comm = nn.EventLinear(2, 1, jnp.ones((2, 1)) * u.mS)
    desc, inst = models.Expon.desc(1, tau=5 * u.ms), models.Expon(1, tau=5 * u.ms)
    with pytest.raises(TypeError, match="both be describers"):
        models.AlignPostProj(comm=comm, syn=desc, out=models.CUBA(), post=post)
    with pytest.raises(TypeError, match="both be describers"):
        models.AlignPostProj(comm=comm, syn=inst, out=models.CUBA.desc(), post=post)
    with pytest.raises(TypeError, match="syn=.*expected a synapse"):
        models.AlignPostProj(comm=comm, syn=lambda x: x, out=models.CUBA(), post=post)
    with pytest.raises(TypeError, match="out=.*expected a SynOut"):
        models.AlignPostProj(comm=comm, syn=inst, out=lambda g: g, post=post)
    with pytest.raises(TypeError, match="post=.*expected a Dynamics"):
        models.AlignPostProj(comm=comm, syn=inst, out=models.CUBA(), post=lambda: None)
    with pytest.raises(TypeError, match="comm=.*expected a callable"):
        models.AlignPostProj(comm=3.0, syn=inst, out=models.CUBA(), post=post)


def test_comm_size_mismatch_names_both_sizes():
    post = quiet_lif(4)
    comm = nn.EventLinear(2, 3, jnp.ones((2, 3)) * u.mS)
    with pytest.raises(ValueError, match=r"out_size \(3,\) .*post population size \(4,\)"):
        models.AlignPostProj(comm=comm, syn=models.Expon(4), out=models.CUBA(), post=post)
    with pytest.raises(ValueError, match=r"out_size \(3,\) .*\(4,\)"):
        models.DeltaProj(comm=comm, post=post)
    with pytest.raises(ValueError, match=r"out_size \(3,\) .*\(4,\)"):
        models.CurrentProj(comm=comm, out=models.CUBA(), post=post)


def _delayed_g(delay, inputs, tau=5.0):
    post = quiet_lif(1)
    comm = nn.EventLinear(2, 1, jnp.ones((2, 1)) * u.mS, float_as_event=False)
    proj = models.AlignPostProj(
        comm=comm, syn=models.Expon(1, tau=tau * u.ms), out=models.CUBA(), post=post, delay=delay
    )
    init(post, proj)
    gs = []
    for x in inputs:
        proj(jnp.asarray(x))
        post()
        gs.append(float(mS(proj.syn.g.value)[0]))
    return np.array(gs)


def _expon_of(arrivals, tau=5.0):
    g, out = 0.0, []
    for a in arrivals:
        g = g * np.exp(-DT / tau) + a
        out.append(g)
    return np.array(out)


def test_align_post_delay_integer_steps():
    inputs = np.zeros((8, 2), np.float32)
    inputs[0] = [1.0, 0.0]
    inputs[2] = [1.0, 1.0]
    gs = _delayed_g(0.3 * u.ms, inputs)  # 3 steps
    arrivals = np.zeros(8)
    arrivals[3], arrivals[5] = 1.0, 2.0
    np.testing.assert_allclose(gs, _expon_of(arrivals), rtol=1e-5, atol=1e-7)
    assert gs[:3].tolist() == [0.0, 0.0, 0.0]


def test_align_post_delay_fractional_interpolates_linearly():
    inputs = np.zeros((6, 2), np.float32)
    inputs[0] = [1.0, 0.0]
    gs = _delayed_g(0.125 * u.ms, inputs)  # 1.25 steps: 0.75 x[k-1] + 0.25 x[k-2]
    arrivals = np.array([0.0, 0.75, 0.25, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(gs, _expon_of(arrivals), rtol=1e-4, atol=1e-6)


# --------------------------------------------------------------------------- Delta / Current


def test_delta_proj_example():
    post = models.LIF(3, V_th=100 * u.mV)
    proj = models.DeltaProj(comm=lambda x: x * u.mV, post=post)
    init(post, proj)
    proj(jnp.array([1.0, 2.0, 3.0]))
    post()
    np.testing.assert_allclose(mV(post.V.value), [1.0, 2.0, 3.0], rtol=1e-6)
    post()  # the delta is used once: then V only decays
    np.testing.assert_allclose(
        mV(post.V.value), np.array([1.0, 2.0, 3.0]) * np.exp(-DT / 5.0), rtol=1e-5
    )


def test_delta_proj_reads_a_prefetch():
    pre = quiet_lif(2)
    post = models.LIF(2, V_th=100 * u.mV)
    proj = models.DeltaProj(pre.prefetch("V"), comm=lambda v: v * 2.0, post=post)
    init(pre, post, proj)
    pre.V.value = jnp.array([0.5, -1.0]) * u.mV
    proj()
    post()
    np.testing.assert_allclose(mV(post.V.value), [1.0, -2.0], rtol=1e-6)


def test_current_proj_requires_synout_and_binds_comm_output():
    post = quiet_lif(2)
    with pytest.raises(TypeError, match=r"CurrentProj\(out=...\): expected a SynOut"):
        models.CurrentProj(comm=lambda x: x, out=lambda g: g, post=post)
    proj = models.CurrentProj(comm=lambda x: x * u.mS, out=models.CUBA(), post=post)
    init(post, proj)
    proj(jnp.array([1.0, 3.0]))
    post()
    em = np.exp(-DT / 10.0)
    V1 = np.array([1.0, 3.0]) * (1 - em)
    np.testing.assert_allclose(mV(post.V.value), V1, rtol=1e-5)
    post()  # the bound conductance persists: same current again
    np.testing.assert_allclose(
        mV(post.V.value), V1 * em + np.array([1.0, 3.0]) * (1 - em), rtol=1e-5
    )


# --------------------------------------------------------------------------- align pre / post

SPIKES = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 0], [1, 0, 1]], np.float32)
W = np.array([[1.0, 0.0], [0.5, 1.0], [0.0, 2.0]])
U, TAU_F, TAU_D, TAU_S, TAU_M = 0.3, 20.0, 10.0, 5.0, 10.0


def _stp_numpy(spikes):
    """Tsodyks-Markram efficacies, hand-written: relax exactly, then the spike jump."""
    uu, xx = np.full(spikes.shape[1], U), np.ones(spikes.shape[1])
    out = []
    for s in spikes:
        uu = uu * np.exp(-DT / TAU_F)
        xx = 1 - (1 - xx) * np.exp(-DT / TAU_D)
        uu = uu + s * U * (1 - uu)
        r = uu * xx * s
        xx = xx - r
        out.append(r)
    return np.array(out)


def _run_pre_post(proj, post, spikes):
    init(post, proj)
    V = []
    for s in spikes:
        proj(jnp.asarray(s))
        post()
        V.append(mV(post.V.value))
    return np.array(V)


def _lif_numpy(currents_mA):
    em = np.exp(-DT / TAU_M)
    V, out = np.zeros(currents_mA.shape[1]), []
    for current in currents_mA:
        V = V * em + current * (1 - em)
        out.append(V)
    return np.array(out)


def test_align_pre_projection_with_stp_matches_hand_computation():
    post = quiet_lif(2, tau=TAU_M)
    proj = models.align_pre_projection(
        syn=models.Expon.desc(3, tau=TAU_S * u.ms, g_initializer=brainsim.init.Constant(0.0)),
        comm=nn.EventLinear(3, 2, jnp.asarray(W) * u.mS, float_as_event=False),
        out=models.CUBA(),
        post=post,
        stp=models.STP(3, U=U, tau_f=TAU_F * u.ms, tau_d=TAU_D * u.ms),
    )
    assert isinstance(proj, models.AlignPreProj)
    V = _run_pre_post(proj, post, SPIKES)
    # pre-side synapse: one trace per presynaptic neuron, then the weights
    g_pre = _expon_of_rows(_stp_numpy(SPIKES), TAU_S)
    np.testing.assert_allclose(V, _lif_numpy(g_pre @ W), rtol=1e-4, atol=1e-8)


def _expon_of_rows(arrivals, tau):
    g, out = np.zeros(arrivals.shape[1]), []
    for a in arrivals:
        g = g * np.exp(-DT / tau) + a
        out.append(g)
    return np.array(out)


@pytest.mark.parametrize("describers", [True, False], ids=["merging", "instance"])
def test_align_post_projection_with_stp_matches_hand_computation(describers):
    post = quiet_lif(2, tau=TAU_M)
    if describers:
        syn, out = models.Expon.desc(2, tau=TAU_S * u.ms), models.CUBA.desc()
    else:
        syn, out = models.Expon(2, tau=TAU_S * u.ms), models.CUBA()
    proj = models.align_post_projection(
        comm=nn.EventLinear(3, 2, jnp.asarray(W) * u.mS, float_as_event=False),
        syn=syn,
        out=out,
        post=post,
        stp=models.STP(3, U=U, tau_f=TAU_F * u.ms, tau_d=TAU_D * u.ms),
    )
    assert isinstance(proj, models.AlignPostProj)
    V = _run_pre_post(proj, post, SPIKES)
    # post-side synapse: the weights first, then one trace per postsynaptic neuron
    g_post = _expon_of_rows(_stp_numpy(SPIKES) @ W, TAU_S)
    np.testing.assert_allclose(V, _lif_numpy(g_post), rtol=1e-4, atol=1e-8)


# --------------------------------------------------------------------------- gap junctions


def _pops(v_pre, v_post):
    pre, post = quiet_lif(len(v_pre)), quiet_lif(len(v_post))
    init(pre, post)
    pre.V.value = jnp.asarray(v_pre) * u.mV
    post.V.value = jnp.asarray(v_post) * u.mV
    return pre, post


def _currents(pop):
    return mA(pop.sum_current_inputs(u.math.zeros(pop.varshape, unit=u.mA)))


def test_symmetric_gap_junction_currents():
    v_pre, v_post = np.array([-60.0, -50.0, -70.0]), np.array([-65.0, -55.0])
    pre, post = _pops(v_pre, v_post)
    conn = np.array([[0, 0], [1, 0], [2, 1]])
    w = 0.1
    gap = models.SymmetryGapJunction((pre, post), "V", conn, w * u.mS)
    gap()
    exp_post, exp_pre = np.zeros(2), np.zeros(3)
    for i, j in conn:
        exp_post[j] += w * (v_pre[i] - v_post[j]) * 1e-3  # mS * mV = uA -> mA
        exp_pre[i] += w * (v_post[j] - v_pre[i]) * 1e-3
    np.testing.assert_allclose(_currents(post), exp_post, rtol=1e-5)
    np.testing.assert_allclose(_currents(pre), exp_pre, rtol=1e-5)
    # within one population: the two directions of each pair cancel in the total
    pop = quiet_lif(2)
    init(pop)
    pop.V.value = jnp.array([-60.0, -70.0]) * u.mV
    models.SymmetryGapJunction(pop, "V", np.array([[0, 1]]), w * u.mS)()
    np.testing.assert_allclose(_currents(pop), [-1e-3, 1e-3], rtol=1e-5)


def test_symmetric_gap_junction_per_pair_weights():
    v_pre, v_post = np.array([-60.0, -50.0]), np.array([-65.0])
    pre, post = _pops(v_pre, v_post)
    w = np.array([0.1, 0.3])
    gap = models.SymmetryGapJunction(
        (pre, post), ("V", "V"), np.array([[0, 0], [1, 0]]), jnp.asarray(w) * u.mS
    )
    gap()
    np.testing.assert_allclose(_currents(post), [(0.1 * 5 + 0.3 * 15) * 1e-3], rtol=1e-5)
    np.testing.assert_allclose(_currents(pre), [-0.5e-3, -4.5e-3], rtol=1e-5)


def test_asymmetric_gap_junction_uses_separate_weights():
    v_pre, v_post = np.array([-60.0, -50.0]), np.array([-65.0, -40.0])
    pre, post = _pops(v_pre, v_post)
    conn = np.array([[0, 0], [1, 1]])
    w_pre, w_post = 0.2, 0.5
    gap = models.AsymmetryGapJunction(pre, "V", post, "V", conn, (w_pre * u.mS, w_post * u.mS))
    gap()
    np.testing.assert_allclose(_currents(post), w_post * (v_pre - v_post) * 1e-3, rtol=1e-5)
    np.testing.assert_allclose(_currents(pre), w_pre * (v_post - v_pre) * 1e-3, rtol=1e-5)


@pytest.mark.parametrize(
    "conn",
    [np.array([0, 1]), np.array([[0, 1, 2]]), np.array([[0.0, 1.0]])],
    ids=["1d", "three-columns", "float"],
)
def test_gap_junction_bad_conn_raises(conn):
    pre, post = _pops([-60.0, -60.0], [-60.0, -60.0])
    with pytest.raises(ValueError, match=r"SymmetryGapJunction\(conn=...\): expected an integer"):
        models.SymmetryGapJunction((pre, post), "V", conn, 0.1 * u.mS)
    with pytest.raises(ValueError, match=r"AsymmetryGapJunction\(conn=...\)"):
        models.AsymmetryGapJunction(pre, "V", post, "V", conn, (0.1 * u.mS, 0.1 * u.mS))


def test_asymmetric_gap_junction_needs_a_weight_pair():
    pre, post = _pops([-60.0], [-60.0])
    with pytest.raises(ValueError, match=r"weight=...\): expected a pair"):
        models.AsymmetryGapJunction(pre, "V", post, "V", np.array([[0, 0]]), 0.1 * u.mS)


# --------------------------------------------------------------------------- transforms


class _Net(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.post = quiet_lif(2)
        comm = nn.EventLinear(3, 2, jnp.asarray(W) * u.mS)
        if mode == "merging":
            syn, out = models.Expon.desc(2, tau=TAU_S * u.ms), models.COBA.desc(E=50.0 * u.mV)
        else:
            syn, out = models.Expon(2, tau=TAU_S * u.ms), models.COBA(E=50.0 * u.mV)
        self.proj = models.AlignPostProj(
            comm=comm, syn=syn, out=out, post=self.post, delay=0.2 * u.ms
        )

    def update(self, s):
        self.proj(s)
        self.post()
        return self.post.V.value


@pytest.mark.parametrize("mode", ["merging", "instance"])
def test_projection_in_for_loop_and_jit_equals_eager(mode):
    net = _Net(mode)
    spikes = jnp.asarray(np.random.default_rng(0).random((12, 3)) < 0.5, dtype=jnp.float32)

    nn.init_all_states(net)
    eager = np.stack([mV(net(s)) for s in spikes])
    assert np.all(eager[-1] > 0)  # the input did arrive

    nn.init_all_states(net)
    looped = mV(brainsim.transform.for_loop(net, spikes))
    np.testing.assert_allclose(looped, eager, rtol=1e-5, atol=1e-7)

    nn.init_all_states(net)
    step = brainsim.transform.jit(net)
    jitted = np.stack([mV(step(s)) for s in spikes])
    np.testing.assert_allclose(jitted, eager, rtol=1e-5, atol=1e-7)
