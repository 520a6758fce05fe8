"""Train a spiking classifier on scikit-learn's 8x8 digits (bundled, no download).

Each image (64 pixels scaled to [0, 1]) is presented as a constant input current for
``T`` steps of 1 ms (``brainsim.train.direct_current``). Network::

    pixels --Linear 64->128--> LIF (learnable tau, SoftplusT) --> LeakyRateReadout 128->10

The class scores are the readout averaged over time; the loss is softmax cross-entropy.
Gradients flow through the spikes by the LIF's surrogate gradient (BPTT over the ``T``
steps), and ``brainsim.train.Optimizer`` applies Adam to every ParamState. Each minibatch
starts from reset States (``run_sequence`` calls ``reset_all_states(batch_size=B)``).

Run ``python examples/train_digits.py`` (40 epochs, about 97-98 % test accuracy, well
under a second per epoch on a laptop CPU) or ``--quick`` for a single epoch.
"""

from __future__ import annotations

import argparse
import time

import brainunit as u
import jax.numpy as jnp
import numpy as np
import optax
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import brainsim
import brainsim.train


class DigitsSNN(brainsim.nn.Module):
    """Linear input layer, a LIF hidden layer and a leaky readout."""

    def __init__(self, n_in: int = 64, n_hidden: int = 128, n_out: int = 10) -> None:
        super().__init__()
        self.fc = brainsim.nn.Linear(n_in, n_hidden, w_init=brainsim.init.KaimingNormal(2.0))
        tau = brainsim.nn.Param(
            jnp.full(n_hidden, 10.0) * u.ms, t=brainsim.nn.SoftplusT(1.0 * u.ms)
        )
        self.lif = brainsim.models.LIF(n_hidden, tau=tau, V_th=1.0 * u.mV)
        self.readout = brainsim.models.LeakyRateReadout(n_hidden, n_out, tau=10.0 * u.ms)

    def update(self, x):
        spikes = self.lif(self.fc(x) * u.mA)  # R = 1 ohm: the current gives R I in mV
        return self.readout(spikes), spikes


def loss_fn(model: DigitsSNN, xs, labels):
    """Cross-entropy of the time-averaged readout, plus accuracy and mean rate as metrics."""
    outs, spikes = brainsim.train.run_sequence(model, xs, batch_size=xs.shape[1])
    logits = outs.mean(axis=0)
    loss = brainsim.train.softmax_cross_entropy(logits, labels)
    return loss, {"acc": brainsim.train.accuracy(logits, labels), "rate": spikes.mean()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one epoch (for tests)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--steps", type=int, default=25, help="time steps per image")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    brainsim.environ.set(dt=1.0 * u.ms)
    brainsim.random.seed(args.seed)
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int32)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    epochs = 1 if args.quick else args.epochs
    n_train = len(x_tr)

    model = DigitsSNN()
    brainsim.nn.init_all_states(model, batch_size=args.batch)  # the training batch size
    n_total = epochs * (n_train // args.batch)
    schedule = optax.cosine_decay_schedule(args.lr, n_total)
    opt = brainsim.train.Optimizer(optax.adam(schedule), model.states(brainsim.ParamState))

    @brainsim.transform.jit
    def predict(xs):
        outs, _ = brainsim.train.run_sequence(model, xs, batch_size=xs.shape[1])
        return outs.mean(axis=0)

    def encode(batch):  # (B, 64) -> (T, B, 64) constant current
        return brainsim.train.direct_current(jnp.asarray(batch), args.steps)

    def test_accuracy():
        logits = predict(encode(x_te))
        return float(brainsim.train.accuracy(logits, jnp.asarray(y_te)))

    rng = np.random.default_rng(args.seed)
    print(
        f"digits: {len(x_tr)} train / {len(x_te)} test, T = {args.steps} steps, "
        f"batch {args.batch}, {epochs} epoch(s)"
    )
    epoch_times = []
    for epoch in range(epochs):
        order = rng.permutation(len(x_tr))[:n_train]
        t0 = time.perf_counter()
        losses, accs = [], []
        for start in range(0, n_train - args.batch + 1, args.batch):  # drop the remainder
            idx = order[start : start + args.batch]
            loss, metrics = brainsim.train.train_step(
                model, opt, loss_fn, encode(x_tr[idx]), jnp.asarray(y_tr[idx])
            )
            losses.append(float(loss))
            accs.append(float(metrics["acc"]))
        epoch_times.append(time.perf_counter() - t0)
        rate = float(metrics["rate"]) / 1e-3  # spikes per 1 ms step -> Hz
        print(
            f"epoch {epoch + 1:3d}  loss {np.mean(losses):.4f}  train acc "
            f"{np.mean(accs):.4f}  hidden rate {rate:5.1f} Hz  ({epoch_times[-1]:.2f} s)"
        )
    acc = test_accuracy()
    taus = np.asarray(model.lif.tau.value().to_decimal(u.ms))
    steady = epoch_times[1:] or epoch_times
    print(f"test accuracy: {acc:.4f}")
    print(
        f"time per epoch: {np.median(steady):.2f} s (first epoch incl. compile: "
        f"{epoch_times[0]:.2f} s)"
    )
    print(f"learned tau: mean {taus.mean():.2f} ms, range [{taus.min():.2f}, {taus.max():.2f}] ms")
    return {"test_accuracy": acc, "epoch_times": epoch_times, "tau_ms": taus}


if __name__ == "__main__":
    main()
