"""The transaction graph of the blocks followed so far: transactions by id, outputs by address.

``apply(block)`` adds a block on top, ``revert(block)`` takes the top block off again (a
reorganisation rolls back to the fork point block by block, newest first), so the graph always
equals the blocks of the current best chain, in order.
"""

from __future__ import annotations

from collections.abc import Iterator

from vigil.chain.blocks import Block, BlockRef, Outpoint, Transaction, TxOutput


class TxGraph:
    """Transactions of the applied blocks and, per address, the outputs it received, in chain order."""

    __slots__ = ("_blocks", "_received", "_spent_by", "_txs")

    def __init__(self) -> None:
        self._txs: dict[str, Transaction] = {}
        self._received: dict[str, list[Outpoint]] = {}
        self._spent_by: dict[Outpoint, str] = {}
        self._blocks: list[BlockRef] = []

    def apply(self, block: Block) -> None:
        """Add ``block`` on top; it must extend the current tip."""
        if self._blocks and (
            block.prev_hash != self._blocks[-1].hash or block.height != self._blocks[-1].height + 1
        ):
            raise ValueError(f"block {block.height} {block.hash} does not extend the tip {self._blocks[-1]}")
        for tx in block.transactions:
            self._txs[tx.txid] = tx
            for out in tx.outputs:
                if out.address is not None:
                    self._received.setdefault(out.address, []).append(Outpoint(tx.txid, out.n))
            for spend in tx.inputs:
                if spend.prevout is not None:
                    self._spent_by[spend.prevout] = tx.txid
        self._blocks.append(block.ref)

    def revert(self, block: Block) -> None:
        """Take ``block`` off the top (it must be the tip): the graph is as before its ``apply``."""
        if not self._blocks or self._blocks[-1] != block.ref:
            raise ValueError(f"block {block.height} {block.hash} is not the tip")
        for tx in reversed(block.transactions):
            for spend in tx.inputs:
                if spend.prevout is not None:
                    self._spent_by.pop(spend.prevout, None)
            for out in reversed(tx.outputs):
                if out.address is not None:
                    received = self._received[out.address]
                    received.pop()
                    if not received:
                        del self._received[out.address]
            del self._txs[tx.txid]
        self._blocks.pop()

    @property
    def tip(self) -> BlockRef | None:
        return self._blocks[-1] if self._blocks else None

    def block_at(self, height: int) -> BlockRef | None:
        """The applied block at ``height`` (None when not applied); heights start at the first applied."""
        if not self._blocks:
            return None
        index = height - self._blocks[0].height
        return self._blocks[index] if 0 <= index < len(self._blocks) else None

    def transaction(self, txid: str) -> Transaction | None:
        return self._txs.get(txid)

    def output(self, outpoint: Outpoint) -> TxOutput | None:
        tx = self._txs.get(outpoint.txid)
        if tx is None or not 0 <= outpoint.vout < len(tx.outputs):
            return None
        return tx.outputs[outpoint.vout]

    def received(self, address: str) -> tuple[Outpoint, ...]:
        """Every output paid to ``address``, in chain order."""
        return tuple(self._received.get(address, ()))

    def spender(self, outpoint: Outpoint) -> str | None:
        """The transaction that spent ``outpoint``, or None while it is unspent."""
        return self._spent_by.get(outpoint)

    def transactions(self) -> Iterator[Transaction]:
        """Every transaction, in chain order."""
        return iter(self._txs.values())

    def addresses(self) -> Iterator[str]:
        """Every address that received an output."""
        return iter(self._received)

    def __len__(self) -> int:
        return len(self._txs)
