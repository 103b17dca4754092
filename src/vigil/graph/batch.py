"""Rebuild the entity graph from history in one pass per attribute (rather than per event).

The result equals what ``EntityGraph.observe`` builds event by event (``tests/test_graph.py`` checks it
on generated streams): the same edges with the same counts, times, money and examples, the same hubs,
flows and components, and the same member lists, so incremental updates can go on from it.
"""

from __future__ import annotations

from collections.abc import Iterable

from vigil.graph.entity import Edge, EntityGraph
from vigil.graph.links import LinkKind, links_of
from vigil.model import Decision, Event

_Use = tuple[int, int, int]  # (order of the link in the history, time µs, account)


def build(
    events: Iterable[Event], *, hub_limit: int = 50, weights: dict[LinkKind, float] | None = None
) -> EntityGraph:
    graph = EntityGraph(hub_limit=hub_limit, weights=weights)
    uses: dict[tuple[LinkKind, str], list[_Use]] = {}
    direct: list[tuple[int, int, int, LinkKind, int]] = []  # (time, from, to, kind, cents)
    order = 0
    for event in events:
        graph.events += 1
        ts = event.ts_us
        a = graph.intern(event.account_id, ts)
        graph.note_account(a, event)
        for link in links_of(event):
            order += 1
            if link.direct:
                if link.value != event.account_id:
                    direct.append((ts, a, graph.intern(link.value, ts), link.kind, link.cents))
            else:
                uses.setdefault((link.kind, link.value), []).append((order, ts, a))
    # Per pair and kind, the candidates from each attribute: (link order, link time, last use, attribute).
    # The edge is made by the first in history order (its time and example); later ones add to it.
    found: dict[tuple[int, int, LinkKind], list[tuple[int, int, int, str]]] = {}
    for (kind, value), history in uses.items():
        members: dict[int, int] = {}
        pairs: dict[tuple[int, int], list[int]] = {}  # (a, b) -> [link order, link time, last use]
        hub = False
        for at, ts, a in history:
            if a in members:
                members[a] = ts
                for m in members:
                    if m != a:
                        p = pairs[(a, m) if a < m else (m, a)]
                        p[2] = max(p[2], ts)
                continue
            if len(members) >= hub_limit:
                hub = True
                break
            for m in members:
                pairs[(a, m) if a < m else (m, a)] = [at, ts, ts]
            members[a] = ts
        if hub:
            graph.hubs.add((kind, value))
        else:
            users = list(members)
            graph._members[kind][value] = users[0] if len(users) == 1 else users
        for (x, y), (at, first, last) in pairs.items():
            found.setdefault((x, y, kind), []).append((at, first, last, value))
    for (x, y, kind), candidates in found.items():
        candidates.sort()
        _, first, _, example = candidates[0]
        last = max(c[2] for c in candidates)
        graph.edges[(x, y, kind)] = Edge(len(candidates), first, last, 0, example)
    for ts, a, b, kind, cents in direct:
        key = (a, b, kind) if a < b else (b, a, kind)
        edge = graph.edges.get(key)
        if edge is None:
            graph.edges[key] = Edge(1, ts, ts, cents, "")
        else:
            edge.count += 1
            edge.cents += cents
            edge.last_us = max(edge.last_us, ts)
        if kind is LinkKind.TRANSFER:
            flow = graph.flows.setdefault((a, b), [0, 0])
            flow[0] += 1
            flow[1] += cents
    for x, y, kind in graph.edges:
        w = graph.milli[kind]
        graph.adjacency[x][y] = graph.adjacency[x].get(y, 0) + w
        graph.adjacency[y][x] = graph.adjacency[y].get(x, 0) + w
        graph._union(x, y)
    return graph


def from_history(history: Iterable[tuple[Event, Decision]], *, hub_limit: int = 50) -> EntityGraph:
    """The graph of a journal's history, with the accounts its decisions held or blocked flagged."""
    graph = EntityGraph(hub_limit=hub_limit)
    for event, decision in history:
        graph.observe_decided(event, decision)
    return graph
