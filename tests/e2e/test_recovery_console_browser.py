"""Funds sent by mistake in the console, in a real headless Chromium (Debian's, driven by Playwright)
against a real ``vigil serve`` (issue 18): the exchange's back end sends an uncredited deposit and files
a claim proved with the withdrawal history through the API; an analyst confirms it on the console after
calling the sending platform; a supervisor, a second person, approves it; the analyst records the credit
(the source screened again against the imported lists); the audit page shows each act with its actor.

Screenshots of each step are saved under ``test-artifacts/e2e/`` (``VIGIL_ARTIFACTS`` overrides).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.recovery_kit import uncredited
from tests.serving import Server, free_port, vigil_cli
from vigil.codec import encode_event
from vigil.model import Chain, Uncredited

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct horse battery"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("VIGIL_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")) / "e2e"
TX = "C0FFEE" * 10 + "ABCD"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    tmp = tmp_path_factory.mktemp("recovery-console")
    db = str(tmp / "vigil.db")
    for user, role in (("ana", "analyst"), ("sam", "supervisor")):
        vigil_cli("users", "add", user, "--role", role, "--password-stdin", db=db, stdin=PASSWORD + "\n")
    token = json.loads(vigil_cli("keys", "create", "exchange", "--role", "service", "--json", db=db))["token"]
    lists = tmp / "scamsniffer"
    lists.mkdir()
    (lists / "address.json").write_text('["0x43412801d29861ecc4c4d86e5becfd16af86a67b"]')
    vigil_cli("lists", "import", "scamsniffer", str(lists), db=db)  # a claim is credited only once screened
    server = Server(db=db, port=free_port(), log=tmp / "server.log")
    server.start()
    yield server, token
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run scripts/ensure-chromium.sh"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _call(server: Server, token: str, path: str, body: bytes) -> dict[str, object]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (200, 201)
        found: dict[str, object] = json.loads(answer.read())
        return found


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
    page.screenshot(path=str(ARTIFACTS / f"recovery-{name}.png"), full_page=True)


def test_a_history_claim_confirmed_approved_by_a_second_person_credited_and_audited(
    served: tuple[Server, str], browser: Browser
) -> None:
    server, token = served
    now = datetime.now(UTC)

    # 1. The exchange sends the deposit it could not credit (a wrong memo) and files the claim.
    deposit = uncredited(
        "d-wrong-memo", chain=Chain.XRP, tx=TX, asset="XRP", amount=400_000_000, fiat="2400.00",
        reason=Uncredited.WRONG_MEMO, account="suspense", memo="55",
        source="rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", ts=now,
    )  # fmt: skip
    _call(server, token, "/v1/events", encode_event(deposit))
    claim = {
        "claimant_account_id": "acc-7", "chain": "XRP", "tx_hash": TX.lower(), "fiat_value": "2400.00",
        "proof": {"kind": "history", "platform": "Other Exchange", "withdrawal_id": "W-1", "memo": "55",
                  "amount": "400000000", "asset": "XRP",
                  "sent_at": (now - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")},
    }  # fmt: skip
    filed = _call(server, token, "/v1/recovery/claims", json.dumps(claim).encode())
    cid, key = str(filed["claim_id"]), str(filed["filed_by"])
    assert filed["state"] == "needs_confirmation"

    # 2. An analyst finds it waiting for a confirmation and confirms it after calling the platform.
    ana = _sign_in(browser, server, "ana")
    ana.click("#nav-recovery")
    assert ana.inner_text('#counts [data-state="needs_confirmation"]') == "1"
    _shot(ana, "0-list")
    ana.locator("#state-needs_confirmation tr.claim", has_text=cid).locator("a.claim-link").click()
    ana.wait_for_url(f"**/console/recovery/claims/{cid}")
    assert "not proof" in ana.inner_text("#verdict") and "Other Exchange" in ana.inner_text("#proof")
    ana.fill("#confirm-note", "called Other Exchange's compliance desk: W-1 is acc-7's")
    ana.click("#confirm")
    assert "confirmed" in ana.inner_text(".flash")
    assert ana.inner_text("#claim-state") == "awaiting_approval"
    assert ana.locator("#approve").count() == 0  # an analyst does not approve; nor would who confirmed
    _shot(ana, "1-confirmed")

    # 3. A supervisor, a second person, approves it.
    sam = _sign_in(browser, server, "sam")
    sam.goto(f"/console/recovery/claims/{cid}")
    sam.click("#approve")  # confirmed by the dialog handler
    assert "approved" in sam.inner_text(".flash") and sam.inner_text("#claim-state") == "approved"
    _shot(sam, "2-approved")

    # 4. The analyst records the credit: screened again, the fee taken.
    ana.reload()
    ana.click("#credit")
    assert ana.inner_text("#claim-state") == "credited"
    assert "2,352.00" in ana.inner_text("#credited")  # 2,400 less the 2% fee
    assert "clear" in ana.locator("#screenings tr.screening").last.inner_text()
    _shot(ana, "3-credited")

    # 5. The audit page shows each act with its actor.
    sam.goto("/console/audit")
    rows = [r.inner_text() for r in sam.locator("tr.audit-row").all()]
    acts = [
        ("recovery.claim_filed", key),
        ("recovery.claim_confirmed", "ana"),
        ("recovery.claim_approved", "sam"),
        ("recovery.claim_credited", "ana"),
    ]
    for action, actor in acts:
        assert any(action in r and actor in r and f"claim:{cid}" in r for r in rows), (action, actor)
    _shot(sam, "4-audit")
