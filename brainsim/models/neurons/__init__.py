"""Neuron models: one model per file, the maths as a pure function next to the Module."""

from ._adexif import AdExIF as AdExIF
from ._adexif import AdExIFRef as AdExIFRef
from ._adexif import adexif_dv as adexif_dv
from ._adexif import adexif_dw as adexif_dw
from ._alif import ALIF as ALIF
from ._alif import alif_da as alif_da
from ._cubalif import CobaLIF as CobaLIF
from ._cubalif import CubaLIF as CubaLIF
from ._cubalif import cobalif_dv as cobalif_dv
from ._cubalif import cubalif_dg as cubalif_dg
from ._expif import ExpIF as ExpIF
from ._expif import ExpIFRef as ExpIFRef
from ._expif import expif_dv as expif_dv
from ._fhn import FitzHughNagumo as FitzHughNagumo
from ._fhn import fhn_dv as fhn_dv
from ._fhn import fhn_dw as fhn_dw
from ._gif import Gif as Gif
from ._gif import GifRef as GifRef
from ._gif import gif_dI as gif_dI
from ._gif import gif_dV_th as gif_dV_th
from ._hh import HH as HH
from ._hh import gate_dx as gate_dx
from ._hh import gate_rates as gate_rates
from ._hh import hh_dv as hh_dv
from ._hh import hh_rates as hh_rates
from ._hh import membrane_dv as membrane_dv
from ._hindmarsh_rose import HindmarshRose as HindmarshRose
from ._hindmarsh_rose import hindmarsh_rose_dv as hindmarsh_rose_dv
from ._hindmarsh_rose import hindmarsh_rose_dy as hindmarsh_rose_dy
from ._hindmarsh_rose import hindmarsh_rose_dz as hindmarsh_rose_dz
from ._if import IF as IF
from ._if import if_dv as if_dv
from ._izhikevich import Izhikevich as Izhikevich
from ._izhikevich import IzhikevichRef as IzhikevichRef
from ._izhikevich import izhikevich_du as izhikevich_du
from ._izhikevich import izhikevich_dv as izhikevich_dv
from ._lif import LIF as LIF
from ._lif import LIFRef as LIFRef
from ._lif import lif_dv as lif_dv
from ._morris_lecar import MorrisLecar as MorrisLecar
from ._morris_lecar import ml_dv as ml_dv
from ._morris_lecar import ml_dw as ml_dw
from ._quaif import AdQuaIF as AdQuaIF
from ._quaif import AdQuaIFRef as AdQuaIFRef
from ._quaif import QuaIF as QuaIF
from ._quaif import adquaif_dv as adquaif_dv
from ._quaif import quaif_dv as quaif_dv
from ._wang_buzsaki import WangBuzsakiHH as WangBuzsakiHH
from ._wang_buzsaki import wb_dv as wb_dv
from ._wang_buzsaki import wb_rates as wb_rates

__all__ = [
    "LIF",
    "lif_dv",
    "LIFRef",
    "IF",
    "if_dv",
    "ALIF",
    "alif_da",
    "ExpIF",
    "ExpIFRef",
    "expif_dv",
    "AdExIF",
    "AdExIFRef",
    "adexif_dv",
    "adexif_dw",
    "QuaIF",
    "AdQuaIF",
    "AdQuaIFRef",
    "quaif_dv",
    "adquaif_dv",
    "Gif",
    "GifRef",
    "gif_dI",
    "gif_dV_th",
    "CubaLIF",
    "CobaLIF",
    "cubalif_dg",
    "cobalif_dv",
    "Izhikevich",
    "IzhikevichRef",
    "izhikevich_dv",
    "izhikevich_du",
    "HH",
    "hh_dv",
    "hh_rates",
    "gate_dx",
    "gate_rates",
    "membrane_dv",
    "MorrisLecar",
    "ml_dv",
    "ml_dw",
    "WangBuzsakiHH",
    "wb_dv",
    "wb_rates",
    "FitzHughNagumo",
    "fhn_dv",
    "fhn_dw",
    "HindmarshRose",
    "hindmarsh_rose_dv",
    "hindmarsh_rose_dy",
    "hindmarsh_rose_dz",
]
