"""Exchange formats with other tools.

``brainsim.interop.nir``: export to and import from the Neuromorphic Intermediate
Representation (NIR), the graph format spoken by snnTorch, Norse, Spyx, SpikingJelly, Lava
and Rockpool (needs the optional extra: ``python -m pip install 'brainsim[nir]'``).
"""

from . import nir as nir

__all__ = ["nir"]
