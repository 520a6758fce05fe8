"""brainsim.train: optimizer adapter, losses, encoders, BPTT helpers (API.md (l), USER_NEEDS D)."""

from __future__ import annotations

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import brainsim
import brainsim.train as train
from brainsim import ParamState

DT = 1.0  # ms


@pytest.fixture(autouse=True)
def _dt():
    with brainsim.environ.context(dt=DT * u.ms):
        yield


@pytest.fixture
def float64():
    brainsim.environ.set_precision(64)
    yield
    brainsim.environ.set_precision(32)


# --------------------------------------------------------------------------- a small network


class SmallNet(brainsim.nn.Module):
    """Linear -> LIF (learnable tau, SoftplusT) -> LeakyRateReadout."""

    def __init__(self, n_in=4, n_hid=6, n_out=3, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        w1 = rng.normal(0.0, 1.0, (n_in, n_hid))
        b1 = rng.normal(0.5, 0.2, (n_hid,))
        w2 = rng.normal(0.0, 0.5, (n_hid, n_out))
        self.fc = brainsim.nn.Linear(n_in, n_hid, w_init=w1, b_init=b1)
        tau = brainsim.nn.Param(
            jnp.linspace(5.0, 12.0, n_hid) * u.ms, t=brainsim.nn.SoftplusT(1.0 * u.ms)
        )
        self.lif = brainsim.models.LIF(n_hid, tau=tau, V_th=1.0 * u.mV)
        self.ro = brainsim.models.LeakyRateReadout(n_hid, n_out, tau=5.0 * u.ms, w_init=w2)

    def update(self, x):
        return self.ro(self.lif(self.fc(x) * u.mA))


@jax.custom_jvp
def _heaviside(x):
    return (x >= 0).astype(x.dtype)


@_heaviside.defjvp
def _heaviside_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _heaviside(x), jnp.maximum(0.3 - 0.3 * jnp.abs(x), 0.0) * t  # ReluGrad(0.3, 1)


def _pure_loss(params, xs, labels, tau_ro=5.0):
    """SmallNet written by hand in JAX: soft reset, exact exponential Euler, leaky readout."""
    w1, b1, raw_tau, w2 = params
    tau = jax.nn.softplus(raw_tau) + 1.0  # SoftplusT(1 ms), in ms
    batch, n_hid, n_out = xs.shape[1], w1.shape[1], w2.shape[1]

    def step(carry, x):
        V, r = carry
        V = V - 1.0 * _heaviside(V - 1.0)  # reset from the previous step's spike
        I = x @ w1 + b1
        V = V + (1.0 - jnp.exp(-DT / tau)) * (I - V)
        spk = _heaviside(V - 1.0)
        r = jnp.exp(-DT / tau_ro) * r + spk @ w2
        return (V, r), r

    init = (jnp.zeros((batch, n_hid), xs.dtype), jnp.zeros((batch, n_out), xs.dtype))
    _, outs = jax.lax.scan(step, init, xs)
    logits = outs.mean(axis=0)
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, labels))


def _net_loss(net, xs, labels, checkpoint=False, base=16):
    outs = train.run_sequence(net, xs, batch_size=xs.shape[1], checkpoint=checkpoint, base=base)
    return train.softmax_cross_entropy(outs.mean(axis=0), labels)


def _data(n_steps=10, batch=2, n_in=4, seed=1):
    rng = np.random.default_rng(seed)
    xs = jnp.asarray(rng.uniform(0.0, 2.0, (n_steps, batch, n_in)), brainsim.environ.dftype())
    labels = jnp.asarray(rng.integers(0, 3, batch), jnp.int32)
    return xs, labels


# --------------------------------------------------------------------------- gradient check


def test_bptt_gradients_match_hand_written_jax(float64):
    net = SmallNet()
    brainsim.nn.init_all_states(net)
    params = net.states(ParamState)
    assert set(params) == {
        ("fc", "weight", "val"),
        ("fc", "bias", "val"),
        ("lif", "tau", "val"),
        ("ro", "weight"),
    }
    xs, labels = _data()
    assert xs.dtype == jnp.float64
    grads = brainsim.transform.grad(lambda: _net_loss(net, xs, labels), grad_states=params)()

    pure = [
        params[("fc", "weight", "val")].value,
        params[("fc", "bias", "val")].value,
        params[("lif", "tau", "val")].value,
        params[("ro", "weight")].value,
    ]
    expected = jax.grad(_pure_loss)(pure, xs, labels)
    # the same loss value, and spikes happened (else the check would be vacuous)
    assert float(_net_loss(net, xs, labels)) == pytest.approx(float(_pure_loss(pure, xs, labels)))
    keys = [("fc", "weight", "val"), ("fc", "bias", "val"), ("lif", "tau", "val"), ("ro", "weight")]
    for key, g_ref in zip(keys, expected, strict=True):
        g = np.asarray(grads[key])
        assert g.dtype == np.float64
        assert np.abs(g_ref).max() > 1e-4, key  # a non-trivial gradient
        np.testing.assert_allclose(g, np.asarray(g_ref), rtol=1e-5, atol=1e-8, err_msg=str(key))


def test_checkpointed_bptt_gives_the_same_gradients():
    net = SmallNet()
    brainsim.nn.init_all_states(net)
    params = net.states(ParamState)
    xs, labels = _data(n_steps=23, batch=3)  # not a multiple of base: padded chunks
    g_plain = brainsim.transform.grad(lambda: _net_loss(net, xs, labels), grad_states=params)()
    g_ckpt = brainsim.transform.grad(
        lambda: _net_loss(net, xs, labels, checkpoint=True, base=8), grad_states=params
    )()
    for key in params:
        np.testing.assert_allclose(g_ckpt[key], g_plain[key], rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- SoftplusT tau


class TauModel(brainsim.nn.Module):
    def __init__(self, reg=None):
        super().__init__()
        tau = brainsim.nn.Param(10.0 * u.ms, t=brainsim.nn.SoftplusT(0.0 * u.ms), reg=reg)
        self.lif = brainsim.models.LIF(2, tau=tau, V_th=100.0 * u.mV)


def _train_tau(reg=None, n=200):
    """Minimise tau (ms) + the V deficit after 5 steps (both favour tau -> 0) + reg_loss."""
    m = TauModel(reg)
    brainsim.nn.init_all_states(m)
    opt = train.Optimizer(optax.adam(0.1), m)
    drive = jnp.full((5, 2), 0.5) * u.mA

    def loss(model):
        train.run_sequence(model.lif, drive)
        deficit = jnp.mean(0.5 - model.lif.V.value.to_decimal(u.mV))
        return model.lif.tau.value().to_decimal(u.ms) + deficit + model.reg_loss()

    taus = []
    for _ in range(n):
        train.train_step(m, opt, loss)
        taus.append(float(m.lif.tau.value().to_decimal(u.ms)))
    assert np.all(np.isfinite(np.asarray(m.lif.V.value.to_decimal(u.mV))))
    return np.asarray(taus)


def test_softplus_tau_stays_positive_under_a_gradient_towards_zero():
    taus = _train_tau()
    assert np.all(taus > 0.0)
    assert taus[-1] < 0.1  # pushed 100x down from 10 ms, still strictly positive
    assert np.all(np.diff(taus) < 0)


def test_gaussian_prior_pulls_the_trained_tau_towards_its_mean():
    free = _train_tau()[-1]
    prior = _train_tau(brainsim.nn.GaussianReg(20.0 * u.ms, 5.0 * u.ms))[-1]
    assert prior > free
    # d/dtau of tau + 0.5 exp(-5 / tau) + (tau - 20)^2 / 25 vanishes at the optimum
    lo, hi = 1.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        slope = 1 + 0.5 * np.exp(-5 / mid) * 5 / mid**2 + 2 * (mid - 20) / 25
        lo, hi = (mid, hi) if slope < 0 else (lo, mid)
    assert prior == pytest.approx(lo, abs=0.1)  # about 7.2 ms


# --------------------------------------------------------------------------- optimizer


def test_optimizer_step_updates_in_place_with_matching_keys():
    a, b = ParamState(jnp.array([1.0, -2.0])), ParamState(jnp.array(3.0))
    opt = train.Optimizer(optax.sgd(0.5), {"a": a, "b": b})
    grads = brainsim.transform.grad(lambda: jnp.sum(a.value**2) + b.value, grad_states=opt.params)()
    assert set(grads) == {"a", "b"}
    opt.step(grads)
    np.testing.assert_allclose(a.value, [0.0, 0.0])
    np.testing.assert_allclose(b.value, 2.5)


def test_optimizer_key_mismatch_lists_missing_and_unexpected():
    a, b = ParamState(jnp.ones(2)), ParamState(jnp.ones(2))
    opt = train.Optimizer(optax.sgd(0.1), {("m", "a"): a, ("m", "b"): b})
    with pytest.raises(KeyError, match=r"Missing: \['m.b'\]; unexpected: \['m.c'\]"):
        opt.step({("m", "a"): jnp.ones(2), ("m", "c"): jnp.ones(2)})
    with pytest.raises(brainsim.BrainSimError, match="has shape"):
        opt.step({("m", "a"): jnp.ones(2), ("m", "b"): jnp.ones(3)})
    with pytest.raises(TypeError, match="keyed like opt.params"):
        opt.step([jnp.ones(2), jnp.ones(2)])


def test_optimizer_rejects_bad_arguments():
    with pytest.raises(TypeError, match="GradientTransformation"):
        train.Optimizer("adam", {"a": ParamState(jnp.ones(1))})
    with pytest.raises(TypeError, match="expected a ParamState"):
        train.Optimizer(optax.sgd(0.1), {"a": brainsim.HiddenState(jnp.ones(1))})
    with pytest.raises(ValueError, match="no ParamStates"):
        train.Optimizer(optax.sgd(0.1), {})
    with pytest.raises(ValueError, match="fit=False"):
        train.Optimizer(optax.sgd(0.1), [brainsim.nn.Const(1.0)])


def test_optimizer_accepts_modules_lists_params_and_parameters_views():
    net = SmallNet()
    brainsim.nn.init_all_states(net)
    by_module = train.Optimizer(optax.adam(1e-3), net)
    assert list(by_module.params) == list(net.states(ParamState))
    view = train.Optimizer(optax.adam(1e-3), net.parameters())
    assert list(view.params) == ["fc.weight", "fc.bias", "lif.tau", "ro.weight"]
    assert view.params["lif.tau"] is net.lif.tau.val
    w = ParamState(jnp.ones(2))
    lst = train.Optimizer(optax.sgd(1.0), [w])
    lst.step(brainsim.transform.grad(lambda: jnp.sum(w.value), grad_states=lst.params)())
    np.testing.assert_allclose(w.value, [0.0, 0.0])
    single = train.Optimizer(optax.sgd(1.0), w)
    single.step(jnp.ones(2))
    np.testing.assert_allclose(w.value, [-1.0, -1.0])


def test_optimizer_inside_jit_threads_opt_state():
    w = ParamState(jnp.array([1.0, 2.0]))
    opt = train.Optimizer(optax.adam(0.1), {"w": w})
    assert isinstance(opt.opt_state, brainsim.LongTermState)

    def loss():
        return jnp.sum(w.value**2)

    @brainsim.transform.jit
    def step():
        grads = brainsim.transform.grad(loss, grad_states=opt.params)()
        opt.step(grads)
        return loss()

    w_eager = ParamState(jnp.array([1.0, 2.0]))
    opt_eager = train.Optimizer(optax.adam(0.1), {"w": w_eager})
    for _ in range(3):
        step()
        opt_eager.step({"w": 2 * w_eager.value})
    assert int(opt.opt_state.value[0].count) == 3  # adam's step counter was carried
    np.testing.assert_allclose(w.value, w_eager.value, rtol=1e-6)
    assert step.stateful_fun.num_traces == 1


def test_optimizer_keeps_units_of_quantity_params():
    w = ParamState(jnp.array([1.0, 2.0]) * u.mV)
    opt = train.Optimizer(optax.sgd(0.1), {"w": w})
    for unit_aware in (False, True):
        grads = brainsim.transform.grad(
            lambda: jnp.sum((w.value / u.mV) ** 2), grad_states=opt.params, unit_aware=unit_aware
        )()
        opt.step(grads)
    assert w.value.unit == u.mV
    np.testing.assert_allclose(w.value.to_decimal(u.mV), [0.64, 1.28], rtol=1e-6)
    # a unit-aware gradient given per volt is converted to per millivolt
    opt.step({"w": jnp.array([1000.0, 0.0]) / u.volt})
    np.testing.assert_allclose(w.value.to_decimal(u.mV), [0.54, 1.28], rtol=1e-5)


def test_optimizer_with_clipping_chain_and_multi_transform_labels():
    a, b = ParamState(jnp.zeros(2)), ParamState(jnp.zeros(2))
    tx = optax.chain(
        optax.clip_by_global_norm(1.0),
        optax.multi_transform(
            {"fast": optax.sgd(1.0), "frozen": optax.set_to_zero()},
            lambda p: {k: "fast" if k.endswith("a") else "frozen" for k in p},
        ),
    )
    opt = train.Optimizer(tx, {("m", "a"): a, ("m", "b"): b})
    opt.step({("m", "a"): jnp.array([30.0, 40.0]), ("m", "b"): jnp.zeros(2)})
    np.testing.assert_allclose(a.value, [-0.6, -0.8], rtol=1e-6)  # clipped to norm 1
    np.testing.assert_allclose(b.value, [0.0, 0.0])


# --------------------------------------------------------------------------- BPTT helpers


def test_run_sequence_resets_to_the_batch_and_sets_time():
    lif = brainsim.models.LIFRef(3, tau=10 * u.ms, tau_ref=2 * u.ms, spk_reset="hard")
    brainsim.nn.init_all_states(lif)
    xs = jnp.full((30, 4, 3), 20.0) * u.mA
    spikes = train.run_sequence(lif, xs, batch_size=4)
    assert spikes.shape == (30, 4, 3)
    assert lif.V.value.shape == (4, 3)
    # LIFRef reads t from environ: the same as a hand-written loop setting i and t
    lif.reset_state(batch_size=4)
    manual = []
    for i in range(30):
        with brainsim.environ.context(i=i, t=i * DT * u.ms):
            manual.append(lif(xs[i]))
    np.testing.assert_array_equal(spikes, jnp.stack(manual))
    steps = np.flatnonzero(np.asarray(spikes[:, 0, 0]))
    assert len(steps) >= 10 and np.all(np.diff(steps) >= 2)  # refractory: no back-to-back
    with pytest.raises(ValueError, match="leading time axis"):
        train.run_sequence(lif, jnp.float32(1.0))


def test_train_step_returns_pre_update_loss_and_aux_and_learns():
    net = SmallNet()
    brainsim.nn.init_all_states(net)
    opt = train.Optimizer(optax.adam(0.05), net)
    xs, labels = _data(n_steps=10, batch=4)

    def loss_fn(model, xs, labels):
        return _net_loss(model, xs, labels), {"n": jnp.asarray(labels.shape[0])}

    before = float(_net_loss(net, xs, labels))
    loss, aux = train.train_step(net, opt, loss_fn, xs, labels)
    assert float(loss) == pytest.approx(before, rel=1e-5)
    assert int(aux["n"]) == 4
    for _ in range(30):
        loss, _ = train.train_step(net, opt, loss_fn, xs, labels)
    assert float(loss) < 0.7 * before
    with pytest.raises(TypeError, match="Optimizer"):
        train.train_step(net, optax.adam(0.1), loss_fn, xs, labels)


# --------------------------------------------------------------------------- losses


def test_cross_entropy_and_accuracy_numbers():
    logits = jnp.array([[2.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    labels = jnp.array([0, 1])
    p = jax.nn.softmax(logits)
    expected = -(np.log(p[0, 0]) + np.log(p[1, 1])) / 2
    assert float(train.softmax_cross_entropy(logits, labels)) == pytest.approx(expected, 1e-6)
    onehot = jax.nn.one_hot(labels, 3)
    assert float(train.softmax_cross_entropy(logits, onehot)) == pytest.approx(expected, 1e-6)
    assert float(train.accuracy(logits, labels)) == 0.5
    assert float(train.accuracy(logits, onehot)) == 0.5
    with pytest.raises(ValueError, match="shape"):
        train.softmax_cross_entropy(logits, jnp.array([0, 1, 2]))
    with pytest.raises(ValueError, match="dimensionless"):
        train.softmax_cross_entropy(logits * u.mV, labels)


def test_spike_count_cross_entropy_sums_over_time():
    spikes = jnp.zeros((20, 2, 3)).at[:4, 0, 1].set(1.0).at[:, 1, 2].set(1.0)
    labels = jnp.array([1, 0])
    expected = train.softmax_cross_entropy(spikes.sum(0), labels)
    assert float(train.spike_count_cross_entropy(spikes, labels)) == pytest.approx(float(expected))
    # sample 0: counts (0, 4, 0) -> -log(e^4 / (e^4 + 2)); sample 1: (0, 0, 20)
    ref = (np.log1p(2 * np.exp(-4.0)) + (20.0 + np.log1p(2 * np.exp(-20.0)))) / 2
    assert float(expected) == pytest.approx(ref, rel=1e-5)


def test_mse_compares_in_the_unit_of_pred():
    assert float(train.mse(jnp.array([1.0, 3.0]), jnp.array([0.0, 1.0]))) == 2.5
    pred = jnp.array([1.0, 2.0]) * u.mV
    assert float(train.mse(pred, jnp.array([0.0, 0.001]) * u.volt)) == pytest.approx(1.0)
    in_volt = pred.in_unit(u.volt)  # the same values; the error is now in V^2
    assert float(train.mse(in_volt, jnp.array([0.0, 1.0]) * u.mV)) == pytest.approx(1e-6)
    with pytest.raises(ValueError, match="dimension"):
        train.mse(pred, jnp.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="dimension"):
        train.mse(pred, jnp.array([1.0, 1.0]) * u.ms)


def test_rate_regularizers():
    spikes = jnp.zeros((200, 3, 2)).at[::10, :, 0].set(1.0)  # 100 Hz and 0 Hz at dt = 1 ms
    assert float(train.target_rate_loss(spikes, 40 * u.Hz)) == pytest.approx(
        ((100 - 40) ** 2 + 40**2) / 2, rel=1e-5
    )
    per_neuron = jnp.array([100.0, 0.0]) * u.Hz  # a per-neuron target, met exactly
    assert float(train.target_rate_loss(spikes, per_neuron)) == pytest.approx(0.0, abs=1e-6)
    assert float(train.target_rate_loss(spikes, 40.0, dt=0.5 * u.ms)) == pytest.approx(
        ((200 - 40) ** 2 + 40**2) / 2, rel=1e-5
    )
    # plain dt: rates per unit of dt
    assert float(train.target_rate_loss(spikes, 0.0, dt=1.0)) == pytest.approx(0.1**2 / 2)
    assert float(train.sparsity_loss(spikes)) == pytest.approx(0.05)  # (0.1 + 0) / 2
    with pytest.raises(ValueError, match="frequency"):
        train.target_rate_loss(spikes, 1 * u.mV)
    with pytest.raises(ValueError, match="time axis"):
        train.target_rate_loss(jnp.ones(3), 1 * u.Hz)


# --------------------------------------------------------------------------- encoders


def test_poisson_encode_probabilities_and_rates():
    brainsim.random.seed(3)
    s = train.poisson_encode(jnp.array([0.0, 0.3, 1.0]), 4000)
    assert s.shape == (4000, 3) and s.dtype == jnp.float32
    assert set(np.unique(np.asarray(s))) <= {0.0, 1.0}
    np.testing.assert_allclose(np.asarray(s.mean(0)), [0.0, 0.3, 1.0], atol=0.02)
    r = train.poisson_encode(jnp.full(2000, 50.0) * u.Hz, 100, dt=2 * u.ms)
    assert float(r.mean()) == pytest.approx(1 - np.exp(-0.1), abs=0.005)
    brainsim.random.seed(7)
    a = train.poisson_encode(jnp.full(10, 0.5), 5)
    brainsim.random.seed(7)
    np.testing.assert_array_equal(a, train.poisson_encode(jnp.full(10, 0.5), 5))
    with pytest.raises(ValueError, match="probabilities"):
        train.poisson_encode(jnp.ones(2), 3, dt=1 * u.ms)
    with pytest.raises(ValueError, match="frequencies"):
        train.poisson_encode(jnp.ones(2) * u.mV, 3)
    with pytest.raises(ValueError, match="positive int"):
        train.poisson_encode(jnp.ones(2), 0)


def test_latency_encode_one_spike_earlier_for_stronger_inputs():
    x = jnp.array([1.0, 0.5, 0.1, 0.02, 0.011, 0.005])
    s = train.latency_encode(x, 30, tau=5.0, threshold=0.01)
    assert s.shape == (30, 6)
    counts = np.asarray(s.sum(0))
    np.testing.assert_array_equal(counts, [1, 1, 1, 1, 1, 0])  # <= threshold: silent
    times = np.argmax(np.asarray(s), axis=0)[:5]
    expected = np.round(5.0 * np.log(np.asarray(x[:5]) / (np.asarray(x[:5]) - 0.01)))
    np.testing.assert_array_equal(times, expected)
    assert np.all(np.diff(times) >= 0) and times[-1] > times[0]
    # spike times past the window are dropped; a time tau is converted with dt
    late = train.latency_encode(jnp.array([0.011]), 5, tau=5.0)
    assert float(late.sum()) == 0.0
    q = train.latency_encode(x, 30, tau=10.0 * u.ms, dt=2.0 * u.ms)
    np.testing.assert_array_equal(q, s)


def test_direct_current_repeats_over_time_with_units():
    x = jnp.array([[1.0, 2.0]]) * u.mA
    d = train.direct_current(x, 4)
    assert d.shape == (4, 1, 2) and d.unit == u.mA
    np.testing.assert_allclose(d.to_decimal(u.mA)[3], [[1.0, 2.0]])
    np.testing.assert_array_equal(train.direct_current(jnp.arange(3.0), 2), [[0, 1, 2]] * 2)


# --------------------------------------------------------------------------- BPTT memory


class WideNet(brainsim.nn.Module):
    """A narrow input and a wide hidden layer: per-step residuals dominate the memory."""

    def __init__(self, n_in=4, n_hid=256):
        super().__init__()
        self.fc = brainsim.nn.Linear(n_in, n_hid, w_init=brainsim.init.KaimingNormal(4.0))
        self.lif = brainsim.models.LIF(n_hid, tau=10 * u.ms)
        self.ro = brainsim.models.LeakyRateReadout(n_hid, 2)

    def update(self, x):
        return self.ro(self.lif(self.fc(x) * u.mA))


def bptt_temp_bytes(n_steps, checkpoint, batch=16):
    """Temporary memory (bytes) of the compiled gradient of a WideNet over ``n_steps``."""
    net = WideNet()
    brainsim.nn.init_all_states(net)
    params = net.states(ParamState)

    def loss(xs):
        outs = train.run_sequence(net, xs, batch_size=batch, checkpoint=checkpoint, base=16)
        return jnp.mean(outs[-1])

    grad_fn = brainsim.transform.jit(brainsim.transform.grad(loss, grad_states=params))
    compiled = grad_fn.lower(jnp.ones((n_steps, batch, 4))).compile()
    mem = compiled.memory_analysis()
    if mem is None:  # pragma: no cover - backends without memory analysis
        pytest.skip("memory_analysis() is unavailable on this backend")
    return mem.temp_size_in_bytes


def test_checkpointed_bptt_memory_grows_sublinearly():
    # about 10 s on a 2-core CPU (4 compilations), so it runs by default
    plain = {t: bptt_temp_bytes(t, False) for t in (100, 1000)}
    ckpt = {t: bptt_temp_bytes(t, True) for t in (100, 1000)}
    assert plain[1000] / plain[100] > 8  # for_loop keeps every step's residuals
    assert ckpt[1000] / ckpt[100] < 4  # nested checkpoints: ~ base * log_base(T)
    assert ckpt[1000] < plain[1000] / 5
