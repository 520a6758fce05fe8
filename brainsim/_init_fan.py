"""Fan-based initializers: the variance-scaling family and orthogonal matrices.

Part of :mod:`brainsim.init` (re-exported there); built on :class:`brainsim.init.Initializer`.
"""

from __future__ import annotations

import math

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from ._errors import BrainSimTypeError, BrainSimValueError
from .init import Initializer, _dimensionless, _require, _resolve_units

# --------------------------------------------------------------------------------------
# variance scaling family
# --------------------------------------------------------------------------------------

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")
# Standard deviation of a standard normal truncated to (-2, 2).
_TRUNC_STD = 0.87962566103423978


def _compute_fans(owner: str, shape: tuple[int, ...], in_axis: int, out_axis: int):
    """Fan-in and fan-out as in ``jax.nn.initializers``; a 1-D shape has both = shape[0]."""
    if len(shape) == 0:
        raise BrainSimValueError(f"{owner}: needs a shape with at least 1 dimension, got ().")
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    nd = len(shape)
    for name, ax in (("in_axis", in_axis), ("out_axis", out_axis)):
        if not -nd <= ax < nd:
            raise BrainSimValueError(
                f"{owner}({name}={ax}): out of range for a shape with {nd} dimensions {shape}."
            )
    if in_axis % nd == out_axis % nd:
        raise BrainSimValueError(
            f"{owner}(in_axis={in_axis}, out_axis={out_axis}): must name different axes."
        )
    receptive = math.prod(shape) / shape[in_axis] / shape[out_axis]
    return shape[in_axis] * receptive, shape[out_axis] * receptive


class VarianceScaling(Initializer):
    """Zero-mean samples with variance ``scale / n``, ``n`` set by ``mode``.

    Parameters
    ----------
    scale : float
        Variance scale, ``> 0``.
    mode : {'fan_in', 'fan_out', 'fan_avg'}
        ``n`` is the fan-in, the fan-out or their average. For a 1-D shape both fans are
        ``shape[0]``; for more dimensions they are ``shape[in_axis]`` (resp. ``out_axis``)
        times the product of the remaining (receptive-field) dimensions.
    distribution : {'truncated_normal', 'normal', 'uniform'}
        Sampling distribution; the truncated normal is cut at two standard deviations and
        rescaled so its standard deviation is ``sqrt(scale / n)``.
    in_axis, out_axis : int
        Input and output axes of the weight array.
    unit : brainunit Unit, optional
        Unit of the output.
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        in_axis: int = -2,
        out_axis: int = -1,
        unit: u.Unit | None = None,
    ):
        owner = type(self).__name__
        if mode not in _MODES:
            raise BrainSimValueError(f"{owner}(mode={mode!r}): expected one of {_MODES}.")
        if distribution not in _DISTRIBUTIONS:
            raise BrainSimValueError(
                f"{owner}(distribution={distribution!r}): expected one of {_DISTRIBUTIONS}."
            )
        for name, ax in (("in_axis", in_axis), ("out_axis", out_axis)):
            if not isinstance(ax, (int, np.integer)) or isinstance(ax, bool):
                raise BrainSimTypeError(f"{owner}({name}={ax!r}): expected an int axis.")
        scale = _dimensionless(owner, "scale", scale)
        _require(lambda s: s > 0, scale, f"{owner}(scale={scale}): expected scale > 0.")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.in_axis, self.out_axis, self.unit = int(in_axis), int(out_axis), unit
        self._args = {
            "scale": scale,
            "mode": mode,
            "distribution": distribution,
            "in_axis": self.in_axis,
            "out_axis": self.out_axis,
            "unit": unit,
        }
        self._unit = _resolve_units(owner, unit)[0]

    def _generate(self, shape, key, dtype):
        if math.prod(shape) == 0:
            return jnp.zeros(shape, dtype)
        fan_in, fan_out = _compute_fans(repr(self), shape, self.in_axis, self.out_axis)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        std = jnp.sqrt(jnp.asarray(self.scale / n, dtype))
        key = self._key(key)
        if self.distribution == "truncated_normal":
            z = jax.random.truncated_normal(key, -2.0, 2.0, shape, dtype)
            return z * (std / jnp.asarray(_TRUNC_STD, dtype))
        if self.distribution == "normal":
            return jax.random.normal(key, shape, dtype) * std
        return jax.random.uniform(key, shape, dtype, -1.0, 1.0) * (std * jnp.sqrt(3.0))


class KaimingNormal(VarianceScaling):
    """He et al. (2015) initialisation: truncated normal with variance ``scale / fan_in``.

    Examples
    --------
    >>> import jax
    >>> from brainsim import init
    >>> w = init.KaimingNormal()((256, 128), key=jax.random.PRNGKey(0))
    >>> w.shape, w.dtype
    ((256, 128), dtype('float32'))
    >>> bool(abs(float(w.std()) - (2.0 / 256) ** 0.5) < 0.01)
    True
    """

    def __init__(
        self,
        scale: float = 2.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        in_axis: int = -2,
        out_axis: int = -1,
        unit: u.Unit | None = None,
    ):
        super().__init__(scale, mode, distribution, in_axis, out_axis, unit)


class KaimingUniform(VarianceScaling):
    """He et al. (2015) initialisation with a uniform distribution."""

    def __init__(
        self,
        scale: float = 2.0,
        mode: str = "fan_in",
        distribution: str = "uniform",
        in_axis: int = -2,
        out_axis: int = -1,
        unit: u.Unit | None = None,
    ):
        super().__init__(scale, mode, distribution, in_axis, out_axis, unit)


class XavierNormal(VarianceScaling):
    """Glorot & Bengio (2010): truncated normal with variance ``scale / fan_avg``."""

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_avg",
        distribution: str = "truncated_normal",
        in_axis: int = -2,
        out_axis: int = -1,
        unit: u.Unit | None = None,
    ):
        super().__init__(scale, mode, distribution, in_axis, out_axis, unit)


class XavierUniform(VarianceScaling):
    """Glorot & Bengio (2010) initialisation with a uniform distribution."""

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_avg",
        distribution: str = "uniform",
        in_axis: int = -2,
        out_axis: int = -1,
        unit: u.Unit | None = None,
    ):
        super().__init__(scale, mode, distribution, in_axis, out_axis, unit)


class LecunNormal(VarianceScaling):
    """LeCun et al. (1998): truncated normal with variance ``scale / fan_in``."""

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        in_axis: int = -2,
        out_axis: int = -1,
        unit: u.Unit | None = None,
    ):
        super().__init__(scale, mode, distribution, in_axis, out_axis, unit)


class LecunUniform(VarianceScaling):
    """LeCun et al. (1998) initialisation with a uniform distribution."""

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "uniform",
        in_axis: int = -2,
        out_axis: int = -1,
        unit: u.Unit | None = None,
    ):
        super().__init__(scale, mode, distribution, in_axis, out_axis, unit)


# --------------------------------------------------------------------------------------
# orthogonal family (delegates to jax.nn.initializers)
# --------------------------------------------------------------------------------------


class Orthogonal(Initializer):
    """Uniformly distributed (scaled) orthogonal matrices (Saxe et al., 2014).

    The array is viewed as a matrix whose columns run along ``axis``; with at least as
    many rows as columns the columns are orthonormal (``W.T @ W = scale**2 * I``),
    otherwise the rows are. Needs ``ndim >= 2``.
    """

    def __init__(self, scale: float = 1.0, axis: int = -1, unit: u.Unit | None = None):
        owner = type(self).__name__
        scale = _dimensionless(owner, "scale", scale)
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise BrainSimTypeError(f"{owner}(axis={axis!r}): expected an int axis.")
        self.scale, self.axis, self.unit = scale, int(axis), unit
        self._args = {"scale": scale, "axis": self.axis, "unit": unit}
        self._unit = _resolve_units(owner, unit)[0]

    def _generate(self, shape, key, dtype):
        if len(shape) < 2:
            raise BrainSimValueError(f"{self!r}(shape={shape}): needs at least 2 dimensions.")
        if not -len(shape) <= self.axis < len(shape):
            raise BrainSimValueError(f"{self!r}: axis out of range for shape {shape}.")
        work = jnp.promote_types(dtype, jnp.float32)  # QR needs at least float32
        fn = jax.nn.initializers.orthogonal(self.scale, column_axis=self.axis)
        return fn(self._key(key), shape, work).astype(dtype)


class DeltaOrthogonal(Orthogonal):
    """Delta-orthogonal convolution kernels (Xiao et al., 2018): an orthogonal matrix at the
    spatial centre, zeros elsewhere; 3-D to 5-D shapes with ``shape[-2] <= shape[-1]``."""

    def _generate(self, shape, key, dtype):
        if len(shape) not in (3, 4, 5) or shape[-2] > shape[-1]:
            raise BrainSimValueError(
                f"{self!r}(shape={shape}): needs a 3-D, 4-D or 5-D shape with "
                f"shape[-2] <= shape[-1]."
            )
        work = jnp.promote_types(dtype, jnp.float32)  # QR needs at least float32
        fn = jax.nn.initializers.delta_orthogonal(self.scale, column_axis=self.axis)
        return fn(self._key(key), shape, work).astype(dtype)
