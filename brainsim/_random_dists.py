"""Pure samplers and argument checks behind :mod:`brainsim.random`.

Every sampler here is a pure function ``f(key, *params, size, dtype)``. ``key`` is either a
raw ``uint32[2]`` JAX key or a zero-argument callable returning one: the callable is only
called once the arguments have been checked, so a rejected call does not advance a
:class:`~brainsim.random.RandomState`. Values are checked only when they are concrete
(inside ``jit`` the parameters are tracers and are not inspected).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np

from . import environ
from ._errors import BrainSimTypeError, BrainSimValueError

Shape = tuple[int, ...]


# ----------------------------------------------------------------------------- keys
def seed_to_key(seed: Any, where: str) -> Any:
    """A raw ``uint32[2]`` key from an int seed, without touching JAX for concrete ints."""
    if isinstance(seed, jax.core.Tracer):
        return jr.PRNGKey(seed)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        if isinstance(seed, np.ndarray | jax.Array) and np.ndim(seed) == 0:
            seed = int(seed)
        else:
            raise BrainSimTypeError(
                f"{where}: expected an int seed, got {type(seed).__name__} {seed!r}."
            )
    if not 0 <= int(seed) < 2**32:
        raise BrainSimValueError(f"{where}: a seed must be an int in [0, 2**32), got {seed}.")
    return np.array([0, int(seed)], dtype=np.uint32)


def as_key(key: Any, where: str) -> Any:
    """Normalise a seed, a typed key or a raw ``uint32[2]`` key to a raw key."""
    if isinstance(key, int | np.integer) and not isinstance(key, bool):
        return seed_to_key(key, where)
    if isinstance(key, np.ndarray | jax.Array):
        if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
            key = jr.key_data(key)
        if np.ndim(key) == 0 and jnp.issubdtype(key.dtype, jnp.integer):
            return seed_to_key(key, where)
        if tuple(np.shape(key)) == (2,) and key.dtype == np.uint32:
            return key
    raise BrainSimTypeError(
        f"{where}: expected an int seed or a JAX PRNG key (jax.random.PRNGKey(0), a uint32 "
        f"array of shape (2,)), got {type(key).__name__} "
        f"{getattr(key, 'dtype', '')}{list(np.shape(key)) if hasattr(key, 'shape') else ''}."
    )


def take(key: Any) -> Any:
    return key() if callable(key) else key


# ----------------------------------------------------------------------------- checks
def size_to_shape(size: Any, where: str) -> Shape | None:
    if size is None:
        return None
    if isinstance(size, int | np.integer) and not isinstance(size, bool):
        size = (size,)
    if not isinstance(size, Sequence | np.ndarray) or isinstance(size, str):
        raise BrainSimTypeError(
            f"{where}: `size` must be None, an int or a tuple of ints, got {size!r}."
        )
    shape = []
    for d in size:
        if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 0:
            raise BrainSimValueError(
                f"{where}: `size` must hold non-negative ints, got {tuple(size)!r}."
            )
        shape.append(int(d))
    return tuple(shape)


def out_shape(where: str, size: Any, *params: Any) -> Shape:
    """``size`` (checked against the parameter shapes), or their broadcast shape."""
    shapes = [tuple(np.shape(p)) for p in params if p is not None]
    try:
        bshape = tuple(jnp.broadcast_shapes(*shapes)) if shapes else ()
    except ValueError:
        raise BrainSimValueError(
            f"{where}: the parameter shapes {shapes} do not broadcast together."
        ) from None
    shape = size_to_shape(size, where)
    if shape is None:
        return bshape
    if tuple(jnp.broadcast_shapes(shape, bshape)) != shape:
        raise BrainSimValueError(
            f"{where}: the parameter shapes {shapes} do not broadcast to size={shape}."
        )
    return shape


def float_dtype(dtype: Any, where: str) -> Any:
    dtype = environ.dftype() if dtype is None else dtype
    if not jnp.issubdtype(dtype, jnp.floating):
        raise BrainSimTypeError(f"{where}: `dtype` must be a float dtype, got {dtype!r}.")
    return dtype


def int_dtype(dtype: Any, where: str) -> Any:
    dtype = environ.ditype() if dtype is None else dtype
    if not jnp.issubdtype(dtype, jnp.integer):
        raise BrainSimTypeError(f"{where}: `dtype` must be an integer dtype, got {dtype!r}.")
    return dtype


def _concrete(x: Any) -> np.ndarray | None:
    if x is None or any(isinstance(v, jax.core.Tracer) for v in jax.tree.leaves(x)):
        return None
    return np.asarray(x)


def check(where: str, name: str, x: Any, ok: Callable[[np.ndarray], Any], what: str) -> None:
    """Raise if the concrete value ``x`` fails ``ok`` (skipped for tracers)."""
    v = _concrete(x)
    if v is not None and not np.all(ok(v)):
        shown = v if v.size <= 6 else f"an array with values in [{v.min()}, {v.max()}]"
        raise BrainSimValueError(f"{where}: `{name}` must be {what}, got {shown}.")


def plain(where: str, name: str, x: Any, dtype: Any = None) -> Any:
    """A unitless parameter as a JAX array (a dimensionless Quantity is accepted)."""
    if x is None:
        return None
    if isinstance(x, u.Quantity):
        if not x.is_unitless:
            raise BrainSimTypeError(
                f"{where}: `{name}` must be a plain number, got a Quantity in {x.unit}."
            )
        x = x.mantissa
    try:
        return jnp.asarray(x, dtype=dtype)
    except TypeError as err:
        raise BrainSimTypeError(f"{where}: `{name}` must be numeric, got {x!r}.") from err


def _is_zero(x: Any) -> bool:
    v = _concrete(x)
    return v is not None and v.dtype.kind in "biuf" and bool(np.all(v == 0))


def shared_unit(
    where: str, params: dict[str, tuple[Any, float | None]], dtype: Any
) -> tuple[list[Any], Any]:
    """Express parameters that share one physical unit as plain arrays in that unit.

    ``params`` maps a name to ``(value, default)``; ``None`` values take the default (a
    number read in the shared unit). The unit is that of the first Quantity, in order.
    A plain non-zero number next to a Quantity is rejected: its unit would be a guess.
    """
    unit, first = None, None
    for name, (v, _) in params.items():
        if isinstance(v, u.Quantity) and not v.is_unitless:
            unit, first = v.unit, name
            break
    out = []
    for name, (v, default) in params.items():
        if v is None:
            out.append(None if default is None else jnp.asarray(default, dtype=dtype))
        elif unit is None or not isinstance(v, u.Quantity) or v.is_unitless:
            if unit is not None and not _is_zero(v):
                raise BrainSimTypeError(
                    f"{where}: `{first}` is in {unit} but `{name}` is a plain number; give "
                    f"`{name}` a unit too (e.g. {name}={_short(v)} * u.{unit})."
                )
            out.append(plain(where, name, v, dtype))
        else:
            try:
                out.append(jnp.asarray(v.to_decimal(unit), dtype=dtype))
            except u.UnitMismatchError:
                raise BrainSimValueError(
                    f"{where}: `{name}` is in {v.unit} but `{first}` is in {unit}; they "
                    f"must have the same physical dimension."
                ) from None
    return out, unit


def _short(v: Any) -> str:
    c = _concrete(v)
    return repr(c.item()) if c is not None and c.size == 1 else "..."


def with_unit(x: Any, unit: Any) -> Any:
    return x if unit is None else u.Quantity(x, unit=unit)


# ----------------------------------------------------------------------------- samplers
def uniform01(key: Any, shape: Shape, dtype: Any) -> Any:
    """Uniform on the open interval (0, 1)."""
    return jr.uniform(key, shape, dtype, minval=jnp.finfo(dtype).tiny, maxval=1.0)


def truncated_normal(key, lower, upper, loc, scale, shape, dtype):
    a = (lower - loc) / scale
    b = (upper - loc) / scale
    return jr.truncated_normal(key, a, b, shape, dtype) * scale + loc


def wald(key, mean, scale, shape, dtype):
    """Inverse Gaussian (Michael, Schucany & Haas 1976), in a cancellation-free form."""
    k1, k2 = jr.split(key)
    y = jnp.square(jr.normal(k1, shape, dtype))
    w = mean * y / (2 * scale)
    x = mean / (1 + w + jnp.sqrt(w * (w + 2)))
    return jnp.where(jr.uniform(k2, shape, dtype) <= mean / (mean + x), x, mean * mean / x)


def noncentral_chisquare(key, df, nonc, shape, dtype):
    """Poisson mixture of central chi-squares (exact for every ``df > 0``)."""
    k1, k2 = jr.split(key)
    n = jr.poisson(k1, jnp.broadcast_to(nonc / 2, shape), shape)
    return jr.chisquare(k2, jnp.broadcast_to(df, shape) + 2 * n, shape, dtype)


def noncentral_f(key, dfnum, dfden, nonc, shape, dtype):
    k1, k2 = jr.split(key)
    num = noncentral_chisquare(k1, dfnum, nonc, shape, dtype) / dfnum
    return num / (jr.chisquare(k2, dfden, shape, dtype) / dfden)


def negative_binomial(key, n, p, shape, dtype):
    """Gamma-Poisson mixture: the number of failures before the ``n``-th success."""
    k1, k2 = jr.split(key)
    rate = jr.gamma(k1, jnp.broadcast_to(n, shape), shape) * ((1 - p) / p)
    return jr.poisson(k2, rate, shape, dtype)


def _rejection(key, shape, propose, init):
    """Vectorised rejection loop: redraw until every element has been accepted."""

    def cond(carry):
        return ~jnp.all(carry[2])

    def body(carry):
        key, value, done = carry
        key, sub = jr.split(key)
        new, accept = propose(sub)
        value = jnp.where(done, value, new)
        return key, value, done | accept

    done = jnp.zeros(shape, bool)
    return jax.lax.while_loop(cond, body, (key, init, done))[1]


def vonmises(key, mu, kappa, shape, dtype):
    """Best & Fisher (1979) rejection sampler, written without cancellation."""
    k = jnp.maximum(jnp.broadcast_to(kappa, shape).astype(dtype), 1e-8)
    root = jnp.sqrt(1 + 4 * k * k)
    r = 1 + root
    rho = 2 * k * r / ((root + 1) * (r + jnp.sqrt(2 * r)))
    s = (1 + rho * rho) / (2 * rho)

    def propose(sub):
        k1, k2 = jr.split(sub)
        z = jnp.cos(jnp.pi * jr.uniform(k1, shape, dtype))
        w = (1 + s * z) / (s + z)
        y = k * (s - w)
        v = uniform01(k2, shape, dtype)
        return w, (y * (2 - y) - v >= 0) | (jnp.log(y / v) + 1 - y >= 0)

    key, sub = jr.split(key)
    w = _rejection(key, shape, propose, jnp.zeros(shape, dtype))
    angle = jnp.arccos(jnp.clip(w, -1, 1))
    angle = jnp.where(jr.bernoulli(sub, 0.5, shape), angle, -angle) + mu
    return (angle + jnp.pi) % (2 * jnp.pi) - jnp.pi


def zipf(key, a, shape, dtype):
    """Devroye's rejection sampler (as NumPy)."""
    a = jnp.broadcast_to(a, shape).astype(environ.dftype())
    am1 = a - 1
    b = jnp.power(2.0, am1)
    big = float(min(np.iinfo(dtype).max, 2**53))

    def propose(sub):
        k1, k2 = jr.split(sub)
        x = jnp.floor(jnp.power(uniform01(k1, shape, a.dtype), -1 / am1))
        t = jnp.power(1 + 1 / x, am1)
        v = jr.uniform(k2, shape, a.dtype)
        ok = (x >= 1) & (x <= big) & (v * x * (t - 1) / (b - 1) <= t / b)
        return x, ok

    return _rejection(key, shape, propose, jnp.ones(shape, a.dtype)).astype(dtype)


def logseries(key, p, shape, dtype):
    """Kemp's second accelerated generator (as NumPy)."""
    fdt = environ.dftype()
    k1, k2 = jr.split(key)
    p = jnp.broadcast_to(p, shape).astype(fdt)
    v = uniform01(k1, shape, fdt)
    q = -jnp.expm1(jnp.log1p(-p) * uniform01(k2, shape, fdt))
    many = jnp.maximum(jnp.floor(1 + jnp.log(v) / jnp.log(q)), 1)
    out = jnp.where(v >= p, 1, jnp.where(v <= q * q, many, jnp.where(v >= q, 1, 2)))
    return out.astype(dtype)


def hypergeometric(key, ngood, nbad, nsample, shape, dtype):
    """Draw ``nsample`` balls one by one (loop length ``max(nsample)``)."""
    good = jnp.broadcast_to(ngood, shape).astype(jnp.int32)
    total = good + jnp.broadcast_to(nbad, shape).astype(jnp.int32)
    nsample = jnp.broadcast_to(nsample, shape).astype(jnp.int32)

    def body(carry):
        i, key, good, total, count = carry
        key, sub = jr.split(key)
        active = i < nsample
        hit = active & (jr.uniform(sub, shape) * total < good)
        return i + 1, key, good - hit, total - active, count + hit

    n_max = jnp.max(nsample) if nsample.size else 0
    carry = (0, key, good, total, jnp.zeros(shape, jnp.int32))
    carry = jax.lax.while_loop(lambda c: c[0] < n_max, body, carry)
    return carry[-1].astype(dtype)


def multivariate_normal(key, mean, cov, shape, method, dtype):
    return jr.multivariate_normal(key, mean, cov, shape, dtype, method)


def power(key, a, shape, dtype):
    return jnp.power(jr.uniform(key, shape, dtype), 1 / a)


def weibull(key, a, shape, dtype):
    return jnp.power(jr.exponential(key, shape, dtype), 1 / a)


def pareto(key, a, shape, dtype):
    """Pareto II (Lomax) as NumPy: ``exp(E / a) - 1`` with ``E`` standard exponential."""
    return jnp.expm1(jr.exponential(key, shape, dtype) / a)


def positive_int(where: str, name: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise BrainSimValueError(f"{where}: `{name}` must be a positive int, got {n!r}.")
    return int(n)


def category_count(where: str, p: Any) -> int:
    if p.ndim < 1 or p.shape[-1] < 1:
        raise BrainSimValueError(
            f"{where}: the probabilities need a last axis of categories, got shape {p.shape}."
        )
    return int(p.shape[-1])


def check_probs(where: str, name: str, p: Any) -> None:
    check(where, name, p, lambda v: (v >= 0) & (v <= 1), "probabilities in [0, 1]")
    check(
        where,
        name,
        p,
        lambda v: np.abs(v.sum(-1) - 1) < 1e-3 * max(1, v.shape[-1]) ** 0.5,
        "probabilities summing to 1 along the last axis",
    )
