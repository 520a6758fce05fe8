"""Conversion between brainsim models and NIR graphs (``nir.NIRGraph``).

NIR stores plain numbers. brainsim reads and writes them in these units: times in seconds,
voltages in mV, currents in mA, resistances in ohm (so ``R I`` is in mV). A brainsim
Quantity is converted to that unit on export; a plain brainsim number is written as is.
"""

from __future__ import annotations

from typing import Any

import brainunit as u
import jax.numpy as jnp
import numpy as np

from .. import environ
from .._errors import BrainSimTypeError, BrainSimValueError
from ..models import IF, LIF, CubaLIF, LeakyRateReadout, LeakySpikeReadout
from ..nn import EventLinear, Linear, Module, Sequential
from ._network import LeakyIntegrator, NIRNetwork, param_value

__all__ = ["to_nir", "from_nir", "SUPPORTED_NIR_NODES"]

#: NIR node types ``from_nir`` understands.
SUPPORTED_NIR_NODES = ("Input", "Output", "Affine", "Linear", "LIF", "CubaLIF", "IF", "LI",
                       "NIRGraph")
_SUPPORTED_MODULES = ("Sequential", "NIRNetwork", "Linear", "EventLinear", "LIF", "IF",
                      "CubaLIF (inside an NIRNetwork)", "LeakyRateReadout", "LeakySpikeReadout",
                      "LeakyIntegrator")
# brainsim's stand-in for NIR's non-leaky IF: a LIF whose leak time constant is this long
_NO_LEAK_TAU_S = 1e6
_NIR_UNITS = (u.mA, u.mV, u.ohm, u.second)


def _require_nir() -> Any:
    try:
        import nir
    except ImportError as err:  # pragma: no cover - exercised without the extra
        raise ImportError(
            "brainsim.interop.nir needs the `nir` package: python -m pip install "
            "'brainsim[nir]'"
        ) from err
    return nir


def _plain(x: Any) -> np.ndarray:
    """A parameter as a float64 array of NIR numbers (Quantities converted to NIR units)."""
    x = param_value(x)
    if isinstance(x, u.Quantity):
        for unit in _NIR_UNITS:
            if x.unit.has_same_dim(unit):
                return np.asarray(x.to_decimal(unit), np.float64)
        return np.asarray(x.mantissa, np.float64)
    return np.asarray(x, np.float64)


def _per_neuron(x: Any, shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(_plain(x), shape).copy()


def _dt_seconds() -> float:
    return float(np.asarray(u.Quantity(environ.get_dt()).to_decimal(u.second)))


def _meta(cls: str, **extra: Any) -> dict[str, Any]:
    return {"brainsim": {"class": cls, **extra}}


# ------------------------------------------------------------------------------- export


def _export_module(nir: Any, path: str, m: Any, scale: Any = None) -> list[tuple[str, Any]]:
    """NIR nodes for one module, chained in order: ``(name suffix, node)``."""
    if isinstance(m, NIRNetwork):
        return [("", _export_network(nir, m))]
    if isinstance(m, EventLinear):
        w = np.broadcast_to(_plain(m.weight), (m.n_in, m.n_out))
        meta = _meta("EventLinear", float_as_event=bool(m.float_as_event))
        return [("", nir.Linear(weight=w.T.copy(), metadata=meta))]
    if isinstance(m, Linear):
        w = _plain(m.weight)
        if m.w_mask is not None:
            w = w * np.asarray(m.w_mask)
        if m.bias is None:
            return [("", nir.Linear(weight=w.T.copy()))]
        return [("", nir.Affine(weight=w.T.copy(), bias=_plain(m.bias)))]
    if isinstance(m, LeakyRateReadout):
        tau = _per_neuron(m.tau, tuple(m.out_size))
        r = 1.0 / -np.expm1(-_dt_seconds() / tau)  # r <- e^{-dt/tau} r + x W exactly
        li = nir.LI(tau=tau, r=r, v_leak=np.zeros_like(tau),
                    metadata=_meta("LeakyRateReadout"))
        return [("_w", nir.Linear(weight=_plain(m.weight).T.copy())), ("", li)]
    if isinstance(m, LeakySpikeReadout):
        shape = tuple(m.varshape)
        lif = nir.LIF(tau=_per_neuron(m.tau, shape), r=np.ones(shape),
                      v_leak=np.zeros(shape), v_threshold=_per_neuron(m.V_th, shape),
                      v_reset=np.zeros(shape), metadata=_meta("LIF", spk_reset=m.spk_reset))
        return [("_w", nir.Linear(weight=_plain(m.weight).T.copy())), ("", lif)]
    if isinstance(m, LeakyIntegrator):
        shape = tuple(m.in_size)
        return [("", nir.LI(tau=_per_neuron(m.tau, shape), r=_per_neuron(m.R, shape),
                            v_leak=_per_neuron(m.v_leak, shape)))]
    if isinstance(m, CubaLIF):
        if scale is None:
            raise BrainSimTypeError(
                f"to_nir: {path} is a CubaLIF called directly, so its input is a current into "
                f"V; NIR's CubaLIF feeds its input into the synaptic current. Put the CubaLIF "
                f"in a brainsim.interop.nir.NIRNetwork, where inputs reach g."
            )
        shape = tuple(m.varshape)
        p = {k: _per_neuron(getattr(m, k), shape)
             for k in ("R", "tau", "tau_syn", "V_th", "V_reset", "V_rest")}
        tau_syn = p["tau_syn"]
        # the network adds scale * x to g each step; NIR's exact step adds
        # (1 - e^{-dt/tau_syn}) w_in x
        w_in = np.broadcast_to(np.asarray(scale, np.float64), shape) / -np.expm1(
            -_dt_seconds() / tau_syn)
        return [("", nir.CubaLIF(
            tau_syn=tau_syn, tau_mem=p["tau"], r=p["R"], v_leak=p["V_rest"],
            v_threshold=p["V_th"], v_reset=p["V_reset"], w_in=w_in,
            metadata=_meta("CubaLIF", spk_reset=m.spk_reset)))]
    if isinstance(m, LIF | IF):
        shape = tuple(m.varshape)
        is_if = isinstance(m, IF)
        v_leak = np.zeros(shape) if is_if else _per_neuron(m.V_rest, shape)
        return [("", nir.LIF(
            tau=_per_neuron(m.tau, shape), r=_per_neuron(m.R, shape), v_leak=v_leak,
            v_threshold=_per_neuron(m.V_th, shape), v_reset=_per_neuron(m.V_reset, shape),
            metadata=_meta(type(m).__name__, spk_reset=m.spk_reset)))]
    raise BrainSimTypeError(
        f"to_nir: {path} is a {type(m).__name__}, which has no NIR counterpart. Supported: "
        f"{', '.join(_SUPPORTED_MODULES)}."
    )


def _io(nir: Any, kind: str, size: Any) -> Any:
    arr = np.asarray(size, dtype=np.int64).reshape(-1)
    return nir.Input(input_type=arr) if kind == "in" else nir.Output(output_type=arr)


def _in_type(node: Any) -> Any:
    return next(iter(node.input_type.values()))


def _out_type(node: Any) -> Any:
    return next(iter(node.output_type.values()))


def _export_chain(nir: Any, layers: list[tuple[str, Any]]) -> Any:
    nodes: dict[str, Any] = {}
    for name, m in layers:
        for suffix, node in _export_module(nir, name, m):
            nodes[name + suffix] = node
    names = list(nodes)
    graph_nodes = {"input": _io(nir, "in", _in_type(nodes[names[0]])), **nodes,
                   "output": _io(nir, "out", _out_type(nodes[names[-1]]))}
    chain = list(graph_nodes)
    edges = list(zip(chain[:-1], chain[1:], strict=True))
    return nir.NIRGraph(nodes=graph_nodes, edges=edges, metadata={"source": "brainsim"})


def _export_network(nir: Any, net: NIRNetwork) -> Any:
    nodes: dict[str, Any] = {}
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    for name, m in net.nodes.items():
        scale = net.input_scale.get(name, 1.0) if isinstance(m, CubaLIF) else None
        parts = _export_module(nir, f"nodes[{name!r}]", m, scale)
        names = [name + s for s, _ in parts]
        nodes.update({n: node for n, (_, node) in zip(names, parts, strict=True)})
        first[name], last[name] = names[0], names[-1]
        edges += list(zip(names[:-1], names[1:], strict=True))
    for name in net.inputs:
        dst = [b for a, b in net.edges if a == name]
        nodes[name] = _io(nir, "in", _in_type(nodes[first[dst[0]]]) if dst else [0])
        first[name] = last[name] = name
    for name in net.outputs:
        src = [a for a, b in net.edges if b == name]
        nodes[name] = _io(nir, "out", _out_type(nodes[last[src[0]]]) if src else [0])
        first[name] = last[name] = name
    edges += [(last[a], first[b]) for a, b in net.edges]
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"source": "brainsim"})


def to_nir(model: Module) -> Any:
    """Export a brainsim model to a ``nir.NIRGraph``.

    ``model`` is a :class:`~brainsim.nn.Sequential` (a chain), an
    :class:`~brainsim.interop.nir.NIRNetwork` (any graph, recurrent edges included) or a
    single supported module. Supported modules and their NIR nodes:

    ==========================  ===================================================
    brainsim                    NIR
    ==========================  ===================================================
    ``nn.Linear``               ``Affine`` (``Linear`` without bias); ``W`` is
                                transposed to NIR's ``(out, in)``
    ``nn.EventLinear``          ``Linear`` (metadata keeps the event semantics)
    ``models.LIF`` / ``IF``     ``LIF`` (brainsim's IF is leaky: ``v_leak = 0``)
    ``models.CubaLIF``          ``CubaLIF``, only inside an ``NIRNetwork``;
                                ``w_in = scale / (1 - e^{-dt/tau_syn})``
    ``LeakyRateReadout``        ``Linear`` + ``LI`` with ``r = 1 / (1 - e^{-dt/tau})``
    ``LeakySpikeReadout``       ``Linear`` + ``LIF`` (``r = 1``)
    ``LeakyIntegrator``         ``LI``
    ``NIRNetwork``              ``NIRGraph`` (nested when inside another network)
    ==========================  ===================================================

    Numbers are written in NIR's units as brainsim reads them: times in s, voltages in mV,
    currents in mA, resistances in ohm. The readout and CubaLIF conversions use the current
    ``dt``. NIR's reset is hard (``v <- v_reset``); brainsim's reset mode is kept in each
    node's ``metadata["brainsim"]["spk_reset"]`` and :func:`from_nir` honours it.

    Raises ``BrainSimTypeError`` naming the module and its type when a module has no NIR
    counterpart, and ``ImportError`` when the ``nir`` package is missing
    (``python -m pip install 'brainsim[nir]'``).

    Examples
    --------
    >>> import pytest; nir = pytest.importorskip("nir")
    >>> import brainunit as u, brainsim, jax.numpy as jnp
    >>> from brainsim.interop.nir import to_nir
    >>> brainsim.environ.set(dt=0.1 * u.ms)
    >>> net = brainsim.nn.Sequential(
    ...     brainsim.nn.Linear(4, 3, w_init=jnp.ones((4, 3)) * u.mA),
    ...     brainsim.models.LIF(3, tau=10. * u.ms))
    >>> graph = to_nir(net)
    >>> sorted(graph.nodes), graph.edges
    (['input', 'layers0', 'layers1', 'output'], [('input', 'layers0'), ('layers0', 'layers1'), ('layers1', 'output')])
    >>> float(graph.nodes["layers1"].tau[0])   # seconds
    0.01
    """  # noqa: E501
    nir = _require_nir()
    if isinstance(model, NIRNetwork):
        return _export_network(nir, model)
    if isinstance(model, Sequential):
        return _export_chain(nir, [(f"layers{i}", m) for i, m in enumerate(model.layers)])
    return _export_chain(nir, [(type(model).__name__.lower(), model)])


# ------------------------------------------------------------------------------- import


def _arr(x: Any) -> np.ndarray:
    return np.asarray(x, np.float64)


def _reset(node: Any) -> str:
    return str(node.metadata.get("brainsim", {}).get("spk_reset", "hard")) if isinstance(
        node.metadata, dict) else "hard"


def _import_node(nir: Any, name: str, node: Any, dt_s: float) -> tuple[Module, Any]:
    """A brainsim module for one NIR node, and its input scale (CubaLIF only)."""
    meta = node.metadata.get("brainsim", {}) if isinstance(node.metadata, dict) else {}
    if isinstance(node, nir.NIRGraph):
        return _import_graph(nir, node, dt_s), None
    if isinstance(node, nir.Affine | nir.Linear):
        w = _arr(node.weight)
        if w.ndim != 2:
            raise BrainSimValueError(
                f"from_nir: node {name!r} (nir.{type(node).__name__}) has a weight of shape "
                f"{w.shape}; only 2-D (out, in) weights are supported."
            )
        n_out, n_in = w.shape
        if meta.get("class") == "EventLinear":
            return EventLinear(n_in, n_out, jnp.asarray(w.T, environ.dftype()),
                               float_as_event=bool(meta.get("float_as_event", True))), None
        bias = _arr(node.bias) if isinstance(node, nir.Affine) else None
        return Linear(n_in, n_out, w_init=w.T.copy(), b_init=bias), None
    if isinstance(node, nir.LI):
        shape = _arr(node.tau).shape
        return LeakyIntegrator(shape, tau=_arr(node.tau) * 1e3 * u.ms, R=_arr(node.r) * u.ohm,
                               v_leak=_arr(node.v_leak) * u.mV), None
    if isinstance(node, nir.CubaLIF):
        tau_syn = _arr(node.tau_syn)
        shape = tau_syn.shape
        neuron = CubaLIF(shape, R=_arr(node.r) * u.ohm, tau=_arr(node.tau_mem) * 1e3 * u.ms,
                         tau_syn=tau_syn * 1e3 * u.ms, V_th=_arr(node.v_threshold) * u.mV,
                         V_reset=_arr(node.v_reset) * u.mV, V_rest=_arr(node.v_leak) * u.mV,
                         spk_reset=_reset(node))
        # exact step of tau_syn dI/dt = -I + w_in S with S held over dt
        scale = _arr(node.w_in) * -np.expm1(-dt_s / tau_syn)
        return neuron, scale.astype(environ.dftype())
    if isinstance(node, nir.LIF):
        shape = _arr(node.tau).shape
        kw = dict(R=_arr(node.r) * u.ohm, tau=_arr(node.tau) * 1e3 * u.ms,
                  V_th=_arr(node.v_threshold) * u.mV, spk_reset=_reset(node))
        v_reset, v_leak = _arr(node.v_reset), _arr(node.v_leak)
        if meta.get("class") == "IF" and not v_reset.any() and not v_leak.any():
            return IF(shape, **kw), None
        return LIF(shape, V_reset=v_reset * u.mV, V_rest=v_leak * u.mV, **kw), None
    if isinstance(node, nir.IF):
        shape = _arr(node.r).shape
        # dv/dt = r I as a LIF whose leak is negligible: tau dv/dt = -v + (r tau) I
        return LIF(shape, R=_arr(node.r) * _NO_LEAK_TAU_S * u.ohm,
                   tau=_NO_LEAK_TAU_S * u.second, V_th=_arr(node.v_threshold) * u.mV,
                   V_reset=_arr(node.v_reset) * u.mV, spk_reset=_reset(node)), None
    raise BrainSimTypeError(
        f"from_nir: node {name!r} is a nir.{type(node).__name__}, which brainsim cannot "
        f"import. Supported node types: {', '.join(SUPPORTED_NIR_NODES)}."
    )


def _import_graph(nir: Any, graph: Any, dt_s: float) -> NIRNetwork:
    nodes: dict[str, Module] = {}
    scales: dict[str, Any] = {}
    inputs, outputs = [], []
    for name, node in graph.nodes.items():
        if isinstance(node, nir.Input):
            inputs.append(name)
        elif isinstance(node, nir.Output):
            outputs.append(name)
        else:
            nodes[name], scale = _import_node(nir, name, node, dt_s)
            if scale is not None:
                scales[name] = scale
    return NIRNetwork(nodes, graph.edges, inputs=inputs, outputs=outputs, input_scale=scales)


def from_nir(graph: Any) -> NIRNetwork:
    """Build a brainsim :class:`~brainsim.interop.nir.NIRNetwork` from a ``nir.NIRGraph``.

    Each node becomes a brainsim module: ``Affine`` / ``Linear`` -> ``nn.Linear`` (or
    ``nn.EventLinear`` when written by brainsim as one), ``LIF`` -> ``models.LIF``,
    ``CubaLIF`` -> ``models.CubaLIF`` (its inputs reach the synaptic current, scaled by
    ``w_in (1 - e^{-dt/tau_syn})``), ``IF`` (non-leaky) -> ``models.LIF`` with a leak time
    constant of 10^6 s, ``LI`` -> ``LeakyIntegrator``, a nested ``NIRGraph`` -> a nested
    ``NIRNetwork``. Numbers are read in NIR's units as :func:`to_nir` writes them (s, mV, mA,
    ohm). The ODEs are integrated exactly for an input held over each step of the ``dt``
    set in ``brainsim.environ`` (forward-Euler exporters such as snnTorch's give slightly
    different traces for large ``dt / tau``). Resets are hard, as NIR specifies, unless the
    node's ``metadata["brainsim"]["spk_reset"]`` says otherwise.

    Raises ``BrainSimTypeError`` naming the node and its type for an unsupported node.

    Examples
    --------
    >>> import pytest; nir = pytest.importorskip("nir")
    >>> import numpy as np, brainunit as u, brainsim, jax.numpy as jnp
    >>> from brainsim.interop.nir import from_nir
    >>> brainsim.environ.set(dt=1. * u.ms)
    >>> graph = nir.NIRGraph.from_list(
    ...     nir.Linear(weight=np.ones((2, 3))),
    ...     nir.LIF(tau=np.full(2, 0.005), r=np.ones(2), v_leak=np.zeros(2),
    ...             v_threshold=np.ones(2)))
    >>> net = from_nir(graph)
    >>> net
    NIRNetwork(linear=Linear, lif=LIF; 3 edges)
    >>> _ = net.init_all_states()
    >>> [int(net(jnp.ones(3)).sum()) for _ in range(6)]   # v -> 3 mV, threshold 1 mV
    [0, 0, 2, 0, 0, 2]
    """
    nir = _require_nir()
    if not isinstance(graph, nir.NIRGraph):
        raise BrainSimTypeError(
            f"from_nir(graph=...): expected a nir.NIRGraph (e.g. from nir.read(path)), got "
            f"{type(graph).__name__}."
        )
    return _import_graph(nir, graph, _dt_seconds())
