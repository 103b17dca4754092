"""Screening on demand: an address or a name against the lists in force; snapshots, alerts, clearances."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from vigil.api.auth import DESK, READERS, guard, principal_of
from vigil.api.schemas import returns
from vigil.api.services import services_of
from vigil.codec import encode_view
from vigil.errors import InvalidInput, NotReady
from vigil.model import Chain
from vigil.model.access import Role
from vigil.screening.entries import NameEntry
from vigil.screening.names import NameQuery
from vigil.screening.policy import Direction
from vigil.views import address_view, name_view
from vigil.watchlists.clearances import Clearances

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


class ClearanceApproval(BaseModel):
    customer_id: str = Field(min_length=1, max_length=200)
    entry_id: str = Field(min_length=1, max_length=200)


def _json(value: Any, status: int = 200) -> Response:
    return Response(encode_view(value), status_code=status, media_type=_JSON)


@router.post(
    "/address",
    summary="Screen one crypto address",
    **guard(allowed=DESK | {Role.SERVICE, Role.LIAISON}, responses=returns("AddressScreening", "the result")),
)
async def screen_address(request: Request, query: AddressRequest) -> Response:
    result = services_of(request).screener.screen_address(query.chain, query.address, query.direction)
    return _json(address_view(result))


@router.post(
    "/name",
    summary="Screen a person's or company's name (in the body: names are personal data)",
    **guard(allowed=DESK | {Role.LIAISON}, responses=returns("NameScreening", "the matches, best first")),
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
    **guard(allowed=READERS | {Role.ADMIN}, responses=returns("SnapshotInfo", "the snapshots", array=True)),
)
async def snapshots(request: Request) -> Response:
    views = msgspec.to_builtins(services_of(request).lists.snapshots())
    if Role.ADMIN not in principal_of(request).roles:  # the server's file paths are not an analyst's business
        for view in views:
            view.pop("origin", None)
    return _json(views)


@router.get(
    "/alerts",
    summary="Alerts raised by screening and re-screening",
    **guard(allowed=READERS, responses=returns("ScreeningAlert", "the alerts", array=True)),
)
async def alerts(
    request: Request, customer_id: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    services = services_of(request)
    subject = f"customer:{customer_id}" if customer_id else "screening:alerts"
    services.audit_read(principal_of(request), "screening.alerts_read", subject)
    return _json(msgspec.to_builtins(services.screening.alerts(customer_id)))


def _clearances(request: Request) -> Clearances:
    services = services_of(request)
    if services.security is None or services.stores is None:
        raise NotReady("clearances need the audit log of the server's database")
    return Clearances(services.screening, services.security.audit, atomic=services.stores.atomic)


def _name_entry(request: Request, entry_id: str) -> NameEntry:
    entry = services_of(request).screener.name_entries.get(entry_id)
    if entry is None:
        raise InvalidInput(f"no name list entry {entry_id!r} in the latest snapshots", field="entry_id")
    return entry


@router.post(
    "/clearances",
    summary="Ask to clear a sanctions name match (a second person approves it before it holds)",
    status_code=201,
    **guard(allowed=DESK, responses=returns("Clearance", "the request, not in force yet", status=201)),
)
async def clear(request: Request, body: ClearanceRequest) -> Response:
    who = principal_of(request)
    entry = _name_entry(request, body.entry_id)
    asked = _clearances(request).request(
        body.customer_id, entry, body.reason, who.name, by_key=who.kind == "key"
    )
    return _json(msgspec.to_builtins(asked), 201)


@router.post(
    "/clearances/approve",
    summary="Approve another person's clearance: from now on the match is cleared",
    **guard(Role.SUPERVISOR, responses=returns("Clearance", "the clearance, in force")),
)
async def approve_clearance(request: Request, body: ClearanceApproval) -> Response:
    who = principal_of(request)
    entry = _name_entry(request, body.entry_id)
    approved = _clearances(request).approve(body.customer_id, entry, who.name, by_key=who.kind == "key")
    return _json(msgspec.to_builtins(approved))


@router.get(
    "/clearances/pending",
    summary="Clearances waiting for a second person, oldest first",
    **guard(allowed=READERS, responses=returns("Clearance", "the requests", array=True)),
)
async def pending_clearances(request: Request) -> Response:
    return _json(msgspec.to_builtins(_clearances(request).pending()))
