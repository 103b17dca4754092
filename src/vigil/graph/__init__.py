"""Network analysis: the entity graph of accounts, expansion from seeds, communities and their signals.

Pure (numpy, scipy and igraph for the numeric parts); fed by Vigil's own events.
"""

from vigil.graph.batch import build, from_history
from vigil.graph.entity import Edge, EntityGraph
from vigil.graph.links import DEFAULT_WEIGHTS, Link, LinkKind, links_of

__all__ = ["DEFAULT_WEIGHTS", "Edge", "EntityGraph", "Link", "LinkKind", "build", "from_history", "links_of"]
