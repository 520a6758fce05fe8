"""BPTT memory: ``for_loop`` versus ``checkpointed_for_loop`` as the sequence grows.

Network: 4 inputs -> Linear -> 256 LIF -> LeakyRateReadout(2), batch 16, loss on the last
readout, gradient with respect to every ParamState. For each sequence length T it prints

* ``temp``: the temporary buffer size XLA allocates for the compiled gradient
  (``jit(...).lower(...).compile().memory_analysis().temp_size_in_bytes``): the memory that
  BPTT needs on top of inputs and parameters;
* ``residuals``: the bytes of the values saved for the backward pass (the leaves of the
  ``vjp`` function), which is measurable on every backend.

``for_loop`` saves every step's residuals, so both grow linearly with T.
``checkpointed_for_loop(base=16)`` saves only the carries at nested chunk boundaries and
recomputes the rest, so they grow like ``base * log_base(T)``. Run
``python benchmarks/bptt_memory.py`` (``--quick`` for T up to 1000).
"""

from __future__ import annotations

import argparse
import time

import brainunit as u
import jax
import jax.numpy as jnp

import brainsim
import brainsim.train


class WideNet(brainsim.nn.Module):
    def __init__(self, n_in: int = 4, n_hid: int = 256) -> None:
        super().__init__()
        self.fc = brainsim.nn.Linear(n_in, n_hid, w_init=brainsim.init.KaimingNormal(4.0))
        self.lif = brainsim.models.LIF(n_hid, tau=10 * u.ms)
        self.ro = brainsim.models.LeakyRateReadout(n_hid, 2)

    def update(self, x):
        return self.ro(self.lif(self.fc(x) * u.mA))


def measure(n_steps: int, checkpoint: bool, batch: int = 16) -> dict:
    net = WideNet()
    brainsim.nn.init_all_states(net)
    params = net.states(brainsim.ParamState)
    keys = list(params)

    def loss(xs):
        outs = brainsim.train.run_sequence(net, xs, batch_size=batch, checkpoint=checkpoint)
        return jnp.mean(outs[-1])

    xs = jnp.ones((n_steps, batch, 4))
    t0 = time.perf_counter()
    grad_fn = brainsim.transform.jit(brainsim.transform.grad(loss, grad_states=params))
    mem = grad_fn.lower(xs).compile().memory_analysis()
    compile_s = time.perf_counter() - t0
    temp = None if mem is None else mem.temp_size_in_bytes

    def with_values(*vals):  # the parameter values as explicit primals, for vjp
        for k, v in zip(keys, vals, strict=True):
            params[k].value = v
        return loss(xs)

    _, vjp_fn = brainsim.transform.vjp(with_values, *[params[k].value for k in keys])
    residuals = sum(
        x.size * x.dtype.itemsize for x in jax.tree.leaves(vjp_fn) if hasattr(x, "dtype")
    )
    return {"temp": temp, "residuals": residuals, "compile_s": compile_s}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    brainsim.environ.set(dt=1.0 * u.ms)
    lengths = (100, 1000) if args.quick else (100, 300, 1000, 3000, 10000)
    print(f"backend: {jax.default_backend()}; 256 LIF, batch 16, checkpoint base 16")
    print(
        f"{'T':>6} | {'for_loop temp':>14} {'residuals':>11} | "
        f"{'checkpointed temp':>17} {'residuals':>11}"
    )
    out = {}
    for n in lengths:
        plain, ckpt = measure(n, False), measure(n, True)
        out[n] = (plain, ckpt)

        def mb(x):
            return "n/a" if x is None else f"{x / 2**20:.2f} MiB"

        print(
            f"{n:>6} | {mb(plain['temp']):>14} {mb(plain['residuals']):>11} | "
            f"{mb(ckpt['temp']):>17} {mb(ckpt['residuals']):>11}"
        )
    lo, hi = lengths[0], lengths[-1]
    for name, i in (("for_loop", 0), ("checkpointed_for_loop", 1)):
        r = out[hi][i]["residuals"] / out[lo][i]["residuals"]
        print(f"{name}: residuals grow x{r:.1f} for T x{hi // lo}")
    return out


if __name__ == "__main__":
    main()
