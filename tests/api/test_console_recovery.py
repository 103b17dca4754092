"""The recovery console pages and the agency directory page over HTTP (the browser journey is in
tests/e2e): a history claim confirmed, approved by a second person and credited through the forms; the
service's refusals (four eyes, a claim in the wrong state, no list to screen against) shown on the claim's
page, never a 500; every role on every new route; CSRF; hostile input escaped or refused, nothing applied."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api, api_settings, open_api
from tests.recovery_kit import evm_of, key, signed_claim, uncredited
from vigil.api.console import session
from vigil.model import Chain, Uncredited
from vigil.model.access import Role
from vigil.screening.chains.parse import parse_address
from vigil.screening.entries import AddressEntry, Category
from vigil.screening.index import AddressIndex
from vigil.screening.policy import default_policy
from vigil.screening.screener import Screener

PASSWORD = "correct horse battery"
USERS = {
    "ana": Role.ANALYST,
    "bob": Role.ANALYST,
    "sam": Role.SUPERVISOR,
    "sue": Role.SUPERVISOR,
    "aud": Role.AUDITOR,
    "lia": Role.LIAISON,
    "adm": Role.ADMIN,
    "svc": Role.SERVICE,
}
TX = "C0FFEE" * 10 + "ABCD"
EVM_TX = "0x" + "ab" * 32
SOURCE = "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe"
MARKUP = '<script>alert("x")</script>'


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Api]:
    for api in open_api(api_settings(tmp_path)):
        for user, role in USERS.items():
            api.services.access.add_user(user, PASSWORD, [role], by="cli:setup")
        yield api


def _sign_in(api: Api, user: str) -> TestClient:
    client = TestClient(api.app, base_url="http://testserver")
    r = client.post("/console/login", data={"username": user, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def _csrf(client: TestClient) -> str:
    return session.csrf(client.cookies.get(session.COOKIE) or "")


def _history_claim(
    api: Api, *, tx: str = TX, fiat: str = "2400.00", claimant: str = "acc-7", deposit: bool = True
) -> str:
    """An XRP deposit with a wrong memo (unless ``deposit`` is False: it was sent already), and a claim
    proved with the withdrawal history, filed by the exchange's back end through the API; the claim id."""
    now = datetime.now(UTC)
    if deposit:
        event = uncredited(
            f"d-{tx[:6]}", chain=Chain.XRP, tx=tx, asset="XRP", amount=400_000_000, fiat=fiat,
            reason=Uncredited.WRONG_MEMO, account="suspense", memo="55", source=SOURCE, ts=now,
        )  # fmt: skip
        assert api.post_event(event).status_code == 200
    body: dict[str, Any] = {
        "claimant_account_id": claimant,
        "chain": "XRP",
        "tx_hash": tx.lower(),
        "fiat_value": fiat,
        "proof": {"kind": "history", "platform": "Other Exchange", "withdrawal_id": "W-1", "memo": "55",
                  "amount": "400000000", "asset": "XRP",
                  "sent_at": (now - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")},
    }  # fmt: skip
    r = api.client.post("/v1/recovery/claims", json=body, headers=api.headers(Role.SERVICE))
    assert r.status_code == 201, r.text
    claim_id: str = r.json()["claim_id"]
    return claim_id


def _act(client: TestClient, claim_id: str, verb: str, **values: str) -> Any:
    return client.post(f"/console/recovery/claims/{claim_id}/{verb}", data={"csrf": _csrf(client), **values})


def _state(api: Api, claim_id: str) -> str:
    return api.services.claims.claim(claim_id).state.value


def _screen_with_empty_lists(api: Api) -> None:
    api.services.engine.screener = Screener(AddressIndex(), default_policy(), lists_version="empty@1")


def test_a_history_claim_confirmed_approved_by_a_second_person_and_credited(console: Api) -> None:
    api = console
    cid = _history_claim(api)
    ana, sam = _sign_in(api, "ana"), _sign_in(api, "sam")
    listed = ana.get("/console/recovery")
    assert listed.status_code == 200
    assert re.search(r'data-state="needs_confirmation">1<', listed.text)
    assert f"/console/recovery/claims/{cid}" in listed.text and "wrong_memo" in listed.text
    page = ana.get(f"/console/recovery/claims/{cid}").text
    assert "Consistent" in page and "not proof" in page and "confirms the withdrawal" in page
    assert 'id="confirm"' in page and 'id="approve"' not in page and 'id="credit"' not in page
    assert SOURCE in page and "Other Exchange" in page

    early = _act(sam, cid, "approve")  # not awaiting approval yet: the service says so, on the page
    assert (
        early.status_code == 409
        and "not awaiting approval" in early.text
        and 'id="claim-state"' in early.text
    )
    empty = _act(ana, cid, "confirm", note="   ")
    assert empty.status_code == 422 and "say how" in empty.text and _state(api, cid) == "needs_confirmation"
    confirmed = _act(ana, cid, "confirm", note="called Other Exchange's compliance desk: W-1 is theirs")
    assert confirmed.status_code == 200 and "confirmed with the sending platform" in confirmed.text
    assert _state(api, cid) == "awaiting_approval"

    # four eyes: the analyst cannot approve (a supervisor's step); a supervisor who confirmed may not either
    assert _act(ana, cid, "approve").status_code == 403
    assert 'id="approve"' in sam.get(f"/console/recovery/claims/{cid}").text
    approved = _act(sam, cid, "approve")
    assert approved.status_code == 200 and "approved" in approved.text and _state(api, cid) == "approved"
    twice = _act(_sign_in(api, "sue"), cid, "approve")
    assert twice.status_code == 409 and _state(api, cid) == "approved"

    unscreened = _act(ana, cid, "credit")  # no list imported: fail closed, 503 on the page
    assert unscreened.status_code == 503 and "screened again" in unscreened.text
    assert _state(api, cid) == "approved"
    _screen_with_empty_lists(api)
    credited = _act(ana, cid, "credit")
    assert credited.status_code == 200 and "credited" in credited.text and _state(api, cid) == "credited"
    page = ana.get(f"/console/recovery/claims/{cid}").text
    assert 'id="credited"' in page and 'id="steps"' not in page  # closed: no forms
    kinds = re.findall(r'<td class="kind">([a-z_]+)</td>', page)
    assert kinds == ["filed", "matched", "history_consistent", "screened", "confirmed",
                     "approval_requested", "approved", "screened", "credited"]  # fmt: skip

    acts = {(r.action, r.actor) for r in api.services.desk.audit.records(limit=500)}
    for act in (("recovery.claim_confirmed", "ana"), ("recovery.claim_approved", "sam"),
                ("recovery.claim_credited", "ana"), ("recovery.claim_read", "ana")):  # fmt: skip
        assert act in acts, act


def test_a_supervisor_who_confirmed_the_claim_cannot_approve_it(console: Api) -> None:
    api = console
    cid = _history_claim(api)
    sam = _sign_in(api, "sam")
    assert _act(sam, cid, "confirm", note="called the platform").status_code == 200
    page = sam.get(f"/console/recovery/claims/{cid}").text
    assert 'id="approve"' not in page and "Waits for a supervisor other than" in page
    refused = _act(sam, cid, "approve")  # posted anyway: the service enforces four eyes
    assert refused.status_code == 403 and "four eyes" in refused.text and 'id="claim-state"' in refused.text
    assert _state(api, cid) == "awaiting_approval"


def test_a_refusal_with_markup_is_recorded_and_shown_escaped(console: Api) -> None:
    api = console
    cid = _history_claim(api, claimant=MARKUP)
    ana = _sign_in(api, "ana")
    for path in ("/console/recovery", f"/console/recovery/claims/{cid}"):
        text = ana.get(path).text
        assert MARKUP not in text and "&lt;script&gt;" in text, path
    r = _act(ana, cid, "refuse", reason=MARKUP)
    assert r.status_code == 200 and _state(api, cid) == "refused"
    assert MARKUP not in r.text and "&lt;script&gt;alert" in r.text
    again = _act(ana, cid, "refuse", reason="twice")
    assert again.status_code == 409 and "can no longer be refused" in again.text


def test_hostile_forms_are_refused_and_apply_nothing(console: Api) -> None:
    api = console
    cid = _history_claim(api)
    ana = _sign_in(api, "ana")
    history = len(api.services.claims.claim(cid).history)
    cases: list[tuple[str, dict[str, str], int, str]] = [
        ("refuse", {"reason": "x" * 3000}, 422, "at most 2000"),
        ("confirm", {"note": "y" * 2001}, 422, "at most 2000"),
        ("refuse", {"reason": "z" * 20_000}, 422, "larger than"),
        ("refuse", {}, 422, "say why"),
        ("detonate", {}, 422, "not something a claim page can do"),
        ("credit", {}, 409, "only an approved claim"),
    ]
    for verb, values, status, words in cases:
        r = _act(ana, cid, verb, **values)
        assert r.status_code == status and words in r.text, (verb, status, r.text[-400:])
    long_reason = _act(ana, cid, "refuse", reason="keep me " * 300)
    assert "keep me keep me" in long_reason.text  # what was typed comes back to be corrected
    for data in ({"reason": "no token"}, {"reason": "forged", "csrf": "0" * 32}):
        r = ana.post(f"/console/recovery/claims/{cid}/refuse", data=data)
        assert r.status_code == 403 and "reload the page" in r.text
    assert len(api.services.claims.claim(cid).history) == history and _state(api, cid) == "needs_confirmation"


def test_a_signature_claim_shows_the_message_checked_and_a_listed_source_goes_to_the_desk(
    console: Api,
) -> None:
    api = console
    alice = key(1)
    event = uncredited("u1", source=evm_of(alice), fiat="250.00", ts=datetime.now(UTC))
    assert api.post_event(event).status_code == 200
    body = signed_claim(
        alice, Chain.BSC, EVM_TX, "acc-1", "nonce-0001", evm_of(alice), amount=str(250 * 10**18)
    )
    r = api.client.post("/v1/recovery/claims", json=body, headers=api.headers(Role.SERVICE))
    assert r.status_code == 201 and r.json()["state"] == "approved", r.text  # below the four-eyes value
    cid = r.json()["claim_id"]
    ana = _sign_in(api, "ana")
    page = ana.get(f"/console/recovery/claims/{cid}").text
    assert "Verified" in page and "recovers the deposit&#39;s sending address" in page
    assert f"tx: {'ab' * 32}" in page and "claimant: acc-1" in page and "nonce: nonce-0001" in page
    assert 'id="credit"' in page and 'id="confirm"' not in page
    entry = AddressEntry("ofac", "ofac:1", parse_address(Chain.BSC, evm_of(alice)).key, Chain.BSC,
                         Category.SANCTIONED, "SDN")  # fmt: skip
    api.services.engine.screener = Screener(AddressIndex([entry]), default_policy(), lists_version="ofac@1")
    listed = _act(ana, cid, "credit")  # listed since it was filed: screened again, refused to the desk
    assert listed.status_code == 200 and "refused to the security desk" in listed.text
    page = ana.get(f"/console/recovery/claims/{cid}").text
    assert _state(api, cid) == "refused" and "Refused to the security desk" in page and "ofac@1" in page
    assert re.search(
        r'class="late">listed \(hold\)</span></td><td>ofac@1</td><td>screening.address_sanctioned', page
    )


def test_a_contested_deposit_names_the_other_claim(console: Api) -> None:
    api = console
    first = _history_claim(api)
    second = _history_claim(api, claimant="acc-8", deposit=False)
    ana = _sign_in(api, "ana")
    for cid, other in ((first, second), (second, first)):
        page = ana.get(f"/console/recovery/claims/{cid}").text
        assert 'id="contested"' in page and f"/console/recovery/claims/{other}" in page
    listed = ana.get("/console/recovery").text
    assert listed.count('<tr class="deposit">') == 1 and first in listed and second in listed
    assert _act(ana, second, "refuse", reason="the platform says W-1 is acc-7's").status_code == 200
    page = ana.get(f"/console/recovery/claims/{first}").text
    assert 'id="contested"' not in page and 'id="other-claims"' in page  # refused: no longer in the way


@pytest.mark.parametrize(
    "claim_id", ["cl-999999", "nope", "cl-000001%3Cscript%3E", "cl-" + "9" * 500, "CL-000001", "cl-1"]
)
def test_a_wrong_claim_id_is_a_404_page(console: Api, claim_id: str) -> None:
    api = console
    _history_claim(api)
    ana = _sign_in(api, "ana")
    for r in (ana.get(f"/console/recovery/claims/{claim_id}"), _act(ana, claim_id, "refuse", reason="x")):
        assert r.status_code == 404, r.text[-300:]
        assert "Not found" in r.text and '<script>"' not in r.text and "cl-000001<script" not in r.text
    assert _state(api, "cl-000001") == "needs_confirmation"


def test_a_bad_state_filter_is_a_clear_error(console: Api) -> None:
    ana = _sign_in(console, "ana")
    r = ana.get("/console/recovery?state=%3Cb%3Elost")
    assert r.status_code == 422 and "is not a claim state" in r.text and "<b>lost" not in r.text
    assert ana.get("/console/recovery?state=refused&page=99999999999").status_code == 200


def test_every_role_on_every_recovery_and_directory_page(console: Api) -> None:
    api = console
    cid = _history_claim(api)
    readers, desk = {"ana", "bob", "sam", "sue", "aud"}, {"ana", "bob", "sam", "sue"}
    ler_readers = {"lia", "sam", "sue", "aud"}
    for user in USERS:
        client = _sign_in(api, user)
        for path in ("/console/recovery", "/console/recovery?state=needs_confirmation",
                     f"/console/recovery/claims/{cid}"):  # fmt: skip
            assert client.get(path).status_code == (200 if user in readers else 403), (user, path)
        assert client.get("/console/ler/agencies").status_code == (200 if user in ler_readers else 403), user
        # allowed: the service answers (a claim in the wrong state, an empty field); not allowed: 403
        for verb, allowed, answer in (("confirm", desk, 422), ("refuse", desk, 422), ("credit", desk, 409),
                                      ("approve", {"sam", "sue"}, 409)):  # fmt: skip
            r = _act(client, cid, verb)
            assert r.status_code == (answer if user in allowed else 403), (user, verb, r.text[-300:])
        nav = client.get("/console/recovery" if user in readers else "/console/login").text
        assert ('id="nav-recovery"' in nav) == (user in readers), user
    assert _state(api, cid) == "needs_confirmation"
    read_only = _sign_in(api, "aud").get(f"/console/recovery/claims/{cid}").text
    assert "<form" not in read_only.split("<main>")[1]  # an auditor reads only
    signed_out = TestClient(api.app, base_url="http://testserver")
    r = signed_out.get(f"/console/recovery/claims/{cid}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    api_key = signed_out.get("/console/recovery", headers=api.headers(Role.ANALYST), follow_redirects=False)
    assert api_key.status_code == 303  # an API key is not a console session


def test_the_agency_directory_is_read_only_and_says_it_is_the_example(console: Api, tmp_path: Path) -> None:
    lia = _sign_in(console, "lia")
    page = lia.get("/console/ler/agencies").text
    assert 'id="directory-example"' in page and "VIGIL_LER_AGENCIES" in page
    assert "Federal Bureau of Investigation" in page and "fbi.gov" in page and "+44 370 496 7622" in page
    assert page.count('<tr class="agency"') == len(console.services.liaison.requests.directory)  # type: ignore[union-attr]
    assert "<form" not in page.split("<main>")[1]  # nothing to change here
    assert 'href="/console/ler/agencies"' in lia.get("/console/ler").text
    assert lia.post("/console/ler/agencies", data={"csrf": _csrf(lia)}).status_code in (404, 405, 422)


def test_the_exchanges_own_directory_is_not_marked_as_the_example(tmp_path: Path) -> None:
    own = tmp_path / "agencies.yaml"
    own.write_text(
        "agencies:\n  - id: xx-police\n    name: 'Police <b>of</b> Example'\n    jurisdiction: FR\n"
        "    domains: [police.example.fr]\n    callback: '+33 1 00 00 00 00'\n"
    )
    for api in open_api(api_settings(tmp_path, ler_agencies=str(own))):
        api.services.access.add_user("aud", PASSWORD, [Role.AUDITOR], by="cli:setup")
        page = _sign_in(api, "aud").get("/console/ler/agencies").text
        assert 'id="directory-own"' in page and 'id="directory-example"' not in page
        assert "Police &lt;b&gt;of&lt;/b&gt; Example" in page and "+33 1 00 00 00 00" in page
