"""Event-driven connectivity: sparse fixed-out-degree projections and dense event layers.

``EventFixedNumConn`` stores, for every presynaptic neuron, the indices of its ``conn_num``
targets (memory O(number of synapses)). Its forward pass only touches the rows of neurons
that spiked (up to a capacity; beyond it, a vectorised pass over all rows), and its
gradients are exact: with respect to the spikes they are the row sums of W along the
outgoing connections (straight-through), with respect to the weights the active
event x connection pairs.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .. import environ, init
from .._errors import BrainSimTypeError, BrainSimValueError
from .._state import LongTermState, ParamState
from ._event_kernels import event_scatter
from ._module import Module

__all__ = ["EventFixedNumConn", "EventFixedProb", "FixedNumConn", "EventLinear",
           "event_matvec", "ConnectivityState"]


class ConnectivityState(LongTermState):
    """Structural arrays of a projection (target indices, per-synapse delays, masks).

    Not trained and not reset. Kept in a State rather than a plain attribute so that
    compiled functions receive them as arguments: a constant captured by a compiled
    function is embedded into the program, and compile time then grows with the number
    of synapses (minutes at a million neurons).
    """


def _mantissa_unit(w: Any) -> tuple[Any, Any]:
    if isinstance(w, u.Quantity):
        return w.mantissa, w.unit
    return w, None


def _compact(events: Any, c: int) -> tuple[Any, Any]:
    """Indices of up to ``c`` active entries and a validity mask ``(c, 1)``.

    ``lax.top_k`` on the 0/1 events is the fastest compaction on XLA:CPU (about twice as
    fast as ``jnp.nonzero(size=c)``).
    """
    vals, act = jax.lax.top_k(events.astype(jnp.float32), c)
    return act, (vals > 0)[:, None]


def _tiers(cap: int, n_pre: int) -> tuple[int, ...]:
    """Capacities of the sparse paths: ``cap``, then 8x larger ones below ``n_pre / 4``."""
    tiers = [cap]
    while tiers[-1] * 8 < n_pre // 4:
        tiers.append(tiers[-1] * 8)
    return tuple(tiers)


def _rows(w: Any, idx: Any, sel: Any) -> Any:
    """Weights of the selected rows, without materialising a scalar weight."""
    if sel is None:
        return jnp.broadcast_to(w, idx.shape)
    return jnp.broadcast_to(w, (sel.shape[0], idx.shape[1])) if w.ndim == 0 else w[sel]


def _dense_one(x: Any, w: Any, idx: Any, n_post: int) -> Any:
    """Every row, masked by its event: no compaction."""
    return jnp.zeros(n_post, jnp.result_type(w)).at[idx].add(
        jnp.where((x != 0)[:, None], _rows(w, idx, None), 0))


def _sparse_one(x: Any, w: Any, idx: Any, n_post: int, c: int) -> Any:
    """Up to ``c`` active rows, compacted with ``top_k``."""
    act, valid = _compact(x != 0, c)
    return jnp.zeros(n_post, jnp.result_type(w)).at[idx[act]].add(
        jnp.where(valid, _rows(w, idx, act), 0))


def _scatter_topk_one(x: Any, w: Any, idx: Any, n_post: int, cap: int) -> Any:
    """The ``'topk'`` engine for one input vector: the active rows are compacted into a
    buffer of the smallest capacity tier that holds them; above the largest tier, a
    vectorised pass over every row is used."""
    if cap <= 0 or cap >= idx.shape[0]:
        return _dense_one(x, w, idx, n_post)
    tiers = _tiers(cap, idx.shape[0])
    branches = [partial(_sparse_one, c=c) for c in tiers] + [_dense_one]
    branch = jnp.sum(jnp.asarray(tiers) < jnp.sum(x != 0))  # first tier that holds them
    return jax.lax.switch(branch, [lambda _, f=f: f(x, w, idx, n_post) for f in branches],
                          None)


def _scatter_topk_lanes(x: Any, w: Any, w_batched: bool, idx: Any, n_post: int,
                        cap: int) -> Any:
    """The ``'topk'`` engine for a batch ``x`` of shape ``(B, n_pre)`` sharing ``idx``: the
    capacity tier is chosen once for the batch (by its busiest lane), so that the batch
    runs one branch instead of all of them (what ``vmap`` of a ``switch`` does)."""
    w_ax = 0 if w_batched else None

    def lanes(f):
        def run(_):
            return jax.vmap(lambda xv, wv: f(xv, wv, idx, n_post), in_axes=(0, w_ax))(x, w)

        return run

    if cap <= 0 or cap >= idx.shape[0]:
        return lanes(_dense_one)(None)
    tiers = _tiers(cap, idx.shape[0])
    branches = [partial(_sparse_one, c=c) for c in tiers] + [_dense_one]
    branch = jnp.sum(jnp.asarray(tiers) < jnp.max(jnp.sum(x != 0, axis=-1)))
    return jax.lax.switch(branch, [lanes(f) for f in branches], None)


@cache
def _topk_engine(n_post: int, cap: int) -> Any:
    """``_scatter_topk_one`` with a batching rule: ``vmap`` over the events (a batch axis,
    or the points of :func:`brainsim.simulate.sweep`) picks one capacity tier per batch."""

    @jax.custom_batching.custom_vmap
    def engine(x, w, idx):
        return _scatter_topk_one(x, w, idx, n_post, cap)

    @engine.def_vmap
    def _rule(axis_size, in_batched, x, w, idx):
        xb, wb, ib = in_batched
        if xb and not ib:
            return _scatter_topk_lanes(x, w, wb, idx, n_post, cap), True
        axes = tuple(0 if b else None for b in in_batched)
        fn = lambda a, b, c: _scatter_topk_one(a, b, c, n_post, cap)  # noqa: E731
        return jax.vmap(fn, in_axes=axes, axis_size=axis_size)(x, w, idx), True

    return engine


def _scatter_topk(x: Any, w: Any, idx: Any, n_post: int, cap: int) -> Any:
    """The ``'topk'`` engine for one input vector (see :func:`_scatter_topk_one`)."""
    return _topk_engine(n_post, cap)(x, w, idx)


@partial(jax.custom_jvp, nondiff_argnums=(3, 4))
def _scatter(x: Any, w: Any, idx: Any, n_post: int, cap: int) -> Any:
    """``y[..., j] = sum_i [x_i != 0] sum_{k: idx[i,k]=j} w[i,k]``; ``x`` is ``(..., n_pre)``.

    The engine is chosen by :func:`brainsim.nn.set_event_backend` (per platform by
    default: capacity-tiered ``top_k`` compaction on CPU, a Pallas kernel on GPU).
    """
    dtype = jnp.result_type(w)
    w = jnp.asarray(w, dtype)

    def topk():
        fn = lambda v: _scatter_topk(v, w, idx, n_post, cap)  # noqa: E731
        for _ in range(x.ndim - 1):
            fn = jax.vmap(fn)
        return fn(x)

    return event_scatter(x, idx, w, n_post, topk)


@_scatter.defjvp
def _scatter_jvp(n_post, cap, primals, tangents):
    x, w, idx = primals
    dx, dw, _ = tangents
    y = _scatter(x, w, idx, n_post, cap)
    dtype = jnp.result_type(w)
    wk = jnp.broadcast_to(w, idx.shape).astype(dtype)
    dwk = jnp.broadcast_to(dw, idx.shape).astype(dtype)
    has_dx = jnp.issubdtype(jnp.result_type(dx), jnp.inexact) and jnp.ndim(dx)

    def one(xv, dxv):
        events = (xv != 0).astype(dtype)
        # d/dw: active event x connection pairs; d/dx: straight-through along the connections
        dy = jnp.zeros(n_post, dtype).at[idx].add(events[:, None] * dwk)
        if has_dx:
            dy = dy + jnp.zeros(n_post, dtype).at[idx].add(jnp.asarray(dxv, dtype)[:, None] * wk)
        return dy

    fn = one
    for _ in range(x.ndim - 1):
        fn = jax.vmap(fn)
    return y, fn(x, dx if has_dx else x)


def _enqueue_one(queue: Any, x: Any, w: Any, idx: Any, d: Any, ptr: Any, c: int) -> Any:
    """Add the events of one input vector into a queue ``(L, n_post)``: up to ``c`` active
    rows compacted with ``top_k``, or (``c == 0``) every row, masked."""
    L, n_post = queue.shape
    flat = queue.reshape(-1)

    def add(rows_idx, rows_d, rows_w):  # 1-D scatter into the flattened buffer (faster)
        tgt = ((ptr + rows_d) % L) * n_post + rows_idx
        return flat.at[tgt.ravel()].add(rows_w.ravel()).reshape(queue.shape)

    events = x != 0
    if c <= 0:
        return add(idx, d, jnp.where(events[:, None], _rows(w, idx, None), 0))
    act, valid = _compact(events, c)
    return add(idx[act], d[act], jnp.where(valid, _rows(w, idx, act), 0))


def _enqueue_tiers(cap: int, n_pre: int, count: Any, run: Any) -> Any:
    """``run(c)`` for the smallest capacity tier ``c`` that holds ``count`` events (0: the
    dense pass above the largest tier)."""
    if cap <= 0 or cap >= n_pre:
        return run(0)
    tiers = _tiers(cap, n_pre)
    branch = jnp.sum(jnp.asarray(tiers) < count)
    return jax.lax.switch(branch, [lambda _, c=c: run(c) for c in (*tiers, 0)], None)


@cache
def _enqueue_engine(cap: int) -> Any:
    """The ``'topk'`` enqueue for one input vector, with a batching rule that picks one
    capacity tier per batch (by its busiest lane) instead of running every tier."""

    def plain(queue, x, w, idx, d, ptr):
        return _enqueue_tiers(cap, idx.shape[0], jnp.sum(x != 0),
                              lambda c: _enqueue_one(queue, x, w, idx, d, ptr, c))

    engine = jax.custom_batching.custom_vmap(plain)

    @engine.def_vmap
    def _rule(axis_size, in_batched, queue, x, w, idx, d, ptr):
        qb, xb, wb, ib, db, pb = in_batched
        ax = tuple(0 if b else None for b in in_batched)
        if xb and not ib and not db:
            def run(c):
                one = lambda q, xv, wv, p: _enqueue_one(q, xv, wv, idx, d, p, c)  # noqa: E731
                return jax.vmap(one, in_axes=(ax[0], 0, ax[2], ax[5]),
                                axis_size=axis_size)(queue, x, w, ptr)

            count = jnp.max(jnp.sum(x != 0, axis=-1))
            return _enqueue_tiers(cap, idx.shape[0], count, run), True
        return jax.vmap(plain, in_axes=ax, axis_size=axis_size)(queue, x, w, idx, d, ptr), True

    return engine


def _enqueue_topk(queue: Any, x: Any, w: Any, idx: Any, d: Any, ptr: Any, cap: int) -> Any:
    """``'topk'`` engine of :func:`_enqueue` for one input vector and a queue (L, n_post)."""
    return _enqueue_engine(cap)(queue, x, w, idx, d, ptr)


@partial(jax.custom_jvp, nondiff_argnums=(6,))
def _enqueue(queue: Any, x: Any, w: Any, idx: Any, d: Any, ptr: Any, cap: int) -> Any:
    """Add the events of ``x`` ``(..., n_pre)`` into the delivery ring buffer ``queue``
    ``(L, ..., n_post)``: synapse (i, k) of an active neuron i lands in slot
    ``(ptr + d[i, k]) % L``."""
    w = jnp.asarray(w, queue.dtype)
    L, n_post = queue.shape[0], queue.shape[-1]

    def topk():
        if queue.ndim == 2:
            return _enqueue_topk(queue, x, w, idx, d, ptr, cap)
        return jax.vmap(lambda qb, xb: _enqueue_topk(qb, xb, w, idx, d, ptr, cap),
                        in_axes=(1, 0), out_axes=1)(queue, x)

    y0 = jnp.moveaxis(queue, 0, -2)  # (..., L, n_post): batch first for the engines
    y = event_scatter(x, idx, w, n_post, lambda: jnp.moveaxis(topk(), 0, -2), delays=d,
                      ptr=ptr, ring=L, y0=y0)
    return jnp.moveaxis(y, -2, 0)


@_enqueue.defjvp
def _enqueue_jvp(cap, primals, tangents):
    queue, x, w, idx, d, ptr = primals
    dq, _, dw = tangents[:3]
    y = _enqueue(queue, x, w, idx, d, ptr, cap)
    dwk = jnp.broadcast_to(jnp.asarray(dw, queue.dtype), idx.shape)
    dq = jnp.asarray(dq, queue.dtype)

    def one(q, xv):  # d/dw lands where the events land; the queue's tangent passes through
        return _enqueue_topk(q, xv, dwk, idx, d, ptr, 0)

    dy = one(dq, x) if queue.ndim == 2 else jax.vmap(one, in_axes=(1, 0), out_axes=1)(dq, x)
    return y, dy


def event_matvec(x: Any, weight: Any, indices: Any, n_post: int, cap: int = 0) -> Any:
    """Event-driven ``(x != 0) @ W`` for fixed-out-degree connectivity.

    ``x`` has shape ``(..., n_pre)``, ``indices`` ``(n_pre, k)`` and ``weight`` is a scalar
    or ``(n_pre, k)`` (a Quantity keeps its unit). Leading axes of ``x`` are batched.
    """
    wm, wu = _mantissa_unit(weight)
    xm = u.get_mantissa(x)
    if not jnp.issubdtype(jnp.result_type(xm), jnp.inexact):
        xm = xm.astype(jnp.result_type(wm) if jnp.issubdtype(jnp.result_type(wm), jnp.inexact)
                       else environ.dftype())
    wm = jnp.asarray(wm)
    if not jnp.issubdtype(wm.dtype, jnp.inexact):
        wm = wm.astype(environ.dftype())
    y = _scatter(jnp.asarray(xm), wm, jnp.asarray(indices), n_post, cap)
    return y if wu is None else u.Quantity(y, unit=wu)


def _sample_without_replacement(rng: np.random.Generator, n_rows: int, n: int,
                                k: int) -> np.ndarray:
    """``k`` distinct targets in ``[0, n)`` per row (sorted), vectorised."""
    if 2 * k > n:  # dense regime: partial argsort of random keys
        return np.argpartition(rng.random((n_rows, n)), k - 1, axis=1)[:, :k].astype(np.int32)
    m = k + max(8, int(4 * np.sqrt(k)) + 2 * k * k // n)
    cand = np.sort(rng.integers(0, n, size=(n_rows, m)), axis=1)
    dup = np.zeros(cand.shape, bool)
    dup[:, 1:] = cand[:, 1:] == cand[:, :-1]
    cand = np.sort(np.where(dup, n, cand), axis=1)  # duplicates pushed to the end
    short = np.nonzero(cand[:, k - 1] >= n)[0]
    for r in short:  # rare: not enough distinct candidates in this row
        cand[r, :k] = np.sort(rng.choice(n, size=k, replace=False))
    # shuffle which k of the m distinct candidates are kept? they are a uniform random
    # subset already only if we keep a random subset of the distinct values:
    uniq = cand[:, :m]
    n_uniq = np.minimum((uniq < n).sum(1), m)
    keys = rng.random(uniq.shape)
    keys[uniq >= n] = 2.0
    order = np.argsort(keys, axis=1)[:, :k]
    out = np.take_along_axis(uniq, order, axis=1)
    del n_uniq
    return np.sort(out, axis=1).astype(np.int32)


def _check_sizes(owner: str, in_size: Any, out_size: Any) -> tuple[int, int]:
    def positive(s):
        return isinstance(s, int | np.integer) and not isinstance(s, bool) and s > 0

    def one(name, s):
        if positive(s):
            return int(s)
        if isinstance(s, tuple | list) and len(s) >= 1 and all(positive(d) for d in s):
            return int(np.prod(s))
        raise BrainSimValueError(
            f"{owner}({name}=...): expected a positive int or a tuple of positive ints, got "
            f"{s!r}."
        )

    return one("in_size", in_size), one("out_size", out_size)


class EventFixedNumConn(Module):
    """Sparse projection where each presynaptic neuron has ``conn_num`` targets.

    Parameters
    ----------
    in_size, out_size
        Number of pre- and postsynaptic neurons.
    conn_num
        Targets per presynaptic neuron: an int, or a float in [0, 1] read as a probability
        (``int(out_size * conn_num)``).
    conn_weight
        A scalar (homogeneous weight, a scalar ParamState), or an array / initializer of
        shape ``(in_size, conn_num)``. Quantities keep their unit.
    efferent_target
        Only ``'post'`` is supported.
    afferent_ratio
        Fraction of presynaptic neurons that have connections (the others have none).
    allow_multi_conn
        Sample targets with replacement (multapses possible, fastest) or without.
    seed
        Seed of the NumPy generator that draws the targets.
    delay
        Optional transmission delays: a time, an array of times of shape
        ``(in_size, conn_num)`` (one per synapse), or an initializer of such times (e.g.
        ``init.Uniform(1 * u.ms, 5 * u.ms)``). Rounded to whole steps of ``dt``. Events are
        scheduled into a delivery ring buffer of ``(max_delay + 1) x out_size`` when they
        occur (event-driven: cost proportional to spikes x out-degree), so heterogeneous
        delays cost no more than homogeneous ones. The module then has States
        (``init_state``). Gradients flow to the weights; with respect to the spikes they
        are not defined through the buffer.
    spike_capacity
        Smallest capacity of the sparse path (default 32 spiking neurons per step). Steps
        with more spikes use 8x larger buffers, and beyond ``in_size / 4`` a vectorised pass
        over all rows.

    Examples
    --------
    >>> import jax.numpy as jnp, brainsim
    >>> conn = brainsim.nn.EventFixedProb(4, 6, conn_num=2, conn_weight=0.5, seed=0)
    >>> spikes = jnp.array([1., 0., 1., 0.])
    >>> bool(jnp.allclose(conn(spikes), spikes @ conn.to_dense()))
    True
    """

    def __init__(
        self,
        in_size: Any,
        out_size: Any,
        conn_num: float | int,
        conn_weight: Any,
        efferent_target: str = "post",
        afferent_ratio: float = 1.0,
        allow_multi_conn: bool = True,
        seed: int | None = None,
        name: str | None = None,
        param_type: type = ParamState,
        spike_capacity: int | None = None,
        delay: Any = None,
    ) -> None:
        super().__init__(name=name)
        cls = type(self).__name__
        n_pre, n_post = _check_sizes(cls, in_size, out_size)
        self.in_size, self.out_size = in_size, out_size
        if efferent_target != "post":
            raise NotImplementedError(
                f"{cls}(efferent_target={efferent_target!r}): only 'post' is supported."
            )
        if isinstance(conn_num, float):
            if not 0.0 <= conn_num <= 1.0:
                raise BrainSimValueError(
                    f"{cls}(conn_num=...): a float is a probability in [0, 1], got {conn_num}."
                )
            k = int(n_post * conn_num)
        elif isinstance(conn_num, int | np.integer) and not isinstance(conn_num, bool):
            k = int(conn_num)
            if k < 0:
                raise BrainSimValueError(f"{cls}(conn_num=...): expected >= 0, got {k}.")
        else:
            raise BrainSimTypeError(
                f"{cls}(conn_num=...): expected an int or a probability float, got "
                f"{conn_num!r}."
            )
        if not allow_multi_conn and k > n_post:
            raise BrainSimValueError(
                f"{cls}: conn_num={k} > out_size={n_post} requires allow_multi_conn=True."
            )
        if not 0.0 < afferent_ratio <= 1.0:
            raise BrainSimValueError(
                f"{cls}(afferent_ratio=...): expected a value in (0, 1], got {afferent_ratio}."
            )
        rng = np.random.default_rng(seed)
        if allow_multi_conn:
            idx = rng.integers(0, n_post, size=(n_pre, k), dtype=np.int32)
        elif k == 0:
            idx = np.zeros((n_pre, 0), np.int32)
        else:
            idx = _sample_without_replacement(rng, n_pre, n_post, k)
        if afferent_ratio < 1.0:
            keep = rng.random(n_pre) < afferent_ratio
            self._pre_mask = ConnectivityState(jnp.asarray(keep))
        else:
            self._pre_mask = None
        self.n_pre, self.n_post, self.conn_num = n_pre, n_post, k
        # a State, not a constant: compiled functions take it as an argument, so compile
        # time and executable size do not grow with the number of synapses
        self._indices = ConnectivityState(jnp.asarray(idx))
        self.spike_capacity = 32 if spike_capacity is None else int(spike_capacity)
        w = conn_weight
        if callable(w) and not isinstance(w, jax.Array | np.ndarray | u.Quantity):
            w = init.param(w, (n_pre, k))
        wm = u.get_mantissa(w)
        shape = np.shape(wm)
        if shape not in ((), (n_pre, k)):
            raise BrainSimValueError(
                f"{cls}(conn_weight=...): expected a scalar or shape {(n_pre, k)}, got {shape}."
            )
        dtype = environ.dftype()
        w = u.Quantity(jnp.asarray(wm, dtype), unit=w.unit) if isinstance(
            w, u.Quantity) else jnp.asarray(w, dtype)
        self.weight = param_type(w)
        steps = None if delay is None else self._delay_steps(delay, rng)
        self._delays = ConnectivityState(steps) if steps is not None and steps.ndim else steps
        self._max_delay = 0 if steps is None else int(np.max(np.asarray(steps), initial=0))

    @property
    def indices(self) -> Any:
        """Targets ``(in_size, conn_num)`` (int32) of every presynaptic neuron."""
        return self._indices.value

    @property
    def pre_mask(self) -> Any:
        """Which presynaptic neurons have connections (``None``: all)."""
        return None if self._pre_mask is None else self._pre_mask.value

    @property
    def delay_steps(self) -> Any:
        """Delays in steps: ``None``, a scalar (homogeneous) or ``(in_size, conn_num)``."""
        d = self._delays
        return d.value if isinstance(d, ConnectivityState) else d

    def _delay_steps(self, delay: Any, rng: np.random.Generator) -> Any:
        cls = type(self).__name__
        if callable(delay) and not isinstance(delay, jax.Array | np.ndarray | u.Quantity):
            delay = init.param(delay, (self.n_pre, self.conn_num))
        dt = environ.get_dt()
        try:
            steps = np.asarray(u.maybe_decimal(delay / dt), dtype=np.float64)
        except Exception as err:
            raise BrainSimValueError(
                f"{cls}(delay=...): expected a time (e.g. 2 * u.ms) or times of shape "
                f"{(self.n_pre, self.conn_num)}, compatible with dt={dt}; got {delay!r}."
            ) from err
        if steps.shape not in ((), (self.n_pre, self.conn_num)):
            raise BrainSimValueError(
                f"{cls}(delay=...): expected a scalar or shape {(self.n_pre, self.conn_num)}, "
                f"got {steps.shape}."
            )
        if np.any(steps < 0):
            raise BrainSimValueError(f"{cls}(delay=...): delays must be >= 0.")
        steps = np.round(steps).astype(np.int32)
        del rng
        if steps.size and np.all(steps == steps.flat[0]):
            return jnp.asarray(steps.flat[0])  # homogeneous: fast path, one slot per step
        return jnp.asarray(np.broadcast_to(steps, (self.n_pre, self.conn_num)))

    @property
    def max_delay_steps(self) -> int:
        return self._max_delay

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        """With delays: a delivery ring buffer of ``(max_delay + 1, [batch], out_size)``."""
        if self.delay_steps is None:
            return
        from .._state import DelayState, ShortTermState

        wm = u.get_mantissa(self.weight.value)
        dtype = jnp.result_type(wm) if jnp.issubdtype(jnp.result_type(wm), jnp.inexact) \
            else environ.dftype()
        shape = (self.max_delay_steps + 1,) + ((batch_size,) if batch_size else ()) + (
            self.n_post,)
        self.queue = DelayState(jnp.zeros(shape, dtype))
        self.queue_ptr = ShortTermState(jnp.asarray(0, jnp.int32))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.init_state(batch_size)

    def _delayed(self, x: Any) -> Any:
        if not hasattr(self, "queue"):
            raise BrainSimValueError(
                f"{type(self).__name__}: a projection with delays keeps a delivery buffer; "
                f"call init_state() (or brainsim.nn.init_all_states) first."
            )
        wm, wu = _mantissa_unit(self.weight.value)
        xm = jnp.asarray(u.get_mantissa(x))
        q, ptr = self.queue.value, self.queue_ptr.value
        cap = self.spike_capacity
        if self.delay_steps.ndim == 0:
            # homogeneous delay: the undelayed event sum lands in one slot of the buffer
            y = event_matvec(x, wm, self.indices, self.n_post, cap)
            slot = (ptr + self.delay_steps) % q.shape[0]
            q = q.at[slot].add(jnp.asarray(y, q.dtype))
            out = q[ptr]
            q = q.at[ptr].set(0)
        else:  # queue (L, [batch], n_post), x ([batch], n_pre)
            q = _enqueue(q, xm, jnp.asarray(wm), self.indices, self.delay_steps, ptr, cap)
            out = q[ptr]
            q = q.at[ptr].set(0)
        self.queue.value = q
        self.queue_ptr.value = (ptr + 1) % q.shape[0]
        return out if wu is None else u.Quantity(out, unit=wu)

    def _effective_input(self, x: Any) -> Any:
        if self.pre_mask is not None:
            xm = jnp.where(self.pre_mask, u.get_mantissa(x), 0)
            x = u.Quantity(xm, unit=x.unit) if isinstance(x, u.Quantity) else xm
        return x

    def update(self, x: Any) -> Any:
        """Postsynaptic input ``(x != 0) @ W``, shape ``(..., out_size)``."""
        x = self._effective_input(x)
        if np.shape(x)[-1] != self.n_pre:
            raise BrainSimValueError(
                f"{type(self).__name__}: expected input with last axis {self.n_pre}, got shape "
                f"{np.shape(x)}."
            )
        if self.delay_steps is not None:
            return self._delayed(x)
        if self.conn_num == 0:
            w = self.weight.value
            zeros = jnp.zeros(np.shape(x)[:-1] + (self.n_post,), environ.dftype())
            return u.Quantity(zeros, unit=w.unit) if isinstance(w, u.Quantity) else zeros
        return event_matvec(x, self.weight.value, self.indices, self.n_post,
                            self.spike_capacity)

    def to_dense(self) -> Any:
        """The equivalent dense matrix ``(in_size, out_size)`` (for tests and small nets)."""
        wm, wu = _mantissa_unit(self.weight.value)
        wk = jnp.broadcast_to(jnp.asarray(wm), self.indices.shape)
        if self.pre_mask is not None:
            wk = jnp.where(self.pre_mask[:, None], wk, 0)
        rows = jnp.repeat(jnp.arange(self.n_pre), self.conn_num)
        dense = jnp.zeros((self.n_pre, self.n_post), wk.dtype).at[
            rows, self.indices.ravel()].add(wk.ravel())
        return dense if wu is None else u.Quantity(dense, unit=wu)


EventFixedProb = EventFixedNumConn


class FixedNumConn(EventFixedNumConn):
    """Like :class:`EventFixedNumConn`, but the input's magnitude counts: ``x @ W``."""

    def update(self, x: Any) -> Any:
        x = self._effective_input(x)
        xm = u.get_mantissa(x)
        wm, wu = _mantissa_unit(self.weight.value)
        wk = jnp.broadcast_to(jnp.asarray(wm), self.indices.shape)

        def one(v):
            return jnp.zeros(self.n_post, wk.dtype).at[self.indices].add(v[:, None] * wk)

        fn = one
        for _ in range(jnp.ndim(xm) - 1):
            fn = jax.vmap(fn)
        y = fn(jnp.asarray(xm, wk.dtype))
        xu = u.get_unit(x)
        if wu is None and xu.is_unitless:
            return y
        return u.Quantity(y, unit=(wu if wu is not None else u.get_unit(1.0)) * xu)


@jax.custom_jvp
def _event_dense(x: Any, w: Any) -> Any:
    return (x != 0).astype(w.dtype) @ w


@_event_dense.defjvp
def _event_dense_jvp(primals, tangents):
    x, w = primals
    dx, dw = tangents
    y = _event_dense(x, w)
    dy = (x != 0).astype(w.dtype) @ dw
    if jnp.issubdtype(jnp.result_type(dx), jnp.inexact):
        dy = dy + dx @ w
    return y, dy


class EventLinear(Module):
    """A dense weight ``(in, out)`` with event semantics: ``(x != 0) @ W``.

    With ``float_as_event=False`` it is a plain ``x @ W``. A scalar weight gives
    ``ones(out) * count * w``. Gradients are straight-through with respect to ``x``.

    >>> import jax.numpy as jnp, brainsim
    >>> layer = brainsim.nn.EventLinear(3, 2, jnp.ones((3, 2)))
    >>> layer(jnp.array([0.5, 0., 2.]))
    Array([2., 2.], dtype=float32)
    """

    def __init__(self, in_size: Any, out_size: Any, weight: Any, float_as_event: bool = True,
                 block_size: int = 64, name: str | None = None,
                 param_type: type = ParamState) -> None:
        super().__init__(name=name)
        n_in, n_out = _check_sizes(type(self).__name__, in_size, out_size)
        self.in_size, self.out_size = n_in, n_out
        self.n_in, self.n_out = n_in, n_out
        if callable(weight) and not isinstance(weight, jax.Array | np.ndarray | u.Quantity):
            weight = init.param(weight, (n_in, n_out))
        shape = np.shape(u.get_mantissa(weight))
        if shape not in ((), (n_in, n_out)):
            raise BrainSimValueError(
                f"EventLinear(weight=...): expected a scalar or shape {(n_in, n_out)}, got "
                f"{shape}."
            )
        self.float_as_event = float_as_event
        self.block_size = block_size
        self.weight = param_type(weight)

    def update(self, x: Any) -> Any:
        wm, wu = _mantissa_unit(self.weight.value)
        wm = jnp.asarray(wm)
        if not jnp.issubdtype(wm.dtype, jnp.inexact):
            wm = wm.astype(environ.dftype())
        xm = jnp.asarray(u.get_mantissa(x))
        wfull = jnp.broadcast_to(wm, (self.n_in, self.n_out))
        if self.float_as_event:
            y = _event_dense(xm.astype(wfull.dtype), wfull)
        else:
            y = xm.astype(wfull.dtype) @ wfull
        return y if wu is None else u.Quantity(y, unit=wu)
