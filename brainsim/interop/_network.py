"""``NIRNetwork``: brainsim modules wired by a list of edges, and the ``LeakyIntegrator`` node.

This is the brainsim side of a NIR graph: each node is an ordinary brainsim Module, each
edge ``(src, dst)`` adds ``src``'s output to ``dst``'s input. Edges that close a cycle carry
the source's output of the *previous* step, which is how recurrent NIR graphs run in
snnTorch and Norse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import brainunit as u
import jax.numpy as jnp

from .. import environ
from .._errors import BrainSimValueError
from .._state import HiddenState, ShortTermState, State
from ..models import CubaLIF, LeakyRateReadout, LeakySpikeReadout
from ..nn import EventLinear, Linear, Module, Neuron, Param

__all__ = ["NIRNetwork", "LeakyIntegrator"]


def current(x: Any) -> Any:
    """``x`` as a current: a Quantity is kept, a plain number is read as mA (NIR's unit)."""
    return x if isinstance(x, u.Quantity) else u.Quantity(jnp.asarray(x), unit=u.mA)


def param_value(x: Any) -> Any:
    """The value of a parameter attribute (a ``Param`` is evaluated, a State read)."""
    if isinstance(x, Param):
        return x.value()
    return x.value if isinstance(x, State) else x


class LeakyIntegrator(Module):
    r"""NIR's leaky integrator (``LI``): a membrane without threshold.

    .. math:: \tau \frac{dv}{dt} = (v_{leak} - v) + R I

    Integrated exactly for an input held over each step:
    :math:`v \leftarrow v_{leak} + R I + (v - v_{leak} - R I) e^{-dt/\tau}`.

    Parameters
    ----------
    in_size : int or tuple
        Number of units.
    tau : time
    R : resistance, default 1 ohm
    v_leak : voltage, default 0 mV

    State variables
    ---------------
    v : HiddenState, the membrane potential (mV).

    Examples
    --------
    >>> import brainunit as u, brainsim, jax.numpy as jnp
    >>> from brainsim.interop.nir import LeakyIntegrator
    >>> brainsim.environ.set(dt=1. * u.ms)
    >>> li = LeakyIntegrator(2, tau=10. * u.ms)
    >>> li.init_state()
    >>> li(jnp.ones(2) * u.mA).to_decimal(u.mV)   # 1 - exp(-0.1)
    Array([0.0951..., 0.0951...], dtype=float32)
    """

    def __init__(self, in_size: Any, tau: Any, R: Any = 1.0 * u.ohm,
                 v_leak: Any = 0.0 * u.mV, name: str | None = None) -> None:
        super().__init__(name=name)
        self.in_size = in_size
        self.out_size = in_size
        for arg, val, unit in (("tau", tau, u.ms), ("R", R, u.ohm), ("v_leak", v_leak, u.mV)):
            if not (isinstance(val, u.Quantity) and val.unit.has_same_dim(unit)):
                raise BrainSimValueError(
                    f"LeakyIntegrator({arg}=...): expected a quantity in {unit} (e.g. "
                    f"1.0 * u.{unit}), got {val!r}."
                )
        self.tau, self.R, self.v_leak = tau, R, v_leak

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        shape = self.in_size if batch_size is None else (batch_size, *self.in_size)
        self.v = HiddenState(u.Quantity(jnp.zeros(shape, environ.dftype()), unit=u.mV))

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        shape = self.in_size if batch_size is None else (batch_size, *self.in_size)
        self.v.value = u.Quantity(jnp.zeros(shape, environ.dftype()), unit=u.mV)

    def update(self, x: Any) -> Any:
        decay = u.math.exp(-environ.get_dt() / self.tau)
        target = self.v_leak + self.R * current(x)
        self.v.value = target + (self.v.value - target) * decay
        return self.v.value


def _out_unit(module: Any) -> Any:
    """Unit of ``module``'s output for a dimensionless input (for recurrent buffers)."""
    if isinstance(module, LeakyIntegrator):
        return u.mV
    if isinstance(module, NIRNetwork):
        return module._output_unit()
    if isinstance(module, Linear | EventLinear | LeakyRateReadout):
        return u.get_unit(param_value(module.weight))
    return u.get_unit(1.0)


class NIRNetwork(Module):
    """Brainsim modules wired by edges: the model ``from_nir`` builds and ``to_nir`` reads.

    Each step, nodes run in a fixed order (inputs first, following the edges); a node's
    input is the sum of the outputs of the nodes with an edge into it. An edge that closes a
    cycle (a recurrent connection) delivers its source's output of the previous step, held
    in a ``ShortTermState`` (zero at the start).

    Inputs reaching a neuron or a ``LeakyIntegrator`` are currents; a plain number is read
    as mA. Inputs reaching a :class:`~brainsim.models.CubaLIF` arrive at its synaptic
    current ``g`` (a delta input, as a projection would deliver them), scaled by
    ``input_scale[name]`` (default 1), so the node follows NIR's CubaLIF equation
    :math:`\\tau_{syn} \\dot I = -I + w_{in} S`.

    Parameters
    ----------
    nodes : mapping of name to Module
    edges : iterable of ``(src, dst)`` name pairs
    inputs, outputs : names of the input and output terminals (default ``("input",)`` and
        ``("output",)``); they are not modules. ``update(*xs)`` takes one array per input
        and returns the output (a tuple when there are several).
    input_scale : mapping of name to array, optional
        Factor applied to the input of a CubaLIF node before it reaches ``g``.

    Examples
    --------
    A recurrent LIF layer (the recurrent weights see last step's spikes):

    >>> import brainunit as u, brainsim, jax.numpy as jnp
    >>> from brainsim.interop.nir import NIRNetwork
    >>> brainsim.environ.set(dt=1. * u.ms)
    >>> net = NIRNetwork(
    ...     nodes={"fc": brainsim.nn.Linear(2, 3, w_init=jnp.ones((2, 3)) * 2.),
    ...            "lif": brainsim.models.LIF(3, tau=5. * u.ms),
    ...            "rec": brainsim.nn.Linear(3, 3, w_init=jnp.eye(3), b_init=None)},
    ...     edges=[("input", "fc"), ("fc", "lif"), ("lif", "rec"), ("rec", "lif"),
    ...            ("lif", "output")])
    >>> net.order
    ('fc', 'lif', 'output', 'rec')
    >>> _ = net.init_all_states()
    >>> [int(net(jnp.ones(2)).sum()) for _ in range(3)]
    [0, 3, 3]
    """

    def __init__(
        self,
        nodes: Mapping[str, Module],
        edges: Iterable[tuple[str, str]],
        inputs: Iterable[str] = ("input",),
        outputs: Iterable[str] = ("output",),
        input_scale: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.nodes = dict(nodes)
        self.edges = [(str(a), str(b)) for a, b in edges]
        self.inputs, self.outputs = tuple(inputs), tuple(outputs)
        self.input_scale = {k: jnp.asarray(v) for k, v in (input_scale or {}).items()}
        known = set(self.nodes) | set(self.inputs) | set(self.outputs)
        for a, b in self.edges:
            for end in (a, b):
                if end not in known:
                    raise BrainSimValueError(
                        f"NIRNetwork(edges=...): edge ({a!r}, {b!r}) names {end!r}, which is "
                        f"neither a node nor an input/output terminal; known: {sorted(known)}."
                    )
            if b in self.inputs or a in self.outputs:
                raise BrainSimValueError(
                    f"NIRNetwork(edges=...): edge ({a!r}, {b!r}) goes into an input or out of "
                    f"an output terminal."
                )
        if not self.inputs or not self.outputs:
            raise BrainSimValueError("NIRNetwork: needs at least one input and one output.")
        self.order, self.recurrent = self._schedule()
        first = self.nodes[self.order[0]] if self.order[0] in self.nodes else None
        self.in_size = getattr(first, "in_size", None)

    def _schedule(self) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """Depth-first from the inputs: back edges are recurrent; the rest give the order."""
        succ: dict[str, list[str]] = {}
        for a, b in self.edges:
            succ.setdefault(a, []).append(b)
        post: list[str] = []
        state: dict[str, int] = {}  # 1 = on the stack, 2 = done
        back: list[tuple[str, str]] = []

        def visit(n: str) -> None:
            state[n] = 1
            for m in succ.get(n, []):
                if state.get(m) == 1:
                    back.append((n, m))
                elif m not in state:
                    visit(m)
            state[n] = 2
            post.append(n)

        for n in self.inputs:
            visit(n)
        unreached = [n for n in [*self.nodes, *self.outputs] if n not in state]
        if unreached:
            raise BrainSimValueError(
                f"NIRNetwork: nodes {unreached} are not reachable from the inputs "
                f"{list(self.inputs)}; check the edges."
            )
        order = tuple(n for n in reversed(post) if n not in self.inputs)
        return order, tuple(back)

    def _output_unit(self) -> Any:
        srcs = [a for a, b in self.edges if b == self.outputs[0]]
        return _out_unit(self.nodes[srcs[0]]) if srcs and srcs[0] in self.nodes else (
            u.get_unit(1.0))

    def init_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        self.delayed = {
            src: ShortTermState(self._zeros(src, batch_size))
            for src in dict.fromkeys(a for a, _ in self.recurrent)
        }

    def reset_state(self, batch_size: int | None = None, **kwargs: Any) -> None:
        for src, st in self.delayed.items():
            st.value = self._zeros(src, batch_size)

    def _zeros(self, src: str, batch_size: int | None) -> Any:
        size = getattr(self.nodes[src], "out_size", None)
        if size is None:
            raise BrainSimValueError(
                f"NIRNetwork: node {src!r} ({type(self.nodes[src]).__name__}) feeds a recurrent "
                f"edge but has no out_size, so its initial output cannot be built."
            )
        size = (size,) if isinstance(size, int) else tuple(size)
        shape = size if batch_size is None else (batch_size, *size)
        z = jnp.zeros(shape, environ.dftype())
        unit = _out_unit(self.nodes[src])
        return z if unit.is_unitless else u.Quantity(z, unit=unit)

    @staticmethod
    def _takes_current(node: Module) -> bool:
        return isinstance(node, Neuron | LeakyIntegrator) and not isinstance(
            node, LeakySpikeReadout)

    def _call(self, name: str, x: Any) -> Any:
        node = self.nodes[name]
        if isinstance(node, CubaLIF):
            if name in self.input_scale:
                x = x * self.input_scale[name]
            node.add_delta_input("nir-input", x)
            return node()
        return node(x)

    def update(self, *xs: Any) -> Any:
        if len(xs) != len(self.inputs):
            raise BrainSimValueError(
                f"NIRNetwork: expected {len(self.inputs)} input(s) {list(self.inputs)}, got "
                f"{len(xs)}."
            )
        out: dict[str, Any] = dict(zip(self.inputs, xs, strict=True))
        rec = set(self.recurrent)
        for name in self.order:
            incoming = [
                self.delayed[a].value if (a, b) in rec else out[a]
                for a, b in self.edges if b == name
            ]
            if name in self.nodes and self._takes_current(self.nodes[name]):
                incoming = [current(v) for v in incoming]
            total = incoming[0]
            for v in incoming[1:]:
                total = total + v
            out[name] = total if name in self.outputs else self._call(name, total)
        for a in getattr(self, "delayed", {}):
            self.delayed[a].value = out[a]
        res = tuple(out[n] for n in self.outputs)
        return res[0] if len(res) == 1 else res

    def __repr__(self) -> str:
        kinds = ", ".join(f"{k}={type(v).__name__}" for k, v in self.nodes.items())
        return f"NIRNetwork({kinds}; {len(self.edges)} edges)"
