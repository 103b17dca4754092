"""Every answer an operation can give, in the spec: the errors each can return and the real success status.

FastAPI documents what a route declares; Vigil's routes answer errors from one table (``errors.py``)
whatever they declare. ``document_answers`` completes the spec from that table and the route's shape, so
that a client (and schemathesis, which checks every response against the spec) sees every status an
operation can return with the ``Error`` schema, never FastAPI's own validation-error shape:

- every operation: 400 (a request that cannot be read), 422 (a parameter or body that is wrong, the
  error naming the field), 429 (a rate limit: sign-ins, appeals), 500 and 503 (storage unavailable);
- guarded operations: 401 and 403 (``auth.guard`` adds them);
- operations with a request body: 413 (too large) and 415 (not JSON);
- operations with a path parameter: 404 (no such case, key, person, event or account);
- operations that change state (POST, PUT, DELETE): 409 (the state forbids it, or an event id reused
  with another body).

Success statuses other than 200 (201 created, 204 no content) are declared on the routes themselves.
The descriptions come from ``ERRORS``; a test checks every status of ``errors.TABLE`` is in it.
"""

from __future__ import annotations

import copy
from typing import Any

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
ERRORS: dict[int, str] = {
    400: "the request cannot be read",
    401: "no valid credentials",
    403: "none of the roles this route admits",
    404: "no such resource",
    409: "the resource's state forbids it, or an event id was reused with another body",
    413: "the body is too large",
    415: "the body is not JSON",
    422: "invalid input; the error names the field",
    429: "too many attempts; Retry-After says when to try again",
    500: "an internal error (logged, never shown)",
    502: "a notification could not be sent (the command line; routes hand notices to the outbox)",
    503: "storage or a dependency is unavailable, or the service is not ready",
}
_ALWAYS = (400, 422, 429, 500, 503)
_WITH_BODY = (413, 415)
_CHANGES = frozenset({"post", "put", "patch", "delete"})


def document_answers(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with every operation's error answers (``ERRORS``), in place; returned for chaining."""
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            answers: dict[str, Any] = op["responses"]
            codes = list(_ALWAYS)
            if "security" in op:
                codes += [401, 403]
            if "requestBody" in op:
                codes += list(_WITH_BODY)
            if "{" in path:
                codes.append(404)
            if method in _CHANGES:
                codes.append(409)
            for code in codes:
                answer = answers.setdefault(str(code), {"description": ERRORS[code]})
                answer["content"] = copy.deepcopy(_ERROR)  # FastAPI's 422 shape is not what Vigil answers
    schemas = spec.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return spec
