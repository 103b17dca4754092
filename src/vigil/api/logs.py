"""Structured logs: one JSON object per line, and an ASGI middleware for the access log and metrics.

The access log names the route template (``/v1/decisions/{event_id}``), never the filled-in path, query
or body, and identifies the caller by key id or username: no personal data beyond identifiers.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vigil.api.metrics import Metrics

_ENCODE = msgspec.json.Encoder().encode
_ACCESS = logging.getLogger("vigil.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return _ENCODE(entry).decode()


def configure(level: str) -> None:
    """JSON lines on stderr for Vigil's loggers and uvicorn's."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("vigil", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


class AccessLog:
    """Times every HTTP request; counts it in the metrics and (optionally) logs one line."""

    def __init__(self, app: ASGIApp, metrics: Metrics, *, log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.request(method, template, status, elapsed)
            if self.log:
                state = scope.get("state") or {}
                principal = state.get("principal")
                _ACCESS.info(
                    "request",
                    extra={
                        "fields": {
                            "method": method,
                            "route": template,
                            "status": status,
                            "ms": round(elapsed * 1000, 3),
                            "caller": principal.name if principal is not None else None,
                        }
                    },
                )
