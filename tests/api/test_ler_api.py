"""The law-enforcement desk over HTTP: a freeze order from intake to the blocked withdrawal, a disclosure
that verifies, the roles, and hostile input naming the field."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api, api_settings, open_api
from tests.conftest import T0, Events
from tests.postgres import postgres_url
from vigil.ler import Signer, verify_package
from vigil.model import KycSubmitted
from vigil.model.access import Role

PUBLIC_KEY: list[bytes] = []


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ler_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    signer = Signer.generate()
    (tmp_path / "key.pem").write_bytes(signer.pem())
    PUBLIC_KEY[:] = [signer.public]
    extra: dict[str, Any] = {"ler_signing_key": str(tmp_path / "key.pem"), "four_eyes_value": "10000"}
    if request.param == "sqlite":
        yield from open_api(api_settings(tmp_path, **extra))
        return
    with postgres_url() as url:
        yield from open_api(api_settings(tmp_path, db=url, **extra))


def _person(api: Api, username: str, role: Role) -> dict[str, str]:
    password = "a long enough password"
    if api.services.access.store.user(username) is None:
        api.services.access.add_user(username, password, [role], by="cli:setup")
    r = api.client.post("/v1/auth/login", json={"username": username, "password": password})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _customer(api: Api, events: Events) -> None:
    kyc = KycSubmitted(**events._base(-60, account_id="alice", full_name="Alice Liddell", level=2))
    for event in (kyc, events.deposit(0, fiat="500", account_id="alice")):
        assert api.post_event(event).status_code == 200


def _intake(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agency": "National Crime Agency",
        "officer": "DI Jane Tennison",
        "officer_email": "j.tennison@nca.gov.uk",
        "legal_basis": "freeze_order",
        "legal_reference": "NCA-AFO-2026-0042",
        "kind": "freeze",
        "subjects": [{"kind": "account", "value": "alice"}],
        "period_from": (T0 - timedelta(days=30)).isoformat(),
        "period_until": (T0 + timedelta(days=1)).isoformat(),
        "deadline": "2099-01-01T00:00:00Z",
        "nondisclosure": True,
    }
    body.update(changes)
    return body


def _post(api: Api, path: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    return api.client.post(path, json=body or {}, headers=headers)


def test_a_freeze_order_from_intake_to_the_blocked_withdrawal_reveals_nothing_to_the_customer(
    ler_api: Api, events: Events
) -> None:
    api = ler_api
    _customer(api, events)
    liaison, key = _person(api, "lia", Role.LIAISON), api.headers(Role.LIAISON)
    r = _post(api, "/v1/ler/requests", key, _intake())
    assert r.status_code == 201, r.text
    rid = r.json()["request_id"]
    assert r.json()["domain_flags"] == [] and r.json()["state"] == "received"
    early = _post(api, f"/v1/ler/requests/{rid}/freezes", key, {"account_id": "alice"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_verified"
    step = {"method": "callback", "confirmed": True, "note": "NCA duty desk confirmed"}
    assert _post(api, f"/v1/ler/requests/{rid}/verification-steps", key, step).status_code == 403  # a key
    assert _post(api, f"/v1/ler/requests/{rid}/verification-steps", liaison, step).status_code == 200
    assert _post(api, f"/v1/ler/requests/{rid}/verify", liaison, {"reason": "call-back"}).status_code == 200
    assert _post(api, f"/v1/ler/requests/{rid}/resolve", key).json()["accounts"] == ["alice"]
    r = _post(api, f"/v1/ler/requests/{rid}/freezes", key, {"account_id": "alice"})
    assert r.status_code == 201, r.text
    freeze = r.json()["freezes"][0]
    case_id, n = freeze["action_id"].split("/")
    case = api.client.get(f"/v1/cases/{case_id}", headers=api.headers(Role.SUPERVISOR)).json()
    assert case["actions"][0]["status"] == "pending" and case["actions"][0]["reference"] == rid
    approve = _post(api, f"/v1/cases/{case_id}/actions/{n}/approve", _person(api, "sue", Role.SUPERVISOR),
                    {"reason": "order checked"})  # fmt: skip
    assert approve.status_code == 200, approve.text
    blocked = api.post_event(events.withdrawal(10, fiat="50", account_id="alice"))
    assert blocked.json()["outcome"] == "block"
    appeal = _post(api, "/v1/appeals", api.headers(Role.SERVICE),
                   {"account_id": "alice", "text": "why?", "kyc_verified": True})  # fmt: skip
    assert appeal.status_code == 201
    controls = api.client.get("/v1/accounts/alice/controls", headers=api.headers(Role.SERVICE))
    assert controls.json()["frozen"] is True
    for answer in (blocked.text, appeal.text, controls.text):
        for secret in ("NCA", "National Crime", "Tennison", "AFO-2026", "freeze_order", rid, "law", "order"):
            assert secret.lower() not in answer.lower(), (secret, answer)
    history = api.client.get(f"/v1/ler/requests/{rid}/history", headers=api.headers(Role.AUDITOR)).json()
    assert [h["kind"] for h in history["history"]] == [
        "received", "verification", "verified", "resolved", "freeze_requested",
    ]  # fmt: skip
    audited = api.client.get(f"/v1/audit?subject=ler:{rid}", headers=api.headers(Role.AUDITOR)).json()
    assert {"ler.received", "ler.verified", "ler.read"} <= {a["action"] for a in audited["records"]}


def test_a_disclosure_package_verifies_and_regenerates_byte_for_byte(ler_api: Api, events: Events) -> None:
    api = ler_api
    _customer(api, events)
    liaison = _person(api, "lia", Role.LIAISON)
    body = _intake(kind="information", legal_basis="court_order", data_kinds=["kyc", "events", "decisions"])
    rid = _post(api, "/v1/ler/requests", liaison, body).json()["request_id"]
    _post(api, f"/v1/ler/requests/{rid}/verification-steps", liaison,
          {"method": "callback", "confirmed": True, "note": "NCA duty desk confirmed"})  # fmt: skip
    _post(api, f"/v1/ler/requests/{rid}/verify", liaison, {"reason": "reply"})
    _post(api, f"/v1/ler/requests/{rid}/resolve", liaison)
    first = _post(api, f"/v1/ler/requests/{rid}/disclosures", liaison)
    second = _post(api, f"/v1/ler/requests/{rid}/disclosures", liaison)
    assert first.status_code == 201, first.text
    archive = base64.b64decode(first.json()["archive_base64"])
    assert archive == base64.b64decode(second.json()["archive_base64"])
    assert hashlib.sha256(archive).hexdigest() == first.json()["sha256"]
    assert verify_package(archive, PUBLIC_KEY[0]) == []
    assert "addresses.csv" not in first.json()["files"]  # not asked for


def test_only_liaison_supervisors_and_auditors_see_requests(ler_api: Api) -> None:
    api = ler_api
    rid = _post(api, "/v1/ler/requests", api.headers(Role.LIAISON), _intake()).json()["request_id"]
    for role in Role:
        r = api.client.get(f"/v1/ler/requests/{rid}", headers=api.headers(role))
        assert r.status_code == (200 if role in (Role.LIAISON, Role.SUPERVISOR, Role.AUDITOR) else 403), role
        w = _post(api, f"/v1/ler/requests/{rid}/acknowledge", api.headers(role))
        assert w.status_code in ((200, 409) if role in (Role.LIAISON, Role.SUPERVISOR) else (403,)), role


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agency": "Ministry of Magic"}, "agency"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"deadline": "2001-01-01T00:00:00Z"}, "deadline"),
        ({"deadline": "2099-01-01T00:00:00"}, "deadline"),  # no offset
        ({"subjects": []}, "subjects"),
        ({"subjects": [{"kind": "address", "value": "0x123", "chain": "ETH"}]}, "subjects[0]"),
        ({"officer_email": "j.tennison"}, "officer_email"),
        ({"kind": "exorcism"}, "kind"),
    ],
)
def test_bad_intake_is_a_422_naming_the_field_and_nothing_is_logged(
    ler_api: Api, change: dict[str, Any], field: str
) -> None:
    r = _post(ler_api, "/v1/ler/requests", ler_api.headers(Role.LIAISON), _intake(**change))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    listed = ler_api.client.get("/v1/ler/requests", headers=ler_api.headers(Role.AUDITOR)).json()
    assert listed["requests"] == []


def test_hostile_ids_attachments_and_bodies(ler_api: Api) -> None:
    api, key = ler_api, ler_api.headers(Role.LIAISON)
    assert api.client.get("/v1/ler/requests/L-999999", headers=key).status_code == 404
    assert api.client.get("/v1/ler/requests/L-1%27%20OR%201=1", headers=key).status_code == 422
    rid = _post(api, "/v1/ler/requests", key, _intake()).json()["request_id"]
    bad = _post(api, f"/v1/ler/requests/{rid}/attachments", key, {"name": "x", "content_base64": "%%%"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "content_base64"
    content = b"%PDF-1.7 order"
    good = _post(api, f"/v1/ler/requests/{rid}/attachments", key,
                 {"name": "order.pdf", "media_type": "application/pdf",
                  "content_base64": base64.b64encode(content).decode()})  # fmt: skip
    sha = hashlib.sha256(content).hexdigest()
    assert good.status_code == 201 and good.json()["attachments"][0]["sha256"] == sha
    back = api.client.get(f"/v1/ler/requests/{rid}/attachments/{sha}", headers=api.headers(Role.AUDITOR))
    assert base64.b64decode(back.json()["content_base64"]) == content
    r = api.client.post(
        "/v1/ler/requests", content=b'{"agency": ', headers={**key, "Content-Type": "application/json"}
    )
    assert r.status_code in (400, 422)
    r = _post(
        api, "/v1/ler/requests", key, _intake(subjects=[{"kind": "name", "value": "\u202e" + "x" * 600}])
    )
    assert r.status_code == 422
    assert json.loads(api.client.get("/v1/ler/agencies", headers=key).text)["agencies"][0]["domains"]
