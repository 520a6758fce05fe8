"""Helpers shared by the model catalogue: unit-checked parameters and state initialisation."""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .. import environ, init
from .._errors import BrainSimTypeError, BrainSimValueError
from ..nn import Param

__all__ = ["check_param", "value", "init_var", "state_value", "within_window"]

_ONE = u.get_unit(1.0)


def _unit_name(unit: Any) -> str:
    return "a dimensionless number" if unit is None or unit.dim == _ONE.dim else (
        f"a value in {unit}")


def _example(unit: Any) -> str:
    if unit is None or unit.dim == _ONE.dim:
        return "1.0"
    name = str(unit)
    return f"10 * u.{name}" if name.isidentifier() else f"a Quantity in {name}"


def check_param(
    owner: Any,
    name: str,
    val: Any,
    unit: Any = None,
    *,
    positive: bool = False,
    nonnegative: bool = False,
    allow_none: bool = False,
) -> Any:
    """Validate a model parameter: its dimension matches ``unit`` and its shape broadcasts
    to the owner's ``varshape``. Returns the value unchanged (scalars stay scalar).

    A :class:`~brainsim.nn.Param` is accepted (trainable parameters); its current value is
    checked.
    """
    cls = type(owner).__name__
    if val is None:
        if allow_none:
            return None
        raise BrainSimValueError(f"{cls}({name}=...): a value is required, got None.")
    raw = val.value() if isinstance(val, Param) else val
    if callable(raw) and not isinstance(raw, jax.Array | np.ndarray | u.Quantity):
        raise BrainSimTypeError(
            f"{cls}({name}=...): expected a number, array or Quantity, got a callable. "
            f"Use the *_initializer arguments for initializers."
        )
    expected_dim = _ONE.dim if unit is None else unit.dim
    got_unit = u.get_unit(raw)
    if got_unit.dim != expected_dim:
        got = "the dimensionless value" if got_unit.dim == _ONE.dim else f"a value in {got_unit}:"
        raise BrainSimValueError(
            f"{cls}({name}=...): expected {_unit_name(unit)} (e.g. {_example(unit)}), got "
            f"{got} {raw!r}."
        )
    shape = np.shape(u.get_mantissa(raw))
    vs = getattr(owner, "varshape", None)
    if vs is not None and shape:
        try:
            np.broadcast_shapes(shape, vs)
            ok = len(shape) <= len(vs)
        except ValueError:
            ok = False
        if not ok:
            raise BrainSimValueError(
                f"{cls}({name}=...): shape {shape} does not broadcast to the population shape "
                f"{tuple(vs)}."
            )
    try:
        m = np.asarray(u.get_mantissa(raw))
        concrete = True
    except Exception:  # a tracer: skip value checks
        concrete = False
    if concrete:
        if positive and np.any(m <= 0):
            raise BrainSimValueError(f"{cls}({name}=...): expected a positive value, got {raw!r}.")
        if nonnegative and np.any(m < 0):
            raise BrainSimValueError(f"{cls}({name}=...): expected a value >= 0, got {raw!r}.")
    return val


def value(x: Any) -> Any:
    """The current value of a parameter (calls ``Param.value()``)."""
    return x.value() if isinstance(x, Param) else x


def init_var(initializer: Any, varshape: tuple, batch_size: int | None, unit: Any = None) -> Any:
    """Evaluate an initializer to a full-shape array (``(batch, *varshape)`` with a batch)."""
    v = init.param(initializer, varshape, batch_size, allow_scalar=False)
    shape = ((batch_size,) if batch_size else ()) + tuple(varshape)
    m = u.get_mantissa(v)
    dt_ = jnp.result_type(m)
    if not jnp.issubdtype(dt_, jnp.bool_) and not jnp.issubdtype(dt_, jnp.complexfloating):
        m = jnp.asarray(m, dtype=environ.dftype())  # states are floats (ints become floats)
    m = jnp.broadcast_to(m, shape)
    vu = u.get_unit(v)
    if unit is not None and vu.dim != unit.dim:
        raise BrainSimValueError(
            f"initializer {initializer!r}: expected values in {unit}, got {vu}."
        )
    return u.Quantity(m, unit=vu) if isinstance(v, u.Quantity) else m


def state_value(s: Any) -> Any:
    return s.value


def within_window(elapsed: Any, window: Any) -> Any:
    """``elapsed < window`` decided on the step grid, immune to float round-off.

    A window of ``window`` covers ``n = ceil(window / dt)`` steps: ``elapsed`` (a multiple
    of dt up to round-off) is inside when it is below ``(n - 0.5) dt``. So a refractory
    period of exactly 5 ms at dt = 0.1 ms always lasts 50 steps, even at t = 100 s in
    float32, and 0.95 ms lasts 10 steps (0.0 .. 0.9 ms).
    """
    dt = environ.get_dt()
    n = u.math.ceil(u.maybe_decimal(window / dt) - 1e-4)
    return elapsed < (n - 0.5) * dt
