"""Event-propagation engines: which implementation runs ``(x != 0) @ W`` for sparse rows.

The event-driven projections (:class:`~brainsim.nn.EventFixedNumConn` and its delayed
form) call :func:`event_scatter`. Three engines compute the same sum:

``'topk'``
    Compacts the active rows with ``lax.top_k`` and picks a capacity tier with
    ``lax.switch`` (dense pass above the largest tier). The fastest on XLA:CPU, where a
    conditional is a cheap host-side branch.
``'pallas'``
    One Pallas kernel (Triton on NVIDIA GPUs): a program per block of presynaptic rows
    loads its spikes, skips the block when none spiked, and otherwise loads the target
    indices of the spiking rows only (masked loads) and adds the weights into the output
    with atomic adds. No capacity, no sort, no conditional in the XLA program, and cost
    proportional to ``n_pre / rows_per_block`` plus spikes x out-degree. On CPU it runs in
    Pallas' interpreter (``interpret=True``), which is how the kernel is tested without a
    GPU; there the accumulation is a sequential read-modify-write instead of atomics.
``'dense'``
    A branch-free masked scatter over every synapse (``O(n_pre * k)`` per step), for
    backends without Pallas.

``'auto'`` (the default) picks by the default backend when a function is traced:
``'topk'`` on CPU, ``'pallas'`` on CUDA / ROCm, ``'dense'`` elsewhere. Choose another
with :func:`set_event_backend` / :func:`event_backend`, or the environment variable
``BRAINSIM_EVENT_BACKEND``. The choice is read when a function is traced: compiled
functions keep the engine they were traced with.

On the GPU the atomic adds run in no fixed order, so float32 sums can differ from the CPU
engines in the last bits (relative 1e-7 per step), and spike trains of a chaotic network
diverge after a while, as between any two float orders. With integer-valued or
homogeneous weights summed into small counts the result is exact.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from .._errors import BrainSimValueError

__all__ = ["event_backend", "set_event_backend", "get_event_backend", "EVENT_BACKENDS",
           "resolve_event_backend",
           "event_scatter", "pallas_event_scatter", "compact_nonzero"]

EVENT_BACKENDS = ("auto", "topk", "pallas", "dense")

_backend = os.environ.get("BRAINSIM_EVENT_BACKEND", "auto")
_interpret: bool | None = None

#: Pallas kernel geometry: presynaptic rows per program and synapse columns per chunk.
ROWS_PER_BLOCK = 64
COLS_PER_CHUNK = 16
NUM_WARPS = 4


def _check_backend(name: Any) -> str:
    if name not in EVENT_BACKENDS:
        raise BrainSimValueError(
            f"set_event_backend(name=...): expected one of {EVENT_BACKENDS}, got {name!r}."
        )
    return name


def set_event_backend(name: str) -> None:
    """Choose the event-propagation engine for functions traced from now on.

    ``name`` is one of ``'auto'`` (per platform: ``'topk'`` on CPU, ``'pallas'`` on GPU),
    ``'topk'``, ``'pallas'`` (on CPU: Pallas' interpreter, slow, for testing) or
    ``'dense'``.

    >>> import brainsim
    >>> brainsim.nn.set_event_backend('dense')
    >>> brainsim.nn.get_event_backend()
    'dense'
    >>> brainsim.nn.set_event_backend('auto')
    """
    global _backend
    _backend = _check_backend(name)


def get_event_backend() -> str:
    """The engine name set with :func:`set_event_backend` (``'auto'`` by default)."""
    return _check_backend(_backend)


@contextlib.contextmanager
def event_backend(name: str, *, interpret: bool | None = None) -> Iterator[None]:
    """Context manager form of :func:`set_event_backend`.

    ``interpret`` (for ``'pallas'``): ``None`` runs Pallas' interpreter when the default
    backend is the CPU; ``False`` emits the GPU kernel even there (to lower a program for
    ``cuda`` on a machine without a GPU, e.g. to inspect it).

    >>> import jax.numpy as jnp, brainsim
    >>> conn = brainsim.nn.EventFixedProb(8, 5, conn_num=3, conn_weight=1.0, seed=0)
    >>> with brainsim.nn.event_backend('dense'):
    ...     y = conn(jnp.ones(8))
    >>> float(y.sum())
    24.0
    """
    global _backend, _interpret
    old = _backend, _interpret
    _backend = _check_backend(name)
    _interpret = interpret
    try:
        yield
    finally:
        _backend, _interpret = old


# ---------------------------------------------------------------------------- Pallas kernel
def _pallas_kernel(*, n_rows: int, k: int, n_post: int, n_out: int, rows: int, cols: int,
                   hom_w: bool, delayed: bool, ring: int, interpret: bool):
    """Kernel body for one program = (batch element, block of ``rows`` presynaptic rows)."""
    from jax.experimental import pallas as pl
    from jax.experimental.pallas import triton as plt

    n_chunks = -(-k // cols)
    last_flat = n_rows * k - 1

    def load(ref, off, mask, other, clamp):
        if interpret:  # the interpreter gathers: keep indices in range, then mask
            return jnp.where(mask, ref[jnp.clip(off, 0, clamp)], other)
        return plt.load(ref.at[off], mask=mask, other=other)

    def kernel(*refs):
        if delayed:
            x_ref, idx_ref, w_ref, d_ref, ptr_ref, _y0, y_ref = refs
        else:
            x_ref, idx_ref, w_ref, _y0, y_ref = refs
        b = pl.program_id(0)
        blk = pl.program_id(1)
        r = blk * rows + jnp.arange(rows, dtype=jnp.int32)
        rmask = r < n_rows
        s = load(x_ref, b * n_rows + r, rmask, 0, x_ref.shape[0] - 1)
        act = (s != 0) & rmask

        @pl.when(jnp.max(act.astype(jnp.int32)) > 0)
        def _():
            if delayed:
                ptr = ptr_ref[0]
            w0 = w_ref[0] if hom_w else None

            def chunk(c):
                cidx = c * cols + jnp.arange(cols, dtype=jnp.int32)
                m = act[:, None] & (cidx < k)[None, :]
                off = r[:, None] * k + cidx[None, :]
                tgt = load(idx_ref, off, m, 0, last_flat)
                if delayed:
                    dd = load(d_ref, off, m, 0, last_flat)
                    tgt = ((ptr + dd) % ring) * n_post + tgt
                tgt = tgt + b * n_out
                if hom_w:
                    val = jnp.broadcast_to(w0, (rows, cols)).astype(y_ref.dtype)
                else:
                    val = load(w_ref, off, m, 0, last_flat).astype(y_ref.dtype)
                if interpret:  # programs run one after another: a plain read-modify-write
                    add = jnp.zeros(y_ref.shape, y_ref.dtype).at[tgt].add(
                        jnp.where(m, val, 0))
                    y_ref[...] = y_ref[...] + add
                else:
                    plt.atomic_add(y_ref, (tgt,), val, mask=m)

            if n_chunks <= 8:
                for c in range(n_chunks):
                    chunk(c)
            else:
                def body(c, carry):
                    chunk(c)
                    return carry

                jax.lax.fori_loop(0, n_chunks, body, 0)

    return kernel


def _operands(x: Any, idx: Any, w: Any, n_post: int, delays: Any, ptr: Any, ring: int,
              y0: Any) -> tuple:
    """Flattened kernel operands shared by both Pallas forms: ``(batch_shape, nb, n_out,
    dtype, hom_w, tail)``, ``tail`` = ``[w, (delays, ptr,) y0]`` flattened."""
    batch_shape = x.shape[:-1]
    nb = 1
    for d in batch_shape:
        nb *= int(d)
    delayed = delays is not None
    n_out = ring * n_post if delayed else n_post
    dtype = jnp.result_type(w)
    hom_w = jnp.ndim(w) == 0
    tail = [jnp.reshape(jnp.asarray(w, dtype), (1,)) if hom_w else jnp.reshape(w, (-1,))]
    if delayed:
        tail += [jnp.reshape(delays, (-1,)).astype(jnp.int32),
                 jnp.reshape(jnp.asarray(ptr, jnp.int32), (1,))]
    tail.append(jnp.zeros((nb * n_out,), dtype) if y0 is None else
                jnp.reshape(jnp.asarray(y0, dtype), (nb * n_out,)))
    return batch_shape, nb, n_out, dtype, hom_w, tail


def pallas_event_scatter(x: Any, idx: Any, w: Any, n_post: int, *, delays: Any = None,
                         ptr: Any = None, ring: int = 1, y0: Any = None,
                         interpret: bool | None = None, rows_per_block: int | None = None,
                         cols_per_chunk: int | None = None, num_warps: int | None = None) -> Any:
    """Pallas event scatter: ``y[b, t(i, j)] += w[i, j]`` for every active ``x[b, i]``.

    ``x`` is ``(n_pre,)`` or ``(batch, n_pre)``; ``idx`` ``(n_pre, k)`` int32 targets;
    ``w`` a scalar or ``(n_pre, k)``. Without ``delays`` the target is ``idx[i, j]`` in an
    output of ``(..., n_post)``; with ``delays`` (``(n_pre, k)`` int32 steps) it is slot
    ``(ptr + delays[i, j]) % ring`` of an output ``(..., ring, n_post)`` that starts from
    ``y0`` (the delivery ring buffer). ``interpret=None`` runs Pallas' interpreter on CPU.
    """
    from jax.experimental import pallas as pl
    from jax.experimental.pallas import triton as plt

    if interpret is None:
        interpret = jax.default_backend() == "cpu"
    rows = rows_per_block or ROWS_PER_BLOCK
    cols = cols_per_chunk or COLS_PER_CHUNK
    n_rows, k = idx.shape
    delayed = delays is not None
    batch_shape, nb, n_out, dtype, hom_w, tail = _operands(x, idx, w, n_post, delays, ptr,
                                                          ring, y0)
    args = [jnp.reshape(x, (-1,)), jnp.reshape(idx, (-1,)), *tail]
    kernel = _pallas_kernel(n_rows=n_rows, k=k, n_post=n_post, n_out=n_out, rows=rows,
                            cols=cols, hom_w=hom_w, delayed=delayed, ring=ring,
                            interpret=interpret)
    call = pl.pallas_call(
        kernel,
        out_shape=jax.ShapeDtypeStruct((nb * n_out,), dtype),
        grid=(nb, -(-n_rows // rows)),
        input_output_aliases={len(args) - 1: 0},
        interpret=interpret,
        compiler_params=None if interpret else plt.CompilerParams(
            num_warps=num_warps or NUM_WARPS),
        name="brainsim_event_scatter",
    )
    y = call(*args)
    return jnp.reshape(y, batch_shape + ((ring, n_post) if delayed else (n_post,)))


# ---------------------------------------------------------------------------- two-phase
#: Rows per program of the first phase (finding the spiking rows).
FIND_ROWS = 1024
#: Presynaptic populations at least this large use the two-phase kernel (``None``: never).
TWO_PHASE_MIN_ROWS: int | None = 65536


def _find_kernel(n_rows: int, rows: int, interpret: bool):
    """Phase 1: each program lists the spiking rows of its block at an offset it reserves
    with one atomic add on the batch element's counter (list order: by block arrival)."""
    from jax.experimental import pallas as pl
    from jax.experimental.pallas import triton as plt

    def kernel(x_ref, _c0, count_ref, list_ref):
        b, blk = pl.program_id(0), pl.program_id(1)
        r = blk * rows + jnp.arange(rows, dtype=jnp.int32)
        inside = r < n_rows
        if interpret:
            s = jnp.where(inside, x_ref[jnp.clip(b * n_rows + r, 0, x_ref.shape[0] - 1)], 0)
        else:
            s = plt.load(x_ref.at[b * n_rows + r], mask=inside, other=0)
        act = ((s != 0) & inside).astype(jnp.int32)
        n = jnp.sum(act)

        @pl.when(n > 0)
        def _():
            base = plt.atomic_add(count_ref, (b,), n)
            dest = b * n_rows + base + jnp.cumsum(act) - 1
            if interpret:
                size = list_ref.shape[0]
                list_ref[...] = list_ref[...].at[jnp.where(act > 0, dest, size)].set(
                    r, mode="drop")
            else:
                plt.store(list_ref.at[dest], r, mask=act > 0)

    return kernel


def _rows_kernel(*, n_rows: int, k: int, n_post: int, n_out: int, programs: int, cols: int,
                 hom_w: bool, delayed: bool, ring: int, interpret: bool):
    """Phase 2: program ``g`` handles list entries ``g, g + programs, ...``: one spiking row
    at a time, its ``k`` targets as a vector, atomic adds into the output."""
    from jax.experimental import pallas as pl
    from jax.experimental.pallas import triton as plt

    kp = 1 << max(k - 1, 0).bit_length()  # the row as one power-of-two vector
    last_flat = n_rows * k - 1

    def load(ref, off, mask, clamp):
        if interpret:
            return jnp.where(mask, ref[jnp.clip(off, 0, clamp)], 0)
        return plt.load(ref.at[off], mask=mask, other=0)

    def kernel(*refs):
        if delayed:
            count_ref, list_ref, idx_ref, w_ref, d_ref, ptr_ref, _y0, y_ref = refs
        else:
            count_ref, list_ref, idx_ref, w_ref, _y0, y_ref = refs
        b, g = pl.program_id(0), pl.program_id(1)
        n = count_ref[b]
        n_iter = jnp.maximum(n - g + programs - 1, 0) // programs
        c = jnp.arange(kp, dtype=jnp.int32)
        m = c < k

        def body(j, carry):
            row = list_ref[b * n_rows + g + j * programs]
            off = row * k + c
            tgt = load(idx_ref, off, m, last_flat)
            if delayed:
                tgt = ((ptr_ref[0] + load(d_ref, off, m, last_flat)) % ring) * n_post + tgt
            tgt = tgt + b * n_out
            if hom_w:
                val = jnp.broadcast_to(w_ref[0], (kp,)).astype(y_ref.dtype)
            else:
                val = load(w_ref, off, m, last_flat).astype(y_ref.dtype)
            if interpret:
                y_ref[...] = y_ref[...] + jnp.zeros(y_ref.shape, y_ref.dtype).at[tgt].add(
                    jnp.where(m, val, 0))
            else:
                plt.atomic_add(y_ref, (tgt,), val, mask=m)
            return carry

        jax.lax.fori_loop(0, n_iter, body, 0)

    del cols
    return kernel


def pallas_event_scatter_two_phase(x: Any, idx: Any, w: Any, n_post: int, *,
                                   delays: Any = None, ptr: Any = None, ring: int = 1,
                                   y0: Any = None, interpret: bool | None = None,
                                   programs: int | None = None) -> Any:
    """Same result as :func:`pallas_event_scatter`, in two kernels: the first lists the
    spiking rows (one pass over the spikes, blocks of ``FIND_ROWS``), the second spreads
    the listed rows over ``programs`` programs. The work of the second is proportional to
    the spikes, not to ``n_pre``, which pays for large populations."""
    from jax.experimental import pallas as pl
    from jax.experimental.pallas import triton as plt

    if interpret is None:
        interpret = jax.default_backend() == "cpu"
    n_rows, k = idx.shape
    delayed = delays is not None
    batch_shape, nb, n_out, dtype, hom_w, tail = _operands(x, idx, w, n_post, delays, ptr,
                                                          ring, y0)
    params = None if interpret else plt.CompilerParams(num_warps=NUM_WARPS)
    rows1 = FIND_ROWS
    counts, rows_list = pl.pallas_call(
        _find_kernel(n_rows, rows1, interpret),
        out_shape=(jax.ShapeDtypeStruct((nb,), jnp.int32),
                   jax.ShapeDtypeStruct((nb * n_rows,), jnp.int32)),
        grid=(nb, -(-n_rows // rows1)),
        input_output_aliases={1: 0},  # the row list needs no initialisation
        interpret=interpret, compiler_params=params, name="brainsim_find_spiking_rows",
    )(jnp.reshape(x, (-1,)), jnp.zeros((nb,), jnp.int32))
    g = programs or max(128, min(8192, n_rows // 64))
    args = [counts, rows_list, jnp.reshape(idx, (-1,)), *tail]
    y = pl.pallas_call(
        _rows_kernel(n_rows=n_rows, k=k, n_post=n_post, n_out=n_out, programs=g, cols=0,
                     hom_w=hom_w, delayed=delayed, ring=ring, interpret=interpret),
        out_shape=jax.ShapeDtypeStruct((nb * n_out,), dtype),
        grid=(nb, g),
        input_output_aliases={len(args) - 1: 0},
        interpret=interpret, compiler_params=params, name="brainsim_scatter_spiking_rows",
    )(*args)
    return jnp.reshape(y, batch_shape + ((ring, n_post) if delayed else (n_post,)))


# ---------------------------------------------------------------------------- dispatch
def _dense(x: Any, idx: Any, w: Any, n_post: int, delays: Any, ptr: Any, ring: int,
           y0: Any) -> Any:
    """Branch-free masked scatter over every synapse."""
    dtype = jnp.result_type(w)
    wk = jnp.broadcast_to(jnp.asarray(w, dtype), idx.shape)

    def one(xv, yv):
        vals = jnp.where((xv != 0)[:, None], wk, 0)
        if delays is None:
            return jnp.zeros(n_post, dtype).at[idx].add(vals)
        tgt = ((ptr + delays) % ring) * n_post + idx
        return yv.reshape(-1).at[tgt.ravel()].add(vals.ravel()).reshape(ring, n_post)

    fn = one
    lead = x.shape[:-1]
    for _ in lead:
        fn = jax.vmap(fn)
    if y0 is None:
        y0 = jnp.zeros(lead + ((ring, n_post) if delays is not None else (n_post,)), dtype)
    return fn(x, y0)


def resolve_event_backend() -> str:
    """The engine a function traced now uses: ``'auto'`` resolved for the default
    backend (``'topk'`` on CPU, ``'pallas'`` on GPU, ``'dense'`` elsewhere).

    >>> import brainsim
    >>> brainsim.nn.resolve_event_backend() in ('topk', 'pallas', 'dense')
    True
    """
    name = get_event_backend()
    if name != "auto":
        return name
    platform = jax.default_backend()
    if platform == "cpu":
        return "topk"
    return "pallas" if platform in ("gpu", "cuda", "rocm") else "dense"


def event_scatter(x: Any, idx: Any, w: Any, n_post: int, topk_impl: Any, *,
                  delays: Any = None, ptr: Any = None, ring: int = 1, y0: Any = None) -> Any:
    """Run the engine chosen by :func:`resolve_event_backend` (decided while tracing, so
    the compiled program holds one engine and no platform switch). ``topk_impl()``
    builds the ``'topk'`` result (the caller's capacity-tiered code)."""
    name = resolve_event_backend()
    if name == "topk":
        return topk_impl()
    if name == "dense":
        return _dense(x, idx, w, n_post, delays, ptr, ring, y0)
    if TWO_PHASE_MIN_ROWS is not None and idx.shape[0] >= TWO_PHASE_MIN_ROWS:
        return pallas_event_scatter_two_phase(x, idx, w, n_post, delays=delays, ptr=ptr,
                                              ring=ring, y0=y0, interpret=_interpret)
    return pallas_event_scatter(x, idx, w, n_post, delays=delays, ptr=ptr, ring=ring, y0=y0,
                                interpret=_interpret)


# ---------------------------------------------------------------------------- compaction
COMPACT_BLOCK = 1024


def _compact_kernels(size: int, block: int, interpret: bool):
    from jax.experimental import pallas as pl
    from jax.experimental.pallas import triton as plt

    def load_block(x_ref):
        b = pl.program_id(0)
        pos = b * block + jnp.arange(block, dtype=jnp.int32)
        inside = pos < size
        if interpret:
            v = jnp.where(inside, x_ref[jnp.clip(pos, 0, size - 1)], 0)
        else:
            v = plt.load(x_ref.at[pos], mask=inside, other=0)
        return b, pos, (v != 0) & inside

    def count(x_ref, c_ref):
        b, _, act = load_block(x_ref)
        c_ref[pl.ds(b, 1)] = jnp.sum(act.astype(jnp.int32), keepdims=True)

    def place(x_ref, off_ref, _out0, out_ref):
        b, pos, act = load_block(x_ref)
        dest = off_ref[b] + jnp.cumsum(act.astype(jnp.int32)) - 1
        if interpret:
            n_out = out_ref.shape[0]
            out_ref[...] = out_ref[...].at[jnp.where(act, dest, n_out)].set(pos, mode="drop")
        else:
            plt.store(out_ref.at[dest], pos, mask=act)

    return count, place


def compact_nonzero(x: Any, *, interpret: bool | None = None,
                    block: int | None = None) -> tuple[Any, int]:
    """Flat positions of the nonzero entries of ``x`` (fewer than ``2**31`` entries), in
    increasing order, computed with two Pallas passes (per-block counts, then each block
    writes its positions at its offset): ``(positions, count)``, ``positions`` padded to
    a power of two. Unlike ``jnp.nonzero`` it needs no prefix sum over all of ``x``.

    >>> import jax.numpy as jnp
    >>> from brainsim.nn._event_kernels import compact_nonzero
    >>> pos, n = compact_nonzero(jnp.array([0, 1, 0, 0, 1, 1], bool))
    >>> pos[:n].tolist()
    [1, 4, 5]
    """

    if interpret is None:
        interpret = jax.default_backend() == "cpu"
    block = block or COMPACT_BLOCK
    flat = jnp.reshape(x, (-1,))
    if flat.dtype == jnp.bool_:
        flat = flat.astype(jnp.uint8)
    size = int(flat.shape[0])
    if size == 0:
        return jnp.zeros(1, jnp.int32), 0
    if size >= 2**31:
        raise BrainSimValueError(
            f"compact_nonzero: expected fewer than 2**31 entries, got {size}; compact in parts."
        )
    counts, ends = _count_blocks(flat, block, bool(interpret))
    total = int(ends[-1])
    n_out = 1 << max(total - 1, 0).bit_length()
    return _place_blocks(flat, counts, ends, n_out, block, bool(interpret)), total


@partial(jax.jit, static_argnums=(1, 2))
def _count_blocks(flat: Any, block: int, interpret: bool) -> tuple[Any, Any]:
    from jax.experimental import pallas as pl
    from jax.experimental.pallas import triton as plt

    size = flat.shape[0]
    nblk = -(-size // block)
    count_k, _ = _compact_kernels(size, block, interpret)
    counts = pl.pallas_call(
        count_k, out_shape=jax.ShapeDtypeStruct((nblk,), jnp.int32), grid=(nblk,),
        interpret=interpret,
        compiler_params=None if interpret else plt.CompilerParams(num_warps=4))(flat)
    return counts, jnp.cumsum(counts)


@partial(jax.jit, static_argnums=(3, 4, 5))
def _place_blocks(flat: Any, counts: Any, ends: Any, n_out: int, block: int,
                  interpret: bool) -> Any:
    from jax.experimental import pallas as pl
    from jax.experimental.pallas import triton as plt

    size = flat.shape[0]
    _, place_k = _compact_kernels(size, block, interpret)
    return pl.pallas_call(
        place_k, out_shape=jax.ShapeDtypeStruct((n_out,), jnp.int32), grid=(counts.shape[0],),
        input_output_aliases={2: 0}, interpret=interpret,
        compiler_params=None if interpret else plt.CompilerParams(num_warps=4),
    )(flat, ends - counts, jnp.zeros(n_out, jnp.int32))
