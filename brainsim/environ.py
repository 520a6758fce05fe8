"""Global and contextual settings: time step ``dt``, time ``t``, step ``i``, precision.

Settings live in two places:

* **global settings**, written by :func:`set`, shared by every thread of the process
  (a plain dict guarded by a lock);
* a **context stack**, pushed by :func:`context`, private to the current thread.

:func:`get` looks in the innermost context first, then in the global settings, then at
the ``default`` it was given. There is no built-in default ``dt``: a model that needs it
fails loudly until it is set::

    import brainunit as u
    import brainsim

    brainsim.environ.set(dt=0.1 * u.ms)           # once, globally
    with brainsim.environ.context(dt=0.01 * u.ms):  # or temporarily, in this thread
        ...

Only the run loop should write ``t`` and ``i`` (through ``context(t=..., i=...)``); models
read them with :func:`get_t` and :func:`get_i`.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from ._errors import BrainSimKeyError, BrainSimTypeError, BrainSimValueError

__all__ = [
    "DT",
    "T",
    "I",
    "FIT",
    "PRECISION",
    "PLATFORM",
    "HOST_DEVICE_COUNT",
    "JIT_ERROR_CHECK",
    "set",
    "get",
    "context",
    "all",
    "pop",
    "reset",
    "get_dt",
    "get_t",
    "get_i",
    "get_fit",
    "set_precision",
    "get_precision",
    "dftype",
    "ditype",
    "dutype",
    "dctype",
    "tolerance",
    "register_default_behavior",
    "unregister_default_behavior",
    "list_registered_behaviors",
]

DT = "dt"  #: numerical integration time step
T = "t"  #: current simulation time (written by the run loop)
I = "i"  #: current step index (written by the run loop)
FIT = "fit"  #: whether the model is being fitted (trained)
PRECISION = "precision"  #: default floating precision: 8, 16, 'bf16', 32 or 64
PLATFORM = "platform"  #: JAX platform ('cpu', 'gpu', 'tpu'); global only
HOST_DEVICE_COUNT = "host_device_count"  #: number of CPU devices XLA exposes; global only
JIT_ERROR_CHECK = "jit_error_check"  #: whether jitted error checks are enabled

_DEFAULTS: dict[str, Any] = {PRECISION: 32}
_PRECISIONS = (8, 16, 32, 64, "bf16")
_GLOBAL_ONLY = (PLATFORM, HOST_DEVICE_COUNT)
_MISSING = object()

_LOCK = threading.RLock()
# thread-local x64 switch (``jax.enable_x64`` in recent JAX, experimental before)
_enable_x64 = jax.enable_x64 if hasattr(jax, "enable_x64") else jax.experimental.enable_x64
_GLOBAL: dict[str, Any] = dict(_DEFAULTS)
_BEHAVIORS: dict[str, Callable[[Any], Any]] = {}


class _Local(threading.local):
    def __init__(self) -> None:
        self.stack: list[dict[str, Any]] = []


_LOCAL = _Local()


# --------------------------------------------------------------------------- validation
def _check_dt(dt: Any) -> Any:
    if isinstance(dt, bool) or not (
        isinstance(dt, int | float | np.number | np.ndarray | jax.Array | u.Quantity)
        and np.ndim(dt) == 0
    ):
        raise BrainSimTypeError(
            f"environ: `dt` must be a scalar number or a scalar Quantity such as "
            f"0.1 * u.ms, got {type(dt).__name__} {dt!r}."
        )
    if isinstance(dt, u.Quantity) and not dt.is_unitless and dt.dim != u.second.dim:
        raise BrainSimValueError(
            f"environ: `dt` must be a time such as 0.1 * u.ms, got a value in {dt.unit}."
        )
    mantissa = u.get_mantissa(dt)
    if not isinstance(mantissa, jax.core.Tracer) and not float(mantissa) > 0:
        raise BrainSimValueError(f"environ: `dt` must be positive, got {dt!r}.")
    return dt


def _check_precision(precision: Any) -> int | str:
    if isinstance(precision, bool) or precision not in _PRECISIONS:
        raise BrainSimValueError(
            f"environ: precision must be one of 8, 16, 32, 64 or 'bf16', got {precision!r}."
        )
    return precision


def _check_value(key: str, value: Any) -> Any:
    if key == DT:
        return _check_dt(value)
    if key == PRECISION:
        return _check_precision(value)
    return value


def _apply_precision(precision: Any, *, x64_context: bool = False) -> Any:
    """Make JAX's x64 flag follow ``precision``. Returns a context manager if asked."""
    enable = precision == 64
    if x64_context:
        return _enable_x64(enable)  # thread-local override, undone on exit
    jax.config.update("jax_enable_x64", enable)
    return None


def _notify(key: str, value: Any) -> None:
    fn = _BEHAVIORS.get(key)
    if fn is not None:
        fn(value)


# --------------------------------------------------------------------------- core API
def set(
    precision: int | str | None = None,
    dt: Any = None,
    platform: str | None = None,
    host_device_count: int | None = None,
    **kw: Any,
) -> None:
    """Write global settings, visible in every thread.

    Parameters
    ----------
    precision
        Default floating precision: 8, 16, ``'bf16'``, 32 (the default) or 64. 64 turns on
        JAX's ``jax_enable_x64``.
    dt
        The integration time step: a scalar number or a scalar time Quantity.
    platform
        JAX platform(s), e.g. ``'cpu'`` or ``'gpu'`` (written to ``jax_platforms``). Only
        effective before JAX initialises its backends, i.e. before the first computation.
    host_device_count
        Number of CPU devices XLA should expose (``--xla_force_host_platform_device_count``
        in ``XLA_FLAGS``). Only effective before JAX initialises its backends.
    **kw
        Any other setting, e.g. ``fit=True``.

    Raises
    ------
    BrainSimTypeError
        ``dt`` is not a scalar.
    BrainSimValueError
        ``dt`` is not a positive time, or ``precision`` is not supported.

    Examples
    --------
    >>> import brainunit as u
    >>> from brainsim import environ
    >>> environ.set(dt=0.1 * u.ms, fit=False)
    >>> environ.get_dt()
    Quantity(0.1, "ms")
    >>> _ = environ.pop('dt'), environ.pop('fit')
    """
    if precision is not None:
        kw[PRECISION] = precision
    if dt is not None:
        kw[DT] = dt
    kw = {k: _check_value(k, v) for k, v in kw.items()}
    if platform is not None:
        if not isinstance(platform, str) or not platform:
            raise BrainSimTypeError(
                f"environ.set: `platform` must be a string such as 'cpu' or 'gpu', got "
                f"{platform!r}."
            )
        jax.config.update("jax_platforms", platform.lower())
        kw[PLATFORM] = platform.lower()
    if host_device_count is not None:
        _set_host_device_count(host_device_count)
        kw[HOST_DEVICE_COUNT] = int(host_device_count)
    with _LOCK:
        _GLOBAL.update(kw)
        if PRECISION in kw:
            _apply_precision(kw[PRECISION])
    for k, v in kw.items():
        _notify(k, v)


def _set_host_device_count(n: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise BrainSimValueError(
            f"environ.set: `host_device_count` must be a positive int, got {n!r}."
        )
    flags = os.environ.get("XLA_FLAGS", "")
    flags = re.sub(r"--xla_force_host_platform_device_count=\S+", "", flags).split()
    os.environ["XLA_FLAGS"] = " ".join([f"--xla_force_host_platform_device_count={n}", *flags])


def get(key: str, default: Any = _MISSING, desc: str | None = None) -> Any:
    """Read a setting: innermost context, then the global value, then ``default``.

    Parameters
    ----------
    key
        The setting's name, e.g. ``'dt'``.
    default
        Returned when the key is set nowhere. Without it a missing key raises.
    desc
        A description of the setting, added to the error message.

    Raises
    ------
    BrainSimKeyError
        The key is set nowhere and no ``default`` was given (a ``KeyError``).

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.set(dt=0.1)
    >>> with environ.context(dt=0.2):
    ...     with environ.context(dt=0.3):
    ...         print(environ.get('dt'))
    ...     print(environ.get('dt'))
    0.3
    0.2
    >>> environ.get('dt')
    0.1
    >>> environ.get('no-such-key', default=None) is None
    True
    >>> _ = environ.pop('dt')
    """
    for frame in reversed(_LOCAL.stack):
        if key in frame:
            return frame[key]
    with _LOCK:
        if key in _GLOBAL:
            return _GLOBAL[key]
    if default is not _MISSING:
        return default
    msg = (
        f"environ: the setting {key!r} is not set. Set it globally with "
        f"`brainsim.environ.set({key}=...)` or locally with "
        f"`with brainsim.environ.context({key}=...):`."
    )
    if desc:
        msg += f" ({key}: {desc})"
    raise BrainSimKeyError(msg)


@contextlib.contextmanager
def context(**kw: Any) -> Iterator[dict[str, Any]]:
    """Set values temporarily, in this thread only; yields all effective settings.

    Contexts nest; each one is undone on exit, also when an exception is raised.
    ``precision`` in a context switches JAX's x64 flag for this thread only.

    Raises
    ------
    BrainSimValueError
        ``platform`` or ``host_device_count`` was given: these are process-wide, use
        :func:`set`.

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.set(dt=0.1)
    >>> with environ.context(dt=0.2) as env:
    ...     with environ.context(dt=0.3):
    ...         print(environ.get_dt())
    ...     print(env['dt'])
    0.3
    0.2
    >>> environ.get_dt()
    0.1
    >>> _ = environ.pop('dt')
    """
    for k in _GLOBAL_ONLY:
        if k in kw:
            raise BrainSimValueError(
                f"environ.context: {k!r} cannot be set in a context, it is process-wide. "
                f"Use `brainsim.environ.set({k}=...)` at the start of the program."
            )
    frame = {k: _check_value(k, v) for k, v in kw.items()}
    with contextlib.ExitStack() as stack:
        if PRECISION in frame:
            stack.enter_context(_apply_precision(frame[PRECISION], x64_context=True))
        _LOCAL.stack.append(frame)
        try:
            for k, v in frame.items():
                _notify(k, v)
            yield all()
        finally:
            # remove this exact frame (contexts of generators may interleave)
            for j in range(len(_LOCAL.stack) - 1, -1, -1):
                if _LOCAL.stack[j] is frame:
                    del _LOCAL.stack[j]
                    break
            for k in frame:
                _notify(k, get(k, None))


def all() -> dict[str, Any]:
    """All effective settings: the global ones overridden by this thread's contexts.

    Examples
    --------
    >>> from brainsim import environ
    >>> with environ.context(fit=True):
    ...     environ.all()['fit']
    True
    """
    with _LOCK:
        merged = dict(_GLOBAL)
    for frame in _LOCAL.stack:
        merged.update(frame)
    return merged


def pop(key: str, default: Any = _MISSING) -> Any:
    """Remove a global setting and return its value.

    Parameters
    ----------
    key
        The setting to remove.
    default
        Returned when the key is not set globally; without it, a missing key raises.

    Raises
    ------
    BrainSimValueError
        The key is active in a context of this thread.
    BrainSimKeyError
        The key is not set globally and no ``default`` was given.

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.set(fit=True)
    >>> environ.pop('fit')
    True
    >>> environ.get('fit', None) is None
    True
    """
    if builtins.any(key in frame for frame in _LOCAL.stack):
        raise BrainSimValueError(
            f"environ.pop: {key!r} is active in a `context`; leave the context first."
        )
    with _LOCK:
        if key not in _GLOBAL:
            if default is not _MISSING:
                return default
            raise BrainSimKeyError(f"environ.pop: {key!r} is not set globally.")
        value = _GLOBAL.pop(key)
        if key == PRECISION:  # precision always has a value: fall back to the default
            _GLOBAL[PRECISION] = _DEFAULTS[PRECISION]
            _apply_precision(_DEFAULTS[PRECISION])
    _notify(key, get(key, None))
    return value


def reset() -> None:
    """Restore the default global settings (precision 32, nothing else) and warn.

    Contexts of the current thread are left alone. ``platform`` and
    ``host_device_count`` are forgotten but their effect on JAX is not undone.

    Examples
    --------
    >>> import warnings
    >>> from brainsim import environ
    >>> environ.set(fit=True)
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter('always')
    ...     environ.reset()
    >>> environ.get('fit', None) is None, w[0].category.__name__
    (True, 'UserWarning')
    """
    with _LOCK:
        old = dict(_GLOBAL)
        _GLOBAL.clear()
        _GLOBAL.update(_DEFAULTS)
        _apply_precision(_DEFAULTS[PRECISION])
    warnings.warn(
        "brainsim.environ.reset(): global settings restored to the defaults "
        f"{_DEFAULTS}; dropped {sorted(set_ for set_ in old if set_ not in _DEFAULTS)}. "
        "Set `dt` again with brainsim.environ.set(dt=...).",
        UserWarning,
        stacklevel=2,
    )
    for k in old.keys() | _DEFAULTS.keys():
        if k in _BEHAVIORS:
            _notify(k, get(k, None))


# --------------------------------------------------------------------------- shortcuts
def get_dt() -> Any:
    """The integration time step ``dt`` (no default: raises until it is set).

    Raises
    ------
    BrainSimKeyError
        ``dt`` is not set; the message says how to set it.

    Examples
    --------
    >>> import brainunit as u
    >>> from brainsim import environ
    >>> with environ.context(dt=0.05 * u.ms):
    ...     environ.get_dt()
    Quantity(0.05, "ms")
    """
    for frame in reversed(_LOCAL.stack):
        if DT in frame:
            return frame[DT]
    with _LOCK:
        if DT in _GLOBAL:
            return _GLOBAL[DT]
    raise BrainSimKeyError(
        "environ: the time step `dt` is not set, and brainsim has no default dt. Call "
        "`brainsim.environ.set(dt=0.1 * u.ms)` once, or wrap the code in "
        "`with brainsim.environ.context(dt=0.1 * u.ms):`."
    )


def get_t() -> Any:
    """The current simulation time ``t``, written by the run loop."""
    return get(T, desc="the current simulation time, written by the run loop")


def get_i() -> Any:
    """The current step index ``i``, written by the run loop."""
    return get(I, desc="the current step index, written by the run loop")


def get_fit() -> Any:
    """Whether the model is being fitted (``fit`` setting)."""
    return get(FIT, desc="whether the model is being trained (True) or evaluated (False)")


# --------------------------------------------------------------------------- precision
def set_precision(precision: int | str) -> None:
    """Set the global default precision (8, 16, ``'bf16'``, 32 or 64).

    Same as ``set(precision=...)``. 64 turns on ``jax_enable_x64``; any other value
    turns it off.

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.set_precision(64)
    >>> environ.dftype(), environ.ditype()
    (<class 'numpy.float64'>, <class 'numpy.int64'>)
    >>> environ.set_precision(32)
    """
    set(precision=_check_precision(precision))


def get_precision() -> int:
    """The default precision as an int (``'bf16'`` is reported as 16).

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.get_precision()
    32
    >>> with environ.context(precision='bf16'):
    ...     environ.get_precision()
    16
    """
    p = get(PRECISION, _DEFAULTS[PRECISION])
    return 16 if p == "bf16" else int(p)


_FLOATS = {64: np.float64, 32: np.float32, 16: np.float16, "bf16": jnp.bfloat16}
_INTS = {64: np.int64, 32: np.int32, 16: np.int16, 8: np.int8}
_UINTS = {64: np.uint64, 32: np.uint32, 16: np.uint16, 8: np.uint8}


def _raw_precision() -> int | str:
    return get(PRECISION, _DEFAULTS[PRECISION])


def dftype() -> Any:
    """Default float dtype: float32 at precision 32, float64 at 64, float16 at 16, bfloat16
    at ``'bf16'``, float8_e5m2 at 8.

    Examples
    --------
    >>> import numpy as np
    >>> from brainsim import environ
    >>> np.zeros(2, dtype=environ.dftype()).dtype
    dtype('float32')
    """
    p = _raw_precision()
    return jnp.float8_e5m2 if p == 8 else _FLOATS[p]


def ditype() -> Any:
    """Default int dtype (int32 at precision 32, int64 at 64, int16 at 16/bf16, int8 at 8).

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.ditype()
    <class 'numpy.int32'>
    """
    return _INTS[get_precision()]


def dutype() -> Any:
    """Default unsigned int dtype (uint32 at precision 32, uint64 at 64, ...).

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.dutype()
    <class 'numpy.uint32'>
    """
    return _UINTS[get_precision()]


def dctype() -> Any:
    """Default complex dtype (complex128 at precision 64, complex64 otherwise).

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.dctype()
    <class 'numpy.complex64'>
    """
    return np.complex128 if get_precision() == 64 else np.complex64


def tolerance() -> float:
    """A comparison tolerance for the precision: 1e-12 at 64, 1e-5 at 32, 1e-2 below.

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.tolerance()
    1e-05
    """
    p = get_precision()
    return 1e-12 if p == 64 else 1e-5 if p == 32 else 1e-2


# --------------------------------------------------------------------------- behaviours
def register_default_behavior(
    key: str, fn: Callable[[Any], Any], replace_if_exist: bool = False
) -> None:
    """Call ``fn(value)`` whenever the effective value of ``key`` changes.

    ``fn`` runs when the key is set with :func:`set`, entered in a :func:`context`,
    restored on leaving one, popped or reset (then with the value now in effect, or
    ``None`` if the key is no longer set).

    Raises
    ------
    BrainSimTypeError
        ``key`` is not a string or ``fn`` is not callable.
    BrainSimValueError
        A behaviour is already registered for ``key`` and ``replace_if_exist`` is False.

    Examples
    --------
    >>> from brainsim import environ
    >>> environ.register_default_behavior('dt', lambda dt: print('dt is now', dt))
    >>> environ.set(dt=0.1)
    dt is now 0.1
    >>> with environ.context(dt=0.2):
    ...     pass
    dt is now 0.2
    dt is now 0.1
    >>> environ.unregister_default_behavior('dt')
    True
    >>> _ = environ.pop('dt')
    """
    if not isinstance(key, str):
        raise BrainSimTypeError(
            f"register_default_behavior: `key` must be a str, got {type(key).__name__}."
        )
    if not callable(fn):
        raise BrainSimTypeError(
            f"register_default_behavior: `fn` must be callable, got {type(fn).__name__}."
        )
    with _LOCK:
        if key in _BEHAVIORS and not replace_if_exist:
            raise BrainSimValueError(
                f"register_default_behavior: a behaviour is already registered for {key!r}. "
                f"Pass replace_if_exist=True to replace it, or unregister it first."
            )
        _BEHAVIORS[key] = fn


def unregister_default_behavior(key: str) -> bool:
    """Remove the behaviour registered for ``key``; returns whether there was one."""
    with _LOCK:
        return _BEHAVIORS.pop(key, None) is not None


def list_registered_behaviors() -> list[str]:
    """The keys that have a registered behaviour, in registration order."""
    with _LOCK:
        return list(_BEHAVIORS)
