"""The object graph: one traversal, path-keyed views, and the split/merge functional view.

``treefy_split(model)`` gives ``(graphdef, state mapping)``, ``treefy_merge`` rebuilds a
fresh model; checkpoints, optax and sharding all go through that view.
"""

from ._dicts import CollectionView as CollectionView
from ._dicts import FlatDict as FlatDict
from ._dicts import FlatStateDict as FlatStateDict
from ._dicts import NestedStateDict as NestedStateDict
from ._node import Node as Node
from ._node import register_graph_node_type as register_graph_node_type
from ._ops import GraphDef as GraphDef
from ._ops import assign_state_values as assign_state_values
from ._ops import clone as clone
from ._ops import graphdef as graphdef
from ._ops import nodes as nodes
from ._ops import pop_states as pop_states
from ._ops import states as states
from ._ops import treefy_merge as treefy_merge
from ._ops import treefy_split as treefy_split
from ._ops import update_states as update_states
from ._traverse import MAX_LEVEL as MAX_LEVEL
from ._traverse import Entry as Entry
from ._traverse import iter_leaf as iter_leaf
from ._traverse import iter_node as iter_node
from ._traverse import join_path as join_path
from ._traverse import walk as walk

__all__ = [
    "CollectionView",
    "FlatDict",
    "FlatStateDict",
    "NestedStateDict",
    "Node",
    "register_graph_node_type",
    "GraphDef",
    "assign_state_values",
    "clone",
    "graphdef",
    "nodes",
    "pop_states",
    "states",
    "treefy_merge",
    "treefy_split",
    "update_states",
    "MAX_LEVEL",
    "Entry",
    "iter_leaf",
    "iter_node",
    "join_path",
    "walk",
]
