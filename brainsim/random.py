"""Random numbers whose generator state is a :class:`~brainsim.State`.

A :class:`RandomState` holds a raw JAX PRNG key (``uint32[2]``). Every draw splits it
(``key, sub = split(key)``), keeps ``key`` and samples with ``sub``; because the key is a
State, state-aware transforms thread it through ``jit``/``scan``/``vmap`` like any other
state, so two jitted calls give different numbers and replaying a seed gives the same ones.

The module-level samplers (``brainsim.random.normal(...)`` and so on) draw from the
global :data:`DEFAULT` state and take the same arguments as the methods of the same name.

Common sampler arguments
------------------------
size
    Output shape (an int or a tuple). ``None`` means the broadcast shape of the
    distribution parameters (a scalar for scalar parameters).
key
    A JAX key (or an int seed) to sample with *instead of* the state; the state is then
    neither read nor advanced.
dtype
    Output dtype. Defaults to ``brainsim.environ.dftype()`` for continuous samplers and
    ``brainsim.environ.ditype()`` for integer ones.

Location and scale parameters may carry units (``uniform``, ``normal``,
``truncated_normal``, ``laplace``, ``logistic``, ``gumbel``, ``triangular``, ``wald`` and the
``scale`` of ``exponential``, ``gamma``, ``rayleigh``, ``weibull_min``): the result is a
Quantity in the unit of the location (or of the scale when there is no location).
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np

from . import _random_dists as _d
from ._errors import BrainSimValueError
from ._state import State

__all__ = [
    "RandomState",
    "DEFAULT",
    "seed",
    "seed_context",
    "default_rng",
    "set_key",
    "get_key",
    "get_key_data",
    "split_key",
    "split_keys",
    "backup_key",
    "restore_key",
    # samplers (module-level views of the RandomState methods, drawing from DEFAULT)
    "rand",
    "randn",
    "random",
    "random_sample",
    "ranf",
    "sample",
    "uniform",
    "randint",
    "random_integers",
    "choice",
    "permutation",
    "shuffle",
    "normal",
    "standard_normal",
    "truncated_normal",
    "lognormal",
    "laplace",
    "logistic",
    "gumbel",
    "standard_cauchy",
    "exponential",
    "standard_exponential",
    "rayleigh",
    "gamma",
    "standard_gamma",
    "weibull",
    "weibull_min",
    "beta",
    "pareto",
    "power",
    "standard_t",
    "t",
    "chisquare",
    "f",
    "noncentral_chisquare",
    "noncentral_f",
    "loggamma",
    "maxwell",
    "vonmises",
    "triangular",
    "wald",
    "multivariate_normal",
    "orthogonal",
    "dirichlet",
    "bernoulli",
    "binomial",
    "poisson",
    "geometric",
    "negative_binomial",
    "hypergeometric",
    "logseries",
    "zipf",
    "multinomial",
    "categorical",
    "rand_like",
    "randn_like",
    "randint_like",
]

SeedOrKey = Any  # an int seed, a raw uint32[2] key or a typed JAX key
Size = Any  # None, an int or a tuple of ints

_KEY_LOCK = threading.RLock()  # serialises the read-split-write of a key across threads
# state -> backed-up key; kept out of the State's attributes so that its metadata stays
# hashable (graph split/merge puts metadata into pytree aux data)
_BACKUPS: weakref.WeakKeyDictionary[State, Any] = weakref.WeakKeyDictionary()


def _fresh_key() -> np.ndarray:
    """A key from OS entropy, as a NumPy array: creating it does not initialise JAX."""
    return np.random.SeedSequence().generate_state(2).astype(np.uint32)


def _to_key(seed_or_key: SeedOrKey | None, where: str) -> Any:
    return _fresh_key() if seed_or_key is None else _d.as_key(seed_or_key, where)


def _float_like(x: Any, dtype: Any) -> Any:
    if dtype is not None:
        return dtype
    xd = getattr(u.get_mantissa(x), "dtype", None)
    return xd if xd is not None and jnp.issubdtype(xd, jnp.floating) else None


class RandomState(State):
    """A PRNG key kept in a :class:`~brainsim.State`, with NumPy-like samplers.

    Parameters
    ----------
    seed_or_key
        An int seed in ``[0, 2**32)``, a raw ``uint32[2]`` key such as
        ``jax.random.PRNGKey(0)``, or a typed key (``jax.random.key(0)``, stored as its raw
        data). ``None`` draws a seed from OS entropy.
    name
        Optional name of the State.

    Notes
    -----
    Every sampler takes ``size`` (output shape; ``None`` means the broadcast shape of the
    parameters), ``key`` (sample with this key instead, without advancing the state) and
    ``dtype`` (default ``environ.dftype()`` or ``environ.ditype()``).

    Examples
    --------
    >>> import brainsim
    >>> rs = brainsim.random.RandomState(42)
    >>> rs.value
    array([ 0, 42], dtype=uint32)
    >>> x = rs.normal(size=(2, 3))
    >>> x.shape, x.dtype
    ((2, 3), dtype('float32'))
    >>> bool((rs.value != brainsim.random.RandomState(42).value).any())  # it advanced
    True
    >>> y = rs.uniform(size=3, key=0)  # an explicit key does not advance the state
    >>> isinstance(rs, brainsim.State)
    True
    """

    def __init__(self, seed_or_key: SeedOrKey | None = None, name: str | None = None) -> None:
        super().__init__(_to_key(seed_or_key, "RandomState"), name=name)

    # ------------------------------------------------------------------ key management
    def seed(self, seed_or_key: SeedOrKey | None = None) -> None:
        """Reset the key from an int seed or a key (``None``: from OS entropy)."""
        self.value = _to_key(seed_or_key, "RandomState.seed")

    def set_key(self, key: SeedOrKey) -> None:
        """Replace the key (a raw ``uint32[2]`` key, a typed key or an int seed)."""
        self.value = _d.as_key(key, "RandomState.set_key")

    def split_key(self, n: int | None = None, backup: bool = False) -> Any:
        """Advance the state and return one new key, or ``n`` keys stacked.

        Parameters
        ----------
        n
            ``None`` for a single key of shape ``(2,)``; a positive int for ``(n, 2)``.
        backup
            Back up the key as it was before the split (see :meth:`restore_key`).

        Raises
        ------
        BrainSimValueError
            ``n`` is not a positive int.
        """
        if n is not None:
            n = _d.positive_int("RandomState.split_key", "n", n)
        with _KEY_LOCK:
            if backup:
                self.backup_key()
            keys = jr.split(self.value, 2 if n is None else n + 1)
            self.value = keys[0]
        return keys[1] if n is None else keys[1:]

    def split_keys(self, n: int, backup: bool = False) -> Any:
        """Advance the state and return ``n`` keys (``n`` must be a positive int)."""
        return self.split_key(_d.positive_int("RandomState.split_keys", "n", n), backup)

    def clone(self) -> RandomState:
        """A new, independent RandomState seeded from a key split off this one."""
        return type(self)(self.split_key())

    def backup_key(self) -> None:
        """Remember the current key so that :meth:`restore_key` can return to it."""
        if self in _BACKUPS:
            raise BrainSimValueError(
                "RandomState.backup_key: the key is already backed up; call restore_key() "
                "before backing it up again."
            )
        _BACKUPS[self] = self.value

    def restore_key(self) -> None:
        """Return to the key saved by :meth:`backup_key` (and forget the backup)."""
        if self not in _BACKUPS:
            raise BrainSimValueError(
                "RandomState.restore_key: there is no backed-up key; call backup_key() "
                "(or split_key(backup=True)) first."
            )
        self.value = _BACKUPS.pop(self)

    def _key(self, key: SeedOrKey | None, where: str) -> Any:
        """The key to sample with: split lazily from the state, or the given one."""
        return self.split_key if key is None else _d.as_key(key, where)

    # ------------------------------------------------------------------ uniform family
    def rand(self, *dn: int, key: SeedOrKey | None = None, dtype: Any = None) -> jax.Array:
        """Uniform samples on ``[0, 1)`` with shape ``dn`` (``rand(2, 3)``)."""
        shape = _d.size_to_shape(dn, "random.rand")
        dtype = _d.float_dtype(dtype, "random.rand")
        return jr.uniform(_d.take(self._key(key, "random.rand")), shape, dtype)

    def randn(self, *dn: int, key: SeedOrKey | None = None, dtype: Any = None) -> jax.Array:
        """Standard normal samples with shape ``dn`` (``randn(2, 3)``)."""
        shape = _d.size_to_shape(dn, "random.randn")
        dtype = _d.float_dtype(dtype, "random.randn")
        return jr.normal(_d.take(self._key(key, "random.randn")), shape, dtype)

    def random(self, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None):
        """Uniform samples on ``[0, 1)``; ``size``, ``key``, ``dtype`` as in the class."""
        shape = _d.out_shape("random.random", size)
        dtype = _d.float_dtype(dtype, "random.random")
        return jr.uniform(_d.take(self._key(key, "random.random")), shape, dtype)

    def random_sample(self, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None):
        """Alias of :meth:`random`."""
        return self.random(size, key=key, dtype=dtype)

    def ranf(self, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None):
        """Alias of :meth:`random`."""
        return self.random(size, key=key, dtype=dtype)

    def sample(self, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None):
        """Alias of :meth:`random`."""
        return self.random(size, key=key, dtype=dtype)

    def uniform(
        self,
        low: Any = 0.0,
        high: Any = 1.0,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Uniform samples on ``[low, high)``.

        Parameters
        ----------
        low, high
            Bounds (arrays broadcast). They may be Quantities of one dimension; the result
            is then in the unit of ``low``. A plain ``0`` is accepted next to a Quantity.
        size, key, dtype
            See :class:`RandomState`.

        Returns
        -------
        Array or Quantity

        Examples
        --------
        >>> import brainunit as u
        >>> import brainsim
        >>> brainsim.random.seed(0)
        >>> v = brainsim.random.uniform(-70 * u.mV, -50 * u.mV, size=(4,))
        >>> v.unit, v.shape
        (mV, (4,))
        >>> bool(((v >= -70 * u.mV) & (v < -50 * u.mV)).all())
        True
        >>> brainsim.random.uniform(size=2).dtype
        dtype('float32')
        """
        w = "random.uniform"
        dtype = _d.float_dtype(dtype, w)
        (lo, hi), unit = _d.shared_unit(w, {"low": (low, 0.0), "high": (high, 1.0)}, dtype)
        _d.check(w, "high", hi - lo, lambda v: v >= 0, ">= `low`")
        shape = _d.out_shape(w, size, lo, hi)
        return _d.with_unit(jr.uniform(_d.take(self._key(key, w)), shape, dtype, lo, hi), unit)

    def randint(
        self,
        low: Any,
        high: Any = None,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> jax.Array:
        """Integers in ``[low, high)``; ``randint(n)`` draws from ``[0, n)``."""
        w = "random.randint"
        if high is None:
            low, high = 0, low
        lo, hi = _d.plain(w, "low", low), _d.plain(w, "high", high)
        _d.check(w, "high", hi - lo, lambda v: v > 0, "> `low`")
        dtype = _d.int_dtype(dtype, w)
        shape = _d.out_shape(w, size, lo, hi)
        return jr.randint(_d.take(self._key(key, w)), shape, lo, hi, dtype)

    def random_integers(
        self,
        low: Any,
        high: Any = None,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> jax.Array:
        """Integers in the closed interval ``[low, high]`` (``[1, low]`` if no ``high``)."""
        if high is None:
            low, high = 1, low
        return self.randint(low, jnp.asarray(high) + 1, size, key=key, dtype=dtype)

    def choice(
        self,
        a: Any,
        size: Size = None,
        replace: bool = True,
        p: Any = None,
        *,
        key: SeedOrKey | None = None,
    ) -> Any:
        """Random elements of ``a`` (or of ``arange(a)`` when ``a`` is an int).

        Parameters
        ----------
        a
            An int ``n`` (choose from ``0..n-1``) or an array (choose along axis 0; units
            are kept).
        size
            Output shape; ``None`` gives a single element.
        replace
            Draw with replacement.
        p
            Probabilities of each entry (must sum to 1).
        key
            See :class:`RandomState`.
        """
        w = "random.choice"
        if isinstance(a, int | np.integer) and not isinstance(a, bool):
            n, unit, arr = int(a), None, int(a)
            if n < 1:
                raise BrainSimValueError(f"{w}: `a` must be a positive int, got {n}.")
        else:
            unit = u.get_unit(a) if isinstance(a, u.Quantity) and not a.is_unitless else None
            arr = jnp.asarray(u.get_mantissa(a))
            if arr.ndim < 1:
                raise BrainSimValueError(f"{w}: `a` must be an int or an array, got a scalar.")
            n = arr.shape[0]
        shape = _d.out_shape(w, size)
        if not replace and int(np.prod(shape)) > n:
            raise BrainSimValueError(
                f"{w}: cannot take {int(np.prod(shape))} samples from {n} without replacement."
            )
        if p is not None:
            p = _d.plain(w, "p", p)
            if p.shape != (n,):
                raise BrainSimValueError(f"{w}: `p` must have shape ({n},), got {p.shape}.")
            _d.check_probs(w, "p", p)
        r = jr.choice(_d.take(self._key(key, w)), arr, shape, replace, p)
        return _d.with_unit(r, unit)

    def permutation(
        self,
        x: Any,
        axis: int = 0,
        independent: bool = False,
        *,
        key: SeedOrKey | None = None,
    ) -> Any:
        """A permuted copy of ``x`` along ``axis`` (of ``arange(x)`` for an int; units kept).

        ``independent=True`` permutes each slice along ``axis`` independently.
        """
        w = "random.permutation"
        unit = u.get_unit(x) if isinstance(x, u.Quantity) and not x.is_unitless else None
        if not isinstance(x, int | np.integer):
            x = jnp.asarray(u.get_mantissa(x))
            if not -x.ndim <= axis < max(x.ndim, 1):
                raise BrainSimValueError(f"{w}: `axis`={axis} is out of range for {x.shape}.")
        r = jr.permutation(_d.take(self._key(key, w)), x, axis, independent)
        return _d.with_unit(r, unit)

    def shuffle(self, x: Any, axis: int = 0, *, key: SeedOrKey | None = None) -> Any:
        """A shuffled copy of ``x`` along ``axis``.

        JAX arrays are immutable, so unlike NumPy the result is *returned*: write
        ``x = shuffle(x)``.
        """
        return self.permutation(x, axis, key=key)

    # ------------------------------------------------------------------ continuous
    def _loc_scale(
        self, w: str, base: Any, loc: Any, scale: Any, size: Any, key: SeedOrKey | None, dtype: Any
    ):
        dtype = _d.float_dtype(dtype, w)
        params = {"loc": (loc, 0.0), "scale": (scale, 1.0)}
        (m, s), unit = _d.shared_unit(w, params, dtype)
        _d.check(w, "scale", s, lambda v: v >= 0, "non-negative")
        shape = _d.out_shape(w, size, m, s)
        return _d.with_unit(base(_d.take(self._key(key, w)), shape, dtype) * s + m, unit)

    def normal(
        self,
        loc: Any = None,
        scale: Any = None,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Normal (Gaussian) samples.

        Parameters
        ----------
        loc
            Mean (default 0). May be a Quantity; the result is then in its unit.
        scale
            Standard deviation (default 1), non-negative, in a unit compatible with
            ``loc``.
        size, key, dtype
            See :class:`RandomState`.

        Returns
        -------
        Array or Quantity

        Examples
        --------
        >>> import brainunit as u
        >>> import brainsim
        >>> brainsim.random.seed(1)
        >>> x = brainsim.random.normal(size=(1000,))
        >>> x.shape, x.dtype, abs(float(x.mean())) < 0.2
        ((1000,), dtype('float32'), True)
        >>> v = brainsim.random.normal(-65 * u.mV, 2 * u.mV, size=3)
        >>> v.unit
        mV
        """
        return self._loc_scale("random.normal", jr.normal, loc, scale, size, key, dtype)

    def standard_normal(
        self, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ):
        """Standard normal samples (mean 0, standard deviation 1)."""
        return self.normal(None, None, size, key=key, dtype=dtype)

    def laplace(
        self,
        loc: Any = None,
        scale: Any = None,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Laplace (double exponential) samples; ``loc`` 0 and ``scale`` 1 by default.

        ``loc``/``scale`` may carry units (see :meth:`normal`).
        """
        return self._loc_scale("random.laplace", jr.laplace, loc, scale, size, key, dtype)

    def logistic(
        self,
        loc: Any = None,
        scale: Any = None,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ):
        """Logistic samples; ``loc`` 0 and ``scale`` 1 by default (units as in normal)."""
        return self._loc_scale("random.logistic", jr.logistic, loc, scale, size, key, dtype)

    def gumbel(
        self,
        loc: Any = None,
        scale: Any = None,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Gumbel samples; ``loc`` 0 and ``scale`` 1 by default (units as in normal)."""
        return self._loc_scale("random.gumbel", jr.gumbel, loc, scale, size, key, dtype)

    def standard_cauchy(
        self, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Standard Cauchy (Lorentz) samples."""
        return self._loc_scale("random.standard_cauchy", jr.cauchy, None, None, size, key, dtype)

    def truncated_normal(
        self,
        lower: Any,
        upper: Any,
        size: Size = None,
        loc: Any = None,
        scale: Any = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Normal samples restricted to ``[lower, upper]``.

        Parameters
        ----------
        lower, upper
            The bounds, in the same units as the samples (not standardised).
        size
            See :class:`RandomState`.
        loc, scale
            Mean (default 0) and standard deviation (default 1) before truncation. All four
            may be Quantities of one dimension; the result is in the unit of ``loc``
            (else of ``scale``, else of ``lower``).
        key, dtype
            See :class:`RandomState`.
        """
        w = "random.truncated_normal"
        dtype = _d.float_dtype(dtype, w)
        params = {
            "loc": (loc, 0.0),
            "scale": (scale, 1.0),
            "lower": (lower, None),
            "upper": (upper, None),
        }
        (m, s, lo, hi), unit = _d.shared_unit(w, params, dtype)
        _d.check(w, "scale", s, lambda v: v > 0, "positive")
        _d.check(w, "upper", hi - lo, lambda v: v > 0, "> `lower`")
        shape = _d.out_shape(w, size, m, s, lo, hi)
        r = _d.truncated_normal(_d.take(self._key(key, w)), lo, hi, m, s, shape, dtype)
        return _d.with_unit(r, unit)

    def lognormal(
        self,
        mean: Any = 0.0,
        sigma: Any = 1.0,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ):
        """Samples whose logarithm is normal with ``mean`` and ``sigma`` (both plain)."""
        w = "random.lognormal"
        dtype = _d.float_dtype(dtype, w)
        m, s = _d.plain(w, "mean", mean, dtype), _d.plain(w, "sigma", sigma, dtype)
        _d.check(w, "sigma", s, lambda v: v >= 0, "non-negative")
        shape = _d.out_shape(w, size, m, s)
        return jnp.exp(jr.normal(_d.take(self._key(key, w)), shape, dtype) * s + m)

    def _scaled(
        self,
        w: str,
        sample: Any,
        params: Any,
        scale: Any,
        size: Any,
        key: SeedOrKey | None,
        dtype: Any,
        checks: Any = (),
    ):
        """Samples of ``sample(key, *params, shape, dtype)`` times a (unit-carrying) scale."""
        dtype = _d.float_dtype(dtype, w)
        vals = [_d.plain(w, n, p, dtype) for n, p in params.items()]
        for name, ok, what in checks:
            _d.check(w, name, vals[list(params).index(name)], ok, what)
        (s,), unit = _d.shared_unit(w, {"scale": (scale, 1.0)}, dtype)
        _d.check(w, "scale", s, lambda v: v >= 0, "non-negative")
        shape = _d.out_shape(w, size, s, *vals)
        r = sample(_d.take(self._key(key, w)), *vals, shape, dtype)
        return _d.with_unit(r if scale is None else r * s, unit)

    def exponential(
        self,
        scale: Any = 1.0,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Exponential samples with mean ``scale`` (may carry a unit, e.g. ``10 * u.ms``)."""
        return self._scaled("random.exponential", jr.exponential, {}, scale, size, key, dtype)

    def standard_exponential(
        self, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Exponential samples with mean 1."""
        return self.exponential(None, size, key=key, dtype=dtype)

    def rayleigh(
        self,
        scale: Any = 1.0,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Rayleigh samples with mode ``scale`` (may carry a unit)."""
        fn = lambda k, shape, dt: jr.rayleigh(k, 1.0, shape, dt)
        return self._scaled("random.rayleigh", fn, {}, scale, size, key, dtype)

    def gamma(
        self,
        shape: Any,
        scale: Any = 1.0,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Gamma samples with shape ``shape`` (> 0) and ``scale`` (may carry a unit)."""
        chk = [("shape", lambda v: v > 0, "positive")]
        return self._scaled(
            "random.gamma", jr.gamma, {"shape": shape}, scale, size, key, dtype, chk
        )

    def standard_gamma(
        self, shape: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Gamma samples with shape ``shape`` and scale 1."""
        return self.gamma(shape, None, size, key=key, dtype=dtype)

    def weibull_min(
        self,
        a: Any,
        scale: Any = 1.0,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Weibull samples with shape ``a`` (> 0) and ``scale`` (may carry a unit)."""
        fn = lambda k, a, shape, dt: jr.weibull_min(k, 1.0, a, shape, dt)
        chk = [("a", lambda v: v > 0, "positive")]
        return self._scaled("random.weibull_min", fn, {"a": a}, scale, size, key, dtype, chk)

    def _dist(
        self,
        w: str,
        sample: Any,
        params: Any,
        size: Any,
        key: SeedOrKey | None,
        dtype: Any,
        checks: Any = (),
        integer: Any = False,
    ):
        """Samples of ``sample(key, *params, shape, dtype)`` with plain parameters."""
        dtype = _d.int_dtype(dtype, w) if integer else _d.float_dtype(dtype, w)
        vals = [_d.plain(w, n, p) for n, p in params.items()]
        for name, ok, what in checks:
            _d.check(w, name, vals[list(params).index(name)], ok, what)
        shape = _d.out_shape(w, size, *vals)
        return sample(_d.take(self._key(key, w)), *vals, shape, dtype)

    def weibull(
        self, a: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Weibull samples with shape ``a`` (> 0) and scale 1 (as NumPy)."""
        chk = [("a", lambda v: v > 0, "positive")]
        return self._dist("random.weibull", _d.weibull, {"a": a}, size, key, dtype, chk)

    def beta(
        self, a: Any, b: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Beta samples with shapes ``a`` > 0 and ``b`` > 0."""
        chk = [("a", lambda v: v > 0, "positive"), ("b", lambda v: v > 0, "positive")]
        return self._dist("random.beta", jr.beta, {"a": a, "b": b}, size, key, dtype, chk)

    def pareto(
        self, a: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Pareto II (Lomax) samples with shape ``a`` > 0, as NumPy (support ``[0, inf)``).

        Add 1 for the classical Pareto distribution with minimum 1.
        """
        chk = [("a", lambda v: v > 0, "positive")]
        return self._dist("random.pareto", _d.pareto, {"a": a}, size, key, dtype, chk)

    def power(
        self, a: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Power-function samples on ``[0, 1]`` with exponent ``a - 1`` (``a`` > 0)."""
        chk = [("a", lambda v: v > 0, "positive")]
        return self._dist("random.power", _d.power, {"a": a}, size, key, dtype, chk)

    def standard_t(
        self, df: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Student's t samples with ``df`` > 0 degrees of freedom."""
        chk = [("df", lambda v: v > 0, "positive")]
        return self._dist("random.standard_t", jr.t, {"df": df}, size, key, dtype, chk)

    def t(
        self, df: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Alias of :meth:`standard_t`."""
        return self.standard_t(df, size, key=key, dtype=dtype)

    def chisquare(
        self, df: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Chi-square samples with ``df`` > 0 degrees of freedom."""
        chk = [("df", lambda v: v > 0, "positive")]
        return self._dist("random.chisquare", jr.chisquare, {"df": df}, size, key, dtype, chk)

    def f(
        self,
        dfnum: Any,
        dfden: Any,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> jax.Array:
        """F (Fisher-Snedecor) samples with ``dfnum`` and ``dfden`` > 0."""
        chk = [("dfnum", lambda v: v > 0, "positive"), ("dfden", lambda v: v > 0, "positive")]
        params = {"dfnum": dfnum, "dfden": dfden}
        return self._dist("random.f", jr.f, params, size, key, dtype, chk)

    def noncentral_chisquare(
        self,
        df: Any,
        nonc: Any,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ):
        """Non-central chi-square samples (``df`` > 0, non-centrality ``nonc`` >= 0)."""
        chk = [("df", lambda v: v > 0, "positive"), ("nonc", lambda v: v >= 0, "non-negative")]
        w, fn = "random.noncentral_chisquare", _d.noncentral_chisquare
        return self._dist(w, fn, {"df": df, "nonc": nonc}, size, key, dtype, chk)

    def noncentral_f(
        self,
        dfnum: Any,
        dfden: Any,
        nonc: Any,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ):
        """Non-central F samples (``dfnum``, ``dfden`` > 0, ``nonc`` >= 0)."""
        chk = [
            ("dfnum", lambda v: v > 0, "positive"),
            ("dfden", lambda v: v > 0, "positive"),
            ("nonc", lambda v: v >= 0, "non-negative"),
        ]
        params = {"dfnum": dfnum, "dfden": dfden, "nonc": nonc}
        return self._dist("random.noncentral_f", _d.noncentral_f, params, size, key, dtype, chk)

    def loggamma(
        self, a: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Logarithms of Gamma(``a``) samples, accurate for small ``a`` (> 0)."""
        chk = [("a", lambda v: v > 0, "positive")]
        return self._dist("random.loggamma", jr.loggamma, {"a": a}, size, key, dtype, chk)

    def maxwell(
        self, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Maxwell-Boltzmann samples (the norm of a standard 3-d normal vector)."""
        return self._dist("random.maxwell", jr.maxwell, {}, size, key, dtype)

    def vonmises(
        self,
        mu: Any,
        kappa: Any,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> jax.Array:
        """Von Mises samples on ``[-pi, pi)``: mode ``mu`` and concentration ``kappa`` >= 0."""
        chk = [("kappa", lambda v: v >= 0, "non-negative")]
        params = {"mu": mu, "kappa": kappa}
        return self._dist("random.vonmises", _d.vonmises, params, size, key, dtype, chk)

    def triangular(
        self,
        left: Any,
        mode: Any,
        right: Any,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ):
        """Triangular samples on ``[left, right]`` peaking at ``mode`` (units allowed)."""
        w = "random.triangular"
        dtype = _d.float_dtype(dtype, w)
        params = {"left": (left, None), "mode": (mode, None), "right": (right, None)}
        (lo, mo, hi), unit = _d.shared_unit(w, params, dtype)
        _d.check(w, "mode", mo - lo, lambda v: v >= 0, ">= `left`")
        _d.check(w, "right", hi - mo, lambda v: v >= 0, ">= `mode`")
        _d.check(w, "right", hi - lo, lambda v: v > 0, "> `left`")
        shape = _d.out_shape(w, size, lo, mo, hi)
        r = jr.triangular(_d.take(self._key(key, w)), lo, mo, hi, shape, dtype)
        return _d.with_unit(r, unit)

    def wald(
        self,
        mean: Any,
        scale: Any,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Wald (inverse Gaussian) samples; ``mean``, ``scale`` > 0 (one shared unit)."""
        w = "random.wald"
        dtype = _d.float_dtype(dtype, w)
        (m, s), unit = _d.shared_unit(w, {"mean": (mean, None), "scale": (scale, None)}, dtype)
        _d.check(w, "mean", m, lambda v: v > 0, "positive")
        _d.check(w, "scale", s, lambda v: v > 0, "positive")
        shape = _d.out_shape(w, size, m, s)
        return _d.with_unit(_d.wald(_d.take(self._key(key, w)), m, s, shape, dtype), unit)

    def multivariate_normal(
        self,
        mean: Any,
        cov: Any,
        size: Size = None,
        method: str = "cholesky",
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> Any:
        """Multivariate normal samples of shape ``size + (d,)``.

        ``mean`` has shape ``(..., d)`` and ``cov`` ``(..., d, d)``; ``method`` is
        ``'cholesky'``, ``'eigh'`` or ``'svd'``. If ``mean`` is a Quantity, ``cov`` must be
        in its unit squared.
        """
        w = "random.multivariate_normal"
        dtype = _d.float_dtype(dtype, w)
        if method not in ("cholesky", "eigh", "svd"):
            raise BrainSimValueError(
                f"{w}: `method` must be 'cholesky', 'eigh' or 'svd', got {method!r}."
            )
        (m,), unit = _d.shared_unit(w, {"mean": (mean, None)}, dtype)
        if unit is not None:
            if not isinstance(cov, u.Quantity) or cov.dim != (unit**2).dim:
                raise BrainSimValueError(f"{w}: `mean` is in {unit}, so `cov` must be in {unit}^2.")
            cov = cov.to_decimal(unit**2)
        c = _d.plain(w, "cov", cov, dtype)
        if m.ndim < 1 or c.ndim < 2 or c.shape[-2:] != (m.shape[-1],) * 2:
            raise BrainSimValueError(
                f"{w}: need mean of shape (..., d) and cov of shape (..., d, d), got "
                f"{m.shape} and {c.shape}."
            )
        shape = _d.out_shape(w, size, m[..., 0], c[..., 0, 0])
        r = _d.multivariate_normal(_d.take(self._key(key, w)), m, c, shape, method, dtype)
        return _d.with_unit(r, unit)

    def orthogonal(
        self, n: int, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Random orthogonal ``n x n`` matrices (Haar measure), shape ``size + (n, n)``."""
        w = "random.orthogonal"
        n = _d.positive_int(w, "n", n)
        shape = _d.out_shape(w, size)
        return jr.orthogonal(_d.take(self._key(key, w)), n, shape, _d.float_dtype(dtype, w))

    def dirichlet(
        self, alpha: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Dirichlet samples of shape ``size + (k,)`` for concentrations ``alpha`` (..., k)."""
        w = "random.dirichlet"
        alpha = _d.plain(w, "alpha", alpha)
        _d.category_count(w, alpha)
        _d.check(w, "alpha", alpha, lambda v: v > 0, "positive")
        shape = _d.out_shape(w, size, alpha[..., 0])
        dtype = _d.float_dtype(dtype, w)
        return jr.dirichlet(_d.take(self._key(key, w)), alpha, shape, dtype)

    # ------------------------------------------------------------------ discrete
    def bernoulli(
        self, p: Any = 0.5, size: Size = None, *, key: SeedOrKey | None = None
    ) -> jax.Array:
        """Boolean samples that are True with probability ``p`` in ``[0, 1]``."""
        w = "random.bernoulli"
        p = _d.plain(w, "p", p)
        _d.check(w, "p", p, lambda v: (v >= 0) & (v <= 1), "a probability in [0, 1]")
        shape = _d.out_shape(w, size, p)
        return jr.bernoulli(_d.take(self._key(key, w)), p, shape)

    def binomial(
        self, n: Any, p: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Binomial samples: successes in ``n`` >= 0 trials of probability ``p``."""
        fn = lambda k, n, p, shape, dt: jr.binomial(k, n, p, shape).astype(dt)
        chk = [
            ("n", lambda v: v >= 0, "non-negative"),
            ("p", lambda v: (v >= 0) & (v <= 1), "a probability in [0, 1]"),
        ]
        return self._dist("random.binomial", fn, {"n": n, "p": p}, size, key, dtype, chk, True)

    def poisson(
        self, lam: Any = 1.0, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Poisson samples with rate ``lam`` >= 0."""
        chk = [("lam", lambda v: v >= 0, "non-negative")]
        return self._dist("random.poisson", jr.poisson, {"lam": lam}, size, key, dtype, chk, True)

    def geometric(
        self, p: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Number of trials up to the first success (>= 1), success probability ``p``."""
        chk = [("p", lambda v: (v > 0) & (v <= 1), "in (0, 1]")]
        return self._dist("random.geometric", jr.geometric, {"p": p}, size, key, dtype, chk, True)

    def negative_binomial(
        self, n: Any, p: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Failures before the ``n``-th success (``n`` > 0, ``p`` in (0, 1])."""
        chk = [("n", lambda v: v > 0, "positive"), ("p", lambda v: (v > 0) & (v <= 1), "in (0, 1]")]
        w, fn = "random.negative_binomial", _d.negative_binomial
        return self._dist(w, fn, {"n": n, "p": p}, size, key, dtype, chk, True)

    def hypergeometric(
        self,
        ngood: Any,
        nbad: Any,
        nsample: Any,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ):
        """Good items among ``nsample`` drawn without replacement from ``ngood + nbad``.

        Runs a loop of ``max(nsample)`` steps: meant for moderate sample counts.
        """
        w = "random.hypergeometric"
        nonneg = lambda v: v >= 0
        chk = [(n, nonneg, "non-negative") for n in ("ngood", "nbad", "nsample")]
        room = _d.plain(w, "ngood", ngood) + _d.plain(w, "nbad", nbad)
        _d.check(w, "nsample", room - _d.plain(w, "nsample", nsample), nonneg, "<= ngood + nbad")
        params = {"ngood": ngood, "nbad": nbad, "nsample": nsample}
        return self._dist(w, _d.hypergeometric, params, size, key, dtype, chk, True)

    def logseries(
        self, p: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Logarithmic-series samples (>= 1) with ``p`` in (0, 1)."""
        chk = [("p", lambda v: (v > 0) & (v < 1), "in (0, 1)")]
        return self._dist("random.logseries", _d.logseries, {"p": p}, size, key, dtype, chk, True)

    def zipf(
        self, a: Any, size: Size = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ) -> jax.Array:
        """Zipf (zeta) samples (>= 1) with exponent ``a`` > 1."""
        chk = [("a", lambda v: v > 1, "> 1")]
        return self._dist("random.zipf", _d.zipf, {"a": a}, size, key, dtype, chk, True)

    def multinomial(
        self,
        n: Any,
        pvals: Any,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ) -> jax.Array:
        """Counts of ``n`` draws over categories ``pvals`` (..., k); shape ``size + (k,)``."""
        w = "random.multinomial"
        n, pvals = _d.plain(w, "n", n), _d.plain(w, "pvals", pvals)
        k = _d.category_count(w, pvals)
        _d.check(w, "n", n, lambda v: v >= 0, "non-negative")
        _d.check_probs(w, "pvals", pvals)
        shape = _d.out_shape(w, size, n, pvals[..., 0]) + (k,)
        r = jr.multinomial(_d.take(self._key(key, w)), n, pvals, shape=shape)
        return r.astype(_d.int_dtype(dtype, w))

    def categorical(
        self,
        logits: Any,
        axis: int = -1,
        size: Size = None,
        *,
        key: SeedOrKey | None = None,
        dtype: Any = None,
    ):
        """Category indices drawn with probabilities ``softmax(logits)`` along ``axis``."""
        w = "random.categorical"
        logits = _d.plain(w, "logits", logits)
        if logits.ndim < 1:
            raise BrainSimValueError(f"{w}: `logits` needs at least one axis of categories.")
        shape = _d.size_to_shape(size, w)
        r = jr.categorical(_d.take(self._key(key, w)), logits, axis, shape)
        return r.astype(_d.int_dtype(dtype, w))

    # ------------------------------------------------------------------ like-style
    def rand_like(self, x: Any, *, key: SeedOrKey | None = None, dtype: Any = None) -> jax.Array:
        """Uniform ``[0, 1)`` samples with the shape of ``x`` (and its float dtype)."""
        return self.random(np.shape(u.get_mantissa(x)), key=key, dtype=_float_like(x, dtype))

    def randn_like(self, x: Any, *, key: SeedOrKey | None = None, dtype: Any = None) -> jax.Array:
        """Standard normal samples with the shape of ``x`` (and its float dtype)."""
        return self.normal(size=np.shape(u.get_mantissa(x)), key=key, dtype=_float_like(x, dtype))

    def randint_like(
        self, x: Any, low: Any, high: Any = None, *, key: SeedOrKey | None = None, dtype: Any = None
    ):
        """Integers in ``[low, high)`` (``[0, low)`` without ``high``) shaped like ``x``."""
        xd = getattr(x, "dtype", None)
        if dtype is None and xd is not None and jnp.issubdtype(xd, jnp.integer):
            dtype = xd
        return self.randint(low, high, np.shape(u.get_mantissa(x)), key=key, dtype=dtype)


#: The global random state used by the module-level samplers.
DEFAULT = RandomState()


# ---------------------------------------------------------------------- module functions
def seed(n: int | None = None) -> None:
    """Reseed :data:`DEFAULT`; with an int ``n``, also seed NumPy's global generator.

    Parameters
    ----------
    n
        An int in ``[0, 2**32)``, or ``None`` for a seed from OS entropy (NumPy's generator
        is then left alone).

    Examples
    --------
    >>> import brainsim
    >>> brainsim.random.seed(42)
    >>> a = brainsim.random.rand(3)
    >>> brainsim.random.seed(42)
    >>> b = brainsim.random.rand(3)
    >>> bool((a == b).all())
    True
    """
    DEFAULT.seed(n)
    if n is not None and not isinstance(n, jax.core.Tracer):
        np.random.seed(int(n))


@contextlib.contextmanager
def seed_context(n: int) -> Iterator[None]:
    """Seed :data:`DEFAULT` and NumPy temporarily; both states are restored on exit.

    Examples
    --------
    >>> import brainsim
    >>> with brainsim.random.seed_context(7):
    ...     a = brainsim.random.normal(size=2)
    >>> with brainsim.random.seed_context(7):
    ...     b = brainsim.random.normal(size=2)
    >>> bool((a == b).all())
    True
    """
    old_key, old_np = DEFAULT.value, np.random.get_state()
    seed(n)
    try:
        yield
    finally:
        DEFAULT.value = old_key
        np.random.set_state(old_np)


def default_rng(seed: SeedOrKey | None = None) -> RandomState:
    """:data:`DEFAULT` when ``seed`` is None, otherwise a new :class:`RandomState`."""
    return DEFAULT if seed is None else RandomState(seed)


def set_key(key: SeedOrKey) -> None:
    """Replace the key of :data:`DEFAULT`."""
    DEFAULT.set_key(key)


def get_key() -> jax.Array:
    """The current key of :data:`DEFAULT` (a raw ``uint32[2]`` array)."""
    return jnp.asarray(DEFAULT.value)


def get_key_data() -> jax.Array:
    """The raw ``uint32`` data of the key of :data:`DEFAULT` (keys are stored raw)."""
    return get_key()


def split_key(n: int | None = None, backup: bool = False) -> jax.Array:
    """Advance :data:`DEFAULT`; return one key, or ``n`` keys (see RandomState.split_key)."""
    return DEFAULT.split_key(n, backup)


def split_keys(n: int, backup: bool = False) -> jax.Array:
    """Advance :data:`DEFAULT` and return ``n`` keys (a positive int)."""
    return DEFAULT.split_keys(n, backup)


def backup_key() -> None:
    """Back up the key of :data:`DEFAULT`."""
    DEFAULT.backup_key()


def restore_key() -> None:
    """Restore the backed-up key of :data:`DEFAULT`."""
    DEFAULT.restore_key()


def _bind(name: str) -> Callable[..., Any]:
    """A module-level function drawing from DEFAULT, documented like the method."""
    method = getattr(RandomState, name)

    def fn(*args: Any, **kwargs: Any) -> Any:
        return getattr(DEFAULT, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = method.__doc__
    sig = inspect.signature(method)
    fn.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])
    return fn


rand = _bind("rand")
randn = _bind("randn")
random = _bind("random")
random_sample = _bind("random_sample")
ranf = _bind("ranf")
sample = _bind("sample")
uniform = _bind("uniform")
randint = _bind("randint")
random_integers = _bind("random_integers")
choice = _bind("choice")
permutation = _bind("permutation")
shuffle = _bind("shuffle")
normal = _bind("normal")
standard_normal = _bind("standard_normal")
truncated_normal = _bind("truncated_normal")
lognormal = _bind("lognormal")
laplace = _bind("laplace")
logistic = _bind("logistic")
gumbel = _bind("gumbel")
standard_cauchy = _bind("standard_cauchy")
exponential = _bind("exponential")
standard_exponential = _bind("standard_exponential")
rayleigh = _bind("rayleigh")
gamma = _bind("gamma")
standard_gamma = _bind("standard_gamma")
weibull = _bind("weibull")
weibull_min = _bind("weibull_min")
beta = _bind("beta")
pareto = _bind("pareto")
power = _bind("power")
standard_t = _bind("standard_t")
t = _bind("t")
chisquare = _bind("chisquare")
f = _bind("f")
noncentral_chisquare = _bind("noncentral_chisquare")
noncentral_f = _bind("noncentral_f")
loggamma = _bind("loggamma")
maxwell = _bind("maxwell")
vonmises = _bind("vonmises")
triangular = _bind("triangular")
wald = _bind("wald")
multivariate_normal = _bind("multivariate_normal")
orthogonal = _bind("orthogonal")
dirichlet = _bind("dirichlet")
bernoulli = _bind("bernoulli")
binomial = _bind("binomial")
poisson = _bind("poisson")
geometric = _bind("geometric")
negative_binomial = _bind("negative_binomial")
hypergeometric = _bind("hypergeometric")
logseries = _bind("logseries")
zipf = _bind("zipf")
multinomial = _bind("multinomial")
categorical = _bind("categorical")
rand_like = _bind("rand_like")
randn_like = _bind("randn_like")
randint_like = _bind("randint_like")
