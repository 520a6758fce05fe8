"""Parameter / seed sweeps: one compile for all points, each point equal to its own run."""

import logging
import os
import subprocess
import sys

import brainunit as u
import jax
import numpy as np
import pytest

import brainsim
from brainsim import simulate
from brainsim.models.networks import COBANetwork

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _coba(n_exc=400, n_inh=100, p=0.08):
    brainsim.environ.set(dt=0.1 * u.ms)
    brainsim.random.seed(0)
    net = COBANetwork(n_exc=n_exc, n_inh=n_inh, p=p, seed=0)
    return net, simulate.Simulation(net, record={"s": simulate.spikes(lambda: net.spike.value)})


def test_each_point_equals_its_own_run_and_model_is_left_unchanged():
    ws = np.array([3.0, 6.0, 12.0])
    net, sim = _coba()
    v0 = np.asarray(net.N.V.value.mantissa)
    w0 = float(net.E.comm.weight.value.to_decimal(u.nS))  # scaled for small N by default
    res = simulate.sweep(sim, {"E.comm.weight": ws * u.nS}, 15 * u.ms)
    assert len(res) == 3 and res.num_compiles == 1
    counts = []
    for k, w in enumerate(ws):
        net2, sim2 = _coba()
        net2.E.comm.weight.value = w * u.nS
        ref = sim2.run(15 * u.ms)["s"]
        np.testing.assert_array_equal(res[k]["s"].indices, ref.indices)
        np.testing.assert_array_equal(res[k]["s"].steps, ref.steps)
        counts.append(len(ref))
    assert counts[0] < counts[2]  # the weight matters, so the comparison means something
    assert float(net.E.comm.weight.value.to_decimal(u.nS)) == w0
    np.testing.assert_array_equal(np.asarray(net.N.V.value.mantissa), v0)
    assert sim.i == 0


def test_seeds_give_each_point_its_own_random_stream():
    brainsim.environ.set(dt=0.1 * u.ms)

    def build():
        lif = brainsim.models.LIF(20, tau=10 * u.ms)
        drive = brainsim.models.PoissonInput(lif.prefetch("V"), None, 50, 100 * u.Hz,
                                             2.0 * u.mV)
        sim = simulate.Simulation(lif, step=lambda: (drive(), lif(0. * u.mA)),
                                  record={"s": simulate.spikes(lambda: lif.get_spike())})
        return sim

    seeds = [0, 1, 2]
    res = simulate.sweep(build(), seeds=seeds, n_steps=200)
    for k, s in enumerate(seeds):
        sim = build()
        brainsim.random.seed(s)
        ref = sim.run(n_steps=200)["s"]
        assert len(ref) > 5
        np.testing.assert_array_equal(res[k]["s"].indices, ref.indices)
    assert len({len(r["s"]) for r in res}) > 1


def test_sixteen_points_compile_once(caplog):
    net, sim = _coba(n_exc=40, n_inh=10, p=0.2)
    grid_w, grid_s = np.meshgrid(np.linspace(3, 12, 4), np.arange(4))
    with caplog.at_level(logging.WARNING), jax.log_compiles():
        res = simulate.sweep(sim, {"E.comm.weight": grid_w.ravel() * u.nS},
                             n_steps=40, seeds=grid_s.ravel())
    loops = [r for r in caplog.records if r.getMessage().startswith("Compiling jit(pure)")]
    assert len(res) == 16
    assert res.num_compiles == 1 and len(loops) == 1


def test_sweep_errors_name_the_argument():
    net, sim = _coba(n_exc=40, n_inh=10, p=0.2)
    with pytest.raises(ValueError, match=r"no State at 'E\.comm\.weigth'.*'E\.comm\.weight'"):
        simulate.sweep(sim, {"E.comm.weigth": [1.0, 2.0] * u.nS}, n_steps=5)
    with pytest.raises(ValueError, match=r"expected values in units of nS"):
        simulate.sweep(sim, {"E.comm.weight": np.array([1.0, 2.0]) * u.mV}, n_steps=5)
    with pytest.raises(ValueError, match="same number of points"):
        simulate.sweep(sim, {"E.comm.weight": [1.0, 2.0] * u.nS}, n_steps=5, seeds=[1, 2, 3])
    with pytest.raises(ValueError, match="nothing to sweep"):
        simulate.sweep(sim, {}, n_steps=5)
    with pytest.raises(ValueError, match=r"split evenly over the 1 devices|must split evenly"):
        simulate.sweep(sim, {"E.comm.weight": [1.0, 2.0] * u.nS}, n_steps=5, devices=[])


SHARDED = """
import brainunit as u, brainsim, numpy as np, jax
from brainsim import simulate
from brainsim.models.networks import COBANetwork
assert len(jax.devices()) == 2
brainsim.environ.set(dt=0.1 * u.ms)
brainsim.random.seed(0)
net = COBANetwork(n_exc=40, n_inh=10, p=0.2, seed=0)
sim = simulate.Simulation(net, record={'s': simulate.spikes(lambda: net.spike.value)})
ws = np.array([3., 6., 9., 12.]) * u.nS
a = simulate.sweep(sim, {'E.comm.weight': ws}, n_steps=60, devices='all')
b = simulate.sweep(sim, {'E.comm.weight': ws}, n_steps=60)
assert a.num_compiles == 1
for x, y in zip(a, b):
    np.testing.assert_array_equal(x['s'].indices, y['s'].indices)
print('ok', [len(r['s']) for r in a])
"""


def test_sweep_sharded_over_two_devices_equals_unsharded():
    env = dict(os.environ, PYTHONPATH=ROOT,
               XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, "-c", SHARDED], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("ok")


def test_delayed_projection_sweep_equals_separate_runs():
    """The delivery ring buffer (a written State) gets one copy per point."""
    brainsim.environ.set(dt=0.1 * u.ms)

    def build():
        brainsim.random.seed(0)
        net, _ = _coba(n_exc=80, n_inh=20, p=0.2)
        late = brainsim.models.AlignPostProj(
            comm=brainsim.nn.EventFixedProb(100, 100, 0.1, 1. * u.nS, seed=3),
            syn=brainsim.models.Expon(100, tau=5. * u.ms),
            out=brainsim.models.COBA(E=0. * u.mV), post=net.N, delay=1. * u.ms)

        def step():
            late(net.spike.value)
            return net()

        sim = simulate.Simulation(net, step=step,
                                  record={"s": simulate.spikes(lambda: net.spike.value)})
        brainsim.nn.init_all_states(late)
        return late, sim

    late, sim = build()
    ws = np.array([1.0, 30.0]) * u.nS
    res = simulate.sweep(sim, {late.comm.weight: ws}, n_steps=100)
    for k in range(2):
        late2, sim2 = build()
        late2.comm.weight.value = ws[k]
        ref = sim2.run(n_steps=100)["s"]
        np.testing.assert_array_equal(res[k]["s"].indices, ref.indices)
    assert len(res[0]["s"]) != len(res[1]["s"])
