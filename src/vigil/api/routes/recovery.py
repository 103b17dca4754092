"""Funds sent by mistake over HTTP (docs/recovery.md): uncredited deposits, claims filed with their
proof, a person's confirmation of a history claim, approval (four eyes), refusal, credit, the value
recovered. A bad claim is a 409 or 422 naming what is wrong, and nothing is stored; every act and every
read of a claim is audited."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from vigil.api.auth import DESK, READERS, guard, principal_of
from vigil.api.schemas import returns
from vigil.api.services import services_of
from vigil.codec import encode_view
from vigil.model.access import Role
from vigil.model.claims import ClaimState
from vigil.recovery import Actor, Recovery, parse_claim
from vigil.recovery.views import claim_view, deposit_view

router = APIRouter(tags=["recovery"])
ClaimId = Annotated[str, Path(pattern=r"^cl-\d{6,}$", description="a claim id, e.g. cl-000001")]
_READ = READERS | {Role.SERVICE}
_FILE = DESK | {Role.SERVICE}
_AMOUNT = r"^[0-9]{1,40}$"


class SignatureProofBody(BaseModel):
    kind: Literal["signature"]
    address: str = Field(min_length=1, max_length=150, description="the deposit's sending address")
    signature: str = Field(
        min_length=1,
        max_length=2000,
        description="EIP-191 (hex) or BIP-137 (base64) over the claim's message",
    )
    nonce: str = Field(min_length=8, max_length=100, description="in the signed message; used once")


class HistoryProofBody(BaseModel):
    kind: Literal["history"]
    platform: str = Field(min_length=1, max_length=200, description="the platform the withdrawal left")
    withdrawal_id: str = Field(min_length=1, max_length=200)
    sent_at: str = Field(min_length=1, max_length=40, description="when it left, RFC 3339 UTC")
    amount: str = Field(pattern=_AMOUNT, description="base units")
    asset: str = Field(min_length=1, max_length=20)
    tx_hash: str | None = Field(default=None, max_length=200)
    to_address: str | None = Field(default=None, max_length=150)
    memo: str | None = Field(default=None, max_length=200)


class ClaimBody(BaseModel):
    claimant_account_id: str = Field(min_length=1, max_length=200, description="who is credited")
    chain: str = Field(min_length=1, max_length=20)
    tx_hash: str = Field(min_length=1, max_length=200)
    amount: str | None = Field(default=None, pattern=_AMOUNT, description="base units of the asset")
    fiat_value: str | None = Field(default=None, max_length=40, description="decimal, reporting currency")
    asset: str | None = Field(default=None, max_length=20)
    claimant: Literal["customer", "exchange"] = "customer"
    on_behalf_of: str = Field(default="", max_length=200, description="the other exchange, for its claim")
    reference: str = Field(default="", max_length=200, description="your own id for the claim")
    proof: Annotated[SignatureProofBody | HistoryProofBody, Field(discriminator="kind")]


class ConfirmBody(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="how the sending platform confirmed")


class RefuseBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def _json(value: Any, status: int = 200) -> Response:
    return Response(encode_view(value), status_code=status, media_type="application/json")


def _recovery(request: Request) -> Recovery:
    return services_of(request).claims


def _actor(request: Request) -> Actor:
    who = principal_of(request)
    return Actor(who.name, by_key=who.kind == "key")


@router.get(
    "/v1/recovery/deposits",
    summary="Deposits that could not be credited, with the claims on each",
    **guard(allowed=_READ, responses=returns("UncreditedDeposits", "oldest first")),
)
async def get_deposits(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    recovery = _recovery(request)
    recovery.catch_up()
    return _json({"deposits": [deposit_view(d, c) for d, c in recovery.uncredited(limit, offset)]})


@router.post(
    "/v1/recovery/claims",
    summary="File a claim: matched, proved and screened, or refused naming what is wrong",
    status_code=201,
    **guard(allowed=_FILE, responses=returns("Claim", "the claim as filed", status=201)),
)
async def post_claim(request: Request, body: ClaimBody) -> Response:
    claim = _recovery(request).file(parse_claim(body.model_dump(exclude_none=True)), _actor(request))
    return _json(claim_view(claim), 201)


@router.get(
    "/v1/recovery/claims",
    summary="Claims, in filing order",
    **guard(allowed=_READ, responses=returns("Claims", "a page of claims")),
)
async def get_claims(
    request: Request,
    state: ClaimState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    claims, total = _recovery(request).claims(state, limit, offset)
    return _json({"claims": [claim_view(c, history=False) for c in claims], "total": total})


@router.get(
    "/v1/recovery/claims/{claim_id}",
    summary="A claim and its append-only history",
    **guard(allowed=_READ, responses=returns("Claim", "the claim")),
)
async def get_claim(request: Request, claim_id: ClaimId) -> Response:
    return _json(claim_view(_recovery(request).claim(claim_id, reader=_actor(request))))


@router.post(
    "/v1/recovery/claims/{claim_id}/confirm",
    summary="Confirm a history claim with the sending platform (a person)",
    **guard(allowed=DESK, responses=returns("Claim", "the claim")),
)
async def post_confirm(request: Request, claim_id: ClaimId, body: ConfirmBody) -> Response:
    return _json(claim_view(_recovery(request).confirm(claim_id, body.note, _actor(request))))


@router.post(
    "/v1/recovery/claims/{claim_id}/approve",
    summary="Approve a recovery above the four-eyes value (a second person)",
    **guard(Role.SUPERVISOR, responses=returns("Claim", "the claim, approved")),
)
async def post_approve(request: Request, claim_id: ClaimId) -> Response:
    return _json(claim_view(_recovery(request).approve(claim_id, _actor(request))))


@router.post(
    "/v1/recovery/claims/{claim_id}/refuse",
    summary="Refuse a claim, saying why",
    **guard(allowed=DESK, responses=returns("Claim", "the claim, refused")),
)
async def post_refuse(request: Request, claim_id: ClaimId, body: RefuseBody) -> Response:
    return _json(claim_view(_recovery(request).refuse(claim_id, body.reason, _actor(request))))


@router.post(
    "/v1/recovery/claims/{claim_id}/credit",
    summary="Record the credit of an approved claim (screened again, the fee taken)",
    **guard(allowed=_FILE, responses=returns("Claim", "the claim, credited or refused to the desk")),
)
async def post_credit(request: Request, claim_id: ClaimId) -> Response:
    return _json(claim_view(_recovery(request).credit(claim_id, _actor(request))))


@router.get(
    "/v1/recovery/summary",
    summary="Claims by state and the value recovered",
    **guard(allowed=READERS, responses=returns("RecoverySummary", "the summary")),
)
async def get_summary(request: Request) -> Response:
    return _json(_recovery(request).summary())
