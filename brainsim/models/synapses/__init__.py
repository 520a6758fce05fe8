"""Synapse models (return a conductance) and short-term plasticity."""

from ._expon import AlignPost as AlignPost
from ._expon import Expon as Expon
from ._expon import expon_dg as expon_dg

__all__ = ["AlignPost", "Expon", "expon_dg"]
