"""The desk over HTTP: cases opened by decisions, the workflow, four eyes, appeals, controls, audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api, api_settings, open_api
from tests.conftest import Events
from tests.postgres import postgres_url
from vigil.model.access import Role


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def desk_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """The desk on SQLite, and on PostgreSQL (a fresh schema)."""
    if request.param == "sqlite":
        yield from open_api(api_settings(tmp_path, four_eyes_value="10000"))
        return
    with postgres_url() as url:
        yield from open_api(api_settings(tmp_path, db=url, four_eyes_value="10000"))


def _flag(api: Api, events: Events, account: str = "alice") -> str:
    """A deposit passed straight through to a withdrawal: held, so a case opens."""
    assert api.post_event(events.deposit(0, fiat="20000", account_id=account)).status_code == 200
    held = api.post_event(events.withdrawal(5, fiat="19900", account_id=account)).json()
    assert held["outcome"] == "hold"
    cases = api.client.get("/v1/cases", headers=api.headers(Role.ANALYST)).json()["cases"]
    return str(next(c["case_id"] for c in cases if c["account_id"] == account))


def _post(api: Api, path: str, role: Role, body: dict[str, Any] | None = None) -> Any:
    return api.client.post(path, json=body or {}, headers=api.headers(role))


def test_a_held_decision_opens_a_case_that_the_queue_lists(desk_api: Api, events: Events) -> None:
    case_id = _flag(desk_api, events)
    case = desk_api.client.get(f"/v1/cases/{case_id}", headers=desk_api.headers(Role.AUDITOR)).json()
    assert case["state"] == "new" and case["severity"] == "high" and case["value_at_risk"] == "19900"
    assert case["alerts"][0]["event_ids"] == ["e2"] and case["alerts"][0]["outcome"] == "hold"
    history = desk_api.client.get(
        f"/v1/cases/{case_id}/history", headers=desk_api.headers(Role.ANALYST)
    ).json()
    assert [h["kind"] for h in history["history"]] == ["opened", "alert"]
    assert (
        desk_api.client.get("/v1/cases?severity=critical", headers=desk_api.headers(Role.ANALYST)).json()[
            "total"
        ]
        == 0
    )


def test_freezing_needs_a_supervisor_who_is_not_the_requester(desk_api: Api, events: Events) -> None:
    case_id = _flag(desk_api, events)
    r = _post(
        desk_api,
        f"/v1/cases/{case_id}/actions",
        Role.SUPERVISOR,
        {"kind": "freeze_account", "reason": "mule"},
    )
    assert r.status_code == 201 and r.json()["actions"][0]["status"] == "pending"
    approvals = desk_api.client.get("/v1/approvals", headers=desk_api.headers(Role.ANALYST)).json()[
        "approvals"
    ]
    assert [a["action_id"] for a in approvals] == [f"{case_id}/1"]
    assert _post(desk_api, f"/v1/cases/{case_id}/actions/1/approve", Role.ANALYST).status_code == 403
    own = _post(desk_api, f"/v1/cases/{case_id}/actions/1/approve", Role.SUPERVISOR, {"reason": "ok"})
    assert own.status_code == 403 and "not with an API key" in own.json()["error"]["message"]
    controls = desk_api.client.get(
        "/v1/accounts/alice/controls", headers=desk_api.headers(Role.SERVICE)
    ).json()
    assert controls["frozen"] is False
    # another supervisor's API key may not approve: approvals are made by people (issue 17)
    key = desk_api.services.access.create_key("sup-2", [Role.SUPERVISOR], by="cli:setup").token
    r = desk_api.client.post(
        f"/v1/cases/{case_id}/actions/1/approve",
        json={"reason": "agreed"},
        headers=desk_api.headers(token=key),
    )
    assert r.status_code == 403 and "not with an API key" in r.json()["error"]["message"]
    # a second supervisor, a person signed in
    r = desk_api.client.post(
        f"/v1/cases/{case_id}/actions/1/approve",
        json={"reason": "agreed"},
        headers=desk_api.headers(token=_person(desk_api, "sam", Role.SUPERVISOR)),
    )
    assert r.status_code == 200 and r.json()["actions"][0]["status"] == "applied"
    controls = desk_api.client.get(
        "/v1/accounts/alice/controls", headers=desk_api.headers(Role.SERVICE)
    ).json()
    assert controls["frozen"] is True and controls["value_frozen"] == "19900"
    # the engine blocks money leaving the frozen account; money coming in is decided as usual
    out = desk_api.post_event(events.withdrawal(30, fiat="10", account_id="alice")).json()
    assert out["outcome"] == "block" and out["reasons"][0]["code"] == "desk.account_frozen"
    assert case_id in out["reasons"][0]["detail"]
    came_in = desk_api.post_event(events.deposit(31, fiat="10", account_id="alice")).json()
    assert came_in["outcome"] != "block"


def test_stale_versions_double_submissions_and_wrong_states_are_refused_clearly(
    desk_api: Api, events: Events
) -> None:
    case_id = _flag(desk_api, events)
    version = desk_api.client.get(f"/v1/cases/{case_id}", headers=desk_api.headers(Role.ANALYST)).json()[
        "version"
    ]
    body = {"version": version, "nonce": "click-1"}
    first = _post(desk_api, f"/v1/cases/{case_id}/investigate", Role.ANALYST, body)
    again = _post(desk_api, f"/v1/cases/{case_id}/investigate", Role.ANALYST, body)
    assert (
        first.status_code == again.status_code == 200 and first.json()["version"] == again.json()["version"]
    )
    stale = _post(
        desk_api, f"/v1/cases/{case_id}/escalate", Role.ANALYST, {"version": version, "reason": "x"}
    )
    assert stale.status_code == 409 and "changed since you loaded it" in stale.json()["error"]["message"]
    resolved = _post(
        desk_api,
        f"/v1/cases/{case_id}/resolve",
        Role.ANALYST,
        {"disposition": "false_positive", "reason": "salary"},
    )
    assert resolved.status_code == 200
    act = _post(
        desk_api, f"/v1/cases/{case_id}/actions", Role.ANALYST, {"kind": "freeze_account", "reason": "late"}
    )
    assert act.status_code == 409 and "is resolved" in act.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/cases/c-000001/actions", {"kind": "nuke", "reason": "x"}, "kind"),
        ("/v1/cases/c-000001/resolve", {"disposition": "guilty", "reason": "x"}, "disposition"),
        (
            "/v1/cases/c-000001/actions",
            {"kind": "freeze_amount", "reason": "x", "asset": "BTC", "amount": -1},
            "amount",
        ),
        ("/v1/cases/c-000001/assign", {"assignee": ""}, "assignee"),
        ("/v1/cases/c-000001/assign", {"assignee": "ana", "version": "seven"}, "version"),
        # issue 17: only active people with a desk role; typed values bounded
        ("/v1/cases/c-000001/assign", {"assignee": "nobody-here"}, "assignee"),
        ("/v1/cases/c-000001/actions", {"kind": "freeze_account", "reason": "x", "value": "1e30"}, "value"),
    ],
)
def test_malformed_requests_name_the_field(
    desk_api: Api, events: Events, path: str, body: dict[str, Any], field: str
) -> None:
    _flag(desk_api, events)
    r = _post(desk_api, path, Role.ANALYST, body)
    assert r.status_code == 422, r.text
    assert field in (r.json()["error"].get("field") or "") + r.json()["error"]["message"]


def test_unknown_and_malformed_case_ids(desk_api: Api) -> None:
    assert (
        desk_api.client.get("/v1/cases/c-999999", headers=desk_api.headers(Role.ANALYST)).status_code == 404
    )
    r = desk_api.client.get("/v1/cases/DROP%20TABLE", headers=desk_api.headers(Role.ANALYST))
    assert r.status_code == 422


def _person(api: Api, username: str, role: Role) -> str:
    """A person with ``role``, signed in: their session token."""
    password = "a long enough password"
    if api.services.access.store.user(username) is None:
        api.services.access.add_user(username, password, [role], by="cli:setup")
    r = api.client.post("/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200
    token: str = r.json()["token"]
    return token


def test_appeals_through_the_api(desk_api: Api, events: Events) -> None:
    case_id = _flag(desk_api, events)
    none = _post(
        desk_api, "/v1/appeals", Role.SERVICE, {"account_id": "alice", "text": "why?", "kyc_verified": True}
    )
    assert none.status_code == 409 and "no freeze" in none.json()["error"]["message"]
    _post(
        desk_api,
        f"/v1/cases/{case_id}/actions",
        Role.ANALYST,
        {"kind": "freeze_account", "reason": "x", "value": "50"},
    )
    # a typed value below what Vigil knows (the case's value at risk) does not skip four eyes
    case = desk_api.client.get(f"/v1/cases/{case_id}", headers=desk_api.headers(Role.ANALYST)).json()
    assert case["actions"][0]["status"] == "pending" and case["actions"][0]["value"] == "19900"
    sam = desk_api.headers(token=_person(desk_api, "sam", Role.SUPERVISOR))
    approved = desk_api.client.post(
        f"/v1/cases/{case_id}/actions/1/approve", json={"reason": "agreed"}, headers=sam
    )
    assert approved.status_code == 200
    filed = _post(
        desk_api, "/v1/appeals", Role.SERVICE, {"account_id": "alice", "text": "why?", "kyc_verified": False}
    )
    assert filed.status_code == 201 and filed.json()["state"] == "awaiting_kyc"
    early = _post(
        desk_api, f"/v1/cases/{case_id}/appeals/1/decide", Role.ANALYST, {"grant": True, "reason": "ok"}
    )
    assert early.status_code == 409 and "KYC" in early.json()["error"]["message"]
    assert _post(desk_api, f"/v1/cases/{case_id}/appeals/1/kyc-done", Role.SERVICE).status_code == 200
    granted = _post(
        desk_api, f"/v1/cases/{case_id}/appeals/1/decide", Role.ANALYST, {"grant": True, "reason": "ok"}
    )
    assert granted.status_code == 200 and granted.json()["appeals"][0]["state"] == "granted"
    # granting requests the unfreeze, which is worth the freeze: a second person approves it
    assert granted.json()["actions"][-1]["status"] == "pending"
    approved = desk_api.client.post(
        f"/v1/cases/{case_id}/actions/2/approve", json={"reason": "agreed"}, headers=sam
    )
    assert approved.status_code == 200
    assert (
        desk_api.client.get("/v1/accounts/alice/controls", headers=desk_api.headers(Role.SERVICE)).json()[
            "frozen"
        ]
        is False
    )


def test_the_audit_log_records_people_and_verifies(desk_api: Api, events: Events) -> None:
    case_id = _flag(desk_api, events)
    access = desk_api.services.access
    access.add_user("ana", "a long enough password", [Role.ANALYST], by="cli:setup")
    signed_in = desk_api.client.post(
        "/v1/auth/login", json={"username": "ana", "password": "a long enough password"}
    )
    token = signed_in.json()["token"]
    desk_api.client.get(f"/v1/cases/{case_id}", headers=desk_api.headers(token=token))
    desk_api.client.get("/v1/accounts/alice/decisions", headers=desk_api.headers(token=token))
    desk_api.client.get("/v1/decisions/e2", headers=desk_api.headers(token=token))
    desk_api.client.get("/v1/accounts/alice/decisions", headers=desk_api.headers(Role.ANALYST))  # a key
    _post(desk_api, f"/v1/cases/{case_id}/investigate", Role.ANALYST)
    records = desk_api.client.get("/v1/audit", headers=desk_api.headers(Role.AUDITOR)).json()["records"]
    assert ("ana", "case.read", f"case:{case_id}") in [
        (r["actor"], r["action"], r["subject"]) for r in records
    ]
    assert any(r["action"] == "case.investigating" for r in records)
    reads = [(r["actor"], r["action"], r["subject"]) for r in records if r["action"].endswith("read")]
    assert ("ana", "account.decisions_read", "account:alice") in reads
    assert ("ana", "decision.read", "account:alice") in reads
    # A read made with an API key is audited too (issue 17), its detail saying it was a key.
    key_reads = [r for r in records if r["action"] == "account.decisions_read" and r["actor"] != "ana"]
    assert len(key_reads) == 1 and json.loads(key_reads[0]["detail"]) == {"by": "key"}
    assert desk_api.client.get("/v1/audit", headers=desk_api.headers(Role.ANALYST)).status_code == 403
    verified = desk_api.client.get("/v1/audit/verify", headers=desk_api.headers(Role.AUDITOR)).json()
    assert verified["ok"] is True and verified["records"] == len(records)
