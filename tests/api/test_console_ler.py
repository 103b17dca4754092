"""The law-enforcement desk's console pages over HTTP (the browser journey is in tests/e2e): intake with
an uploaded order, verification, subjects, a freeze order through four eyes, the disclosure package, every
page with every role, CSRF, and hostile input (a clear error on the page, nothing applied)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api, api_settings, open_api
from tests.conftest import T0, Events
from vigil.api.console import session
from vigil.ler import Act, Signer, verify_package
from vigil.model import KycSubmitted
from vigil.model.access import Role

PASSWORD = "correct horse battery"
USERS = {
    "lia": Role.LIAISON,
    "sam": Role.SUPERVISOR,
    "sue": Role.SUPERVISOR,
    "ana": Role.ANALYST,
    "aud": Role.AUDITOR,
    "adm": Role.ADMIN,
    "svc": Role.SERVICE,
}
PUBLIC_KEY: list[bytes] = []


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Api]:
    signer = Signer.generate()
    (tmp_path / "key.pem").write_bytes(signer.pem())
    PUBLIC_KEY[:] = [signer.public]
    for api in open_api(api_settings(tmp_path, ler_signing_key=str(tmp_path / "key.pem"))):
        for user, role in USERS.items():
            api.services.access.add_user(user, PASSWORD, [role], by="cli:setup")
        yield api


def _customer(api: Api, events: Events, account: str = "alice") -> None:
    kyc = KycSubmitted(**events._base(-60, account_id=account, full_name="Alice Liddell", level=2))
    for event in (kyc, events.deposit(0, fiat="500", account_id=account)):
        assert api.post_event(event).status_code == 200


def _sign_in(api: Api, user: str) -> TestClient:
    client = TestClient(api.app, base_url="http://testserver")
    r = client.post("/console/login", data={"username": user, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def _csrf(client: TestClient) -> str:
    """The CSRF token a page of this session carries."""
    return session.csrf(client.cookies.get(session.COOKIE) or "")


def _fields(html: str, action: str, nth: int = 0) -> dict[str, str]:
    """The hidden fields of the ``nth`` form posting to ``action``."""
    form = html.split(f'action="{action}"')[nth + 1]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))


def _intake(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agency": "nca",
        "officer": "DI Jane Tennison",
        "officer_email": "j.tennison@nca.gov.uk",
        "legal_basis": "freeze_order",
        "legal_reference": "NCA-AFO-2026-0042",
        "kind": "freeze",
        "subjects": "account: alice\n",
        "period_from": (T0 - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "period_until": (T0 + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "deadline": "2099-01-01T00:00",
        "nondisclosure": "1",
    }
    body.update(changes)
    return body


def _log(client: TestClient, files: list[Any] | None = None, **changes: Any) -> Any:
    return client.post(
        "/console/ler/new",
        data={"csrf": _csrf(client), "nonce": changes.pop("nonce", ""), **_intake(**changes)},
        files=files or [("attachments", ("", b"", "application/octet-stream"))],
    )


def _rid(api: Api) -> str:
    """The request logged last."""
    found = api.services.liaison.requests.requests(open_only=False)  # type: ignore[union-attr]
    return max(r.request_id for r in found)


def _post(client: TestClient, rid: str, verb: str, nth: int = 0, **values: str) -> Any:
    page = client.get(f"/console/ler/{rid}").text
    return client.post(
        f"/console/ler/{rid}/{verb}", data={**_fields(page, f"/console/ler/{rid}/{verb}", nth), **values}
    )


def _verified(api: Api, lia: TestClient, **changes: Any) -> str:
    assert _log(lia, **changes).status_code == 200
    rid = _rid(api)
    assert (
        _post(lia, rid, "verification", method="callback", confirmed="yes", note="duty desk").status_code
        == 200
    )
    assert _post(lia, rid, "verify", note="call-back").status_code == 200
    assert _post(lia, rid, "resolve").status_code == 200
    return rid


def test_a_freeze_order_from_the_intake_form_to_the_supervisors_approval(
    console: Api, events: Events
) -> None:
    api = console
    _customer(api, events)
    lia = _sign_in(api, "lia")
    order = b"%PDF-1.7 the court's freeze order"
    logged = _log(lia, files=[("attachments", ("order.pdf", order, "application/pdf"))], nonce="n1")
    assert logged.status_code == 200 and "logged" in logged.text
    rid = _rid(api)
    again = _log(lia, files=[("attachments", ("order.pdf", order, "application/pdf"))], nonce="n1")
    assert again.status_code == 200 and len(api.services.liaison.requests.requests()) == 1  # type: ignore[union-attr]
    page = lia.get(f"/console/ler/{rid}").text
    sha = hashlib.sha256(order).hexdigest()
    assert sha in page and "an official domain" in page and "Not verified" in page
    assert lia.get(f"/console/ler/{rid}/attachments/{sha}").content == order
    early = _post(lia, rid, "verify", note="no")
    assert early.status_code == 409 and "call the agency back" in early.text
    step = _post(lia, rid, "verification", method="callback", confirmed="yes", note="NCA duty desk")
    assert step.status_code == 200 and "+44" in step.text  # the directory's number, recorded
    assert _post(lia, rid, "verify", note="call-back").status_code == 200
    resolved = _post(lia, rid, "resolve")
    assert resolved.status_code == 200 and "1 account(s) in scope" in resolved.text
    freeze = _post(lia, rid, "freeze", account_id="alice")
    assert freeze.status_code == 200 and "waits for a supervisor" in freeze.text
    assert 'class="approve"' not in freeze.text  # the officer cannot approve
    forged = lia.post(
        f"/console/ler/{rid}/approve",
        data={**_fields(freeze.text, f"/console/ler/{rid}/note"), "action": "x/1"},
    )
    assert forged.status_code == 403
    sam = _sign_in(api, "sam")
    page = sam.get(f"/console/ler/{rid}").text
    action_id = _fields(page, f"/console/ler/{rid}/approve")["action"]
    approved = sam.post(
        f"/console/ler/{rid}/approve",
        data={**_fields(page, f"/console/ler/{rid}/approve"), "reason": "order checked"},
    )
    assert approved.status_code == 200 and f"{action_id} approved" in approved.text
    assert api.services.desk.actions.controls("alice").frozen
    blocked = api.post_event(events.withdrawal(10, fiat="50", account_id="alice"))
    assert blocked.json()["outcome"] == "block"
    audited = {r.action for r in api.services.desk.audit.records(limit=500)}
    assert {
        "ler.received",
        "ler.attached",
        "ler.verified",
        "ler.freeze_requested",
        "case.action_approved",
    } <= audited


def test_an_emergency_from_free_mail_shows_its_findings_and_needs_a_supervisor(
    console: Api, events: Events
) -> None:
    api = console
    _customer(api, events)
    lia = _sign_in(api, "lia")
    assert _log(lia).status_code == 200  # an ordinary one first
    emergency = _log(
        lia,
        kind="emergency_disclosure",
        legal_basis="emergency",
        officer_email="nca.duty.desk@gmail.com",
        nondisclosure="",
    )
    assert emergency.status_code == 200
    rid = _rid(api)
    listed = lia.get("/console/ler").text
    rows = re.findall(r'<tr class="ler-request" data-kind="([a-z_]+)"', listed)
    assert rows == ["emergency_disclosure", "freeze"]  # emergencies first
    assert "ler.free_mail" in listed and "data-due" in listed
    page = lia.get(f"/console/ler/{rid}").text
    assert "ler.free_mail" in page and "free-mail" in page and "a supervisor to verify it" in page
    _post(lia, rid, "verification", method="email_reply", confirmed="yes")
    refused = _post(lia, rid, "verify", note="they replied")
    assert refused.status_code == 409 and "no confirmed call-back" in refused.text
    _post(lia, rid, "verification", method="callback", confirmed="yes", note="NCA duty desk")
    not_yours = _post(lia, rid, "verify", note="call-back")
    assert not_yours.status_code == 403 and "supervisor" in not_yours.text
    sam = _sign_in(api, "sam")
    assert _post(sam, rid, "verify", note="call-back, checked").status_code == 200
    assert api.services.liaison.requests.request(rid).verified_by == "sam"  # type: ignore[union-attr]


def test_the_disclosure_package_is_generated_verifies_and_downloads(console: Api, events: Events) -> None:
    api = console
    _customer(api, events)
    lia = _sign_in(api, "lia")
    rid = _verified(api, lia, kind="information", legal_basis="court_order", data_kinds=["kyc", "events"])
    page = _post(lia, rid, "disclose")
    assert page.status_code == 200 and "Verifies" in page.text
    archive_sha = re.findall(r'id="archive-sha256">([0-9a-f]{64})<', page.text)[0]
    assert re.findall(r'id="manifest-sha256">([0-9a-f]{64})<', page.text)
    download = lia.post(
        f"/console/ler/{rid}/disclose", data=_fields(page.text, f"/console/ler/{rid}/disclose")
    )
    assert download.headers["content-type"] == "application/x-tar"
    assert "attachment" in download.headers["content-disposition"]
    assert hashlib.sha256(download.content).hexdigest() == archive_sha  # byte for byte
    assert verify_package(download.content, PUBLIC_KEY[0]) == []
    shown = lia.get(f"/console/ler/{rid}").text
    assert shown.count('<tr class="disclosure">') == 2  # every export recorded


def test_every_page_with_every_role(console: Api, events: Events) -> None:
    api = console
    _customer(api, events)
    lia = _sign_in(api, "lia")
    rid = _verified(api, lia)
    _post(lia, rid, "freeze", account_id="alice")
    info = _verified(api, lia, kind="information", legal_basis="court_order")
    content = b"%PDF order"
    api.services.liaison.requests.attach(rid, "order.pdf", "application/pdf", content, Act("lia"))  # type: ignore[union-attr]
    sha = hashlib.sha256(content).hexdigest()
    readers, workers = {"lia", "sam", "sue", "aud"}, {"lia", "sam", "sue"}
    for user in USERS:
        client = _sign_in(api, user)
        for path in ("/console/ler", f"/console/ler/{rid}", f"/console/ler/{rid}/attachments/{sha}"):
            assert client.get(path).status_code == (200 if user in readers else 403), (user, path)
        package = client.post(f"/console/ler/{info}/disclose", data={"csrf": _csrf(client)})
        assert package.status_code == (200 if user in workers else 403), user
        assert client.get("/console/ler/new").status_code == (200 if user in workers else 403), user
        note = client.post(f"/console/ler/{rid}/note", data={"csrf": _csrf(client), "text": f"by {user}"})
        assert note.status_code == (200 if user in workers else 403), (user, note.text[-300:])
        log = client.post("/console/ler/new", data={"csrf": _csrf(client), **_intake()})
        assert log.status_code == (200 if user in workers else 403), user
    # the approve button and route: a supervisor who did not request it
    page = _sign_in(api, "aud").get(f"/console/ler/{rid}").text
    assert 'class="approve"' not in page and 'action="/console/ler/' not in page  # an auditor reads only
    for user, status in (("lia", 403), ("ana", 403), ("aud", 403), ("sam", 200)):
        client = _sign_in(api, user)
        action_id = api.services.liaison.requests.request(rid).freezes[0].action_id  # type: ignore[union-attr]
        r = client.post(
            f"/console/ler/{rid}/approve", data={"csrf": _csrf(client), "action": action_id, "reason": "ok"}
        )
        assert r.status_code == status, (user, r.text[-300:])


def test_a_liaison_officer_lands_on_the_law_enforcement_desk(console: Api) -> None:
    client = TestClient(console.app)
    r = client.post("/console/login", data={"username": "lia", "password": PASSWORD}, follow_redirects=False)
    assert r.headers["location"] == "/console/ler"
    r = client.post("/console/login", data={"username": "sam", "password": PASSWORD}, follow_redirects=False)
    assert r.headers["location"] == "/console/queue"


def test_forms_without_the_csrf_token_are_refused_and_apply_nothing(console: Api, events: Events) -> None:
    api = console
    _customer(api, events)
    lia = _sign_in(api, "lia")
    r = lia.post("/console/ler/new", data=_intake())
    assert r.status_code == 403 and "reload the page" in r.text
    assert api.services.liaison.requests.requests() == []  # type: ignore[union-attr]
    assert _log(lia).status_code == 200
    rid = _rid(api)
    forged = lia.post(
        f"/console/ler/{rid}/verification", data={"method": "callback", "confirmed": "yes", "csrf": "0" * 32}
    )
    assert forged.status_code == 403
    assert api.services.liaison.requests.request(rid).verifications == ()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"agency": "Ministry of Magic"}, "agency", "Ministry of Magic"),
        ({"legal_basis": ""}, "legal_basis", "legal basis"),
        ({"legal_reference": "  "}, "legal_reference", "legal reference"),
        ({"deadline": "2001-01-01T00:00"}, "deadline", "in the past"),
        ({"deadline": "next tuesday"}, "deadline", "not a date"),
        ({"period_until": "2020-01-01T00:00"}, "period_until", "end after it starts"),
        ({"period_from": ""}, "period_from", "start of the period"),
        ({"subjects": ""}, "subjects", "subject"),
        ({"subjects": "account alice"}, "subjects[0]", "kind: value"),
        ({"subjects": "account: alice\naddress: 0x123"}, "subjects[1]", "names its chain"),
        ({"subjects": "address: ETH: 0x123"}, "subjects[0]", "not an address"),
        ({"subjects": "telepathy: yes"}, "subjects[0]", "not a subject kind"),
        ({"kind": "exorcism"}, "kind", "not a kind of request"),
        ({"kind": "freeze", "legal_basis": "subpoena"}, "legal_basis", ""),
        ({"officer_email": "j.tennison"}, "officer_email", ""),
    ],
)
def test_hostile_intake_is_a_clear_error_on_the_form_and_nothing_is_logged(
    console: Api, change: dict[str, str], field: str, words: str
) -> None:
    lia = _sign_in(console, "lia")
    r = _log(lia, files=[("attachments", ("order.pdf", b"%PDF", "application/pdf"))], **change)
    assert r.status_code == 422, r.text[-500:]
    assert "Nothing was logged" in r.text and f"<code>{field}</code>" in r.text and words in r.text
    assert 'id="intake"' in r.text and "DI Jane Tennison" in r.text  # the form, with what was typed
    assert console.services.liaison.requests.requests(open_only=False) == []  # type: ignore[union-attr]


def test_hostile_acts_on_a_request_are_refused_and_apply_nothing(console: Api, events: Events) -> None:
    api = console
    _customer(api, events)
    _customer(api, events, account="bob")
    lia = _sign_in(api, "lia")
    rid = _verified(api, lia)
    before = api.services.liaison.requests.request(rid).version  # type: ignore[union-attr]
    assert 'class="accept"' in lia.get(f"/console/ler/{rid}").text  # bob, linked to alice, is offered
    outside = _post(lia, rid, "freeze", account_id="bob")  # but not in scope until a person accepts him
    assert outside.status_code == 422 and "not in the scope" in outside.text
    amount = _post(lia, rid, "freeze", account_id="alice", asset="BTC", amount="12abc")
    assert amount.status_code == 422 and "whole number" in amount.text
    past = _post(lia, rid, "freeze", account_id="alice", until="2001-01-01T00:00")
    assert past.status_code == 422 and "in the past" in past.text
    hidden = _fields(lia.get(f"/console/ler/{rid}").text, f"/console/ler/{rid}/note")
    assert lia.post(f"/console/ler/{rid}/explode", data=hidden).status_code == 422
    stale = lia.post(f"/console/ler/{rid}/note", data={**hidden, "version": "1", "text": "late"})
    assert stale.status_code == 409 and "changed since you loaded it" in stale.text
    assert _post(lia, rid, "account", account_id="mallory").status_code == 409  # not offered
    assert lia.get("/console/ler/L-999999").status_code == 404
    assert lia.get(f"/console/ler/{rid}/attachments/{'0' * 64}").status_code == 404
    assert api.services.liaison.requests.request(rid).version == before  # type: ignore[union-attr]
    accepted = _post(lia, rid, "account", account_id="bob")  # a person accepts the offered account
    assert accepted.status_code == 200 and "bob brought into scope" in accepted.text
    assert api.services.liaison.requests.request(rid).accounts == ("alice", "bob")  # type: ignore[union-attr]
    # another request's desk action cannot be approved through this one
    other = _verified(api, lia)
    _post(lia, other, "freeze", account_id="alice")
    action_id = api.services.liaison.requests.request(other).freezes[0].action_id  # type: ignore[union-attr]
    sam = _sign_in(api, "sam")
    r = sam.post(f"/console/ler/{rid}/approve", data={"csrf": _csrf(sam), "action": action_id, "reason": "x"})
    assert r.status_code == 404 and not api.services.desk.actions.controls("alice").frozen
    # hostile text is shown escaped, its invisible characters made visible
    _log(lia, officer="<script>alert(1)</script>\u202eevil")
    page = lia.get(f"/console/ler/{_rid(api)}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "⟨U+202E⟩" in page
