"""Prior-style regularizers: negative log densities of common priors, up to constants.

This file also holds ``GaussianReg`` and the robust ``HuberReg``; everything here is
re-exported by ``_regularization.py``. See :class:`~brainsim.nn.Regularization` for the
shared contract (``loss``, ``reset_value``, ``sample_init``, ``fit_hyper``, units).
Hyperparameters that must be positive are floored at 1e-8 (``max(., 1e-8)``) inside the
loss, so the loss stays finite while they are trained. Priors with positive support clamp
the value before taking its logarithm, so the loss is finite for every input.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import environ
from .._errors import BrainSimValueError
from ._regularization import _EPS, POSITIVE, PROBABILITY, Regularization, _normal, pos

__all__ = [
    "GaussianReg",
    "HuberReg",
    "StudentTReg",
    "CauchyReg",
    "UniformReg",
    "LogNormalReg",
    "ExponentialReg",
    "GammaReg",
    "BetaReg",
    "HorseshoeReg",
    "InverseGammaReg",
    "LogUniformReg",
    "SpikeAndSlabReg",
    "DirichletReg",
]

_BETA_EPS = 1e-6  # 1 - 1e-8 rounds to 1 in float32; 1e-6 keeps log(1 - x) finite


def _uniform(key: Any, shape: tuple[int, ...]) -> jax.Array:
    return jax.random.uniform(key, shape, environ.dftype())


def _check_order(reg: Regularization, lower: str, upper: str) -> None:
    lo, hi = reg._h(lower), reg._h(upper)
    if isinstance(lo, jax.core.Tracer) or isinstance(hi, jax.core.Tracer):
        return
    if not np.all(np.asarray(lo) < np.asarray(hi)):
        raise BrainSimValueError(
            f"{type(reg).__name__}({lower}=..., {upper}=...): expected {lower} < {upper}, "
            f"got {lower}={np.asarray(lo).tolist()}, {upper}={np.asarray(hi).tolist()}"
            f"{'' if reg.unit is None else f' (in {reg.unit})'}."
        )


class GaussianReg(Regularization):
    r"""Gaussian prior N(mean, std²) on the values.

    .. math:: L(x) = w \Big(\sum_i p\,(x_i - \mu)^2 - \sum \log p\Big), \qquad
        p = \mathrm{relu}\big(1/(\sigma^2 + 10^{-8})\big) + 10^{-6}

    The log term sums over the entries of the precision array (a scalar ``std`` contributes
    once). The stored hyperparameters are ``mean`` and ``precision`` = 1/(std² + 1e-8),
    both trainable with ``fit_hyper``. Reset value: the mean. ``mean`` and ``std`` may carry
    a unit (the same dimension); values are then converted to the mean's unit.

    Parameters
    ----------
    mean
        Prior mean :math:`\mu` (scalar or array broadcasting against the values).
    std
        Prior standard deviation :math:`\sigma` (positive).
    weight
        Strength :math:`w`.

    Examples
    --------
    >>> import brainsim, brainunit as u, jax.numpy as jnp
    >>> reg = brainsim.nn.GaussianReg(mean=0.0, std=1.0, weight=0.5)
    >>> round(float(reg.loss(jnp.array([1.0, -1.0]))), 4)  # 0.5 * (1 + 1 - log 1)
    1.0
    >>> v = brainsim.nn.GaussianReg(mean=-65.0 * u.mV, std=5.0 * u.mV)
    >>> v.reset_value()
    Quantity(-65., "mV")
    >>> round(float(v.loss(-0.060 * u.volt)), 3)  # one std away: 1 - log(1/25)
    4.219
    """

    def __init__(
        self,
        mean: Any,
        std: Any,
        weight: float = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("mean", mean, with_unit=True)
        s = self._convert("std", std, check=(POSITIVE[0], "a positive std"), with_unit=True)
        self._store("precision", 1.0 / (s**2 + _EPS))
        self._hyper("weight", weight, fit=False)

    def _prec(self) -> Any:
        return jax.nn.relu(self._h("precision")) + 1e-6

    def loss(self, value: Any) -> Any:
        x = self._number(value)
        p = self._prec()
        nll = jnp.sum(p * (x - self._h("mean")) ** 2) - jnp.sum(jnp.log(p))
        return self._h("weight") * nll

    def reset_value(self) -> Any:
        return self._with_unit(self._h("mean"))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        std = 1.0 / jnp.sqrt(jax.nn.relu(self._h("precision")) + _EPS)
        hyper = np.broadcast_shapes(jnp.shape(self._h("mean")), jnp.shape(std))
        try:
            ok = np.broadcast_shapes(hyper, shape) == shape
        except ValueError:
            ok = False
        if not ok:
            raise BrainSimValueError(
                f"GaussianReg.sample_init(shape=...): mean/std of shape {hyper} do not "
                f"broadcast to the requested shape {shape}."
            )
        x = self._h("mean") + _normal(key, shape, std)
        return self._with_unit(jnp.broadcast_to(x, shape))


class HuberReg(Regularization):
    r"""Huber penalty: quadratic near zero, linear beyond ``delta``.

    .. math:: L(x) = w \sum_i \begin{cases} x_i^2/2 & |x_i| \le \delta \\
        \delta(|x_i| - \delta/2) & \text{otherwise} \end{cases}

    Parameters
    ----------
    weight
        Strength :math:`w`.
    delta
        Threshold :math:`\delta` (positive; may carry the values' unit). Trainable with
        ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        delta: Any = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("delta", delta, check=POSITIVE, with_unit=True)

    def loss(self, value: Any) -> Any:
        x = self._number(value)
        d = pos(self._h("delta"))
        ax = jnp.abs(x)
        h = jnp.where(ax <= d, 0.5 * x**2, d * (ax - 0.5 * d))
        return self._h("weight") * jnp.sum(h)

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        return self._with_unit(_normal(key, shape, 1.0 / jnp.sqrt(pos(self._h("weight")))))


class StudentTReg(Regularization):
    r"""Student-t prior (heavy tails), as in the reference without the (ν+1)/2 factor.

    .. math:: L(x) = w \sum_i \log\Big(1 + \frac{(x_i/s)^2}{\nu}\Big)

    Reset value 0; ``sample_init`` draws ``s * t(ν)``.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    df
        Degrees of freedom :math:`\nu` (positive). Trainable with ``fit_hyper``.
    scale
        Scale :math:`s` (positive; may carry the values' unit). Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        df: float = 3.0,
        scale: Any = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("df", df, check=POSITIVE)
        self._hyper("scale", scale, check=POSITIVE, with_unit=True)

    def loss(self, value: Any) -> Any:
        z = self._number(value) / pos(self._h("scale"))
        return self._h("weight") * jnp.sum(jnp.log1p(z**2 / pos(self._h("df"))))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        t = jax.random.t(key, pos(self._h("df")), shape, environ.dftype())
        return self._with_unit(pos(self._h("scale")) * t)


class CauchyReg(Regularization):
    r"""Cauchy prior (very heavy tails).

    .. math:: L(x) = w \sum_i \log\big(1 + (x_i/s)^2\big)

    Reset value 0; ``sample_init`` draws ``s * Cauchy(0, 1)``.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    scale
        Scale :math:`s` (positive; may carry the values' unit). Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        scale: Any = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("scale", scale, check=POSITIVE, with_unit=True)

    def loss(self, value: Any) -> Any:
        z = self._number(value) / pos(self._h("scale"))
        return self._h("weight") * jnp.sum(jnp.log1p(z**2))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        c = jax.random.cauchy(key, shape, environ.dftype())
        return self._with_unit(pos(self._h("scale")) * c)


class UniformReg(Regularization):
    r"""Soft box constraint: a quadratic penalty outside ``[lower, upper]``.

    .. math:: L(x) = w \sum_i \big(\mathrm{relu}(l - x_i)^2 + \mathrm{relu}(x_i - u)^2\big)

    Reset value: the midpoint :math:`(l + u)/2`; ``sample_init`` draws Uniform(l, u).

    Parameters
    ----------
    weight
        Strength :math:`w`.
    lower, upper
        Bounds :math:`l < u` (may carry the values' unit). Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        lower: Any = -1.0,
        upper: Any = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("lower", lower, with_unit=True)
        self._hyper("upper", upper, with_unit=True)
        _check_order(self, "lower", "upper")

    def loss(self, value: Any) -> Any:
        x = self._number(value)
        below = jax.nn.relu(self._h("lower") - x) ** 2
        above = jax.nn.relu(x - self._h("upper")) ** 2
        return self._h("weight") * jnp.sum(below + above)

    def reset_value(self) -> Any:
        return self._with_unit((self._h("lower") + self._h("upper")) / 2.0)

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        lo, hi = self._h("lower"), self._h("upper")
        return self._with_unit(lo + (hi - lo) * _uniform(key, shape))


class LogNormalReg(Regularization):
    r"""Log-normal prior for positive values.

    .. math:: L(x) = w \sum_i \Big(\frac{(\log \tilde x_i - \mu)^2}{2\sigma^2}
        + \log \tilde x_i\Big), \qquad \tilde x = \max(x, 10^{-8})

    Reset value :math:`e^{\mu}` (the median); ``sample_init`` draws
    :math:`\exp(\mu + \sigma z)`.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    mu
        Mean :math:`\mu` of :math:`\log x`. Trainable with ``fit_hyper``.
    sigma
        Standard deviation :math:`\sigma` of :math:`\log x` (positive). Trainable with
        ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        mu: float = 0.0,
        sigma: float = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("mu", mu)
        self._hyper("sigma", sigma, check=POSITIVE)

    def loss(self, value: Any) -> Any:
        log_x = jnp.log(jnp.maximum(self._number(value), _EPS))
        sigma = pos(self._h("sigma"))
        return self._h("weight") * jnp.sum((log_x - self._h("mu")) ** 2 / (2 * sigma**2) + log_x)

    def reset_value(self) -> Any:
        return jnp.exp(self._h("mu"))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        return jnp.exp(self._h("mu") + _normal(key, shape, pos(self._h("sigma"))))


class ExponentialReg(Regularization):
    r"""Exponential prior for non-negative values (negative values cost nothing extra).

    .. math:: L(x) = w\, \lambda \sum_i \mathrm{relu}(x_i)

    Reset value 0 (the mode); ``sample_init`` draws Exponential(λ).

    Parameters
    ----------
    weight
        Strength :math:`w`.
    rate
        Rate :math:`\lambda` (positive). Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        rate: float = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("rate", rate, check=POSITIVE)

    def loss(self, value: Any) -> Any:
        x = jax.nn.relu(self._number(value))
        return self._h("weight") * pos(self._h("rate")) * jnp.sum(x)

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        return jax.random.exponential(key, shape, environ.dftype()) / pos(self._h("rate"))


class GammaReg(Regularization):
    r"""Gamma(α, β) prior for positive values (β is a rate).

    .. math:: L(x) = w \sum_i \big(-(\alpha - 1)\log \tilde x_i + \beta \tilde x_i\big),
        \qquad \tilde x = \max(x, 10^{-8})

    Reset value: the mode :math:`(\alpha - 1)/\beta`, floored at 1e-8.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    alpha, beta
        Shape :math:`\alpha` and rate :math:`\beta` (positive). Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        alpha: float = 2.0,
        beta: float = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("alpha", alpha, check=POSITIVE)
        self._hyper("beta", beta, check=POSITIVE)

    def loss(self, value: Any) -> Any:
        x = jnp.maximum(self._number(value), _EPS)
        a, b = pos(self._h("alpha")), pos(self._h("beta"))
        return self._h("weight") * jnp.sum(-(a - 1.0) * jnp.log(x) + b * x)

    def reset_value(self) -> Any:
        a, b = pos(self._h("alpha")), pos(self._h("beta"))
        return jnp.maximum((a - 1.0) / b, _EPS)

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        g = jax.random.gamma(key, pos(self._h("alpha")), shape, environ.dftype())
        return g / pos(self._h("beta"))


class BetaReg(Regularization):
    r"""Beta(a, b) prior for values in (0, 1).

    .. math:: L(x) = w \sum_i \big(-(a - 1)\log \tilde x_i - (b - 1)\log(1 - \tilde x_i)\big),
        \qquad \tilde x = \mathrm{clip}(x, 10^{-6}, 1 - 10^{-6})

    Reset value: the mode :math:`(a-1)/(a+b-2)` when :math:`a, b > 1`, otherwise the mean
    :math:`a/(a+b)`.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    a, b
        Shape parameters (positive). Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        a: float = 2.0,
        b: float = 2.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("a", a, check=POSITIVE)
        self._hyper("b", b, check=POSITIVE)

    def loss(self, value: Any) -> Any:
        x = jnp.clip(self._number(value), _BETA_EPS, 1.0 - _BETA_EPS)
        a, b = pos(self._h("a")), pos(self._h("b"))
        nll = -(a - 1.0) * jnp.log(x) - (b - 1.0) * jnp.log1p(-x)
        return self._h("weight") * jnp.sum(nll)

    def reset_value(self) -> Any:
        a, b = pos(self._h("a")), pos(self._h("b"))
        mode = (a - 1.0) / jnp.maximum(a + b - 2.0, _EPS)
        return jnp.where((a > 1.0) & (b > 1.0), mode, a / (a + b))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        return jax.random.beta(key, pos(self._h("a")), pos(self._h("b")), shape, environ.dftype())


class HorseshoeReg(Regularization):
    r"""Horseshoe prior, in its log-penalty approximation (strong shrinkage, heavy tails).

    .. math:: L(x) = w \sum_i \log\big(1 + (x_i/\tau)^2\big)

    Reset value 0; ``sample_init`` draws :math:`\tau\,|c|\,z` with :math:`c` Cauchy and
    :math:`z` normal.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    tau
        Global scale :math:`\tau` (positive; may carry the values' unit). Trainable with
        ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        tau: Any = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("tau", tau, check=POSITIVE, with_unit=True)

    def loss(self, value: Any) -> Any:
        z = self._number(value) / pos(self._h("tau"))
        return self._h("weight") * jnp.sum(jnp.log1p(z**2))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        k1, k2 = jax.random.split(key)
        local = jnp.abs(jax.random.cauchy(k1, shape, environ.dftype()))
        return self._with_unit(pos(self._h("tau")) * local * _normal(k2, shape))


class InverseGammaReg(Regularization):
    r"""Inverse-gamma(α, β) prior for positive values such as variances (β is a scale).

    .. math:: L(x) = w \sum_i \big((\alpha + 1)\log \tilde x_i + \beta/\tilde x_i\big),
        \qquad \tilde x = \max(x, 10^{-8})

    Reset value: the mode :math:`\beta/(\alpha + 1)`; ``sample_init`` draws
    :math:`\beta/g` with :math:`g \sim` Gamma(α, 1).

    Parameters
    ----------
    weight
        Strength :math:`w`.
    alpha
        Shape :math:`\alpha` (positive). Trainable with ``fit_hyper``.
    beta
        Scale :math:`\beta` (positive; may carry the values' unit). Trainable with
        ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        alpha: float = 2.0,
        beta: Any = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("alpha", alpha, check=POSITIVE)
        self._hyper("beta", beta, check=POSITIVE, with_unit=True)

    def loss(self, value: Any) -> Any:
        x = jnp.maximum(self._number(value), _EPS)
        a, b = pos(self._h("alpha")), pos(self._h("beta"))
        return self._h("weight") * jnp.sum((a + 1.0) * jnp.log(x) + b / x)

    def reset_value(self) -> Any:
        return self._with_unit(pos(self._h("beta")) / (pos(self._h("alpha")) + 1.0))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        g = jax.random.gamma(key, pos(self._h("alpha")), shape, environ.dftype())
        return self._with_unit(pos(self._h("beta")) / (g + _EPS))


class LogUniformReg(Regularization):
    r"""Log-uniform (Jeffreys) prior on ``[lower, upper]``: density proportional to 1/x.

    .. math:: L(x) = w \sum_i \log \mathrm{clip}(x_i, l, u)

    Reset value: the geometric mean :math:`\sqrt{l u}`; ``sample_init`` draws
    :math:`\exp(\mathrm{Uniform}(\log l, \log u))`.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    lower, upper
        Bounds :math:`0 < l < u` (may carry the values' unit). Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        lower: Any = 1e-3,
        upper: Any = 1e3,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("lower", lower, check=POSITIVE, with_unit=True)
        self._hyper("upper", upper, check=POSITIVE, with_unit=True)
        _check_order(self, "lower", "upper")

    def _bounds(self) -> tuple[Any, Any]:
        return pos(self._h("lower")), pos(self._h("upper"))

    def loss(self, value: Any) -> Any:
        lo, hi = self._bounds()
        x = jnp.clip(self._number(value), lo, hi)
        return self._h("weight") * jnp.sum(jnp.log(x))

    def reset_value(self) -> Any:
        lo, hi = self._bounds()
        return self._with_unit(jnp.sqrt(lo * hi))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        lo, hi = jnp.log(self._bounds()[0]), jnp.log(self._bounds()[1])
        return self._with_unit(jnp.exp(lo + (hi - lo) * _uniform(key, shape)))


class SpikeAndSlabReg(Regularization):
    r"""Spike-and-slab prior: a mixture of a narrow and a wide zero-mean Gaussian.

    .. math:: L(x) = -w \sum_i \log\big(\pi\, \phi_{s_0}(x_i) + (1 - \pi)\, \phi_{s_1}(x_i)
        + 10^{-8}\big), \qquad \phi_s(x) = e^{-x^2/(2s^2)}/s

    with :math:`\pi` clipped to :math:`[10^{-8}, 1 - 10^{-8}]`. Reset value 0.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    spike_scale, slab_scale
        Scales :math:`s_0` and :math:`s_1` (positive; may carry the values' unit).
        Trainable with ``fit_hyper``.
    pi
        Probability :math:`\pi` of the spike, in [0, 1]. Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        spike_scale: Any = 0.01,
        slab_scale: Any = 1.0,
        pi: float = 0.5,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("spike_scale", spike_scale, check=POSITIVE, with_unit=True)
        self._hyper("slab_scale", slab_scale, check=POSITIVE, with_unit=True)
        self._hyper("pi", pi, check=PROBABILITY)

    def loss(self, value: Any) -> Any:
        x = self._number(value)
        s0, s1 = pos(self._h("spike_scale")), pos(self._h("slab_scale"))
        p = jnp.clip(self._h("pi"), _EPS, 1.0 - _EPS)
        spike = jnp.exp(-0.5 * (x / s0) ** 2) / s0
        slab = jnp.exp(-0.5 * (x / s1) ** 2) / s1
        return -self._h("weight") * jnp.sum(jnp.log(p * spike + (1.0 - p) * slab + _EPS))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        k1, k2 = jax.random.split(key)
        p = jnp.clip(self._h("pi"), _EPS, 1.0 - _EPS)
        s = jnp.where(_uniform(k1, shape) < p, self._h("spike_scale"), self._h("slab_scale"))
        return self._with_unit(_normal(k2, shape, pos(s)))


class DirichletReg(Regularization):
    r"""Symmetric Dirichlet(α) prior on the softmax of the flattened values (logits).

    .. math:: L(x) = -w \sum_i (\alpha - 1) \log(p_i + 10^{-8}), \qquad
        p = \mathrm{softmax}(x)

    Reset value 0 (uniform probabilities); ``sample_init`` returns the log of a Dirichlet
    draw over all ``prod(shape)`` entries.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    alpha
        Concentration :math:`\alpha` (positive; below 1 favours sparse, above 1 uniform
        probabilities). Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        alpha: float = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("alpha", alpha, check=POSITIVE)

    def loss(self, value: Any) -> Any:
        p = jax.nn.softmax(jnp.reshape(self._number(value), (-1,)))
        a = pos(self._h("alpha"))
        return self._h("weight") * jnp.sum(-(a - 1.0) * jnp.log(p + _EPS))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        g = jax.random.gamma(key, pos(self._h("alpha")), shape, environ.dftype())
        return jnp.log(g / (jnp.sum(g) + _EPS) + _EPS)
