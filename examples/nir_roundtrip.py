"""Exchange a spiking network through NIR: brainsim -> file -> brainsim, and a foreign graph.

Part 1 builds a recurrent network as a ``brainsim.interop.nir.NIRNetwork``: ``Linear``
(20 -> 32, mA weights) into a ``CubaLIF`` layer (tau 10 ms, tau_syn 5 ms) with recurrent
``EventLinear`` weights, then a ``LeakyRateReadout`` (32 -> 4, tau 20 ms). It is exported
with ``to_nir``, written with ``nir.write`` to ``net.nir``, read back with ``nir.read`` and
rebuilt with ``from_nir``; both models get the same random Poisson input (20 channels at
100 Hz) and must give the same hidden spikes and readout.

Part 2 writes a graph the way snnTorch's exporter writes ``Linear -> Synaptic``
(dt = 1e-4 s, ``tau = dt / (1 - decay)``, ``r = tau_mem / dt``, ``w_in = tau_syn / dt``)
using only ``nir``'s own API, imports it and runs it at dt = 0.1 ms.

dt = 0.1 ms. Prints the node types, the number of spikes of each model and the largest
readout difference (relative to its largest value). Needs the extra:
``python -m pip install "brainsim[nir]"``.
``--quick`` runs 50 ms instead of 500 ms.

Run ``python examples/nir_roundtrip.py`` (``--quick``, ``--seed``).
"""

from __future__ import annotations

import argparse
import os
import tempfile

import brainunit as u
import jax
import jax.numpy as jnp
import nir
import numpy as np

import brainsim
from brainsim import models, nn
from brainsim.interop.nir import NIRNetwork, from_nir, to_nir

N_IN, N_HIDDEN, N_OUT = 20, 32, 4


def build(seed: int) -> NIRNetwork:
    """Linear -> CubaLIF (+ recurrent EventLinear) -> LeakyRateReadout."""
    rng = np.random.default_rng(seed)
    return NIRNetwork(
        nodes={
            "fc": nn.Linear(N_IN, N_HIDDEN, w_init=rng.normal(0.5, 1.0, (N_IN, N_HIDDEN)) * u.mA),
            "hidden": models.CubaLIF(N_HIDDEN, tau=10 * u.ms, tau_syn=5 * u.ms, V_th=1 * u.mV),
            "rec": nn.EventLinear(N_HIDDEN, N_HIDDEN,
                                  rng.normal(0.0, 0.5, (N_HIDDEN, N_HIDDEN)) * u.mA),
            "readout": models.LeakyRateReadout(N_HIDDEN, N_OUT, tau=20 * u.ms,
                                               w_init=rng.normal(0, 1, (N_HIDDEN, N_OUT))),
        },
        edges=[("input", "fc"), ("fc", "hidden"), ("hidden", "rec"), ("rec", "hidden"),
               ("hidden", "readout"), ("readout", "output")],
    )


def run(net: NIRNetwork, xs: jax.Array) -> tuple[np.ndarray, np.ndarray]:
    """Hidden spikes (T, N_HIDDEN) and readout (T, N_OUT) of ``net`` driven by ``xs``."""
    net.init_all_states()

    def step(x):
        out = net(x)
        return net.nodes["hidden"].get_spike(), u.get_mantissa(out)

    spikes, out = brainsim.transform.for_loop(step, xs)
    return np.asarray(spikes), np.asarray(out)


def snntorch_style_graph(alpha: float = 0.8, beta: float = 0.9) -> nir.NIRGraph:
    """``Linear(2 -> 3) -> Synaptic`` as snnTorch exports it."""
    dt, n = 1e-4, 3
    tau_syn, tau_mem = np.full(n, dt / (1 - alpha)), np.full(n, dt / (1 - beta))
    return nir.NIRGraph.from_list(
        nir.Affine(weight=np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]), bias=np.zeros(n)),
        nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau_mem, r=tau_mem / dt, v_leak=np.zeros(n),
                    v_threshold=np.ones(n), w_in=tau_syn / dt),
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 ms runs (for tests)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    brainsim.environ.set(dt=0.1 * u.ms)
    steps = 500 if args.quick else 5000

    # part 1: brainsim -> NIR file -> brainsim
    model = build(args.seed)
    graph = to_nir(model)
    print("exported nodes:", {k: type(v).__name__ for k, v in graph.nodes.items()})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "net.nir")
        nir.write(path, graph)
        back = from_nir(nir.read(path))
    key = jax.random.PRNGKey(args.seed)
    xs = (jax.random.uniform(key, (steps, N_IN)) < 100.0 * 1e-4).astype(jnp.float32)
    spikes_a, out_a = run(model, xs)
    spikes_b, out_b = run(back, xs)
    same = bool(np.array_equal(spikes_a, spikes_b))
    diff = float(np.max(np.abs(out_a - out_b)) / max(np.max(np.abs(out_a)), 1e-12))
    print(f"hidden spikes: original {int(spikes_a.sum())}, re-imported {int(spikes_b.sum())}"
          f" (identical: {same}); largest readout difference {diff:.1e} (relative)")
    if not same or diff > 1e-5:
        raise SystemExit("the re-imported network does not reproduce the original")

    # part 2: a graph written the way snnTorch writes one
    foreign = from_nir(snntorch_style_graph())
    foreign.init_all_states()
    drive = (jax.random.uniform(jax.random.PRNGKey(1), (steps, 2)) < 0.05).astype(jnp.float32)
    foreign_spikes = np.asarray(brainsim.transform.for_loop(foreign, drive))
    print("snnTorch-style graph:", foreign, "spikes per neuron", foreign_spikes.sum(0))
    return {"identical": same, "max_diff": diff, "spikes": int(spikes_a.sum()),
            "foreign_spikes": foreign_spikes.sum(0)}


if __name__ == "__main__":
    main()
