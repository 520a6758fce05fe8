r"""Spike functions with surrogate gradients.

A spiking neuron emits :math:`H(V - V_{th})`; the Heaviside step :math:`H` has zero
derivative almost everywhere, so training replaces its derivative by a smooth *surrogate
gradient*. Every class here is a callable whose forward pass is the exact step
(``x >= 0``, so 1.0 at exactly 0) and whose derivative under :func:`jax.grad`,
:func:`jax.jvp`, :func:`jax.jit` and :func:`jax.vmap` is :meth:`Surrogate.surrogate_grad`.
Each class has a functional twin in snake_case: ``sigmoid(x, alpha=4.0)`` is
``Sigmoid(alpha=4.0)(x)``.

Inputs are plain arrays (anything :func:`jax.numpy.asarray` accepts). brainunit
Quantities with a unit are rejected; convert first, e.g. ``(V - V_th).to_decimal(u.mV)``
(a dimensionless ratio such as ``(V - V_th) / u.mV`` is already a plain array).
Parameters are static Python numbers fixed at construction: they are validated, hashed
and compared, and gradients with respect to them are not tracked.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.special import erf as _erf
from jax.typing import ArrayLike

from ._errors import BrainSimTypeError, BrainSimValueError

# fmt: off
__all__ = [
    "Surrogate",
    "Sigmoid", "sigmoid",
    "PiecewiseQuadratic", "piecewise_quadratic",
    "PiecewiseExp", "piecewise_exp",
    "SoftSign", "soft_sign",
    "Arctan", "arctan",
    "NonzeroSignLog", "nonzero_sign_log",
    "ERF", "erf",
    "PiecewiseLeakyRelu", "piecewise_leaky_relu",
    "SquarewaveFourierSeries", "squarewave_fourier_series",
    "S2NN", "s2nn",
    "QPseudoSpike", "q_pseudo_spike",
    "LeakyRelu", "leaky_relu",
    "LogTailedRelu", "log_tailed_relu",
    "ReluGrad", "relu_grad",
    "GaussianGrad", "gaussian_grad",
    "MultiGaussianGrad", "multi_gaussian_grad",
    "InvSquareGrad", "inv_square_grad",
    "SlayerGrad", "slayer_grad",
]
# fmt: on


# --------------------------------------------------------------------------- helpers


def _as_float(x: ArrayLike, owner: str = "Surrogate") -> jax.Array:
    """``x`` as a JAX array of a real float dtype (bool/int promoted to the default float)."""
    if hasattr(x, "mantissa") and hasattr(x, "unit"):
        raise BrainSimTypeError(
            f"{owner}: expected a plain array, got a brainunit Quantity with unit "
            f"{x.unit}. Convert it first, e.g. `(V - V_th).to_decimal(u.mV)`."
        )
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.complexfloating):
        raise BrainSimTypeError(f"{owner}: expected a real array, got dtype {x.dtype}.")
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.result_type(float))
    return x


def _real(obj: object, name: str, value: Any, *, positive: bool = True) -> float:
    """Validate a scalar parameter and return it as a Python float."""
    owner = type(obj).__name__
    kind = "positive" if positive else "non-negative"
    try:
        if isinstance(value, (bool, str, bytes)) or getattr(value, "ndim", 0) != 0:
            raise TypeError
        out = float(value)
    except Exception:
        raise BrainSimTypeError(
            f"{owner}({name}=...): expected a {kind} finite real number such as "
            f"{name}=1.0, got {type(value).__name__} {value!r}."
        ) from None
    if not math.isfinite(out) or out < 0 or (positive and out == 0):
        raise BrainSimValueError(
            f"{owner}({name}=...): expected a {kind} finite real number, got {out!r}."
        )
    return out


def _count(obj: object, name: str, value: Any) -> int:
    """Validate a positive integer parameter."""
    owner = type(obj).__name__
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise BrainSimTypeError(
            f"{owner}({name}=...): expected a positive int such as {name}=2, "
            f"got {type(value).__name__} {value!r}."
        )
    if int(value) < 1:
        raise BrainSimValueError(f"{owner}({name}=...): expected a positive int, got {value!r}.")
    return int(value)


def _odd(x: jax.Array, mag: jax.Array) -> jax.Array:
    """``1/2 + sign(x) * mag``, written so that autodiff gets the slope at 0 (``sign'`` is 0)."""
    return 0.5 + jnp.where(x < 0, -mag, mag)


@functools.partial(jax.custom_jvp, nondiff_argnums=(0,))
def _spike(surrogate: Surrogate, x: jax.Array) -> jax.Array:
    return (x >= 0).astype(x.dtype)


@_spike.defjvp
def _spike_jvp(
    surrogate: Surrogate, primals: tuple[jax.Array], tangents: tuple[jax.Array]
) -> tuple[jax.Array, jax.Array]:
    (x,), (t,) = primals, tangents
    grad = jnp.asarray(surrogate.surrogate_grad(x), dtype=x.dtype)
    return _spike(surrogate, x), (grad * t).astype(x.dtype)


# --------------------------------------------------------------------------- base


class Surrogate:
    r"""Heaviside spike function whose derivative is a surrogate gradient.

    Calling the object gives :math:`H(x) = 1` if :math:`x \ge 0` else :math:`0`, in the
    input's float dtype (bool and integer inputs are promoted to the default float
    dtype). Its derivative, under every JAX transform (``grad``, ``jvp``, ``jit``,
    ``vmap``), is :meth:`surrogate_grad`; it is implemented with :func:`jax.custom_jvp`.

    A subclass stores each ``__init__`` argument under its own name (as a static,
    hashable Python number) and implements :meth:`surrogate_grad`, plus
    :meth:`surrogate_fun` when the surrogate has a closed-form primitive. Equality,
    hashing and ``repr`` go by type and those ``__init__`` arguments, so two equal
    surrogates share ``jit`` caches. Treat instances as immutable.

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> from brainsim import surrogate
    >>> class Triangle(surrogate.Surrogate):
    ...     def __init__(self, width: float = 1.0):
    ...         self.width = width
    ...     def surrogate_grad(self, x):
    ...         return jnp.maximum(1.0 - jnp.abs(x) / self.width, 0.0) / self.width
    >>> tri = Triangle(0.5)
    >>> tri
    Triangle(width=0.5)
    >>> tri(jnp.array([-1.0, 0.0, 0.25]))
    Array([0., 1., 1.], dtype=float32)
    >>> jax.grad(lambda v: tri(v).sum())(jnp.array([0.0, 0.25, 1.0]))
    Array([2., 1., 0.], dtype=float32)
    >>> tri == Triangle(0.5), tri == Triangle(1.0)
    (True, False)
    """

    _params: tuple[str, ...] = ()  # the __init__ argument names, set per subclass

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        args = list(inspect.signature(cls.__init__).parameters.values())[1:]
        cls._params = tuple(
            a.name for a in args if a.kind in (a.POSITIONAL_OR_KEYWORD, a.KEYWORD_ONLY)
        )

    def __call__(self, x: ArrayLike) -> jax.Array:
        """Heaviside step of ``x`` (1.0 where ``x >= 0``) with the surrogate derivative."""
        return _spike(self, _as_float(x, type(self).__name__))

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        """The surrogate derivative :math:`g'(x)`, elementwise, in ``x``'s float dtype."""
        raise NotImplementedError(f"{type(self).__name__} must implement surrogate_grad(x).")

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        """The smooth primitive :math:`g(x)`: 0.5 at 0, with derivative ``surrogate_grad``."""
        raise NotImplementedError(
            f"{type(self).__name__} has no closed-form surrogate_fun; only the spike "
            f"(call the object) and surrogate_grad(x) are available."
        )

    def _key(self) -> tuple[Any, ...]:
        return (type(self), *(getattr(self, p) for p in self._params))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Surrogate):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        args = ", ".join(f"{p}={getattr(self, p)!r}" for p in self._params)
        return f"{type(self).__name__}({args})"


# --------------------------------------------------------------------------- catalogue


class Sigmoid(Surrogate):
    r"""Sigmoid surrogate: the logistic function's derivative.

    .. math:: g(x) = \sigma(\alpha x), \qquad g'(x) = \alpha\,\sigma(\alpha x)(1-\sigma(\alpha x))

    Parameters
    ----------
    alpha : float
        Positive steepness (default 4.0); :math:`g'(0) = \alpha/4`.

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> from brainsim import surrogate
    >>> f = surrogate.Sigmoid(alpha=4.0)
    >>> f
    Sigmoid(alpha=4.0)
    >>> f(jnp.array([-1.0, 0.0, 1.0]))
    Array([0., 1., 1.], dtype=float32)
    >>> jax.grad(lambda x: f(x).sum())(jnp.array([0.0, 1.0]))
    Array([1.     , 0.07065...], dtype=float32)
    """

    def __init__(self, alpha: float = 4.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        s = jax.nn.sigmoid(self.alpha * _as_float(x))
        return self.alpha * s * (1.0 - s)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        return jax.nn.sigmoid(self.alpha * _as_float(x))


class PiecewiseQuadratic(Surrogate):
    r"""Piecewise quadratic surrogate (Esser et al. 2016; Bellec et al. 2018).

    .. math:: g'(x) = \max(\alpha - \alpha^2 |x|,\ 0)
        \quad (\text{zero for } |x| > 1/\alpha)

    with primitive :math:`g(x) = \alpha x (1 - \alpha|x|/2) + 1/2` on
    :math:`|x| \le 1/\alpha`, 0 below and 1 above.

    Parameters
    ----------
    alpha : float
        Positive; the support is :math:`[-1/\alpha, 1/\alpha]` (default 1.0).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        x, a = _as_float(x), self.alpha
        return jnp.where(jnp.abs(x) > 1.0 / a, 0.0, a - a * a * jnp.abs(x))

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x, a = _as_float(x), self.alpha
        inner = a * x * (1.0 - a * jnp.abs(x) / 2.0) + 0.5
        return jnp.where(x < -1.0 / a, 0.0, jnp.where(x > 1.0 / a, 1.0, inner))


class PiecewiseExp(Surrogate):
    r"""Piecewise exponential surrogate (Neftci et al. 2019).

    .. math:: g'(x) = \frac{\alpha}{2} e^{-\alpha |x|}, \qquad
        g(x) = \tfrac12 e^{\alpha x}\ (x<0), \quad 1 - \tfrac12 e^{-\alpha x}\ (x \ge 0)

    Parameters
    ----------
    alpha : float
        Positive decay rate (default 1.0).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        return self.alpha / 2.0 * jnp.exp(-self.alpha * jnp.abs(_as_float(x)))

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        half = 0.5 * jnp.exp(-self.alpha * jnp.abs(x))
        return jnp.where(x < 0, half, 1.0 - half)


class SoftSign(Surrogate):
    r"""Soft-sign surrogate.

    .. math:: g'(x) = \frac{\alpha}{2(1 + |\alpha x|)^2}, \qquad
        g(x) = \frac12\left(\frac{\alpha x}{1 + |\alpha x|} + 1\right)

    Parameters
    ----------
    alpha : float
        Positive steepness (default 1.0).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        return self.alpha / (2.0 * (1.0 + jnp.abs(self.alpha * _as_float(x))) ** 2)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        ax = self.alpha * _as_float(x)
        return 0.5 * (ax / (1.0 + jnp.abs(ax)) + 1.0)


class Arctan(Surrogate):
    r"""Arctangent surrogate (Fang et al. 2021).

    .. math:: g'(x) = \frac{\alpha/2}{1 + (\pi \alpha x / 2)^2}, \qquad
        g(x) = \frac{1}{\pi}\arctan\!\left(\frac{\pi \alpha x}{2}\right) + \frac12

    Parameters
    ----------
    alpha : float
        Positive steepness (default 1.0).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        return (self.alpha / 2.0) / (1.0 + (math.pi / 2.0 * self.alpha * _as_float(x)) ** 2)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        return jnp.arctan(math.pi / 2.0 * self.alpha * _as_float(x)) / math.pi + 0.5


class NonzeroSignLog(Surrogate):
    r"""Sign-log surrogate.

    .. math:: g'(x) = \frac{1}{1/\alpha + |x|}, \qquad
        g(x) = \tfrac12 + \operatorname{sign}(x)\,\log(1 + \alpha |x|)

    Parameters
    ----------
    alpha : float
        Positive; :math:`g'(0) = \alpha` (default 1.0).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        return 1.0 / (1.0 / self.alpha + jnp.abs(_as_float(x)))

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        return _odd(x, jnp.log1p(self.alpha * jnp.abs(x)))


class ERF(Surrogate):
    r"""Error-function (Gaussian) surrogate.

    .. math:: g'(x) = \frac{\alpha}{\sqrt\pi} e^{-\alpha^2 x^2}, \qquad
        g(x) = \tfrac12\,(1 + \operatorname{erf}(\alpha x))

    Parameters
    ----------
    alpha : float
        Positive inverse width (default 1.0).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        return self.alpha / math.sqrt(math.pi) * jnp.exp(-(self.alpha**2) * x * x)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        return 0.5 * (1.0 + _erf(self.alpha * _as_float(x)))


class PiecewiseLeakyRelu(Surrogate):
    r"""Piecewise leaky-ReLU surrogate: a box of height :math:`1/2w` with leaky tails.

    .. math:: g'(x) = \frac{1}{2w}\ (|x| \le w), \quad c\ (|x| > w)

    with primitive :math:`g(x) = x/2w + 1/2` on :math:`|x| \le w`, :math:`c(x+w)` below
    and :math:`1 + c(x-w)` above.

    Parameters
    ----------
    c : float
        Non-negative tail slope (default 0.01).
    w : float
        Positive half-width of the box (default 1.0).
    """

    def __init__(self, c: float = 0.01, w: float = 1.0) -> None:
        self.c = _real(self, "c", c, positive=False)
        self.w = _real(self, "w", w)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        return jnp.where(jnp.abs(x) > self.w, self.c, 1.0 / (2.0 * self.w)).astype(x.dtype)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x, c, w = _as_float(x), self.c, self.w
        mid = x / (2.0 * w) + 0.5
        return jnp.where(x < -w, c * (x + w), jnp.where(x > w, 1.0 + c * (x - w), mid))


class SquarewaveFourierSeries(Surrogate):
    r"""Surrogate from the first ``n`` terms of a square wave's Fourier series.

    .. math:: g'(x) = \frac{4}{T}\sum_{i=1}^{n} \cos((2i-1)\omega x), \qquad
        g(x) = \frac12 + \frac{2}{\pi}\sum_{i=1}^{n}\frac{\sin((2i-1)\omega x)}{2i-1},
        \qquad \omega = \frac{2\pi}{T}

    The series is periodic, so :math:`g'` has negative lobes away from 0 and :math:`g` is
    monotone only near 0 (on :math:`|x| \le T/8` for the default ``n = 2``).

    Parameters
    ----------
    n : int
        Positive number of Fourier terms (default 2).
    t_period : float
        Positive period :math:`T` (default 8.0).
    """

    def __init__(self, n: int = 2, t_period: float = 8.0) -> None:
        self.n = _count(self, "n", n)
        self.t_period = _real(self, "t_period", t_period)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        x, w = _as_float(x), 2.0 * math.pi / self.t_period
        total = sum(jnp.cos((2 * i - 1) * w * x) for i in range(1, self.n + 1))
        return 4.0 / self.t_period * total

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x, w = _as_float(x), 2.0 * math.pi / self.t_period
        total = sum(jnp.sin((2 * i - 1) * w * x) / (2 * i - 1) for i in range(1, self.n + 1))
        return 0.5 + 2.0 / math.pi * total


class S2NN(Surrogate):
    r"""S2NN surrogate (Suetake et al. 2023): sigmoid below 0, logarithmic above.

    .. math:: g'(x) = \alpha\,\sigma(\alpha x)(1 - \sigma(\alpha x))\ (x < 0), \quad
        \frac{\beta}{x + 1 + \epsilon}\ (x \ge 0)

    with primitive :math:`\sigma(\alpha x)` below 0 and
    :math:`\tfrac12 + \beta\,[\log(x+1+\epsilon) - \log(1+\epsilon)]` above. The
    default :math:`\epsilon = 10^{-8}` makes the right branch :math:`\beta/(x+1)` to
    float precision.

    Parameters
    ----------
    alpha : float
        Positive sigmoid steepness (default 4.0).
    beta : float
        Positive scale of the logarithmic branch (default 1.0).
    epsilon : float
        Non-negative offset inside the logarithm (default 1e-8).
    """

    def __init__(self, alpha: float = 4.0, beta: float = 1.0, epsilon: float = 1e-8) -> None:
        self.alpha = _real(self, "alpha", alpha)
        self.beta = _real(self, "beta", beta)
        self.epsilon = _real(self, "epsilon", epsilon, positive=False)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        s = jax.nn.sigmoid(self.alpha * x)
        right = self.beta / (jnp.abs(x) + 1.0 + self.epsilon)
        return jnp.where(x < 0, self.alpha * s * (1.0 - s), right)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x, e = _as_float(x), self.epsilon
        right = 0.5 + self.beta * (jnp.log(jnp.abs(x) + 1.0 + e) - math.log1p(e))
        return jnp.where(x < 0, jax.nn.sigmoid(self.alpha * x), right)


class QPseudoSpike(Surrogate):
    r"""q-PseudoSpike surrogate (Herranz-Celotti & Rouat 2022), a heavy-tailed kernel.

    .. math:: g'(x) = \left(1 + \frac{2|x|}{\alpha + 1}\right)^{-\alpha}

    With :math:`c = 2/(\alpha+1)` the primitive is
    :math:`\tfrac12 + \operatorname{sign}(x)\,\frac{1 - (1 + c|x|)^{1-\alpha}}{c(\alpha-1)}`
    (:math:`\tfrac12 + \operatorname{sign}(x)\log(1 + c|x|)/c` when :math:`\alpha = 1`).
    Smaller :math:`\alpha` gives heavier tails.

    Parameters
    ----------
    alpha : float
        Positive tail exponent (default 2.0).
    """

    def __init__(self, alpha: float = 2.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        c = 2.0 / (self.alpha + 1.0)
        return (1.0 + c * jnp.abs(_as_float(x))) ** (-self.alpha)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x, a = _as_float(x), self.alpha
        c = 2.0 / (a + 1.0)
        if a == 1.0:
            mag = jnp.log1p(c * jnp.abs(x)) / c
        else:
            mag = (1.0 - (1.0 + c * jnp.abs(x)) ** (1.0 - a)) / (c * (a - 1.0))
        return _odd(x, mag)


class LeakyRelu(Surrogate):
    r"""Leaky-ReLU surrogate: a constant slope on each side of 0.

    .. math:: g'(x) = \alpha\ (x < 0), \quad \beta\ (x \ge 0), \qquad
        g(x) = \tfrac12 + \alpha x\ (x < 0), \quad \tfrac12 + \beta x\ (x \ge 0)

    Parameters
    ----------
    alpha : float
        Non-negative slope for negative inputs (default 0.1).
    beta : float
        Non-negative slope for non-negative inputs (default 1.0).
    """

    def __init__(self, alpha: float = 0.1, beta: float = 1.0) -> None:
        self.alpha = _real(self, "alpha", alpha, positive=False)
        self.beta = _real(self, "beta", beta, positive=False)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        return jnp.where(x < 0, self.alpha, self.beta).astype(x.dtype)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        return 0.5 + jnp.where(x < 0, self.alpha * x, self.beta * x)


class LogTailedRelu(Surrogate):
    r"""Log-tailed ReLU surrogate (Cai et al. 2017).

    .. math:: g'(x) = \alpha\ (x \le 0), \quad 1\ (0 < x \le 1), \quad 1/x\ (x > 1)

    with the continuous primitive :math:`\tfrac12 + \alpha x`, :math:`\tfrac12 + x`,
    :math:`\tfrac32 + \log x` on the same pieces.

    Parameters
    ----------
    alpha : float
        Non-negative slope for non-positive inputs (default 0.0).
    """

    def __init__(self, alpha: float = 0.0) -> None:
        self.alpha = _real(self, "alpha", alpha, positive=False)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        tail = 1.0 / jnp.maximum(x, 1.0)
        return jnp.where(x > 1.0, tail, jnp.where(x > 0, 1.0, self.alpha)).astype(x.dtype)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        tail = 1.5 + jnp.log(jnp.maximum(x, 1.0))
        return jnp.where(x > 1.0, tail, jnp.where(x > 0, 0.5 + x, 0.5 + self.alpha * x))


class ReluGrad(Surrogate):
    r"""Triangular (ReLU-shaped) surrogate (Neftci et al. 2019).

    .. math:: g'(x) = \max(\alpha w - \alpha |x|,\ 0)

    with primitive :math:`\tfrac12 + \operatorname{sign}(x)\,\alpha(w m - m^2/2)`,
    :math:`m = \min(|x|, w)`.

    Parameters
    ----------
    alpha : float
        Positive slope of the triangle's sides (default 0.3).
    width : float
        Positive half-width :math:`w` of the triangle (default 1.0).

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> from brainsim import surrogate
    >>> f = surrogate.ReluGrad()
    >>> f
    ReluGrad(alpha=0.3, width=1.0)
    >>> f.surrogate_grad(jnp.array([0.0, 0.5, 2.0]))
    Array([0.3 , 0.15, 0.  ], dtype=float32)
    >>> jax.vmap(jax.grad(surrogate.relu_grad))(jnp.array([0.0, -0.5, 2.0]))
    Array([0.3 , 0.15, 0.  ], dtype=float32)
    """

    def __init__(self, alpha: float = 0.3, width: float = 1.0) -> None:
        self.alpha = _real(self, "alpha", alpha)
        self.width = _real(self, "width", width)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        return jnp.maximum(self.alpha * self.width - self.alpha * jnp.abs(_as_float(x)), 0.0)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        m = jnp.minimum(jnp.abs(x), self.width)
        return _odd(x, self.alpha * (self.width * m - m * m / 2.0))


def _normal_pdf(x: jax.Array, mu: float, sigma: float) -> jax.Array:
    return jnp.exp(-((x - mu) ** 2) / (2.0 * sigma**2)) / (math.sqrt(2.0 * math.pi) * sigma)


def _normal_cdf0(x: jax.Array, mu: float, sigma: float) -> jax.Array:
    """Normal CDF minus one half, i.e. ``(1/2) erf((x - mu) / (sigma sqrt 2))``."""
    return 0.5 * _erf((x - mu) / (sigma * math.sqrt(2.0)))


class GaussianGrad(Surrogate):
    r"""Gaussian surrogate (Yin et al. 2021).

    .. math:: g'(x) = \alpha\,\mathcal N(x; 0, \sigma), \qquad
        g(x) = \tfrac12 + \frac{\alpha}{2}\operatorname{erf}\!\left(\frac{x}{\sigma\sqrt2}\right)

    Parameters
    ----------
    sigma : float
        Positive standard deviation (default 0.5).
    alpha : float
        Positive scale (default 0.5).
    """

    def __init__(self, sigma: float = 0.5, alpha: float = 0.5) -> None:
        self.sigma = _real(self, "sigma", sigma)
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        return self.alpha * _normal_pdf(_as_float(x), 0.0, self.sigma)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        return 0.5 + self.alpha * _normal_cdf0(_as_float(x), 0.0, self.sigma)


class MultiGaussianGrad(Surrogate):
    r"""Multi-Gaussian surrogate (Yin et al. 2021): a peak flanked by two negative lobes.

    .. math:: g'(x) = \mathrm{scale}\,[(1+h)\,\mathcal N(x; 0, \sigma)
        - h\,\mathcal N(x; \sigma, s\sigma) - h\,\mathcal N(x; -\sigma, s\sigma)]

    The primitive :math:`g` is the matching combination of error functions, 0.5 at 0;
    because of the negative lobes it is monotone only where :math:`g' \ge 0`.

    Parameters
    ----------
    h : float
        Non-negative weight of the side lobes (default 0.15).
    s : float
        Positive width ratio of the side lobes (default 6.0).
    sigma : float
        Positive standard deviation of the central peak (default 0.5).
    scale : float
        Positive overall scale (default 0.5).
    """

    def __init__(
        self, h: float = 0.15, s: float = 6.0, sigma: float = 0.5, scale: float = 0.5
    ) -> None:
        self.h = _real(self, "h", h, positive=False)
        self.s = _real(self, "s", s)
        self.sigma = _real(self, "sigma", sigma)
        self.scale = _real(self, "scale", scale)

    def _mix(self, x: jax.Array, kernel: Any) -> jax.Array:
        h, sig, wide = self.h, self.sigma, self.s * self.sigma
        mix = (1.0 + h) * kernel(x, 0.0, sig) - h * kernel(x, sig, wide) - h * kernel(x, -sig, wide)
        return self.scale * mix

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        return self._mix(_as_float(x), _normal_pdf)

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        # the side lobes' constants erf(-1/s√2) and erf(1/s√2) cancel, so g(0) = 1/2
        return 0.5 + self._mix(_as_float(x), _normal_cdf0)


class InvSquareGrad(Surrogate):
    r"""Inverse-square surrogate.

    .. math:: g'(x) = \frac{1}{(\alpha |x| + 1)^2}, \qquad
        g(x) = \frac12 + \frac{x}{1 + \alpha |x|}

    Parameters
    ----------
    alpha : float
        Positive sharpness (default 100.0); :math:`g'(0) = 1`.

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> from brainsim import surrogate
    >>> f = surrogate.InvSquareGrad()
    >>> f
    InvSquareGrad(alpha=100.0)
    >>> f.surrogate_grad(jnp.array([0.0, 0.01, -0.01]))
    Array([1.  , 0.25, 0.25], dtype=float32)
    >>> jax.jvp(f, (jnp.array([0.01]),), (jnp.array([2.0]),))
    (Array([1.], dtype=float32), Array([0.5], dtype=float32))
    """

    def __init__(self, alpha: float = 100.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        return 1.0 / (self.alpha * jnp.abs(_as_float(x)) + 1.0) ** 2

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        return 0.5 + x / (1.0 + self.alpha * jnp.abs(x))


class SlayerGrad(Surrogate):
    r"""SLAYER's exponential surrogate (Shrestha & Orchard 2018).

    .. math:: g'(x) = e^{-\alpha |x|}, \qquad
        g(x) = \tfrac12 + \operatorname{sign}(x)\,\frac{1 - e^{-\alpha|x|}}{\alpha}

    Parameters
    ----------
    alpha : float
        Positive decay rate (default 1.0); :math:`g'(0) = 1`.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _real(self, "alpha", alpha)

    def surrogate_grad(self, x: ArrayLike) -> jax.Array:
        return jnp.exp(-self.alpha * jnp.abs(_as_float(x)))

    def surrogate_fun(self, x: ArrayLike) -> jax.Array:
        x = _as_float(x)
        return _odd(x, -jnp.expm1(-self.alpha * jnp.abs(x)) / self.alpha)


# --------------------------------------------------------------------------- functional twins


def _twin(cls: type[Surrogate], name: str) -> Callable[..., jax.Array]:
    """The functional form of ``cls``: ``name(x, **params)`` is ``cls(**params)(x)``."""

    def twin(x: ArrayLike, *args: Any, **kwargs: Any) -> jax.Array:
        return cls(*args, **kwargs)(x)

    x = inspect.Parameter("x", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation="ArrayLike")
    params = inspect.signature(cls).parameters.values()
    twin.__signature__ = inspect.Signature([x, *params], return_annotation="jax.Array")
    twin.__name__ = twin.__qualname__ = name
    twin.__doc__ = (
        f"Heaviside spike with the :class:`{cls.__name__}` surrogate gradient.\n\n"
        f"``{name}(x, **params)`` is ``{cls.__name__}(**params)(x)``; see that class."
    )
    return twin


sigmoid = _twin(Sigmoid, "sigmoid")
piecewise_quadratic = _twin(PiecewiseQuadratic, "piecewise_quadratic")
piecewise_exp = _twin(PiecewiseExp, "piecewise_exp")
soft_sign = _twin(SoftSign, "soft_sign")
arctan = _twin(Arctan, "arctan")
nonzero_sign_log = _twin(NonzeroSignLog, "nonzero_sign_log")
erf = _twin(ERF, "erf")
piecewise_leaky_relu = _twin(PiecewiseLeakyRelu, "piecewise_leaky_relu")
squarewave_fourier_series = _twin(SquarewaveFourierSeries, "squarewave_fourier_series")
s2nn = _twin(S2NN, "s2nn")
q_pseudo_spike = _twin(QPseudoSpike, "q_pseudo_spike")
leaky_relu = _twin(LeakyRelu, "leaky_relu")
log_tailed_relu = _twin(LogTailedRelu, "log_tailed_relu")
relu_grad = _twin(ReluGrad, "relu_grad")
gaussian_grad = _twin(GaussianGrad, "gaussian_grad")
multi_gaussian_grad = _twin(MultiGaussianGrad, "multi_gaussian_grad")
inv_square_grad = _twin(InvSquareGrad, "inv_square_grad")
slayer_grad = _twin(SlayerGrad, "slayer_grad")
