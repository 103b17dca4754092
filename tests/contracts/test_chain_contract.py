"""The ``ChainSource`` contract (vigil/chain/source.py), run unchanged against memory and a real
regtest litecoind (through the JSON-RPC adapter)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.chain_kit import chain, coinbase, h, spend
from tests.litecoind import regtest_node, require_litecoind
from vigil.adapters.memory_chain import MemoryChain
from vigil.chain import ChainSource
from vigil.errors import UnknownBlock


def _memory() -> Iterator[ChainSource]:
    a, b = coinbase("a", "A1", 50), coinbase("b", "A2", 25)
    pay = spend("pay", [(a, 0), (b, 0)], [("X", 60), ("A3", 14), (None, 0)])
    yield MemoryChain(chain([a], [b], [pay]))


def _litecoind() -> Iterator[ChainSource]:
    require_litecoind()
    with regtest_node() as node:
        node.call("createwallet", "w")
        address = node.call("getnewaddress", wallet="w")
        node.call("generatetoaddress", 102, address)
        node.call("sendtoaddress", node.call("getnewaddress", wallet="w"), "60", wallet="w")  # two coinbases
        node.call("generatetoaddress", 1, address)
        yield node.rpc()


@pytest.fixture(scope="module", params=["memory", pytest.param("litecoind", marks=pytest.mark.litecoind)])
def source(request: pytest.FixtureRequest) -> Iterator[ChainSource]:
    yield from (_memory() if request.param == "memory" else _litecoind())


def test_tip_is_the_best_block_at_its_height(source: ChainSource) -> None:
    tip = source.tip()
    assert source.block_hash(tip.height) == tip.hash
    assert source.block(tip.hash).ref == tip


def test_blocks_chain_by_parent_hash(source: ChainSource) -> None:
    tip = source.tip()
    assert source.block(source.block_hash(0)).prev_hash is None
    for height in range(1, tip.height + 1):
        assert source.block(source.block_hash(height)).prev_hash == source.block_hash(height - 1)


def test_inputs_are_resolved_to_the_outputs_they_spend(source: ChainSource) -> None:
    tip = source.tip()
    outputs = {}
    spends = 0
    for height in range(tip.height + 1):
        for tx in source.block(source.block_hash(height)).transactions:
            for out in tx.outputs:
                assert isinstance(out.value, int) and out.value >= 0
                outputs[(tx.txid, out.n)] = out
            if tx.coinbase:
                assert tx.inputs[0].prevout is None
                continue
            assert tx.input_value >= tx.output_value
            for spend_ in tx.inputs:
                assert spend_.prevout is not None
                spent = outputs[(spend_.prevout.txid, spend_.prevout.vout)]
                assert (spend_.address, spend_.value) == (spent.address, spent.value)
                spends += 1
    assert spends >= 2


def test_unknown_heights_and_hashes(source: ChainSource) -> None:
    tip = source.tip()
    for height in (-1, tip.height + 1):
        with pytest.raises(UnknownBlock):
            source.block_hash(height)
    with pytest.raises(UnknownBlock):
        source.block(h("no such block"))
