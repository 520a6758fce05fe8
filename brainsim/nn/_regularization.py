"""Regularizers: penalties and priors on parameter values, used as ``Param(..., reg=...)``.

Every regularizer is a small :class:`~brainsim.nn.Module` with ``loss(value)`` (a scalar,
a pure function of the value and the hyperparameters, safe under ``jit`` and ``grad``),
``reset_value()`` and ``sample_init(shape, key=None)``. The prior-style regularizers
(negative log densities) live in ``_regularization_priors.py`` and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from .. import environ
from .._errors import BrainSimTypeError, BrainSimValueError
from .._state import ParamState
from ._module import Module

__all__ = [
    "Regularization",
    "ChainedReg",
    "L1Reg",
    "L2Reg",
    "ElasticNetReg",
    "GaussianReg",
    "HuberReg",
    "GroupLassoReg",
    "TotalVariationReg",
    "MaxNormReg",
    "EntropyReg",
    "OrthogonalReg",
    "SpectralNormReg",
    # priors and robust penalties, defined in _regularization_priors.py
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

_EPS = 1e-8

Check = tuple[Callable[[np.ndarray], Any], str]
POSITIVE: Check = (lambda a: a > 0, "a positive value")
NON_NEGATIVE: Check = (lambda a: a >= 0, "a non-negative value")
PROBABILITY: Check = (lambda a: (a >= 0) & (a <= 1), "a probability in [0, 1]")


def pos(v: Any) -> Any:
    """``max(v, 1e-8)``: keeps a trainable positive hyperparameter positive."""
    return jnp.maximum(v, _EPS)


def _dims(value: Any) -> str:
    unit = u.get_unit(value)
    return "a dimensionless value" if unit.is_unitless else f"a value in {unit}"


def _mantissa(owner: str, arg: str, value: Any) -> tuple[Any, Any]:
    """``(mantissa, unit or None)`` of a hyperparameter, checked to be real and finite."""
    unit = u.get_unit(value) if isinstance(value, u.Quantity) else None
    unit = None if unit is None or unit.is_unitless else unit
    m = u.get_mantissa(value)
    if isinstance(m, jax.core.Tracer):
        return m, unit
    try:
        if value is None or isinstance(value, bool | str):
            raise TypeError
        arr = np.asarray(m, dtype=np.float64)
    except (TypeError, ValueError):
        raise BrainSimTypeError(
            f"{owner}({arg}=...): expected a real number or array, got "
            f"{type(value).__name__}: {value!r}."
        ) from None
    if not np.all(np.isfinite(arr)):
        raise BrainSimValueError(f"{owner}({arg}=...): expected finite values, got {value!r}.")
    return arr, unit


def _shape(owner: str, shape: Any) -> tuple[int, ...]:
    def is_int(s: Any) -> bool:
        return isinstance(s, int | np.integer) and not isinstance(s, bool)

    if is_int(shape):
        return (int(shape),)
    if isinstance(shape, tuple | list) and all(is_int(s) for s in shape):
        return tuple(int(s) for s in shape)
    raise BrainSimTypeError(
        f"{owner}.sample_init(shape=...): expected an int or a tuple of ints such as (3, 4), "
        f"got {type(shape).__name__}: {shape!r}."
    )


def _key(owner: str, key: Any) -> Any:
    if key is not None:
        return key
    from .. import random as bs_random  # imported late: the RNG module is optional here

    default = getattr(bs_random, "DEFAULT", None)
    if default is not None and callable(getattr(default, "split_key", None)):
        return default.split_key()
    if callable(getattr(bs_random, "split_key", None)):
        return bs_random.split_key()
    raise BrainSimValueError(
        f"{owner}.sample_init: no key was given and brainsim.random has no global key yet; "
        f"pass one, e.g. sample_init(shape, key=jax.random.PRNGKey(0))."
    )


class Regularization(Module):
    """Base class of regularizers: a penalty ``loss(value)`` plus the prior it stands for.

    Subclasses define ``loss(value) -> scalar`` and usually ``reset_value()`` (the prior's
    reset value, 0.0 by default) and ``sample_init(shape, key=None)`` (a draw from the prior;
    by default ``reset_value()`` broadcast to ``shape``). ``reg(value)`` is ``reg.loss(value)``.
    The loss is a pure function of the value and the hyperparameters, so it can be used under
    ``jit`` and ``grad``.

    Hyperparameters are stored with :meth:`_hyper` and read with :meth:`_h`. With
    ``fit_hyper=True`` the prior's hyperparameters (means, scales, shapes, bounds) are
    :class:`~brainsim.ParamState` attributes, found by ``states(ParamState)`` and trainable;
    the strength ``weight`` always stays a fixed array (trained, it would just shrink to 0).

    Units: a value may be a brainunit Quantity. When no hyperparameter carries a unit, the
    loss uses the value's mantissa (``u.get_mantissa``), so ``L2Reg`` gives the same number
    for ``[1, 2] * u.mV`` as for ``[1, 2]``. Location and scale hyperparameters (such as
    ``GaussianReg(mean, std)``, ``UniformReg(lower, upper)``, ``MaxNormReg(max_value)``) may
    carry a unit; they must then share one dimension, the value is converted to that unit
    before the loss is computed, and a value of another dimension raises
    ``BrainSimValueError``. ``reset_value()`` and ``sample_init()`` then return Quantities.
    Every other hyperparameter must be dimensionless.

    Parameters
    ----------
    fit_hyper
        Make the prior's hyperparameters trainable (``ParamState`` attributes).
    name
        Optional module name.

    Examples
    --------
    >>> import brainsim, brainunit as u, jax.numpy as jnp
    >>> reg = brainsim.nn.L2Reg(weight=0.1)
    >>> reg.loss(jnp.array([1.0, 2.0]))
    Array(0.5, dtype=float32)
    >>> reg(jnp.array([1.0, 2.0]) * u.mV)  # no unit on the hyperparameters: the mantissa
    Array(0.5, dtype=float32)
    >>> reg.reset_value()
    Array(0., dtype=float32)
    >>> g = brainsim.nn.GaussianReg(0.0, 1.0, fit_hyper=True)
    >>> sorted(g.states(brainsim.ParamState).keys())
    [('mean',), ('precision',)]
    """

    def __init__(self, fit_hyper: bool = False, name: str | None = None) -> None:
        super().__init__(name=name)
        if not isinstance(fit_hyper, bool):
            raise BrainSimTypeError(
                f"{type(self).__name__}(fit_hyper=...): expected True or False, got "
                f"{type(fit_hyper).__name__}: {fit_hyper!r}."
            )
        self.fit_hyper = fit_hyper
        self._unit: Any = None
        self._unit_arg: str | None = None

    @property
    def unit(self) -> Any:
        """The unit the values are measured in (set by unit-carrying hyperparameters)."""
        return self._unit

    # ------------------------------------------------------------------ hyperparameters
    def _convert(
        self, name: str, value: Any, check: Check | None = None, with_unit: bool = False
    ) -> Any:
        """Validated mantissa of a hyperparameter (in the regularizer's unit if ``with_unit``)."""
        owner = type(self).__name__
        m, unit = _mantissa(owner, name, value)
        if with_unit:
            if self._unit_arg is None:
                self._unit_arg, self._unit = name, unit
            elif (unit is None) != (self._unit is None) or (
                unit is not None and unit.dim != self._unit.dim
            ):
                ref = "dimensionless" if self._unit is None else f"in {self._unit}"
                raise BrainSimValueError(
                    f"{owner}({name}=...): expected the same dimension as "
                    f"{self._unit_arg} ({ref}), got {value!r}. Give both as plain numbers "
                    f"or both with compatible units, e.g. {self._unit_arg}=0.0 * u.mV, "
                    f"{name}=1.0 * u.mV."
                )
            if unit is not None:
                m = u.Quantity(value).to_decimal(self._unit)
        elif unit is not None:
            raise BrainSimValueError(
                f"{owner}({name}=...): expected a dimensionless number, got {value!r}; "
                f"write it as a plain float."
            )
        if check is not None and not isinstance(m, jax.core.Tracer):
            ok, expected = check
            if not np.all(ok(np.asarray(m))):
                raise BrainSimValueError(
                    f"{owner}({name}=...): expected {expected}, got {value!r}."
                )
        return m

    def _store(self, name: str, mantissa: Any, fit: bool | None = None) -> None:
        arr = jnp.asarray(mantissa, dtype=environ.dftype())
        fit = self.fit_hyper if fit is None else fit
        setattr(self, name, ParamState(arr) if fit else arr)

    def _hyper(
        self,
        name: str,
        value: Any,
        fit: bool | None = None,
        check: Check | None = None,
        with_unit: bool = False,
    ) -> Any:
        """Validate and store hyperparameter ``name``; a ParamState when fitted.

        ``fit`` defaults to ``fit_hyper``. ``check`` is ``(predicate, description)``.
        ``with_unit`` lets the value carry the unit of the regularized values. Returns the
        stored mantissa.
        """
        m = self._convert(name, value, check=check, with_unit=with_unit)
        self._store(name, m, fit)
        return m

    def _h(self, name: str) -> Any:
        """The current value of hyperparameter ``name`` (a plain array, no unit)."""
        v = getattr(self, name)
        return v.value if isinstance(v, ParamState) else v

    def _number(self, value: Any) -> jax.Array:
        """The value as a float array: its mantissa, in ``self.unit`` when one is set."""
        if self._unit is None:
            x = u.get_mantissa(value)
        else:
            if u.get_dim(value) != self._unit.dim:
                raise BrainSimValueError(
                    f"{type(self).__name__}.loss(value): {self._unit_arg} is in {self._unit}, "
                    f"so the value must have the same dimension; got {_dims(value)}. Pass "
                    f"a Quantity in {self._unit} or a compatible unit."
                )
            x = u.Quantity(value).to_decimal(self._unit)
        x = jnp.asarray(x)
        if not jnp.issubdtype(x.dtype, jnp.inexact):
            x = x.astype(environ.dftype())
        return x

    def _with_unit(self, x: Any) -> Any:
        return x if self._unit is None else u.Quantity(x, unit=self._unit)

    def _draw(self, shape: Any, key: Any) -> tuple[tuple[int, ...], Any]:
        owner = type(self).__name__
        return _shape(owner, shape), _key(owner, key)

    # ------------------------------------------------------------------ contract
    def loss(self, value: Any) -> Any:
        """The scalar penalty of ``value``."""
        raise NotImplementedError(
            f"{type(self).__name__}.loss is not implemented: a Regularization subclass "
            f"defines loss(value) -> scalar."
        )

    def reset_value(self) -> Any:
        """The value a parameter is reset to (``Param.reset_to_prior``); 0 by default."""
        return self._with_unit(jnp.zeros((), environ.dftype()))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        """An initial value of ``shape`` drawn from the prior (default: the reset value)."""
        return u.math.broadcast_to(self.reset_value(), _shape(type(self).__name__, shape))

    def update(self, value: Any) -> Any:
        return self.loss(value)

    def __call__(self, value: Any) -> Any:
        return self.loss(value)


class ChainedReg(Regularization):
    r"""Sum of several regularizers, scaled by ``weight``.

    .. math:: L(x) = w \sum_k L_k(x)

    ``reset_value`` and ``sample_init`` come from the first member; an empty chain has loss
    0, reset value 0 and samples zeros. Each member keeps its own hyperparameters (and its
    own ``fit_hyper``); the members are graph children under ``regularizations``.

    Parameters
    ----------
    *regs
        The member :class:`Regularization` instances.
    weight
        Overall strength :math:`w`.

    Examples
    --------
    >>> import brainsim, jax.numpy as jnp
    >>> nn = brainsim.nn
    >>> reg = nn.ChainedReg(nn.L1Reg(0.1), nn.L2Reg(0.1), weight=2.0)
    >>> round(float(reg.loss(jnp.array([1.0, 2.0]))), 4)  # 2 * (0.1 * 3 + 0.1 * 5)
    1.6
    >>> float(nn.ChainedReg().loss(jnp.ones(3)))
    0.0
    """

    def __init__(
        self,
        *regs: Regularization,
        weight: float = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        for i, r in enumerate(regs):
            if not isinstance(r, Regularization):
                raise BrainSimTypeError(
                    f"ChainedReg(*regs): expected Regularization instances such as "
                    f"L1Reg(0.1), got {type(r).__name__} at position {i}: {r!r}."
                )
        self.regularizations = list(regs)
        self._hyper("weight", weight, fit=False)

    def loss(self, value: Any) -> Any:
        if not self.regularizations:
            return jnp.zeros((), environ.dftype())
        total = self.regularizations[0].loss(value)
        for r in self.regularizations[1:]:
            total = total + r.loss(value)
        return self._h("weight") * total

    def reset_value(self) -> Any:
        if not self.regularizations:
            return super().reset_value()
        return self.regularizations[0].reset_value()

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        if not self.regularizations:
            return jnp.zeros(_shape("ChainedReg", shape), environ.dftype())
        return self.regularizations[0].sample_init(shape, key=key)


def _laplace(key: Any, shape: tuple[int, ...], scale: Any) -> jax.Array:
    return scale * jax.random.laplace(key, shape, environ.dftype())


def _normal(key: Any, shape: tuple[int, ...], std: Any = 1.0) -> jax.Array:
    return std * jax.random.normal(key, shape, environ.dftype())


class L1Reg(Regularization):
    r"""L1 (lasso) penalty, the negative log density of a Laplace prior.

    .. math:: L(x) = w \sum_i |x_i|

    Reset value 0; ``sample_init`` draws from Laplace(0, 1/w).

    Parameters
    ----------
    weight
        Strength :math:`w`.
    """

    def __init__(
        self, weight: float = 1.0, fit_hyper: bool = False, name: str | None = None
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)

    def loss(self, value: Any) -> Any:
        return self._h("weight") * jnp.sum(jnp.abs(self._number(value)))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        return _laplace(key, shape, 1.0 / pos(self._h("weight")))


class L2Reg(Regularization):
    r"""L2 (ridge) penalty, the negative log density of a zero-mean Gaussian prior.

    .. math:: L(x) = \mathrm{relu}(w) \sum_i x_i^2

    There is no factor 1/2. Reset value 0; ``sample_init`` draws from N(0, 1/w).

    Parameters
    ----------
    weight
        Strength :math:`w`.

    Examples
    --------
    >>> import brainsim, jax.numpy as jnp
    >>> brainsim.nn.L2Reg(weight=0.1).loss(jnp.array([1.0, 2.0]))
    Array(0.5, dtype=float32)
    """

    def __init__(
        self, weight: float = 1.0, fit_hyper: bool = False, name: str | None = None
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)

    def loss(self, value: Any) -> Any:
        return jax.nn.relu(self._h("weight")) * jnp.sum(self._number(value) ** 2)

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        return _normal(key, shape, 1.0 / jnp.sqrt(pos(self._h("weight"))))


class ElasticNetReg(Regularization):
    r"""Elastic net: a mix of L1 and L2 penalties.

    .. math:: L(x) = a\, w_1 \sum_i |x_i| + (1 - a)\, w_2 \sum_i x_i^2,
        \qquad a = \mathrm{clip}(\alpha, 0, 1)

    Parameters
    ----------
    l1_weight, l2_weight
        Strengths :math:`w_1`, :math:`w_2`.
    alpha
        Mixing ratio (1 is pure L1, 0 pure L2); clipped to [0, 1]. Trainable with
        ``fit_hyper``.
    """

    def __init__(
        self,
        l1_weight: float = 1.0,
        l2_weight: float = 1.0,
        alpha: float = 0.5,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("l1_weight", l1_weight, fit=False)
        self._hyper("l2_weight", l2_weight, fit=False)
        self._hyper("alpha", alpha)

    def loss(self, value: Any) -> Any:
        x = self._number(value)
        a = jnp.clip(self._h("alpha"), 0.0, 1.0)
        l1 = self._h("l1_weight") * jnp.sum(jnp.abs(x))
        l2 = self._h("l2_weight") * jnp.sum(x**2)
        return a * l1 + (1.0 - a) * l2

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        k1, k2 = jax.random.split(key)
        a = jnp.clip(self._h("alpha"), 0.0, 1.0)
        lap = _laplace(k1, shape, 1.0 / pos(self._h("l1_weight")))
        gauss = _normal(k2, shape, 1.0 / jnp.sqrt(pos(self._h("l2_weight"))))
        return a * lap + (1.0 - a) * gauss


class GroupLassoReg(Regularization):
    r"""Group lasso: the sum of the L2 norms of consecutive groups of the flattened values.

    .. math:: L(x) = w \sum_g \sqrt{\textstyle\sum_{i \in g} x_i^2 + 10^{-8}}

    The flattened values are zero-padded to a multiple of ``group_size``.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    group_size
        Elements per group (a positive int; 1 is a smoothed L1).
    """

    def __init__(
        self,
        weight: float = 1.0,
        group_size: int = 1,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        if not isinstance(group_size, int | np.integer) or isinstance(group_size, bool):
            raise BrainSimTypeError(
                f"GroupLassoReg(group_size=...): expected a positive int such as 4, got "
                f"{type(group_size).__name__}: {group_size!r}."
            )
        if group_size <= 0:
            raise BrainSimValueError(
                f"GroupLassoReg(group_size=...): expected a positive int such as 4, got "
                f"{group_size!r}."
            )
        self.group_size = int(group_size)

    def loss(self, value: Any) -> Any:
        flat = jnp.reshape(self._number(value), (-1,))
        pad = -flat.shape[0] % self.group_size
        groups = jnp.reshape(jnp.pad(flat, (0, pad)), (-1, self.group_size))
        norms = jnp.sqrt(jnp.sum(groups**2, axis=1) + _EPS)
        return self._h("weight") * jnp.sum(norms)

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        return _normal(key, shape, 1.0 / jnp.sqrt(pos(self._h("weight"))))


class TotalVariationReg(Regularization):
    r"""Total variation of the flattened values (first or second differences).

    .. math:: L_1(x) = w \sum_i |x_{i+1} - x_i|, \qquad
        L_2(x) = w \sum_i |x_{i+2} - 2 x_{i+1} + x_i|

    Parameters
    ----------
    weight
        Strength :math:`w`.
    order
        1 or 2.
    """

    def __init__(
        self,
        weight: float = 1.0,
        order: int = 1,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        if isinstance(order, bool) or order not in (1, 2):
            raise BrainSimValueError(
                f"TotalVariationReg(order=...): expected 1 (first differences) or 2 (second "
                f"differences), got {order!r}."
            )
        self.order = int(order)

    def loss(self, value: Any) -> Any:
        x = jnp.reshape(self._number(value), (-1,))
        d = jnp.diff(x, n=self.order)
        return self._h("weight") * jnp.sum(jnp.abs(d))

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        n = max(math.prod(shape), 1)
        noise = _normal(key, (n,), 1.0 / jnp.sqrt(pos(self._h("weight"))))
        return jnp.reshape(jnp.cumsum(noise)[: math.prod(shape)], shape) / math.sqrt(n)


class MaxNormReg(Regularization):
    r"""Soft max-norm constraint on the L2 norm of all values.

    .. math:: L(x) = w\, \mathrm{relu}\big(\lVert x \rVert_2 - c\big)^2, \qquad
        \lVert x \rVert_2 = \sqrt{\textstyle\sum_i x_i^2 + 10^{-8}}

    Parameters
    ----------
    weight
        Strength :math:`w`.
    max_value
        Allowed norm :math:`c` (non-negative; may carry the values' unit). Trainable with
        ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        max_value: Any = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("max_value", max_value, check=NON_NEGATIVE, with_unit=True)

    def loss(self, value: Any) -> Any:
        norm = jnp.sqrt(jnp.sum(self._number(value) ** 2) + _EPS)
        return self._h("weight") * jax.nn.relu(norm - pos(self._h("max_value"))) ** 2

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        x = _normal(key, shape)
        norm = jnp.sqrt(jnp.sum(x**2) + _EPS)
        scale = jnp.minimum(0.5 * pos(self._h("max_value")) / norm, 1.0)
        return self._with_unit(x * scale)


class EntropyReg(Regularization):
    r"""Entropy of the softmax of the flattened values.

    .. math:: H = -\sum_i p_i \log(p_i + 10^{-8}), \quad p = \mathrm{softmax}(x); \qquad
        L = -w H \text{ if maximize else } w H

    Parameters
    ----------
    weight
        Strength :math:`w`.
    maximize
        True rewards high entropy (spread out), False rewards concentration.
    """

    def __init__(
        self,
        weight: float = 1.0,
        maximize: bool = True,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        if not isinstance(maximize, bool):
            raise BrainSimTypeError(
                f"EntropyReg(maximize=...): expected True or False, got "
                f"{type(maximize).__name__}: {maximize!r}."
            )
        self.maximize = maximize

    def loss(self, value: Any) -> Any:
        p = jax.nn.softmax(jnp.reshape(self._number(value), (-1,)))
        entropy = -jnp.sum(p * jnp.log(p + _EPS))
        sign = -1.0 if self.maximize else 1.0
        return sign * self._h("weight") * entropy

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        if self.maximize:
            return jnp.zeros(shape, environ.dftype())
        return _normal(key, shape)


def _as_matrix(x: jax.Array) -> jax.Array:
    """0-d -> 1x1; 1-D of square length n*n -> n x n, else a column; N-D -> (shape[0], -1)."""
    if x.ndim == 0:
        return jnp.reshape(x, (1, 1))
    if x.ndim == 1:
        n = math.isqrt(x.shape[0])
        return jnp.reshape(x, (n, n) if n * n == x.shape[0] else (-1, 1))
    return x if x.ndim == 2 else jnp.reshape(x, (x.shape[0], -1))


class OrthogonalReg(Regularization):
    r"""Deviation of a weight matrix from orthonormal columns.

    .. math:: L(W) = w \lVert W^\top W - I \rVert_F^2

    A 1-D value of length :math:`n^2` is read as an :math:`n \times n` matrix, any other 1-D
    value as a column, an N-D value as ``(shape[0], -1)``.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    """

    def __init__(
        self, weight: float = 1.0, fit_hyper: bool = False, name: str | None = None
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)

    def loss(self, value: Any) -> Any:
        W = _as_matrix(self._number(value))
        gram = W.T @ W
        return self._h("weight") * jnp.sum((gram - jnp.eye(gram.shape[0], dtype=W.dtype)) ** 2)

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        n = math.prod(shape)
        mat = _as_matrix(jnp.zeros(shape)).shape
        if mat[1] == 1 and n > 0:  # a column: a unit vector
            x = _normal(key, (n,))
            return jnp.reshape(x / jnp.linalg.norm(x), shape)
        q = jax.nn.initializers.orthogonal()(key, mat, environ.dftype())
        return jnp.reshape(q, shape)


class SpectralNormReg(Regularization):
    r"""Soft constraint on the largest singular value of a weight matrix.

    .. math:: L(W) = w\, \mathrm{relu}\big(\sigma_{\max}(W) - c\big)^2

    :math:`\sigma_{\max}` is computed exactly (an SVD; deterministic and differentiable).
    N-D values are read as ``(shape[0], -1)``; 0-d and 1-D values use the L2 norm.

    Parameters
    ----------
    weight
        Strength :math:`w`.
    max_value
        Allowed spectral norm :math:`c` (non-negative; may carry the values' unit).
        Trainable with ``fit_hyper``.
    """

    def __init__(
        self,
        weight: float = 1.0,
        max_value: Any = 1.0,
        fit_hyper: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(fit_hyper=fit_hyper, name=name)
        self._hyper("weight", weight, fit=False)
        self._hyper("max_value", max_value, check=NON_NEGATIVE, with_unit=True)

    @staticmethod
    def _sigma(x: jax.Array) -> jax.Array:
        if x.ndim < 2:
            return jnp.sqrt(jnp.sum(x**2) + _EPS)
        W = x if x.ndim == 2 else jnp.reshape(x, (x.shape[0], -1))
        return jnp.linalg.norm(W, ord=2)

    def loss(self, value: Any) -> Any:
        sigma = self._sigma(self._number(value))
        return self._h("weight") * jax.nn.relu(sigma - pos(self._h("max_value"))) ** 2

    def sample_init(self, shape: Any, key: Any = None) -> Any:
        shape, key = self._draw(shape, key)
        x = _normal(key, shape)
        return self._with_unit(x * 0.5 * pos(self._h("max_value")) / (self._sigma(x) + _EPS))


from ._regularization_priors import BetaReg as BetaReg  # noqa: E402
from ._regularization_priors import CauchyReg as CauchyReg  # noqa: E402
from ._regularization_priors import DirichletReg as DirichletReg  # noqa: E402
from ._regularization_priors import ExponentialReg as ExponentialReg  # noqa: E402
from ._regularization_priors import GammaReg as GammaReg  # noqa: E402
from ._regularization_priors import GaussianReg as GaussianReg  # noqa: E402
from ._regularization_priors import HorseshoeReg as HorseshoeReg  # noqa: E402
from ._regularization_priors import HuberReg as HuberReg  # noqa: E402
from ._regularization_priors import InverseGammaReg as InverseGammaReg  # noqa: E402
from ._regularization_priors import LogNormalReg as LogNormalReg  # noqa: E402
from ._regularization_priors import LogUniformReg as LogUniformReg  # noqa: E402
from ._regularization_priors import SpikeAndSlabReg as SpikeAndSlabReg  # noqa: E402
from ._regularization_priors import StudentTReg as StudentTReg  # noqa: E402
from ._regularization_priors import UniformReg as UniformReg  # noqa: E402
