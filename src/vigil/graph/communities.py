"""Rings with no seed: communities of the entity graph (Leiden, networkit) and the signals that make one
suspicious.

A community of linked accounts is not suspicious by itself (a family shares a laptop). What is:

* **shared identity**: devices, documents, faces or cards shared across many members;
* **new identities**: most members passed KYC recently;
* **fan-in then cash-out**: many members send to one, which withdraws what it received;
* **money cycles**: transfers that come back to where they started;
* **self-trading**: members matched against each other in trades.

Each signal is reported with its value and, when it fires, a sentence; ``score`` combines the fired
signals (1 minus the product of what each leaves unexplained), so clusters can be ranked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import chain

import numpy as np

from vigil.graph.entity import EntityGraph
from vigil.graph.links import LinkKind

DAY_US = 86_400_000_000
# Leiden's gamma: 1 is plain modularity. Higher values give smaller communities: on the simulated
# exchange of docs/benchmarks.md, 10 separated rings from the honest communities around them far better
# (precision 16% -> 66%), but on a graph of a few accounts it splits even a ring. Callers choose.
RESOLUTION = 1.0
_REPEATED = 3  # matched this often, two accounts trade with each other, not with the market
_IDENTITY = frozenset(
    (LinkKind.DEVICE, LinkKind.DOCUMENT, LinkKind.FACE, LinkKind.CARD, LinkKind.PHONE, LinkKind.EMAIL)
)


@dataclass(frozen=True, slots=True)
class Cluster:
    id: int
    members: tuple[str, ...]
    shared_identity_per_account: float  # identity links inside the cluster per member
    new_kyc_share: float  # members whose first KYC is within ``new_days`` of the latest event
    fan_in: int  # the most members sending money to one member
    cash_out_share: float  # of what that member received from members, the share it withdrew
    cycle_members: int  # members on a transfer cycle inside the cluster
    self_trades: int  # member pairs matched against each other at least three times
    flagged: int  # members already flagged
    score: float
    reasons: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.members)


def partition(graph: EntityGraph, *, seed: int = 1, resolution: float = 1.0) -> np.ndarray:
    """A community id per account (Leiden on the weighted graph; deterministic for a seed)."""
    import networkit as nk  # imported here: a large native library, needed only for this

    n = len(graph)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    adjacency = graph.adjacency
    counts = np.fromiter((len(d) for d in adjacency), dtype=np.int64, count=n)
    total = int(counts.sum())
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    cols = np.fromiter(chain.from_iterable(d.keys() for d in adjacency), dtype=np.int64, count=total)
    milli = np.fromiter(chain.from_iterable(d.values() for d in adjacency), dtype=np.int64, count=total)
    once = rows < cols  # each pair is in both accounts' adjacency
    rows, cols, weights = rows[once].astype(np.uint64), cols[once].astype(np.uint64), milli[once] / 1000.0
    nk.setSeed(seed, False)
    nk.setNumberOfThreads(2)
    g = nk.graph.GraphFromCoo(
        (weights, (rows, cols)),
        n=n,
        weighted=True,
        directed=False,
    )
    if g.numberOfEdges() == 0:
        return np.arange(n, dtype=np.int64)
    leiden = nk.community.ParallelLeiden(g, randomize=False, iterations=3, gamma=resolution)
    leiden.run()
    return np.asarray(leiden.getPartition().getVector(), dtype=np.int64)


def clusters(
    graph: EntityGraph,
    *,
    min_size: int = 3,
    new_days: int = 30,
    seed: int = 1,
    resolution: float = RESOLUTION,
    labels: np.ndarray | None = None,
) -> list[Cluster]:
    """Communities of at least ``min_size`` accounts with their signals, most suspicious first.

    A higher ``resolution`` splits the graph into smaller communities (Leiden's gamma).
    """
    if labels is None:
        labels = partition(graph, seed=seed, resolution=resolution)
    groups: dict[int, list[int]] = defaultdict(list)
    for account, community in enumerate(labels.tolist()):
        groups[community].append(account)
    community = labels.tolist()
    latest = max(graph.first_us, default=0)
    identity: dict[int, int] = defaultdict(int)  # identity links inside a community (shared attributes)
    self_trades: dict[int, int] = defaultdict(int)  # member pairs matched at least _REPEATED times
    for (a, b, kind), edge in graph.edges.items():
        if edge.last_us > latest:
            latest = edge.last_us
        c = community[a]
        if c != community[b]:
            continue
        if kind in _IDENTITY:
            identity[c] += edge.count
        elif kind is LinkKind.TRADE and edge.count >= _REPEATED:
            self_trades[c] += 1
    inner_flows: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # transfers inside a community
    for (src, dst), (_, cents) in graph.flows.items():
        if community[src] == community[dst]:
            inner_flows[community[src]].append((src, dst, cents))
    new_since = latest - new_days * DAY_US
    found = [
        _judge(graph, cid, members, new_since, inner_flows.get(cid, []), identity[cid], self_trades[cid])
        for cid, members in groups.items()
        if len(members) >= min_size
    ]
    found.sort(key=lambda c: (-c.score, -c.size, c.members))
    return found


def _judge(
    graph: EntityGraph,
    cid: int,
    members: list[int],
    new_since: int,
    flows: list[tuple[int, int, int]],
    identity: int,
    self_trades: int,
) -> Cluster:
    received: dict[int, int] = defaultdict(int)
    senders: dict[int, int] = defaultdict(int)
    out_edges: dict[int, list[int]] = defaultdict(list)
    for src, dst, cents in flows:
        senders[dst] += 1
        received[dst] += cents
        out_edges[src].append(dst)
    fan_in, cash_out = 0, 0.0
    if senders:
        sink = max(senders, key=lambda m: (senders[m], received[m]))
        fan_in = senders[sink]
        cash_out = min(1.0, graph.withdrawn.get(sink, 0) / received[sink]) if received[sink] else 0.0
    cycle = _on_cycles(out_edges)
    new_kyc = sum(1 for a in members if graph.kyc_us.get(a, -1) >= new_since) / len(members)
    per_account = identity / len(members)
    signals = [
        (min(1.0, per_account / 1.5), per_account >= 0.75, f"{identity} shared devices, documents or cards"),
        (new_kyc * 0.6, new_kyc >= 0.5, f"{new_kyc:.0%} of members passed KYC in the last days"),
        (
            min(1.0, fan_in / 4) * (0.5 + 0.5 * cash_out),
            fan_in >= 3,
            f"{fan_in} members send to one, which withdrew {cash_out:.0%} of it",
        ),
        (min(1.0, len(cycle) / 3), len(cycle) >= 3, f"{len(cycle)} members on a money cycle"),
        (
            min(1.0, self_trades / 3),
            self_trades >= 2 and self_trades >= 0.2 * len(members),
            f"{self_trades} pairs of members repeatedly matched against each other",
        ),
    ]
    unexplained = 1.0
    reasons = []
    for strength, fired, sentence in signals:
        if fired:
            unexplained *= 1.0 - strength
            reasons.append(sentence)
    flagged = sum(1 for a in members if a in graph.flagged)
    return Cluster(
        id=cid,
        members=tuple(sorted(graph.names[a] for a in members)),
        shared_identity_per_account=round(per_account, 3),
        new_kyc_share=round(new_kyc, 3),
        fan_in=fan_in,
        cash_out_share=round(cash_out, 3),
        cycle_members=len(cycle),
        self_trades=self_trades,
        flagged=flagged,
        score=round(1.0 - unexplained, 4),
        reasons=tuple(reasons),
    )


def _on_cycles(out_edges: dict[int, list[int]]) -> set[int]:
    """Members on a directed cycle: the strongly connected components of more than one member."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    result: set[int] = set()
    counter = 0
    for root in list(out_edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = out_edges.get(node, [])
            if i < len(targets):
                work.append((node, i + 1))
                nxt = targets[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == node:
                        break
                if len(component) > 1:
                    result.update(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result
