"""Synapse models (return a conductance) and short-term plasticity."""

from ._alpha import Alpha as Alpha
from ._alpha import alpha_dg as alpha_dg
from ._ampa import AMPA as AMPA
from ._ampa import GABAa as GABAa
from ._dual_expon import DualExpon as DualExpon
from ._dual_expon import dual_expon_norm as dual_expon_norm
from ._expon import AlignPost as AlignPost
from ._expon import Expon as Expon
from ._expon import expon_dg as expon_dg
from ._kinetic import kinetic_dg as kinetic_dg
from ._nmda import BioNMDA as BioNMDA
from ._stp import STD as STD
from ._stp import STP as STP
from ._stp import std_jump as std_jump
from ._stp import stp_du as stp_du
from ._stp import stp_dx as stp_dx
from ._stp import stp_jump as stp_jump

__all__ = [
    "AlignPost",
    "Expon",
    "expon_dg",
    "DualExpon",
    "dual_expon_norm",
    "Alpha",
    "alpha_dg",
    "AMPA",
    "GABAa",
    "BioNMDA",
    "kinetic_dg",
    "STP",
    "STD",
    "stp_du",
    "stp_dx",
    "stp_jump",
    "std_jump",
]
