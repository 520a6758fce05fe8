"""``Simulation``: run a model for a duration as compiled chunks of steps, with recordings.

Each chunk of K steps is one compiled ``for_loop``; after each chunk the recordings move
to host memory (spikes become compact events), so device memory does not grow with the
duration. The compiled chunk is reused by every chunk of the same length, so continuing a
run does not recompile.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .. import environ, transform
from .._errors import BrainSimTypeError, BrainSimValueError
from ..nn import Module, init_all_states, reset_all_states
from ..transform import ProgressBar
from ._monitors import Monitor, _StateProbe
from ._result import Recording, SpikeEvents

__all__ = ["Simulation", "run"]


def _available_memory() -> int:
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 * 2**30


#: Loop unrolling on accelerators: amortises the per-iteration launch and host round trip
#: (H200, COBA: 5 steps cost 0-5 % more run time than 10 and compile in 2.4 s instead of
#: 3.8 s at 256k neurons).
GPU_UNROLL = 5
#: One chunk's spike recordings hold fewer elements than this (int32 positions).
_MAX_CHUNK_ELEMENTS = 2**31 - 1


def _on_accelerator() -> bool:
    return jax.default_backend() != "cpu"


def _device_free_memory() -> int | None:
    """Free bytes on the default device (``None`` where the backend does not say)."""
    try:
        stats = jax.devices()[0].memory_stats() or {}
    except Exception:  # pragma: no cover - backends without memory_stats
        return None
    limit = stats.get("bytes_limit")
    if not limit:
        return None
    return int(limit) - int(stats.get("bytes_in_use", 0))


def _compact_on_device(arr: Any) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a ``(steps, ...)`` spike array, computed on its device with a
    two-pass Pallas compaction; only the events travel to the host."""
    from ..nn._event_kernels import compact_nonzero

    per_step = int(np.prod(arr.shape[1:]))
    pos, count = compact_nonzero(arr)
    # slice on the host: a device slice of a new length would compile a program per chunk
    flat = np.asarray(pos)[:count].astype(np.int64)
    return flat // per_step, flat % per_step


def _n_steps(duration: Any, n_steps: int | None, dt: Any) -> int:
    if (duration is None) == (n_steps is None):
        raise BrainSimValueError(
            "Simulation.run: give exactly one of duration (e.g. 1 * u.second) or n_steps."
        )
    if n_steps is not None:
        if not isinstance(n_steps, int | np.integer) or isinstance(n_steps, bool) or n_steps < 0:
            raise BrainSimValueError(f"Simulation.run(n_steps=...): expected an int >= 0, got "
                                     f"{n_steps!r}.")
        return int(n_steps)
    try:
        ratio = float(np.asarray(u.maybe_decimal(duration / dt)))
    except Exception as err:
        raise BrainSimValueError(
            f"Simulation.run(duration=...): expected a time compatible with dt={dt}, got "
            f"{duration!r}."
        ) from err
    if ratio < 0:
        raise BrainSimValueError(f"Simulation.run(duration=...): must be >= 0, got {duration}.")
    steps = int(round(ratio))
    if abs(ratio - steps) > 1e-3 + 4e-7 * steps:  # float32 rounding of duration / dt
        raise BrainSimValueError(
            f"Simulation.run(duration=...): {duration} is not a whole number of steps of "
            f"dt={dt} ({ratio:.4g} steps); give a multiple of dt or n_steps=."
        )
    return steps


class _RunBar(ProgressBar):
    """Progress bar spanning all chunks of a run (one tqdm, updated from the compiled loop)."""

    def __init__(self) -> None:
        super().__init__(count=20)
        self.outer: Any = None
        self.offset = 0

    def _host_update(self, i: Any, carry: Any, y: Any) -> None:
        if self.outer is not None:
            done = self.offset + int(i)
            self.outer.update(done - self.outer.n)


class Simulation:
    """Run ``model`` step by step in compiled chunks and record what is asked for.

    Parameters
    ----------
    model
        A Module. Each step calls ``step(*inputs_t)`` (default: ``model(*inputs_t)``)
        inside ``environ.context(i=i, t=i*dt, dt=dt)``.
    record
        ``{name: monitor}`` built with :func:`brainsim.simulate.trace` and
        :func:`brainsim.simulate.spikes`; ``spikes('output')`` / ``trace('output')``
        record what the step returns (the model's output).
    step
        Optional step function instead of calling ``model``.
    dt
        Time step (default: ``environ.get_dt()``).
    chunk_size
        Steps per compiled chunk (default: as many as fit in ``max_chunk_bytes`` of
        recordings, at most 10000).
    batch_size
        Passed to ``init_state`` (``None``: no batch axis).
    init
        Initialise the model's States now (``init_all_states``).
    max_chunk_bytes, max_host_bytes
        Device memory for one chunk's recordings (default: 256 MiB on CPU, an eighth of
        the free device memory on a GPU); host memory the whole run's dense recordings may
        take (default: the available RAM). Above it the run is refused before it starts.
    unroll
        Steps per iteration of the compiled loop (``lax.scan``'s ``unroll``). Default: 1 on
        CPU; on a GPU, where each loop iteration costs a few microseconds of launch and
        host round trip, ``GPU_UNROLL`` steps.

    Notes
    -----
    On a GPU the loop holds no data-dependent branch (the event-driven projections use
    a Pallas kernel, see :func:`brainsim.nn.set_event_backend`), spike recordings stay on
    the device for a whole chunk and are compacted to events there, and the model's
    memory plus one chunk of recordings is checked against the device's free memory
    before the run starts (:meth:`memory_estimate`).

    Examples
    --------
    >>> import brainunit as u, jax.numpy as jnp, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> lif = brainsim.models.LIF(3, tau=10 * u.ms)
    >>> sim = brainsim.simulate.Simulation(
    ...     lif, record={'V': brainsim.simulate.trace(lambda: lif.V.value),
    ...                  'spk': brainsim.simulate.spikes(lambda: lif.get_spike())})
    >>> res = sim.run(10 * u.ms, inputs=(jnp.array([0., 1.5, 3.]) * u.mA,))
    >>> res['V'].shape, len(res['spk']) > 0
    ((100, 3), True)
    >>> res2 = sim.run(10 * u.ms, inputs=(jnp.array([0., 1.5, 3.]) * u.mA,))  # continues
    >>> float(res2.t_start.to_decimal(u.ms)), sim.num_compiles
    (10.0, 1)
    """

    def __init__(
        self,
        model: Any,
        record: dict[str, Monitor] | None = None,
        *,
        step: Callable[..., Any] | None = None,
        dt: Any = None,
        chunk_size: int | None = None,
        batch_size: int | None = None,
        init: bool = True,
        max_chunk_bytes: int | None = None,
        max_host_bytes: int | None = None,
        unroll: int | None = None,
    ) -> None:
        self.model = model
        self.step = step if step is not None else model
        if not callable(self.step):
            raise BrainSimTypeError("Simulation: model (or step=) must be callable.")
        self.monitors: dict[str, Monitor] = dict(record or {})
        for k, m in self.monitors.items():
            if not isinstance(m, Monitor):
                raise BrainSimTypeError(
                    f"Simulation(record=...): {k!r} must be built with simulate.trace(...) or "
                    f"simulate.spikes(...), got {type(m).__name__}."
                )
        self.dt = environ.get_dt() if dt is None else dt
        if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
            raise BrainSimValueError(
                f"Simulation(chunk_size=...): expected a positive int, got {chunk_size!r}."
            )
        if unroll is not None and (not isinstance(unroll, int) or unroll < 1):
            raise BrainSimValueError(
                f"Simulation(unroll=...): expected a positive int, got {unroll!r}."
            )
        self.unroll = unroll
        self.chunk_size = chunk_size
        self.max_chunk_bytes = max_chunk_bytes
        self.max_host_bytes = max_host_bytes
        self.batch_size = batch_size
        self.i = 0
        self._funcs: tuple = ()
        self.num_compiles = 0  # compiled chunk functions (one per chunk length / inputs)
        self.num_traces = 0  # Python traces of the chunk body (tests check it stays put)
        self._compiled: dict[Any, tuple] = {}
        self._bar = _RunBar()
        self._shapes: dict[str, tuple] | None = None
        if init:
            self.init_state(batch_size)

    # ------------------------------------------------------------------ state management
    def init_state(self, batch_size: int | None = None) -> None:
        """Create the model's States (``init_all_states``) and restart time at 0."""
        kw = {} if batch_size is None else {"batch_size": batch_size}
        with environ.context(dt=self.dt), self._keep_state_probes():
            init_all_states(self.model, **kw)
        self.batch_size, self.i = batch_size, 0

    def reset_state(self, batch_size: int | None = None) -> None:
        """Reset the model's States (``reset_all_states``) and restart time at 0."""
        kw = {} if batch_size is None else {"batch_size": batch_size}
        with environ.context(dt=self.dt), self._keep_state_probes():
            reset_all_states(self.model, **kw)
        self.batch_size, self.i = batch_size, 0

    @contextlib.contextmanager
    def _keep_state_probes(self) -> Any:
        """``trace(net.V)`` keeps recording ``net.V`` when (re)initialising replaces the
        State object: re-point each State probe to the State now at the same path."""
        probes = [m.probe for m in self.monitors.values() if isinstance(m.probe, _StateProbe)]
        if not probes or not isinstance(self.model, Module):
            yield
            return
        paths = {id(s): p for p, s in self.model.states().items()}
        yield
        now = self.model.states()
        for probe in probes:
            path = paths.get(id(probe.state))
            if path is not None and path in now:
                probe.state = now[path]

    # ------------------------------------------------------------------ checkpoints
    def save_checkpoint(self, path: str | os.PathLike, *, extra: dict | None = None,
                        metadata: dict | None = None) -> Any:
        """Save every State of the model (and of ``extra``, e.g. ``{'optimizer': opt}``),
        the PRNG key, the step counter and ``dt`` (see :func:`save_checkpoint`).

        >>> import brainunit as u, brainsim, tempfile, os
        >>> brainsim.environ.set(dt=0.1 * u.ms)
        >>> lif = brainsim.models.LIF(2)
        >>> sim = brainsim.simulate.Simulation(lif)
        >>> _ = sim.run(1 * u.ms, inputs=(2. * u.mA,))
        >>> f = sim.save_checkpoint(os.path.join(tempfile.mkdtemp(), 'run.npz'))
        >>> sim2 = brainsim.simulate.Simulation(lif2 := brainsim.models.LIF(2))
        >>> sim2.load_checkpoint(f)
        >>> sim2.i, bool((lif2.V.value == lif.V.value).all())
        (10, True)
        """
        from ._checkpoint import save_checkpoint

        return save_checkpoint(path, self.model, step=self.i, dt=self.dt, extra=extra,
                               metadata=metadata)

    def load_checkpoint(self, path: str | os.PathLike, *, extra: dict | None = None) -> None:
        """Restore a checkpoint of :meth:`save_checkpoint` into this simulation's model (and
        ``extra``) and continue from its step counter; the next :meth:`run` continues the
        saved run exactly. Nothing changes when the file does not fit (see
        :func:`load_checkpoint`)."""
        from ._checkpoint import load_checkpoint

        info = load_checkpoint(path, self.model, extra=extra, dt=self.dt)
        self.i = info["step"]

    @property
    def t(self) -> Any:
        """Current simulation time (start of the next step)."""
        return self.i * self.dt

    # ------------------------------------------------------------------ device resources
    def _unroll(self) -> int:
        if self.unroll is not None:
            return self.unroll
        return GPU_UNROLL if _on_accelerator() else 1

    def _chunk_bytes_limit(self) -> int:
        if self.max_chunk_bytes is not None:
            return int(self.max_chunk_bytes)
        if _on_accelerator():
            free = _device_free_memory()
            if free is not None:
                return max(256 * 2**20, free // 8)  # spike compaction needs ~5x the chunk
        return 256 * 2**20

    def memory_estimate(self, duration: Any = None, *, n_steps: int | None = None,
                        inputs: tuple = ()) -> dict[str, int]:
        """Bytes a run would take, before running it.

        Returns ``{'states': ..., 'chunk_recordings': ..., 'device_total': ...,
        'host_recordings': ..., 'chunk_steps': ...}``: the model's States (connectivity,
        buffers, variables), the recordings of one compiled chunk on the device, their
        sum, and the dense (non-spike) recordings of the whole run in host memory. On a
        GPU, :meth:`run` refuses a run whose ``device_total`` exceeds the free memory.

        >>> import brainunit as u, brainsim
        >>> brainsim.environ.set(dt=0.1 * u.ms)
        >>> lif = brainsim.models.LIF(1000)
        >>> sim = brainsim.simulate.Simulation(
        ...     lif, record={'V': brainsim.simulate.trace(lambda: lif.V.value)})
        >>> est = sim.memory_estimate(10 * u.ms)
        >>> est['chunk_recordings'], est['host_recordings']   # 100 steps x 1000 x float32
        (400000, 400000)
        """
        n, kinds, series, consts, per_step, host = self._prepare(duration, n_steps, inputs)
        k = self._chunk_steps(n, per_step)
        states = 0
        if isinstance(self.model, Module):
            for st in self.model.states().values():
                for leaf in jax.tree.leaves(st.value):
                    states += int(np.prod(np.shape(leaf))) * np.dtype(
                        getattr(leaf, "dtype", np.float32)).itemsize
        chunk = per_step * k
        return {"states": states, "chunk_recordings": chunk, "device_total": states + chunk,
                "host_recordings": host, "chunk_steps": k}

    def _prepare(self, duration: Any, n_steps: int | None, inputs: Any) -> tuple:
        """Steps, split inputs and recording sizes of a run: ``(n, kinds, series, consts,
        bytes per step, dense host bytes)``."""
        if not isinstance(inputs, tuple | list):
            inputs = (inputs,)
        n = _n_steps(duration, n_steps, self.dt)
        kinds, series, consts = self._split_inputs(tuple(inputs), n)
        self._kinds = kinds
        self._probe_shapes(kinds, series, consts)
        return (n, kinds, series, consts, *self._estimate(n))

    def _chunk_steps(self, n: int, per_step: int) -> int:
        if self.chunk_size:
            return self.chunk_size
        k = int(min(10_000, max(1, self._chunk_bytes_limit() // max(per_step, 1))))
        if _on_accelerator():  # spike positions of a chunk are computed in int32
            widest = max([sz for name, (sz, _) in (self._shapes or {}).items()
                          if self.monitors[name].kind == "spikes"] or [1])
            k = min(k, max(1, _MAX_CHUNK_ELEMENTS // widest))
        return max(1, min(k, max(n, 1)))

    # ------------------------------------------------------------------ compiled chunk
    def _body(self, inputs: tuple) -> Callable:
        dt = self.dt

        def one_step(i: Any, *x_t: Any) -> dict[str, Any]:
            t = i * dt
            with environ.context(i=i, t=t, dt=dt):
                args = [x(t) if callable(x) else x for x in x_t]
                out = self.step(*args)
                return {name: m.read(out) for name, m in self.monitors.items()}

        return one_step

    def _chunk_body(self, pbar: bool) -> Callable:
        """``chunk(indices, xs, consts) -> recordings``: one chunk's loop, not yet compiled
        (:func:`sweep` maps it over sweep points)."""

        def chunk(indices: Any, xs: tuple, consts: tuple) -> Any:
            self.num_traces += 1  # runs only while tracing
            body = self._body(())

            def step(i, *x):
                return body(i, *self._assemble_args(self._kinds, x, consts, self._funcs))

            return transform.for_loop(step, indices, *xs, unroll=self._unroll(),
                                      pbar=self._bar if pbar else None)

        return chunk

    def _chunk_fn(self, pbar: bool) -> Callable:
        return transform.jit(self._chunk_body(pbar))

    @staticmethod
    def _assemble_args(kinds: list, x: tuple, consts: tuple, funcs: tuple) -> list:
        """Step arguments in input order: series values, constants and callables of t."""
        it_x, it_c, it_f = iter(x), iter(consts), iter(funcs)
        return [next(it_c) if k == "c" else next(it_f) if k == "f" else next(it_x)
                for k in kinds]

    # ------------------------------------------------------------------ running
    def _split_inputs(self, inputs: tuple, n: int) -> tuple[list[str], list, tuple]:
        kinds, series, consts, funcs = [], [], [], []
        for x in inputs:
            if callable(x) and not isinstance(x, jax.Array | np.ndarray | u.Quantity):
                kinds.append("f")  # a function of t, evaluated inside the compiled step
                funcs.append(x)
                continue
            shape = np.shape(u.get_mantissa(x))
            if shape and shape[0] == n and n > 1:
                kinds.append("s")
                series.append(x)
            else:
                kinds.append("c")
                consts.append(x)
        self._funcs = tuple(funcs)
        return kinds, series, tuple(consts)

    def _estimate(self, n: int) -> tuple[int, int]:
        """(bytes per step on device, total dense host bytes) of the recordings."""
        per_step, host = 0, 0
        for name, m in self.monitors.items():
            size, itemsize = self._shapes[name] if self._shapes else (1, 4)
            b = size * itemsize
            per_step += b
            if m.kind != "spikes":
                host += b * (n // m.every)
        return per_step, host

    def _probe_shapes(self, kinds: list, series: list, consts: tuple) -> None:
        if self._shapes is not None or not self.monitors:
            self._shapes = self._shapes or {}
            return

        def one(i, *x):
            return self._body(())(i, *self._assemble_args(kinds, x, consts, self._funcs))

        x0 = [jax.tree.map(lambda a: a[0], s) for s in series]
        out = transform.jit(one).eval_shape(jnp.asarray(0), *x0)
        self._shapes = {
            k: (int(np.prod(np.shape(v))), np.dtype(getattr(v, "dtype", np.float32)).itemsize)
            for k, v in out.items()
        }

    def run(
        self,
        duration: Any = None,
        *,
        n_steps: int | None = None,
        inputs: tuple = (),
        pbar: bool = False,
    ) -> Recording:
        """Run ``duration`` (or ``n_steps``) more steps from the current state.

        ``inputs`` are passed to the step function each step: an array / Quantity whose
        leading axis has ``n_steps`` entries is indexed by step; a callable is called with
        the current time ``t`` (a Quantity) inside the compiled step, e.g.
        ``lambda t: 2. * u.mA * (t > 10. * u.ms)``; anything else is passed unchanged every
        step.
        """
        n, kinds, series, consts, per_step, host = self._prepare(duration, n_steps, inputs)
        limit = self.max_host_bytes if self.max_host_bytes is not None else _available_memory()
        if host > limit:
            raise BrainSimValueError(
                f"Simulation.run: the dense recordings would take {host / 2**20:.0f} MiB of "
                f"host memory (limit {limit / 2**20:.0f} MiB). Record fewer neurons "
                f"(neurons=...), less often (every=...), or spikes as events."
            )
        k_max = self._chunk_steps(n, per_step)
        self._check_device_memory(per_step * k_max)
        rec = Recording(dt=self.dt, t_start=self.i * self.dt, n_steps=n)
        parts: dict[str, list] = {name: [] for name in self.monitors}
        compile_time = run_time = 0.0
        bar = None
        if pbar:
            from tqdm.auto import tqdm

            bar = tqdm(total=n, desc=f"Simulating {n:,} steps")
            self._bar.outer, self._bar.offset = bar, 0
        start, i0 = 0, self.i
        try:
            while start < n:
                k = min(k_max, n - start)
                fn, is_new = self._get_fn(k, kinds, series, consts, pbar)
                idx = jnp.arange(self.i, self.i + k, dtype=jnp.int32)
                xs = tuple(jax.tree.map(lambda a, s=start, k=k: a[s:s + k], x) for x in series)
                if is_new:
                    t0 = time.perf_counter()
                    fn.lower(idx, xs, consts).compile()
                    compile_time += time.perf_counter() - t0
                t0 = time.perf_counter()
                ys = fn(idx, xs, consts)
                if _on_accelerator():  # spikes are compacted where they were recorded
                    ys = {name: _compact_on_device(y) if self.monitors[name].kind == "spikes"
                          else jax.device_get(y) for name, y in ys.items()}
                else:
                    ys = jax.device_get(ys)
                run_time += time.perf_counter() - t0
                for name, m in self.monitors.items():
                    parts[name].append(self._to_host(name, m, ys[name], self.i))
                self.i += k
                start += k
                self._bar.offset = start
        finally:
            if bar is not None:
                bar.update(n - bar.n)
                bar.close()
                self._bar.outer = None
        rec.compile_time, rec.run_time = compile_time, run_time
        for name, m in self.monitors.items():
            self._assemble(rec, name, m, parts[name], i0, n)
        return rec

    def _check_device_memory(self, chunk_bytes: int) -> None:
        if not _on_accelerator():
            return
        free = _device_free_memory()
        if free is None:
            return
        if chunk_bytes > free:
            raise BrainSimValueError(
                f"Simulation.run: one chunk of recordings needs {chunk_bytes / 2**30:.2f} GiB "
                f"but the device has {free / 2**30:.2f} GiB free. Pass a smaller chunk_size=, "
                f"record fewer neurons (neurons=...) or less often (every=...)."
            )

    def _get_fn(self, k: int, kinds: list, series: list, consts: tuple, pbar: bool):
        sig = (k, tuple(kinds), pbar,
               tuple((np.shape(u.get_mantissa(s))[1:], str(u.get_unit(s))) for s in series),
               tuple((np.shape(u.get_mantissa(c)), str(u.get_unit(c))) for c in consts),
               self._funcs, self.batch_size)
        if sig in self._compiled:
            return self._compiled[sig], False
        fn = self._chunk_fn(pbar)
        self._compiled[sig] = fn
        self.num_compiles += 1
        return fn, True

    def _to_host(self, name: str, m: Monitor, y: Any, i_start: int) -> Any:
        if m.kind == "spikes":
            if isinstance(y, tuple):  # already compacted on the device
                steps, idx = y
                n_steps = int(steps.max(initial=-1)) + 1
            else:
                arr = np.asarray(y)
                steps, idx = np.nonzero(arr.reshape(arr.shape[0], -1))
                n_steps = len(arr)
                del arr
            if m.n_neurons is None:
                m.n_neurons = int(self._shapes[name][0]) if self._shapes else int(
                    np.prod(np.shape(y)[1:]))
            wide = i_start + n_steps >= 2**31 - 1
            return ((steps + i_start).astype(np.int64 if wide else np.int32),
                    idx.astype(np.int32))
        if m.every > 1:
            offset = (-(i_start + 1)) % m.every  # keep global steps i with (i + 1) % every == 0
            y = jax.tree.map(lambda a: a[offset::m.every], y)
        return y

    def _assemble(self, rec: Recording, name: str, m: Monitor, parts: list, i0: int,
                  n: int) -> None:
        if m.kind == "spikes":
            steps = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int32)
            parts_idx = [p[1] for p in parts]
            parts.clear()  # drop per-chunk step arrays before concatenating the indices
            idx = np.concatenate(parts_idx) if parts_idx else np.zeros(0, np.int32)
            del parts_idx
            dt_ms = float(self.dt.to_decimal(u.ms)) if isinstance(self.dt, u.Quantity) else \
                float(self.dt)
            rec.data[name] = SpikeEvents(indices=idx, n_neurons=m.n_neurons or 0, steps=steps,
                                         dt_ms=dt_ms)
            return
        if not parts:
            rec.data[name] = np.zeros((0,))
            return
        unit = u.get_unit(parts[0])
        vals = np.concatenate([np.asarray(u.get_mantissa(p)) for p in parts], axis=0)
        rec.data[name] = u.Quantity(vals, unit=unit) if not unit.is_unitless else vals
        if m.kind == "trace":
            first = m.every - 1 - ((i0) % m.every) if m.every > 1 else 0
            steps = i0 + first + np.arange(vals.shape[0]) * m.every
            dt_ms = self.dt.to_decimal(u.ms) if isinstance(self.dt, u.Quantity) else self.dt
            rec.times[name] = u.Quantity(steps * dt_ms, unit=u.ms)
        else:
            dt_ms = self.dt.to_decimal(u.ms) if isinstance(self.dt, u.Quantity) else self.dt
            rec.times[name] = u.Quantity((i0 + np.arange(vals.shape[0])) * dt_ms, unit=u.ms)


def run(model: Any, duration: Any = None, *, record: dict[str, Monitor] | None = None,
        n_steps: int | None = None, inputs: tuple = (), dt: Any = None, pbar: bool = False,
        batch_size: int | None = None) -> Recording:
    """One-call form: ``Simulation(model, record, ...).run(duration, ...)``.

    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> lif = brainsim.models.LIF(2)
    >>> res = brainsim.simulate.run(lif, 5 * u.ms, inputs=(2. * u.mA,),
    ...                             record={'s': brainsim.simulate.spikes(lambda: lif.get_spike())})
    >>> res.n_steps
    50
    """
    sim = Simulation(model, record, dt=dt, batch_size=batch_size)
    return sim.run(duration, n_steps=n_steps, inputs=inputs, pbar=pbar)

