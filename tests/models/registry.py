"""The model registry of the conformance suite (``test_conformance.py``).

One :class:`Entry` per public model of ``brainsim.models``: how to build it so that it is
active within ~50 steps, what to feed ``update`` on each step, and what its states and
output must look like. **Adding an entry gives the model every conformance test**; a
meta-test fails when a public model class has neither an entry nor a reasoned exclusion in
:data:`EXCLUDED`.

Conventions
-----------
* ``factory()`` builds the model; it is called with ``dt`` already set (``SpikeTime``
  tabulates its events at construction) and under the precision being tested.
* ``drive(i, batch)`` returns the positional arguments of ``update`` at step ``i`` (a Python
  int or a traced integer): arrays of shape ``shape``, or ``(batch, *shape)`` when ``batch``
  is an int. Lane ``b`` of a batch gets a different input from lane ``b + 1``; lane 0 equals
  the unbatched input.
* ``dims`` maps *every* non-parameter State to its documented unit: a brainunit unit,
  ``None`` for a dimensionless state (a plain array or a unitless Quantity) or ``bool``.
* ``grad``: ``"input"`` differentiates with respect to a float scale multiplying every
  float input; a parameter name differentiates with respect to that parameter, wrapped in
  a ``brainsim.nn.Param`` after construction; a :class:`Skip` gives the reason a model has
  no gradient to check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import brainunit as u
import jax.numpy as jnp

import brainsim
from brainsim import models

N = 4  # population size of every entry
DT = 0.1 * u.ms

SPIKE, CONDUCTANCE, VALUE = "spike", "conductance", "value"


@dataclass(frozen=True)
class Skip:
    """A test that does not apply to a model, with the reason."""

    reason: str


@dataclass(frozen=True)
class Entry:
    cls: type
    factory: Callable[[], Any]
    drive: Callable[[Any, int | None], tuple]
    dims: dict[str, Any]
    kind: str
    dt: Any = field(default_factory=lambda: DT)  # the time step of every run
    needs_t: bool = False  # reads environ ``t`` (or ``i``) and fails loudly without it
    shape: tuple[int, ...] = (N,)  # unbatched shape of the states and of the output
    grad: str | Skip = "input"
    stochastic: bool = False  # draws from brainsim.random

    @property
    def name(self) -> str:
        return self.cls.__name__


# ------------------------------------------------------------------ drives
def _lanes(batch: int | None, shape: tuple[int, ...] = (N,)) -> Any:
    """Per-neuron factors in [1, 1.3]; lane b of a batch is scaled by 1 + b / 4."""
    per_neuron = jnp.linspace(1.0, 1.3, shape[-1]) if shape else jnp.asarray(1.0)
    per_neuron = jnp.broadcast_to(per_neuron, shape)
    if batch is None:
        return per_neuron
    return (1.0 + jnp.arange(batch) / 4.0).reshape((batch,) + (1,) * len(shape)) * per_neuron


def current(amplitude: Any) -> Callable[[Any, int | None], tuple]:
    """A constant input of about ``amplitude`` (varied per neuron and per lane)."""

    def drive(i: Any, batch: int | None) -> tuple:
        return (_lanes(batch) * amplitude,)

    return drive


def _spike_train(i: Any, batch: int | None, period: int = 5) -> Any:
    """0/1 spikes: neuron n of lane b fires when ``(i + n + 2 b) % period == 0``."""
    phase = jnp.arange(N)
    if batch is not None:
        phase = phase + 2 * jnp.arange(batch)[:, None]
    return (i + phase) % period == 0


def spikes(weight: Any = None, dtype: Any = None) -> Callable[[Any, int | None], tuple]:
    """Presynaptic spikes: bool, or ``weight * spike`` (a float / Quantity increment)."""

    def drive(i: Any, batch: int | None) -> tuple:
        s = _spike_train(i, batch)
        if weight is None and dtype is None:
            return (s,)
        s = s.astype(dtype or brainsim.environ.dftype())
        return (s if weight is None else s * weight,)

    return drive


def nothing(i: Any, batch: int | None) -> tuple:
    """``update()`` takes no input (time-driven generators)."""
    return ()


# ------------------------------------------------------------------ helpers
def _ms(*xs: float) -> Any:
    return jnp.asarray(xs) * u.ms


def _per_neuron(value: float, unit: Any) -> Any:
    return jnp.linspace(value, 1.5 * value, N) * unit


MV, MA, MS, S = u.mV, u.mA, u.ms, u.siemens
# Durations compared with elapsed time (tau_ref, T_dur) are not multiples of dt: at a
# whole number of steps, `t - t_last < tau_ref` is decided by the last bit of t = i * dt,
# which compiled and eager code may round differently (fused multiply-add).
TAU_REF = 1.05 * MS
_V = {"V": MV}
_REF = {"last_spike_time": MS, "spike": None}
_REF_VAR = {**_REF, "refractory": bool}
_NO_GRAD_RANDOM = Skip(
    "the output is `rand < p`: piecewise constant in every input and parameter, so its "
    "gradient is zero by construction"
)
_NO_GRAD_TABLE = Skip(
    "the output is a table of constructor values looked up by step: nothing differentiable"
)
_NO_GRAD_SCHEDULE = Skip(
    "the schedule is stacked from constructor values at construction (no Param-able "
    "attribute) and update() takes no input"
)


# ------------------------------------------------------------------ the registry
NEURONS = [
    Entry(models.IF, lambda: models.IF(N), current(3.0 * MA), _V, SPIKE),
    Entry(models.LIF, lambda: models.LIF(N), current(3.0 * MA), _V, SPIKE),
    Entry(
        models.LIFRef,
        lambda: models.LIFRef(N, tau_ref=TAU_REF),
        current(3.0 * MA),
        {**_V, **_REF},
        SPIKE,
        needs_t=True,
    ),
    Entry(models.ALIF, lambda: models.ALIF(N), current(3.0 * MA), {**_V, "a": None}, SPIKE),
    # hard reset: with the soft reset the capped exponential term outruns the 38 mV
    # subtracted per spike once V is above threshold at dt = 0.1 ms, and V runs away
    Entry(models.ExpIF, lambda: models.ExpIF(N, spk_reset="hard"), current(100.0 * MA), _V, SPIKE),
    Entry(
        models.ExpIFRef,
        lambda: models.ExpIFRef(N, tau_ref=TAU_REF, ref_var=True, spk_reset="hard"),
        current(100.0 * MA),
        {**_V, **_REF_VAR},
        SPIKE,
        needs_t=True,
    ),
    Entry(models.AdExIF, lambda: models.AdExIF(N), current(300.0 * MA), {**_V, "w": MA}, SPIKE),
    Entry(
        models.AdExIFRef,
        lambda: models.AdExIFRef(N, tau_ref=TAU_REF),
        current(300.0 * MA),
        {**_V, "w": MA, **_REF},
        SPIKE,
        needs_t=True,
    ),
    Entry(models.QuaIF, lambda: models.QuaIF(N), current(200.0 * MA), _V, SPIKE),
    Entry(models.AdQuaIF, lambda: models.AdQuaIF(N), current(200.0 * MA), {**_V, "w": MA}, SPIKE),
    Entry(
        models.AdQuaIFRef,
        lambda: models.AdQuaIFRef(N, tau_ref=TAU_REF),
        current(200.0 * MA),
        {**_V, "w": MA, **_REF},
        SPIKE,
        needs_t=True,
    ),
    Entry(
        models.Gif,
        lambda: models.Gif(N, A2=0.5 * MA),
        current(20.0 * MA),
        {**_V, "I1": MA, "I2": MA, "V_th": MV},
        SPIKE,
    ),
    Entry(
        models.GifRef,
        lambda: models.GifRef(N, A2=0.5 * MA, tau_ref=TAU_REF),
        current(20.0 * MA),
        {**_V, "I1": MA, "I2": MA, "V_th": MV, **_REF},
        SPIKE,
        needs_t=True,
    ),
    Entry(
        models.CubaLIF,
        lambda: models.CubaLIF(N, g_initializer=brainsim.init.Constant(1.0 * MA)),
        current(3.0 * MA),
        {**_V, "g": MA},
        SPIKE,
    ),
    Entry(
        models.CobaLIF,
        lambda: models.CobaLIF(N, g_initializer=brainsim.init.Constant(0.2 * S)),
        current(3.0 * MA),
        {**_V, "g": S},
        SPIKE,
    ),
    Entry(
        models.Izhikevich,
        lambda: models.Izhikevich(N),
        current(40.0 * MV / MS),
        {**_V, "u": MV / MS, "spike": None},
        SPIKE,
    ),
    Entry(
        models.IzhikevichRef,
        lambda: models.IzhikevichRef(N, tau_ref=TAU_REF, ref_var=True),
        current(40.0 * MV / MS),
        {**_V, "u": MV / MS, **_REF_VAR},
        SPIKE,
        needs_t=True,
    ),
    Entry(
        models.HH,
        lambda: models.HH(N),
        current(20.0 * u.uA),
        {**_V, "m": None, "h": None, "n": None, "spike": None},
        SPIKE,
    ),
    Entry(
        models.MorrisLecar,
        lambda: models.MorrisLecar(N),
        current(300.0 * u.uA),
        {**_V, "W": None, "spike": None},
        SPIKE,
        dt=0.2 * MS,
    ),
    Entry(
        models.WangBuzsakiHH,
        lambda: models.WangBuzsakiHH(N),
        current(10.0 * u.uA),
        {**_V, "h": None, "n": None, "spike": None},
        SPIKE,
    ),
    Entry(
        models.FitzHughNagumo,
        lambda: models.FitzHughNagumo(N),
        current(1.5),
        {"V": None, "w": None, "spike": None},
        SPIKE,
    ),
    Entry(
        models.HindmarshRose,
        lambda: models.HindmarshRose(N),
        current(3.0),
        {"V": None, "y": None, "z": None, "spike": None},
        SPIKE,
        dt=0.2 * MS,
    ),
]

_RECEPTOR = {"g": u.mS, "spike_arrival_time": MS}  # g in mS by default (API.md G.3)

SYNAPSES = [
    Entry(models.Expon, lambda: models.Expon(N), spikes(1.0 * u.mS), {"g": u.mS}, CONDUCTANCE),
    Entry(
        models.DualExpon,
        lambda: models.DualExpon(N),
        spikes(1.0 * u.mS),
        {"g_rise": u.mS, "g_decay": u.mS},
        CONDUCTANCE,
    ),
    Entry(
        models.Alpha,
        lambda: models.Alpha(N),
        spikes(1.0 * u.mS),
        {"g": u.mS, "h": u.mS},
        CONDUCTANCE,
    ),
    Entry(
        models.AMPA,
        lambda: models.AMPA(N, T_dur=0.55 * MS),
        spikes(),
        _RECEPTOR,
        CONDUCTANCE,
        needs_t=True,
        grad="alpha",
    ),
    Entry(
        models.GABAa,
        lambda: models.GABAa(N, T_dur=1.05 * MS),
        spikes(),
        _RECEPTOR,
        CONDUCTANCE,
        needs_t=True,
        grad="alpha",
    ),
    Entry(
        models.BioNMDA,
        lambda: models.BioNMDA(N, T_dur=0.55 * MS),
        spikes(),
        {**_RECEPTOR, "x": None},
        CONDUCTANCE,
        needs_t=True,
        grad="alpha1",
    ),
    Entry(
        models.STP,
        lambda: models.STP(N, tau_f=20.0 * MS, tau_d=10.0 * MS),
        spikes(dtype=float),
        {"u": None, "x": None},
        VALUE,
    ),
    Entry(
        models.STD,
        lambda: models.STD(N, tau=10.0 * MS, U=0.3),
        spikes(dtype=float),
        {"x": None},
        VALUE,
    ),
]

_W_IN, _R_OUT = 5, 3  # LeakyRateReadout: 5 inputs -> 3 outputs
_SPIKE_TIMES = 0.2 + 0.15 * jnp.arange(48)  # ms, events on steps 2 .. 72


def _rate_readout() -> Any:
    w = 0.2 + 0.1 * jnp.arange(_W_IN * _R_OUT).reshape(_W_IN, _R_OUT) / _R_OUT
    return models.LeakyRateReadout(_W_IN, _R_OUT, w_init=w)


def _spike_readout() -> Any:
    w = (0.5 + 0.2 * jnp.arange(N * N).reshape(N, N) / N) * MV
    return models.LeakySpikeReadout(N, w_init=w)


def _readout_input(i: Any, batch: int | None) -> tuple:
    x = jnp.broadcast_to(jnp.linspace(0.5, 1.0, _W_IN), (_W_IN,))
    if batch is not None:
        x = (1.0 + jnp.arange(batch)[:, None] / 4.0) * x
    return (x * (1.0 + 0.5 * jnp.sin(0.3 * i)),)


INPUTS = [
    Entry(
        models.PoissonSpike,
        lambda: models.PoissonSpike(N, freqs=_per_neuron(800.0, u.Hz)),
        nothing,
        {},
        SPIKE,
        grad=_NO_GRAD_RANDOM,
        stochastic=True,
    ),
    Entry(
        models.PoissonEncoder,
        lambda: models.PoissonEncoder(N, spk_type=float),
        current(800.0 * u.Hz),
        {},
        SPIKE,
        grad=_NO_GRAD_RANDOM,
        stochastic=True,
    ),
    Entry(
        models.SpikeTime,
        lambda: models.SpikeTime(N, jnp.arange(48) % N, _SPIKE_TIMES * MS),
        nothing,
        {},
        SPIKE,
        needs_t=True,
        grad=_NO_GRAD_TABLE,
    ),
    Entry(
        models.ConstantInput,
        lambda: models.ConstantInput(N, _per_neuron(1.0, MA), 4.0 * MS, t_start=0.5 * MS),
        nothing,
        {},
        VALUE,
        needs_t=True,
        grad="value",
    ),
    Entry(
        models.SectionInput,
        lambda: models.SectionInput(
            [_per_neuron(1.0, MA), _per_neuron(2.0, MA), _per_neuron(0.5, MA)],
            [1.0 * MS, 2.0 * MS, 3.0 * MS],
        ),
        nothing,
        {},
        VALUE,
        needs_t=True,
        grad=_NO_GRAD_SCHEDULE,
    ),
    Entry(
        models.StepInput,
        lambda: models.StepInput(
            [_per_neuron(1.0, MA), _per_neuron(-2.0, MA), _per_neuron(0.5, MA)],
            _ms(0.5, 2.0, 3.5),
            duration=6.0 * MS,
        ),
        nothing,
        {},
        VALUE,
        needs_t=True,
        grad=_NO_GRAD_SCHEDULE,
    ),
    Entry(
        models.RampInput,
        lambda: models.RampInput(
            _per_neuron(0.0, MA), _per_neuron(2.0, MA), 5.0 * MS, t_start=0.5 * MS
        ),
        nothing,
        {},
        VALUE,
        needs_t=True,
        grad=_NO_GRAD_SCHEDULE,
    ),
    Entry(
        models.SinusoidalInput,
        lambda: models.SinusoidalInput(
            _per_neuron(1.0, MA), 200.0 * u.Hz, 6.0 * MS, t_start=0.2 * MS
        ),
        nothing,
        {},
        VALUE,
        needs_t=True,
        grad="amplitude",
    ),
    Entry(
        models.OUProcessInput,
        lambda: models.OUProcessInput(
            _per_neuron(1.0, MA), 0.5 * MA, 2.0 * MS, 6.0 * MS, in_size=N
        ),
        nothing,
        {"x": MA},
        VALUE,
        needs_t=True,
        grad="mean",
        stochastic=True,
    ),
    Entry(
        models.WienerProcessInput,
        lambda: models.WienerProcessInput(0.5 * u.nA / MS**0.5, 6.0 * MS, in_size=N),
        nothing,
        {},
        VALUE,
        needs_t=True,
        grad="sigma",
        stochastic=True,
    ),
]

READOUTS = [
    Entry(
        models.LeakyRateReadout,
        _rate_readout,
        _readout_input,
        {"r": None},
        VALUE,
        shape=(_R_OUT,),
    ),
    Entry(
        models.LeakySpikeReadout,
        _spike_readout,
        lambda i, batch: (_readout_input(i, batch)[0][..., :N],),
        _V,
        SPIKE,
    ),
]

REGISTRY: list[Entry] = [*NEURONS, *SYNAPSES, *INPUTS, *READOUTS]

# Public classes of brainsim.models that are not models with their own dynamics, with the
# reason; the meta-test fails on any public class in neither REGISTRY nor EXCLUDED.
EXCLUDED: dict[str, str] = {
    "AlignPost": "a marker mixin (not a Module): Expon, DualExpon and Alpha carry it",
    "SynOut": "abstract base of the synaptic outputs",
    "COBA": "a synaptic output: stateless g -> current map, needs a bound g; "
    "covered by tests/models/test_synapses.py",
    "CUBA": "a synaptic output (as COBA)",
    "MgBlock": "a synaptic output (as COBA)",
    "Projection": "abstract base of the projections",
    "AlignPostProj": "a projection: wires pre, connectivity, synapse and post models that "
    "are each in the registry; covered by the projection tests",
    "AlignPreProj": "a projection (as AlignPostProj)",
    "DeltaProj": "a projection (as AlignPostProj)",
    "CurrentProj": "a projection (as AlignPostProj)",
    "SymmetryGapJunction": "a projection coupling states of other models",
    "AsymmetryGapJunction": "a projection coupling states of other models",
    "PoissonInput": "has no state or output of its own: it jumps a State of another model "
    "(target.prefetch('V')); covered by tests/models/test_inputs_readouts.py",
}


def public_classes() -> dict[str, type]:
    """Every class in ``brainsim.models.__all__`` (networks live in their own namespace)."""
    return {name: obj for name in models.__all__ if isinstance(obj := getattr(models, name), type)}


__all__ = [
    "CONDUCTANCE",
    "DT",
    "EXCLUDED",
    "Entry",
    "N",
    "REGISTRY",
    "SPIKE",
    "Skip",
    "VALUE",
    "public_classes",
]
