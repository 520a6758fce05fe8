"""NIR (Neuromorphic Intermediate Representation) export and import.

``to_nir(model)`` writes a brainsim model as a ``nir.NIRGraph``; ``from_nir(graph)`` builds a
brainsim :class:`NIRNetwork` from one. The ``nir`` package is imported only when a
conversion runs (optional extra: ``python -m pip install 'brainsim[nir]'``).
"""

from ._network import LeakyIntegrator as LeakyIntegrator
from ._network import NIRNetwork as NIRNetwork
from ._nir_convert import SUPPORTED_NIR_NODES as SUPPORTED_NIR_NODES
from ._nir_convert import from_nir as from_nir
from ._nir_convert import to_nir as to_nir

__all__ = ["to_nir", "from_nir", "NIRNetwork", "LeakyIntegrator", "SUPPORTED_NIR_NODES"]
