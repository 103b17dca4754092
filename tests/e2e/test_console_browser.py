"""The desk's console in a real headless Chromium (Debian's, driven by Playwright) against a real
``vigil serve``: an analyst opens the top case and freezes the account, a supervisor approves, the
audit log shows both and verifies, and an analyst cannot approve their own freeze.

Screenshots of each step are saved under ``test-artifacts/e2e/`` (``VIGIL_ARTIFACTS`` overrides).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import Events
from tests.serving import Server, free_port, vigil_cli
from vigil.codec import encode_event

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct horse battery"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("VIGIL_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")) / "e2e"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("console")
    db = str(tmp / "vigil.db")
    for user, role in (("ana", "analyst"), ("bob", "analyst"), ("sam", "supervisor"), ("aud", "auditor")):
        vigil_cli("users", "add", user, "--role", role, "--password-stdin", db=db, stdin=PASSWORD + "\n")
    token = json.loads(vigil_cli("keys", "create", "exchange", "--role", "service", "--json", db=db))["token"]
    server = Server(db=db, port=free_port(), log=tmp / "server.log")
    server.start()
    events = Events()
    stream = [
        events.deposit(0, fiat="20000", account_id="alice"),
        events.withdrawal(5, fiat="19900", account_id="alice"),
        events.deposit(10, fiat="15000", account_id="carol"),
        events.withdrawal(12, fiat="14900", account_id="carol"),
    ]
    for event in stream:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.port}/v1/events",
            data=encode_event(event),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run scripts/ensure-chromium.sh"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _sign_in(browser: Browser, server: Server, user: str) -> Page:
    page = browser.new_context(base_url=f"http://127.0.0.1:{server.port}").new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations
    page.goto("/console/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url("**/console/queue")
    assert page.inner_text("#who") == user
    return page


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_freeze_with_four_eyes_and_the_audit_trail(served: Server, browser: Browser) -> None:
    ana = _sign_in(browser, served, "ana")
    _shot(ana, "1-queue")
    top = ana.locator("#queue tbody tr").first
    case_id = top.locator("a.case-link").inner_text()
    assert top.locator("td.account").inner_text() and top.locator("td.pattern code").inner_text()
    assert "alice" not in ana.url
    top.locator("a.case-link").click()
    ana.wait_for_url(f"**/console/cases/{case_id}")
    assert ana.inner_text("#frozen") == "not frozen"
    assert "passthrough.deposit_withdraw" in ana.inner_text("#timeline")
    ana.fill("#freeze-reason", "deposit passed straight through: mule pattern")
    ana.click("#freeze")  # confirmed by the dialog handler
    assert "waits for a supervisor" in ana.inner_text(".flash")
    assert ana.locator("tr.action .status").first.inner_text() == "pending"
    assert ana.locator("button.approve").count() == 0  # no approve button for an analyst
    _shot(ana, "2-freeze-requested")

    # The analyst cannot approve their own freeze, even by posting the form by hand.
    status = ana.evaluate(
        """async ([caseId]) => {
            const csrf = document.querySelector('input[name=csrf]').value;
            const body = new URLSearchParams({csrf, action: caseId + '/1', reason: 'me'});
            const r = await fetch('/console/cases/' + caseId + '/approve', {method: 'POST', body});
            return r.status;
        }""",
        [case_id],
    )
    assert status == 403
    ana.goto("/console/approvals")
    assert ana.locator("button.approve").count() == 0
    _shot(ana, "3-analyst-approvals")

    sam = _sign_in(browser, served, "sam")
    sam.goto("/console/approvals")
    row = sam.locator("tr.approval", has_text=case_id)
    row.locator("input[name=reason]").fill("confirmed with the analyst")
    row.locator("button.approve").click()
    assert "approved" in sam.inner_text(".flash")
    sam.goto(f"/console/cases/{case_id}")
    assert sam.inner_text("#frozen") == "frozen"
    assert sam.locator("#freeze").count() == 0  # no second freeze offered on a frozen account
    assert "The account is frozen" in sam.inner_text("#freeze-state")
    assert sam.locator("tr.action .status").first.inner_text() == "applied"
    _shot(sam, "4-approved")

    aud = _sign_in(browser, served, "aud")
    aud.goto("/console/audit")
    aud.click("#verify")
    assert "Chain intact" in aud.inner_text("#audit-verify")
    log = aud.inner_text("#audit")
    assert "ana\tcase.action_requested" in log and "sam\tcase.action_approved" in log
    _shot(aud, "5-audit")
    out = vigil_cli("audit", "verify", db=served.db)
    assert out.startswith("ok:")


def test_a_supervisor_cannot_approve_their_own_request_and_a_double_click_applies_once(
    served: Server, browser: Browser
) -> None:
    sam = _sign_in(browser, served, "sam")
    case_id = sam.locator("#queue tbody tr", has_text="new").first.locator("a.case-link").inner_text()
    sam.goto(f"/console/cases/{case_id}")
    sam.fill("#freeze-reason", "same device as a known mule")
    sam.evaluate("() => { const b = document.querySelector('#freeze'); b.click(); b.click(); }")
    sam.wait_for_selector(".flash")
    assert sam.locator("tr.action").count() == 1
    sam.goto("/console/approvals")
    row = sam.locator("tr.approval", has_text=case_id)
    assert row.locator("button.approve").count() == 0 and "another supervisor" in row.inner_text()
    _shot(sam, "6-own-request")


def test_the_dashboard_renders_its_charts(served: Server, browser: Browser) -> None:
    bob = _sign_in(browser, served, "bob")
    bob.goto("/console/dashboard")
    assert bob.locator("svg.chart").count() >= 2
    assert int(bob.inner_text("#open-cases")) >= 1
    # alice's approved freeze; carol's still waits
    assert bob.inner_text("#value-frozen") == "19,900.00 USD"
    _shot(bob, "7-dashboard")
