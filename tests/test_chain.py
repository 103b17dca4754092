"""The chain room on hand-built blocks: clustering and its mixing guard, haircut exposure, the graph
and the follower through a reorganisation (the same against a real node: test_chain_litecoind.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.chain_kit import chain, coinbase, extend, h, spend
from vigil.adapters.memory_chain import MemoryChain
from vigil.chain import (
    AddressClusters,
    Block,
    BlockRef,
    ChainView,
    Follower,
    Outpoint,
    Transaction,
    TxGraph,
    looks_like_mixing,
    trace_address,
    trace_output,
)
from vigil.chain.quality import pairwise_scores
from vigil.errors import ChainUnavailable, NotFound
from vigil.model import Chain
from vigil.screening.entries import AddressEntry, Category

LISTED = {"L": Category.STOLEN, "S": Category.SANCTIONED}


def lookup(address: str) -> tuple[AddressEntry, ...]:
    if address not in LISTED:
        return ()
    return (AddressEntry("test", address, f"LTC:{address}", Chain.LTC, LISTED[address], "listed"),)


# -- clustering ---------------------------------------------------------------------------------------


def test_common_inputs_merge_and_outputs_stay_alone() -> None:
    a, b = coinbase("a", "A1", 50), coinbase("b", "A2", 50)
    pay = spend("pay", [(a, 0), (b, 0)], [("X", 70), ("A3", 29)])
    clusters = AddressClusters.of([a, b, pay])
    assert clusters.same("A1", "A2")
    assert not clusters.same("A1", "A3")  # change is not linked: no change heuristic
    assert not clusters.same("A1", "X")
    assert clusters.find("never-seen") == "never-seen"


def test_an_equal_output_transaction_with_several_owners_is_not_merged() -> None:
    coins = [coinbase(f"c{i}", f"P{i}", 50) for i in range(3)]
    mix = spend("mix", [(c, 0) for c in coins], [("M0", 10), ("M1", 10), ("M2", 10), ("C0", 39), ("C1", 40)])
    assert looks_like_mixing(mix)
    clusters = AddressClusters.of([*coins, mix])
    assert not clusters.same("P0", "P1") and clusters.refused == 1
    # one owner paying two equal amounts from one address is no mix; a threshold above them merges
    assert not looks_like_mixing(spend("one", [(coins[0], 0)], [("Y", 10), ("Z", 10)]))
    assert AddressClusters.of([*coins, mix], min_equal=4).same("P0", "P2")


def test_pairwise_scores_count_pairs() -> None:
    a, b, c = coinbase("a", "A1", 5), coinbase("b", "A2", 5), coinbase("c", "B1", 5)
    clusters = AddressClusters.of(
        [a, b, c, spend("m", [(a, 0), (b, 0), (c, 0)], [("Q", 14)])]
    )  # a wrong merge
    scores = pairwise_scores(clusters, {"A1": "alice", "A2": "alice", "B1": "bob", "B2": "bob"})
    assert (scores.predicted_pairs, scores.correct_pairs, scores.true_pairs) == (3, 1, 2)
    assert scores.precision == pytest.approx(1 / 3) and scores.recall == pytest.approx(1 / 2)


# -- exposure -----------------------------------------------------------------------------------------


def _graph(*txs_per_block: list[Transaction]) -> TxGraph:
    graph = TxGraph()
    for block in chain(*txs_per_block):
        graph.apply(block)
    return graph


def test_hops_share_and_path_through_a_chain_of_addresses() -> None:
    mint = coinbase("mint", "L", 100_000)
    t1 = spend("t1", [(mint, 0)], [("A", 60_000), ("L", 39_000)])
    t2 = spend("t2", [(t1, 0)], [("B", 59_000)])
    clean = coinbase("clean", "C", 59_000)
    t3 = spend("t3", [(t2, 0), (clean, 0)], [("EXCHANGE", 117_000)])
    graph = _graph([mint, clean], [t1], [t2], [t3])
    exposure = trace_output(graph, Outpoint(t3.txid, 0), lookup)
    stolen = exposure.of(Category.STOLEN)
    assert stolen is not None
    assert (stolen.hops, stolen.path, stolen.listed) == (3, (t1.txid, t2.txid, t3.txid), "L")
    assert stolen.share == pytest.approx(0.5) and stolen.value == 58_500  # half of t3's inputs
    assert exposure.of(Category.SANCTIONED) is None
    assert exposure.beyond == 0 and exposure.unknown == 0  # the clean half ends at a coinbase
    assert trace_output(graph, Outpoint(t3.txid, 0), lookup, max_hops=2).of(Category.STOLEN) is None
    assert trace_output(graph, Outpoint(t3.txid, 0), lookup, max_hops=2).beyond == pytest.approx(0.5)


def test_the_nearest_listed_address_explains_and_shares_add_up_per_category() -> None:
    l1, l2, s = coinbase("l1", "L", 30), coinbase("l2", "L", 10), coinbase("s", "S", 60)
    far = spend("far", [(l2, 0)], [("A", 10)])
    deposit = spend("dep", [(l1, 0), (far, 0), (s, 0)], [("EXCHANGE", 100)])
    graph = _graph([l1, l2, s], [far], [deposit])
    exposure = trace_output(graph, Outpoint(deposit.txid, 0), lookup)
    stolen, sanctioned = exposure.of(Category.STOLEN), exposure.of(Category.SANCTIONED)
    assert stolen is not None and sanctioned is not None
    assert (stolen.hops, stolen.path) == (1, (deposit.txid,)) and stolen.share == pytest.approx(0.4)
    assert sanctioned.hops == 1 and sanctioned.share == pytest.approx(0.6)
    assert [c.category for c in exposure.categories] == [
        Category.SANCTIONED,
        Category.STOLEN,
    ]  # most severe first


def test_an_address_is_exposed_through_what_it_received_and_at_zero_hops_when_listed() -> None:
    mint = coinbase("mint", "L", 10)
    t1 = spend("t1", [(mint, 0)], [("A", 9)])
    graph = _graph([mint], [t1])
    stolen = trace_address(graph, "A", lookup).of(Category.STOLEN)
    assert stolen is not None and (stolen.hops, stolen.path) == (1, (t1.txid,))
    listed = trace_address(graph, "L", lookup).of(Category.STOLEN)
    assert listed is not None and (listed.hops, listed.share) == (0, 1.0)
    assert trace_address(graph, "nobody", lookup).categories == ()


def test_value_from_outside_the_graph_is_unknown_not_clean() -> None:
    outside = coinbase("outside", "X", 10)  # never applied
    t1 = spend("t1", [(outside, 0)], [("A", 9)])
    t2 = spend("t2", [(t1, 0)], [("EXCHANGE", 8)])
    graph = _graph([coinbase("cb", "M", 1)], [t1], [t2])
    exposure = trace_output(graph, Outpoint(t2.txid, 0), lookup)
    assert exposure.unknown == pytest.approx(1.0) and exposure.categories == ()
    with pytest.raises(NotFound, match="not in the followed chain"):
        trace_output(graph, Outpoint(h("nothing"), 0), lookup)
    with pytest.raises(ValueError, match="max_hops"):
        trace_output(graph, Outpoint(t2.txid, 0), lookup, max_hops=0)


# -- the graph and the follower -----------------------------------------------------------------------


def _snapshot(view: ChainView) -> tuple[object, ...]:
    g = view.graph
    groups = sorted(sorted(m) for m in view.clusters.groups().values())
    received = {a: g.received(a) for a in sorted(g.addresses())}
    return (g.tip, sorted(t.txid for t in g.transactions()), received, groups)


def _base() -> list[Block]:
    a, b = coinbase("a", "A1", 50), coinbase("b", "A2", 50)
    return chain([a, b], [spend("pay", [(a, 0), (b, 0)], [("X", 99)])], [coinbase("c", "M", 50)])


def test_the_follower_rolls_back_to_the_fork_and_applies_the_new_branch() -> None:
    base = _base()
    source = MemoryChain(base)
    view = ChainView()
    follower = Follower(source, view)
    assert [r.height for r in follower.poll().applied] == [0, 1, 2]
    before = _snapshot(view)

    branch = extend(
        base[:1], [coinbase("d", "N", 50)], [coinbase("e", "N", 50)], [coinbase("f", "N", 50)], fork="b"
    )
    source.reorganise(branch)
    progress = follower.poll()
    assert [r.height for r in progress.reverted] == [2, 1]
    assert progress.applied == [b.ref for b in branch]
    fresh = ChainView()
    Follower(source, fresh).poll()
    assert _snapshot(view) == _snapshot(fresh) != before
    assert not view.clusters.same("A1", "A2")  # the spend that merged them is gone

    source.reorganise(base[1:])  # back to the old, now shorter branch
    assert [r.height for r in follower.poll().reverted] == [3, 2, 1]
    assert _snapshot(view) == before


def test_polling_in_steps_and_when_nothing_is_new() -> None:
    source = MemoryChain(_base())
    view = ChainView()
    follower = Follower(source, view, start=0)
    assert len(follower.poll(limit=2).applied) == 2
    assert len(follower.poll().applied) == 1
    assert follower.poll().applied == [] and follower.poll().reverted == []


def test_the_graph_refuses_a_block_that_does_not_extend_it() -> None:
    blocks = _base()
    graph = TxGraph()
    graph.apply(blocks[0])
    with pytest.raises(ValueError, match="does not extend"):
        graph.apply(blocks[2])
    with pytest.raises(ValueError, match="not the tip"):
        graph.revert(blocks[1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=6))
def test_any_sequence_of_reorganisations_ends_equal_to_a_fresh_follow(cuts: list[int]) -> None:
    base = _base()
    source = MemoryChain(base)
    view = ChainView()
    follower = Follower(source, view)
    follower.poll()
    for i, cut in enumerate(cuts):
        tip = source.tip().height
        keep = max(1, tip + 1 - cut)
        kept = [source.block(source.block_hash(k)) for k in range(keep)]
        branch = extend(kept, *[[coinbase(f"r{i}-{j}", f"R{i}", 50)] for j in range(cut + 1)], fork=f"r{i}")
        source.reorganise(branch)
        follower.poll()
        fresh = ChainView()
        Follower(source, fresh).poll()
        assert _snapshot(view) == _snapshot(fresh)


class _Flaky:
    """A source that fails once when asked for the block at ``fail_at``, as a node going down would."""

    def __init__(self, inner: MemoryChain, fail_at: int) -> None:
        self.inner, self.fail_at = inner, fail_at

    def tip(self) -> BlockRef:
        return self.inner.tip()

    def block_hash(self, height: int) -> str:
        if height == self.fail_at:
            self.fail_at = -1
            raise ChainUnavailable("test node is down or unreachable: connection refused")
        return self.inner.block_hash(height)

    def block(self, block_hash: str) -> Block:
        return self.inner.block(block_hash)


def test_a_node_that_fails_mid_poll_leaves_a_consistent_prefix_and_the_next_poll_goes_on() -> None:
    source = MemoryChain(_base())
    view = ChainView()
    follower = Follower(_Flaky(source, fail_at=2), view)
    with pytest.raises(ChainUnavailable, match="down or unreachable"):
        follower.poll()
    assert view.tip == source.block(source.block_hash(1)).ref
    assert [a.height for a in follower.poll().applied] == [2]
    fresh = ChainView()
    Follower(source, fresh).poll()
    assert _snapshot(view) == _snapshot(fresh)


def test_a_chain_that_keeps_reorganising_is_reported_not_followed_forever() -> None:
    class Restless(MemoryChain):
        def block(self, block_hash: str) -> Block:  # every block names a parent we do not have
            block = super().block(block_hash)
            return (
                Block(block.height, block.hash, h("elsewhere"), block.transactions) if block.height else block
            )

    source = Restless(_base())
    view = ChainView()
    with pytest.raises(ChainUnavailable, match="kept reorganising during 5 attempts"):
        Follower(source, view).poll()
    assert view.tip is not None and view.tip.height == 0


# -- exposure against a brute-force oracle on random transaction graphs --------------------------------


@st.composite
def _random_graph(draw: st.DrawFn) -> TxGraph:
    """Blocks of random spends among eight addresses (L and S listed); coins start at coinbases."""
    addresses = ["L", "S", "A", "B", "C", "D", "E", "F"]
    unspent: list[tuple[Transaction, int]] = []
    blocks: list[list[Transaction]] = []
    for b in range(draw(st.integers(min_value=2, max_value=7))):
        txs: list[Transaction] = []
        mint = coinbase(f"cb{b}", draw(st.sampled_from(addresses)), draw(st.integers(1, 1000)))
        txs.append(mint)
        fresh = [(mint, 0)]
        for t in range(draw(st.integers(min_value=0, max_value=4))):
            if not unspent:
                break
            picks = draw(st.lists(st.integers(0, len(unspent) - 1), min_size=1, max_size=3, unique=True))
            inputs = [unspent[i] for i in picks]
            for i in sorted(picks, reverse=True):
                del unspent[i]
            total = sum(tx.outputs[n].value for tx, n in inputs)
            outs = draw(st.lists(st.sampled_from(addresses), min_size=1, max_size=3))
            tx = spend(f"t{b}-{t}", inputs, [(a, max(total // len(outs) - 1, 0)) for a in outs])
            txs.append(tx)
            fresh.extend((tx, n) for n in range(len(outs)))
        unspent.extend(fresh)
        blocks.append(txs)
    return _graph(*blocks)


def _oracle_hops(graph: TxGraph, txid: str, category: Category, max_hops: int) -> int | None:
    """Fewest hops back to a listed input of ``category``, by breadth-first search without shares."""
    level = {txid}
    for hop in range(1, max_hops + 1):
        following = set()
        for t in level:
            tx = graph.transaction(t)
            if tx is None or tx.coinbase or tx.input_value == 0:
                continue
            for spend_ in tx.inputs:
                if spend_.value == 0:
                    continue
                entries = lookup(spend_.address) if spend_.address else ()
                if any(e.category == category for e in entries):
                    return hop
                if not entries and spend_.prevout is not None:
                    following.add(spend_.prevout.txid)
        level = following
    return None


@settings(max_examples=150, deadline=None)
@given(_random_graph(), st.integers(min_value=1, max_value=4))
def test_exposure_agrees_with_a_brute_force_search_and_conserves_value(graph: TxGraph, max_hops: int) -> None:
    for tx in list(graph.transactions()):
        for out in tx.outputs:
            if out.value == 0:
                continue
            exposure = trace_output(graph, Outpoint(tx.txid, out.n), lookup, max_hops=max_hops)
            total = sum(c.share for c in exposure.categories) + exposure.beyond + exposure.unknown
            assert total <= 1 + 1e-9
            for category in (Category.STOLEN, Category.SANCTIONED):
                found = exposure.of(category)
                assert (found.hops if found else None) == _oracle_hops(graph, tx.txid, category, max_hops)
                if found is None:
                    continue
                assert 0 < found.share <= 1 and len(found.path) == found.hops and found.path[-1] == tx.txid
                first = graph.transaction(found.path[0])
                assert first is not None and found.listed in {i.address for i in first.inputs}
                for earlier, later in zip(found.path, found.path[1:], strict=False):
                    spender = graph.transaction(later)
                    assert spender is not None
                    assert earlier in {i.prevout.txid for i in spender.inputs if i.prevout is not None}
