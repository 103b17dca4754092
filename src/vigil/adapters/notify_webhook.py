"""A ``Notifier`` that POSTs each notice as JSON to a webhook (standard library only; docs/notifications.md).

The body is the notice's fields as one JSON object (keys sorted, UTF-8). With a secret, the header
``Vigil-Signature: sha256=<hex>`` carries the HMAC-SHA256 of the exact body bytes under that secret,
so the receiver can check the notice came from Vigil and was not altered.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import http.client
import json
import math
import re
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import SplitResult, urlsplit

from vigil.errors import ConfigError, NotifyError
from vigil.model.notify import Notice

SIGNATURE_HEADER = "Vigil-Signature"
_REASON_CHARS = 200  # how much of a refusing receiver's answer the error quotes
_PASSWORD = re.compile(r"(://[^/?#@:]*):[^/?#@]*@")


def body_of(notice: Notice) -> bytes:
    """The exact bytes POSTed (and signed) for a notice."""
    fields = dataclasses.asdict(notice)
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature(body: bytes, secret: str) -> str:
    """The ``Vigil-Signature`` header value for a body: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would turn the POST into a bodiless GET and call that delivered."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _check_url(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError as exc:
        raise ConfigError(f"webhook URL {_redacted(url)!r} is malformed: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.port == 0:
        raise ConfigError(f"webhook URL {_redacted(url)!r} must be http:// or https:// with a host")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ConfigError(f"webhook URL {_redacted(url)!r} contains a space or control character")
    if not (parts.path + parts.query + parts.fragment).isascii():
        raise ConfigError(f"webhook URL {_redacted(url)!r} must percent-encode its path and query")
    return parts


def _redacted(url: str) -> str:
    """The URL without a password in its user part (errors and logs must not carry it)."""
    return _PASSWORD.sub(r"\1:***@", url)


def _quote(stream: IO[bytes] | None) -> str:
    if stream is None:
        return ""
    try:
        text = stream.read(_REASON_CHARS).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):  # a courtesy: the status already says it failed
        return ""
    text = " ".join(text.split())
    return f": {text}" if text else ""


class WebhookNotifier:
    """POSTs each notice to ``url``; delivered means the receiver answered 2xx.

    ``__init__`` validates: an http(s) URL with a host and a positive timeout, else ``ConfigError``.
    ``send`` raises ``NotifyError`` naming the channel (scheme, host and port only: a webhook path
    often carries a token) and why: a non-2xx status (a redirect included, never followed), a refused
    or reset connection, a timeout. ``timeout`` (seconds) bounds each network wait: the connection,
    sending, and each read of the answer. Name resolution is the system resolver's own.
    """

    def __init__(self, url: str, *, timeout: float = 5.0, secret: str | None = None) -> None:
        parts = _check_url(url)
        if not (math.isfinite(timeout) and timeout > 0):
            raise ConfigError(f"webhook timeout must be a positive number of seconds, not {timeout!r}")
        if secret is not None and not secret:
            raise ConfigError("webhook secret is empty: unset it, or give a real one")
        self.url = url
        self.timeout = timeout
        self._secret = secret
        port = f":{parts.port}" if parts.port is not None else ""
        self.channel = f"webhook {parts.scheme}://{parts.hostname}{port}"
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, notice: Notice) -> None:
        body = body_of(notice)
        headers = {"Content-Type": "application/json", "User-Agent": "vigil-notifier"}
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = signature(body, self._secret)
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = int(response.status)
                if not 200 <= status < 300:  # urllib raises for most; a 1xx final answer would slip by
                    raise NotifyError(f"{self.channel}: answered {status} {response.reason}")
        except urllib.error.HTTPError as exc:
            try:
                why = f"answered {exc.code} {exc.reason}{_quote(exc.fp)}"
                raise NotifyError(f"{self.channel}: {why}") from exc
            finally:
                exc.close()
        except urllib.error.URLError as exc:
            reason = exc.reason
            why = f"timed out after {self.timeout:g} s" if isinstance(reason, TimeoutError) else str(reason)
            raise NotifyError(f"{self.channel}: {why}") from exc
        except TimeoutError as exc:
            raise NotifyError(f"{self.channel}: timed out after {self.timeout:g} s") from exc
        except (OSError, http.client.HTTPException) as exc:  # reset, closed without an answer, garbled answer
            raise NotifyError(f"{self.channel}: {type(exc).__name__}: {exc}") from exc

    def __repr__(self) -> str:  # never the URL's path or the secret
        return f"WebhookNotifier({self.channel!r}, timeout={self.timeout:g})"
