"""The law-enforcement desk's console pages under ``/console/ler`` (docs/ler.md, "The console").

The list of requests (emergencies first, clocks counting down), the intake form (subjects one a line,
attachments uploaded), and a request's page: the requester's domain and its findings, verification steps
and verification, subjects resolved to accounts (offered accounts accepted one by one), freeze orders put
to the desk's four eyes and approved there by a supervisor, and the signed disclosure package. Each page
checks the signed-in person's roles itself (liaison and supervisors work requests, auditors read them);
every act goes through the ler service, which records and audits it. Forms carry the CSRF token, the
request's version and a one-time nonce, as the desk's do.
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from vigil.api.console import session
from vigil.api.console.ler_figures import (
    domain_findings,
    entry_details,
    intake_of,
    list_rows,
    moment,
    order_actions,
    package_figures,
    verification_needs,
)
from vigil.api.console.pages import guarded, render
from vigil.api.routes.ler import MAX_ATTACHMENT, READERS, WORKERS
from vigil.api.services import services_of
from vigil.errors import InvalidInput, NotReady, TooLarge
from vigil.ler import Act, LiaisonDesk
from vigil.ler.domains import domain_of
from vigil.model.access import Principal, Role
from vigil.model.ler import DataKind, LegalBasis, RequestKind, SubjectKind, VerificationMethod

router = APIRouter(prefix="/console/ler", include_in_schema=False)
MAX_FORM = 16_384  # a form without files
MAX_UPLOAD = 3 * MAX_ATTACHMENT + 65_536  # the intake form: its fields and up to three attachments' worth
MAX_FILES = 10
_SUPERVISORS = frozenset({Role.SUPERVISOR})


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # (file name, media type, content)

    def get(self, name: str) -> str:
        values = self.fields.get(name) or [""]
        return values[-1]


def _multipart(content_type: str, raw: bytes) -> Form:
    """A multipart/form-data body read with the standard library's MIME parser (no file touches disk)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    if not message.is_multipart():
        raise InvalidInput("the form is not multipart/form-data")
    form = Form()
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if filename or content:  # an empty file input sends a part with no name and no content
                form.files.append((filename, part.get_content_type(), content))
            continue
        try:
            form.fields.setdefault(name, []).append(content.decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidInput("the form is not UTF-8", field=name) from None
    return form


async def read_form(request: Request, limit: int = MAX_FORM) -> Form:
    """A form (urlencoded, or multipart with files), its CSRF token checked before anything is read."""
    raw = await request.body()
    if len(raw) > limit:
        raise TooLarge(f"the form is larger than {limit} bytes")
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = _multipart(content_type, raw)
    else:
        try:
            form = Form(parse_qs(raw.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise InvalidInput("the form is not UTF-8") from None
    session.check_csrf(request, form.get("csrf"))
    return form


def _ler(request: Request) -> LiaisonDesk:
    ler = services_of(request).liaison
    if ler is None:
        raise NotReady("this server runs without the law-enforcement desk")
    return ler


def _act(who: Principal, form: Form, with_version: bool = True) -> Act:
    version = form.get("version") if with_version else ""
    if version and not version.isdigit():
        raise InvalidInput(f"{version[:20]!r} is not a whole number", field="version")
    return Act(who.name, who.roles, int(version) if version else None, form.get("nonce")[:100])


def _back(to: str, message: str) -> Response:
    response = RedirectResponse(to, status_code=303)
    session.flash(response, message)
    return response


def _vocabulary() -> dict[str, Any]:
    return {
        "kinds": [k.value for k in RequestKind],
        "bases": [b.value for b in LegalBasis],
        "data_kinds": [k.value for k in DataKind],
        "subject_kinds": [k.value for k in SubjectKind],
        "methods": [m.value for m in VerificationMethod],
    }


# -- the list --------------------------------------------------------------------------------------------
@router.get("")
@router.get("/")
async def list_page(request: Request) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        ler = _ler(request)
        everything = bool(request.query_params.get("closed"))
        rows = list_rows(ler.requests.requests(open_only=not everything))
        return render(
            request,
            "ler_list.html",
            who,
            rows=rows,
            everything=everything,
            worker=who.holds(WORKERS),
            now_us=ler.requests.clock(),
        )

    return await guarded(request, run)


# -- intake ----------------------------------------------------------------------------------------------
def _intake_page(request: Request, who: Principal, status: int = 200, **context: Any) -> Response:
    agencies = _ler(request).requests.directory.agencies
    return render(request, "ler_new.html", who, status=status, agencies=agencies, **_vocabulary(), **context)


@router.get("/new")
async def new_page(request: Request) -> Response:
    async def run() -> Response:
        who = session.principal(request, WORKERS)
        return _intake_page(request, who, values={}, chosen=[])

    return await guarded(request, run)


@router.post("/new")
async def log_request(request: Request) -> Response:
    """Log a request; bad input re-renders the form with the error and nothing is recorded."""

    async def run() -> Response:
        who = session.principal(request, WORKERS)
        form = await read_form(request, MAX_UPLOAD)
        ler = _ler(request).requests
        act = _act(who, form, with_version=False)
        try:
            files = _attachments(form)
            intake = intake_of(form.fields)
            logged = ler.log(intake, act)
        except InvalidInput as exc:
            values = {k: v[-1] for k, v in form.fields.items() if k not in ("csrf", "nonce") and v}
            return _intake_page(
                request,
                who,
                status=422,
                error=exc.message,
                error_field=exc.field or "",
                values=values,
                chosen=form.fields.get("data_kinds", []),
            )
        for i, (name, media_type, content) in enumerate(files):
            nonce = f"{act.nonce}-a{i}" if act.nonce else ""
            ler.attach(logged.request_id, name, media_type, content, Act(who.name, who.roles, nonce=nonce))
        return _back(f"/console/ler/{logged.request_id}", f"Request {logged.request_id} logged.")

    return await guarded(request, run)


def _attachments(form: Form) -> list[tuple[str, str, bytes]]:
    """The uploaded files, checked before anything is recorded."""
    if len(form.files) > MAX_FILES:
        raise InvalidInput(f"at most {MAX_FILES} attachments at once", field="attachments")
    for name, _media, content in form.files:
        shown = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        if not shown.strip() or len(shown) > 200:
            raise InvalidInput("an attachment needs a file name of 1 to 200 characters", field="attachments")
        if len(content) > MAX_ATTACHMENT:
            raise InvalidInput(f"{shown[:60]!r} is larger than {MAX_ATTACHMENT} bytes", field="attachments")
    return [(n.rsplit("/", 1)[-1].rsplit("\\", 1)[-1], m, c) for n, m, c in form.files]


# -- the agency directory ------------------------------------------------------------------------------
@router.get("/agencies")
async def agencies_page(request: Request) -> Response:
    """The directory requests are checked against (read-only): the shipped example, or the exchange's."""

    async def run() -> Response:
        who = session.principal(request, READERS)
        return render(
            request,
            "ler_agencies.html",
            who,
            agencies=_ler(request).requests.directory.agencies,
            example=services_of(request).settings.ler_agencies is None,
        )

    return await guarded(request, run)


# -- a request -------------------------------------------------------------------------------------------
@router.get("/{request_id}")
async def request_page(request: Request, request_id: str) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        ler = _ler(request)
        history = ler.requests.history(request_id, who.name)  # the read is audited
        r = ler.requests.request(request_id)
        agency = ler.requests.directory.get(r.agency_id)
        return render(
            request,
            "ler_request.html",
            who,
            r=r,
            history=history,
            entry_details=entry_details,
            domain=_domain(r.officer_email),
            findings=domain_findings(r, history),
            needs=verification_needs(r),
            callback=agency.callback if agency is not None else "",
            orders=order_actions(r, services_of(request).desk),
            worker=who.holds(WORKERS),
            supervisor=Role.SUPERVISOR in who.roles,
            signing=ler.requests.signer is not None,
            now_us=ler.requests.clock(),
            **_vocabulary(),
        )

    return await guarded(request, run)


def _domain(email_address: str) -> str:
    try:
        return domain_of(email_address)
    except InvalidInput:
        return email_address


@router.get("/{request_id}/attachments/{sha256}")
async def attachment(request: Request, request_id: str, sha256: str) -> Response:
    async def run() -> Response:
        who = session.principal(request, READERS)
        ler = _ler(request).requests
        content = ler.attachment(request_id, sha256, who.name)  # the read is audited
        found = next(a for a in ler.request(request_id).attachments if a.sha256 == sha256)
        return _download(content, found.name, "application/octet-stream")

    return await guarded(request, run)


def _download(content: bytes, name: str, media_type: str) -> Response:
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)[:100] or "file"
    return Response(
        content,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{safe}"',
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
        },
    )


@router.post("/{request_id}/disclose")
async def disclose(request: Request, request_id: str) -> Response:
    """Generate the signed package (recorded on the request and audited): its page, or the archive."""

    async def run() -> Response:
        who = session.principal(request, WORKERS)
        form = await read_form(request)
        ler = _ler(request)
        package = ler.disclosures.disclose(request_id, _act(who, form, with_version=False))
        if form.get("download"):
            return _download(package.archive, f"{request_id}-{package.sha256[:12]}.tar", "application/x-tar")
        public = ler.requests.signer.public if ler.requests.signer is not None else None
        return render(
            request,
            "ler_package.html",
            who,
            r=ler.requests.request(request_id),
            package=package_figures(package, public),
        )

    return await guarded(request, run)


@router.post("/{request_id}/{verb}")
async def request_action(request: Request, request_id: str, verb: str) -> Response:
    async def run() -> Response:
        form = await read_form(request)
        who = session.principal(request, _SUPERVISORS if verb in ("approve", "reject") else WORKERS)
        ler = _ler(request)
        message = _carry_out(ler, request_id, verb, form, who)
        return _back(f"/console/ler/{request_id}", message)

    return await guarded(request, run)


def _carry_out(ler: LiaisonDesk, request_id: str, verb: str, form: Form, who: Principal) -> str:
    """One act on a request, through the service; returns what the page says it did."""
    act = _act(who, form)
    requests = ler.requests
    if verb == "verification":
        confirmed = form.get("confirmed") == "yes"
        requests.record_verification(request_id, form.get("method"), confirmed, form.get("note"), act)
        return "Verification step recorded."
    if verb == "verify":
        requests.verify(request_id, form.get("note"), act)
        return f"Request {request_id} verified."
    if verb == "refuse":
        requests.refuse(request_id, form.get("reason"), act)
        return f"Request {request_id} refused."
    if verb == "acknowledge":
        requests.acknowledge(request_id, act)
        return "Receipt acknowledged."
    if verb == "note":
        requests.note(request_id, form.get("text"), act)
        return "Note added."
    if verb == "close":
        requests.close(request_id, form.get("reason"), act)
        return f"Request {request_id} closed."
    if verb == "resolve":
        r = requests.resolve(request_id, act)
        return (
            f"Subjects resolved: {len(r.accounts)} account(s) in scope, {len(r.offered)} offered for review."
        )
    if verb == "account":
        requests.add_account(request_id, form.get("account_id"), act)
        return f"Account {form.get('account_id')[:60]} brought into scope."
    if verb == "freeze":
        amount = form.get("amount").strip()
        if amount and not amount.isdigit():
            raise InvalidInput(f"{amount[:20]!r} is not a whole number of base units", field="amount")
        ler.orders.freeze(
            request_id,
            form.get("account_id"),
            act,
            asset=form.get("asset").strip(),
            amount=int(amount) if amount else 0,
            until_us=moment(form.get("until"), "until"),
        )
        return "Freeze requested: it waits for a supervisor's approval (four eyes)."
    if verb == "unfreeze":
        ler.orders.unfreeze(request_id, form.get("action_id"), act)
        return "Unfreeze requested: it waits for a supervisor's approval (four eyes)."
    if verb in ("approve", "reject"):
        action_id = form.get("action")
        ler.orders.decide(request_id, action_id, verb == "approve", form.get("reason"), act)
        return f"{action_id} {verb}d."
    raise InvalidInput(f"{verb[:40]!r} is not something a request page can do")
