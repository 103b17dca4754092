"""The recovery desk's console pages under ``/console/recovery`` (docs/recovery.md, "The console").

The list: claims by state in the order a person works them (waiting for a confirmation with the sending
platform, waiting for a second person, approved, credited, refused), oldest first, with counts, and the
deposits that could not be credited. A claim's page: the deposit, the claimant, the proof and Vigil's
verdict on it, the screenings of the sending address, the append-only history, and the forms for the
people's steps. Every act calls the ``Recovery`` service as ``api/routes/recovery.py`` does, so it is
recorded and audited the same way; the service refuses what is wrong (four eyes included) and the page
says why, with the claim beside it. Roles are the API's, less the service role (the exchange's back end,
not a person): analysts, supervisors and auditors read; analysts and supervisors confirm, refuse and
credit; a supervisor approves. Forms carry the CSRF token.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from vigil.api.auth import DESK, READERS
from vigil.api.console import session
from vigil.api.console.pages import form, guarded, render
from vigil.api.console.recovery_figures import (
    STATES,
    claim_facts,
    deposit_of_claim,
    entry_details,
    others_on_deposit,
    screenings,
    sections,
    state_of,
    verdict,
)
from vigil.api.errors import status_of
from vigil.api.services import services_of
from vigil.errors import InvalidInput, NotFound, VigilError
from vigil.model.access import Principal, Role
from vigil.model.claims import ClaimState
from vigil.recovery import Actor, Recovery

router = APIRouter(prefix="/console/recovery", include_in_schema=False)
PAGE = 50  # claims of one state, or deposits, on a page
OVERVIEW = 20  # claims of each state on the overview
MAX_TEXT = 2000  # a note or a reason, as the API allows
_CLAIM_ID = re.compile(r"cl-\d{6,12}")
_SUPERVISORS = frozenset({Role.SUPERVISOR})


def _page(request: Request, name: str) -> int:
    text = request.query_params.get(name, "")
    return max(1, int(text)) if text.isdigit() and len(text) < 7 else 1


# -- the list --------------------------------------------------------------------------------------------
@router.get("")
@router.get("/")
async def list_page(request: Request) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        recovery = services_of(request).claims
        only = state_of(request.query_params.get("state"))
        page, dpage = _page(request, "page"), _page(request, "dpage")
        limit = PAGE if only is not None else OVERVIEW
        recovery.catch_up()  # as GET /v1/recovery/deposits: deposits the journal brought since
        deposits = recovery.uncredited(PAGE + 1, (dpage - 1) * PAGE)
        return render(
            request,
            "recovery_list.html",
            who,
            summary=recovery.summary(),
            states=STATES,
            sections=sections(recovery, only, limit, (page - 1) * PAGE if only is not None else 0),
            only=only,
            page=page,
            page_size=PAGE,
            deposits=deposits[:PAGE],
            more_deposits=len(deposits) > PAGE,
            dpage=dpage,
        )

    return await guarded(request, run)


# -- a claim ---------------------------------------------------------------------------------------------
def _known(recovery: Recovery, claim_id: str) -> None:
    """A claim id the service holds (404 otherwise, before anything is read or done)."""
    if not _CLAIM_ID.fullmatch(claim_id):
        raise NotFound(f"no claim {claim_id[:40]!r}: a claim id reads cl-000001")
    recovery.claim(claim_id)


def _claim_page(
    request: Request, who: Principal, claim_id: str, status: int = 200, **context: Any
) -> Response:
    recovery = services_of(request).claims
    claim = recovery.claim(claim_id, reader=Actor(who.name))  # the read is audited, as the API's
    return render(
        request,
        "recovery_claim.html",
        who,
        status=status,
        c=claim,
        deposit=deposit_of_claim(recovery, claim),
        others=others_on_deposit(recovery, claim),
        facts=claim_facts(claim),
        verdict=verdict(claim),
        screenings=screenings(claim),
        entry_details=entry_details,
        four_eyes_value=recovery.policy.four_eyes_value,
        worker=who.holds(DESK),
        supervisor=Role.SUPERVISOR in who.roles,
        ClaimState=ClaimState,
        **context,
    )


@router.get("/claims/{claim_id}")
async def claim_page(request: Request, claim_id: str) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        _known(services_of(request).claims, claim_id)
        return _claim_page(request, who, claim_id)

    return await guarded(request, run)


@router.post("/claims/{claim_id}/{verb}")
async def claim_action(request: Request, claim_id: str, verb: str) -> Response:
    """One person's step on a claim, through the service; a refusal re-renders the claim with why."""

    async def run() -> Response:
        fields = await form(request)
        who = session.principal(request, _SUPERVISORS if verb == "approve" else DESK)
        recovery = services_of(request).claims
        _known(recovery, claim_id)
        try:
            message = _carry_out(recovery, claim_id, verb, fields, Actor(who.name))
        except VigilError as exc:  # the service refused the step: nothing applied, the page says why
            status, code = status_of(exc)
            return _claim_page(
                request,
                who,
                claim_id,
                status=status,
                error=str(exc),
                error_code=code,
                error_field=exc.field if isinstance(exc, InvalidInput) else "",
                values={k: v for k, v in fields.items() if k in ("note", "reason")},
            )
        response = RedirectResponse(f"/console/recovery/claims/{claim_id}", status_code=303)
        session.flash(response, message)
        return response

    return await guarded(request, run)


def _text(fields: dict[str, str], name: str) -> str:
    text = fields.get(name, "")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"at most {MAX_TEXT} characters, not {len(text)}", field=name)
    return text


def _carry_out(recovery: Recovery, claim_id: str, verb: str, fields: dict[str, str], actor: Actor) -> str:
    """The service call the API route of the same name makes; returns what the page says it did."""
    if verb == "confirm":
        claim = recovery.confirm(claim_id, _text(fields, "note"), actor)
        return f"Claim {claim_id} confirmed with the sending platform: {claim.state.value.replace('_', ' ')}."
    if verb == "approve":
        recovery.approve(claim_id, actor)
        return f"Claim {claim_id} approved."
    if verb == "refuse":
        recovery.refuse(claim_id, _text(fields, "reason"), actor)
        return f"Claim {claim_id} refused."
    if verb == "credit":
        claim = recovery.credit(claim_id, actor)
        if claim.state is ClaimState.REFUSED:
            return f"Claim {claim_id} refused to the security desk: the sending address is now listed."
        return f"Claim {claim_id} credited: {claim.credited_amount:,} base units of {claim.asset}."
    raise InvalidInput(f"{verb[:40]!r} is not something a claim page can do")
