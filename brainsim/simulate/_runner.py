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
        Device memory for one chunk's recordings; host memory the whole run's dense
        recordings may take (default: the available RAM). Above it the run is refused
        before it starts.

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
        max_chunk_bytes: int = 256 * 2**20,
        max_host_bytes: int | None = None,
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

    @property
    def t(self) -> Any:
        """Current simulation time (start of the next step)."""
        return self.i * self.dt

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

    def _chunk_fn(self, pbar: bool) -> Callable:
        def chunk(indices: Any, xs: tuple, consts: tuple) -> Any:
            self.num_traces += 1  # runs only while tracing
            body = self._body(())

            def step(i, *x):
                return body(i, *self._assemble_args(self._kinds, x, consts, self._funcs))

            return transform.for_loop(step, indices, *xs,
                                      pbar=self._bar if pbar else None)

        return transform.jit(chunk)

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
        if not isinstance(inputs, tuple | list):
            inputs = (inputs,)
        n = _n_steps(duration, n_steps, self.dt)
        kinds, series, consts = self._split_inputs(tuple(inputs), n)
        self._kinds = kinds
        self._probe_shapes(kinds, series, consts)
        per_step, host = self._estimate(n)
        limit = self.max_host_bytes if self.max_host_bytes is not None else _available_memory()
        if host > limit:
            raise BrainSimValueError(
                f"Simulation.run: the dense recordings would take {host / 2**20:.0f} MiB of "
                f"host memory (limit {limit / 2**20:.0f} MiB). Record fewer neurons "
                f"(neurons=...), less often (every=...), or spikes as events."
            )
        k_max = self.chunk_size or int(
            min(10_000, max(1, self.max_chunk_bytes // max(per_step, 1))))
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
            arr = np.asarray(y)
            steps, idx = np.nonzero(arr.reshape(arr.shape[0], -1))
            del arr
            if m.n_neurons is None:
                m.n_neurons = int(np.prod(np.shape(y)[1:]))
            wide = i_start + len(y) >= 2**31 - 1
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

