"""The ASGI app: routes, the error table, access log and metrics, the OpenAPI spec.

``create_app(settings)`` opens the stores and rebuilds the engine at start-up; ``create_app(services=...)``
serves already-built services (tests). Every route must declare its roles (``guard``): the app refuses
to start otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from vigil import bootstrap
from vigil.api import console, errors, logs
from vigil.api.documented import document_answers
from vigil.api.fast import FastEvents
from vigil.api.metrics import Metrics
from vigil.api.routes import access, cases, events, graph, ler, ops, recovery, screening
from vigil.api.routes.events import check_json
from vigil.api.schemas import event_components
from vigil.api.services import NO_MODEL, Services, build
from vigil.api.views_schema import view_components
from vigil.errors import VigilError
from vigil.settings import Settings
from vigil.version import __version__

log = logging.getLogger("vigil.api")

DESCRIPTION = """\
Vigil decides every user action of a crypto exchange (allow, challenge, review, hold, block) with
reasons. Authenticate with `Authorization: Bearer <token>`: an API key (`vigil keys create`) for a
calling service, or a session token from `POST /v1/auth/login` for a person. Each operation lists the
roles it admits in `x-roles`. Errors are `{"error": {"code", "message", "field"}}` with stable codes.
"""


ROUTERS = (
    events.router,
    screening.router,
    graph.router,
    cases.router,
    ler.router,
    recovery.router,
    access.router,
    ops.router,
)


def api_routes() -> list[APIRoute]:
    """Every route the app serves (besides the spec and its viewer)."""
    return [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def _check_guarded() -> None:
    for route in api_routes():
        if "x-roles" not in (route.openapi_extra or {}):
            raise VigilError(f"route {route.path} declares no roles: use **guard(...)")


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        spec = get_openapi(
            title="Vigil", version=__version__, description=DESCRIPTION, routes=app.routes, tags=None
        )
        components = spec.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas.update(event_components())
        schemas.update(view_components())
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "API key or session token"}
        }
        app.openapi_schema = document_answers(spec)
    return app.openapi_schema


class JsonOnly:
    """A request to ``/v1/`` that names its body's type must name JSON: 415 ``unsupported_media_type``
    otherwise (a form, plain text, another charset). A body without a Content-Type is read as JSON;
    the console's forms are not under ``/v1/``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/") and scope["method"] in _WITH_BODY:
            content_type = next((v for n, v in scope["headers"] if n == b"content-type"), None)
            if content_type is not None:
                try:
                    check_json(content_type.decode("latin-1"))
                except VigilError as exc:
                    await errors.vigil_error(exc)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
SWAGGER_ASSETS = "/docs/assets"


def _docs(app: FastAPI) -> None:
    """``/docs`` with Swagger UI's files served from a package (fastapi-offline ships them): no CDN, so
    the page works on a machine without internet access."""
    import fastapi_offline  # only for where its files are; its app factory is not used

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json",
            title="Vigil API",
            swagger_js_url=f"{root}{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{SWAGGER_ASSETS}/favicon.png",
        )


def _reload_on_hup(services: Services) -> None:
    def reload() -> None:
        try:
            if services.engine.reload_rules(force=True):
                log.info("rules reloaded", extra={"fields": {"rules": services.engine.rules.version}})
        except VigilError as exc:
            log.error("rules not reloaded, keeping %s: %s", services.engine.rules.version, exc)
        models = services.stores.models if services.stores is not None else None
        if models is None:
            return
        engine = services.engine
        try:
            scorer = bootstrap.scorer(models, engine.catalog)
        except VigilError as exc:
            log.error("models not reloaded, keeping %s: %s", engine.versions.models or "none", exc)
            return
        engine.set_scorer(scorer)
        log.info("models reloaded", extra={"fields": {"models": engine.versions.models or "none"}})

    with contextlib.suppress(NotImplementedError, RuntimeError):  # no signals off the main thread
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, reload)


async def _clocks(services: Services, every: float) -> None:
    """Check the desk's SLA clocks every ``every`` seconds (breaches escalate and notify)."""
    while True:
        await asyncio.sleep(every)
        if services.security is None:
            return
        try:
            breached = services.security.desk.tick()
        except VigilError as exc:  # a storage hiccup: the next tick records what this one missed
            log.error("SLA check failed: %s", exc)
            continue
        if breached:
            log.warning("SLA breached", extra={"fields": {"cases": [c.case_id for c in breached]}})
        if services.liaison is not None:
            try:
                happened = services.liaison.tick()
            except VigilError as exc:  # as above: the next tick catches up
                log.error("law-enforcement clocks failed: %s", exc)
                continue
            if happened:
                log.warning("law-enforcement clocks", extra={"fields": {"what": happened}})


async def _follow(services: Services, every: float) -> None:
    """With workers (``VIGIL_BUS``) the decisions are made and journalled in other processes: read them
    into the desk (alerts, cases) and the recovery desk (uncredited deposits) every ``every`` seconds."""
    while True:
        await asyncio.sleep(every)
        try:
            added = services.security.feed.catch_up() if services.security is not None else 0
            if services.recovery is not None:
                services.recovery.catch_up()
        except VigilError as exc:  # a storage hiccup: the next turn reads what this one missed
            log.error("reading the workers' decisions failed: %s", exc)
            continue
        if added:
            log.info("alerts from the workers", extra={"fields": {"alerts": added}})


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    settings = settings or (services.settings if services is not None else Settings())
    metrics = services.metrics if services is not None else Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        current = services if services is not None else build(settings, metrics)
        app.state.services = current
        _reload_on_hup(current)
        clocks = asyncio.create_task(_clocks(current, settings.desk_tick_seconds))
        freezes = asyncio.create_task(current.freezes.run()) if current.freezes is not None else None
        follow = (
            asyncio.create_task(_follow(current, settings.desk_follow_seconds))
            if current.decider.submitter is not None
            else None
        )
        bootstrap.tune_gc()
        log.info(
            "ready",
            extra={
                "fields": {
                    "events": current.engine.known_events,  # counting the journal scans it: seconds at 10M
                    "db": _where(settings),
                    "models": current.engine.versions.models or NO_MODEL,
                    **_start_fields(current),
                }
            },
        )
        try:
            yield
        finally:
            clocks.cancel()
            for task in (freezes, follow):
                if task is not None:
                    task.cancel()
            if services is None:
                current.close()

    app = FastAPI(
        title="Vigil",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # served by _docs, from local files
        redoc_url=None,
    )
    if services is not None:
        app.state.services = services
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(console.router)  # its pages check the signed-in person's roles themselves
    _check_guarded()
    _docs(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    hot = next(r for r in api_routes() if r.path == "/v1/events" and "POST" in (r.methods or ()))
    app.add_middleware(FastEvents, route=hot)
    app.add_middleware(JsonOnly)  # before the hot path, so it covers POST /v1/events too
    app.add_middleware(logs.AccessLog, metrics=metrics, log=settings.access_log)  # outermost
    return app


def _start_fields(services: Services) -> dict[str, object]:
    """How the engine started, for the ``ready`` line: the snapshot (or none), what was replayed."""
    started = services.started
    if started is None:
        return {}
    return {
        "snapshot": started.snapshot or "none: full replay",
        "replayed": started.replayed,
        "start_seconds": round(started.seconds, 3),
        **({"snapshots_refused": list(started.refused)} if started.refused else {}),
    }


def _where(settings: Settings) -> str:
    """The database, without a password."""
    if settings.is_postgres and "@" in settings.db:
        scheme, _, rest = settings.db.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"
    return settings.db
