"""Graph features: what the entity graph says about the account of the event being decided.

The catalog keeps the graph (``Catalog(graph=...)``) and adds each event's links to it when it observes
the event, before any value is read: like the windowed aggregates, a graph feature includes the current
event and nothing after it. Accounts are flagged (held, blocked, frozen) by the engine after their
decision, so an event never sees its own decision's flag. Values are computed only when a rule or a
model asks, and a vector read after a later event refuses (``StaleFeatures``) as for every feature.

* ``graph.cluster_size``: accounts in the account's connected component, itself included;
* ``graph.linked_accounts``: accounts directly linked to it;
* ``graph.flagged_neighbour_share``: the share of those that are flagged (None without links);
* ``graph.flagged_distance``: links to the nearest flagged account within ``max_hops`` (0 when the
  account itself is flagged; None when none is that near, or the search passes ``max_visit`` accounts).
"""

from __future__ import annotations

from collections import deque

from vigil.graph import EntityGraph

CLUSTER_SIZE = "graph.cluster_size"
LINKED = "graph.linked_accounts"
FLAGGED_SHARE = "graph.flagged_neighbour_share"
FLAGGED_DISTANCE = "graph.flagged_distance"


class GraphFeatures:
    """The graph features of one catalog, read from its entity graph."""

    def __init__(self, graph: EntityGraph, *, max_hops: int = 3, max_visit: int = 2000) -> None:
        if max_hops < 1 or max_visit < 1:
            raise ValueError("max_hops and max_visit must be positive")
        self.graph = graph
        self.max_hops = max_hops
        self.max_visit = max_visit
        self.names: tuple[str, ...] = (CLUSTER_SIZE, LINKED, FLAGGED_SHARE, FLAGGED_DISTANCE)

    def spelling(self) -> str:
        """Everything that changes a value: for the catalog's hash."""
        weights = ",".join(f"{k.value}={w}" for k, w in sorted(self.graph.milli.items()))
        return (
            f"graph(hub_limit={self.graph.hub_limit},{weights},hops={self.max_hops},visit={self.max_visit})"
        )

    def describe(self, name: str) -> str:
        return {
            CLUSTER_SIZE: "accounts linked to this one directly or through others (itself included)",
            LINKED: "accounts sharing a device, document, card, address... with this one, or trading with it",
            FLAGGED_SHARE: "share of directly linked accounts that are held, blocked or frozen",
            FLAGGED_DISTANCE: f"links to the nearest held, blocked or frozen account (up to {self.max_hops})",
        }[name]

    def value(self, name: str, account_id: str) -> float | None:
        graph = self.graph
        a = graph.index.get(account_id)
        if a is None:
            return None
        if name == CLUSTER_SIZE:
            return float(graph.component_size(a))
        neighbours = graph.adjacency[a]
        if name == LINKED:
            return float(len(neighbours))
        if name == FLAGGED_SHARE:
            if not neighbours:
                return None
            return sum(1 for b in neighbours if b in graph.flagged) / len(neighbours)
        if name == FLAGGED_DISTANCE:
            return self._distance(a)
        raise KeyError(name)

    def _distance(self, a: int) -> float | None:
        graph = self.graph
        if a in graph.flagged:
            return 0.0
        if not graph.flagged:
            return None
        depth = {a: 0}
        queue = deque([a])
        while queue:
            node = queue.popleft()
            d = depth[node]
            if d == self.max_hops:
                continue
            for other in graph.adjacency[node]:
                if other in depth:
                    continue
                if other in graph.flagged:
                    return float(d + 1)
                if len(depth) >= self.max_visit:
                    return None
                depth[other] = d + 1
                queue.append(other)
        return None
