"""Operations: liveness, readiness, Prometheus metrics, and the engine's state for audits."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.responses import PlainTextResponse, Response

from vigil.api.auth import EVERYONE, guard
from vigil.api.errors import error_body
from vigil.api.schemas import returns
from vigil.api.services import NO_MODEL, services_of
from vigil.codec import encode_view
from vigil.errors import NotReady, StorageError, VigilError
from vigil.model.access import Role

router = APIRouter(tags=["operations"])
log = logging.getLogger("vigil.api")
_JSON = "application/json"


@router.get("/healthz", summary="The process is up", **guard(public=True, responses=returns("Health", "up")))
async def health() -> Response:
    return Response(b'{"status":"ok"}', media_type=_JSON)


@router.get(
    "/readyz",
    summary="The service can decide and store (503 while it cannot)",
    **guard(public=True, responses=returns("Ready", "ready: the last commit worked")),
)
async def ready(request: Request) -> Response:
    services = services_of(request)
    decider = services.decider
    ok = decider.last_error is None  # the last commit worked (a stale engine rebuilds on its next event)
    error: VigilError | None = StorageError(decider.last_error) if decider.last_error else None
    if decider.submitter is not None:  # partitioned workers: every partition needs a live owner
        try:
            unowned = await decider.submitter.unowned()
        except VigilError as exc:  # the bus is down, or no worker joined yet
            ok, error = False, exc
        else:
            if unowned:
                ok = False
                error = NotReady(f"partition(s) {', '.join(map(str, unowned))} have no owner")
                log.error("partition(s) %s have no owner: no worker holds their lease", unowned)
    if services.freezes is not None and services.freezes.failure is not None:
        ok, error = False, NotReady(services.freezes.failure)  # the workers miss a freeze the desk applied
    services.metrics.ready.set(1 if ok else 0)
    body = {
        "ready": ok,
        # The error object every error answer has (a 503 is an error): the commit's failure, as a client
        # of a failed decision saw it; with workers, the partitions without an owner.
        **({"error": error_body(error)} if error is not None else {}),
        "models": services.engine.versions.models or NO_MODEL,
    }
    return Response(encode_view(body), status_code=200 if ok else 503, media_type=_JSON)


@router.get(
    "/metrics", summary="Prometheus metrics", response_class=PlainTextResponse, **guard(allowed=EVERYONE)
)
async def metrics(request: Request) -> Response:
    services = services_of(request)
    return Response(services.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


@router.get(
    "/v1/admin/state",
    summary="What the engine runs: versions, events held, a digest of its feature state",
    description=(
        "The feature-state digest equals that of a fresh replay of the journal when no event was lost "
        "or counted twice."
    ),
    **guard(Role.ADMIN, Role.AUDITOR, responses=returns("State", "versions, events held, the digest")),
)
async def state(request: Request) -> Response:
    engine = services_of(request).engine
    v = engine.versions
    engine.commit()
    body = {
        "events": engine.journal.count(),
        "feature_state": engine.catalog.state_digest(),
        "versions": {"engine": v.engine, "catalog": v.catalog, "rules": v.rules, "lists": v.lists},
    }
    return Response(encode_view(body), media_type=_JSON)
