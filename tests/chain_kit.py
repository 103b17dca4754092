"""Hand-built blocks for the chain room's unit and contract tests."""

from __future__ import annotations

import hashlib

from vigil.chain import Block, Outpoint, Transaction, TxInput, TxOutput


def h(label: str) -> str:
    """A 64-digit hex hash derived from ``label`` (readable names in tests, valid hashes in values)."""
    return hashlib.sha256(label.encode()).hexdigest()


def coinbase(label: str, address: str, value: int) -> Transaction:
    return Transaction(h(label), (TxInput(None, None, 0),), (TxOutput(0, address, value),))


def spend(
    label: str, inputs: list[tuple[Transaction, int]], outputs: list[tuple[str | None, int]]
) -> Transaction:
    """A transaction spending output ``n`` of each given transaction, paying ``outputs``."""
    ins = tuple(TxInput(Outpoint(t.txid, n), t.outputs[n].address, t.outputs[n].value) for t, n in inputs)
    outs = tuple(TxOutput(n, a, v) for n, (a, v) in enumerate(outputs))
    return Transaction(h(label), ins, outs)


def chain(*bodies: list[Transaction], fork: str = "") -> list[Block]:
    """Blocks 0..n with these transactions, each naming the previous as its parent."""
    blocks: list[Block] = []
    for height, txs in enumerate(bodies):
        prev = blocks[-1].hash if blocks else None
        blocks.append(Block(height, h(f"block{fork}{height}"), prev, tuple(txs)))
    return blocks


def extend(base: list[Block], *bodies: list[Transaction], fork: str) -> list[Block]:
    """Blocks on top of ``base`` (a new branch when ``base`` is cut short), named by ``fork``."""
    blocks = list(base)
    for txs in bodies:
        height = len(blocks)
        blocks.append(Block(height, h(f"block{fork}{height}"), blocks[-1].hash, tuple(txs)))
    return blocks[len(base) :]
