"""Reference networks from the literature, built only from public brainsim classes."""

from ._brunel import BrunelNetwork as BrunelNetwork
from ._coba import COBANetwork as COBANetwork
from ._coba_hh import COBAHHNetwork as COBAHHNetwork
from ._coba_hh import TraubHH as TraubHH
from ._coba_hh import traub_rates as traub_rates
from ._cuba import CUBANetwork as CUBANetwork
from ._wang2002 import DecisionNetwork as DecisionNetwork

__all__ = ["COBANetwork", "CUBANetwork", "COBAHHNetwork", "TraubHH", "traub_rates",
           "BrunelNetwork", "DecisionNetwork"]
