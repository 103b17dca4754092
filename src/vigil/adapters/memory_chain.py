"""``ChainSource`` in memory: a best chain of blocks that tests extend and reorganise at will."""

from __future__ import annotations

from vigil.chain.blocks import Block, BlockRef
from vigil.errors import UnknownBlock


class MemoryChain:
    """Blocks by hash, and the best chain as a list of hashes by height (from 0)."""

    def __init__(self, blocks: list[Block] | None = None) -> None:
        self._by_hash: dict[str, Block] = {}
        self._best: list[str] = []
        for block in blocks or ():
            self.append(block)

    def append(self, block: Block) -> None:
        """Put ``block`` on top of the best chain; it must extend the tip."""
        expected = self._best[-1] if self._best else None
        if block.height != len(self._best) or block.prev_hash != expected:
            raise ValueError(f"block {block.height} {block.hash} does not extend the tip")
        self._by_hash[block.hash] = block
        self._best.append(block.hash)

    def reorganise(self, branch: list[Block]) -> None:
        """Replace the best chain from ``branch[0].height`` with ``branch`` (old blocks stay readable)."""
        del self._best[branch[0].height :]
        for block in branch:
            self.append(block)

    def tip(self) -> BlockRef:
        if not self._best:
            raise UnknownBlock("the chain has no block yet")
        return BlockRef(len(self._best) - 1, self._best[-1])

    def block_hash(self, height: int) -> str:
        if not 0 <= height < len(self._best):
            raise UnknownBlock(f"no block at height {height} (tip {len(self._best) - 1})")
        return self._best[height]

    def block(self, block_hash: str) -> Block:
        try:
            return self._by_hash[block_hash]
        except KeyError:
            raise UnknownBlock(f"no block {block_hash}") from None
