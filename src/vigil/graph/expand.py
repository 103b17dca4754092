"""Expand a suspicious cluster from seeds: the accounts most likely in the same operation, with why.

Personalised PageRank on the accounts within ``hops`` links of the seeds: a walker that restarts at a
seed with probability ``restart`` at each step and otherwise follows a link with probability
proportional to its weight (the link kinds' weights: a shared document counts more than a shared IP).
An account scores high when many strong, short paths lead to it from the seeds. Each result comes with
the shortest path from a seed (the strongest link at each step), every step naming the kinds and an
example of what the two accounts share, so an analyst can check it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
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
    max_nodes: int = 500_000,
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
    position = {node: i for i, node in enumerate(nodes)}
    rows, cols, vals = [], [], []
    for node in nodes:
        i = position[node]
        for other, weight in graph.adjacency[node].items():
            j = position.get(other)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(float(weight))
    n = len(nodes)
    matrix = sparse.csr_matrix((np.array(vals), (np.array(rows), np.array(cols))), shape=(n, n))
    out_weight = np.asarray(matrix.sum(axis=1)).ravel()
    out_weight[out_weight == 0] = 1.0
    transition = sparse.diags(1.0 / out_weight) @ matrix  # row-stochastic where there are links
    teleport = np.zeros(n)
    teleport[[position[s] for s in start]] = 1.0 / len(start)
    score = teleport.copy()
    transposed = transition.T.tocsr()
    for _ in range(iterations):
        score = restart * teleport + (1 - restart) * (transposed @ score)
    seed_set = set(start)
    ranked = sorted((i for i in range(n) if nodes[i] not in seed_set), key=lambda i: (-score[i], nodes[i]))
    found = tuple(
        Found(
            account=graph.names[nodes[i]],
            score=round(float(score[i]), 6),
            hops=depth[nodes[i]],
            flagged=nodes[i] in graph.flagged,
            path=_path(graph, nodes[i], parent),
        )
        for i in ranked[:top]
        if score[i] > 0
    )
    return Expansion(tuple(graph.names[s] for s in start), n, found)


def _neighbourhood(
    graph: EntityGraph, start: list[int], hops: int, max_nodes: int
) -> tuple[list[int], dict[int, int], dict[int, int]]:
    """Accounts within ``hops`` of the seeds (breadth first), their depth, and each one's parent on
    a shortest path (the strongest link among the candidates of the previous depth)."""
    depth = dict.fromkeys(start, 0)
    parent: dict[int, int] = {}
    best: dict[int, int] = {}
    frontier = deque(start)
    order = list(start)
    while frontier:
        node = frontier.popleft()
        d = depth[node]
        if d == hops:
            continue
        for other, weight in graph.adjacency[node].items():
            seen = depth.get(other)
            if seen is None:
                if len(order) >= max_nodes:
                    continue
                depth[other] = d + 1
                parent[other] = node
                best[other] = weight
                order.append(other)
                frontier.append(other)
            elif seen == d + 1 and weight > best.get(other, 0):
                parent[other] = node
                best[other] = weight
    return order, depth, parent


def _path(graph: EntityGraph, node: int, parent: dict[int, int]) -> tuple[Step, ...]:
    steps: list[Step] = []
    while node in parent:
        up = parent[node]
        kinds = tuple(sorted((k, e.example) for k, e in graph.kinds_between(up, node).items()))
        steps.append(Step(graph.names[up], graph.names[node], kinds))
        node = up
    return tuple(reversed(steps))
