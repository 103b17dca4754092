"""The console's pages over HTTP (the browser tests are in tests/e2e): sign-in, forms and their guards,
error pages, and no customer data in any URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api, api_settings, open_api
from tests.conftest import Events
from vigil.model.access import Role

PASSWORD = "correct horse battery"


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Api]:
    for api in open_api(api_settings(tmp_path)):
        access = api.services.access
        access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
        access.add_user("sam", PASSWORD, [Role.SUPERVISOR], by="cli:setup")
        access.add_user("aud", PASSWORD, [Role.AUDITOR], by="cli:setup")
        yield api


def _flag(api: Api, events: Events, account: str = "alice") -> str:
    api.post_event(events.deposit(0, fiat="20000", account_id=account))
    assert api.post_event(events.withdrawal(5, fiat="19900", account_id=account)).json()["outcome"] == "hold"
    return api.services.desk.desk.cases_of(account)[-1].case_id


def _browser(api: Api, user: str) -> TestClient:
    client = TestClient(api.app, base_url="http://testserver")
    r = client.post("/console/login", data={"username": user, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/queue"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    return client


def _fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the first form posting to ``action``."""
    form = html[html.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_signing_in_and_the_queue(console: Api, events: Events) -> None:
    case_id = _flag(console, events)
    anonymous = TestClient(console.app)
    r = anonymous.get("/console/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    wrong = anonymous.post("/console/login", data={"username": "ana", "password": "nope"})
    assert wrong.status_code == 401 and "wrong" in wrong.text.lower()
    page = _browser(console, "ana").get("/console/queue")
    assert page.status_code == 200 and case_id in page.text and "data-due" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_an_api_key_cannot_use_the_console(console: Api) -> None:
    client = TestClient(console.app)
    client.cookies.set("vigil_session", console.tokens[Role.ANALYST], path="/console")
    r = client.get("/console/queue")
    assert r.status_code == 403 and "for people" in r.text


def test_freeze_then_approval_by_another_supervisor(console: Api, events: Events) -> None:
    case_id = _flag(console, events)
    ana = _browser(console, "ana")
    page = ana.get(f"/console/cases/{case_id}").text
    assert "19900" in page and "passthrough.deposit_withdraw" in page  # timeline with reasons
    form = {**_fields(page, f"/console/cases/{case_id}/act"), "kind": "freeze_account", "reason": "mule"}
    done = ana.post(f"/console/cases/{case_id}/act", data=form)
    assert done.status_code == 200 and "waits for a supervisor" in done.text
    again = ana.post(f"/console/cases/{case_id}/act", data=form)  # the double click
    assert again.status_code == 200
    assert len(console.services.desk.desk.case(case_id).actions) == 1
    # an analyst cannot approve, whatever they post
    forged = {**_fields(page, f"/console/cases/{case_id}/act"), "action": f"{case_id}/1", "reason": "me"}
    refused = ana.post(f"/console/cases/{case_id}/approve", data=forged)
    assert refused.status_code == 403 and "supervisor" in refused.text
    sam = _browser(console, "sam")
    approvals = sam.get("/console/approvals").text
    fields = _fields(approvals, f"/console/cases/{case_id}/approve")
    ok = sam.post(f"/console/cases/{case_id}/approve", data={**fields, "reason": "agreed"})
    assert ok.status_code == 200 and "approved" in ok.text
    assert console.services.desk.actions.controls("alice").frozen


def test_a_stale_form_and_a_case_that_does_not_allow_the_action(console: Api, events: Events) -> None:
    case_id = _flag(console, events)
    ana = _browser(console, "ana")
    page = ana.get(f"/console/cases/{case_id}").text
    old = _fields(page, f"/console/cases/{case_id}/investigate")
    assert ana.post(f"/console/cases/{case_id}/investigate", data=old).status_code == 200
    stale = ana.post(f"/console/cases/{case_id}/escalate", data={**old, "nonce": "other", "reason": "x"})
    assert stale.status_code == 409 and "changed since you loaded it" in stale.text
    fresh = _fields(ana.get(f"/console/cases/{case_id}").text, f"/console/cases/{case_id}/resolve")
    ana.post(
        f"/console/cases/{case_id}/resolve", data={**fresh, "disposition": "false_positive", "reason": "ok"}
    )
    late = ana.post(
        f"/console/cases/{case_id}/act",
        data={**fresh, "nonce": "n9", "kind": "freeze_account", "reason": "x"},
    )
    assert late.status_code == 409
    assert "changed since you loaded it" in late.text or "is resolved" in late.text


def test_forms_without_the_csrf_token_and_malformed_forms_are_refused(console: Api, events: Events) -> None:
    case_id = _flag(console, events)
    ana = _browser(console, "ana")
    r = ana.post(f"/console/cases/{case_id}/investigate", data={"version": "3"})
    assert r.status_code == 403 and "reload the page" in r.text
    page = ana.get(f"/console/cases/{case_id}").text
    fields = _fields(page, f"/console/cases/{case_id}/investigate")
    bad = ana.post(f"/console/cases/{case_id}/investigate", data={**fields, "version": "three"})
    assert bad.status_code == 422 and "not a whole number" in bad.text
    unknown = ana.post(f"/console/cases/{case_id}/explode", data=fields)
    assert unknown.status_code == 422
    missing = ana.get("/console/cases/c-424242")
    assert missing.status_code == 404 and "Not found" in missing.text
    assert ana.get("/console/queue?severity=apocalyptic").status_code == 422


def test_no_customer_data_in_any_url(console: Api, events: Events) -> None:
    case_id = _flag(console, events)
    sam = _browser(console, "sam")
    pages = [
        sam.get(p).text
        for p in ("/console/queue", f"/console/cases/{case_id}", "/console/approvals", "/console/dashboard")
    ]
    for html in pages:
        for url in re.findall(r'(?:href|action)="([^"]*)"', html):
            assert "alice" not in url and "192.0.2" not in url, url
    found = sam.post(
        "/console/find",
        data={"account_id": "alice", "csrf": _fields(pages[0], "/console/find")["csrf"]},
        follow_redirects=False,
    )
    assert found.status_code == 303 and found.headers["location"] == f"/console/cases/{case_id}"


def test_the_dashboard_and_the_audit_page(console: Api, events: Events) -> None:
    _flag(console, events)
    dash = _browser(console, "ana").get("/console/dashboard")
    assert dash.status_code == 200 and "<svg" in dash.text and 'id="open-cases">1<' in dash.text
    assert _browser(console, "ana").get("/console/audit").status_code == 403
    auditor = _browser(console, "aud")
    assert "Chain intact" not in auditor.get("/console/audit").text  # verified on request only
    audit = auditor.get("/console/audit?verify=1")
    assert audit.status_code == 200 and "Chain intact" in audit.text
    assert auditor.get("/console/audit?since=lots").status_code == 422
