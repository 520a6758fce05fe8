"""Random numbers whose generator state is a :class:`~brainsim.State`.

A :class:`RandomState` holds a raw JAX PRNG key (``uint32[2]``). Every draw splits it
(``key, sub = split(key)``), keeps ``key`` and samples with ``sub``; because the key is a
State, state-aware transforms thread it through ``jit``/``scan``/``vmap`` like any other
state, so two jitted calls give different numbers and replaying a seed gives the same ones.

The module-level samplers (``brainsim.random.normal(...)`` and so on) draw from the
global :data:`DEFAULT` state and take the same arguments as the methods of the same name
(``size``, ``key`` and ``dtype`` are described in :class:`RandomState`).

Location and scale parameters may carry units (``uniform``, ``normal``,
``truncated_normal``, ``laplace``, ``logistic``, ``gumbel``, ``triangular``, ``wald`` and the
``scale`` of ``exponential``, ``gamma``, ``rayleigh``, ``weibull_min``): the result is a
Quantity in the unit of the location (or of the scale when there is no location).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

# the samplers: module-level views of the RandomState methods, drawing from DEFAULT
_SAMPLERS = """
rand randn random random_sample ranf sample uniform randint random_integers choice
permutation shuffle normal standard_normal truncated_normal lognormal laplace logistic
gumbel standard_cauchy exponential standard_exponential rayleigh gamma standard_gamma
weibull weibull_min beta pareto power standard_t t chisquare f noncentral_chisquare
noncentral_f loggamma maxwell vonmises triangular wald multivariate_normal orthogonal
dirichlet bernoulli binomial poisson geometric negative_binomial hypergeometric logseries
zipf multinomial categorical rand_like randn_like randint_like
""".split()

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
    *_SAMPLERS,
]

from ._random_state import DType, Key, RandomState, SeedOrKey, Size  # noqa: E402,F401

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
    if isinstance(n, int | np.integer) and not isinstance(n, bool):
        np.random.seed(int(n))  # (a key, or a traced seed, leaves NumPy alone)


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
