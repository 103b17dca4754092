"""Screening on demand: an address or a name against the lists in force; snapshots, alerts, clearances."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from vigil.api.auth import DESK, READERS, guard, principal_of
from vigil.api.services import services_of
from vigil.codec import encode_view
from vigil.errors import InvalidInput, NotReady
from vigil.model import Chain
from vigil.model.access import Role
from vigil.screening.names import NameQuery
from vigil.screening.policy import Direction
from vigil.screening.records import Clearance
from vigil.views import address_view, name_view

router = APIRouter(prefix="/v1/screening", tags=["screening"])
_JSON = "application/json"


class AddressRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"chain": "ETH", "address": "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"}]
        }
    )

    chain: Chain
    address: str = Field(min_length=1, max_length=200)
    direction: Direction = Direction.WITHDRAWAL


class NameRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Jane Doe", "birth_date": "1980-04-02", "countries": ["DE"]}]
        },
    )

    name: str = Field(min_length=1, max_length=300)
    birth_date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    countries: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]] = Field(
        default_factory=list, max_length=10
    )
    customer_id: str | None = Field(
        default=None, max_length=200, description="apply this customer's clearances"
    )
    limit: int = Field(default=10, ge=1, le=100)


class ClearanceRequest(BaseModel):
    customer_id: str = Field(min_length=1, max_length=200)
    entry_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000, description="why this customer is not that entry")


def _json(value: Any) -> Response:
    return Response(encode_view(value), media_type=_JSON)


@router.post(
    "/address",
    summary="Screen one crypto address",
    **guard(allowed=DESK | {Role.SERVICE, Role.LIAISON}),
)
async def screen_address(request: Request, query: AddressRequest) -> Response:
    result = services_of(request).screener.screen_address(query.chain, query.address, query.direction)
    return _json(address_view(result))


@router.post(
    "/name",
    summary="Screen a person's or company's name (in the body: names are personal data)",
    **guard(allowed=DESK | {Role.LIAISON}),
)
async def screen_name(request: Request, query: NameRequest) -> Response:
    services = services_of(request)
    screener = services.screener
    if screener.names is None:
        raise NotReady("no name list imported: run `vigil lists import ofac_sdn PATH` (or un, opensanctions)")
    if not query.name.strip():
        raise InvalidInput("must not be blank", field="name")
    result = screener.screen_name(
        NameQuery(
            query.name, birth_date=query.birth_date, countries=tuple(c.upper() for c in query.countries)
        ),
        customer_id=query.customer_id,
        cleared=services.screening.is_cleared if query.customer_id else None,
        limit=query.limit,
    )
    return _json(name_view(result))


@router.get(
    "/lists",
    summary="List snapshots, oldest first",
    description="`origin` (the path a list was read from on the server) is shown to admins only.",
    **guard(allowed=READERS | {Role.ADMIN}),
)
async def snapshots(request: Request) -> Response:
    views = msgspec.to_builtins(services_of(request).lists.snapshots())
    if Role.ADMIN not in principal_of(request).roles:  # the server's file paths are not an analyst's business
        for view in views:
            view.pop("origin", None)
    return _json(views)


@router.get("/alerts", summary="Alerts raised by screening and re-screening", **guard(allowed=READERS))
async def alerts(
    request: Request, customer_id: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    services = services_of(request)
    subject = f"customer:{customer_id}" if customer_id else "screening:alerts"
    services.audit_read(principal_of(request), "screening.alerts_read", subject)
    return _json(msgspec.to_builtins(services.screening.alerts(customer_id)))


@router.post(
    "/clearances",
    summary="Record a reviewed false positive (holds while the list entry is unchanged)",
    **guard(allowed=DESK),
)
async def clear(request: Request, body: ClearanceRequest) -> Response:
    services = services_of(request)
    entry = services.screener.name_entries.get(body.entry_id)
    if entry is None:
        raise InvalidInput(f"no name list entry {body.entry_id!r} in the latest snapshots", field="entry_id")
    who = principal_of(request).name
    try:
        clearance = Clearance(
            body.customer_id, entry.entry_id, entry.digest(), who, body.reason, datetime.now(UTC)
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    services.screening.clear(clearance)
    return _json(msgspec.to_builtins(clearance))
