"""Recovery over HTTP: an uncredited deposit sent as an event, a claim filed with a signature, four eyes,
the credit, bad claims refused with the field named and nothing stored, and every role on every route."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.api.conftest import Api
from tests.recovery_kit import ALICE_NONCE, evm_of, key, signed_claim, uncredited
from vigil.model import Chain
from vigil.model.access import Role
from vigil.screening.index import AddressIndex
from vigil.screening.policy import default_policy
from vigil.screening.screener import Screener

ALICE = key(1)
TX = "0x" + "ab" * 32


def _person(api: Api, username: str, role: Role) -> dict[str, str]:
    password = "a long enough password"
    if api.services.access.store.user(username) is None:
        api.services.access.add_user(username, password, [role], by="cli:setup")
    r = api.client.post("/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _deposit(api: Api, fiat: str = "2500.00") -> None:
    d = uncredited("u1", source=evm_of(ALICE), fiat=fiat, ts=datetime.now(UTC))
    assert api.post_event(d).status_code == 200


def _claim(nonce: str = ALICE_NONCE, **extra: Any) -> dict[str, Any]:
    return signed_claim(
        ALICE, Chain.BSC, TX, "acc-1", nonce, evm_of(ALICE), **{"amount": str(250 * 10**18), **extra}
    )


def test_a_claim_from_filing_to_credit_with_four_eyes(api: Api) -> None:
    _deposit(api)
    deposits = api.client.get("/v1/recovery/deposits", headers=api.headers(Role.ANALYST)).json()["deposits"]
    assert [(d["event_id"], d["reason"]) for d in deposits] == [("u1", "wrong_chain")]
    r = api.client.post("/v1/recovery/claims", json=_claim(), headers=api.headers(Role.SERVICE))
    assert r.status_code == 201, r.text
    claim = r.json()
    assert claim["state"] == "awaiting_approval" and claim["value"] == "2500.00"
    cid = claim["claim_id"]
    assert (
        api.client.post(
            f"/v1/recovery/claims/{cid}/approve", headers=api.headers(Role.SUPERVISOR)
        ).status_code
        == 403
    )
    approved = api.client.post(
        f"/v1/recovery/claims/{cid}/approve", headers=_person(api, "sue", Role.SUPERVISOR)
    )
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    unscreened = api.client.post(f"/v1/recovery/claims/{cid}/credit", headers=api.headers(Role.SERVICE))
    assert unscreened.status_code == 503 and "screened again" in unscreened.text  # fail closed without lists
    api.services.engine.screener = Screener(AddressIndex(), default_policy(), lists_version="empty@1")
    credited = api.client.post(f"/v1/recovery/claims/{cid}/credit", headers=api.headers(Role.SERVICE)).json()
    assert (
        credited["state"] == "credited"
        and credited["fee_value"] == "50.00"
        and credited["credited_value"] == "2450.00"
    )
    summary = api.client.get("/v1/recovery/summary", headers=api.headers(Role.AUDITOR)).json()
    assert summary["recovered_total"] == "2500.00" and summary["claims"]["credited"] == 1
    history = api.client.get(f"/v1/recovery/claims/{cid}", headers=api.headers(Role.AUDITOR)).json()[
        "history"
    ]
    assert [h["kind"] for h in history][-2:] == ["screened", "credited"]


def test_bad_claims_are_refused_naming_what_is_wrong_and_nothing_is_stored(api: Api) -> None:
    _deposit(api)
    cases: list[tuple[dict[str, Any], int, str]] = [
        (signed_claim(key(2), Chain.BSC, TX, "acc-6", "nonce-forged1", evm_of(ALICE), amount="25" + "0" * 19),
         422, "not by the sending address"),
        (_claim(amount=str(999 * 10**18)), 422, "amount mismatch"),
        ({**_claim(), "chain": "ETH"}, 422, "wrong chain"),
        ({**_claim(), "tx_hash": "0x" + "ee" * 32}, 422, "no deposit with tx"),
        ({**_claim(), "proof": {"kind": "telepathy"}}, 422, ""),
        ({**_claim(), "amount": "-1"}, 422, ""),
    ]  # fmt: skip
    for body, status, words in cases:
        r = api.client.post("/v1/recovery/claims", json=body, headers=api.headers(Role.SERVICE))
        assert r.status_code == status, (body, r.text)
        assert words in r.text
    assert api.client.get("/v1/recovery/claims", headers=api.headers(Role.AUDITOR)).json()["total"] == 0
    ok = api.client.post("/v1/recovery/claims", json=_claim(), headers=api.headers(Role.SERVICE))
    assert ok.status_code == 201
    replay = api.client.post("/v1/recovery/claims", json=_claim(), headers=api.headers(Role.SERVICE))
    assert replay.status_code == 422 and "replayed" in replay.text


def test_a_claim_for_a_credited_deposit_is_a_conflict(api: Api) -> None:
    d = uncredited("c1", tx="0x" + "cd" * 32, reason=None, source=evm_of(ALICE), ts=datetime.now(UTC))
    assert api.post_event(d).status_code == 200
    body = signed_claim(
        ALICE, Chain.BSC, "0x" + "cd" * 32, "acc-1", "nonce-credit1", evm_of(ALICE), amount=str(250 * 10**18)
    )
    r = api.client.post("/v1/recovery/claims", json=body, headers=api.headers(Role.SERVICE))
    assert r.status_code == 409 and "was credited" in r.text


ROUTES = [
    ("get", "/v1/recovery/deposits", {Role.ANALYST, Role.SUPERVISOR, Role.AUDITOR, Role.SERVICE}),
    ("get", "/v1/recovery/claims", {Role.ANALYST, Role.SUPERVISOR, Role.AUDITOR, Role.SERVICE}),
    ("get", "/v1/recovery/claims/cl-000001", {Role.ANALYST, Role.SUPERVISOR, Role.AUDITOR, Role.SERVICE}),
    ("post", "/v1/recovery/claims/cl-000001/confirm", {Role.ANALYST, Role.SUPERVISOR}),
    ("post", "/v1/recovery/claims/cl-000001/approve", {Role.SUPERVISOR}),
    ("post", "/v1/recovery/claims/cl-000001/refuse", {Role.ANALYST, Role.SUPERVISOR}),
    ("post", "/v1/recovery/claims/cl-000001/credit", {Role.ANALYST, Role.SUPERVISOR, Role.SERVICE}),
    ("get", "/v1/recovery/summary", {Role.ANALYST, Role.SUPERVISOR, Role.AUDITOR}),
    ("post", "/v1/recovery/claims", {Role.ANALYST, Role.SUPERVISOR, Role.SERVICE}),
]


def test_every_role_on_every_recovery_route(api: Api) -> None:
    for method, path, allowed in ROUTES:
        for role in Role:
            r = getattr(api.client, method)(
                path, headers=api.headers(role), **({"json": {}} if method == "post" else {})
            )
            if role in allowed:
                assert r.status_code not in (401, 403), (method, path, role, r.text)
            else:
                assert r.status_code == 403, (method, path, role, r.status_code)
        assert getattr(api.client, method)(path).status_code == 401
