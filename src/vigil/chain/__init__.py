"""On-chain data of UTXO chains (issue 21): blocks, the transaction graph, common-input clusters and
exposure to list categories. Pure: it reads chains only through the ``ChainSource`` port.

See docs/chain.md for the method (clustering guarded against mixing, haircut tracing).
"""

from vigil.chain.blocks import Block, BlockRef, Outpoint, Transaction, TxInput, TxOutput
from vigil.chain.cluster import AddressClusters, looks_like_mixing
from vigil.chain.exposure import CategoryExposure, Exposure, index_lookup, trace_address, trace_output
from vigil.chain.follow import ChainView, Follower, Progress
from vigil.chain.graph import TxGraph
from vigil.chain.source import ChainSource

__all__ = [
    "AddressClusters",
    "Block",
    "BlockRef",
    "CategoryExposure",
    "ChainSource",
    "ChainView",
    "Exposure",
    "Follower",
    "Outpoint",
    "Progress",
    "Transaction",
    "TxGraph",
    "TxInput",
    "TxOutput",
    "index_lookup",
    "looks_like_mixing",
    "trace_address",
    "trace_output",
]
