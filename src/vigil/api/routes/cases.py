"""The security desk over HTTP: the case queue, a case and its history, the workflow, actions with four
eyes, appeals, what is in force on an account, and the audit log.

Each change may carry ``version`` (the case version the caller saw: a stale one is 409) and ``nonce``
(the same nonce again returns the case unchanged). A person's read of a case is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from vigil.api.auth import DESK, READERS, guard, principal_of
from vigil.api.schemas import returns
from vigil.api.services import services_of
from vigil.codec import encode_view
from vigil.desk import Change, QueueFilter, SecurityDesk
from vigil.desk.actions import parse_kind
from vigil.desk.views import (
    action_view,
    appeal_view,
    audit_view,
    case_view,
    controls_view,
    history_view,
    summary_view,
)
from vigil.ler.views import withheld
from vigil.model.access import Principal, Role
from vigil.model.cases import CaseState, Kind, Queue, Severity

router = APIRouter(tags=["desk"])
CaseId = Annotated[str, Path(pattern=r"^c-\d{6,}$", description="a case id, e.g. c-000001")]
Nth = Annotated[int, Path(ge=1, le=1_000_000)]
_AUDITORS = frozenset({Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN})
_CONTROLS = READERS | {Role.SERVICE}
_APPEALS = DESK | {Role.SERVICE}


class Step(BaseModel):
    version: int | None = Field(default=None, ge=1, le=2**62, description="the case version you saw")
    nonce: str = Field(default="", max_length=100, description="repeat it to retry without applying twice")
    reason: str = Field(default="", max_length=2000)


class AssignRequest(Step):
    assignee: str = Field(min_length=1, max_length=200)
    queue: Queue = Queue.DESK


class NoteRequest(Step):
    text: str = Field(min_length=1, max_length=5000)


class ResolveRequest(Step):
    disposition: str = Field(min_length=1, max_length=40)


class ActionRequest(Step):
    kind: str = Field(min_length=1, max_length=40, description="freeze_account, freeze_amount, ...")
    asset: str = Field(default="", max_length=20)
    amount: int = Field(default=0, ge=0, le=2**63 - 1, description="base units (freeze_amount)")
    target: str = Field(
        default="", max_length=200, description="a withdrawal's event id, a step-up, a freeze"
    )
    value: str | None = Field(default=None, max_length=40, description="fiat value concerned (decimal)")


class AppealRequest(BaseModel):
    account_id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=5000)
    kyc_verified: bool
    nonce: str = Field(default="", max_length=100)


class AppealDecision(Step):
    grant: bool


def _json(value: Any, status: int = 200) -> Response:
    return Response(encode_view(value), status_code=status, media_type="application/json")


def _desk(request: Request) -> SecurityDesk:
    return services_of(request).desk


def _change(request: Request, body: Step | None = None) -> Change:
    who = principal_of(request)
    by_key = who.kind == "key"
    if body is not None:
        return Change(who.name, body.version, body.nonce, by_key=by_key)
    return Change(who.name, by_key=by_key)


def _reader(principal: Principal) -> str:
    """Every read of a case is audited, a person's and one made with an API key alike."""
    return principal.name


@router.get(
    "/v1/cases",
    summary="The case queue, highest priority first",
    **guard(allowed=READERS, responses=returns("CaseQueue", "a page of the queue")),
)
async def get_cases(
    request: Request,
    queue: Queue | None = None,
    region: Annotated[str | None, Query(max_length=20)] = None,
    severity: Severity | None = None,
    state: CaseState | None = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    closed: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    where = QueueFilter(queue, region, severity, state, assignee, open_only=not closed)
    cases, total = _desk(request).desk.queue(where, limit, offset)
    return _json({"cases": [summary_view(c) for c in cases], "total": total})


@router.get(
    "/v1/cases/{case_id}",
    summary="A case: alerts, actions, appeals",
    **guard(allowed=READERS, responses=returns("Case", "the case")),
)
async def get_case(request: Request, case_id: CaseId) -> Response:
    case = _desk(request).desk.case(case_id, reader=_reader(principal_of(request)))
    return _json(case_view(case))


@router.get(
    "/v1/cases/{case_id}/history",
    summary="A case's append-only history",
    **guard(allowed=READERS, responses=returns("CaseHistory", "the history, oldest first")),
)
async def get_history(request: Request, case_id: CaseId) -> Response:
    desk = _desk(request).desk
    desk.case(case_id, reader=_reader(principal_of(request)))
    return _json({"history": [history_view(e) for e in desk.store.history(case_id)]})


@router.post(
    "/v1/cases/{case_id}/assign",
    summary="Assign a case",
    **guard(allowed=DESK, responses=returns("Case", "the case, assigned")),
)
async def post_assign(request: Request, case_id: CaseId, body: AssignRequest) -> Response:
    return _json(
        case_view(_desk(request).desk.assign(case_id, body.assignee, _change(request, body), body.queue))
    )


@router.post(
    "/v1/cases/{case_id}/investigate",
    summary="Take a case and start",
    **guard(allowed=DESK, responses=returns("Case", "the case")),
)
async def post_investigate(request: Request, case_id: CaseId, body: Step) -> Response:
    return _json(case_view(_desk(request).desk.step(case_id, Kind.INVESTIGATING, _change(request, body))))


@router.post(
    "/v1/cases/{case_id}/escalate",
    summary="Send to the supervisor queue",
    **guard(allowed=DESK, responses=returns("Case", "the case")),
)
async def post_escalate(request: Request, case_id: CaseId, body: Step) -> Response:
    data = {"reason": body.reason}
    return _json(case_view(_desk(request).desk.step(case_id, Kind.ESCALATED, _change(request, body), data)))


@router.post(
    "/v1/cases/{case_id}/notes",
    summary="Add a note to a case",
    **guard(allowed=DESK, responses=returns("Case", "the case")),
)
async def post_note(request: Request, case_id: CaseId, body: NoteRequest) -> Response:
    data = {"text": body.text}
    return _json(case_view(_desk(request).desk.step(case_id, Kind.NOTE, _change(request, body), data)))


@router.post(
    "/v1/cases/{case_id}/resolve",
    summary="Resolve with a disposition",
    **guard(allowed=DESK, responses=returns("Case", "the case, resolved")),
)
async def post_resolve(request: Request, case_id: CaseId, body: ResolveRequest) -> Response:
    desk = _desk(request).desk
    return _json(case_view(desk.resolve(case_id, body.disposition, body.reason, _change(request, body))))


@router.post(
    "/v1/cases/{case_id}/reopen",
    summary="Reopen a resolved case",
    **guard(allowed=DESK, responses=returns("Case", "the case, reopened")),
)
async def post_reopen(request: Request, case_id: CaseId, body: Step) -> Response:
    data = {"reason": body.reason}
    return _json(case_view(_desk(request).desk.step(case_id, Kind.REOPENED, _change(request, body), data)))


@router.post(
    "/v1/cases/{case_id}/actions",
    summary="Act on the case's account (four eyes above the configured value)",
    status_code=201,
    **guard(allowed=DESK, responses=returns("Case", "the case with the action", status=201)),
)
async def post_action(request: Request, case_id: CaseId, body: ActionRequest) -> Response:
    case = _desk(request).actions.request(
        case_id,
        parse_kind(body.kind),
        body.reason,
        _change(request, body),
        asset=body.asset,
        amount=body.amount,
        target=body.target,
        value=body.value,
    )
    return _json(case_view(case), 201)


@router.post(
    "/v1/cases/{case_id}/actions/{n}/approve",
    summary="Approve an action (not your own)",
    **guard(Role.SUPERVISOR, responses=returns("Case", "the case, the action applied")),
)
async def post_approve(request: Request, case_id: CaseId, n: Nth, body: Step) -> Response:
    actions = _desk(request).actions
    return _json(case_view(actions.approve(case_id, f"{case_id}/{n}", body.reason, _change(request, body))))


@router.post(
    "/v1/cases/{case_id}/actions/{n}/reject",
    summary="Reject an action (not your own)",
    **guard(Role.SUPERVISOR, responses=returns("Case", "the case, the action rejected")),
)
async def post_reject(request: Request, case_id: CaseId, n: Nth, body: Step) -> Response:
    actions = _desk(request).actions
    return _json(case_view(actions.reject(case_id, f"{case_id}/{n}", body.reason, _change(request, body))))


@router.get(
    "/v1/approvals",
    summary="Actions awaiting a supervisor, oldest first",
    **guard(allowed=READERS, responses=returns("Approvals", "the actions awaiting approval")),
)
async def get_approvals(request: Request) -> Response:
    waiting = _desk(request).actions.pending()
    return _json({"approvals": [{"case_id": c.case_id, **action_view(a)} for c, a in waiting]})


@router.post(
    "/v1/appeals",
    summary="A frozen customer's appeal",
    status_code=201,
    **guard(allowed=_APPEALS, responses=returns("CaseAppeal", "the appeal and its case", status=201)),
)
async def post_appeal(request: Request, body: AppealRequest) -> Response:
    who = principal_of(request)
    change = Change(who.name, None, body.nonce, by_key=who.kind == "key")
    case, appeal = _desk(request).appeals.file(body.account_id, body.text, body.kyc_verified, change)
    return _json({"case_id": case.case_id, **appeal_view(appeal)}, 201)


@router.get(
    "/v1/appeals",
    summary="Appeals not decided yet, earliest due first",
    **guard(allowed=READERS, responses=returns("Appeals", "the appeals")),
)
async def get_appeals(request: Request) -> Response:
    found = _desk(request).appeals.open_appeals()
    return _json({"appeals": [{"case_id": c.case_id, **appeal_view(a)} for c, a in found]})


@router.post(
    "/v1/cases/{case_id}/appeals/{n}/kyc-done",
    summary="The appellant completed KYC",
    **guard(allowed=_APPEALS, responses=returns("Case", "the case")),
)
async def post_appeal_kyc(request: Request, case_id: CaseId, n: Nth, body: Step) -> Response:
    appeals = _desk(request).appeals
    return _json(case_view(appeals.kyc_done(case_id, f"{case_id}/appeal-{n}", _change(request, body))))


@router.post(
    "/v1/cases/{case_id}/appeals/{n}/decide",
    summary="Grant or uphold",
    **guard(allowed=DESK, responses=returns("Case", "the case")),
)
async def post_appeal_decide(request: Request, case_id: CaseId, n: Nth, body: AppealDecision) -> Response:
    appeals = _desk(request).appeals
    appeal_id = f"{case_id}/appeal-{n}"
    return _json(
        case_view(appeals.decide(case_id, appeal_id, body.grant, body.reason, _change(request, body)))
    )


@router.get(
    "/v1/accounts/{account_id}/controls",
    summary="Freezes, held withdrawals and step-ups in force on an account",
    **guard(allowed=_CONTROLS, responses=returns("Controls", "what is in force")),
)
async def get_controls(request: Request, account_id: Annotated[str, Path(max_length=200)]) -> Response:
    services = services_of(request)
    services.audit_read(principal_of(request), "account.controls_read", f"account:{account_id}")
    view = controls_view(services.desk.actions.controls(account_id))
    if services.liaison is not None and services.liaison.requests.restricted(account_id):
        view = withheld(view)  # a non-disclosure order: the back end may show this to the customer
    return _json(view)


@router.get(
    "/v1/audit",
    summary="The audit log, oldest first",
    **guard(allowed=_AUDITORS, responses=returns("AuditLog", "the records")),
)
async def get_audit(
    request: Request,
    subject: Annotated[str | None, Query(max_length=300)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    records = _desk(request).audit.records(subject=subject, actor=actor, limit=limit, since_seq=since)
    return _json({"records": [audit_view(r) for r in records]})


@router.get(
    "/v1/audit/verify",
    summary="Check the audit log's hash chain",
    **guard(allowed=_AUDITORS, responses=returns("AuditVerification", "whether the chain is intact")),
)
async def get_audit_verify(request: Request) -> Response:
    v = _desk(request).audit.verify()
    return _json({"ok": v.ok, "records": v.records, "head": v.head, "problem": v.problem, "seq": v.seq})
