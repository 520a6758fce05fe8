"""Neuron models: one model per file, the maths as a pure function next to the Module."""

from ._if import IF as IF
from ._if import if_dv as if_dv
from ._lif import LIF as LIF
from ._lif import lif_dv as lif_dv

__all__ = ["LIF", "lif_dv", "IF", "if_dv"]
