"""Event-driven connectivity (API.md section i): ``EventFixedNumConn`` / ``EventFixedProb``
against dense references built independently from ``indices``, every sparse capacity tier,
exact gradients, errors, per-synapse delays against a brute-force NumPy simulation, and
``EventLinear`` / ``FixedNumConn``."""

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import environ
from brainsim.nn import EventFixedNumConn, EventFixedProb, EventLinear, FixedNumConn, event_matvec

RNG = np.random.default_rng(2024)


def dense_reference(conn):
    """``(n_pre, n_post)`` built with NumPy from ``indices`` / ``weight`` / ``pre_mask``."""
    idx = np.asarray(conn.indices)
    w = np.asarray(u.get_mantissa(conn.weight.value), dtype=np.float64)
    wk = np.broadcast_to(w, idx.shape)
    if conn.pre_mask is not None:
        wk = wk * np.asarray(conn.pre_mask)[:, None]
    dense = np.zeros((idx.shape[0], conn.n_post))
    rows = np.repeat(np.arange(idx.shape[0]), idx.shape[1])
    np.add.at(dense, (rows, idx.ravel()), wk.ravel())  # duplicates (multapses) accumulate
    return dense


def spikes(n, count=None, p=None, shape=(), magnitudes=False, rng=RNG):
    """A spike vector with exactly ``count`` (or a fraction ``p`` of) non-zero entries."""
    x = np.zeros(shape + (n,), np.float32)
    flat = x.reshape(-1, n)
    for row in flat:
        c = int(round(p * n)) if count is None else count
        row[rng.choice(n, size=c, replace=False)] = 1.0
    if magnitudes:
        x = x * rng.choice([0.3, -2.0, 5.0, 1.0], size=x.shape).astype(np.float32)
    return x


def mantissa(x):
    return np.asarray(u.get_mantissa(x), dtype=np.float64)


# ------------------------------------------------------------------ construction


@pytest.mark.parametrize("conn_num, k", [(0.1, 4), (0.25, 10), (1.0, 40), (7, 7), (0, 0)])
def test_conn_num_int_or_probability(conn_num, k):
    conn = EventFixedProb(30, 40, conn_num, 1.0, seed=0)
    assert conn.conn_num == k
    assert conn.indices.shape == (30, k)
    idx = np.asarray(conn.indices)
    assert idx.size == 0 or (idx.min() >= 0 and idx.max() < 40)


def test_alias_and_tuple_sizes():
    assert EventFixedProb is EventFixedNumConn
    conn = EventFixedProb((2, 5), (4, 5), 3, 1.0, seed=1)
    assert conn.n_pre == 10 and conn.n_post == 20
    out = conn(jnp.ones(10))
    assert out.shape == (20,)


@pytest.mark.parametrize("k, n_post", [(10, 50), (30, 50), (50, 50), (1, 3)])
def test_without_replacement_has_no_duplicates(k, n_post):
    conn = EventFixedProb(200, n_post, k, 1.0, allow_multi_conn=False, seed=3)
    idx = np.asarray(conn.indices)
    assert idx.shape == (200, k)
    assert all(len(set(row)) == k for row in idx.tolist())
    # targets are uniform: every target is chosen about 200 k / n_post times
    counts = np.bincount(idx.ravel(), minlength=n_post)
    expected = 200 * k / n_post
    assert np.all(np.abs(counts - expected) <= 6 * np.sqrt(expected) + 1)


def test_with_replacement_allows_multapses():
    conn = EventFixedProb(200, 10, 8, 1.0, allow_multi_conn=True, seed=0)
    idx = np.asarray(conn.indices)
    assert any(len(set(row)) < 8 for row in idx.tolist())
    x = spikes(200, p=0.3)
    np.testing.assert_allclose(mantissa(conn(jnp.asarray(x))), x @ dense_reference(conn), rtol=1e-5)


def test_seed_determinism():
    a = EventFixedProb(100, 80, 0.1, 1.0, seed=42)
    b = EventFixedProb(100, 80, 0.1, 1.0, seed=42)
    c = EventFixedProb(100, 80, 0.1, 1.0, seed=43)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, c.indices)
    a2 = EventFixedProb(100, 80, 0.1, 1.0, seed=42, allow_multi_conn=False, afferent_ratio=0.5)
    b2 = EventFixedProb(100, 80, 0.1, 1.0, seed=42, allow_multi_conn=False, afferent_ratio=0.5)
    np.testing.assert_array_equal(a2.indices, b2.indices)
    np.testing.assert_array_equal(a2.pre_mask, b2.pre_mask)


def test_afferent_ratio_keeps_a_subset_of_rows():
    conn = EventFixedProb(2000, 30, 5, 1.0, afferent_ratio=0.3, seed=5)
    kept = np.asarray(conn.pre_mask)
    assert kept.shape == (2000,)
    assert 0.25 < kept.mean() < 0.35
    # a neuron that is not kept has no effect; a kept one reaches its targets
    off, on = int(np.argmin(kept)), int(np.argmax(kept))
    x = np.zeros(2000, np.float32)
    x[off] = 1.0
    assert not np.any(mantissa(conn(jnp.asarray(x))))
    x[on] = 1.0
    expected = np.bincount(np.asarray(conn.indices)[on], minlength=30)
    np.testing.assert_allclose(mantissa(conn(jnp.asarray(x))), expected)


def test_param_type():
    conn = EventFixedProb(5, 5, 2, 1.0, param_type=brainsim.ShortTermState)
    assert type(conn.weight) is brainsim.ShortTermState
    layer = EventLinear(3, 2, 1.0, param_type=brainsim.ShortTermState)
    assert type(layer.weight) is brainsim.ShortTermState


def test_weight_initializer_and_dense_matches_reference():
    conn = EventFixedProb(20, 15, 4, brainsim.init.Normal(0.5, 0.1), seed=0)
    assert conn.weight.value.shape == (20, 4)
    assert isinstance(conn.weight, brainsim.ParamState)
    np.testing.assert_allclose(mantissa(conn.to_dense()), dense_reference(conn), rtol=1e-6)
    conn_q = EventFixedProb(20, 15, 4, 0.2 * u.mS, seed=0, afferent_ratio=0.5)
    assert conn_q.weight.value.shape == ()  # a homogeneous weight stays a scalar
    d = conn_q.to_dense()
    assert u.get_unit(d) == u.mS
    np.testing.assert_allclose(mantissa(d), dense_reference(conn_q), rtol=1e-6)


# ------------------------------------------------------------------ forward = dense reference


# every pair of values of the four factors appears in at least one case
FORWARD_CASES = [
    # conn_num, allow_multi_conn, weight, afferent_ratio
    (0.15, True, "scalar", 1.0),
    (0.15, False, "array", 0.6),
    (6, True, "array", 0.6),
    (6, False, "scalar", 1.0),
    (0.15, False, "scalar", 0.6),
    (6, True, "array", 1.0),
]


@pytest.mark.parametrize("conn_num, allow_multi_conn, weight, afferent_ratio", FORWARD_CASES)
def test_forward_equals_dense(conn_num, allow_multi_conn, weight, afferent_ratio):
    n_pre, n_post = 60, 40
    k = int(n_post * conn_num) if isinstance(conn_num, float) else conn_num
    w = 0.7 if weight == "scalar" else RNG.normal(size=(n_pre, k)).astype(np.float32)
    conn = EventFixedProb(
        n_pre,
        n_post,
        conn_num,
        w,
        allow_multi_conn=allow_multi_conn,
        afferent_ratio=afferent_ratio,
        seed=11,
        spike_capacity=4,
    )
    D = dense_reference(conn)
    np.testing.assert_allclose(mantissa(conn.to_dense()), D, rtol=1e-6, atol=1e-6)
    # few spikes (sparse path), many (dense path), and a batch mixing both
    run = brainsim.transform.jit(conn)
    for x in (
        spikes(n_pre, count=3),
        spikes(n_pre, p=0.9),
        np.concatenate([spikes(n_pre, count=2, shape=(2,)), spikes(n_pre, p=0.6)[None]]),
    ):
        out = mantissa(run(jnp.asarray(x)))
        assert out.shape == x.shape[:-1] + (n_post,)
        np.testing.assert_allclose(out, (x != 0) @ D, rtol=1e-5, atol=1e-5)
    # eager call (no jit) once
    x = spikes(n_pre, count=5)
    np.testing.assert_allclose(mantissa(conn(jnp.asarray(x))), x @ D, rtol=1e-5, atol=1e-5)


def test_quantity_weights_keep_units():
    w = RNG.uniform(0.1, 1.0, size=(30, 5)).astype(np.float32) * u.nS
    conn = EventFixedProb(30, 20, 5, w, seed=0)
    x = spikes(30, p=0.3, shape=(2,))
    out = conn(jnp.asarray(x))
    assert u.get_unit(out) == u.nS
    np.testing.assert_allclose(mantissa(out), x @ dense_reference(conn), rtol=1e-5)
    scalar = EventFixedProb(30, 20, 5, 2.0 * u.mS, seed=0)
    out = scalar(jnp.asarray(x[0]))
    assert u.get_unit(out) == u.mS
    np.testing.assert_allclose(mantissa(out), x[0] @ dense_reference(scalar), rtol=1e-5)


def test_conn_num_zero_gives_zeros_with_unit():
    conn = EventFixedProb(10, 7, 0, 0.5 * u.mS, seed=0)
    out = conn(jnp.ones(10))
    assert u.get_unit(out) == u.mS
    assert out.shape == (7,)
    assert not np.any(mantissa(out))
    out_b = conn(jnp.ones((3, 10)))
    assert out_b.shape == (3, 7) and u.get_unit(out_b) == u.mS
    plain = EventFixedProb(10, 7, 0.0, 1.0, seed=0)(jnp.ones(10))
    assert not isinstance(plain, u.Quantity) and plain.shape == (7,)


def test_non_binary_spikes_count_as_one_event():
    conn = EventFixedProb(40, 25, 6, RNG.normal(size=(40, 6)).astype(np.float32), seed=2)
    x = spikes(40, p=0.4, magnitudes=True)
    assert set(np.unique(x)) - {0.0} != {1.0}
    run = brainsim.transform.jit(conn)
    np.testing.assert_allclose(
        mantissa(run(jnp.asarray(x))),
        mantissa(run(jnp.asarray((x != 0).astype(np.float32)))),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        mantissa(run(jnp.asarray(x))), (x != 0) @ dense_reference(conn), rtol=1e-5, atol=1e-5
    )
    # boolean spikes work too
    np.testing.assert_allclose(
        mantissa(conn(jnp.asarray(x != 0))), (x != 0) @ dense_reference(conn), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize(
    "cap, counts",
    [
        # n_pre = 512: tiers (2, 16) then the dense pass; (5, 40) then dense; always dense
        (2, [0, 1, 2, 3, 15, 16, 17, 127, 128, 129, 512]),
        (5, [4, 5, 6, 39, 40, 41, 300]),
        (0, [0, 3, 200]),
        (512, [1, 511]),
    ],
)
def test_every_capacity_tier(cap, counts):
    n_pre, n_post = 512, 64
    w = RNG.normal(size=(n_pre, 5)).astype(np.float32)
    conn = EventFixedProb(n_pre, n_post, 5, w, seed=7, spike_capacity=cap)
    D = dense_reference(conn)
    run = brainsim.transform.jit(conn)  # one compilation; the tier is chosen at run time
    direct = jax.jit(lambda x: event_matvec(x, jnp.asarray(w), conn.indices, n_post, cap))
    for c in counts:
        x = spikes(n_pre, count=c)
        np.testing.assert_allclose(mantissa(run(jnp.asarray(x))), x @ D, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(direct(jnp.asarray(x)), x @ D, rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------ gradients


def _setup_grad(weight="array", n_pre=48, n_post=30, k=5, cap=4, seed=0):
    rng = np.random.default_rng(seed)
    idx = jnp.asarray(rng.integers(0, n_post, size=(n_pre, k)), jnp.int32)
    w = (
        jnp.asarray(rng.normal(size=(n_pre, k)), jnp.float32)
        if weight == "array"
        else jnp.asarray(0.8, jnp.float32)
    )
    x = jnp.asarray(spikes(n_pre, count=6, rng=rng, magnitudes=True))
    c = jnp.asarray(rng.normal(size=n_post), jnp.float32)
    return idx, w, x, c, n_post, cap


def _dense_jax(w, idx, n_post):
    n_pre, k = idx.shape
    wk = jnp.broadcast_to(w, idx.shape)
    rows = jnp.repeat(jnp.arange(n_pre), k)
    return jnp.zeros((n_pre, n_post), wk.dtype).at[rows, idx.ravel()].add(wk.ravel())


@pytest.mark.parametrize("weight", ["array", "scalar"])
@pytest.mark.parametrize("cap", [0, 4])
def test_grad_wrt_spikes_is_straight_through(weight, cap):
    idx, w, x, c, n_post, _ = _setup_grad(weight)

    def loss(x):
        return jnp.sum(event_matvec(x, w, idx, n_post, cap) * c)

    def dense_loss(x):
        return jnp.sum((x @ _dense_jax(w, idx, n_post)) * c)

    g = jax.grad(loss)(x)
    np.testing.assert_allclose(g, jax.grad(dense_loss)(x), rtol=1e-5, atol=1e-5)
    # row sums of W along the outgoing connections, for silent inputs as well
    np.testing.assert_allclose(g, _dense_jax(w, idx, n_post) @ c, rtol=1e-5, atol=1e-5)
    assert np.any(np.asarray(g)[np.asarray(x) == 0] != 0)
    np.testing.assert_allclose(jax.jit(jax.grad(loss))(x), g, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cap", [0, 4])
def test_grad_wrt_weights_exact(cap):
    idx, w, x, c, n_post, _ = _setup_grad("array")

    def loss(w):
        return jnp.sum(event_matvec(x, w, idx, n_post, cap) * c)

    def dense_loss(w):
        return jnp.sum(((x != 0).astype(jnp.float32) @ _dense_jax(w, idx, n_post)) * c)

    g = jax.grad(loss)(w)
    np.testing.assert_allclose(g, jax.grad(dense_loss)(w), rtol=1e-5, atol=1e-6)
    expected = (np.asarray(x) != 0)[:, None] * np.asarray(c)[np.asarray(idx)]
    np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(jax.jit(jax.grad(loss))(w), g, rtol=1e-5, atol=1e-6)


def test_homogeneous_weight_grad_counts_active_pairs():
    idx, w, x, _, n_post, cap = _setup_grad("scalar")
    g = jax.grad(lambda w: jnp.sum(event_matvec(x, w, idx, n_post, cap)))(w)
    n_active = int(np.sum(np.asarray(x) != 0))
    assert float(g) == n_active * idx.shape[1]
    # through the module, with afferent_ratio and multapses
    conn = EventFixedProb(48, 30, 5, 0.8, seed=1, afferent_ratio=0.5)
    xs = jnp.asarray(spikes(48, p=0.5))
    gw = brainsim.transform.grad(lambda x: jnp.sum(conn(x)), grad_states=conn.weight)(xs)
    active = (np.asarray(xs) != 0) & np.asarray(conn.pre_mask)
    assert float(gw) == active.sum() * 5


def test_grads_under_vmap_and_jit():
    idx, w, _, c, n_post, cap = _setup_grad("array")
    xb = jnp.asarray(spikes(48, count=5, shape=(4,), magnitudes=True))

    def loss(w, x):
        return jnp.sum(event_matvec(x, w, idx, n_post, cap) * c)

    def dense_loss(w, x):
        return jnp.sum(((x != 0).astype(jnp.float32) @ _dense_jax(w, idx, n_post)) * c)

    gw = jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0)))(w, xb)
    gw_ref = jax.vmap(jax.grad(dense_loss), in_axes=(None, 0))(w, xb)
    np.testing.assert_allclose(gw, gw_ref, rtol=1e-5, atol=1e-6)
    gx = jax.jit(jax.vmap(jax.grad(loss, argnums=1), in_axes=(None, 0)))(w, xb)
    np.testing.assert_allclose(
        gx, np.tile(_dense_jax(w, idx, n_post) @ c, (4, 1)), rtol=1e-5, atol=1e-5
    )
    # vmap of the forward pass equals the batched call
    out_v = jax.vmap(lambda x: event_matvec(x, w, idx, n_post, cap))(xb)
    np.testing.assert_allclose(out_v, event_matvec(xb, w, idx, n_post, cap), rtol=1e-6)


def test_module_grads_match_dense():
    w0 = RNG.normal(size=(40, 6)).astype(np.float32)
    conn = EventFixedProb(40, 25, 6, w0, seed=9)
    x = jnp.asarray(spikes(40, count=7, magnitudes=True))
    c = jnp.asarray(RNG.normal(size=25), jnp.float32)
    gw, gx = brainsim.transform.grad(
        lambda x: jnp.sum(conn(x) * c), grad_states=conn.weight, argnums=0
    )(x)
    D = dense_reference(conn)
    np.testing.assert_allclose(gx, D @ np.asarray(c), rtol=1e-5, atol=1e-5)
    expected = (np.asarray(x) != 0)[:, None] * np.asarray(c)[np.asarray(conn.indices)]
    np.testing.assert_allclose(gw, expected, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ errors


def test_errors():
    with pytest.raises(NotImplementedError, match="efferent_target='pre'"):
        EventFixedProb(10, 10, 2, 1.0, efferent_target="pre")
    for bad in (1.5, -0.1, -3):
        with pytest.raises(ValueError, match="conn_num"):
            EventFixedProb(10, 10, bad, 1.0)
    with pytest.raises(TypeError, match="conn_num"):
        EventFixedProb(10, 10, "2", 1.0)
    for bad_size in (0, -5, 2.5, "10", (0,), (3, -1), ()):
        with pytest.raises(ValueError, match="in_size"):
            EventFixedProb(bad_size, 10, 2, 1.0)
        with pytest.raises(ValueError, match="out_size"):
            EventFixedProb(10, bad_size, 2, 1.0)
    for bad_w in (np.ones((10, 3)), np.ones(10), np.ones((2, 10, 2))):
        with pytest.raises(ValueError, match=r"conn_weight.*\(10, 2\)"):
            EventFixedProb(10, 10, 2, bad_w)
    with pytest.raises(ValueError, match="allow_multi_conn=True"):
        EventFixedProb(10, 5, 6, 1.0, allow_multi_conn=False)
    EventFixedProb(10, 5, 6, 1.0, allow_multi_conn=True)  # multapses make it possible
    for bad in (0.0, 1.5, -0.2):
        with pytest.raises(ValueError, match="afferent_ratio"):
            EventFixedProb(10, 10, 2, 1.0, afferent_ratio=bad)
    conn = EventFixedProb(10, 10, 2, 1.0)
    with pytest.raises(ValueError, match="last axis 10"):
        conn(jnp.ones(9))


def test_build_large_network():
    """4000 x 4000 at p = 0.02 builds (no timing assertion) and gives correct rows."""
    conn = EventFixedProb(4000, 4000, 0.02, 0.1 * u.mS, seed=0)
    assert conn.indices.shape == (4000, 80)
    conn_nr = EventFixedProb(4000, 4000, 0.02, 0.1 * u.mS, seed=0, allow_multi_conn=False)
    idx = np.asarray(conn_nr.indices)
    assert idx.shape == (4000, 80)
    assert all(len(set(r)) == 80 for r in idx[:50].tolist())
    x = np.zeros(4000, np.float32)
    x[[3, 1000]] = 1.0
    out = conn(jnp.asarray(x))
    expected = 0.1 * np.bincount(np.asarray(conn.indices)[[3, 1000]].ravel(), minlength=4000)
    np.testing.assert_allclose(out.to_decimal(u.mS), expected, rtol=1e-5)


# ------------------------------------------------------------------ per-synapse delays


def brute_force_delayed(spike_train, idx, w, d, n_post=None):
    """Deliver each (spike, synapse) contribution exactly ``d[i, k]`` steps later."""
    T = spike_train.shape[0]
    batch = spike_train.shape[1:-1]
    out = np.zeros((T, *batch, N_POST if n_post is None else n_post))
    wk = np.broadcast_to(w, idx.shape)
    for t in range(T):
        for b in np.ndindex(*batch):
            for i in np.nonzero(spike_train[(t, *b)])[0]:
                for c in range(idx.shape[1]):
                    if t + d[i, c] < T:
                        out[(t + d[i, c], *b, idx[i, c])] += wk[i, c]
    return out


N_PRE, N_POST, K, T_STEPS = 12, 9, 4, 30
DT_MS = 0.1


@pytest.fixture
def dt_ms():
    with environ.context(dt=DT_MS * u.ms):
        yield


def _delayed_conn(delay, weight=None, seed=4, **kw):
    w = RNG.normal(size=(N_PRE, K)).astype(np.float32) if weight is None else weight
    return EventFixedProb(N_PRE, N_POST, K, w, seed=seed, delay=delay, **kw)


def _run(conn, train, batch_size=None):
    conn.init_state(batch_size)
    return brainsim.transform.for_loop(lambda s: conn(s), jnp.asarray(train))


def test_heterogeneous_delays_golden_trace(dt_ms):
    d_steps = RNG.integers(0, 6, size=(N_PRE, K))
    conn = _delayed_conn(d_steps * DT_MS * u.ms)
    np.testing.assert_array_equal(conn.delay_steps, d_steps)
    assert conn.max_delay_steps == d_steps.max()
    train = (RNG.random((T_STEPS, N_PRE)) < 0.3).astype(np.float32)
    out = mantissa(_run(conn, train))
    ref = brute_force_delayed(train, np.asarray(conn.indices), mantissa(conn.weight.value), d_steps)
    assert np.any(ref)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    # eager stepping gives the same trace (the queue is a State)
    conn.init_state()
    eager = np.stack([mantissa(conn(jnp.asarray(s))) for s in train[:4]])
    np.testing.assert_allclose(eager, ref[:4], rtol=1e-5, atol=1e-5)


def test_heterogeneous_delays_sparse_tiers_and_magnitudes(dt_ms):
    d_steps = RNG.integers(1, 4, size=(N_PRE, K))
    conn = _delayed_conn(d_steps * DT_MS * u.ms, spike_capacity=1, afferent_ratio=0.7)
    train = (RNG.random((T_STEPS, N_PRE)) < 0.15) * RNG.choice([0.5, 2.0], (T_STEPS, N_PRE))
    out = mantissa(_run(conn, train.astype(np.float32)))
    w = mantissa(conn.weight.value) * np.asarray(conn.pre_mask)[:, None]
    ref = brute_force_delayed(train, np.asarray(conn.indices), w, d_steps)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


def test_zero_delay_equals_undelayed(dt_ms):
    w = RNG.normal(size=(N_PRE, K)).astype(np.float32)
    conn0 = _delayed_conn(0.0 * u.ms, weight=w)
    plain = _delayed_conn(None, weight=w)
    np.testing.assert_array_equal(conn0.indices, plain.indices)
    train = (RNG.random((T_STEPS, N_PRE)) < 0.3).astype(np.float32)
    out = mantissa(_run(conn0, train))
    np.testing.assert_allclose(out, mantissa(plain(jnp.asarray(train))), rtol=1e-5, atol=1e-6)


def test_homogeneous_delay(dt_ms):
    w = RNG.normal(size=(N_PRE, K)).astype(np.float32)
    conn = _delayed_conn(0.3 * u.ms, weight=w)
    plain = _delayed_conn(None, weight=w)
    assert conn.max_delay_steps == 3
    train = (RNG.random((T_STEPS, N_PRE)) < 0.3).astype(np.float32)
    out = mantissa(_run(conn, train))
    undelayed = mantissa(plain(jnp.asarray(train)))
    np.testing.assert_allclose(out[3:], undelayed[:-3], rtol=1e-5, atol=1e-6)
    assert not np.any(out[:3])


def test_delays_batched_with_units(dt_ms):
    d_steps = RNG.integers(0, 5, size=(N_PRE, K))
    w = RNG.uniform(0.1, 1.0, size=(N_PRE, K)).astype(np.float32)
    conn = _delayed_conn(d_steps * DT_MS * u.ms, weight=w * u.nS)
    train = (RNG.random((T_STEPS, 3, N_PRE)) < 0.3).astype(np.float32)
    out = _run(conn, train, batch_size=3)
    assert u.get_unit(out) == u.nS
    assert out.shape == (T_STEPS, 3, N_POST)
    assert conn.queue.value.shape == (d_steps.max() + 1, 3, N_POST)
    ref = brute_force_delayed(train, np.asarray(conn.indices), w, d_steps)
    np.testing.assert_allclose(mantissa(out), ref, rtol=1e-5, atol=1e-5)
    conn.reset_state(batch_size=2)
    assert conn.queue.value.shape == (d_steps.max() + 1, 2, N_POST)
    assert not np.any(np.asarray(conn.queue.value))


def test_delays_from_initializer():
    with environ.context(dt=1.0 * u.ms):
        conn = _delayed_conn(brainsim.init.Uniform(1 * u.ms, 5 * u.ms))
        d = np.asarray(conn.delay_steps)
        assert d.shape == (N_PRE, K)
        assert d.min() >= 1 and d.max() <= 5 and len(np.unique(d)) > 1
        train = (RNG.random((T_STEPS, N_PRE)) < 0.3).astype(np.float32)
        out = mantissa(_run(conn, train))
    ref = brute_force_delayed(train, np.asarray(conn.indices), mantissa(conn.weight.value), d)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


def test_delay_rounding_to_steps(dt_ms):
    conn = _delayed_conn(np.full((N_PRE, K), 0.26) * u.ms)
    assert np.all(np.asarray(conn.delay_steps) == 3)


def test_delay_errors(dt_ms):
    conn = _delayed_conn(0.2 * u.ms)
    with pytest.raises(ValueError, match="init_state"):
        conn(jnp.ones(N_PRE))
    with pytest.raises(ValueError, match="delays must be >= 0"):
        _delayed_conn(-0.1 * u.ms)
    d = np.zeros((N_PRE, K))
    d[0, 0] = -1
    with pytest.raises(ValueError, match="delays must be >= 0"):
        _delayed_conn(d * u.ms)
    with pytest.raises(ValueError, match="delay"):
        _delayed_conn(np.ones((N_PRE, K + 1)) * u.ms)
    with pytest.raises(ValueError, match="delay"):
        _delayed_conn(1.0 * u.mV)


def test_delay_requires_dt():
    old = environ.pop(environ.DT, None)
    try:
        with pytest.raises(KeyError, match="dt"):
            _delayed_conn(1.0 * u.ms)
    finally:
        if old is not None:
            environ.set(dt=old)


# ------------------------------------------------------------------ EventLinear, FixedNumConn


def test_event_linear_float_as_event():
    W = jnp.asarray(RNG.normal(size=(3, 4)), jnp.float32)
    layer = EventLinear(3, 4, W)
    np.testing.assert_allclose(
        layer(jnp.asarray([0.5, 0.0, 2.0])), layer(jnp.asarray([1.0, 0.0, 1.0])), rtol=1e-6
    )
    np.testing.assert_allclose(layer(jnp.asarray([0.5, 0.0, 2.0])), W[0] + W[2], rtol=1e-6)
    xb = jnp.asarray(RNG.normal(size=(5, 3)) * (RNG.random((5, 3)) < 0.5), jnp.float32)
    np.testing.assert_allclose(
        layer(xb), (np.asarray(xb) != 0) @ np.asarray(W), rtol=1e-5, atol=1e-6
    )


def test_event_linear_dense_mode():
    W = jnp.asarray(RNG.normal(size=(3, 4)), jnp.float32)
    layer = EventLinear(3, 4, W, float_as_event=False)
    x = jnp.asarray([0.5, 0.0, 2.0])
    np.testing.assert_allclose(layer(x), np.asarray(x) @ np.asarray(W), rtol=1e-5)


def test_event_linear_scalar_weight_and_units():
    layer = EventLinear(5, 3, 0.25)
    x = jnp.asarray([1.0, 0.0, 3.0, 0.0, -1.0])
    np.testing.assert_allclose(layer(x), np.ones(3) * 3 * 0.25, rtol=1e-6)
    layer_q = EventLinear(5, 3, 0.25 * u.mS)
    out = layer_q(x)
    assert u.get_unit(out) == u.mS
    np.testing.assert_allclose(out.to_decimal(u.mS), np.ones(3) * 0.75, rtol=1e-6)
    with pytest.raises(ValueError, match=r"weight.*\(5, 3\)"):
        EventLinear(5, 3, jnp.ones((3, 5)))


def test_event_linear_straight_through_gradient():
    W = jnp.asarray(RNG.normal(size=(4, 3)), jnp.float32)
    c = jnp.asarray([1.0, -2.0, 0.5])
    x = jnp.asarray([0.0, 2.0, 0.0, -0.5])
    layer = EventLinear(4, 3, W)
    gx = jax.grad(lambda x: jnp.sum(layer(x) * c))(x)
    np.testing.assert_allclose(gx, np.asarray(W) @ np.asarray(c), rtol=1e-5)
    gw = brainsim.transform.grad(lambda x: jnp.sum(layer(x) * c), grad_states=layer.weight)(x)
    np.testing.assert_allclose(gw, (np.asarray(x) != 0)[:, None] * np.asarray(c)[None], rtol=1e-6)
    scalar = EventLinear(4, 3, 0.5)
    gs = jax.grad(lambda x: jnp.sum(scalar(x) * c))(x)
    np.testing.assert_allclose(gs, np.full(4, 0.5 * float(jnp.sum(c))), rtol=1e-6)


def test_fixed_num_conn_uses_magnitudes():
    w = RNG.normal(size=(20, 4)).astype(np.float32)
    conn = FixedNumConn(20, 15, 4, w, seed=3)
    x = spikes(20, p=0.5, magnitudes=True, shape=(2,))
    np.testing.assert_allclose(
        mantissa(conn(jnp.asarray(x))), x @ dense_reference(conn), rtol=1e-5, atol=1e-5
    )
    xq = jnp.asarray(x[0]) * u.mV
    for ratio in (1.0, 0.5):
        conn_q = FixedNumConn(20, 15, 4, 0.5 * u.mS, seed=3, afferent_ratio=ratio)
        out = conn_q(xq)
        assert out.unit.dim == (u.mS * u.mV).dim
        np.testing.assert_allclose(
            out.to_decimal(u.mS * u.mV), x[0] @ dense_reference(conn_q), rtol=1e-5, atol=1e-6
        )
    gx = jax.grad(lambda x: jnp.sum(conn(x)))(jnp.asarray(x[0]))
    np.testing.assert_allclose(gx, dense_reference(conn).sum(1), rtol=1e-5, atol=1e-6)
