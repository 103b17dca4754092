"""Common-input clustering: addresses spent together in one transaction belong to one owner.

The heuristic (Nakamoto's paper, section 10; Meiklejohn et al. 2013) holds because signing every
input needs every key, except when several owners sign one transaction on purpose: a CoinJoin. So a
transaction that looks like one is never merged (``looks_like_mixing``): it has inputs from at least
two addresses and at least ``min_equal`` outputs of one and the same value (the equal-output pattern
of JoinMarket, Wasabi and Whirlpool, where the equal outputs are what hides who is who). Refusing
costs recall (a wallet that pays two equal amounts from two addresses is not merged on that
transaction) and buys precision, which is what matters: one wrong merge joins two whole clusters.

No change heuristic is used (which output of a payment is the payer's change): they are known to
chain false merges into giant clusters, and none measured precise on our scenarios (docs/chain.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from vigil.chain.blocks import Transaction

MIN_EQUAL_OUTPUTS = 2


def looks_like_mixing(tx: Transaction, *, min_equal: int = MIN_EQUAL_OUTPUTS) -> bool:
    """True when ``tx`` has inputs from two or more addresses and ``min_equal`` outputs of equal value."""
    if len({i.address for i in tx.inputs if i.address is not None}) < 2:
        return False
    values = Counter(o.value for o in tx.outputs if o.value > 0)
    return bool(values) and max(values.values()) >= min_equal


class AddressClusters:
    """Union-find over addresses (union by size, path halving); ``add`` each transaction once.

    ``find`` shortens the parent chains it walks (path halving): an internal shortcut that changes no
    answer of ``find``, ``same`` or ``groups``.
    """

    __slots__ = ("_min_equal", "_parent", "_size", "refused")

    def __init__(self, *, min_equal: int = MIN_EQUAL_OUTPUTS) -> None:
        self._parent: dict[str, str] = {}
        self._size: dict[str, int] = {}
        self._min_equal = min_equal
        self.refused = 0  # transactions not merged because they look like mixing

    @classmethod
    def of(
        cls, transactions: Iterable[Transaction], *, min_equal: int = MIN_EQUAL_OUTPUTS
    ) -> AddressClusters:
        clusters = cls(min_equal=min_equal)
        for tx in transactions:
            clusters.add(tx)
        return clusters

    def add(self, tx: Transaction) -> None:
        """Merge the input addresses of ``tx`` unless it looks like mixing; outputs become singletons."""
        for out in tx.outputs:
            if out.address is not None:
                self._ensure(out.address)
        inputs = [i.address for i in tx.inputs if i.address is not None]
        for address in inputs:
            self._ensure(address)
        if len(set(inputs)) < 2:
            return
        if looks_like_mixing(tx, min_equal=self._min_equal):
            self.refused += 1
            return
        first = inputs[0]
        for other in inputs[1:]:
            self._union(first, other)

    def find(self, address: str) -> str:
        """The cluster's representative (the address itself when it was never seen)."""
        parent = self._parent
        if address not in parent:
            return address
        while parent[address] != address:
            parent[address] = parent[parent[address]]
            address = parent[address]
        return address

    def same(self, a: str, b: str) -> bool:
        return self.find(a) == self.find(b)

    def groups(self) -> dict[str, list[str]]:
        """Representative -> members, for every address seen."""
        out: dict[str, list[str]] = {}
        for address in self._parent:
            out.setdefault(self.find(address), []).append(address)
        return out

    def _ensure(self, address: str) -> None:
        if address not in self._parent:
            self._parent[address] = address
            self._size[address] = 1

    def _union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size.pop(rb)
