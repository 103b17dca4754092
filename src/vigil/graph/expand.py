"""Expand a suspicious cluster from seeds: the accounts most likely in the same operation, with why.

Personalised PageRank on the accounts within ``hops`` links of the seeds: a walker that restarts at a
seed with probability ``restart`` at each step and otherwise follows a link with probability
proportional to its weight (the link kinds' weights: a shared document counts more than a shared IP).
An account scores high when many strong, short paths lead to it from the seeds. Each result comes with
the shortest path from a seed (the strongest link at each step), every step naming the kinds and an
example of what the two accounts share, so an analyst can check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt
from scipy import sparse

from vigil.errors import InvalidInput
from vigil.graph.entity import EntityGraph
from vigil.graph.links import LinkKind


@dataclass(frozen=True, slots=True)
class Step:
    """One link on a path: from one account to the next, by these kinds (with an example of each)."""

    from_account: str
    to_account: str
    kinds: tuple[tuple[LinkKind, str], ...]


@dataclass(frozen=True, slots=True)
class Found:
    account: str
    score: float
    hops: int
    flagged: bool
    path: tuple[Step, ...]  # from a seed to the account


@dataclass(frozen=True, slots=True)
class Expansion:
    seeds: tuple[str, ...]
    considered: int  # accounts within the hop bound
    found: tuple[Found, ...]


def expand(
    graph: EntityGraph,
    seeds: list[str],
    *,
    top: int = 50,
    hops: int = 3,
    restart: float = 0.15,
    iterations: int = 50,
    max_nodes: int = 20_000,
) -> Expansion:
    """The ``top`` accounts nearest the seeds by personalised PageRank, best first (see the module)."""
    if not seeds:
        raise InvalidInput("give at least one seed account", field="seeds")
    unknown = [s for s in seeds if s not in graph.index]
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:10])
        raise InvalidInput(f"unknown accounts (never seen in an event): {shown}", field="seeds")
    if top < 1 or hops < 1 or not 0 < restart < 1:
        raise InvalidInput("top and hops must be positive and restart between 0 and 1", field="top")
    start = list(dict.fromkeys(graph.index[s] for s in seeds))
    nodes, depth, parent = _neighbourhood(graph, start, hops, max_nodes)
    n = len(nodes)
    position = np.full(len(graph), -1, dtype=np.int64)
    position[nodes] = np.arange(n)
    source, target, weight = _links_of(graph, nodes)
    cols = position[target]
    inside = cols >= 0
    rows = position[source]
    matrix = sparse.csr_matrix((weight[inside].astype(float), (rows[inside], cols[inside])), shape=(n, n))
    out_weight = np.asarray(matrix.sum(axis=1)).ravel()
    out_weight[out_weight == 0] = 1.0
    transition = sparse.diags(1.0 / out_weight) @ matrix  # row-stochastic where there are links
    teleport = np.zeros(n)
    teleport[position[start]] = 1.0 / len(start)
    score = teleport.copy()
    transposed = transition.T.tocsr()
    for _ in range(iterations):
        score = restart * teleport + (1 - restart) * (transposed @ score)
    score[position[start]] = -1.0  # seeds are not results
    ranked = np.lexsort((nodes, -score))[:top]
    found = tuple(
        Found(
            account=graph.names[node],
            score=round(float(score[i]), 6),
            hops=depth[node],
            flagged=node in graph.flagged,
            path=_path(graph, node, parent),
        )
        for i in ranked.tolist()
        if score[i] > 0
        for node in (int(nodes[i]),)
    )
    return Expansion(tuple(graph.names[s] for s in start), n, found)


Ints = npt.NDArray[np.int64]


def _links_of(graph: EntityGraph, accounts: Ints) -> tuple[Ints, Ints, Ints]:
    """Every (account, neighbour, weight) of ``accounts``, in their order and the adjacency's, as arrays."""
    adjacency = graph.adjacency
    rows = [adjacency[a] for a in accounts.tolist()]
    counts = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    total = int(counts.sum())
    target = np.fromiter(chain.from_iterable(r.keys() for r in rows), dtype=np.int64, count=total)
    weight = np.fromiter(chain.from_iterable(r.values() for r in rows), dtype=np.int64, count=total)
    return np.repeat(accounts, counts), target, weight


def _neighbourhood(
    graph: EntityGraph, start: list[int], hops: int, max_nodes: int
) -> tuple[Ints, dict[int, int], dict[int, int]]:
    """Accounts within ``hops`` of the seeds (sorted), their depth, and each one's parent on a shortest
    path (the strongest link from the previous depth; the first found among equals). Taken a depth at a
    time; when a depth would take the set past ``max_nodes``, only the accounts most strongly linked to
    the set so far get in (the summed weight of their links to it), so a busy neighbourhood is cut at
    its weakest edges, not at random."""
    seen = np.zeros(len(graph), dtype=bool)
    seen[start] = True
    depth = dict.fromkeys(start, 0)
    parent: dict[int, int] = {}
    taken = len(start)
    layer = np.array(start, dtype=np.int64)
    for d in range(1, hops + 1):
        source, target, weight = _links_of(graph, layer)
        new = ~seen[target]
        source, target, weight = source[new], target[new], weight[new]
        if len(target) == 0:
            break
        candidates, which = np.unique(target, return_inverse=True)
        pull = np.bincount(which, weights=weight, minlength=len(candidates))
        order = np.lexsort((np.arange(len(target)), -weight, which))  # per candidate: strongest first
        strongest = order[np.r_[0, np.flatnonzero(np.diff(which[order])) + 1]]
        room = max_nodes - taken
        keep = np.arange(len(candidates))
        if len(candidates) > room:
            keep = np.sort(np.lexsort((candidates, -pull))[:room])
        layer = candidates[keep]
        seen[layer] = True
        taken += len(layer)
        for node, up in zip(layer.tolist(), source[strongest[keep]].tolist(), strict=True):
            depth[node] = d
            parent[node] = up
        if taken >= max_nodes:
            break
    return np.flatnonzero(seen), depth, parent


def _path(graph: EntityGraph, node: int, parent: dict[int, int]) -> tuple[Step, ...]:
    steps: list[Step] = []
    while node in parent:
        up = parent[node]
        kinds = tuple(sorted((k, e.example) for k, e in graph.kinds_between(up, node).items()))
        steps.append(Step(graph.names[up], graph.names[node], kinds))
        node = up
    return tuple(reversed(steps))
