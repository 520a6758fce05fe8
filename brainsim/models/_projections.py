"""Projections: connectivity + synapse + output wired into a postsynaptic population.

A projection is composition, not inheritance: ``comm`` (connectivity, e.g.
``EventFixedProb``), ``syn`` (synapse dynamics, e.g. ``Expon``), ``out`` (``COBA`` /
``CUBA`` / ``MgBlock``) and ``post`` (the target neurons). Projections run *before* the
populations they target in each step; the post population then integrates the currents.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import brainunit as u
import jax.numpy as jnp

from .._errors import BrainSimTypeError, BrainSimValueError
from .._state import State
from ..nn import Delay, Dynamics, Module, ParamDescriber, call_order
from ._outputs import SynOut

__all__ = [
    "Projection",
    "AlignPostProj",
    "DeltaProj",
    "CurrentProj",
    "AlignPreProj",
    "align_pre_projection",
    "align_post_projection",
    "SymmetryGapJunction",
    "AsymmetryGapJunction",
]

_COUNTERS: dict[str, itertools.count] = defaultdict(itertools.count)


def _auto_name(cls: type, name: str | None) -> str:
    return name if name is not None else f"{cls.__name__}{next(_COUNTERS[cls.__name__])}"


def _read_source(modules: tuple, args: tuple) -> Any:
    """Apply the prefetch chain: the first item is read (called / State value), the rest
    are applied in sequence. When called with ``x``, every item is applied to ``x`` (so
    ``align_post_projection(comm=..., stp=...)`` called with spikes runs ``stp(spikes)``)."""
    if not modules:
        if not args:
            raise BrainSimValueError("projection: no input: give a prefetch or call with x.")
        return args[0]
    if args:
        x, rest = args[0], modules
    else:
        first, *rest = modules
        x = first.value if isinstance(first, State) else first()
    for m in rest:
        x = m.value if isinstance(m, State) else m(x)
    return x


def _check_post(owner: str, post: Any) -> Dynamics:
    if not isinstance(post, Dynamics):
        raise BrainSimTypeError(
            f"{owner}(post=...): expected a Dynamics (a neuron population), got "
            f"{type(post).__name__}."
        )
    return post


def _check_comm_size(owner: str, comm: Any, post: Dynamics) -> None:
    out = getattr(comm, "out_size", None)
    if out is None:
        return
    n_out = int(jnp.prod(jnp.asarray(out))) if isinstance(out, tuple) else int(out)
    n_post = int(jnp.prod(jnp.asarray(post.varshape)))
    if n_out != n_post:
        raise BrainSimValueError(
            f"{owner}: the connectivity's out_size {out} does not match the post population "
            f"size {post.varshape}. Build comm with out_size={post.varshape}."
        )


class Projection(Module):
    """Base of projections. ``update`` calls every direct child node; give it children."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=_auto_name(type(self), name))

    def update(self, *args: Any, **kwargs: Any) -> Any:
        nodes = [m for _, m in self.named_children()]
        if not nodes:
            raise BrainSimValueError(
                f"{type(self).__name__}: no child node to update; subclasses implement update."
            )
        for m in nodes:
            m(*args, **kwargs)


class _InputDelay(Module):
    """Records the projection input every step and returns it ``time`` later (linear)."""

    def __init__(self, size: tuple, time: Any) -> None:
        super().__init__()
        self.time = time
        self.delay = Delay(jnp.zeros(size), time=time, interpolation="linear")

    def update(self, x: Any) -> Any:
        self.delay.update(jnp.asarray(u.get_mantissa(x), dtype=jnp.result_type(float)))
        return self.delay.retrieve_time_ago(self.time)


class _MergedSynapse(Module):
    """Before-update of the post population: update the shared synapse, bind g into out."""

    def __init__(self, syn: Dynamics, out: SynOut) -> None:
        super().__init__()
        self.syn = syn
        self.out = out

    def update(self, *args: Any) -> None:
        self.out.bind_cond(self.syn())


def _merge_key(owner: str, post: Dynamics, ident: tuple) -> str:
    """Key of the shared synapse ``ident`` on ``post``: ``'AlignPostProj::0'``, ``::1``, ...

    An ordinal in construction order, not ``hash(ident)``: string hashes change from one
    process to the next, and the key is part of State paths (checkpoints are keyed by them).
    """
    n = 0
    for key, fn in (post.before_updates or {}).items():
        if isinstance(fn, _MergedSynapse) and str(key).startswith(f"{owner}::"):
            if getattr(fn, "ident", None) == ident:
                return key
            n += 1
    return f"{owner}::{n}"


def _input_size(comm: Any) -> tuple | None:
    size = getattr(comm, "in_size", None)
    if size is None:
        return None
    return size if isinstance(size, tuple) else (int(size),)


class AlignPostProj(Projection):
    """Spikes -> ``comm`` -> synapse on the *post* side -> output current into ``post``.

    Parameters
    ----------
    *modules
        The source: a prefetch (``pre.prefetch('spike')``), a State, or a chain of them
        (the first is read, the rest applied in sequence). If empty, ``update(x)`` takes x.
    comm
        Connectivity, called on the (possibly delayed) source.
    syn, out
        Synapse and output. Either **describers** (``Expon.desc(n, tau=5*u.ms)``,
        ``COBA.desc(E=0*u.mV)``): the post population keeps one synapse/output pair per
        distinct pair of describers, shared by every projection using them (cheaper), or
        **instances**, owned by this projection.
    post
        The target population.
    label
        Label of the current input in ``post`` (select with ``sum_current_inputs(label=)``).
    delay
        Optional transmission delay (a time): the source is recorded every step and read
        ``delay`` later with linear interpolation.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> from brainsim import models, nn
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> post = models.LIF(1, tau=10 * u.ms)
    >>> proj = models.AlignPostProj(
    ...     comm=nn.EventLinear(2, 1, jnp.ones((2, 1)) * u.mS),
    ...     syn=models.Expon.desc(1, tau=5 * u.ms), out=models.CUBA.desc(), post=post)
    >>> _ = brainsim.nn.init_all_states(post); _ = brainsim.nn.init_all_states(proj)
    >>> proj(jnp.array([1., 0.])); _ = post()
    >>> post.V.value.to_decimal(u.mV)          # 1 mV * (1 - exp(-0.01))
    Array([0.00995...], dtype=float32)
    """

    def __init__(self, *modules: Any, comm: Any, syn: Any, out: Any, post: Dynamics,
                 label: str | None = None, delay: Any = None, name: str | None = None) -> None:
        super().__init__(name=name)
        owner = type(self).__name__
        self.post = _check_post(owner, post)
        if not callable(comm):
            raise BrainSimTypeError(f"{owner}(comm=...): expected a callable, got {comm!r}.")
        _check_comm_size(owner, comm, post)
        self.modules = list(modules)
        self.comm = comm
        self.label = label
        size = _input_size(comm)
        if delay is not None and size is None:
            raise BrainSimValueError(f"{owner}(delay=...): comm must define in_size.")
        self.delay = None if delay is None else _InputDelay(size, delay)
        syn_desc = isinstance(syn, ParamDescriber)
        out_desc = isinstance(out, ParamDescriber)
        if syn_desc and out_desc:
            ident = (syn.identifier, out.identifier)
            key = _merge_key(owner, post, ident)
            if post.has_before_update(key):
                merged = post.get_before_update(key)
            else:
                merged = _MergedSynapse(syn(), out())
                merged.ident = ident
                post.add_before_update(key, merged)
                post.add_current_input(key, merged.out, label=label)
            self.syn, self.out, self.merging = merged.syn, merged.out, True
        elif not syn_desc and not out_desc:
            if not isinstance(syn, Dynamics):
                raise BrainSimTypeError(
                    f"{owner}(syn=...): expected a synapse (Dynamics) or a describer, got "
                    f"{type(syn).__name__}."
                )
            if not isinstance(out, SynOut):
                raise BrainSimTypeError(
                    f"{owner}(out=...): expected a SynOut (COBA, CUBA, MgBlock) or a "
                    f"describer, got {type(out).__name__}."
                )
            self.syn, self.out, self.merging = syn, out, False
            post.add_current_input(self.name, out, label=label)
        else:
            raise BrainSimTypeError(
                f"{owner}: syn and out must both be describers (Cls.desc(...), shared "
                f"synapse) or both be instances; got {type(syn).__name__} and "
                f"{type(out).__name__}."
            )

    @call_order(2)
    def init_state(self, *args: Any, **kwargs: Any) -> None:
        pass

    def update(self, *args: Any) -> None:
        x = _read_source(tuple(self.modules), args)
        if self.delay is not None:
            x = self.delay(x)
        g = self.comm(x)
        self.syn.add_delta_input(self.name, g, label=self.label)
        if not self.merging:
            self.out.bind_cond(self.syn())


class DeltaProj(Projection):
    """Add ``comm(x)`` to ``post`` as a delta input (a jump of V after integration).

    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> post = brainsim.models.LIF(3, V_th=100 * u.mV)
    >>> proj = brainsim.models.DeltaProj(comm=lambda x: x * u.mV, post=post)
    >>> post.init_state(); proj(jnp.array([1., 2., 3.])); _ = post()
    >>> post.V.value.to_decimal(u.mV)
    Array([1., 2., 3.], dtype=float32)
    """

    def __init__(self, *prefetch: Any, comm: Any, post: Dynamics, label: str | None = None,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.post = _check_post(type(self).__name__, post)
        _check_comm_size(type(self).__name__, comm, post)
        self.prefetch = list(prefetch)
        self.comm = comm
        self.label = label

    def update(self, *args: Any) -> None:
        x = _read_source(tuple(self.prefetch), args)
        self.post.add_delta_input(self.name, self.comm(x), label=self.label)


class CurrentProj(Projection):
    """Bind ``comm(x)`` into ``out`` each call; ``out`` is a current input of ``post``.

    The source chain typically ends with a pre-side synapse (see :func:`align_pre_projection`).
    """

    def __init__(self, *prefetch: Any, comm: Any, out: SynOut, post: Dynamics,
                 label: str | None = None, delay: Any = None, name: str | None = None) -> None:
        super().__init__(name=name)
        owner = type(self).__name__
        self.post = _check_post(owner, post)
        if not isinstance(out, SynOut):
            raise BrainSimTypeError(f"{owner}(out=...): expected a SynOut, got {out!r}.")
        _check_comm_size(owner, comm, post)
        self.prefetch = list(prefetch)
        self.comm = comm
        self.out = out
        size = _input_size(comm)
        self.delay = None if delay is None else _InputDelay(size, delay)
        post.add_current_input(self.name, out, label=label)

    def update(self, *args: Any) -> None:
        x = _read_source(tuple(self.prefetch), args)
        if self.delay is not None:
            x = self.delay(x)
        self.out.bind_cond(self.comm(x))


class AlignPreProj(Projection):
    """Spikes -> optional STP -> synapse on the *pre* side -> ``comm`` -> output into post.

    The synapse keeps one state per presynaptic neuron (cheaper when the pre population is
    smaller than the number of synapses).
    """

    def __init__(self, *spike_gen: Any, syn: Any, comm: Any, out: SynOut, post: Dynamics,
                 stp: Any = None, label: str | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        owner = type(self).__name__
        self.post = _check_post(owner, post)
        if isinstance(syn, ParamDescriber):
            size = _input_size(comm)
            syn = syn() if syn.args or "in_size" in syn.kwargs else syn(in_size=size)
        if not isinstance(syn, Dynamics):
            raise BrainSimTypeError(f"{owner}(syn=...): expected a synapse, got {syn!r}.")
        if isinstance(out, ParamDescriber):
            out = out()
        if not isinstance(out, SynOut):
            raise BrainSimTypeError(f"{owner}(out=...): expected a SynOut, got {out!r}.")
        _check_comm_size(owner, comm, post)
        self.spike_gen = list(spike_gen)
        self.stp = stp
        self.syn = syn
        self.comm = comm
        self.out = out
        post.add_current_input(self.name, out, label=label)

    def update(self, *args: Any) -> None:
        x = _read_source(tuple(self.spike_gen), args)
        if self.stp is not None:
            x = self.stp(x)
        g = self.syn(x)
        self.out.bind_cond(self.comm(g))


def align_pre_projection(*spike_gen: Any, syn: Any, comm: Any, out: Any, post: Dynamics,
                         stp: Any = None, label: str | None = None) -> AlignPreProj:
    """Spikes -> optional STP -> pre-side synapse -> connectivity -> output into ``post``."""
    return AlignPreProj(*spike_gen, syn=syn, comm=comm, out=out, post=post, stp=stp,
                        label=label)


def align_post_projection(*spike_gen: Any, comm: Any, syn: Any, out: Any, post: Dynamics,
                          stp: Any = None, label: str | None = None,
                          delay: Any = None) -> AlignPostProj:
    """Spikes -> optional STP -> connectivity -> post-side synapse -> output into ``post``."""
    mods = list(spike_gen) + ([stp] if stp is not None else [])
    return AlignPostProj(*mods, comm=comm, syn=syn, out=out, post=post, label=label,
                         delay=delay)


def _pairs(owner: str, conn: Any) -> Any:
    arr = jnp.asarray(conn)
    if arr.ndim != 2 or arr.shape[1] != 2 or not jnp.issubdtype(arr.dtype, jnp.integer):
        raise BrainSimValueError(
            f"{owner}(conn=...): expected an integer array of (i, j) pairs with shape "
            f"(n_pairs, 2), got shape {arr.shape} and dtype {arr.dtype}."
        )
    return arr


class _GapBase(Projection):
    def _current(self, v_from: Any, v_to: Any, i: Any, j: Any, w: Any, n_to: tuple) -> Any:
        diff = v_from[..., i] - v_to[..., j]
        cur = w * diff
        zeros = u.math.zeros_like(v_to) * u.get_unit(w)
        return zeros.at[..., j].add(cur) if isinstance(zeros, u.Quantity) else (
            jnp.zeros_like(v_to).at[..., j].add(cur))


class SymmetryGapJunction(_GapBase):
    """Electrical coupling ``I_j += w (V_i - V_j)`` and ``I_i += w (V_j - V_i)`` for each pair.

    Parameters
    ----------
    couples
        The population (gap junctions within it) or a pair ``(pre, post)``.
    states
        Name of the voltage State (``'V'``), or a pair of names.
    conn
        Integer array ``(n_pairs, 2)`` of (i, j) index pairs.
    weight
        Gap conductance (e.g. ``0.1 * u.mS``), scalar or one per pair.
    """

    def __init__(self, couples: Any, states: Any, conn: Any, weight: Any,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        pre, post = couples if isinstance(couples, tuple | list) else (couples, couples)
        self.pre, self.post = _check_post(type(self).__name__, pre), _check_post(
            type(self).__name__, post)
        self.states = (states, states) if isinstance(states, str) else tuple(states)
        self.conn = _pairs(type(self).__name__, conn)
        self.weight = weight

    def update(self, *args: Any) -> None:
        vi = getattr(self.pre, self.states[0]).value
        vj = getattr(self.post, self.states[1]).value
        i, j = self.conn[:, 0], self.conn[:, 1]
        self.post.add_current_input(self.name, self._current(vi, vj, i, j, self.weight, ()))
        self.pre.add_current_input(self.name + "/rev",
                                   self._current(vj, vi, j, i, self.weight, ()))


class AsymmetryGapJunction(_GapBase):
    """Gap junctions with separate weights for each direction.

    ``I_post_j += w_post (V_pre_i - V_post_j)``; ``I_pre_i += w_pre (V_post_j - V_pre_i)``.
    ``weight`` is a pair ``(w_pre, w_post)``.
    """

    def __init__(self, pre: Dynamics, pre_state: str, post: Dynamics, post_state: str,
                 conn: Any, weight: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        self.pre = _check_post(type(self).__name__, pre)
        self.post = _check_post(type(self).__name__, post)
        self.pre_state, self.post_state = pre_state, post_state
        self.conn = _pairs(type(self).__name__, conn)
        if not (isinstance(weight, tuple | list) and len(weight) == 2):
            raise BrainSimValueError(
                "AsymmetryGapJunction(weight=...): expected a pair (w_pre, w_post)."
            )
        self.weight = tuple(weight)

    def update(self, *args: Any) -> None:
        vi = getattr(self.pre, self.pre_state).value
        vj = getattr(self.post, self.post_state).value
        i, j = self.conn[:, 0], self.conn[:, 1]
        w_pre, w_post = self.weight
        self.post.add_current_input(self.name, self._current(vi, vj, i, j, w_post, ()))
        self.pre.add_current_input(self.name + "/rev", self._current(vj, vi, j, i, w_pre, ()))
