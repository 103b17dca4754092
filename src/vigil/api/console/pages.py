"""The desk's web console: server-rendered pages over the same services as the API.

Pages: sign-in, the alert queue (filters, SLA countdowns), a case (profile, alerts, actions with
confirmations, timeline of events and decisions with their reasons, linked accounts, history), the
approvals queue, the appeals, the dashboard (SVG charts) and the audit log. Forms post back with the
case version they were rendered from and a one-time nonce: a stale form is refused with a message, a
double click applies once. URLs carry case ids and filters, never customer data (an account is looked
up with a POST). Errors are HTML pages that say what went wrong.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse, RedirectResponse, Response

from vigil.api.auth import DESK, READERS
from vigil.api.console import session
from vigil.api.console.figures import (
    dashboard_figures,
    details,
    money,
    pattern_of,
    profile_of,
    timeline_rows,
    visible,
)
from vigil.api.errors import status_of
from vigil.api.services import Services, services_of
from vigil.desk import Change, QueueFilter
from vigil.desk.actions import parse_kind
from vigil.desk.views import when
from vigil.errors import InvalidInput, NotAuthenticated, TooManyAttempts, VigilError
from vigil.model.access import Principal, Role
from vigil.model.cases import CaseState, Kind, Queue, Severity
from vigil.views import links_view

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE = 50
TIMELINE = 500  # events on a case page; older ones are a click away
MAX_FORM = 16_384
_AUDITORS = frozenset({Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN})
_LIAISON = frozenset({Role.LIAISON})
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def ident(value: object) -> Markup:
    """An identifier (account, event, case, person) as shown: escaped, its invisible characters made
    visible, isolated (``<bdi>``) so right-to-left text inside cannot reorder what surrounds it."""
    return Markup('<bdi class="id">{}</bdi>').format(visible("" if value is None else str(value)))


_env.filters["when"] = lambda us: (when(us) or "").replace("T", " ")[:19]
_env.filters["ident"] = ident
_env.filters["visible"] = visible
_env.filters["money"] = money
_env.globals["pattern_of"] = pattern_of
_env.globals["details"] = details
_env.globals["Role"] = Role

Handler = Callable[[], Awaitable[Response]]


def render(
    request: Request, template: str, who: Principal | None, status: int = 200, **context: Any
) -> Response:
    response = HTMLResponse(status_code=status)
    message = session.take_flash(request, response)
    token = request.cookies.get(session.COOKIE, "")
    body = _env.get_template(template).render(
        currency=services_of(request).settings.reporting_currency,
        who=who,
        flash=message,
        csrf=session.csrf(token) if token else "",
        nonce=secrets.token_hex(8),
        **context,
    )
    response.body = response.render(body)
    response.headers["content-length"] = str(len(response.body))
    response.headers["cache-control"] = "no-store"
    return response


async def guarded(request: Request, handler: Handler) -> Response:
    """Run a page; a Vigil error becomes an error page (sign-in page when not signed in)."""
    try:
        return await handler()
    except NotAuthenticated:
        return RedirectResponse("/console/login", status_code=303)
    except VigilError as exc:
        status, code = status_of(exc)
        return render(
            request, "error.html", None, status=status, status_code=status, code=code, message=str(exc)
        )


async def form(request: Request) -> dict[str, str]:
    """A urlencoded form (single values), its CSRF token checked."""
    raw = await request.body()
    if len(raw) > MAX_FORM:
        raise InvalidInput(f"the form is larger than {MAX_FORM} bytes")
    try:
        fields = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        raise InvalidInput("the form is not UTF-8") from None
    session.check_csrf(request, fields.get("csrf", ""))
    return fields


def _int(fields: dict[str, str], name: str) -> int | None:
    text = fields.get(name, "")
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(f"{text!r} is not a whole number", field=name)
    return int(text)


def _change(who: Principal, fields: dict[str, str]) -> Change:
    return Change(who.name, _int(fields, "version"), fields.get("nonce", "")[:100])


def _back(to: str, message: str) -> Response:
    response = RedirectResponse(to, status_code=303)
    session.flash(response, message)
    return response


# -- signing in ---------------------------------------------------------------------------------
@router.get("/login")
async def login_page(request: Request) -> Response:
    return render(request, "login.html", None)


@router.post("/login")
async def login(request: Request) -> Response:
    raw = (await request.body())[:MAX_FORM].decode("utf-8", "replace")
    fields = {k: v[-1] for k, v in parse_qs(raw).items()}
    services = services_of(request)
    address = request.client.host if request.client is not None else ""
    try:
        issued = await services.access.login(fields.get("username", ""), fields.get("password", ""), address)
    except TooManyAttempts as exc:
        response = render(request, "login.html", None, status=429, error=f"Too many sign-in attempts: {exc}")
        response.headers["retry-after"] = str(exc.retry_after)
        return response
    except NotAuthenticated as exc:
        return render(request, "login.html", None, status=401, error=str(exc))
    # A liaison officer who is not on the security desk lands on the law-enforcement desk's list.
    roles = services.access.authenticate(issued.token).roles
    home = "/console/queue" if roles & READERS or not roles & _LIAISON else "/console/ler"
    response = RedirectResponse(home, status_code=303)
    hours = services.settings.session_hours
    session.sign_in(response, issued.token, request.url.scheme == "https", int(hours * 3600))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    async def run() -> Response:
        await form(request)
        services_of(request).access.logout(session.token_of(request))
        response = RedirectResponse("/console/login", status_code=303)
        session.sign_out(response)
        return response

    return await guarded(request, run)


@router.get("")
@router.get("/")
async def home() -> Response:
    return RedirectResponse("/console/queue", status_code=303)


# -- the queue ------------------------------------------------------------------------------------
def _enum(kind: Any, text: str | None) -> Any:
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not one of: {', '.join(k.value for k in kind)}") from None


@router.get("/queue")
async def queue_page(request: Request) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        q = request.query_params
        where = QueueFilter(
            queue=_enum(Queue, q.get("queue")),
            region=q.get("region") or None,
            severity=_enum(Severity, q.get("severity")),
            state=_enum(CaseState, q.get("state")),
            assignee=who.name if q.get("mine") else None,
        )
        page = max(1, int(q["page"])) if q.get("page", "").isdigit() else 1
        desk = services_of(request).desk.desk
        cases, total = desk.queue(where, PAGE, (page - 1) * PAGE)
        keep = {k: v for k, v in q.items() if k != "page" and v}
        return render(
            request,
            "queue.html",
            who,
            cases=cases,
            total=total,
            page=page,
            pages=max(1, -(-total // PAGE)),
            filters=keep,
            query=lambda **extra: urlencode({**keep, **extra}),
            now_us=desk.clock(),
            regions=sorted({c.region for c in desk.all_cases()}),
            Queue=Queue,
            Severity=Severity,
            CaseState=CaseState,
        )

    return await guarded(request, run)


@router.post("/find")
async def find_account(request: Request) -> Response:
    """Open the latest case of an account (posted, so the account id stays out of the URL)."""

    async def run() -> Response:
        session.principal(request, READERS)
        fields = await form(request)
        cases = services_of(request).desk.desk.cases_of(fields.get("account_id", "").strip())
        if not cases:
            return _back("/console/queue", "No case for that account.")
        return RedirectResponse(f"/console/cases/{cases[-1].case_id}", status_code=303)

    return await guarded(request, run)


# -- a case ---------------------------------------------------------------------------------------
@router.get("/cases/{case_id}")
async def case_page(request: Request, case_id: str) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        services = services_of(request)
        security = services.desk
        case = security.desk.case(case_id, reader=who.name)
        limit = TIMELINE if not request.query_params.get("all") else 100_000
        history = services.engine.journal.account_history(case.account_id, limit, trace=False)
        return render(
            request,
            "case.html",
            who,
            case=case,
            profile=profile_of(case.account_id, history, security.desk.cases_of(case.account_id)),
            timeline=timeline_rows(history, services.settings.reporting_currency),
            shown=len(history),
            limit=limit,
            controls=security.actions.controls(case.account_id),
            links=_links(services, case.account_id),
            history=security.desk.store.history(case_id),
            now_us=security.desk.clock(),
            supervisor=Role.SUPERVISOR in who.roles,
        )

    return await guarded(request, run)


def _links(services: Services, account_id: str) -> list[dict[str, Any]]:
    graph = services.engine.graph
    if graph is None or account_id not in graph.index:
        return []
    links: list[dict[str, Any]] = links_view(graph, account_id, 20)["links"]
    return links


_STEPS = {
    "investigate": Kind.INVESTIGATING,
    "escalate": Kind.ESCALATED,
    "reopen": Kind.REOPENED,
    "note": Kind.NOTE,
}


@router.post("/cases/{case_id}/{verb}")
async def case_action(request: Request, case_id: str, verb: str) -> Response:
    async def run() -> Response:
        fields = await form(request)
        security = services_of(request).desk
        allowed = frozenset({Role.SUPERVISOR}) if verb in ("approve", "reject") else DESK
        who = session.principal(request, allowed)
        change = _change(who, fields)
        reason = fields.get("reason", "").strip()
        if verb in _STEPS:
            data = {"text": fields.get("text", "")} if verb == "note" else {"reason": reason}
            security.desk.step(case_id, _STEPS[verb], change, data)
            message = {"investigate": "You are investigating this case.", "note": "Note added."}.get(
                verb, f"Case {verb}d."
            )
        elif verb == "assign":
            security.desk.assign(case_id, fields.get("assignee", "") or who.name, change)
            message = "Case assigned."
        elif verb == "resolve":
            security.desk.resolve(case_id, fields.get("disposition", ""), reason, change)
            message = "Case resolved."
        elif verb == "act":
            case = security.actions.request(
                case_id,
                parse_kind(fields.get("kind", "")),
                reason,
                change,
                asset=fields.get("asset", ""),
                amount=_int(fields, "amount") or 0,
                target=fields.get("target", ""),
                value=fields.get("value") or None,
            )
            last = case.actions[-1]
            message = (
                f"{last.kind.value} requested: it waits for a supervisor's approval."
                if last.status.value == "pending"
                else f"{last.kind.value} applied."
            )
        elif verb in ("approve", "reject"):
            action_id = fields.get("action", "")
            if verb == "approve":
                security.actions.approve(case_id, action_id, reason, change)
            else:
                security.actions.reject(case_id, action_id, reason, change)
            message = f"{action_id} {verb}d."
        else:
            raise InvalidInput(f"{verb!r} is not something a case page can do")
        back = fields.get("back", "")  # only back into the console
        return _back(back if back.startswith("/console/") else f"/console/cases/{case_id}", message)

    return await guarded(request, run)


# -- approvals, appeals, dashboard, audit -------------------------------------------------------------
@router.get("/approvals")
async def approvals_page(request: Request) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        pending = services_of(request).desk.actions.pending()
        return render(
            request, "approvals.html", who, pending=pending, supervisor=Role.SUPERVISOR in who.roles
        )

    return await guarded(request, run)


@router.get("/appeals")
async def appeals_page(request: Request) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        security = services_of(request).desk
        return render(
            request,
            "appeals.html",
            who,
            appeals=security.appeals.open_appeals(),
            now_us=security.desk.clock(),
        )

    return await guarded(request, run)


@router.get("/dashboard")
async def dashboard_page(request: Request) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        security = services_of(request).desk
        return render(request, "dashboard.html", who, **dashboard_figures(security))

    return await guarded(request, run)


@router.get("/audit")
async def audit_page(request: Request) -> Response:
    async def run() -> Response:
        who = session.principal(request, _AUDITORS)
        audit = services_of(request).desk.audit
        since = _int(dict(request.query_params), "since") or 0
        records = audit.records(since_seq=since, limit=200)
        # Verifying reads the whole log: on request only.
        verification = audit.verify() if request.query_params.get("verify") else None
        return render(request, "audit.html", who, records=records, verification=verification, since=since)

    return await guarded(request, run)
