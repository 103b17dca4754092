"""The law-enforcement desk over HTTP: requests from authorities, logged, verified, resolved to accounts,
answered with freezes through the security desk and with signed disclosure packages (docs/ler.md).

Who: the liaison officers (``liaison``) and supervisors log and work requests; auditors read them; nobody
else sees them (a request is need-to-know). Verifying an emergency needs a supervisor; verifying any
request, or recording a verification step, needs a person signed in. Every read and change is audited.
Each change may carry ``version`` (stale: 409) and ``nonce`` (the same nonce again applies once).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from vigil.api.auth import guard, principal_of
from vigil.api.schemas import returns
from vigil.api.services import services_of
from vigil.codec import encode_view
from vigil.errors import InvalidInput, NotReady, TooLarge
from vigil.ler import Act, Intake, LiaisonDesk
from vigil.ler.views import agency_view, entry_view, package_view, request_view, summary_view
from vigil.model.access import Role

router = APIRouter(tags=["law enforcement"])
RequestId = Annotated[str, Path(pattern=r"^L-\d{6,}$", description="a request id, e.g. L-000001")]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
WORKERS = frozenset({Role.LIAISON, Role.SUPERVISOR})
READERS = WORKERS | {Role.AUDITOR}
MAX_ATTACHMENT = 10 * 1024 * 1024  # bytes, decoded


class Step(BaseModel):
    version: int | None = Field(default=None, ge=1, le=2**62, description="the request version you saw")
    nonce: str = Field(default="", max_length=100, description="repeat it to retry without applying twice")


class Subject(BaseModel):
    kind: str = Field(
        min_length=1, max_length=20, description="account, email, phone, document, name, address, tx"
    )
    value: str = Field(min_length=1, max_length=500)
    chain: str = Field(default="", max_length=20, description="for an address or a transaction")


class LogRequest(BaseModel):
    agency: str = Field(min_length=1, max_length=200, description="the agency's name, alias or directory id")
    officer: str = Field(min_length=1, max_length=200)
    officer_email: str = Field(min_length=3, max_length=320)
    officer_phone: str = Field(default="", max_length=40, description="as given; never called back")
    jurisdiction: str = Field(
        default="", max_length=2, description="ISO 3166-1 alpha-2; default the agency's"
    )
    legal_basis: str = Field(default="", max_length=40)
    legal_reference: str = Field(default="", max_length=200)
    kind: str = Field(min_length=1, max_length=40)
    subjects: list[Subject] = Field(max_length=200)
    period_from: datetime
    period_until: datetime
    deadline: datetime | None = None
    nondisclosure: bool = False
    nondisclosure_until: datetime | None = None
    data_kinds: list[str] = Field(default_factory=list, max_length=10)
    nonce: str = Field(default="", max_length=100)


class VerificationStep(Step):
    method: str = Field(min_length=1, max_length=20, description="callback, email_reply, portal")
    confirmed: bool
    note: str = Field(default="", max_length=2000)


class Reasoned(Step):
    reason: str = Field(default="", max_length=2000)


class Noted(Step):
    text: str = Field(min_length=1, max_length=5000)


class AccountChoice(Step):
    account_id: str = Field(min_length=1, max_length=200)


class FreezeRequest(Step):
    account_id: str = Field(min_length=1, max_length=200)
    asset: str = Field(default="", max_length=20)
    amount: int = Field(default=0, ge=0, le=2**63 - 1, description="base units; 0 with no asset: the account")
    until: datetime | None = Field(default=None, description="the order's end; none: the configured period")


class RenewRequest(Step):
    action_id: str = Field(min_length=1, max_length=100)
    until: datetime


class UnfreezeRequest(Step):
    action_id: str = Field(min_length=1, max_length=100, description="the freeze an order put in force")


class AttachmentRequest(Step):
    name: str = Field(min_length=1, max_length=200)
    media_type: str = Field(default="application/octet-stream", max_length=100)
    content_base64: str = Field(min_length=1, max_length=MAX_ATTACHMENT * 4 // 3 + 8)


def _us(moment: datetime | None, field: str) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise InvalidInput("a time needs its offset (UTC: Z)", field=field)
    return int(moment.timestamp() * 1_000_000)


def _json(value: Any, status: int = 200) -> Response:
    return Response(encode_view(value), status_code=status, media_type="application/json")


def _ler(request: Request) -> LiaisonDesk:
    ler = services_of(request).liaison
    if ler is None:
        raise NotReady("this server runs without the law-enforcement desk")
    return ler


def _act(request: Request, body: Step | None = None, nonce: str = "") -> Act:
    who = principal_of(request)
    version = body.version if body is not None else None
    return Act(
        who.name, who.roles, version, body.nonce if body is not None else nonce, by_key=who.kind == "key"
    )


@router.get(
    "/v1/ler/agencies",
    summary="The agency directory: official domains and call-back numbers",
    **guard(allowed=READERS, responses=returns("Agencies", "the directory")),
)
async def get_agencies(request: Request) -> Response:
    return _json({"agencies": [agency_view(a) for a in _ler(request).requests.directory.agencies]})


@router.post(
    "/v1/ler/requests",
    summary="Log a request from an authority (checked; the requester's domain flagged)",
    status_code=201,
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request, received", status=201)),
)
async def post_request(request: Request, body: LogRequest) -> Response:
    intake = Intake(
        agency=body.agency,
        officer=body.officer,
        officer_email=body.officer_email,
        officer_phone=body.officer_phone,
        jurisdiction=body.jurisdiction,
        legal_basis=body.legal_basis,
        legal_reference=body.legal_reference,
        kind=body.kind,
        subjects=[s.model_dump() for s in body.subjects],
        period_from_us=_us(body.period_from, "period_from") or 0,
        period_until_us=_us(body.period_until, "period_until") or 0,
        deadline_us=_us(body.deadline, "deadline"),
        nondisclosure=body.nondisclosure,
        nondisclosure_until_us=_us(body.nondisclosure_until, "nondisclosure_until"),
        data_kinds=body.data_kinds,
    )
    return _json(request_view(_ler(request).requests.log(intake, _act(request, nonce=body.nonce))), 201)


@router.get(
    "/v1/ler/requests",
    summary="Requests, the earliest due first",
    **guard(allowed=READERS, responses=returns("LerRequests", "the requests")),
)
async def get_requests(request: Request, closed: bool = False) -> Response:
    found = _ler(request).requests.requests(open_only=not closed)
    return _json({"requests": [summary_view(r) for r in found]})


@router.get(
    "/v1/ler/requests/{request_id}",
    summary="A request (the read is audited)",
    **guard(allowed=READERS, responses=returns("LerRequest", "the request")),
)
async def get_request(request: Request, request_id: RequestId) -> Response:
    return _json(request_view(_ler(request).requests.request(request_id, principal_of(request).name)))


@router.get(
    "/v1/ler/requests/{request_id}/history",
    summary="A request's append-only history",
    **guard(allowed=READERS, responses=returns("LerHistory", "the history, oldest first")),
)
async def get_history(request: Request, request_id: RequestId) -> Response:
    history = _ler(request).requests.history(request_id, principal_of(request).name)
    return _json({"history": [entry_view(e) for e in history]})


@router.post(
    "/v1/ler/requests/{request_id}/attachments",
    summary="Attach a document (kept by its SHA-256)",
    status_code=201,
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request", status=201)),
)
async def post_attachment(request: Request, request_id: RequestId, body: AttachmentRequest) -> Response:
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("not base64", field="content_base64") from None
    if len(content) > MAX_ATTACHMENT:
        raise TooLarge(f"an attachment is at most {MAX_ATTACHMENT} bytes", field="content_base64")
    ler = _ler(request).requests
    return _json(
        request_view(ler.attach(request_id, body.name, body.media_type, content, _act(request, body))), 201
    )


@router.get(
    "/v1/ler/requests/{request_id}/attachments/{sha256}",
    summary="An attachment (the read is audited)",
    **guard(allowed=READERS, responses=returns("LerAttachment", "the file, base64")),
)
async def get_attachment(request: Request, request_id: RequestId, sha256: Sha256) -> Response:
    content = _ler(request).requests.attachment(request_id, sha256, principal_of(request).name)
    return _json({"sha256": sha256, "content_base64": base64.b64encode(content).decode("ascii")})


@router.post(
    "/v1/ler/requests/{request_id}/verification-steps",
    summary="Record a step taken to check the requester (a call-back on the directory's number...)",
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request")),
)
async def post_verification(request: Request, request_id: RequestId, body: VerificationStep) -> Response:
    ler = _ler(request).requests
    r = ler.record_verification(request_id, body.method, body.confirmed, body.note, _act(request, body))
    return _json(request_view(r))


@router.post(
    "/v1/ler/requests/{request_id}/verify",
    summary="Verify the request (a person; an emergency: a supervisor, after a call-back)",
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request, verified")),
)
async def post_verify(request: Request, request_id: RequestId, body: Reasoned) -> Response:
    return _json(request_view(_ler(request).requests.verify(request_id, body.reason, _act(request, body))))


@router.post(
    "/v1/ler/requests/{request_id}/refuse",
    summary="Refuse the request (an impersonation, an order not honoured)",
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request, refused")),
)
async def post_refuse(request: Request, request_id: RequestId, body: Reasoned) -> Response:
    return _json(request_view(_ler(request).requests.refuse(request_id, body.reason, _act(request, body))))


@router.post(
    "/v1/ler/requests/{request_id}/acknowledge",
    summary="Acknowledge receipt to the agency",
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request")),
)
async def post_acknowledge(request: Request, request_id: RequestId, body: Step) -> Response:
    return _json(request_view(_ler(request).requests.acknowledge(request_id, _act(request, body))))


@router.post(
    "/v1/ler/requests/{request_id}/notes",
    summary="Add a note",
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request")),
)
async def post_note(request: Request, request_id: RequestId, body: Noted) -> Response:
    return _json(request_view(_ler(request).requests.note(request_id, body.text, _act(request, body))))


@router.post(
    "/v1/ler/requests/{request_id}/close",
    summary="Close the request",
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request, closed")),
)
async def post_close(request: Request, request_id: RequestId, body: Reasoned) -> Response:
    return _json(request_view(_ler(request).requests.close(request_id, body.reason, _act(request, body))))


@router.post(
    "/v1/ler/requests/{request_id}/resolve",
    summary="Resolve the subjects to accounts (linked accounts and names are offered, not added)",
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request with its accounts")),
)
async def post_resolve(request: Request, request_id: RequestId, body: Step) -> Response:
    return _json(request_view(_ler(request).requests.resolve(request_id, _act(request, body))))


@router.post(
    "/v1/ler/requests/{request_id}/accounts",
    summary="Bring an offered account into scope (a person's review)",
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request")),
)
async def post_account(request: Request, request_id: RequestId, body: AccountChoice) -> Response:
    ler = _ler(request).requests
    return _json(request_view(ler.add_account(request_id, body.account_id, _act(request, body))))


@router.post(
    "/v1/ler/requests/{request_id}/freezes",
    summary="Carry out a freeze order through the desk (four eyes)",
    status_code=201,
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request with the freeze", status=201)),
)
async def post_freeze(request: Request, request_id: RequestId, body: FreezeRequest) -> Response:
    r = _ler(request).orders.freeze(
        request_id,
        body.account_id,
        _act(request, body),
        asset=body.asset,
        amount=body.amount,
        until_us=_us(body.until, "until"),
    )
    return _json(request_view(r), 201)


@router.post(
    "/v1/ler/requests/{request_id}/freezes/renew",
    summary="Renew a freeze the request ordered (a new end)",
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request")),
)
async def post_renew(request: Request, request_id: RequestId, body: RenewRequest) -> Response:
    until = _us(body.until, "until") or 0
    return _json(
        request_view(_ler(request).orders.renew(request_id, body.action_id, until, _act(request, body)))
    )


@router.post(
    "/v1/ler/requests/{request_id}/unfreezes",
    summary="Carry out an unfreeze order (four eyes)",
    status_code=201,
    **guard(allowed=WORKERS, responses=returns("LerRequest", "the request", status=201)),
)
async def post_unfreeze(request: Request, request_id: RequestId, body: UnfreezeRequest) -> Response:
    return _json(
        request_view(_ler(request).orders.unfreeze(request_id, body.action_id, _act(request, body))), 201
    )


@router.post(
    "/v1/ler/requests/{request_id}/disclosures",
    summary="Generate the signed disclosure package (audited)",
    status_code=201,
    **guard(allowed=WORKERS, responses=returns("LerPackage", "the package", status=201)),
)
async def post_disclosure(request: Request, request_id: RequestId, body: Step) -> Response:
    return _json(package_view(_ler(request).disclosures.disclose(request_id, _act(request, body))), 201)
