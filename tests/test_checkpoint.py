"""Checkpoint and resume: a run continued from a checkpoint (in a new process) equals one
uninterrupted run spike for spike; mismatched models and damaged files are refused in words
and leave the model unchanged."""

import os
import subprocess
import sys
import textwrap

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import brainsim
from brainsim import simulate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Built the same way in this process and in the resuming subprocess: a COBA network plus a
# Poisson drive (the global PRNG key) and a delayed projection (a spike queue).
BUILD = textwrap.dedent("""
    import brainunit as u, brainsim
    from brainsim import models, simulate
    from brainsim.models.networks import COBANetwork

    class Net(brainsim.nn.Module):
        def __init__(self):
            super().__init__()
            self.coba = COBANetwork(n_exc=400, n_inh=100, p=0.08, seed=0)
            n = self.coba.N
            self.drive = models.PoissonInput(n.prefetch('V'), None, 20, 20 * u.Hz, 0.5 * u.mV)
            self.late = models.AlignPostProj(
                comm=brainsim.nn.EventFixedProb(500, 500, 0.02, 1. * u.nS, seed=3),
                syn=models.Expon(500, tau=5. * u.ms), out=models.COBA(E=0. * u.mV), post=n,
                delay=1. * u.ms)

        def update(self):
            self.late(self.coba.spike.value)
            self.drive()
            return self.coba()

    def build():
        brainsim.environ.set(dt=0.1 * u.ms)
        brainsim.random.seed(0)
        net = Net()
        sim = simulate.Simulation(net, record={'s': simulate.spikes(lambda: net.coba.spike.value)})
        return net, sim
""")


def _build():
    ns: dict = {}
    exec(BUILD, ns)
    return ns["build"]()


def _events(rec):
    ev = rec["s"]
    return np.asarray(ev.steps), np.asarray(ev.indices)


@pytest.mark.parametrize("half_ms", [15, pytest.param(500, marks=pytest.mark.slow)])
def test_resume_in_new_process_is_spike_exact(tmp_path, half_ms):
    half = half_ms * u.ms
    _, full = _build()
    s_full, i_full = _events(full.run(2 * half))

    _, first = _build()
    s1, i1 = _events(first.run(half))
    ckpt = first.save_checkpoint(tmp_path / "half.npz")
    out = tmp_path / "second.npz"
    code = BUILD + textwrap.dedent(f"""
        import numpy as np
        net, sim = build()
        brainsim.random.seed(123)          # overwritten by the checkpoint
        sim.load_checkpoint({str(ckpt)!r})
        ev = sim.run({half_ms} * u.ms)['s']
        np.savez({str(out)!r}, steps=ev.steps, idx=ev.indices)
    """)
    env = dict(os.environ, PYTHONPATH=ROOT)
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=str(tmp_path),
                   timeout=600)
    second = np.load(out)
    steps = np.concatenate([s1, second["steps"]])
    idx = np.concatenate([i1, second["idx"]])
    n_half = int(np.sum(s_full >= half_ms * 10))
    assert n_half > 50  # the second half is active, so the comparison means something
    np.testing.assert_array_equal(steps, s_full)
    np.testing.assert_array_equal(idx, i_full)


def test_trained_parameters_and_optax_state_resume_exactly(tmp_path):
    def make():
        w = brainsim.ParamState(jnp.array([0.5, -1.0, 2.0]))
        opt = brainsim.train.Optimizer(optax.adam(0.1), [w])

        @brainsim.transform.jit
        def step(x):
            grads = brainsim.transform.grad(lambda: jnp.sum((w.value * x - 1.0) ** 2),
                                            grad_states=[w])()
            opt.step(grads)

        return w, opt, step

    x = jnp.array([1.0, 2.0, 3.0])
    w, opt, step = make()
    for _ in range(6):
        step(x)
    ref = np.asarray(w.value)

    w1, opt1, step1 = make()
    for _ in range(3):
        step1(x)
    f = simulate.save_checkpoint(tmp_path / "train.npz", w1, extra={"optimizer": opt1})
    w2, opt2, step2 = make()
    simulate.load_checkpoint(f, w2, extra={"optimizer": opt2})
    for _ in range(3):
        step2(x)
    np.testing.assert_array_equal(np.asarray(w2.value), ref)
    count = jax.tree.leaves(opt2.opt_state.value)[0]
    assert int(count) == 6


def test_mismatched_model_names_first_path_and_changes_nothing(tmp_path):
    brainsim.environ.set(dt=0.1 * u.ms)
    net = brainsim.models.networks.COBANetwork(n_exc=40, n_inh=10, p=0.1, seed=0)
    sim = simulate.Simulation(net)
    f = sim.save_checkpoint(tmp_path / "a.npz")
    other = brainsim.models.networks.COBANetwork(n_exc=30, n_inh=10, p=0.1, seed=0)
    sim2 = simulate.Simulation(other)
    before = {k: np.asarray(u.get_mantissa(s.value)) for k, s in other.states().items()}
    with pytest.raises(brainsim.BrainSimError, match=r"State 'model/N\._before_updates.*"
                                                      r"has dtype/shape float32\(40,\)"):
        sim2.load_checkpoint(f)
    lif = brainsim.models.LIF(50)
    with pytest.raises(ValueError, match="the model has State 'model/V' but the checkpoint"):
        simulate.Simulation(lif).load_checkpoint(f)
    for k, s in other.states().items():
        np.testing.assert_array_equal(np.asarray(u.get_mantissa(s.value)), before[k])
    assert sim2.i == 0


def test_truncated_or_corrupt_file_is_refused_and_changes_nothing(tmp_path):
    brainsim.environ.set(dt=0.1 * u.ms)
    lif = brainsim.models.LIF(100)
    sim = simulate.Simulation(lif)
    sim.run(2 * u.ms, inputs=(3. * u.mA,))
    f = sim.save_checkpoint(tmp_path / "lif.npz")
    data = f.read_bytes()
    fresh = brainsim.models.LIF(100)
    sim2 = simulate.Simulation(fresh)
    v0 = np.asarray(fresh.V.value.mantissa)
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(brainsim.BrainSimError, match="truncated or corrupt"):
        sim2.load_checkpoint(tmp_path / "cut.npz")
    bad = bytearray(data)
    pos = data.find(b"V#0.npy") + 200  # inside V's bytes
    bad[pos] ^= 0xFF
    (tmp_path / "flip.npz").write_bytes(bytes(bad))
    with pytest.raises(brainsim.BrainSimError, match="corrupt"):
        sim2.load_checkpoint(tmp_path / "flip.npz")
    np.testing.assert_array_equal(np.asarray(fresh.V.value.mantissa), v0)
    assert sim2.i == 0
    sim2.load_checkpoint(f)
    assert sim2.i == 20


def test_dt_mismatch_and_bad_arguments(tmp_path):
    lif = brainsim.models.LIF(2)
    sim = simulate.Simulation(lif, dt=0.1 * u.ms)
    f = sim.save_checkpoint(tmp_path / "x.npz")
    with pytest.raises(ValueError, match=r"saved with dt = 0.1 ms .* dt = 0.2 ms"):
        simulate.Simulation(brainsim.models.LIF(2), dt=0.2 * u.ms).load_checkpoint(f)
    with pytest.raises(TypeError, match=r"save_checkpoint\(extra=\.\.\.\): expected a dict"):
        simulate.save_checkpoint(tmp_path / "y.npz", lif, extra=[1])
    with pytest.raises(FileNotFoundError, match="no such file"):
        simulate.load_checkpoint(tmp_path / "missing.npz", lif)
