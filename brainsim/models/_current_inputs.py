"""Current generators: inputs that are functions of the step index, and array builders.

Every generator reads the current step ``k`` from environ (``i``, else ``round(t / dt)``)
and evaluates a pure function of ``k``. Window edges are rounded to steps:
``n0 = round(t_start / dt)``, ``n1 = round((t_start + duration) / dt)``; step ``k`` is inside
when ``n0 <= k < n1`` and the output is 0 outside. The array builders evaluate the same
function on ``k = 0, 1, ..., n - 1``, so a precomputed array equals what the module returns
step by step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import brainunit as u
import jax.numpy as jnp
import numpy as np

from .. import environ
from .._errors import BrainSimValueError
from ..nn import Module
from ._inputs import current_step, ratio, with_unit
from ._utils import check_param, value

__all__ = [
    "ConstantInput",
    "SectionInput",
    "StepInput",
    "RampInput",
    "SinusoidalInput",
    "section_input",
    "constant_input",
    "step_input",
    "ramp_input",
    "sinusoidal_input",
]

ZERO_MS = 0.0 * u.ms


def _steps(where: str, t: Any, dt: Any) -> Any:
    return jnp.round(ratio(where, t, dt))


def masked(m: Any, inside: Any) -> Any:
    """Zero ``m`` (shape ``k.shape + shape``) where ``inside`` (shape ``k.shape``) is False."""
    inside = jnp.reshape(inside, jnp.shape(inside) + (1,) * (jnp.ndim(m) - jnp.ndim(inside)))
    return jnp.where(inside, m, jnp.zeros((), jnp.result_type(m)))


def _stack(owner: str, name: str, values: Sequence[Any]) -> tuple[Any, Any]:
    """Stack values (broadcasting shapes) into one float array in the first value's unit."""
    if len(values) == 0:
        raise BrainSimValueError(f"{owner}({name}=...): expected at least one value.")
    unit = u.get_unit(values[0])
    ms = []
    for v in values:
        if u.get_unit(v).dim != unit.dim:
            raise BrainSimValueError(
                f"{owner}({name}=...): all values need the same dimension as the first "
                f"({unit}), got {v!r}."
            )
        ms.append(jnp.asarray(u.maybe_decimal(v / unit), environ.dftype()))
    shape = np.broadcast_shapes(*(np.shape(m) for m in ms))
    return jnp.stack([jnp.broadcast_to(m, shape) for m in ms]), unit


class TimedInput(Module):
    """Base of the current generators (not public): ``update()`` returns the output at the
    current step, ``value_at(k)`` at given steps, ``as_array(duration)`` over a run.

    Contract of subclasses: ``_raw(k, dt)`` gives the mantissa at steps ``k``
    (shape ``k.shape + self.shape``) and ``_inside(k, dt)`` the window; subclasses set
    ``self.unit`` and ``self.shape``."""

    unit: Any
    shape: tuple[int, ...]

    def _window(self, dt: Any) -> tuple[Any, Any]:
        owner = type(self).__name__
        n0 = _steps(owner, value(self.t_start), dt)
        return n0, _steps(owner, value(self.t_start) + value(self.duration), dt)

    def _inside(self, k: Any, dt: Any) -> Any:
        n0, n1 = self._window(dt)
        return (k >= n0) & (k < n1)

    def _raw(self, k: Any, dt: Any) -> Any:
        raise NotImplementedError

    def value_at(self, k: Any, dt: Any = None) -> Any:
        """The output at step(s) ``k`` (an int array; output shape ``k.shape + shape``)."""
        dt = environ.get_dt() if dt is None else dt
        k = jnp.asarray(k)
        return with_unit(masked(self._raw(k, dt), self._inside(k, dt)), self.unit)

    def as_array(self, duration: Any, dt: Any = None) -> Any:
        """The outputs of steps ``0 .. round(duration / dt) - 1`` stacked on axis 0."""
        dt = environ.get_dt() if dt is None else dt
        n = int(round(float(ratio(f"{type(self).__name__}.as_array", duration, dt))))
        return self.value_at(jnp.arange(n), dt)

    def update(self, *args: Any) -> Any:
        """The output at the current step. Positional arguments (such as the ``V`` that
        ``sum_current_inputs`` passes) are ignored, so a generator can be registered directly
        with ``neuron.add_current_input(key, generator)``."""
        return self.value_at(current_step(f"{type(self).__name__}.update"))


def check_window(owner: Any, duration: Any, t_start: Any) -> None:
    owner.duration = check_param(owner, "duration", duration, u.ms, nonnegative=True)
    owner.t_start = check_param(owner, "t_start", t_start, u.ms)


class ConstantInput(TimedInput):
    r"""A constant input ``value`` during ``[t_start, t_start + duration)``, 0 elsewhere.

    Parameters
    ----------
    in_size : int or tuple
        Output shape.
    value : scalar or array broadcastable to ``in_size``, any unit (e.g. ``1 * u.nA``)
    duration : time
    t_start : time, default 0 ms
    name : str, optional

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> inp = brainsim.models.ConstantInput(2, 1.5 * u.nA, duration=10 * u.ms)
    >>> with brainsim.environ.context(t=5 * u.ms):
    ...     inp().to_decimal(u.nA)
    Array([1.5, 1.5], dtype=float32)
    >>> with brainsim.environ.context(i=100):   # t = 10 ms: outside
    ...     inp().to_decimal(u.nA)
    Array([0., 0.], dtype=float32)
    """

    def __init__(
        self,
        in_size: Any,
        value: Any,
        duration: Any,
        t_start: Any = ZERO_MS,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.in_size = in_size
        self.varshape = self.shape = tuple(self.in_size)
        self.value = check_param(self, "value", value, u.get_unit(value))
        check_window(self, duration, t_start)
        self.unit = u.get_unit(value)

    def _raw(self, k: Any, dt: Any) -> Any:
        m = jnp.asarray(u.maybe_decimal(value(self.value) / self.unit), environ.dftype())
        return jnp.broadcast_to(m, k.shape + self.shape)


class SectionInput(TimedInput):
    r"""Consecutive sections: ``values[j]`` for ``durations[j]``, starting at t = 0.

    Section ``j`` covers steps ``round(D_{j-1} / dt) <= k < round(D_j / dt)`` with
    :math:`D_j = \sum_{l \le j} \mathrm{durations}_l`; the output is 0 after the last.

    Parameters
    ----------
    values : sequence of scalars or arrays (same dimension, shapes broadcast together)
    durations : sequence of times, same length as ``values``
    name : str, optional

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> inp = brainsim.models.SectionInput([0., 1., 0.5] * u.nA, [1., 2., 1.] * u.ms)
    >>> with brainsim.environ.context(i=15):
    ...     inp().to_decimal(u.nA)
    Array(1., dtype=float32)
    >>> inp.value_at([0, 30, 39, 40]).to_decimal(u.nA)
    Array([0. , 0.5, 0.5, 0. ], dtype=float32)
    """

    def __init__(
        self, values: Sequence[Any], durations: Sequence[Any], name: str | None = None
    ) -> None:
        super().__init__(name=name)
        if len(values) != len(durations):
            raise BrainSimValueError(
                f"SectionInput: values ({len(values)}) and durations ({len(durations)}) must "
                f"have the same length."
            )
        self.values, self.unit = _stack("SectionInput", "values", list(values))
        self.shape = tuple(self.values.shape[1:])
        ds = [check_param(self, "durations", d, u.ms, nonnegative=True) for d in durations]
        self.ends = u.math.cumsum(u.math.stack([u.math.asarray(d) for d in ds]))

    def _inside(self, k: Any, dt: Any) -> Any:
        return (k >= 0) & (k < _steps("SectionInput", self.ends[-1], dt))

    def _raw(self, k: Any, dt: Any) -> Any:
        j = jnp.searchsorted(_steps("SectionInput", self.ends, dt), k, side="right")
        return self.values[jnp.clip(j, 0, self.values.shape[0] - 1)]


class StepInput(TimedInput):
    r"""A step function: ``amplitudes[j]`` from ``step_times[j]`` until the next step time.

    The output is 0 before the first step time (and from ``duration`` on, when given).
    ``step_times`` need not be sorted.

    Parameters
    ----------
    amplitudes : sequence of scalars or arrays (same dimension)
    step_times : sequence of times, same length
    duration : time, optional
        End of the input (measured from t = 0); ``None`` holds the last amplitude forever.
    name : str, optional

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> inp = brainsim.models.StepInput([1., 2.] * u.nA, [5., 1.] * u.ms)
    >>> inp.value_at([0, 10, 49, 50, 10_000]).to_decimal(u.nA)
    Array([0., 2., 2., 1., 1.], dtype=float32)
    """

    def __init__(
        self,
        amplitudes: Sequence[Any],
        step_times: Sequence[Any],
        duration: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        if len(amplitudes) != len(step_times):
            raise BrainSimValueError(
                f"StepInput: amplitudes ({len(amplitudes)}) and step_times ({len(step_times)}) "
                f"must have the same length."
            )
        check_param(self, "step_times", step_times, u.ms)
        self.duration = check_param(
            self, "duration", duration, u.ms, nonnegative=True, allow_none=True
        )
        order = np.argsort(np.asarray(u.get_mantissa(step_times)).reshape(-1), kind="stable")
        amps, self.unit = _stack("StepInput", "amplitudes", list(amplitudes))
        self.amplitudes = amps[order]
        self.shape = tuple(amps.shape[1:])
        self.step_times = u.math.asarray(step_times)[order]

    def _inside(self, k: Any, dt: Any) -> Any:
        inside = k >= _steps("StepInput", self.step_times[0], dt)
        if self.duration is not None:
            inside = inside & (k < _steps("StepInput", self.duration, dt))
        return inside

    def _raw(self, k: Any, dt: Any) -> Any:
        j = jnp.searchsorted(_steps("StepInput", self.step_times, dt), k, side="right") - 1
        return self.amplitudes[jnp.clip(j, 0, self.amplitudes.shape[0] - 1)]


class RampInput(TimedInput):
    r"""A linear ramp from ``c_start`` to ``c_end`` over ``[t_start, t_start + duration)``.

    .. math:: I(k) = c_{start} + (c_{end} - c_{start}) \frac{(k - n_0)\,dt}{duration}

    for :math:`n_0 \le k < n_1`, 0 elsewhere (the last step is one ``dt`` short of
    ``c_end``).

    Parameters
    ----------
    c_start, c_end : scalars or arrays with the same dimension
    duration : time
    t_start : time, default 0 ms
    name : str, optional

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> ramp = brainsim.models.RampInput(0. * u.nA, 1. * u.nA, 10 * u.ms, t_start=1 * u.ms)
    >>> ramp.value_at([0, 10, 60, 110]).to_decimal(u.nA)
    Array([0. , 0. , 0.5, 0. ], dtype=float32)
    """

    def __init__(
        self,
        c_start: Any,
        c_end: Any,
        duration: Any,
        t_start: Any = ZERO_MS,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.c, self.unit = _stack("RampInput", "c_start/c_end", [c_start, c_end])
        self.shape = tuple(self.c.shape[1:])
        check_window(self, duration, t_start)

    def _raw(self, k: Any, dt: Any) -> Any:
        n0, _ = self._window(dt)
        frac = (k - n0) / ratio("RampInput", value(self.duration), dt)
        frac = jnp.reshape(frac, frac.shape + (1,) * len(self.shape))
        return self.c[0] + (self.c[1] - self.c[0]) * frac


class SinusoidalInput(TimedInput):
    r"""A sinusoid during ``[t_start, t_start + duration)``, 0 elsewhere.

    .. math:: I(k) = A \sin(2\pi f (k - n_0)\,dt) \;[+ A \text{ if bias}]

    The phase starts at 0 at ``t_start``; with ``bias=True`` the wave is shifted up by
    ``A`` so that it lies in ``[0, 2A]``.

    Parameters
    ----------
    amplitude : scalar or array, any unit (e.g. ``1 * u.nA``)
    frequency : frequency (e.g. ``10 * u.Hz``)
    duration : time
    t_start : time, default 0 ms
    bias : bool, default False
    name : str, optional

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> sin = brainsim.models.SinusoidalInput(2. * u.nA, 250 * u.Hz, 100 * u.ms)
    >>> sin.value_at([0, 10, 1000]).to_decimal(u.nA)   # t = 0, 1 ms (a quarter period), outside
    Array([0., 2., 0.], dtype=float32)
    """

    def __init__(
        self,
        amplitude: Any,
        frequency: Any,
        duration: Any,
        t_start: Any = ZERO_MS,
        bias: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.amplitude = amplitude
        self.unit = u.get_unit(amplitude)
        self.shape = tuple(np.shape(u.get_mantissa(amplitude)))
        self.frequency = check_param(self, "frequency", frequency, u.Hz)
        check_window(self, duration, t_start)
        self.bias = bool(bias)

    def _raw(self, k: Any, dt: Any) -> Any:
        n0, _ = self._window(dt)
        phase = 2 * jnp.pi * (k - n0) * u.maybe_decimal(value(self.frequency) * dt)
        phase = jnp.reshape(phase, phase.shape + (1,) * len(self.shape))
        a = jnp.asarray(u.maybe_decimal(value(self.amplitude) / self.unit), environ.dftype())
        return a * jnp.sin(phase) + (a if self.bias else 0.0)


# ------------------------------------------------------------------ array builders
def section_input(
    values: Sequence[Any], durations: Sequence[Any], dt: Any = None, return_length: bool = False
) -> Any:
    """Precompute :class:`SectionInput` as an array over steps (axis 0).

    Returns the array of ``round(sum(durations) / dt)`` steps, or ``(array, total_duration)``
    when ``return_length=True``. ``dt`` defaults to environ ``dt``.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> x, total = brainsim.models.section_input([0., 1.] * u.nA, [0.2, 0.3] * u.ms,
    ...                                          return_length=True)
    >>> x.to_decimal(u.nA), total
    (Array([0., 0., 1., 1., 1.], dtype=float32), Quantity(0.5, "ms"))
    """
    gen = SectionInput(values, durations)
    total = gen.ends[-1]
    arr = gen.as_array(total, dt)
    return (arr, total) if return_length else arr


def constant_input(I_and_duration: Sequence[tuple[Any, Any]], dt: Any = None) -> tuple:
    """Sections given as ``[(value, duration), ...]``; returns ``(array, total_duration)``.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> x, total = brainsim.models.constant_input([(1. * u.nA, 0.2 * u.ms),
    ...                                            (0. * u.nA, 0.1 * u.ms)])
    >>> x.to_decimal(u.nA), total
    (Array([1., 1., 0.], dtype=float32), Quantity(0.3, "ms"))
    """
    values, durations = zip(*I_and_duration, strict=True)
    return section_input(values, durations, dt, return_length=True)


def step_input(
    amplitudes: Sequence[Any], step_times: Sequence[Any], duration: Any, dt: Any = None
) -> Any:
    """Precompute :class:`StepInput` as an array of ``round(duration / dt)`` steps.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> x = brainsim.models.step_input([1., 3.] * u.nA, [0.1, 0.3] * u.ms, 0.5 * u.ms)
    >>> x.to_decimal(u.nA)
    Array([0., 1., 1., 3., 3.], dtype=float32)
    """
    return StepInput(amplitudes, step_times, duration).as_array(duration, dt)


def ramp_input(
    c_start: Any, c_end: Any, duration: Any, t_start: Any = ZERO_MS, dt: Any = None
) -> Any:
    """Precompute :class:`RampInput` as an array of ``round((t_start + duration) / dt)`` steps.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> x = brainsim.models.ramp_input(0. * u.nA, 1. * u.nA, 0.4 * u.ms, t_start=0.1 * u.ms)
    >>> x.to_decimal(u.nA)
    Array([0.  , 0.  , 0.25, 0.5 , 0.75], dtype=float32)
    """
    return RampInput(c_start, c_end, duration, t_start).as_array(t_start + duration, dt)


def sinusoidal_input(
    amplitude: Any,
    frequency: Any,
    duration: Any,
    t_start: Any = ZERO_MS,
    bias: bool = False,
    dt: Any = None,
) -> Any:
    """Precompute :class:`SinusoidalInput` over ``round((t_start + duration) / dt)`` steps.

    Examples
    --------
    >>> import brainunit as u, brainsim
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> x = brainsim.models.sinusoidal_input(1. * u.nA, 1 * u.kHz, 1 * u.ms, bias=True)
    >>> x.shape, float(x[5].mantissa)   # half a period
    ((10,), 1.0...)
    """
    gen = SinusoidalInput(amplitude, frequency, duration, t_start, bias)
    return gen.as_array(t_start + duration, dt)
