"""``exp_euler_step``: exponential Euler integration, exact for linear ODEs, unit-aware."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp

from .. import environ
from .._errors import BrainSimValueError

__all__ = ["exp_euler_step"]


def _split(x: Any) -> tuple[Any, Any]:
    if isinstance(x, u.Quantity):
        return x.mantissa, x.unit
    return jnp.asarray(x), None


def _to(x: Any, unit: Any, what: str) -> Any:
    """Mantissa of ``x`` expressed in ``unit`` (``None`` = dimensionless)."""
    if unit is None or (hasattr(unit, "is_unitless") and unit.is_unitless):
        if isinstance(x, u.Quantity):
            if not x.unit.is_unitless and x.unit.dim != u.get_unit(1.0).dim:
                raise BrainSimValueError(
                    f"exp_euler_step: {what} has unit {x.unit}, expected a dimensionless value."
                )
            return x.to_decimal(u.get_unit(1.0)) if not x.unit.is_unitless else x.mantissa
        return x
    if not isinstance(x, u.Quantity):
        raise BrainSimValueError(
            f"exp_euler_step: {what} is dimensionless, expected a value in {unit} (check the "
            f"units of the derivative function)."
        )
    try:
        return x.to_decimal(unit)
    except Exception as err:
        raise BrainSimValueError(
            f"exp_euler_step: {what} has unit {x.unit}, which is not compatible with {unit}."
        ) from err


def exp_euler_step(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """One exponential-Euler step of ``dx/dt = fn(x, *rest)`` with ``dt`` from environ.

    ``x1 = x + dt * phi(dt * J) * fn(x)`` with ``J = d fn / d x`` (element-wise) and
    ``phi(z) = (e^z - 1) / z``. Exact for linear ODEs. Units: if ``x`` is in mV and ``dt``
    in ms, ``fn`` must return mV/ms.

    SDE form: ``exp_euler_step(drift, diffusion, x, *rest)`` adds
    ``diffusion(x, *rest) * sqrt(dt) * N(0, 1)``.

    Examples
    --------
    >>> import jax.numpy as jnp, brainunit as u, brainsim
    >>> with brainsim.environ.context(dt=0.01):
    ...     brainsim.nn.exp_euler_step(lambda x: -x, jnp.asarray(1.0))
    Array(0.99005, dtype=float32)
    >>> with brainsim.environ.context(dt=0.1 * u.ms):
    ...     v = brainsim.nn.exp_euler_step(
    ...         lambda V, I: (-V + I) / (10. * u.ms), 0. * u.mV, 2. * u.mV)
    >>> v.to_decimal(u.mV)
    Array(0.0199..., dtype=float32)
    """
    if len(args) >= 2 and callable(args[0]):
        diffusion, x, rest = args[0], args[1], args[2:]
        return _step(fn, diffusion, x, rest, kwargs)
    if not args:
        raise BrainSimValueError("exp_euler_step: missing the state argument x.")
    return _step(fn, None, args[0], args[1:], kwargs)


def _step(drift: Callable, diffusion: Callable | None, x: Any, rest: tuple, kw: dict) -> Any:
    dt = environ.get_dt()
    xm, xu = _split(x)
    if not jnp.issubdtype(jnp.result_type(xm), jnp.floating):
        raise BrainSimValueError(
            f"exp_euler_step: the state must have a floating dtype, got {jnp.result_type(xm)}."
        )
    dtm, dtu = _split(dt)
    # unit of the derivative: unit(x) / unit(dt)
    if xu is None and dtu is None:
        du = None
    elif dtu is None:
        du = xu
    elif xu is None:
        du = dtu ** -1
    else:
        du = xu / dtu

    def f(m):
        xx = m if xu is None else u.Quantity(m, unit=xu)
        return _to(drift(xx, *rest, **kw), du, "the derivative")

    fx, jac = jax.jvp(f, (xm,), (jnp.ones_like(xm),))
    dtm = jnp.asarray(dtm, dtype=jnp.result_type(xm))
    x1 = xm + dtm * u.math.exprel(dtm * jac) * fx
    if diffusion is not None:
        from .. import random

        # diffusion * sqrt(dt) must have the unit of x
        dif = diffusion(x, *rest, **kw)
        sq = u.math.sqrt(dt) if isinstance(dt, u.Quantity) else jnp.sqrt(dtm)
        noise_term = dif * sq
        nm = _to(noise_term, xu, "diffusion * sqrt(dt)") if isinstance(
            noise_term, u.Quantity) or xu is not None else noise_term
        x1 = x1 + nm * random.randn(*jnp.shape(xm), dtype=jnp.result_type(xm))
    return x1 if xu is None else u.Quantity(x1, unit=xu)
