"""Screening over HTTP with real lists imported: an address hit, a name match explained, a clearance
asked by one person and approved by another, the snapshots and alerts. Every answer is checked against
the spec by the client (``conformance``): these are the bodies schemathesis' made-up requests rarely
reach (hits, matches with their pairs and evidence, clearances in force)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.api.conftest import Api, api_settings, open_api
from tests.conftest import LISTS
from vigil import bootstrap
from vigil.adapters.list_files import DiskListFiles
from vigil.model.access import Role
from vigil.watchlists import import_list

SANCTIONED_ETH = "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"
LISTED = "Eric Badege"  # the UN consolidated list's first person
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def screening_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    settings = api_settings(tmp_path_factory.mktemp("screening"))
    lists = bootstrap.list_store(settings)
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    for source, folder in (("ofac_addresses", "ofac_crypto_addresses"), ("un", "sanctions_names")):
        import_list(source, str(LISTS / folder), files=DiskListFiles(), lists=lists, now=now)
    lists.close()
    yield from open_api(settings)


def _session(api: Api, username: str, role: Role) -> dict[str, str]:
    """A person's session: clearances are asked and approved by people, never by keys."""
    body = {"username": username, "password": PASSWORD, "roles": [role.value]}
    assert api.client.post("/v1/admin/users", json=body, headers=api.headers(Role.ADMIN)).status_code == 201
    login = api.client.post("/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return api.headers(token=login.json()["token"])


def test_a_listed_address_is_a_hit_with_its_entry(screening_api: Api) -> None:
    r = screening_api.client.post(
        "/v1/screening/address",
        json={"chain": "ETH", "address": SANCTIONED_ETH},
        headers=screening_api.headers(Role.ANALYST),
    )
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["outcome"] == "block" and view["hits"][0]["category"] == "sanctioned"
    assert view["reasons"][0]["code"] == "screening.address_sanctioned"


def test_a_listed_name_matches_and_a_clearance_takes_it_out_after_four_eyes(screening_api: Api) -> None:
    api = screening_api
    analyst, supervisor = _session(api, "ana", Role.ANALYST), _session(api, "sam", Role.SUPERVISOR)
    query = {"name": LISTED, "customer_id": "c1"}
    found = api.client.post("/v1/screening/name", json=query, headers=analyst).json()
    match = found["matches"][0]
    assert match["pairs"] and match["explanation"] and found["cleared"] == []
    asked = api.client.post(
        "/v1/screening/clearances",
        json={"customer_id": "c1", "entry_id": match["entry_id"], "reason": "born in another decade"},
        headers=analyst,
    )
    assert asked.status_code == 201 and asked.json()["approved_at"] is None
    pending = api.client.get("/v1/screening/clearances/pending", headers=analyst).json()
    assert [c["entry_id"] for c in pending] == [match["entry_id"]]
    approved = api.client.post(
        "/v1/screening/clearances/approve",
        json={"customer_id": "c1", "entry_id": match["entry_id"]},
        headers=supervisor,
    )
    assert approved.status_code == 200 and approved.json()["approved_by"] == "sam"
    again = api.client.post("/v1/screening/name", json=query, headers=analyst).json()
    assert match["entry_id"] in {m["entry_id"] for m in again["cleared"]}


def test_snapshots_show_the_origin_to_admins_only(screening_api: Api) -> None:
    api = screening_api
    admin = api.client.get("/v1/screening/lists", headers=api.headers(Role.ADMIN)).json()
    analyst = api.client.get("/v1/screening/lists", headers=api.headers(Role.ANALYST)).json()
    assert {s["source"] for s in admin} == {"ofac_addresses", "un"}
    assert all("origin" in s for s in admin) and not any("origin" in s for s in analyst)
    alerts = api.client.get("/v1/screening/alerts", headers=api.headers(Role.ANALYST))
    assert alerts.status_code == 200 and isinstance(alerts.json(), list)
