"""The law-enforcement desk's console in a real headless Chromium (Debian's, driven by Playwright) against
a real ``vigil serve`` (issue 18's journey): a liaison officer logs a freeze order with the order
attached, a supervisor verifies it after a call-back on the directory's number, the officer requests the
freeze and another person, a supervisor, approves it (four eyes), the engine blocks the account's next
withdrawal, what the customer's side sees (the appeal's answer, the account's controls) reveals nothing
of the order, and a disclosure package generated in the console downloads and verifies against the
exchange's key, byte for byte what the page says.

Screenshots of each step are saved under ``test-artifacts/e2e/`` (``VIGIL_ARTIFACTS`` overrides).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import Events
from tests.serving import Server, free_port, vigil_cli
from vigil.codec import encode_event
from vigil.ler import Signer, verify_package
from vigil.model import Event, KycSubmitted

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct horse battery"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("VIGIL_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")) / "e2e"
SECRETS = ("NCA", "National Crime", "Tennison", "AFO-2026", "freeze_order", "law", "order", "L-0000")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, bytes]]:
    tmp = tmp_path_factory.mktemp("ler-console")
    db = str(tmp / "vigil.db")
    signer = Signer.generate()
    key = tmp / "signing.pem"
    key.write_bytes(signer.pem())
    key.chmod(0o600)
    for user, role in (("lia", "liaison"), ("sam", "supervisor")):
        vigil_cli("users", "add", user, "--role", role, "--password-stdin", db=db, stdin=PASSWORD + "\n")
    token = json.loads(vigil_cli("keys", "create", "exchange", "--role", "service", "--json", db=db))["token"]
    server = Server(db=db, port=free_port(), log=tmp / "server.log", env={"VIGIL_LER_SIGNING_KEY": str(key)})
    server.start()
    yield server, token, signer.public
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run scripts/ensure-chromium.sh"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _call(server: Server, token: str, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}",
        data=body,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, answer.read().decode()


def _event(server: Server, token: str, event: Event) -> dict[str, Any]:
    status, text = _call(server, token, "POST", "/v1/events", encode_event(event))
    assert status == 200, text
    answer: dict[str, Any] = json.loads(text)
    return answer


def _sign_in(browser: Browser, server: Server, user: str, lands: str) -> Page:
    page = browser.new_context(base_url=f"http://127.0.0.1:{server.port}", accept_downloads=True).new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations
    page.goto("/console/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"**{lands}")
    assert page.inner_text("#who") == user
    return page


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"ler-{name}.png"), full_page=True)


def _log_request(page: Page, kind: str, basis: str, reference: str, tmp: Path | None = None) -> str:
    """Fill the intake form as an officer would; returns the new request's id."""
    page.goto("/console/ler")
    page.click("#new-request")
    page.wait_for_url("**/console/ler/new")
    page.select_option("#agency", "uk-nca")
    page.fill("#officer", "DI Jane Tennison")
    page.fill("#officer_email", "j.tennison@nca.gov.uk")
    page.select_option("#legal_basis", basis)
    page.fill("#legal_reference", reference)
    page.select_option("#kind", kind)
    page.fill("#subjects", "account: alice")
    page.fill("#period_from", "2026-02-01T00:00")
    page.fill("#period_until", "2026-03-02T00:00")
    page.fill("#deadline", "2099-01-01T00:00")
    page.check("#nondisclosure")
    if tmp is not None:
        order = tmp / "freeze-order.pdf"
        order.write_bytes(b"%PDF-1.7 Westminster Magistrates' Court account freezing order")
        page.set_input_files("#attachments", str(order))
    page.click("#log-request")
    page.wait_for_selector(".flash")
    assert "logged" in page.inner_text(".flash")
    return page.url.rsplit("/", 1)[-1]


def test_a_freeze_order_verified_approved_enforced_and_kept_from_the_customer_and_a_package_that_verifies(
    served: tuple[Server, str, bytes], browser: Browser, tmp_path: Path
) -> None:
    server, token, public_key = served
    events = Events()
    kyc = KycSubmitted(**events._base(-60, account_id="alice", full_name="Alice Liddell", level=2))
    for event in (kyc, events.deposit(0, fiat="20000", account_id="alice")):
        _event(server, token, event)

    # 1. The liaison officer lands on the law-enforcement desk and logs the freeze order, with the order.
    lia = _sign_in(browser, server, "lia", "/console/ler")
    rid = _log_request(lia, "freeze", "freeze_order", "NCA-AFO-2026-0042", tmp_path)
    assert lia.inner_text("#ler-state") == "received"
    assert "an official domain" in lia.inner_text("#verification")
    assert "freeze-order.pdf" in lia.inner_text("#attachments")
    assert "Not verified: no freeze can be requested yet" in lia.inner_text("#orders")
    _shot(lia, "1-logged")

    # 2. A supervisor calls the agency back on the directory's number and verifies the request.
    sam = _sign_in(browser, server, "sam", "/console/queue")
    sam.click("#nav-ler")
    sam.locator("tr.ler-request", has_text=rid).locator("a.request-link").click()
    sam.wait_for_url(f"**/console/ler/{rid}")
    sam.select_option("#method", "callback")
    sam.select_option("#confirmed", "yes")
    sam.fill("#step-note", "NCA duty desk confirmed the order")
    sam.click("#record-step")
    assert "+44" in sam.inner_text("#steps")  # the directory's number, not one the request gave
    sam.fill("#verify-note", "call-back confirmed")
    sam.click("#verify")
    assert sam.inner_text("#ler-state") == "verified"
    assert "Verified by sam" in sam.inner_text("#verification-status")
    _shot(sam, "2-verified")

    # 3. The officer resolves the subject and requests the freeze: it waits for another person.
    lia.reload()
    lia.click("#resolve")
    assert "alice" in lia.inner_text("#in-scope")
    lia.select_option("#freeze-account", "alice")
    lia.click("#request-freeze")  # confirmed by the dialog handler
    assert "waits for a supervisor" in lia.inner_text(".flash")
    row = lia.locator("tr.order-action").first
    assert row.locator(".status").inner_text() == "pending"
    assert lia.locator("button.approve").count() == 0 and "another supervisor" in row.inner_text()
    _shot(lia, "3-freeze-requested")

    # 4. The supervisor approves it (four eyes: not the person who requested it).
    sam.reload()
    row = sam.locator("tr.order-action").first
    row.locator("input.approve-reason").fill("order checked against the court's register")
    row.locator("button.approve").click()
    assert "approved" in sam.inner_text(".flash")
    assert sam.locator("tr.order-action .status").first.inner_text() == "applied"
    _shot(sam, "4-approved")

    # 5. The engine blocks the account's next withdrawal.
    blocked = _event(server, token, events.withdrawal(10, fiat="50", account_id="alice"))
    assert blocked["outcome"] == "block"
    assert "desk.account_frozen" in json.dumps(blocked["reasons"])

    # 6. What the customer's side is shown reveals nothing of the order.
    body = json.dumps({"account_id": "alice", "text": "why can't I withdraw?", "kyc_verified": True}).encode()
    status, appeal = _call(server, token, "POST", "/v1/appeals", body)
    assert status == 201
    status, controls = _call(server, token, "GET", "/v1/accounts/alice/controls")
    assert status == 200 and json.loads(controls)["frozen"] is True
    for answer in (json.dumps(blocked), appeal, controls):
        for secret in (*SECRETS, rid):
            assert secret.lower() not in answer.lower(), (secret, answer)

    # 7. An information request: verified, resolved, answered with a package that verifies.
    info = _log_request(lia, "information", "court_order", "NCA-PO-2026-0007")
    lia.select_option("#method", "portal")
    lia.click("#record-step")
    lia.fill("#verify-note", "received through the agency's portal")
    lia.click("#verify")
    lia.click("#resolve")
    lia.click("#generate")
    lia.wait_for_selector("#package")
    assert "Verifies" in lia.inner_text("#signature-status")
    shown = lia.inner_text("#archive-sha256")
    assert len(lia.inner_text("#manifest-sha256")) == 64
    _shot(lia, "5-package")
    with lia.expect_download() as download:
        lia.click("#download")
    archive = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(archive).hexdigest() == shown  # regenerated byte for byte
    assert verify_package(archive, public_key) == []  # what `vigil ler check` does
    lia.goto(f"/console/ler/{info}")
    assert lia.locator("tr.disclosure").count() == 2  # every export recorded
    _shot(lia, "6-disclosures")

    # 8. The audit log holds every act, and its chain verifies.
    out = vigil_cli("audit", "verify", db=server.db)
    assert out.startswith("ok:")
    records = [json.loads(line) for line in vigil_cli("audit", "show", "--json", db=server.db).splitlines()]
    acts = {(r["actor"], r["action"]) for r in records if r["subject"] in (f"ler:{rid}", f"ler:{info}")}
    assert {
        ("lia", "ler.received"),
        ("lia", "ler.attached"),
        ("sam", "ler.verification"),
        ("sam", "ler.verified"),
        ("lia", "ler.freeze_requested"),
        ("lia", "ler.disclosed"),
        ("sam", "ler.read"),
    } <= acts, acts
    assert any(r["actor"] == "sam" and r["action"] == "case.action_approved" for r in records)
