"""Train a recurrent spiking network to accumulate evidence and remember it over a delay.

Task (generated here, 2 classes, chance = 50 %): each trial lasts ``T`` steps of 1 ms.

* steps ``[0, 40)``: evidence. Two groups of 10 input channels fire as Poisson trains,
  the group of the trial's class at 40 Hz, the other at 20 Hz (about 16 versus 8 spikes in
  all; an ideal observer of the counts is right on 95.0 % of trials);
* steps ``[40, T - 20)``: delay (at least 100 steps). Only background noise (channels
  20-29, 10 Hz, present all along);
* steps ``[T - 20, T)``: go signal (channels 30-39, 100 Hz). The readout, averaged over
  this window, must report which group fired more.

Network: 100 recurrent ALIF neurons (recurrent activity and spike-triggered threshold
adaptation with ``tau_a`` = 300 ms can hold the memory), input and recurrent ``Linear``
layers and a ``LeakyRateReadout``. Each neuron's membrane time constant is learnable,
``Param(tau, t=SoftplusT(1 ms), reg=GaussianReg(20 ms, 10 ms))``: SoftplusT keeps it
positive and the Gaussian prior enters the loss through ``model.reg_loss()``.
``optax.multi_transform`` gives the time constants their own learning rate (in ms per
step), keyed by the optimizer's dotted parameter names.

Run ``python examples/train_temporal.py`` (or ``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import time

import brainunit as u
import jax.numpy as jnp
import numpy as np
import optax

import brainsim
import brainsim.train

N_IN, N_REC, CUE, GO = 40, 100, 40, 20
# tau / dt in mA (R = 1 ohm): a weight w moves V by about w mV per input spike
GAIN = 20.0 * u.mA


def make_batch(rng: np.random.Generator, batch: int, n_steps: int) -> tuple:
    """Poisson input spikes ``(T, B, 40)`` and labels ``(B,)`` for the evidence task."""
    labels = rng.integers(0, 2, size=batch)
    rates = np.zeros((n_steps, batch, N_IN), np.float32)
    for b, lab in enumerate(labels):
        rates[:CUE, b, 0:20] = 20.0
        rates[:CUE, b, 10 * lab : 10 * lab + 10] = 40.0
    rates[:, :, 20:30] = 10.0
    rates[n_steps - GO :, :, 30:40] = 100.0
    spikes = (rng.random(rates.shape) < rates * 1e-3).astype(np.float32)  # dt = 1 ms
    return jnp.asarray(spikes), jnp.asarray(labels.astype(np.int32))


class RecurrentSNN(brainsim.nn.Module):
    """ALIF population with input and recurrent weights and a leaky readout."""

    def __init__(self, tau_ms: float = 20.0) -> None:
        super().__init__()
        self.w_in = brainsim.nn.Linear(N_IN, N_REC, w_init=brainsim.init.KaimingNormal(2.0))
        self.w_rec = brainsim.nn.Linear(
            N_REC, N_REC, w_init=brainsim.init.KaimingNormal(1.0), b_init=None
        )
        tau = brainsim.nn.Param(
            jnp.full(N_REC, tau_ms) * u.ms,
            t=brainsim.nn.SoftplusT(1.0 * u.ms),
            reg=brainsim.nn.GaussianReg(20.0 * u.ms, 10.0 * u.ms, weight=1e-4),
        )
        self.alif = brainsim.models.ALIF(
            N_REC, tau=tau, tau_a=300.0 * u.ms, beta=0.5 * u.mV, V_th=1.0 * u.mV
        )
        self.readout = brainsim.models.LeakyRateReadout(N_REC, 2, tau=20.0 * u.ms)

    def update(self, x):
        prev = self.alif.get_spike()  # last step's spikes, recomputed from the States
        current = (self.w_in(x) + self.w_rec(prev)) * GAIN
        return self.readout(self.alif(current))


def loss_fn(model: RecurrentSNN, xs, labels):
    """Cross-entropy of the readout averaged over the go window, plus the tau prior."""
    outs = brainsim.train.run_sequence(model, xs, batch_size=xs.shape[1])
    logits = outs[-GO:].mean(axis=0)
    ce = brainsim.train.softmax_cross_entropy(logits, labels)
    return ce + model.reg_loss(), {"acc": brainsim.train.accuracy(logits, labels), "ce": ce}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (for tests)")
    parser.add_argument("--iters", type=int, default=300)
    parser.add_argument("--steps", type=int, default=180, help="trial length (>= 160)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.steps < CUE + 100 + GO:
        parser.error(f"--steps must be at least {CUE + 100 + GO} (a delay of >= 100 steps)")
    iters = 30 if args.quick else args.iters

    brainsim.environ.set(dt=1.0 * u.ms)
    brainsim.random.seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = RecurrentSNN()
    brainsim.nn.init_all_states(model, batch_size=args.batch)  # the training batch size
    params = model.states(brainsim.ParamState)
    tx = optax.multi_transform(
        {"w": optax.adam(2e-3), "tau": optax.adam(0.2)},  # tau: up to ~0.2 ms per step
        lambda p: {k: "tau" if k.endswith("tau.val") else "w" for k in p},
    )
    opt = brainsim.train.Optimizer(optax.chain(optax.clip_by_global_norm(5.0), tx), params)

    delay = args.steps - CUE - GO
    print(
        f"evidence task: evidence {CUE} steps, delay {delay} steps, go {GO} steps; "
        f"{iters} iterations of batch {args.batch}"
    )
    t0 = time.perf_counter()
    accs = []
    for it in range(iters):
        xs, labels = make_batch(rng, args.batch, args.steps)
        loss, metrics = brainsim.train.train_step(model, opt, loss_fn, xs, labels)
        accs.append(float(metrics["acc"]))
        if (it + 1) % max(1, iters // 10) == 0:
            print(
                f"iter {it + 1:4d}  loss {float(loss):.4f}  ce {float(metrics['ce']):.4f}  "
                f"batch acc (last 10) {np.mean(accs[-10:]):.3f}"
            )
    train_time = time.perf_counter() - t0

    evaluate = brainsim.transform.jit(lambda xs, ys: loss_fn(model, xs, ys)[1]["acc"])
    test_rng = np.random.default_rng(args.seed + 1000)
    acc = float(
        np.mean([float(evaluate(*make_batch(test_rng, 256, args.steps))) for _ in range(4)])
    )
    taus = np.asarray(model.alif.tau.value().to_decimal(u.ms))
    print(f"test accuracy: {acc:.3f} (chance 0.5, ideal observer 0.95), {train_time:.1f} s")
    print(
        f"learned tau: mean {taus.mean():.1f} ms, median {np.median(taus):.1f} ms, "
        f"range [{taus.min():.1f}, {taus.max():.1f}] ms (initial 20 ms)"
    )
    return {"test_accuracy": acc, "tau_ms": taus}


if __name__ == "__main__":
    main()
