"""The ``ChainSource`` port: blocks of one UTXO chain, read from a node or from memory.

It lives in this room because the follower (``follow.py``) is pure and reads through it; ``vigil.ports``
re-exports it with the other ports. Implementations: ``adapters/memory_chain.py`` and
``adapters/utxo_rpc.py`` (Bitcoin Core's JSON-RPC, which litecoind speaks); one contract suite
(``tests/contracts/test_chain_contract.py``) runs against both.
"""

from __future__ import annotations

from typing import Protocol

from vigil.chain.blocks import Block, BlockRef


class ChainSource(Protocol):
    """One chain's best blocks.

    Contract: ``tip()`` is the best block now. ``block_hash(height)`` is the hash of the best chain's
    block at ``height``; a height below 0 or above the tip raises :class:`vigil.errors.UnknownBlock`.
    ``block(hash)`` is that block with every transaction, each input resolved to the address and value
    of the output it spends (a coinbase input has ``prevout=None``), values in integer base units;
    an unknown hash raises ``UnknownBlock``. A block stays readable by hash after a reorganisation
    takes it off the best chain (the follower needs it to roll back).

    Failures name what is wrong: :class:`vigil.errors.ChainUnavailable` (node down, slower than the
    timeout, an answer that is not what the protocol says, then ``MalformedChainAnswer``),
    :class:`vigil.errors.ChainAuthFailed` (credentials refused). Nothing is retried silently.
    """

    def tip(self) -> BlockRef: ...

    def block_hash(self, height: int) -> str: ...

    def block(self, block_hash: str) -> Block: ...
