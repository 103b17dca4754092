"""Follow a chain incrementally and survive reorganisations.

``ChainView`` is what Vigil knows of a chain: the transaction graph and its common-input clusters.
``Follower.poll()`` brings it to the source's tip. Before applying anything it checks that the view's
tip is still on the best chain (its hash at that height); when it is not, it rolls back, newest
block first, to the fork point (the highest block both agree on), then applies the new branch. Each
block it applies must name the view's tip as its parent (``prev_hash``); when one does not (the node
reorganised between two calls) the poll starts over from the check. So the view always equals a
prefix of the best chain the source reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vigil.chain.blocks import Block, BlockRef
from vigil.chain.cluster import AddressClusters
from vigil.chain.graph import TxGraph
from vigil.chain.source import ChainSource
from vigil.errors import ChainUnavailable, UnknownBlock


class ChainView:
    """The graph and clusters of the applied blocks; clusters are rebuilt after a rollback."""

    __slots__ = ("blocks", "clusters", "graph")

    def __init__(self) -> None:
        self.graph = TxGraph()
        self.clusters = AddressClusters()
        self.blocks: list[Block] = []

    @property
    def tip(self) -> BlockRef | None:
        return self.graph.tip

    def apply(self, block: Block) -> None:
        self.graph.apply(block)
        self.blocks.append(block)
        for tx in block.transactions:
            self.clusters.add(tx)

    def revert(self, count: int) -> list[Block]:
        """Take ``count`` blocks off the top, newest first, then rebuild the clusters once from the graph
        (a union cannot be undone; reorganisations are rare and shallow)."""
        reverted = []
        for _ in range(count):
            block = self.blocks.pop()
            self.graph.revert(block)
            reverted.append(block)
        if reverted:
            self.clusters = AddressClusters.of(self.graph.transactions())
        return reverted


@dataclass(slots=True)
class Progress:
    """What one poll did: blocks rolled back (newest first) and blocks applied (in order)."""

    reverted: list[BlockRef] = field(default_factory=list)
    applied: list[BlockRef] = field(default_factory=list)


class Follower:
    """Brings a ``ChainView`` to the tip of a ``ChainSource``, starting at height ``start``."""

    def __init__(self, source: ChainSource, view: ChainView, *, start: int = 0, attempts: int = 5) -> None:
        self.source = source
        self.view = view
        self.start = start
        self.attempts = attempts

    def poll(self, limit: int | None = None) -> Progress:
        """Apply up to ``limit`` new blocks (all when None), rolling back first if the chain reorganised."""
        progress = Progress()
        for _ in range(self.attempts):
            self._roll_back(progress)
            if self._roll_forward(progress, limit):
                return progress
        raise ChainUnavailable(f"the chain kept reorganising during {self.attempts} attempts to follow it")

    def _on_best_chain(self, ref: BlockRef) -> bool:
        try:
            return self.source.block_hash(ref.height) == ref.hash
        except UnknownBlock:  # the best chain is now shorter than our tip
            return False

    def _roll_back(self, progress: Progress) -> None:
        """Find the fork point (the highest applied block still on the best chain), then revert above it."""
        depth = 0
        blocks = self.view.blocks
        while depth < len(blocks) and not self._on_best_chain(blocks[-1 - depth].ref):
            depth += 1
        progress.reverted.extend(b.ref for b in self.view.revert(depth))

    def _roll_forward(self, progress: Progress, limit: int | None) -> bool:
        """Apply blocks up to the tip; False when a block does not extend ours (reorganised meanwhile)."""
        best = self.source.tip()
        tip = self.view.tip
        height = self.start if tip is None else tip.height + 1
        while height <= best.height and (limit is None or len(progress.applied) < limit):
            try:
                block = self.source.block(self.source.block_hash(height))
            except UnknownBlock:  # the best chain got shorter between tip() and now
                return False
            expected = None if tip is None else tip.hash
            if block.height != height or (tip is not None and block.prev_hash != expected):
                return False
            self.view.apply(block)
            progress.applied.append(block.ref)
            tip = block.ref
            height += 1
        return True
