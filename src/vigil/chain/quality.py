"""How good a clustering is against known owners: pairwise precision and recall.

Every pair of addresses with a known owner counts once: a pair is *predicted* when both addresses
are in one cluster and *true* when one owner holds both. Precision is the share of predicted pairs
that are true, recall the share of true pairs that are predicted. Pairs weigh big clusters
quadratically, which is the point: one wrong merge of two large clusters costs what it would cost an
investigator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from vigil.chain.cluster import AddressClusters


@dataclass(frozen=True, slots=True)
class PairScores:
    precision: float
    recall: float
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int
    addresses: int
    clusters: int  # predicted clusters among the addresses with a known owner
    owners: int


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(clusters: AddressClusters, owner: Mapping[str, str]) -> PairScores:
    """Scores of ``clusters`` on the addresses of ``owner`` (address -> who holds it)."""
    groups: dict[str, Counter[str]] = {}
    for address, who in owner.items():
        groups.setdefault(clusters.find(address), Counter())[who] += 1
    predicted = sum(_pairs(sum(c.values())) for c in groups.values())
    correct = sum(_pairs(n) for c in groups.values() for n in c.values())
    true = sum(_pairs(n) for n in Counter(owner.values()).values())
    return PairScores(
        precision=correct / predicted if predicted else 1.0,
        recall=correct / true if true else 1.0,
        predicted_pairs=predicted,
        true_pairs=true,
        correct_pairs=correct,
        addresses=len(owner),
        clusters=len(groups),
        owners=len(set(owner.values())),
    )
