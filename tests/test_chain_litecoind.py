"""The chain room against a real regtest litecoind: the scenario's ground truth, a reorganisation.

One node per module, built by tests/chain_scenario.py; a second, small node for the reorganisation
so that it cannot disturb the scenario. They fail (never skip) without litecoind (tests/litecoind.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.chain_scenario import Scenario, build
from tests.litecoind import Node, regtest_node, require_litecoind
from vigil.adapters.utxo_rpc import UtxoRpc
from vigil.chain import AddressClusters, ChainView, Follower, index_lookup, trace_address, trace_output
from vigil.chain.quality import pairwise_scores
from vigil.errors import ChainAuthFailed, UnknownBlock
from vigil.model import Chain
from vigil.screening.entries import Category
from vigil.screening.index import AddressIndex

pytestmark = pytest.mark.litecoind


def _node() -> Iterator[Node]:
    require_litecoind()
    with regtest_node() as node:
        yield node


@pytest.fixture(scope="module")
def followed() -> Iterator[tuple[Node, Scenario, ChainView]]:
    for node in _node():
        scenario = build(node)
        view = ChainView()
        Follower(node.rpc(), view).poll()
        yield node, scenario, view


def test_the_follower_reads_every_block_of_the_node(followed: tuple[Node, Scenario, ChainView]) -> None:
    node, _, view = followed
    assert view.tip is not None and view.tip.hash == node.call("getbestblockhash")
    assert len(view.graph) == sum(len(b.transactions) for b in view.blocks)
    for tx in view.graph.transactions():
        if not tx.coinbase:  # every input resolved, fees never negative
            assert all(i.address is not None and i.value > 0 for i in tx.inputs)
            assert tx.input_value > tx.output_value


def test_clustering_meets_the_targets_and_the_mixing_guard_is_what_keeps_precision(
    followed: tuple[Node, Scenario, ChainView],
) -> None:
    _, scenario, view = followed
    scores = pairwise_scores(view.clusters, scenario.owner)
    assert scores.precision >= 0.99, scores
    assert view.clusters.refused >= len(scenario.mixing)
    # Recall is bounded by the wallets, not the guard: common inputs alone never link a spend to its
    # change (docs/chain.md). The guard must cost (almost) none of it and buy the precision.
    unguarded = pairwise_scores(
        AddressClusters.of(view.graph.transactions(), min_equal=10**9), scenario.owner
    )
    assert unguarded.precision < scores.precision
    assert scores.recall >= unguarded.recall - 0.02, (scores, unguarded)


def test_every_planted_path_is_found_with_its_hops_and_transactions(
    followed: tuple[Node, Scenario, ChainView],
) -> None:
    _, scenario, view = followed
    lookup = index_lookup(AddressIndex(scenario.entries()), Chain.LTC)

    for planted in scenario.planted:
        found = trace_output(view.graph, planted.deposit, lookup).of(planted.category)
        assert found is not None, planted
        assert (found.hops, found.path, found.listed) == (planted.hops, planted.path, planted.listed), planted
        assert 0 < found.share <= 1
        if planted.via != "mix":  # one listed source behind one-input spends: all of it, fee aside
            assert found.share == pytest.approx(1.0)
    mixed = next(p for p in scenario.planted if p.via == "mix")
    share = trace_output(view.graph, mixed.deposit, lookup).of(Category.STOLEN)
    mix = view.graph.transaction(mixed.path[0])
    assert mix is not None and share is not None
    stolen_in = sum(i.value for i in mix.inputs if i.address == mixed.listed)
    assert share.share == pytest.approx(stolen_in / mix.input_value)  # one input of four, by value
    for deposit in scenario.clean:
        assert trace_output(view.graph, deposit, lookup).categories == ()


def test_a_deposits_source_address_is_exposed_one_hop_nearer(
    followed: tuple[Node, Scenario, ChainView],
) -> None:
    _, scenario, view = followed
    lookup = index_lookup(AddressIndex(scenario.entries()), Chain.LTC)
    for planted in scenario.planted:
        deposit_tx = view.graph.transaction(planted.deposit.txid)
        assert deposit_tx is not None
        (source,) = {i.address for i in deposit_tx.inputs if i.address is not None}
        found = trace_address(view.graph, source, lookup).of(planted.category)
        assert found is not None, planted
        assert (found.hops, found.path, found.listed) == (planted.hops - 1, planted.path[:-1], planted.listed)


def test_a_reorganisation_is_rolled_back_to_the_fork_and_both_ways() -> None:
    for node in _node():
        node.call("createwallet", "w")
        miner = node.call("getnewaddress", wallet="w")
        other = node.call("getnewaddress", wallet="w")
        node.call("generatetoaddress", 105, miner)
        node.call("sendtoaddress", other, "5", wallet="w")
        node.call("generatetoaddress", 1, miner)
        view = ChainView()
        follower = Follower(node.rpc(), view)
        assert len(follower.poll().applied) == 107

        fork = node.call("getblockhash", 105)  # take the last two blocks off, mine one elsewhere
        old_tip = node.call("getbestblockhash")
        node.call("invalidateblock", fork)
        node.call("generatetoaddress", 1, other)
        progress = follower.poll()
        assert [r.height for r in progress.reverted] == [106, 105]
        assert [a.height for a in progress.applied] == [105]
        assert view.tip is not None and view.tip.hash == node.call("getbestblockhash")
        _assert_equal_to_a_fresh_follow(node, view)

        node.call("reconsiderblock", fork)  # the longer, old branch is best again
        assert node.call("getbestblockhash") == old_tip
        progress = follower.poll()
        assert [r.height for r in progress.reverted] == [105]
        assert [a.height for a in progress.applied] == [105, 106]
        _assert_equal_to_a_fresh_follow(node, view)

        with pytest.raises(UnknownBlock, match="no block 500: Block height out of range"):
            node.rpc().block_hash(500)
        with pytest.raises(UnknownBlock, match="no block"):
            node.rpc().block("00" * 32)


def _assert_equal_to_a_fresh_follow(node: Node, view: ChainView) -> None:
    fresh = ChainView()
    Follower(node.rpc(), fresh).poll()
    assert [b.ref for b in view.blocks] == [b.ref for b in fresh.blocks]
    assert sorted(t.txid for t in view.graph.transactions()) == sorted(
        t.txid for t in fresh.graph.transactions()
    )
    groups = sorted(sorted(g) for g in view.clusters.groups().values())
    assert groups == sorted(sorted(g) for g in fresh.clusters.groups().values())


def test_the_real_node_refuses_wrong_credentials(followed: tuple[Node, Scenario, ChainView]) -> None:
    node, _, _ = followed
    wrong = UtxoRpc(node.url, user=node.user, password="wrong", timeout=5, name="regtest litecoind")
    with pytest.raises(ChainAuthFailed, match=r"regtest litecoind at .* refused the RPC credentials"):
        wrong.tip()
