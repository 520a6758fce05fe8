"""``sweep``: run one network over a batch of parameter values and seeds in one compile.

The States that a run writes (membrane potentials, conductances, buffers, PRNG keys) and
the swept States get a leading axis of one entry per sweep point; the chunk loop of the
:class:`Simulation` is mapped over that axis with :func:`brainsim.transform.vmap` and
compiled once with :func:`brainsim.transform.jit`. Read-only States (connectivity) stay
shared. Optionally the sweep axis is sharded over devices.
"""

from __future__ import annotations

import difflib
import math
import time
from collections.abc import Iterator, Mapping
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .. import random as bsr
from .. import transform
from .._errors import BrainSimTypeError, BrainSimValueError
from .._state import State
from ._result import Recording
from ._runner import Simulation, _n_steps

__all__ = ["sweep", "SweepResult"]


class SweepResult:
    """Recordings of a :func:`sweep`, indexed by sweep point.

    ``res[k]`` is the :class:`Recording` of point ``k`` (``len(res)`` points, iterable);
    ``res.values`` maps each swept name to its per-point values and ``res.seeds`` holds the
    seeds (or ``None``). ``res.compile_time`` / ``res.run_time`` are seconds and
    ``res.num_compiles`` counts the compiled chunk programs (1 when every chunk has the
    same length).
    """

    def __init__(self, recordings: list[Recording], values: dict[str, Any], seeds: Any,
                 compile_time: float, run_time: float, num_compiles: int) -> None:
        self.recordings = recordings
        self.values = values
        self.seeds = seeds
        self.compile_time = compile_time
        self.run_time = run_time
        self.num_compiles = num_compiles

    def __len__(self) -> int:
        return len(self.recordings)

    def __getitem__(self, k: int) -> Recording:
        return self.recordings[k]

    def __iter__(self) -> Iterator[Recording]:
        return iter(self.recordings)

    def __repr__(self) -> str:
        return (f"SweepResult(n_points={len(self)}, swept={sorted(self.values)}, "
                f"compile_time={self.compile_time:.2f}, run_time={self.run_time:.2f})")


def _resolve(model: Any, key: Any) -> tuple[str, State]:
    """(name, State) of a swept key: a State, or its dotted path in ``model.states()``."""
    paths = {".".join(str(c) for c in p): s for p, s in model.states().items()}
    if isinstance(key, State):
        for name, st in paths.items():
            if st is key:
                return name, key
        return key.name or repr(key), key
    if not isinstance(key, str):
        raise BrainSimTypeError(
            f"sweep(values=...): keys must be State paths such as 'E.comm.weight' or States, "
            f"got {type(key).__name__}.")
    if key not in paths:
        near = difflib.get_close_matches(key, list(paths), n=3)
        hint = f" Did you mean {', '.join(map(repr, near))}?" if near else ""
        raise BrainSimValueError(
            f"sweep(values=...): the model has no State at {key!r}.{hint} Paths are "
            f"'.'-joined keys of model.states().")
    return key, paths[key]


def _per_point(name: str, st: State, vals: Any, n: int | None) -> Any:
    """The State's value with a leading axis of one entry per point (units checked)."""
    cur = st.value
    leaves, tree = jax.tree.flatten(cur)
    if len(leaves) != 1:
        raise BrainSimValueError(
            f"sweep(values={{{name!r}: ...}}): only States holding one array can be swept; "
            f"this one holds {len(leaves)}.")
    leaf = jnp.asarray(leaves[0])
    if isinstance(cur, u.Quantity):
        if u.get_unit(vals).dim != cur.unit.dim:
            raise BrainSimValueError(
                f"sweep(values={{{name!r}: ...}}): expected values in units of {cur.unit} "
                f"(one per point, e.g. np.linspace(1, 8, 16) * u.{cur.unit}), got {vals!r}.")
        m = np.asarray(u.Quantity(vals).to_decimal(cur.unit))
    else:
        if isinstance(vals, u.Quantity) and not vals.is_unitless:
            raise BrainSimValueError(
                f"sweep(values={{{name!r}: ...}}): the State is dimensionless, got values "
                f"in {vals.unit}.")
        m = np.asarray(u.maybe_decimal(vals))
    if m.ndim == 0 or (n is not None and m.shape[0] != n):
        raise BrainSimValueError(
            f"sweep(values={{{name!r}: ...}}): expected one value per sweep point (a leading "
            f"axis of {n if n is not None else 'the number of points'}), got shape {m.shape}.")
    pad = (1,) * max(leaf.ndim - (m.ndim - 1), 0)
    try:
        m = np.broadcast_to(m.reshape(m.shape[:1] + pad + m.shape[1:]), m.shape[:1] + leaf.shape)
    except ValueError as err:
        raise BrainSimValueError(
            f"sweep(values={{{name!r}: ...}}): per-point values of shape {m.shape[1:]} do not "
            f"broadcast to the State's shape {leaf.shape}.") from err
    return jax.tree.unflatten(tree, [jnp.asarray(m, leaf.dtype)])


def _chunks(n: int, k_max: int) -> list[int]:
    """Chunk lengths: as equal as possible (so one compiled length serves all of them)."""
    if n == 0:
        return []
    c = math.ceil(n / k_max)
    k = math.ceil(n / c)
    return [k] * (n // k) + ([n % k] if n % k else [])


def sweep(sim: Simulation, values: Mapping[Any, Any] | None = None, duration: Any = None, *,
          n_steps: int | None = None, seeds: Any = None, inputs: tuple = (),
          devices: Any = None) -> SweepResult:
    """Run ``sim``'s model once per sweep point, all points in one compiled, vmapped loop.

    Parameters
    ----------
    sim
        The :class:`Simulation` (model, monitors, dt). Each point starts from its current
        state and time; the model is left as it was.
    values
        ``{State path or State: per-point values}``, e.g.
        ``{'E.comm.weight': np.linspace(2, 8, 16) * u.nS}``: a leading axis of one entry
        per point (the same length for every key), in the State's unit; each entry is the
        State's value at that point (broadcast to its shape). Paths are the
        ``'.'``-joined keys of ``model.states()``. Sweep a grid by flattening a meshgrid.
    duration, n_steps
        How long each point runs (one of them).
    seeds
        Optional int seed per point for the global generator ``brainsim.random.DEFAULT``
        (and folded into any other PRNG-key State). Without seeds every point draws the
        same random numbers (common random numbers, which makes points comparable).
    inputs
        As in :meth:`Simulation.run`, shared by all points.
    devices
        Optional list of devices (or ``'all'``) to shard the sweep points over; the number
        of points must be a multiple of the number of devices.

    Returns
    -------
    SweepResult
        ``res[k]`` is point ``k``'s :class:`Recording`.

    Examples
    --------
    >>> import brainunit as u, numpy as np, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> lif = brainsim.models.LIF(2, tau=10 * u.ms)
    >>> sim = brainsim.simulate.Simulation(
    ...     lif, record={'s': brainsim.simulate.spikes(lambda: lif.get_spike())})
    >>> drive = brainsim.State(0. * u.mA)          # a swept State need not be in the model
    >>> res = brainsim.simulate.sweep(sim, {drive: np.array([2., 4., 8.]) * u.mA},
    ...                               20 * u.ms, inputs=(lambda t: drive.value,))
    >>> [len(r['s']) for r in res]   # spikes of both neurons at each drive
    [4, 12, 28]
    """
    model = sim.model
    resolved = [(*_resolve(model, k), v) for k, v in (values or {}).items()]
    lengths = {int(np.shape(u.get_mantissa(v))[0]) if np.ndim(u.get_mantissa(v)) else -1
               for _, _, v in resolved}
    if seeds is not None:
        seeds = np.asarray(seeds)
        if seeds.ndim != 1 or not np.issubdtype(seeds.dtype, np.integer):
            raise BrainSimValueError(
                f"sweep(seeds=...): expected a 1-D sequence of int seeds, got {seeds!r}.")
        lengths.add(len(seeds))
    if not lengths:
        raise BrainSimValueError(
            "sweep: nothing to sweep; give values={State path: per-point values} and/or "
            "seeds=[...].")
    if len(lengths) != 1 or -1 in lengths:
        raise BrainSimValueError(
            f"sweep: every entry of values= (and seeds=) needs the same number of points "
            f"along its first axis, got lengths {sorted(lengths)}.")
    n_points = lengths.pop()
    per_point = {name: (st, _per_point(name, st, v, n_points)) for name, st, v in resolved}

    if not isinstance(inputs, tuple | list):
        inputs = (inputs,)
    n = _n_steps(duration, n_steps, sim.dt)
    kinds, series, consts = sim._split_inputs(tuple(inputs), n)
    sim._kinds = kinds
    sim._probe_shapes(kinds, series, consts)
    per_step, _ = sim._estimate(n)
    lengths_ = _chunks(n, max(1, sim._chunk_steps(n, per_step * n_points)))
    body = sim._chunk_body(pbar=False)
    k0 = lengths_[0] if lengths_ else 1
    idx0 = jnp.arange(sim.i, sim.i + k0, dtype=jnp.int32)
    xs0 = tuple(jax.tree.map(lambda a: a[:k0], x) for x in series)
    trace = transform.StatefulFunction(body).get_state_trace(idx0, xs0, consts)
    written = [s for s, w in zip(trace.states, trace.written, strict=True) if w]

    batched: dict[int, State] = {id(s): s for s in written}
    batched.update({id(st): st for st, _ in per_point.values()})
    if any(s is bsr.DEFAULT for s in trace.states):
        batched[id(bsr.DEFAULT)] = bsr.DEFAULT
    states = list(batched.values())
    saved = [s.value for s in states]
    sharding = _sharding(devices, n_points)
    try:
        for s in states:
            s.value = _batched_value(s, per_point, seeds, n_points)
            if sharding is not None:
                s.value = jax.tree.map(lambda a: jax.device_put(a, sharding), s.value)
        recs = _run(sim, body, states, lengths_, n, series, consts, n_points)
    finally:
        for s, v in zip(states, saved, strict=True):
            s.value = v
    recordings, compile_time, run_time, num_compiles = recs
    vals = {name: v for name, _, v in resolved}
    return SweepResult(recordings, vals, seeds, compile_time, run_time, num_compiles)


def _sharding(devices: Any, n_points: int) -> Any:
    if devices is None:
        return None
    devs = jax.devices() if devices == "all" else list(devices)
    if not devs or n_points % len(devs):
        raise BrainSimValueError(
            f"sweep(devices=...): the {n_points} points must split evenly over the "
            f"{len(devs)} devices; give a multiple of {len(devs)} points or fewer devices.")
    mesh = jax.sharding.Mesh(np.array(devs), ("sweep",))
    return jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("sweep"))


def _batched_value(s: State, per_point: dict, seeds: Any, n: int) -> Any:
    for st, val in per_point.values():
        if st is s:
            return val
    from ..random import RandomState

    if isinstance(s, RandomState) and seeds is not None:
        if s is bsr.DEFAULT:
            return jnp.stack([jax.random.PRNGKey(int(x)) for x in seeds])
        return jnp.stack([jax.random.fold_in(s.value, int(x)) for x in seeds])
    return jax.tree.map(lambda a: jnp.broadcast_to(a, (n, *np.shape(a))), s.value)


def _run(sim: Simulation, body: Any, states: list[State], lengths: list[int], n: int,
         series: list, consts: tuple, n_points: int) -> tuple:
    fns: dict[int, Any] = {}
    parts: list[dict[str, list]] = [{name: [] for name in sim.monitors} for _ in range(n_points)]
    compile_time = run_time = 0.0
    i, start = sim.i, 0
    for k in lengths:
        idx = jnp.arange(i, i + k, dtype=jnp.int32)
        xs = tuple(jax.tree.map(lambda a, s=start, k=k: a[s:s + k], x) for x in series)
        fn = fns.get(k)
        if fn is None:
            fn = fns[k] = transform.jit(transform.vmap(body, in_axes=(None, None, None),
                                                       in_states=states))
            t0 = time.perf_counter()
            fn.lower(idx, xs, consts).compile()
            compile_time += time.perf_counter() - t0
        t0 = time.perf_counter()
        ys = jax.device_get(fn(idx, xs, consts))
        run_time += time.perf_counter() - t0
        for p in range(n_points):
            for name, m in sim.monitors.items():
                y = jax.tree.map(lambda a, p=p: a[p], ys[name])
                parts[p][name].append(sim._to_host(name, m, y, i))
        i += k
        start += k
    recordings = []
    for p in range(n_points):
        rec = Recording(dt=sim.dt, t_start=sim.i * sim.dt, n_steps=n)
        rec.compile_time, rec.run_time = compile_time, run_time
        for name, m in sim.monitors.items():
            sim._assemble(rec, name, m, parts[p][name], sim.i, n)
        recordings.append(rec)
    return recordings, compile_time, run_time, len(fns)
