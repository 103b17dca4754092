"""The one table from errors to HTTP: status and stable error code, and the handlers that apply it.

Every error body is ``{"error": {"code", "message", "field"?, "line"?}}``. The code is stable (clients
branch on it); the message is for people. Unknown exceptions become 500 ``internal`` and are logged
with their traceback, never shown.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from vigil import errors

log = logging.getLogger("vigil.api")

# Most specific first: the first class an error is an instance of decides.
TABLE: tuple[tuple[type[Exception], int, str], ...] = (
    (errors.InvalidEvent, 422, "invalid_event"),
    (errors.InvalidAddress, 422, "invalid_address"),
    (errors.InvalidProof, 422, "invalid_proof"),
    (errors.UnsupportedProof, 422, "unsupported_proof"),
    (errors.WeakPassword, 422, "weak_password"),
    (errors.TooLarge, 413, "too_large"),
    (errors.UnsupportedMediaType, 415, "unsupported_media_type"),
    (errors.InvalidInput, 422, "invalid_input"),
    (errors.TooManyAttempts, 429, "too_many_attempts"),
    (errors.NotAuthenticated, 401, "not_authenticated"),
    (errors.Forbidden, 403, "forbidden"),
    (errors.NotFound, 404, "not_found"),
    (errors.EventIdReused, 409, "event_id_reused"),
    (errors.NotVerified, 409, "not_verified"),
    (errors.Conflict, 409, "conflict"),
    (errors.NotReady, 503, "not_ready"),
    (errors.NotifyError, 502, "notify_failed"),
    (errors.BusUnavailable, 503, "bus_unavailable"),
    (errors.DecisionTimeout, 503, "decision_timeout"),
    (errors.StorageError, 503, "storage_unavailable"),
    (errors.ClusterMismatch, 500, "cluster_mismatch"),
    (errors.ConfigError, 500, "misconfigured"),
    (errors.VigilError, 500, "internal"),
)
HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
}
_ENCODE = msgspec.json.Encoder().encode


def status_of(exc: Exception) -> tuple[int, str]:
    for cls, status, code in TABLE:
        if isinstance(exc, cls):
            return status, code
    return 500, "internal"


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return Response(
        _ENCODE({"error": body}), status_code=status, media_type="application/json", headers=headers
    )


def error_body(exc: errors.VigilError) -> dict[str, Any]:
    """The error object for one item of a batch."""
    status, code = status_of(exc)
    body: dict[str, Any] = {"code": code, "status": status, "message": getattr(exc, "message", str(exc))}
    if isinstance(exc, errors.InvalidInput) and exc.field is not None:
        body["field"] = exc.field
    return body


def vigil_error(exc: errors.VigilError) -> Response:
    status, code = status_of(exc)
    if status >= 500:
        log.error("request failed: %s", exc)
    if isinstance(exc, errors.InvalidInput):
        return error_response(status, code, exc.message, field=exc.field, line=exc.line)
    if isinstance(exc, errors.TooManyAttempts):
        return error_response(status, code, str(exc), headers={"Retry-After": str(exc.retry_after)})
    return error_response(status, code, str(exc))


async def _vigil_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.VigilError)
    return vigil_error(exc)


async def _validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":  # the whole body is unreadable; its loc is a character offset
        where = first.get("loc", ("body", "?"))[-1]
        ctx = first.get("ctx")
        reason = ctx.get("error", "not JSON") if isinstance(ctx, dict) else "not JSON"
        message = f"malformed JSON at character {where}: {reason}"
        return error_response(422, "invalid_input", message, field="body")
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    whole_body = tuple(first.get("loc", ())) == ("body",)  # no body at all, or not an object
    field = ".".join(loc) or ("body" if whole_body else None)
    return error_response(422, "invalid_input", str(first.get("msg", "invalid request")), field=field)


async def _http_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


async def _internal_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal", "internal error; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.VigilError, _vigil_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(HTTPException, _http_handler)
    app.add_exception_handler(Exception, _internal_handler)
