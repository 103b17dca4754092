"""The Notifier contract (vigil.ports), run unchanged against the memory, webhook and mail adapters.

Each real adapter talks to a real receiver on 127.0.0.1 started here: an HTTP server for the webhook,
an SMTP server (aiosmtpd) for mail. Nothing of the network is mocked. The later tests are each
adapter's own: the JSON body and its signature, the mail's form, failures, fan-out, configuration.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from vigil import bootstrap
from vigil.adapters.notify_email import EmailNotifier
from vigil.adapters.notify_fanout import FanoutNotifier
from vigil.adapters.notify_memory import MemoryNotifier
from vigil.adapters.notify_webhook import WebhookNotifier
from vigil.errors import ConfigError, NotifyError
from vigil.model.notify import Notice
from vigil.ports import Notifier
from vigil.settings import Settings

T0 = 1_793_534_400_000_000  # 2026-11-01 12:00 UTC, in µs
SECRET = "s3cret-shared-with-the-receiver"


def notice(n: int = 1, **changes: Any) -> Notice:
    base = Notice(
        kind="sla.breached",
        case_id=f"c-{n:06d}",
        title=f"high case c-{n:06d} missed its acknowledge deadline",
        text=f"Case c-{n:06d} (high, priority 80, region eu) was due by 2026-11-01 11:00 UTC.\n"
        "It is now in the supervisor queue.",
        severity="high",
        at_us=T0 + n,
        link=f"/console/cases/c-{n:06d}",
    )
    return dataclasses.replace(base, **changes)


# -- receivers ------------------------------------------------------------------------------------


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 that records every request and answers ``status``."""

    def __init__(self, status: int = 204, location: str | None = None) -> None:
        self.requests: list[HttpRequest] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append(HttpRequest(self.command, self.path, headers, body))
                self.send_response(receiver.status)
                if location is not None:
                    self.send_header("Location", location)
                payload = b"receiver says no" if receiver.status >= 400 else b""
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = _record
            do_GET = _record

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/vigil-token-123"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def notices(self) -> list[Notice]:
        return [Notice(**json.loads(r.body)) for r in self.requests if r.method == "POST"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class _Handler:
    refuse: frozenset[str]
    mails: list[Mail] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.mails.append(Mail(envelope.mail_from or "", list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 queued"


def _check_login(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"desk", b"right")
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


class SmtpReceiver:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, on its own event loop thread, keeping every mail."""

    def __init__(self, refuse: frozenset[str] = frozenset(), *, auth: bool = False) -> None:
        self.handler = _Handler(refuse)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        def protocol() -> SMTP:
            if auth:  # plaintext AUTH: the adapter allows it only to a relay on this machine
                return SMTP(
                    self.handler,
                    hostname="receiver.test",
                    loop=self.loop,
                    authenticator=_check_login,
                    auth_require_tls=False,
                )
            return SMTP(self.handler, hostname="receiver.test", loop=self.loop)

        start = self.loop.create_server(protocol, "127.0.0.1", 0)
        self.server = asyncio.run_coroutine_threadsafe(start, self.loop).result(5)
        self.port: int = self.server.sockets[0].getsockname()[1]

    @property
    def mails(self) -> list[Mail]:
        return self.handler.mails

    def notices(self) -> list[tuple[str, str, str]]:
        prefix_end = "] "
        return [
            (
                str(m.message["X-Vigil-Kind"]),
                str(m.message["X-Vigil-Case"]),
                str(m.message["Subject"]).split(prefix_end, 1)[1],
            )
            for m in self.mails
        ]

    def close(self) -> None:
        async def stop() -> None:
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def silent() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver(refuse=frozenset({"nobody@example.org"}))
    yield receiver
    receiver.close()


def mailer(port: int, *recipients: str, **kwargs: Any) -> EmailNotifier:
    to = recipients or ("oncall@example.org",)
    return EmailNotifier(
        "127.0.0.1", port, "vigil@example.org", to, timeout=kwargs.pop("timeout", 5.0), **kwargs
    )


# -- the contract, for every adapter ----------------------------------------------------------------


@dataclass
class Channel:
    """A notifier under test, what its receiver got (kind, case id, title per notice), and how to
    make the same channel fail."""

    notifier: Notifier
    received: Callable[[], list[tuple[str, str, str]]]
    broken: Callable[[], Notifier]


def _triples(notices: list[Notice]) -> list[tuple[str, str, str]]:
    return [(n.kind, n.case_id, n.title) for n in notices]


@pytest.fixture(params=["memory", "webhook", "email"])
def channel(request: pytest.FixtureRequest) -> Iterator[Channel]:
    if request.param == "memory":
        memory = MemoryNotifier()
        yield Channel(memory, lambda: _triples(memory.sent), lambda: MemoryNotifier(fail_with="down"))
    elif request.param == "webhook":
        ok, failing = WebhookReceiver(), WebhookReceiver(status=500)
        yield Channel(
            WebhookNotifier(ok.url, secret=SECRET),
            lambda: _triples(ok.notices()),
            lambda: WebhookNotifier(failing.url),
        )
        ok.close()
        failing.close()
    else:
        receiver = SmtpReceiver(refuse=frozenset({"nobody@example.org"}))
        yield Channel(
            mailer(receiver.port), receiver.notices, lambda: mailer(receiver.port, "nobody@example.org")
        )
        receiver.close()


def test_send_delivers_the_notice_once(channel: Channel) -> None:
    channel.notifier.send(notice(1))
    assert channel.received() == [("sla.breached", "c-000001", notice(1).title)]


def test_sends_arrive_in_order_each_once(channel: Channel) -> None:
    for n in (1, 2, 3):
        channel.notifier.send(notice(n))
    assert [case for _, case, _ in channel.received()] == ["c-000001", "c-000002", "c-000003"]


def test_non_ascii_text_survives(channel: Channel) -> None:
    title = "Überweisung über 10 000 € — case c-000007 wartet ✋"
    channel.notifier.send(notice(7, title=title, kind="approval.requested"))
    assert channel.received() == [("approval.requested", "c-000007", title)]


def test_a_failing_channel_raises_notify_error_and_only_that(channel: Channel) -> None:
    broken = channel.broken()
    with pytest.raises(NotifyError) as caught:
        broken.send(notice(1))
    assert str(caught.value).strip()
    assert channel.received() == []


# -- the webhook ----------------------------------------------------------------------------------


def test_webhook_posts_the_fields_as_json_signed(webhook: WebhookReceiver) -> None:
    sent = notice(3)
    WebhookNotifier(webhook.url, secret=SECRET).send(sent)
    [request] = webhook.requests
    assert request.method == "POST"
    assert request.path == "/hooks/vigil-token-123"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == dataclasses.asdict(sent)
    algorithm, _, digest = request.headers["vigil-signature"].partition("=")
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert algorithm == "sha256"
    assert hmac.compare_digest(digest, expected)
    wrong = hmac.new(b"another secret", request.body, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(digest, wrong)


def test_webhook_without_a_secret_sends_no_signature(webhook: WebhookReceiver) -> None:
    WebhookNotifier(webhook.url).send(notice(1))
    [request] = webhook.requests
    assert "vigil-signature" not in request.headers
    assert webhook.notices() == [notice(1)]


def test_webhook_500_names_the_status_and_the_channel_not_the_token() -> None:
    receiver = WebhookReceiver(status=500)
    try:
        with pytest.raises(NotifyError) as caught:
            WebhookNotifier(receiver.url, secret=SECRET).send(notice(1))
    finally:
        receiver.close()
    message = str(caught.value)
    assert "500" in message
    assert f"webhook http://127.0.0.1:{receiver.port}" in message
    assert "receiver says no" in message
    assert "vigil-token-123" not in message
    assert SECRET not in message


def test_webhook_redirect_is_a_failure_not_followed() -> None:
    receiver = WebhookReceiver(status=302, location="/elsewhere")
    try:
        with pytest.raises(NotifyError, match="302"):
            WebhookNotifier(receiver.url).send(notice(1))
    finally:
        receiver.close()
    assert [r.method for r in receiver.requests] == ["POST"]


def test_webhook_closed_port_is_a_notify_error() -> None:
    port = closed_port()
    with pytest.raises(NotifyError, match=f"127.0.0.1:{port}.*refused"):
        WebhookNotifier(f"http://127.0.0.1:{port}/hook").send(notice(1))


def test_webhook_silent_server_times_out_within_the_timeout(silent: int) -> None:
    started = time.monotonic()
    with pytest.raises(NotifyError, match="timed out"):
        WebhookNotifier(f"http://127.0.0.1:{silent}/hook", timeout=0.5).send(notice(1))
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "http:///no-host",
        "example.org/hook",
        "http://example.org:99999/",
        "http://example.org:0/",
        "https://example.org/a b",
        "https://example.org/hook/é",
        "https://example.org/?x=ü",
    ],
)
def test_webhook_malformed_url_is_a_config_error_naming_it(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        WebhookNotifier(url)
    assert url in str(caught.value)


def test_webhook_config_error_hides_a_password_in_the_url() -> None:
    with pytest.raises(ConfigError) as caught:
        WebhookNotifier("ftp://user:hunter2@example.org/hook")
    assert "hunter2" not in str(caught.value)
    assert "ftp://user:***@example.org/hook" in str(caught.value)


@pytest.mark.parametrize("timeout", [0.0, -1.0, float("nan")])
def test_webhook_timeout_must_be_positive(timeout: float) -> None:
    with pytest.raises(ConfigError, match="timeout"):
        WebhookNotifier("https://example.org/hook", timeout=timeout)


# -- mail -----------------------------------------------------------------------------------------


def test_mail_subject_body_and_envelope(smtp: SmtpReceiver) -> None:
    mailer(smtp.port, "oncall@example.org", "lead@example.org").send(notice(5, severity="critical"))
    [mail] = smtp.mails
    assert mail.mail_from == "vigil@example.org"
    assert mail.rcpt_tos == ["oncall@example.org", "lead@example.org"]
    message = mail.message
    assert message["Subject"] == f"[Vigil critical] {notice(5).title}"
    assert message["From"] == "vigil@example.org"
    assert message["To"] == "oncall@example.org, lead@example.org"
    assert message["X-Vigil-Kind"] == "sla.breached"
    body = message.get_content().replace("\r\n", "\n")
    assert notice(5).text in body
    assert "Open: /console/cases/c-000005" in body
    assert "at: 2026-11-01 12:00:00 UTC" in body


def test_mail_refused_recipient_names_it(smtp: SmtpReceiver) -> None:
    with pytest.raises(NotifyError) as caught:
        mailer(smtp.port, "nobody@example.org").send(notice(1))
    assert "nobody@example.org" in str(caught.value)
    assert "550" in str(caught.value)
    assert f"127.0.0.1:{smtp.port}" in str(caught.value)
    assert smtp.mails == []


def test_mail_partly_refused_delivers_to_the_others_and_says_so(smtp: SmtpReceiver) -> None:
    with pytest.raises(NotifyError, match=r"delivered, but some recipients refused.*nobody@example\.org"):
        mailer(smtp.port, "oncall@example.org", "nobody@example.org").send(notice(1))
    assert [m.rcpt_tos for m in smtp.mails] == [["oncall@example.org"]]


def test_mail_closed_port_is_a_notify_error() -> None:
    port = closed_port()
    with pytest.raises(NotifyError, match=f"mail via 127.0.0.1:{port}.*refused"):
        mailer(port).send(notice(1))


def test_mail_silent_server_times_out_within_the_timeout(silent: int) -> None:
    started = time.monotonic()
    with pytest.raises(NotifyError, match="timed out"):
        mailer(silent, timeout=0.5).send(notice(1))
    assert time.monotonic() - started < 2.0


def test_mail_starttls_is_required_when_asked(smtp: SmtpReceiver) -> None:
    with pytest.raises(NotifyError, match="STARTTLS"):
        mailer(smtp.port, starttls=True).send(notice(1))
    assert smtp.mails == []


def test_mail_login_to_a_local_relay() -> None:
    receiver = SmtpReceiver(auth=True)
    try:
        mailer(receiver.port, username="desk", password="right").send(notice(1))
        with pytest.raises(NotifyError, match="535"):
            mailer(receiver.port, username="desk", password="wrong").send(notice(2))
    finally:
        receiver.close()
    assert [m.message["X-Vigil-Case"] for m in receiver.mails] == ["c-000001"]


@pytest.mark.parametrize(
    "bad",
    [
        "not-an-email",
        "two@@example.org",
        "Desk <desk@example.org>",
        "",
        "a@b.org\nBcc: x@y.org",
        "jürgen@example.org",
    ],
)
def test_mail_malformed_recipient_is_a_config_error_naming_it(bad: str) -> None:
    with pytest.raises(ConfigError) as caught:
        EmailNotifier("mail.example.org", 25, "vigil@localhost", ("ok@example.org", bad))
    assert repr(bad) in str(caught.value)


def test_mail_malformed_settings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="'vigil'"):
        EmailNotifier("mail.example.org", 25, "vigil", ("ok@example.org",))
    with pytest.raises(ConfigError, match="recipients are empty"):
        EmailNotifier("mail.example.org", 25, "vigil@localhost", ())
    with pytest.raises(ConfigError, match="port 0"):
        EmailNotifier("mail.example.org", 0, "vigil@localhost", ("ok@example.org",))
    with pytest.raises(ConfigError, match="in clear"):
        EmailNotifier(
            "mail.example.org", 25, "vigil@localhost", ("ok@example.org",), username="u", password="p"
        )
    with pytest.raises(ConfigError, match="both or neither"):
        EmailNotifier("127.0.0.1", 25, "vigil@localhost", ("ok@example.org",), username="u")


# -- fan-out --------------------------------------------------------------------------------------


def test_fanout_delivers_to_the_others_and_raises_one_error_naming_the_failure(smtp: SmtpReceiver) -> None:
    failing = WebhookReceiver(status=500)
    memory = MemoryNotifier()
    try:
        fanout = FanoutNotifier([WebhookNotifier(failing.url), mailer(smtp.port), memory])
        with pytest.raises(NotifyError) as caught:
            fanout.send(notice(1))
    finally:
        failing.close()
    message = str(caught.value)
    assert message.startswith("1 of 3 channels failed (2 delivered)")
    assert f"webhook http://127.0.0.1:{failing.port}: answered 500" in message
    assert "mail via" not in message
    assert smtp.notices() == [("sla.breached", "c-000001", notice(1).title)]
    assert memory.sent == [notice(1)]


def test_fanout_lists_every_failure() -> None:
    fanout = FanoutNotifier(
        [MemoryNotifier(fail_with="a is down", name="a"), MemoryNotifier(fail_with="b too", name="b")]
    )
    with pytest.raises(NotifyError) as caught:
        fanout.send(notice(1))
    assert "2 of 2 channels failed" in str(caught.value)
    assert "a: a is down" in str(caught.value)
    assert "b: b too" in str(caught.value)


def test_fanout_of_nothing_sends_nothing_and_succeeds() -> None:
    FanoutNotifier([]).send(notice(1))


# -- the notice -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"kind": ""}, "kind"),
        ({"case_id": " "}, "case_id"),
        ({"title": ""}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"title": "header\r\nBcc: x@example.org"}, "title"),
        ({"severity": "urgent"}, "severity"),
        ({"at_us": -1}, "at_us"),
    ],
)
def test_malformed_notice_is_a_value_error_naming_the_field(changes: dict[str, Any], field_name: str) -> None:
    with pytest.raises(ValueError, match=f"'{field_name}'"):
        notice(1, **changes)


# -- wiring (bootstrap.notifier) ------------------------------------------------------------------


def test_nothing_configured_keeps_notices_in_memory() -> None:
    wired = bootstrap.notifier(Settings(db="memory"))
    assert isinstance(wired, MemoryNotifier)
    for n in range(1005):
        wired.send(notice(n))
    assert len(wired.sent) == 1000
    assert wired.sent[-1] == notice(1004)


def test_configured_channels_each_receive(webhook: WebhookReceiver, smtp: SmtpReceiver) -> None:
    settings = Settings(
        db="memory",
        notify_webhook_url=webhook.url,
        notify_webhook_secret=SECRET,
        notify_smtp_host="127.0.0.1",
        notify_smtp_port=smtp.port,
        notify_email_from="vigil@example.org",
        notify_email_to=" oncall@example.org, lead@example.org ,",
        notify_timeout_seconds=2.0,
    )
    bootstrap.notifier(settings).send(notice(9))
    assert webhook.notices() == [notice(9)]
    [request] = webhook.requests
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["vigil-signature"] == f"sha256={expected}"
    assert [m.rcpt_tos for m in smtp.mails] == [["oncall@example.org", "lead@example.org"]]


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"notify_webhook_secret": "x"}, "VIGIL_NOTIFY_WEBHOOK_URL"),
        ({"notify_email_to": "oncall@example.org"}, "VIGIL_NOTIFY_SMTP_HOST"),
        ({"notify_smtp_host": "mail.example.org"}, "VIGIL_NOTIFY_EMAIL_TO"),
        ({"notify_webhook_url": "ftp://example.org/hook"}, "ftp://example.org/hook"),
        ({"notify_smtp_host": "mail.example.org", "notify_email_to": "a@example.org,oops"}, "'oops'"),
    ],
)
def test_half_configured_channels_are_config_errors(settings: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        bootstrap.notifier(Settings(db="memory", **settings))
    assert named in str(caught.value)
