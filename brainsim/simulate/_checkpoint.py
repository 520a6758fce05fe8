"""Checkpoints: every State of a model (and of extra objects such as an optimizer), the step
counter and ``dt`` in one NumPy ``.npz`` file.

Format (version 1): a zip archive written by :func:`numpy.savez` with one array per leaf of
each State's value (``'<group>/<state path>#<leaf>'``, units stripped) and a ``__meta__``
member holding UTF-8 JSON: the format version, step, dt, the tree structure / unit / dtype /
shape of every State, the user's ``extra`` metadata and a SHA-256 digest of all array bytes.
It is read with ``allow_pickle=False``. Loading checks everything (the zip's CRC-32 per
member, the digest, every path, tree, unit, dtype and shape against the target) before it
writes a single value, so a failed load leaves the model as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .. import graph
from .. import random as bsr
from .._errors import BrainSimTypeError, BrainSimValueError
from .._state import State

__all__ = ["save_checkpoint", "load_checkpoint", "FORMAT_VERSION"]

#: Version of the checkpoint layout; a file of another version is refused with a message.
FORMAT_VERSION = 1
_META = "__meta__"


def _owned_states(obj: Any) -> dict[str, State]:
    """``{dotted path: State}`` of a State, a Module / graph node, or an object whose
    attributes are States (e.g. :class:`brainsim.train.Optimizer`'s ``opt_state``)."""
    if isinstance(obj, State):
        return {"": obj}
    found = {".".join(str(c) for c in p): s for p, s in graph.states(obj).items()}
    if not found and hasattr(obj, "__dict__"):
        found = {k: v for k, v in vars(obj).items() if isinstance(v, State)}
    return found


def _collect(model: Any, extra: Mapping[str, Any] | None, rng: bool,
             owner: str) -> dict[str, State]:
    """Every State to save / load, keyed ``model/<path>``, ``<name>/<path>``, ``rng``."""
    out = {f"model/{p}": s for p, s in _owned_states(model).items()}
    if not out:
        raise BrainSimTypeError(
            f"{owner}(model=...): expected a Module holding States, got "
            f"{type(model).__name__} with none. Initialise it first (init_all_states)."
        )
    if extra is not None and not isinstance(extra, Mapping):
        raise BrainSimTypeError(
            f"{owner}(extra=...): expected a dict {{name: object holding States}} such as "
            f"{{'optimizer': opt}}, got {type(extra).__name__}."
        )
    for name, obj in (extra or {}).items():
        if not isinstance(name, str) or not name or "/" in name or name in ("model", "rng"):
            raise BrainSimValueError(
                f"{owner}(extra=...): names must be non-empty strings without '/' other than "
                f"'model' and 'rng', got {name!r}."
            )
        states = _owned_states(obj)
        if not states:
            raise BrainSimTypeError(
                f"{owner}(extra={{{name!r}: ...}}): {type(obj).__name__} holds no States."
            )
        out.update({f"{name}/{p}": s for p, s in states.items()})
    if rng:
        out["rng"] = bsr.DEFAULT
    seen: dict[int, str] = {}
    for key, st in list(out.items()):  # a State reachable twice is saved once
        if id(st) in seen:
            del out[key]
        else:
            seen[id(st)] = key
    return out


def _is_key(leaf: Any) -> bool:
    return hasattr(leaf, "dtype") and jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)


def _describe(st: State) -> tuple[dict, list[np.ndarray]]:
    """(description, host arrays) of a State's value."""
    leaves, tree = jax.tree.flatten(st.value)
    arrays, kinds = [], []
    for leaf in leaves:
        if _is_key(leaf):
            kinds.append("key:" + str(jax.random.key_impl(leaf)))
            leaf = jax.random.key_data(leaf)
        else:
            kinds.append(type(leaf).__name__ if isinstance(leaf, float | int | bool) else "array")
        arrays.append(np.asarray(leaf))
    desc = {"tree": str(tree), "kinds": kinds,
            "leaves": [[str(a.dtype), list(a.shape)] for a in arrays]}
    return desc, arrays


def _digest(arrays: Mapping[str, np.ndarray], names: list[str]) -> str:
    h = hashlib.sha256()
    for k in names:
        a = np.ascontiguousarray(arrays[k])
        h.update(k.encode())
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _dt_ms(dt: Any) -> float | None:
    if dt is None:
        return None
    return float(u.maybe_decimal(dt / u.ms)) if isinstance(dt, u.Quantity) else float(dt)


def save_checkpoint(path: str | os.PathLike, model: Any, *, step: int = 0, dt: Any = None,
                    extra: Mapping[str, Any] | None = None, metadata: dict | None = None,
                    rng: bool = True) -> Path:
    """Write every State of ``model`` (and of ``extra``) with ``step`` and ``dt`` to ``path``.

    Parameters
    ----------
    path
        File to write (conventionally ``*.npz``). It is written to a temporary file next to
        it and renamed, so an interrupted save never leaves a half-written checkpoint.
    model
        The Module whose States are saved, keyed by their paths.
    step, dt
        The step counter and time step (:class:`Simulation` passes its own).
    extra
        ``{name: object}``: more objects holding States, e.g. ``{'optimizer': opt}`` for
        a :class:`brainsim.train.Optimizer` (its optax state).
    metadata
        JSON-serialisable user data, returned by :func:`load_checkpoint`.
    rng
        Also save the key of the global generator ``brainsim.random.DEFAULT``, which the
        models' random draws (Poisson inputs, noise) advance.

    Returns
    -------
    The path written.

    Examples
    --------
    >>> import brainunit as u, brainsim, tempfile, os
    >>> lif = brainsim.models.LIF(3)
    >>> _ = brainsim.nn.init_all_states(lif)
    >>> f = os.path.join(tempfile.mkdtemp(), 'lif.npz')
    >>> _ = brainsim.simulate.save_checkpoint(f, lif, step=10, dt=0.1 * u.ms)
    >>> brainsim.simulate.load_checkpoint(f, lif)['step']
    10
    """
    owner = "save_checkpoint"
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0:
        raise BrainSimValueError(f"{owner}(step=...): expected an int >= 0, got {step!r}.")
    states = _collect(model, extra, rng, owner)
    arrays: dict[str, np.ndarray] = {}
    descs: dict[str, dict] = {}
    for key, st in states.items():
        desc, leaves = _describe(st)
        descs[key] = desc
        for j, a in enumerate(leaves):
            arrays[f"{key}#{j}"] = a
    names = list(arrays)
    meta = {"format": "brainsim-checkpoint", "version": FORMAT_VERSION, "step": int(step),
            "dt_ms": _dt_ms(dt), "states": descs, "arrays": names,
            "sha256": _digest(arrays, names), "metadata": metadata or {}}
    try:
        blob = json.dumps(meta).encode()
    except TypeError as err:
        raise BrainSimTypeError(
            f"{owner}(metadata=...): expected JSON-serialisable values (numbers, strings, "
            f"lists, dicts): {err}."
        ) from err
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays, **{_META: np.frombuffer(blob, np.uint8)})
    os.replace(tmp, path)
    return path


def _read(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """(metadata, arrays) of a checkpoint, every byte checked."""
    owner = f"load_checkpoint(path={str(path)!r})"
    if not path.is_file():
        raise FileNotFoundError(f"{owner}: no such file.")
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z[_META]).decode())
            arrays = {k: z[k] for k in meta["arrays"]}  # the zip checks each member's CRC-32
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, TypeError) as err:
        raise BrainSimValueError(
            f"{owner}: the file is not a readable brainsim checkpoint (truncated or "
            f"corrupt?): {type(err).__name__}: {err}. The model was left unchanged."
        ) from err
    if meta.get("format") != "brainsim-checkpoint" or meta.get("version") != FORMAT_VERSION:
        raise BrainSimValueError(
            f"{owner}: expected a brainsim checkpoint of format version {FORMAT_VERSION}, got "
            f"format {meta.get('format')!r} version {meta.get('version')!r}."
        )
    if _digest(arrays, meta["arrays"]) != meta["sha256"]:
        raise BrainSimValueError(
            f"{owner}: the SHA-256 digest of the arrays does not match the one stored: the "
            f"file is corrupt. The model was left unchanged."
        )
    return meta, arrays


def _restored(key: str, st: State, desc: dict, arrays: dict, owner: str) -> Any:
    """The value to assign to ``st`` (checked against its current value), or raise."""
    now, _ = _describe(st)
    if now["tree"] != desc["tree"]:
        raise BrainSimValueError(
            f"{owner}: State {key!r} differs in structure or unit: the model has "
            f"{now['tree']}, the checkpoint {desc['tree']}."
        )
    for j, (have, want) in enumerate(zip(now["leaves"], desc["leaves"], strict=True)):
        if have != want:
            raise BrainSimValueError(
                f"{owner}: State {key!r} (leaf {j}) has dtype/shape {have[0]}{tuple(have[1])} "
                f"in the model but {want[0]}{tuple(want[1])} in the checkpoint. Build the "
                f"model with the same sizes (and batch size) as the saved one."
            )
    old_leaves, tree = jax.tree.flatten(st.value)
    new = []
    for j, (old, kind) in enumerate(zip(old_leaves, desc["kinds"], strict=True)):
        a = arrays[f"{key}#{j}"]
        if kind.startswith("key:"):
            new.append(jax.random.wrap_key_data(jnp.asarray(a), impl=kind[4:]))
        elif isinstance(old, jax.Array):
            sharding = getattr(old, "sharding", None)
            new.append(jax.device_put(a, sharding) if sharding is not None else jnp.asarray(a))
        elif isinstance(old, float | int | bool):
            new.append(type(old)(a.item()))
        else:
            new.append(np.array(a))
    return jax.tree.unflatten(tree, new)


def load_checkpoint(path: str | os.PathLike, model: Any, *,
                    extra: Mapping[str, Any] | None = None, rng: bool = True,
                    dt: Any = None) -> dict:
    """Restore the States saved by :func:`save_checkpoint` into ``model`` (and ``extra``).

    ``model`` must have the structure of the saved one (same States at the same paths, with
    the same units, dtypes and shapes): build it the same way and initialise it. Everything
    is checked before anything is written; a mismatch raises ``BrainSimValueError`` naming
    the first differing path, a truncated or corrupt file raises one saying so, and in both
    cases the model keeps its values. With ``dt``, the saved time step must equal it. The
    existing State objects get the saved values (so
    compiled functions that use them see the restored state).

    Returns ``{'step': int, 'dt_ms': float | None, 'metadata': dict}``. See
    :func:`save_checkpoint` for an example.
    """
    path = Path(path)
    owner = f"load_checkpoint(path={str(path)!r})"
    targets = _collect(model, extra, rng, "load_checkpoint")
    meta, arrays = _read(path)
    saved = meta["states"]
    want = _dt_ms(dt)
    if want is not None and meta["dt_ms"] is not None and not np.isclose(want, meta["dt_ms"]):
        raise BrainSimValueError(
            f"{owner}: the checkpoint was saved with dt = {meta['dt_ms']} ms but the "
            f"simulation uses dt = {want} ms; build the Simulation with dt={meta['dt_ms']} * "
            f"u.ms to continue the run."
        )
    for key in targets:
        if key not in saved:
            raise BrainSimValueError(
                f"{owner}: the model has State {key!r} but the checkpoint does not. Build the "
                f"model (and extra=) as when saving; pass rng=False if it was saved so."
            )
    for key in saved:
        if key not in targets:
            raise BrainSimValueError(
                f"{owner}: the checkpoint holds State {key!r} that the model lacks. Build the "
                f"model (and extra=) as when saving."
            )
    values = {key: _restored(key, st, saved[key], arrays, owner) for key, st in targets.items()}
    for key, st in targets.items():  # all checks passed: now assign
        st.value = values[key]
    return {"step": meta["step"], "dt_ms": meta["dt_ms"], "metadata": meta["metadata"]}
