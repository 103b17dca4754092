"""What a UTXO chain says: blocks, transactions, their inputs and outputs, as frozen values.

Values are integers in the chain's base units (litoshi, satoshi). An input carries the output it
spends, resolved to that output's address and value, so the pure core never asks a node again. An
output without a standard address (``OP_RETURN``, bare multisig) has ``address=None``: it can hold
value but names nobody.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Outpoint:
    """One output of one transaction: ``txid:vout``."""

    txid: str
    vout: int

    def __str__(self) -> str:
        return f"{self.txid}:{self.vout}"


@dataclass(frozen=True, slots=True)
class TxInput:
    """A spend of ``prevout``, which paid ``value`` to ``address``; ``prevout`` is None for a coinbase."""

    prevout: Outpoint | None
    address: str | None
    value: int

    @property
    def coinbase(self) -> bool:
        return self.prevout is None


@dataclass(frozen=True, slots=True)
class TxOutput:
    """Output number ``n``: ``value`` base units to ``address`` (None: no standard address)."""

    n: int
    address: str | None
    value: int


@dataclass(frozen=True, slots=True)
class Transaction:
    txid: str
    inputs: tuple[TxInput, ...]
    outputs: tuple[TxOutput, ...]

    @property
    def coinbase(self) -> bool:
        return len(self.inputs) == 1 and self.inputs[0].coinbase

    @property
    def input_value(self) -> int:
        return sum(i.value for i in self.inputs)

    @property
    def output_value(self) -> int:
        return sum(o.value for o in self.outputs)


@dataclass(frozen=True, slots=True)
class BlockRef:
    """A block's place: its height and hash."""

    height: int
    hash: str


@dataclass(frozen=True, slots=True)
class Block:
    height: int
    hash: str
    prev_hash: str | None  # None only for the genesis block
    transactions: tuple[Transaction, ...]

    @property
    def ref(self) -> BlockRef:
        return BlockRef(self.height, self.hash)
