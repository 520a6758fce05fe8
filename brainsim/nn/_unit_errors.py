"""Unit errors at the module boundary: a wrong input unit caught where ``update`` is called,
re-raised naming the model, the input and the expected unit (instead of brainunit's message
about JVP tracers deep inside the step)."""

from __future__ import annotations

import inspect
from typing import Any

import brainunit as u

from .._errors import BrainSimError

__all__ = ["InputUnitError", "call_update"]

_UNIT_ERRORS = (u.UnitMismatchError, u.DimensionMismatchError)

# what a user calls the dimension of the usual inputs
_KINDS = {
    u.mA.dim: "a current",
    u.mV.dim: "a voltage",
    u.mS.dim: "a conductance",
    u.ms.dim: "a time",
    (u.mV / u.ms).dim: "a rate of change of voltage",
    u.Hz.dim: "a rate",
}


class InputUnitError(BrainSimError, u.UnitMismatchError):
    """An input of a model's ``update`` has the wrong unit (also a brainunit
    ``UnitMismatchError``, so code catching that still works)."""


def _describe(x: Any) -> str:
    if isinstance(x, u.Quantity):
        unit = u.get_unit(x)
        where = "dimensionless" if unit.is_unitless else f"in {unit}"
        return f"a Quantity {where} of shape {tuple(u.math.shape(x))}"
    shape = getattr(x, "shape", None)
    return f"a plain {type(x).__name__}" + (f" of shape {tuple(shape)}" if shape else "") + \
        " (no unit)"


def _expected(module: Any) -> tuple[str | None, Any]:
    """(name of the first input of ``update``, its expected unit or None)."""
    try:
        params = list(inspect.signature(type(module).update).parameters.values())[1:]
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return None, None
    params = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not params:
        return None, None
    default = params[0].default
    unit = u.get_unit(default) if isinstance(default, u.Quantity) else None
    if unit is None:
        unit = getattr(module, "_input_unit", None)
    return params[0].name, unit


def _message(module: Any, args: tuple, kwargs: dict, err: Exception) -> str:
    cls = type(module).__name__
    name, unit = _expected(module)
    x = args[0] if args else kwargs.get(name) if name else None
    brief = str(err).splitlines()[0] if str(err) else type(err).__name__
    brief = brief if len(brief) <= 160 else brief[:157] + "..."
    if name is None or unit is None or x is None:
        return f"{cls}.update: unit error inside the model ({brief})."
    got = u.get_unit(x) if isinstance(x, u.Quantity) else None
    same = got is not None and got.dim == unit.dim
    if same:
        return (f"{cls}.update({name}=...): unit error inside the model although {name} has "
                f"the expected unit {unit} ({brief}). Check the units of its parameters.")
    kind = _KINDS.get(unit.dim, f"a value in {unit}")
    return (f"{cls}.update({name}=...): expected {kind} such as 1.0 * u.{unit}, got "
            f"{_describe(x)}. Give {name} in {unit} (e.g. {name}.to(u.{unit}) for a compatible "
            f"Quantity, or multiply the numbers by u.{unit}).")


def call_update(module: Any, args: tuple, kwargs: dict) -> Any:
    """``module.update(*args, **kwargs)``, re-raising brainunit unit errors in words."""
    try:
        return module.update(*args, **kwargs)
    except InputUnitError:
        raise
    except _UNIT_ERRORS as err:
        raise InputUnitError(_message(module, args, kwargs, err)) from None
