"""``POST /v1/events`` without the framework's layers: the hot path of the service.

FastAPI and Starlette cost about a quarter of a decision's time in the profile (middleware, exception
scaffolding, routing, dependency solving; docs/benchmarks.md). This ASGI middleware answers exactly
``POST /v1/events`` itself, with the route's own guard (its declared roles), the same ``decide_one``
and the same error table, and hands every other request to the app. The route stays declared in
FastAPI, so the spec, the role walk and the schemathesis run all see it.
"""

from __future__ import annotations

import logging

from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vigil.api.auth import authorize
from vigil.api.errors import error_response, vigil_error
from vigil.api.routes.events import MAX_EVENT_BYTES, check_size, decide_one
from vigil.api.services import Services
from vigil.errors import TooLarge, VigilError
from vigil.model.access import Role

log = logging.getLogger("vigil.api")
_JSON_HEADERS = [(b"content-type", b"application/json")]
_REPLAYED = (b"vigil-replayed", b"true")


class FastEvents:
    def __init__(self, app: ASGIApp, route: APIRoute) -> None:
        self.app = app
        self.route = route
        roles = (route.openapi_extra or {})["x-roles"]
        self.allowed = frozenset(Role(r) for r in roles)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/events" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route  # for the access log and the metrics' route label
        services: Services = scope["app"].state.services
        authorization = content_length = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"content-length":
                content_length = value.decode("latin-1")
        try:
            principal = authorize(services.access, authorization or "", self.allowed)
            scope.setdefault("state", {})["principal"] = principal
            check_size(content_length, MAX_EVENT_BYTES)
            body = await _read(receive)
            content, made = await decide_one(services, body)
        except _Gone:
            return  # nothing was decided, and nobody is left to answer
        except VigilError as exc:
            await vigil_error(exc)(scope, receive, send)
            return
        except Exception:
            log.exception("unhandled error on POST /v1/events")
            await error_response(500, "internal", "internal error; it has been logged")(scope, receive, send)
            return
        headers = [*_JSON_HEADERS, (b"content-length", str(len(content)).encode())]
        if not made:
            headers.append(_REPLAYED)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": content})


class _Gone(Exception):
    """The client disconnected before sending the whole body."""


async def _read(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_EVENT_BYTES:
            raise TooLarge(f"body over the limit of {MAX_EVENT_BYTES} bytes", field="body")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
