"""A ``Notifier`` that mails each notice through an SMTP relay (smtplib; docs/notifications.md).

Subject ``[Vigil <severity>] <title>``; a plain-text body: the notice's text, its console link, then
kind, case and time; headers ``X-Vigil-Kind`` and ``X-Vigil-Case`` for mail filters.
"""

from __future__ import annotations

import contextlib
import math
import re
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from vigil.errors import ConfigError, NotifyError
from vigil.model.notify import Notice

# A bare address (local@domain): no display name, spaces, brackets or separators. Deliberately plain:
# the relay judges deliverability; this catches settings that cannot be an address at all.
_ADDRESS = re.compile(r"[^@\s<>,;:\"()\[\]\\]+@[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _check_address(role: str, address: str) -> None:
    if not _ADDRESS.fullmatch(address):
        raise ConfigError(f"mail {role} {address!r} is not an e-mail address (local@domain)")
    if not address.isascii():  # would need SMTPUTF8, which relays need not offer
        raise ConfigError(f"mail {role} {address!r} is not ASCII (use its punycode domain)")


def message_of(notice: Notice, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    """The mail sent for a notice (pure: tests and previews build it without a server)."""
    when = datetime.fromtimestamp(notice.at_us / 1e6, UTC)
    msg = EmailMessage()
    msg["Subject"] = f"[Vigil {notice.severity}] {notice.title}"
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid("vigil", domain=sender.rsplit("@", 1)[1])
    msg["X-Vigil-Kind"] = notice.kind
    msg["X-Vigil-Case"] = notice.case_id
    lines = [notice.text.rstrip(), ""]
    if notice.link:
        lines += [f"Open: {notice.link}", ""]
    lines += [
        f"kind: {notice.kind}",
        f"case: {notice.case_id}",
        f"at: {when.strftime('%Y-%m-%d %H:%M:%S UTC')}",
    ]
    msg.set_content("\n".join(lines) + "\n")
    return msg


class EmailNotifier:
    """Mails each notice to ``recipients`` from ``sender`` through the relay at ``host:port``.

    ``__init__`` validates (``ConfigError`` naming what is wrong): every address, the port, a positive
    timeout, a username only with a password, and credentials only over STARTTLS unless the relay is
    on this machine (a password is never sent in clear over a network). With ``starttls`` the relay
    must offer STARTTLS and a certificate valid for ``host``, else the notice is not sent.

    ``send`` delivers once or raises ``NotifyError`` naming the relay and why: refused connection,
    timeout, TLS or login failure, a refused sender, or refused recipients (when the relay took the
    mail for some recipients and refused others, it is delivered to those and the error names the
    refused ones). ``timeout`` (seconds) bounds each network wait.
    """

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: tuple[str, ...],
        *,
        timeout: float = 10.0,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        if not host or any(c.isspace() for c in host):
            raise ConfigError(f"SMTP host {host!r} is not a host name")
        if not 1 <= port <= 65535:
            raise ConfigError(f"SMTP port {port} is out of range (1-65535)")
        if not (math.isfinite(timeout) and timeout > 0):
            raise ConfigError(f"SMTP timeout must be a positive number of seconds, not {timeout!r}")
        _check_address("sender", sender)
        if not recipients:
            raise ConfigError("mail recipients are empty: name at least one address")
        for recipient in recipients:
            _check_address("recipient", recipient)
        if (username is None) != (password is None):
            raise ConfigError("SMTP username and password go together: set both or neither")
        if username is not None and not starttls and host.lower() not in _LOOPBACK:
            raise ConfigError(
                f"SMTP login to {host} needs starttls: the password would cross the network in clear"
            )
        self.host, self.port, self.sender, self.recipients = host, port, sender, tuple(recipients)
        self.timeout, self.starttls = timeout, starttls
        self._login = (username, password) if username is not None and password is not None else None
        self.channel = f"mail via {host}:{port}"

    def send(self, notice: Notice) -> None:
        msg = message_of(notice, self.sender, self.recipients)
        smtp = smtplib.SMTP(timeout=self.timeout)
        sent = False
        try:
            smtp.connect(self.host, self.port)
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._login is not None:
                smtp.login(*self._login)
            refused = smtp.send_message(msg, self.sender, list(self.recipients))
            sent = True
        except smtplib.SMTPRecipientsRefused as exc:
            raise NotifyError(
                f"{self.channel}: every recipient refused ({_refusals(exc.recipients)})"
            ) from exc
        except smtplib.SMTPSenderRefused as exc:
            raise NotifyError(
                f"{self.channel}: sender {self.sender} refused ({_said(exc.smtp_code, exc.smtp_error)})"
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise NotifyError(f"{self.channel}: {_said(exc.smtp_code, exc.smtp_error)}") from exc
        except (smtplib.SMTPException, ssl.SSLError) as exc:  # not supported, disconnected, TLS failure
            raise NotifyError(f"{self.channel}: {type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:
            raise NotifyError(f"{self.channel}: timed out after {self.timeout:g} s") from exc
        except OSError as exc:  # refused, unreachable, reset, unknown host
            raise NotifyError(f"{self.channel}: {exc.strerror or exc}") from exc
        finally:
            _close(smtp, polite=sent)
        if refused:
            raise NotifyError(
                f"{self.channel}: delivered, but some recipients refused ({_refusals(refused)})"
            )

    def __repr__(self) -> str:  # never the password
        return f"EmailNotifier({self.channel!r}, to={len(self.recipients)}, starttls={self.starttls})"


def _said(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address}: {_said(code, text)}" for address, (code, text) in refused.items())


def _close(smtp: smtplib.SMTP, *, polite: bool) -> None:
    """Say QUIT after a delivery (a courtesy: its failure never changes the outcome); after a failure
    just drop the connection, so a silent relay costs one timeout, not two."""
    if polite:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
    smtp.close()
