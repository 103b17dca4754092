"""Events in, decisions out: decide one event, a batch, read a decision, an account's recent decisions.

The hot route reads the raw body and decodes it with msgspec (``codec``), not pydantic: the request
schema is documented from the same model (``schemas.event_components``).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import msgspec
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from vigil import bootstrap
from vigil.api.auth import READERS, guard, principal_of
from vigil.api.errors import error_body
from vigil.api.schemas import body, returns
from vigil.api.services import Services, services_of
from vigil.codec import Admission, decision_view, decode_event, encode_view, split_array
from vigil.errors import InvalidEvent, InvalidInput, NotFound, TooLarge, UnsupportedMediaType, VigilError
from vigil.model.access import Role

router = APIRouter(tags=["events"])
_JSON = "application/json"
_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])
_READ = READERS | {Role.SERVICE}
MAX_EVENT_BYTES = 64 * 1024
# A batch msgspec cannot read whole (an item nested thousands deep) is split by a slower scanner, off the
# event loop, when it is at most this big; a bigger one is refused whole.
SPLIT_LIMIT = 1024 * 1024


def admission(services: Services) -> Admission:
    return bootstrap.admission(services.settings)


def check_json(content_type: str | None) -> None:
    """A body's declared type must be JSON (``application/json`` or ``application/*+json``, UTF-8)."""
    media, _, params = (content_type or "").partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        shown = f"{media!r}" if media else "no Content-Type"
        raise UnsupportedMediaType(f"{shown} is not JSON: send Content-Type: application/json", field="body")
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"charset {value.strip()!r}: JSON is UTF-8", field="body")


def check_size(declared: str | None, limit: int) -> None:
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"body of {declared} bytes is over the limit of {limit}", field="body")


async def _body(request: Request, limit: int) -> bytes:
    check_size(request.headers.get("content-length"), limit)
    data = await request.body()
    check_size(str(len(data)), limit)
    return data


async def decide_one(services: Services, body: bytes) -> tuple[bytes, bool]:
    """One event's JSON in, its decision's JSON out (once stored), and whether it was made now."""
    decision, made = await services.decider.decide(decode_event(body, admission(services)))
    if made:
        services.metrics.decision(decision)
    return encode_view(decision_view(decision)), made


@router.post(
    "/v1/events",
    summary="Decide one event",
    description=(
        "Decides the event and returns the decision once event and decision are durably stored. "
        "Sending an event id again returns the stored decision (header `Vigil-Replayed: true`) and "
        "counts nothing twice; an id reused for another account or event type is a 409."
    ),
    **guard(Role.SERVICE, openapi=body("Event"), responses=returns("Decision", "the decision")),
)
async def post_event(request: Request) -> Response:
    """Also served without the framework by ``api.fast.FastEvents``: the same guard and the same call."""
    content, made = await decide_one(services_of(request), await _body(request, MAX_EVENT_BYTES))
    return Response(content, media_type=_JSON, headers=None if made else {"Vigil-Replayed": "true"})


@router.post(
    "/v1/events/batch",
    summary="Decide a batch of events, in order",
    description=(
        "A JSON array of events, decided in order and acknowledged together after one durable commit. "
        "Each item gets its decision or its own error (naming the field); a bad item does not stop the "
        "others. At most `VIGIL_BATCH_LIMIT` items (default 1000). A body that is not a JSON array is "
        "refused whole."
    ),
    **guard(
        Role.SERVICE,
        openapi=body("Event", array=True),
        responses=returns("BatchResult", "each event's decision or error, in order"),
    ),
)
async def post_batch(request: Request) -> Response:
    services = services_of(request)
    limit = services.settings.batch_limit
    data = await _body(request, MAX_EVENT_BYTES * limit)
    raws: list[msgspec.Raw] | list[bytes | InvalidEvent]
    try:
        raws = _RAW_LIST.decode(data)
    except msgspec.ValidationError as exc:
        raise InvalidEvent(f"expected a JSON array of events: {exc}") from None
    except (msgspec.DecodeError, RecursionError) as exc:
        if len(data) > SPLIT_LIMIT:
            problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise InvalidEvent(f"malformed JSON: {problem}", field="body") from None
        raws = await asyncio.to_thread(split_array, data)
    if not raws:
        raise InvalidInput("the batch is empty", field="body")
    if len(raws) > limit:
        raise TooLarge(f"{len(raws)} events is over the batch limit of {limit}", field="body")
    positions: list[int] = []  # the index in the batch of each decoded event
    decoded = []
    items: list[dict[str, object]] = [{} for _ in raws]
    admits = admission(services)
    for i, raw in enumerate(raws):
        try:
            if isinstance(raw, InvalidEvent):
                raise raw
            decoded.append(decode_event(bytes(raw), admits))
            positions.append(i)
        except InvalidEvent as exc:
            items[i] = {"index": i, "error": error_body(exc)}
    results = await services.decider.decide_many(decoded)
    for i, result in zip(positions, results, strict=True):
        if isinstance(result, VigilError):
            items[i] = {"index": i, "error": error_body(result)}
        else:
            decision, made = result
            if made:
                services.metrics.decision(decision)
            items[i] = {"index": i, "replayed": not made, "decision": decision_view(decision)}
    rejected = sum(1 for item in items if "error" in item)
    summary = {"decided": len(items) - rejected, "rejected": rejected, "results": items}
    return Response(encode_view(summary), media_type=_JSON)


@router.get(
    "/v1/decisions/{event_id}",
    summary="The decision of one event",
    **guard(allowed=_READ, responses=returns("Decision", "the decision, with the trace of every rule")),
)
async def get_decision(request: Request, event_id: Annotated[str, Path(max_length=200)]) -> Response:
    services = services_of(request)
    decision = services.engine.explain(event_id)
    if decision is None:
        raise NotFound(f"no decision for event {event_id!r}")
    services.audit_read(principal_of(request), "decision.read", f"account:{decision.account_id}")
    return Response(encode_view(decision_view(decision, full_trace=True)), media_type=_JSON)


@router.get(
    "/v1/accounts/{account_id}/decisions",
    summary="An account's recent decisions, newest first",
    **guard(allowed=_READ, responses=returns("AccountDecisions", "the decisions, newest first")),
)
async def account_decisions(
    request: Request,
    account_id: Annotated[str, Path(max_length=200)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    services = services_of(request)
    services.audit_read(principal_of(request), "account.decisions_read", f"account:{account_id}")
    decisions = services.engine.journal.for_account(account_id, limit)
    views = [decision_view(d) for d in decisions]
    return Response(encode_view({"account_id": account_id, "decisions": views}), media_type=_JSON)
