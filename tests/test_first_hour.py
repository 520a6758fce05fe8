"""The three programs a new user wrote from the docs (issue 13), and the defaults, CLI and
diagnostics they ran into."""

import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

import brainsim
from brainsim import models

# ------------------------------------------------------------------ item 2: defaults
PHYSIOLOGICAL = dict(V_rest=-65.0 * u.mV, V_reset=-65.0 * u.mV, V_th=-50.0 * u.mV)


@pytest.mark.parametrize(
    "cls", [models.LIF, models.LIFRef, models.ALIF, models.CubaLIF, models.CobaLIF]
)
def test_physiological_lif_starts_at_rest_and_is_silent_at_t0(cls):
    brainsim.environ.set(dt=0.1 * u.ms)
    neu = cls(5, tau=20 * u.ms, **PHYSIOLOGICAL)
    neu.init_state()
    np.testing.assert_allclose(neu.V.value.to_decimal(u.mV), -65.0)

    def step(i):
        with brainsim.environ.context(i=i, t=i * 0.1 * u.ms):
            return neu(0.0 * u.mA)

    spikes = brainsim.transform.for_loop(step, jnp.arange(100))
    assert float(jnp.sum(spikes)) == 0.0


@pytest.mark.parametrize(
    "cls, kw",
    [
        (models.ExpIF, dict(V_rest=-70.0 * u.mV)),
        (models.AdExIF, dict(V_rest=-70.0 * u.mV)),
        (models.QuaIF, dict(V_rest=-70.0 * u.mV)),
        (models.AdQuaIF, dict(V_rest=-70.0 * u.mV)),
        (models.Gif, dict(V_rest=-72.0 * u.mV)),
    ],
)
def test_initial_v_follows_v_rest(cls, kw):
    neu = cls(3, **kw)
    neu.init_state()
    np.testing.assert_allclose(neu.V.value.to_decimal(u.mV), kw["V_rest"].to_decimal(u.mV))


def test_gif_threshold_starts_at_v_th_inf():
    neu = models.Gif(2, V_th_inf=-45.0 * u.mV)
    neu.init_state()
    np.testing.assert_allclose(neu.V_th.value.to_decimal(u.mV), -45.0)


def test_explicit_initializer_still_wins():
    neu = models.LIF(2, V_rest=-65.0 * u.mV, V_initializer=brainsim.init.Constant(-60.0 * u.mV))
    neu.init_state()
    np.testing.assert_allclose(neu.V.value.to_decimal(u.mV), -60.0)


# ------------------------------------------------------------------ item 5: the CLI
@pytest.fixture
def demo_calls(monkeypatch):
    import brainsim.__main__ as cli

    calls = []
    monkeypatch.setattr(cli, "demo", lambda **kw: calls.append(kw))
    return calls


@pytest.mark.parametrize(
    "args",
    [
        ["--duration", "-100"],
        ["--duration", "0"],
        ["--dt", "0"],
        ["--dt", "-0.1"],
        ["--dt", "nan"],
        ["--n", "0"],
        ["--duration", "0.05"],  # less than one step of 0.1 ms
        ["--duration", "10.05"],  # not a whole number of steps
    ],
)
def test_cli_rejects_bad_values_before_running(args, demo_calls, capsys):
    from brainsim.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["demo", *args])
    assert exc.value.code == 2
    assert demo_calls == []
    err = capsys.readouterr().err
    assert "error: argument --" in err and "Traceback" not in err


def test_cli_explicit_duration_wins_over_quick(demo_calls):
    from brainsim.__main__ import main

    assert main(["demo", "--quick", "--duration", "500"]) == 0
    assert demo_calls[-1]["duration_ms"] == 500.0
    assert main(["demo", "--quick"]) == 0
    assert demo_calls[-1]["duration_ms"] == 200.0
    assert main(["demo"]) == 0
    assert demo_calls[-1]["duration_ms"] == 1000.0


def test_cli_help_shows_defaults(capsys):
    from brainsim.__main__ import main

    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = capsys.readouterr().out
    assert "default: 0.1" in out and "default: 4000" in out and "default 1000" in out


# ------------------------------------------------------------------ item 3: network size
def test_coba_network_keeps_the_in_degree_fixed():
    big = models.networks.COBANetwork()
    assert big.E.comm.conn_num == 80 and big.I.comm.conn_num == 80
    assert float(big.E.comm.weight.value.to_decimal(u.nS)) == pytest.approx(6.0)
    small = models.networks.COBANetwork(n_exc=800, n_inh=200)
    assert small.E.comm.conn_num == 80 and small.I.comm.conn_num == 80
    assert float(small.E.comm.weight.value.to_decimal(u.nS)) > 6.0
    assert models.networks.CUBANetwork(n_exc=800, n_inh=200).E.comm.conn_num == 80
    assert models.networks.COBANetwork(n_exc=800, n_inh=200, p=0.02).E.comm.conn_num == 20


def test_coba_network_of_1000_neurons_sustains_its_activity():
    brainsim.environ.set(dt=0.1 * u.ms)
    with brainsim.random.seed_context(0):
        net = models.networks.COBANetwork(n_exc=800, n_inh=200, seed=0)
        rec = brainsim.simulate.run(
            net, 400 * u.ms, record={"s": brainsim.simulate.spikes("output")}
        )
    t = np.asarray(rec["s"].times.to_decimal(u.ms))
    late = np.sum(t >= 300.0) / 1000 / 0.1  # Hz per neuron over the last 100 ms
    assert late > 5.0, f"the network fell silent: {late:.2f} Hz in the last 100 ms"


# ------------------------------------------------------------------ item 3: silent training
class _TwoLayer(brainsim.nn.Module):
    """The new user's classifier: Linear -> LIF -> Linear -> LIF, spike counts as logits."""

    def __init__(self, scale):
        super().__init__()
        self.scale = scale
        self.fc1 = brainsim.nn.Linear(10, 16)
        self.l1 = models.LIF(16, tau=10 * u.ms)
        self.fc2 = brainsim.nn.Linear(16, 3)
        self.l2 = models.LIF(3, tau=10 * u.ms)

    def update(self, x):
        return self.l2(self.fc2(self.l1(self.fc1(x) * self.scale)) * self.scale)


def _train(scale, **kw):
    import optax

    brainsim.environ.set(dt=1.0 * u.ms)
    brainsim.random.seed(0)
    model = _TwoLayer(scale)
    brainsim.nn.init_all_states(model, batch_size=8)
    opt = brainsim.train.Optimizer(optax.adam(1e-2), model.states(brainsim.ParamState))

    def loss_fn(m, xs, labels):
        outs = brainsim.train.run_sequence(m, xs, batch_size=xs.shape[1])
        return brainsim.train.spike_count_cross_entropy(outs, labels)

    xs = brainsim.train.poisson_encode(jnp.full((8, 10), 0.5), 20)
    labels = jnp.arange(8) % 3
    return brainsim.train.train_step(model, opt, loss_fn, xs, labels, **kw)


def test_a_silent_classifier_warns():
    with pytest.warns(brainsim.train.SilentNetworkWarning, match="no spike|exactly 0"):
        loss = _train(1e-3 * u.mA)
    assert float(loss) == pytest.approx(np.log(3), rel=1e-4)


def test_silent_network_warning_can_be_switched_off(recwarn):
    _train(1e-3 * u.mA, diagnose=False)
    assert not [w for w in recwarn if issubclass(w.category, brainsim.train.SilentNetworkWarning)]


def test_an_active_classifier_does_not_warn(recwarn):
    _train(5.0 * u.mA)
    assert not [w for w in recwarn if issubclass(w.category, brainsim.train.SilentNetworkWarning)]


# ------------------------------------------------------------------ item 4: unit errors
def test_wrong_input_unit_names_model_input_and_unit_inside_grad():
    brainsim.environ.set(dt=0.1 * u.ms)
    lif = models.LIF(3)
    lif.init_state()

    def loss(x):
        return jnp.sum(lif(x * u.mV))  # a voltage where a current is expected

    with pytest.raises(brainsim.nn.InputUnitError) as exc:
        brainsim.transform.grad(loss)(jnp.ones(3))
    msg = str(exc.value)
    assert "LIF.update(x=...): expected a current such as 1.0 * u.mA" in msg
    assert "in mV" in msg and "Tracer" not in msg
    assert isinstance(exc.value, u.UnitMismatchError)  # code catching brainunit's error works


def test_wrong_input_unit_eager_and_unitless():
    brainsim.environ.set(dt=0.01 * u.ms)
    hh = models.HH(2)
    hh.init_state()
    with pytest.raises(brainsim.nn.InputUnitError, match=r"HH.update\(x=...\): expected a "
                       r"current such as 1.0 \* u.uA, got a plain"):
        hh(jnp.ones(2))
    assert hh(jnp.ones(2) * u.nA).shape == (2,)  # a compatible unit is fine


# ------------------------------------------------------------------ item 7: a seed, a network
def test_a_seed_means_the_same_network_on_every_jax_version():
    """Connectivity (numpy's Generator) and initial state (jax threefry) of seed 0, pinned:
    the same bits on jax 0.10 and 0.12. The spikes are not pinned: XLA's float32 step
    differs by 1-2 ulp between jax versions (docs/simulation.md, "Reproducibility")."""
    brainsim.environ.set(dt=0.1 * u.ms)
    with brainsim.random.seed_context(0):
        net = models.networks.COBANetwork(n_exc=320, n_inh=80, seed=0)
        brainsim.nn.init_all_states(net)
    assert int(np.asarray(net.E.comm.indices).sum()) == 5102392
    assert int(np.asarray(net.I.comm.indices).sum()) == 1276924
    V = np.asarray(net.N.V.value.to_decimal(u.mV))
    np.testing.assert_array_equal(
        V[:4], np.float32([-71.9388427734375, -61.125728607177734, -57.29753494262695,
                           -55.79045104980469]))


# ------------------------------------------------------------------ item 6: a fast default run
def test_default_run_skips_the_long_tests_and_ci_runs_them():
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    ci = (root / ".ci" / "run").read_text()
    assert "python -m pytest -m slow" in readme and "minutes" in readme
    assert "python -m pytest -m slow" in ci and '"$rc" -eq 5' in ci
    # the long tests carry the slow mark (conftest.py), one smoke test per area does not
    sys.path.insert(0, str(root))
    from conftest import _is_slow

    assert _is_slow("tests/test_examples.py::test_example_quick[coba]")
    assert not _is_slow("tests/test_examples.py::test_example_quick[quickstart]")
    assert _is_slow("tests/models/test_conformance.py::test_jit_equals_eager[ExpIF]")
    assert not _is_slow("tests/models/test_conformance.py::test_jit_equals_eager[LIF]")
    assert _is_slow("tests/models/test_conformance.py::test_float_precision[float64-LIF]")
