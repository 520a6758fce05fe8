"""One training step of a spiking network: brainsim versus hand-written JAX.

Network (both versions, identical initial weights): Bernoulli input spikes (700 channels,
p = 0.05 per step) -> Linear 700->256 -> LIF(256) -> Linear 256->20 -> LIF(20), 100 steps of
1 ms, batch 64, tau = 10 ms, V_th = 1 mV, soft reset, ReluGrad(0.3, 1) surrogate; loss =
cross-entropy of the output spike counts; Adam(1e-3). One step = forward + backward +
Adam update, compiled as one XLA program.

* brainsim: ``Module`` + ``brainsim.models.LIF`` + ``run_sequence`` +
  ``transform.value_and_grad`` + ``train.Optimizer``, compiled with ``transform.jit``
  (the same program ``brainsim.train.train_step`` builds);
* pure JAX: a ``jax.lax.scan`` over ``(V1, V2)``, a ``custom_jvp`` spike function and
  ``optax`` on a dict of arrays, compiled with ``jax.jit``.

Compile time and memory are measured in a fresh subprocess per version (separate caches,
separate peak RSS); step times in one process where the two versions alternate, so that
machine load hits both alike. Printed: compile time (first call: tracing + XLA
compilation; median of 3 fresh processes), step time (median and minimum of the timed
calls after warm-up), memory and the brainsim / JAX ratios. Memory:
``jax.devices()[0].memory_stats()['peak_bytes_in_use']`` where the backend reports it (GPU);
on CPU it is ``None``, so we print the compiled program's XLA buffer sizes
(``memory_analysis()``: temporaries, and arguments + outputs) and the growth of the process'
peak resident set size (``getrusage(RUSAGE_SELF).ru_maxrss``) across compile and run, which
also counts the compiler's own memory.

Run ``python benchmarks/train_step.py`` (``--quick`` for fewer timed steps).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

N_IN, N_HID, N_OUT, T, BATCH, TAU, DT, P_IN = 700, 256, 20, 100, 64, 10.0, 1.0, 0.05


def init_weights(seed: int = 0) -> dict:
    """Shared initial weights (Kaiming-normal, zero bias), as NumPy float32 arrays."""
    rng = np.random.default_rng(seed)
    return {
        "w1": (rng.standard_normal((N_IN, N_HID)) * np.sqrt(2.0 / N_IN) * 4).astype(np.float32),
        "b1": np.zeros(N_HID, np.float32),
        "w2": (rng.standard_normal((N_HID, N_OUT)) * np.sqrt(2.0 / N_HID) * 4).astype(np.float32),
        "b2": np.zeros(N_OUT, np.float32),
    }


def make_batch(seed: int = 1) -> tuple:
    rng = np.random.default_rng(seed)
    xs = (rng.random((T, BATCH, N_IN)) < P_IN).astype(np.float32)
    return jnp.asarray(xs), jnp.asarray(rng.integers(0, N_OUT, BATCH).astype(np.int32))


# --------------------------------------------------------------------------- brainsim


def build_brainsim(weights: dict):
    import brainunit as u
    import optax

    import brainsim
    import brainsim.train

    brainsim.environ.set(dt=DT * u.ms)

    class Net(brainsim.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = brainsim.nn.Linear(N_IN, N_HID, w_init=weights["w1"], b_init=weights["b1"])
            self.lif1 = brainsim.models.LIF(N_HID, tau=TAU * u.ms)
            self.fc2 = brainsim.nn.Linear(N_HID, N_OUT, w_init=weights["w2"], b_init=weights["b2"])
            self.lif2 = brainsim.models.LIF(N_OUT, tau=TAU * u.ms)

        def update(self, x):
            return self.lif2(self.fc2(self.lif1(self.fc1(x) * u.mA)) * u.mA)

    model = Net()
    brainsim.nn.init_all_states(model, batch_size=BATCH)
    opt = brainsim.train.Optimizer(optax.adam(1e-3), model.states(brainsim.ParamState))

    def loss_fn(xs, labels):
        spikes = brainsim.train.run_sequence(model, xs, batch_size=xs.shape[1])
        return brainsim.train.spike_count_cross_entropy(spikes, labels)

    grad_fn = brainsim.transform.value_and_grad(loss_fn, grad_states=opt.params)

    @brainsim.transform.jit
    def step(xs, labels):
        loss, grads = grad_fn(xs, labels)
        opt.step(grads)
        return loss

    return step, step.lower


# --------------------------------------------------------------------------- pure JAX


@jax.custom_jvp
def spike_fn(x):
    return (x >= 0).astype(x.dtype)


@spike_fn.defjvp
def _spike_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return spike_fn(x), jnp.maximum(0.3 - 0.3 * jnp.abs(x), 0.0) * t


def build_jax(weights: dict):
    import optax

    params = {k: jnp.asarray(v) for k, v in weights.items()}
    tx = optax.adam(1e-3)
    opt_state = tx.init(params)
    alpha = 1.0 - np.exp(-DT / TAU)  # exact exponential Euler for tau dV/dt = -V + R I

    def loss_fn(p, xs, labels):
        def body(carry, x):
            v1, v2 = carry
            v1 = v1 - spike_fn(v1 - 1.0)  # soft reset by the previous step's spike
            v1 = v1 + alpha * (x @ p["w1"] + p["b1"] - v1)
            s1 = spike_fn(v1 - 1.0)
            v2 = v2 - spike_fn(v2 - 1.0)
            v2 = v2 + alpha * (s1 @ p["w2"] + p["b2"] - v2)
            return (v1, v2), spike_fn(v2 - 1.0)

        init = (jnp.zeros((xs.shape[1], N_HID)), jnp.zeros((xs.shape[1], N_OUT)))
        _, s2 = jax.lax.scan(body, init, xs)
        counts = s2.sum(axis=0)
        return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(counts, labels))

    @jax.jit
    def jstep(p, s, xs, labels):
        loss, g = jax.value_and_grad(loss_fn)(p, xs, labels)
        updates, s = tx.update(g, s, p)
        return optax.apply_updates(p, updates), s, loss

    state = {"p": params, "s": opt_state}

    def step(xs, labels):
        state["p"], state["s"], loss = jstep(state["p"], state["s"], xs, labels)
        return loss

    return step, lambda xs, labels: jstep.lower(state["p"], state["s"], xs, labels)


# --------------------------------------------------------------------------- measurement


def _time_step(step, xs, labels) -> float:
    t0 = time.perf_counter()
    step(xs, labels).block_until_ready()
    return time.perf_counter() - t0


def run_one(impl: str) -> dict:
    """Child process: compile time and memory of one version (fresh caches, own RSS)."""
    import brainunit  # noqa: F401  (imports before the RSS baseline, for both versions)
    import optax  # noqa: F401

    import brainsim  # noqa: F401

    weights = init_weights()
    xs, labels = make_batch()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    step, lower = (build_brainsim if impl == "brainsim" else build_jax)(weights)
    compile_s = _time_step(step, xs, labels)  # first call: trace + compile + one step
    for _ in range(3):
        step(xs, labels).block_until_ready()
    mem = lower(xs, labels).compile().memory_analysis()
    stats = jax.devices()[0].memory_stats() or {}
    return {
        "compile_s": compile_s,
        "peak_device_bytes": stats.get("peak_bytes_in_use"),
        "temp_bytes": None if mem is None else mem.temp_size_in_bytes,
        "io_bytes": None
        if mem is None
        else (mem.argument_size_in_bytes + mem.output_size_in_bytes),
        "rss_growth_bytes": 1024 * (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0),
        "backend": jax.default_backend(),
    }


def time_both(n_steps: int) -> dict:
    """Step times of both versions, interleaved so that both see the same machine load."""
    weights = init_weights()
    xs, labels = make_batch()
    steps = {"brainsim": build_brainsim(weights)[0], "jax": build_jax(weights)[0]}
    losses = {k: [float(f(xs, labels))] for k, f in steps.items()}
    for _ in range(3):
        for f in steps.values():
            f(xs, labels).block_until_ready()
    times = {k: [] for k in steps}
    for _ in range(n_steps):
        for k, f in steps.items():
            times[k].append(_time_step(f, xs, labels))
    for k, f in steps.items():
        losses[k].append(float(f(xs, labels)))
    return {
        k: {
            "step_ms": 1e3 * statistics.median(times[k]),
            "step_ms_min": 1e3 * min(times[k]),
            "first_loss": losses[k][0],
            "last_loss": losses[k][1],
        }
        for k in steps
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer timed steps")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per version")
    parser.add_argument("--impl", choices=["brainsim", "jax"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = 5 if args.quick else args.steps
    if args.impl:  # child process: measure one version, print JSON
        print(json.dumps(run_one(args.impl)))
        return {}
    runs: dict[str, list[dict]] = {"brainsim": [], "jax": []}
    for _ in range(1 if args.quick else 3):  # alternate the children: load hits both alike
        for impl in runs:
            cmd = [sys.executable, __file__, "--impl", impl]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            runs[impl].append(json.loads(out.strip().splitlines()[-1]))
    res = {}
    for impl, rs in runs.items():
        res[impl] = dict(rs[0])
        for key in ("compile_s", "rss_growth_bytes"):
            res[impl][key] = statistics.median(r[key] for r in rs)
    for impl, r in time_both(n).items():
        res[impl].update(r)
    b, j = res["brainsim"], res["jax"]
    print(
        f"train step: {N_IN}->{N_HID}->{N_OUT} LIF, T={T}, batch {BATCH}, Adam; "
        f"backend {b['backend']}, {n} timed steps"
    )

    def mib(x):
        return "n/a" if x is None else f"{x / 2**20:8.1f} MiB"

    rows = [
        ("compile, median (s)", "compile_s", "{:8.2f}"),
        ("step, median (ms)", "step_ms", "{:8.2f}"),
        ("step, min (ms)", "step_ms_min", "{:8.2f}"),
        ("loss first -> last", None, None),
        ("peak device memory", "peak_device_bytes", None),
        ("XLA temporaries", "temp_bytes", None),
        ("XLA arguments+outputs", "io_bytes", None),
        ("peak RSS growth, median", "rss_growth_bytes", None),
    ]
    print(f"{'':24}{'brainsim':>14}{'pure JAX':>14}{'ratio':>8}")
    for label, key, fmt in rows:
        if key is None:
            print(
                f"{label:24}{b['first_loss']:7.3f}->{b['last_loss']:.3f}"
                f"{j['first_loss']:7.3f}->{j['last_loss']:.3f}"
            )
            continue
        bv, jv = b[key], j[key]
        if fmt is None:
            cells = f"{mib(bv):>14}{mib(jv):>14}"
        else:
            cells = f"{fmt.format(bv):>14}{fmt.format(jv):>14}"
        ratio = f"{bv / jv:8.3f}" if bv is not None and jv else f"{'':>8}"
        print(f"{label:24}{cells}{ratio}")
    print(f"step-time ratio brainsim / pure JAX: {b['step_ms'] / j['step_ms']:.3f}")
    return res


if __name__ == "__main__":
    main()
