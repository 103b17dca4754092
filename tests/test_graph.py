"""The entity graph: what links accounts, hubs, and the batch rebuild equal to the incremental graph."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Events
from vigil.graph import EntityGraph, LinkKind, build
from vigil.model import Event, InternalTransfer, KycSubmitted, NetworkOrigin

ACCOUNTS = [f"a{i}" for i in range(6)]


def _stream(draws: list[tuple[int, int, int, int, int]]) -> list[Event]:
    ev = Events()
    out: list[Event] = []
    for minute, (kind, acct, dev, ip, other) in enumerate(draws):
        account = ACCOUNTS[acct]
        base = {"account_id": account, "device_id": f"d{dev}", "ip": f"192.0.2.{ip}"}
        if kind == 0:
            out.append(ev.login(minute, **base))
        elif kind == 1:
            out.append(ev.withdrawal(minute, destination_address=f"0x{other:040x}", **base))
        elif kind == 2 and ACCOUNTS[other] != account:
            e = ev.login(minute, **base)
            out.append(
                InternalTransfer(
                    event_id=f"t{minute}",
                    account_id=account,
                    ts=e.ts,
                    region="EU",
                    asset="USDT",
                    amount=10**6,
                    fiat_value=Decimal("12.34"),
                    counterparty_account_id=ACCOUNTS[other],
                )
            )
        else:
            out.append(ev.login(minute, network=NetworkOrigin(is_vpn=True), **base))
    return out


def _incremental(events: list[Event], hub_limit: int) -> EntityGraph:
    g = EntityGraph(hub_limit=hub_limit)
    for e in events:
        g.observe(e)
    return g


def _same(a: EntityGraph, b: EntityGraph) -> None:
    assert a.names == b.names
    assert a.edge_rows() == b.edge_rows()
    assert a.adjacency == b.adjacency
    assert a.flows == b.flows
    assert a.hubs == b.hubs
    assert (a.kyc_us, a.withdrawn) == (b.kyc_us, b.withdrawn)
    assert a._members == b._members
    assert [a.component_size(i) for i in range(len(a))] == [b.component_size(i) for i in range(len(b))]


draws = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 3), st.integers(0, 3), st.integers(0, 5)),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(draws, st.integers(2, 5))
def test_the_batch_rebuild_equals_the_incremental_graph(
    stream: list[tuple[int, int, int, int, int]], hub: int
) -> None:
    events = _stream(stream)
    _same(_incremental(events, hub), build(events, hub_limit=hub))


@settings(max_examples=100, deadline=None)
@given(draws, st.integers(0, 60))
def test_incremental_updates_go_on_from_a_batch_rebuild(
    stream: list[tuple[int, int, int, int, int]], cut: int
) -> None:
    events = _stream(stream)
    resumed = build(events[:cut], hub_limit=3)
    for e in events[cut:]:
        resumed.observe(e)
    _same(_incremental(events, 3), resumed)


def test_shared_identifiers_link_accounts_with_times_and_an_example(events: Events) -> None:
    g = EntityGraph()
    g.observe(events.login(0, account_id="ann", device_id="dev-x"))
    g.observe(events.login(5, account_id="bob", device_id="dev-x", ip="198.51.100.9"))
    g.observe(events.login(9, account_id="ann", device_id="dev-x", ip="203.0.113.1"))
    a, b = g.index["ann"], g.index["bob"]
    edge = g.kinds_between(a, b)[LinkKind.DEVICE]
    assert (edge.count, edge.example) == (1, "dev-x")
    assert edge.first_us == events.login(5).ts_us and edge.last_us == events.login(9).ts_us
    assert LinkKind.IP not in g.kinds_between(a, b)  # they never shared an IP
    assert g.component_size(a) == 2


def test_anonymising_ips_and_self_matches_link_nobody(events: Events) -> None:
    g = EntityGraph()
    tor = NetworkOrigin(is_tor=True)
    g.observe(events.login(0, account_id="ann", device_id=None, network=tor))
    g.observe(events.login(1, account_id="bob", device_id=None, network=tor))
    assert g.edge_count == 0


def test_a_hub_stops_linking_when_it_passes_the_limit(events: Events) -> None:
    g = EntityGraph(hub_limit=3)
    for i in range(5):
        g.observe(events.login(i, account_id=f"u{i}", device_id="kiosk", ip=None))
    assert (LinkKind.DEVICE, "kiosk") in g.hubs
    assert g.edge_count == 3  # u0-u1, u0-u2, u1-u2; u3 made it a hub, u4 came after
    assert g.component_size(g.index["u4"]) == 1


def test_kyc_documents_and_faces_link(events: Events) -> None:
    g = EntityGraph()
    for n, acct in enumerate(("ann", "bob")):
        base = events.login(n, account_id=acct, device_id=None, ip=None)
        g.observe(
            KycSubmitted(
                event_id=f"k{n}",
                account_id=acct,
                ts=base.ts,
                region="EU",
                document_hash="doc-1",
                face_hash="face-1",
            )
        )
    kinds = g.kinds_between(g.index["ann"], g.index["bob"])
    assert set(kinds) == {LinkKind.DOCUMENT, LinkKind.FACE}
    assert g.adjacency[g.index["ann"]][g.index["bob"]] == 2000  # thousandths: document 1.0 + face 1.0


def _ring(events: Events) -> EntityGraph:
    """A mule ring (m1..m4 share a device; m1..m3 send to m4, which cashes out), honest h1-h2 apart."""
    g = EntityGraph()
    for i in range(1, 5):
        g.observe(events.login(i, account_id=f"m{i}", device_id="ring-phone", ip=None))
    for i in range(1, 4):
        g.observe(
            InternalTransfer(
                event_id=f"t{i}",
                account_id=f"m{i}",
                ts=events.login(10 + i).ts,
                region="EU",
                asset="USDT",
                amount=10**6,
                fiat_value=Decimal("900"),
                counterparty_account_id="m4",
            )
        )
    g.observe(events.withdrawal(20, account_id="m4", fiat="2600", device_id=None, ip=None))
    g.observe(events.login(30, account_id="h1", device_id="home", ip=None))
    g.observe(events.login(31, account_id="h2", device_id="home", ip=None))
    return g


def test_expansion_from_one_member_finds_the_ring_with_paths(events: Events) -> None:
    from vigil.graph.expand import expand

    g = _ring(events)
    result = expand(g, ["m1"], top=5)
    found = [f.account for f in result.found]
    assert set(found[:3]) == {"m2", "m3", "m4"} and "h1" not in found
    m4 = next(f for f in result.found if f.account == "m4")
    assert m4.hops == 1 and m4.path[0].from_account == "m1"
    assert (LinkKind.DEVICE, "ring-phone") in m4.path[0].kinds


def test_expansion_refuses_unknown_or_no_seeds(events: Events) -> None:
    import pytest

    from vigil.errors import InvalidInput
    from vigil.graph.expand import expand

    g = _ring(events)
    with pytest.raises(InvalidInput, match="'ghost'"):
        expand(g, ["m1", "ghost"])
    with pytest.raises(InvalidInput, match="at least one seed"):
        expand(g, [])
    assert expand(g, ["h1"]).found[0].account == "h2"


def test_expansion_past_its_bound_keeps_the_most_strongly_linked(events: Events) -> None:
    from vigil.graph.expand import expand

    g = _ring(events)  # m4 is linked to m1 by the device and a transfer, m2 and m3 by the device only
    for i in range(5):  # five accounts on the seed's IP: weaker links, more of them
        g.observe(events.login(40 + i, account_id=f"cafe{i}", device_id=None, ip="198.51.100.7"))
    g.observe(events.login(50, account_id="m1", device_id=None, ip="198.51.100.7"))
    everyone = expand(g, ["m1"], top=20, hops=1)
    assert everyone.considered == 9 and {f.account for f in everyone.found} >= {"m4", "cafe0"}
    bounded = expand(g, ["m1"], top=20, hops=2, max_nodes=4)
    assert bounded.considered == 4
    assert {f.account for f in bounded.found} == {"m2", "m3", "m4"}


def test_communities_rank_the_ring_above_the_family(events: Events) -> None:
    from vigil.graph.communities import clusters

    g = _ring(events)
    found = clusters(g, min_size=2)
    assert found[0].members == ("m1", "m2", "m3", "m4")
    ring = found[0]
    assert ring.fan_in == 3 and ring.cash_out_share > 0.9 and ring.score > 0.5
    assert any("send to one" in r for r in ring.reasons)
    family = next(c for c in found if "h1" in c.members)
    assert family.score < ring.score


def test_an_empty_graph_has_no_communities() -> None:
    from vigil.graph.communities import clusters

    assert clusters(EntityGraph()) == []
