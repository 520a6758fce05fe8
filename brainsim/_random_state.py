"""``RandomState``: a JAX PRNG key kept in a :class:`~brainsim.State`, with NumPy-like
samplers as methods. Part of :mod:`brainsim.random` (re-exported there, with the global
``DEFAULT`` instance and the module-level samplers)."""

from __future__ import annotations

import threading
import weakref
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np

from . import _random_dists as _d
from ._errors import BrainSimValueError
from ._state import State

__all__ = ["RandomState", "SeedOrKey", "Key", "DType", "Size"]

SeedOrKey = Any  # an int seed, a raw uint32[2] key or a typed JAX key
Key = SeedOrKey | None  # `key=` of the samplers: None means "split from the state"
DType = Any  # a dtype, or None for the environ default
Size = Any  # None, an int or a tuple of ints

_KEY_LOCK = threading.RLock()  # serialises the read-split-write of a key across threads
# state -> backed-up key; kept out of the State's attributes so that its metadata stays
# hashable (graph split/merge puts metadata into pytree aux data)
_BACKUPS: weakref.WeakKeyDictionary[State, Any] = weakref.WeakKeyDictionary()


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
    Every sampler takes ``size``, the output shape (an int or a tuple; ``None`` means the
    broadcast shape of the distribution parameters), ``key``, a key (or an int seed) to
    sample with *instead of* the state, which is then neither read nor advanced, and
    ``dtype``, the output dtype (default ``environ.dftype()`` for continuous samplers and
    ``environ.ditype()`` for integer ones).

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

    def __init__(self, seed_or_key: Key = None, name: str | None = None) -> None:
        super().__init__(_d.to_key(seed_or_key, "RandomState"), name=name)

    # ------------------------------------------------------------------ key management
    def seed(self, seed_or_key: Key = None) -> None:
        """Reset the key from an int seed or a key (``None``: from OS entropy)."""
        self.value = _d.to_key(seed_or_key, "RandomState.seed")

    def set_key(self, key: SeedOrKey) -> None:
        """Replace the key (a raw ``uint32[2]`` key, a typed key or an int seed)."""
        self.value = _d.as_key(key, "RandomState.set_key")

    def split_key(self, n: int | None = None, backup: bool = False) -> Any:
        """Advance the state; return one key ``(2,)``, or ``n`` keys ``(n, 2)``.

        ``n`` must be a positive int (else BrainSimValueError). ``backup=True`` first backs
        up the current key (see :meth:`restore_key`).
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

    def _key(self, key: Key) -> Any:
        """The key to sample with: split lazily from the state, or the given one."""
        return self.split_key if key is None else _d.as_key(key, "random (the `key=` argument)")

    # ------------------------------------------------------------------ uniform family
    def rand(self, *dn: int, key: Key = None, dtype: DType = None) -> jax.Array:
        """Uniform samples on ``[0, 1)`` of shape ``dn`` (``rand(2, 3)``)."""
        return _d.dist("rand", jr.uniform, self._key(key), {}, dn, dtype)

    def randn(self, *dn: int, key: Key = None, dtype: DType = None) -> jax.Array:
        """Standard normal samples of shape ``dn`` (``randn(2, 3)``)."""
        return _d.dist("randn", jr.normal, self._key(key), {}, dn, dtype)

    def random(self, size: Size = None, *, key: Key = None, dtype: DType = None) -> jax.Array:
        """Uniform samples on ``[0, 1)``."""
        return _d.dist("random", jr.uniform, self._key(key), {}, size, dtype)

    random_sample = ranf = sample = random  # NumPy's aliases of random

    def uniform(
        self,
        low: Any = 0.0,
        high: Any = 1.0,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
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
        >>> v.unit == u.mV, v.shape
        (True, (4,))
        >>> bool(((v >= -70 * u.mV) & (v < -50 * u.mV)).all())
        True
        >>> brainsim.random.uniform(size=2).dtype
        dtype('float32')
        """
        return _d.uniform(self._key(key), low, high, size, dtype)

    def randint(
        self, low: Any, high: Any = None, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """Integers in ``[low, high)``; ``randint(n)`` draws from ``[0, n)``."""
        return _d.randint(self._key(key), low, high, size, dtype)

    def random_integers(
        self, low: Any, high: Any = None, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """Integers in the closed interval ``[low, high]`` (``[1, low]`` without ``high``)."""
        low, high = (1, low) if high is None else (low, high)
        return _d.randint(self._key(key), low, jnp.asarray(high) + 1, size, dtype)

    def choice(
        self, a: Any, size: Size = None, replace: bool = True, p: Any = None, *, key: Key = None
    ) -> Any:
        """Random entries of the array ``a`` along axis 0 (of ``arange(a)`` for an int).

        ``size=None`` gives a single entry; ``p`` gives the probability of each entry (it
        must sum to 1). Units of ``a`` are kept.
        """
        return _d.choice(self._key(key), a, size, replace, p)

    def permutation(
        self, x: Any, axis: int = 0, independent: bool = False, *, key: Key = None
    ) -> Any:
        """A permuted copy of ``x`` along ``axis`` (of ``arange(x)`` for an int).

        ``independent=True`` permutes every slice along ``axis`` independently.
        """
        return _d.permutation(self._key(key), x, axis, independent)

    def shuffle(self, x: Any, axis: int = 0, *, key: Key = None) -> Any:
        """A shuffled copy of ``x`` along ``axis``.

        JAX arrays are immutable, so unlike NumPy the result is *returned*: write
        ``x = shuffle(x)``.
        """
        return _d.permutation(self._key(key), x, axis, False)

    # ------------------------------------------------------------------ continuous
    def normal(
        self,
        loc: Any = None,
        scale: Any = None,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> Any:
        """Normal (Gaussian) samples.

        Parameters
        ----------
        loc
            Mean (default 0). May be a Quantity; the result is then in its unit.
        scale
            Standard deviation (default 1, non-negative), in a unit of the same dimension
            as ``loc``.
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
        >>> v.unit == u.mV
        True
        """
        return _d.loc_scale("normal", jr.normal, self._key(key), loc, scale, size, dtype)

    def standard_normal(self, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Standard normal samples (mean 0, standard deviation 1)."""
        return _d.dist("standard_normal", jr.normal, self._key(key), {}, size, dtype)

    def laplace(
        self,
        loc: Any = None,
        scale: Any = None,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> Any:
        """Laplace samples; ``loc`` 0 and ``scale`` 1 by default (units as in :meth:`normal`)."""
        return _d.loc_scale("laplace", jr.laplace, self._key(key), loc, scale, size, dtype)

    def logistic(
        self,
        loc: Any = None,
        scale: Any = None,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> Any:
        """Logistic samples; ``loc`` 0 and ``scale`` 1 by default (units as in :meth:`normal`)."""
        return _d.loc_scale("logistic", jr.logistic, self._key(key), loc, scale, size, dtype)

    def gumbel(
        self,
        loc: Any = None,
        scale: Any = None,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> Any:
        """Gumbel samples; ``loc`` 0 and ``scale`` 1 by default (units as in :meth:`normal`)."""
        return _d.loc_scale("gumbel", jr.gumbel, self._key(key), loc, scale, size, dtype)

    def standard_cauchy(self, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Standard Cauchy (Lorentz) samples."""
        return _d.dist("standard_cauchy", jr.cauchy, self._key(key), {}, size, dtype)

    def truncated_normal(
        self,
        lower: Any,
        upper: Any,
        size: Size = None,
        loc: Any = None,
        scale: Any = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> Any:
        """Normal samples restricted to ``[lower, upper]``.

        ``loc`` (default 0) and ``scale`` (default 1) are the mean and standard deviation
        before truncation; the bounds are in the units of the samples (not standardised).
        All four may be Quantities of one dimension; the result is in the unit of ``loc``
        (else of ``scale``, else of ``lower``).
        """
        return _d.truncated_normal(self._key(key), lower, upper, size, loc, scale, dtype)

    def lognormal(
        self,
        mean: Any = 0.0,
        sigma: Any = 1.0,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> jax.Array:
        """Samples whose logarithm is normal with ``mean`` and ``sigma`` (plain numbers)."""
        params, checks = {"mean": mean, "sigma": sigma}, {"sigma": _d.NONNEG}
        return _d.dist("lognormal", _d.lognormal, self._key(key), params, size, dtype, checks)

    def exponential(
        self, scale: Any = 1.0, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> Any:
        """Exponential samples with mean ``scale`` (may carry a unit, e.g. ``10 * u.ms``)."""
        return _d.scaled("exponential", jr.exponential, self._key(key), {}, scale, size, dtype)

    def standard_exponential(
        self, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> Any:
        """Exponential samples with mean 1."""
        return _d.dist("standard_exponential", jr.exponential, self._key(key), {}, size, dtype)

    def rayleigh(
        self, scale: Any = 1.0, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> Any:
        """Rayleigh samples with mode ``scale`` (may carry a unit)."""
        return _d.scaled("rayleigh", _d.rayleigh, self._key(key), {}, scale, size, dtype)

    def gamma(
        self,
        shape: Any,
        scale: Any = 1.0,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> Any:
        """Gamma samples with ``shape`` > 0 and ``scale`` (may carry a unit)."""
        params, checks = {"shape": shape}, {"shape": _d.POS}
        return _d.scaled("gamma", jr.gamma, self._key(key), params, scale, size, dtype, checks)

    def standard_gamma(
        self, shape: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """Gamma samples with ``shape`` > 0 and scale 1."""
        params, checks = {"shape": shape}, {"shape": _d.POS}
        return _d.dist("standard_gamma", jr.gamma, self._key(key), params, size, dtype, checks)

    def weibull_min(
        self, a: Any, scale: Any = 1.0, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> Any:
        """Weibull samples with shape ``a`` > 0 and ``scale`` (may carry a unit)."""
        fn, k = _d.weibull_min, self._key(key)
        return _d.scaled("weibull_min", fn, k, {"a": a}, scale, size, dtype, {"a": _d.POS})

    def weibull(self, a: Any, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Weibull samples with shape ``a`` > 0 and scale 1 (as NumPy)."""
        return _d.dist("weibull", _d.weibull, self._key(key), {"a": a}, size, dtype, {"a": _d.POS})

    def beta(
        self, a: Any, b: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> Any:
        """Beta samples with shapes ``a`` > 0 and ``b`` > 0."""
        params, checks = {"a": a, "b": b}, {"a": _d.POS, "b": _d.POS}
        return _d.dist("beta", jr.beta, self._key(key), params, size, dtype, checks)

    def pareto(self, a: Any, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Pareto II (Lomax) samples with shape ``a`` > 0, as NumPy (support ``[0, inf)``).

        Add 1 to get the classical Pareto distribution with minimum 1.
        """
        return _d.dist("pareto", _d.pareto, self._key(key), {"a": a}, size, dtype, {"a": _d.POS})

    def power(self, a: Any, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Samples on ``[0, 1]`` with density ``a x^(a-1)`` (``a`` > 0)."""
        return _d.dist("power", _d.power, self._key(key), {"a": a}, size, dtype, {"a": _d.POS})

    def standard_t(
        self, df: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> Any:
        """Student's t samples with ``df`` > 0 degrees of freedom."""
        params, checks = {"df": df}, {"df": _d.POS}
        return _d.dist("standard_t", jr.t, self._key(key), params, size, dtype, checks)

    t = standard_t

    def chisquare(self, df: Any, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Chi-square samples with ``df`` > 0 degrees of freedom."""
        params, checks = {"df": df}, {"df": _d.POS}
        return _d.dist("chisquare", jr.chisquare, self._key(key), params, size, dtype, checks)

    def f(
        self, dfnum: Any, dfden: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """F (Fisher-Snedecor) samples with ``dfnum`` > 0 and ``dfden`` > 0."""
        params, checks = {"dfnum": dfnum, "dfden": dfden}, {"dfnum": _d.POS, "dfden": _d.POS}
        return _d.dist("f", jr.f, self._key(key), params, size, dtype, checks)

    def noncentral_chisquare(
        self, df: Any, nonc: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """Non-central chi-square samples (``df`` > 0, non-centrality ``nonc`` >= 0)."""
        params, checks = {"df": df, "nonc": nonc}, {"df": _d.POS, "nonc": _d.NONNEG}
        fn, k = _d.noncentral_chisquare, self._key(key)
        return _d.dist("noncentral_chisquare", fn, k, params, size, dtype, checks)

    def noncentral_f(
        self,
        dfnum: Any,
        dfden: Any,
        nonc: Any,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> jax.Array:
        """Non-central F samples (``dfnum``, ``dfden`` > 0, ``nonc`` >= 0)."""
        params = {"dfnum": dfnum, "dfden": dfden, "nonc": nonc}
        checks = {"dfnum": _d.POS, "dfden": _d.POS, "nonc": _d.NONNEG}
        return _d.dist("noncentral_f", _d.noncentral_f, self._key(key), params, size, dtype, checks)

    def loggamma(self, a: Any, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Logarithms of Gamma(``a``) samples, accurate for small ``a`` > 0."""
        return _d.dist(
            "loggamma", jr.loggamma, self._key(key), {"a": a}, size, dtype, {"a": _d.POS}
        )

    def maxwell(self, size: Size = None, *, key: Key = None, dtype: DType = None) -> jax.Array:
        """Maxwell-Boltzmann samples (norms of standard 3-d normal vectors)."""
        return _d.dist("maxwell", jr.maxwell, self._key(key), {}, size, dtype)

    def vonmises(
        self, mu: Any, kappa: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """Von Mises samples on ``[-pi, pi)`` with mode ``mu`` and concentration ``kappa`` >= 0."""
        params, checks = {"mu": mu, "kappa": kappa}, {"kappa": _d.NONNEG}
        return _d.dist("vonmises", _d.vonmises, self._key(key), params, size, dtype, checks)

    def triangular(
        self,
        left: Any,
        mode: Any,
        right: Any,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> Any:
        """Triangular samples on ``[left, right]`` peaking at ``mode`` (one shared unit)."""
        return _d.triangular(self._key(key), left, mode, right, size, dtype)

    def wald(
        self, mean: Any, scale: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> Any:
        """Wald (inverse Gaussian) samples; ``mean``, ``scale`` > 0 (one shared unit)."""
        return _d.wald(self._key(key), mean, scale, size, dtype)

    def multivariate_normal(
        self,
        mean: Any,
        cov: Any,
        size: Size = None,
        method: str = "cholesky",
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> Any:
        """Multivariate normal samples of shape ``size + (d,)``.

        ``mean`` has shape ``(..., d)`` and ``cov`` ``(..., d, d)``; ``method`` is
        ``'cholesky'``, ``'eigh'`` or ``'svd'``. If ``mean`` is a Quantity, ``cov`` must be
        in its unit squared.
        """
        return _d.multivariate_normal(self._key(key), mean, cov, size, method, dtype)

    def orthogonal(self, n: int, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Random orthogonal ``n x n`` matrices (Haar measure), shape ``size + (n, n)``."""
        n, w = _d.positive_int("random.orthogonal", "n", n), "random.orthogonal"
        shape, dtype = _d.out_shape(w, size), _d.float_dtype(dtype, w)
        return jr.orthogonal(_d.take(self._key(key)), n, shape, dtype)

    def dirichlet(
        self, alpha: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> Any:
        """Dirichlet samples of shape ``size + (k,)`` for concentrations ``alpha`` (..., k)."""
        return _d.dirichlet(self._key(key), alpha, size, dtype)

    # ------------------------------------------------------------------ discrete
    def bernoulli(self, p: Any = 0.5, size: Size = None, *, key: Key = None) -> jax.Array:
        """Booleans that are True with probability ``p`` in ``[0, 1]``."""
        fn, checks = _d.bernoulli, {"p": _d.PROB}
        return _d.dist("bernoulli", fn, self._key(key), {"p": p}, size, None, checks)

    def binomial(
        self, n: Any, p: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """Successes in ``n`` >= 0 trials of success probability ``p``."""
        params, checks = {"n": n, "p": p}, {"n": _d.NONNEG, "p": _d.PROB}
        return _d.dist("binomial", _d.binomial, self._key(key), params, size, dtype, checks, True)

    def poisson(
        self, lam: Any = 1.0, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> Any:
        """Poisson samples with rate ``lam`` >= 0."""
        params, checks = {"lam": lam}, {"lam": _d.NONNEG}
        return _d.dist("poisson", jr.poisson, self._key(key), params, size, dtype, checks, True)

    def geometric(self, p: Any, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Number of trials up to the first success (>= 1), success probability ``p``."""
        params, checks = {"p": p}, {"p": _d.PROB_POS}
        return _d.dist("geometric", jr.geometric, self._key(key), params, size, dtype, checks, True)

    def negative_binomial(
        self, n: Any, p: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """Failures before the ``n``-th success (``n`` > 0, ``p`` in (0, 1])."""
        params, checks = {"n": n, "p": p}, {"n": _d.POS, "p": _d.PROB_POS}
        fn, k = _d.negative_binomial, self._key(key)
        return _d.dist("negative_binomial", fn, k, params, size, dtype, checks, True)

    def hypergeometric(
        self,
        ngood: Any,
        nbad: Any,
        nsample: Any,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> jax.Array:
        """Good items among ``nsample`` drawn without replacement from ``ngood + nbad``.

        Runs a loop of ``max(nsample)`` steps: meant for moderate sample counts.
        """
        return _d.hypergeometric(self._key(key), ngood, nbad, nsample, size, dtype)

    def logseries(self, p: Any, size: Size = None, *, key: Key = None, dtype: DType = None) -> Any:
        """Logarithmic-series samples (>= 1) with ``p`` in (0, 1)."""
        params, checks = {"p": p}, {"p": (lambda v: (v > 0) & (v < 1), "in (0, 1)")}
        return _d.dist("logseries", _d.logseries, self._key(key), params, size, dtype, checks, True)

    def zipf(self, a: Any, size: Size = None, *, key: Key = None, dtype: DType = None) -> jax.Array:
        """Zipf (zeta) samples (>= 1) with exponent ``a`` > 1."""
        params, checks = {"a": a}, {"a": (lambda v: v > 1, "> 1")}
        return _d.dist("zipf", _d.zipf, self._key(key), params, size, dtype, checks, True)

    def multinomial(
        self, n: Any, pvals: Any, size: Size = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """Counts of ``n`` draws over categories ``pvals`` (..., k); shape ``size + (k,)``."""
        return _d.multinomial(self._key(key), n, pvals, size, dtype)

    def categorical(
        self,
        logits: Any,
        axis: int = -1,
        size: Size = None,
        *,
        key: Key = None,
        dtype: DType = None,
    ) -> jax.Array:
        """Category indices drawn with probabilities ``softmax(logits)`` along ``axis``."""
        return _d.categorical(self._key(key), logits, axis, size, dtype)

    # ------------------------------------------------------------------ like-style
    def rand_like(self, x: Any, *, key: Key = None, dtype: DType = None) -> jax.Array:
        """Uniform ``[0, 1)`` samples with the shape (and float dtype) of ``x``."""
        return self.random(np.shape(u.get_mantissa(x)), key=key, dtype=_d.float_like(x, dtype))

    def randn_like(self, x: Any, *, key: Key = None, dtype: DType = None) -> jax.Array:
        """Standard normal samples with the shape (and float dtype) of ``x``."""
        shape, dtype = np.shape(u.get_mantissa(x)), _d.float_like(x, dtype)
        return self.standard_normal(shape, key=key, dtype=dtype)

    def randint_like(
        self, x: Any, low: Any, high: Any = None, *, key: Key = None, dtype: DType = None
    ) -> jax.Array:
        """Integers in ``[low, high)`` (``[0, low)`` without ``high``) shaped like ``x``."""
        xd = getattr(x, "dtype", None)
        if dtype is None and xd is not None and jnp.issubdtype(xd, jnp.integer):
            dtype = xd
        return self.randint(low, high, np.shape(u.get_mantissa(x)), key=key, dtype=dtype)


#: The global random state used by the module-level samplers.
