"""Pure samplers and argument checks behind :mod:`brainsim.random`.

Every sampler here is a pure function ``f(key, *params, size, dtype)``. ``key`` is either a
raw ``uint32[2]`` JAX key or a zero-argument callable returning one: the callable is only
called once the arguments have been checked, so a rejected call does not advance a
:class:`~brainsim.random.RandomState`. Values are checked only when they are concrete
(inside ``jit`` the parameters are tracers and are not inspected).
"""

from __future__ import annotations

import functools
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


def to_key(seed_or_key: Any, where: str) -> Any:
    """``as_key``, or a key from OS entropy for ``None`` (a NumPy array: JAX stays idle)."""
    if seed_or_key is None:
        return np.random.SeedSequence().generate_state(2).astype(np.uint32)
    return as_key(seed_or_key, where)


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
    try:
        fits = tuple(jnp.broadcast_shapes(shape, bshape)) == shape
    except ValueError:
        fits = False
    if not fits:
        raise BrainSimValueError(
            f"{where}: the parameter shapes {shapes} do not broadcast to size={shape}."
        )
    return shape


def float_like(x: Any, dtype: Any) -> Any:
    """``dtype``, else the float dtype of ``x``, else None (the environ default)."""
    if dtype is not None:
        return dtype
    xd = getattr(u.get_mantissa(x), "dtype", None)
    if xd is None or not jnp.issubdtype(xd, jnp.floating):
        return None
    return jax.dtypes.canonicalize_dtype(xd)  # float64 -> float32 unless x64 is on


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
    except (TypeError, ValueError) as err:
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


# ----------------------------------------------------------------------------- drivers
Check = tuple[Callable[[np.ndarray], Any], str]
POS: Check = (lambda v: v > 0, "positive")
NONNEG: Check = (lambda v: v >= 0, "non-negative")
PROB: Check = (lambda v: (v >= 0) & (v <= 1), "a probability in [0, 1]")
PROB_POS: Check = (lambda v: (v > 0) & (v <= 1), "in (0, 1]")


def _checked(w: str, params: dict[str, Any], checks: dict[str, Check] | None) -> list[Any]:
    vals = {n: plain(w, n, p) for n, p in params.items()}
    for name, (ok, what) in (checks or {}).items():
        check(w, name, vals[name], ok, what)
    return list(vals.values())


# One compiled program per (sampler, shapes, dtype): eager calls then cost one dispatch
# instead of one compile and dispatch per elementary operation. ``sample`` must be a
# module-level function (it is a static argument: a fresh lambda would recompile).
@functools.partial(jax.jit, static_argnums=(0, 5, 6))
def _run(sample, key, vals, scale, loc, shape, dtype):
    r = sample(key, *vals, shape, dtype)
    if scale is not None:
        r = r * scale
    return r if loc is None else r + loc


def dist(name, sample, key, params, size, dtype, checks=None, integer=False) -> Any:
    """``sample(key, *params, shape, dtype)`` with plain (unitless) parameters."""
    w = f"random.{name}"
    dtype = int_dtype(dtype, w) if integer else float_dtype(dtype, w)
    vals = _checked(w, params, checks)
    return _run(sample, take(key), vals, None, None, out_shape(w, size, *vals), dtype)


def scaled(name, sample, key, params, scale, size, dtype, checks=None) -> Any:
    """Like :func:`dist`, times a ``scale`` that may carry a unit."""
    w = f"random.{name}"
    dtype = float_dtype(dtype, w)
    (s,), unit = shared_unit(w, {"scale": (scale, 1.0)}, dtype)
    check(w, "scale", s, *NONNEG)
    vals = _checked(w, params, checks)
    r = _run(sample, take(key), vals, s, None, out_shape(w, size, s, *vals), dtype)
    return with_unit(r, unit)


def loc_scale(name, sample, key, loc, scale, size, dtype) -> Any:
    """``loc + scale * sample(key, shape, dtype)``; ``loc`` and ``scale`` share a unit."""
    w = f"random.{name}"
    dtype = float_dtype(dtype, w)
    (m, s), unit = shared_unit(w, {"loc": (loc, 0.0), "scale": (scale, 1.0)}, dtype)
    check(w, "scale", s, *NONNEG)
    r = _run(sample, take(key), [], s, m, out_shape(w, size, m, s), dtype)
    return with_unit(r, unit)


def positive_int(where: str, name: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise BrainSimValueError(f"{where}: `{name}` must be a positive int, got {n!r}.")
    return int(n)


def _categories(w: str, name: str, p: Any) -> int:
    if p.ndim < 1 or p.shape[-1] < 1:
        raise BrainSimValueError(
            f"{w}: `{name}` needs a last axis of categories, got shape {p.shape}."
        )
    return int(p.shape[-1])


def _check_probs(w: str, name: str, p: Any) -> None:
    check(w, name, p, *PROB)
    total = lambda v: np.abs(v.sum(-1) - 1) < 1e-3 * max(1, v.shape[-1]) ** 0.5
    check(w, name, p, total, "probabilities summing to 1 along the last axis")


def _unit_of(x: Any) -> Any:
    return x.unit if isinstance(x, u.Quantity) and not x.is_unitless else None


# ----------------------------------------------------------------------------- samplers
def uniform(key, low, high, size, dtype) -> Any:
    w = "random.uniform"
    dtype = float_dtype(dtype, w)
    (lo, hi), unit = shared_unit(w, {"low": (low, 0.0), "high": (high, 1.0)}, dtype)
    shape = out_shape(w, size, lo, hi)
    check(w, "high", hi - lo, lambda v: v >= 0, ">= `low`")
    r = jr.uniform(take(key), shape, dtype, lo, hi)
    return with_unit(r, unit)


def randint(key, low, high, size, dtype) -> Any:
    w = "random.randint"
    if high is None:
        low, high = 0, low
    lo, hi = plain(w, "low", low), plain(w, "high", high)
    shape = out_shape(w, size, lo, hi)
    check(w, "high", hi - lo, lambda v: v > 0, "> `low`")
    return jr.randint(take(key), shape, lo, hi, int_dtype(dtype, w))


def choice(key, a, size, replace, p) -> Any:
    w = "random.choice"
    if isinstance(a, int | np.integer) and not isinstance(a, bool):
        n = arr = int(a)
        if n < 1:
            raise BrainSimValueError(f"{w}: `a` must be a positive int, got {n}.")
    else:
        arr = jnp.asarray(u.get_mantissa(a))
        if arr.ndim < 1:
            raise BrainSimValueError(f"{w}: `a` must be an int or an array, got a scalar.")
        n = arr.shape[0]
    shape = out_shape(w, size)
    if not replace and int(np.prod(shape)) > n:
        raise BrainSimValueError(
            f"{w}: cannot take {int(np.prod(shape))} samples from {n} without replacement."
        )
    if p is not None:
        p = plain(w, "p", p)
        if p.shape != (n,):
            raise BrainSimValueError(f"{w}: `p` must have shape ({n},), got {p.shape}.")
        _check_probs(w, "p", p)
    return with_unit(jr.choice(take(key), arr, shape, replace, p), _unit_of(a))


def permutation(key, x, axis, independent) -> Any:
    w = "random.permutation"
    unit = _unit_of(x)
    if not isinstance(x, int | np.integer):
        x = jnp.asarray(u.get_mantissa(x))
        if x.ndim < 1 or not -x.ndim <= axis < x.ndim:
            raise BrainSimValueError(f"{w}: `axis`={axis} is out of range for {x.shape}.")
    return with_unit(jr.permutation(take(key), x, axis, independent), unit)


def truncated_normal(key, lower, upper, size, loc, scale, dtype) -> Any:
    w = "random.truncated_normal"
    dtype = float_dtype(dtype, w)
    params = {"loc": (loc, 0.0), "scale": (scale, 1.0), "lower": (lower, None)}
    (m, s, lo, hi), unit = shared_unit(w, {**params, "upper": (upper, None)}, dtype)
    check(w, "scale", s, *POS)
    shape = out_shape(w, size, m, s, lo, hi)
    check(w, "upper", hi - lo, lambda v: v > 0, "> `lower`")
    r = _run(_std_truncated_normal, take(key), [(lo - m) / s, (hi - m) / s], s, m, shape, dtype)
    return with_unit(r, unit)


def _std_truncated_normal(key, a, b, shape, dtype):
    return jr.truncated_normal(key, a, b, shape, dtype)


def triangular(key, left, mode, right, size, dtype) -> Any:
    w = "random.triangular"
    dtype = float_dtype(dtype, w)
    params = {"left": (left, None), "mode": (mode, None), "right": (right, None)}
    (lo, mo, hi), unit = shared_unit(w, params, dtype)
    shape = out_shape(w, size, lo, mo, hi)
    check(w, "mode", mo - lo, lambda v: v >= 0, ">= `left`")
    check(w, "right", hi - mo, lambda v: v >= 0, ">= `mode`")
    check(w, "right", hi - lo, lambda v: v > 0, "> `left`")
    r = jr.triangular(take(key), lo, mo, hi, shape, dtype)
    return with_unit(r, unit)


def wald(key, mean, scale, size, dtype) -> Any:
    """Inverse Gaussian (Michael, Schucany & Haas 1976), in a cancellation-free form."""
    w = "random.wald"
    dtype = float_dtype(dtype, w)
    (mu, lam), unit = shared_unit(w, {"mean": (mean, None), "scale": (scale, None)}, dtype)
    check(w, "mean", mu, *POS)
    check(w, "scale", lam, *POS)
    shape = out_shape(w, size, mu, lam)
    return with_unit(_run(_wald, take(key), [mu, lam], None, None, shape, dtype), unit)


def _wald(key, mu, lam, shape, dtype):
    k1, k2 = jr.split(key)
    y = jnp.square(jr.normal(k1, shape, dtype))
    h = mu * y / (2 * lam)
    x = mu / (1 + h + jnp.sqrt(h * (h + 2)))  # = mu (1 + h - sqrt(h^2 + 2h))
    return jnp.where(jr.uniform(k2, shape, dtype) <= mu / (mu + x), x, mu * mu / x)


def multivariate_normal(key, mean, cov, size, method, dtype) -> Any:
    w = "random.multivariate_normal"
    dtype = float_dtype(dtype, w)
    if method not in ("cholesky", "eigh", "svd"):
        raise BrainSimValueError(
            f"{w}: `method` must be 'cholesky', 'eigh' or 'svd', got {method!r}."
        )
    (m,), unit = shared_unit(w, {"mean": (mean, None)}, dtype)
    if unit is not None:
        if not isinstance(cov, u.Quantity) or cov.dim != (unit**2).dim:
            raise BrainSimValueError(f"{w}: `mean` is in {unit}, so `cov` must be in {unit}^2.")
        cov = cov.to_decimal(unit**2)
    c = plain(w, "cov", cov, dtype)
    if m.ndim < 1 or c.ndim < 2 or c.shape[-2:] != (m.shape[-1],) * 2:
        raise BrainSimValueError(
            f"{w}: need `mean` of shape (..., d) and `cov` of shape (..., d, d), got "
            f"{m.shape} and {c.shape}."
        )
    shape = out_shape(w, size, m[..., 0], c[..., 0, 0])
    return with_unit(jr.multivariate_normal(take(key), m, c, shape, dtype, method), unit)


def dirichlet(key, alpha, size, dtype) -> Any:
    w = "random.dirichlet"
    alpha = plain(w, "alpha", alpha)
    _categories(w, "alpha", alpha)
    check(w, "alpha", alpha, *POS)
    shape = out_shape(w, size, alpha[..., 0])
    return jr.dirichlet(take(key), alpha, shape, float_dtype(dtype, w))


def multinomial(key, n, pvals, size, dtype) -> Any:
    w = "random.multinomial"
    n, pvals = plain(w, "n", n), plain(w, "pvals", pvals)
    k = _categories(w, "pvals", pvals)
    check(w, "n", n, *NONNEG)
    _check_probs(w, "pvals", pvals)
    batch = out_shape(w, size, n, pvals[..., 0])
    kk = take(key)
    try:  # jax >= 0.12: ``shape`` is the batch shape, the category axis is appended
        r = jr.multinomial(kk, n, pvals, shape=batch)
        ok = r.shape == batch + (k,)
    except (ValueError, TypeError):
        ok = False
    if not ok:  # older jax: ``shape`` includes the category axis
        r = jr.multinomial(kk, n, pvals, shape=batch + (k,))
    return r.astype(int_dtype(dtype, w))


def categorical(key, logits, axis, size, dtype) -> Any:
    w = "random.categorical"
    logits = plain(w, "logits", logits)
    _categories(w, "logits", logits)
    r = jr.categorical(take(key), logits, axis, size_to_shape(size, w))
    return r.astype(int_dtype(dtype, w))


def hypergeometric(key, ngood, nbad, nsample, size, dtype) -> Any:
    w = "random.hypergeometric"
    g, b, n = plain(w, "ngood", ngood), plain(w, "nbad", nbad), plain(w, "nsample", nsample)
    out_shape(w, size, g, b, n)
    check(w, "nsample", g + b - n, lambda v: v >= 0, "<= ngood + nbad")
    params = {"ngood": ngood, "nbad": nbad, "nsample": nsample}
    checks = dict.fromkeys(params, NONNEG)
    return dist("hypergeometric", _hypergeometric, key, params, size, dtype, checks, True)


def _hypergeometric(key, ngood, nbad, nsample, shape, dtype):
    """Draw ``nsample`` balls one by one (a loop of ``max(nsample)`` steps)."""
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
    return jax.lax.while_loop(lambda c: c[0] < n_max, body, carry)[-1].astype(dtype)


def uniform01(key: Any, shape: Shape, dtype: Any) -> Any:
    """Uniform on the open interval (0, 1)."""
    return jr.uniform(key, shape, dtype, minval=jnp.finfo(dtype).tiny, maxval=1.0)


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


def bernoulli(key, p, shape, dtype):
    return jr.bernoulli(key, p, shape)


def binomial(key, n, p, shape, dtype):
    return jr.binomial(key, n, p, shape).astype(dtype)


def rayleigh(key, shape, dtype):
    return jr.rayleigh(key, 1.0, shape, dtype)


def weibull_min(key, a, shape, dtype):
    return jr.weibull_min(key, 1.0, a, shape, dtype)


def power(key, a, shape, dtype):
    return jnp.power(jr.uniform(key, shape, dtype), 1 / a)


def weibull(key, a, shape, dtype):
    return jnp.power(jr.exponential(key, shape, dtype), 1 / a)


def pareto(key, a, shape, dtype):
    """Pareto II (Lomax) as NumPy: ``exp(E / a) - 1`` with ``E`` standard exponential."""
    return jnp.expm1(jr.exponential(key, shape, dtype) / a)


def lognormal(key, mean, sigma, shape, dtype):
    return jnp.exp(jr.normal(key, shape, dtype) * sigma + mean)


def _rejection(key, shape, propose, init):
    """Vectorised rejection loop: redraw until every element has been accepted."""

    def body(carry):
        key, value, done = carry
        key, sub = jr.split(key)
        new, accept = propose(sub)
        return key, jnp.where(done, value, new), done | accept

    carry = (key, init, jnp.zeros(shape, bool))
    return jax.lax.while_loop(lambda c: ~jnp.all(c[2]), body, carry)[1]


def vonmises(key, mu, kappa, shape, dtype):
    """Best & Fisher (1979) rejection sampler, written without cancellation."""
    k = jnp.maximum(jnp.broadcast_to(kappa, shape).astype(dtype), 1e-8)
    root = jnp.sqrt(1 + 4 * k * k)
    r = 1 + root
    rho = 2 * k * r / ((root + 1) * (r + jnp.sqrt(2 * r)))  # = (r - sqrt(2 r)) / (2 k)
    s = (1 + rho * rho) / (2 * rho)

    def propose(sub):
        k1, k2 = jr.split(sub)
        z = jnp.cos(jnp.pi * jr.uniform(k1, shape, dtype))
        w = (1 + s * z) / (s + z)
        y = k * (s - w)
        v = uniform01(k2, shape, dtype)
        return w, (y * (2 - y) - v >= 0) | (jnp.log(y / v) + 1 - y >= 0)

    key, sub = jr.split(key)
    angle = jnp.arccos(jnp.clip(_rejection(key, shape, propose, jnp.zeros(shape, dtype)), -1, 1))
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
        return x, (x >= 1) & (x <= big) & (v * x * (t - 1) / (b - 1) <= t / b)

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
