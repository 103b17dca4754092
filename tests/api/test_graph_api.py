"""The graph routes: expansion from seeds, communities and an account's links, from the engine's graph."""

from __future__ import annotations

from decimal import Decimal

from tests.api.conftest import Api
from tests.conftest import Events
from vigil.model import InternalTransfer
from vigil.model.access import Role


def _ring(api: Api, events: Events) -> None:
    for i in range(1, 5):
        assert api.post_event(events.login(i, account_id=f"m{i}", device_id="ring-phone")).status_code == 200
    for i in range(1, 4):
        transfer = InternalTransfer(
            event_id=f"t{i}",
            account_id=f"m{i}",
            ts=events.login(10 + i).ts,
            region="EU",
            asset="USDT",
            amount=10**6,
            fiat_value=Decimal("900"),
            counterparty_account_id="m4",
        )
        assert api.post_event(transfer).status_code == 200


def test_expand_from_a_seed_lists_the_ring_with_paths(api: Api, events: Events) -> None:
    _ring(api, events)
    r = api.client.post(
        "/v1/graph/expand", json={"seeds": ["m1"], "top": 5}, headers=api.headers(Role.ANALYST)
    )
    assert r.status_code == 200
    found = r.json()["found"]
    assert {f["account"] for f in found[:3]} == {"m2", "m3", "m4"}
    assert found[0]["path"][0]["from"] == "m1" and found[0]["path"][0]["links"]


def test_unknown_seeds_are_named(api: Api, events: Events) -> None:
    _ring(api, events)
    r = api.client.post("/v1/graph/expand", json={"seeds": ["ghost"]}, headers=api.headers(Role.ANALYST))
    assert r.status_code == 422 and "'ghost'" in r.json()["error"]["message"]
    assert r.json()["error"]["field"] == "seeds"


def test_clusters_and_links(api: Api, events: Events) -> None:
    _ring(api, events)
    r = api.client.get("/v1/graph/clusters?min_size=3", headers=api.headers(Role.AUDITOR))
    ring = r.json()["clusters"][0]
    assert ring["members"] == ["m1", "m2", "m3", "m4"] and ring["signals"]["fan_in"] == 3
    links = api.client.get("/v1/graph/accounts/m4", headers=api.headers(Role.ANALYST)).json()
    assert links["cluster_size"] == 4 and {link["account"] for link in links["links"]} == {"m1", "m2", "m3"}
    missing = api.client.get("/v1/graph/accounts/nobody", headers=api.headers(Role.ANALYST))
    assert missing.status_code == 404
