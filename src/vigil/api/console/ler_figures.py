"""What the law-enforcement desk's console pages show, computed from the ler service and the security
desk: the list's rows (emergencies first, then the earliest clock), the domain check's findings, what a
request still needs to be verified, the desk actions an order put in motion, a package's digests, and the
intake form read into the service's ``Intake``. Plain data for the templates; the service does the work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.desk import SecurityDesk
from vigil.desk.views import when
from vigil.errors import InvalidInput, NotFound
from vigil.ler import Intake, Package, verify_package
from vigil.ler.package import read_archive
from vigil.model.cases import Action
from vigil.model.ler import LerEvent, LerRequest, LerState, Step, SubjectKind, VerificationMethod

_CHAINED = (SubjectKind.ADDRESS, SubjectKind.TX)


@dataclass(frozen=True, slots=True)
class ListRow:
    request: LerRequest
    clocks: tuple[tuple[str, int, bool], ...]  # (clock, due µs, done)
    due_us: int  # the earliest clock still running (the sort key after emergencies)


def list_rows(requests: Sequence[LerRequest]) -> list[ListRow]:
    """Requests as the list shows them: open emergencies first, then by the earliest clock still running."""
    rows = []
    for r in requests:
        clocks: list[tuple[str, int, bool]] = [
            ("acknowledge", r.ack_due_us, r.acknowledged_us is not None or r.state is not LerState.RECEIVED)
        ]
        if r.triage_due_us is not None:
            clocks.append(("triage", r.triage_due_us, r.state is not LerState.RECEIVED))
        if r.deadline_us is not None:
            clocks.append(("deadline", r.deadline_us, r.answered or not r.open))
        running = [due for _, due, done in clocks if not done]
        rows.append(ListRow(r, tuple(clocks), min(running) if running else 2**63))
    rows.sort(
        key=lambda row: (not (row.request.emergency and row.request.open), row.due_us, row.request.request_id)
    )
    return rows


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # the reason code (docs/reason-codes.md)
    detail: str


def domain_findings(request: LerRequest, history: Sequence[LerEvent]) -> list[Finding]:
    """The domain check's findings as recorded at intake: each reason code with its sentence."""
    received = next((e for e in history if e.kind is Step.RECEIVED), None)
    raw = received.data.get("domain_details") if received is not None else None
    details = [str(d) for d in raw] if isinstance(raw, list) else []
    return [
        Finding(code, details[i] if i < len(details) else "") for i, code in enumerate(request.domain_flags)
    ]


def verification_needs(request: LerRequest) -> list[str]:
    """What verifying the request still takes, in words (empty once verified, refused or closed)."""
    if request.state is not LerState.RECEIVED:
        return []
    confirmed = {v.method for v in request.verifications if v.confirmed}
    needs = []
    if any(not v.confirmed for v in request.verifications):
        needs.append("a step the agency did not confirm blocks verification: refuse the request")
    if (request.domain_flags or request.emergency) and VerificationMethod.CALLBACK not in confirmed:
        needs.append(
            "a confirmed call-back on the directory's number (the domain is flagged or it is an emergency)"
        )
    elif not confirmed & {VerificationMethod.CALLBACK, VerificationMethod.PORTAL}:
        needs.append(
            "a confirmed call-back on the directory's number, or a receipt through the agency's portal"
        )
    if request.emergency:
        needs.append("a supervisor to verify it (an emergency)")
    return needs


def entry_details(entry: LerEvent) -> list[tuple[str, str]]:
    """A history entry's details as read: times in UTC, lists and records spelled out, the nonce left out
    (the received entry's details are the request itself, shown above it)."""
    if entry.kind is Step.RECEIVED:
        return []
    shown = []
    for key, value in entry.data.items():
        if key == "nonce":
            continue
        if key.endswith("_us") and isinstance(value, int):
            shown.append((key.removesuffix("_us"), (when(value) or "").replace("T", " ")[:19] + " UTC"))
        else:
            shown.append((key, _spelled(value)))
    return shown


def _spelled(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_spelled(v) for v in value) or "none"
    if isinstance(value, dict):
        return " ".join(f"{k}={_spelled(v)}" for k, v in value.items())
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class OrderAction:
    case_id: str
    account_id: str
    action: Action
    until_us: int | None  # a freeze's end (None for an unfreeze)


def order_actions(request: LerRequest, security: SecurityDesk) -> list[OrderAction]:
    """The desk actions that carry out the request's orders (those referencing it), oldest first."""
    until = {f.action_id: f.until_us for f in request.freezes}
    case_ids = dict.fromkeys(
        [f.case_id for f in request.freezes] + [a.rsplit("/", 1)[0] for a in request.releases]
    )
    found = []
    for case_id in case_ids:
        try:
            case = security.desk.case(case_id)
        except NotFound:
            continue  # the desk no longer knows the case: nothing to show or approve
        for a in case.actions:
            if a.reference == request.request_id:
                found.append(OrderAction(case_id, case.account_id, a, until.get(a.action_id)))
    return found


@dataclass(frozen=True, slots=True)
class PackageFigures:
    sha256: str  # of the archive
    manifest_sha256: str
    signature: str
    problems: tuple[str, ...]  # empty: the manifest's hashes hold and the signature verifies
    files: tuple[tuple[str, int], ...]
    accounts: tuple[str, ...]
    kinds: tuple[str, ...]


def package_figures(package: Package, public_key: bytes | None) -> PackageFigures:
    """A package as its page shows it, verified as ``vigil ler check`` would with the exchange's key."""
    files = read_archive(package.archive)
    return PackageFigures(
        sha256=package.sha256,
        manifest_sha256=hashlib.sha256(files.get("manifest.json", b"")).hexdigest(),
        signature=package.signature,
        problems=tuple(verify_package(package.archive, public_key)),
        files=tuple((name, len(content)) for name, content in sorted(files.items())),
        accounts=package.accounts,
        kinds=package.kinds,
    )


# -- the intake form -------------------------------------------------------------------------------------
def parse_subject_lines(text: str) -> list[dict[str, str]]:
    """Subjects typed one a line: ``kind: value``, or ``kind: chain: value`` for an address or a
    transaction (``address: ETH: 0x…``). Blank lines are skipped; errors name ``subjects[n]``."""
    subjects: list[dict[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        kind, sep, rest = line.partition(":")
        if not sep:
            raise InvalidInput(
                f"{line[:60]!r} is not 'kind: value' (e.g. 'account: 12345')",
                field=f"subjects[{len(subjects)}]",
            )
        kind = kind.strip().lower()
        chain = ""
        if kind in _CHAINED:
            chain, sep, value = rest.partition(":")
            if not sep:
                raise InvalidInput(
                    f"an {kind} names its chain: '{kind}: CHAIN: value'", field=f"subjects[{len(subjects)}]"
                )
        else:
            value = rest
        subjects.append({"kind": kind, "value": value.strip(), "chain": chain.strip()})
    return subjects


def moment(text: str, field: str) -> int | None:
    """A time from the form (``datetime-local``, read as UTC; an offset may be given) in µs."""
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text[:40]!r} is not a date and time", field=field) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1_000_000)


def intake_of(fields: Mapping[str, Sequence[str]]) -> Intake:
    """The intake form's fields (each a list of values) as the service's ``Intake``."""

    def one(name: str) -> str:
        values = fields.get(name) or [""]
        return values[-1]

    period_from, period_until = (
        moment(one("period_from"), "period_from"),
        moment(one("period_until"), "period_until"),
    )
    if period_from is None:
        raise InvalidInput("a request needs the start of the period it concerns", field="period_from")
    if period_until is None:
        raise InvalidInput("a request needs the end of the period it concerns", field="period_until")
    return Intake(
        agency=one("agency"),
        officer=one("officer"),
        officer_email=one("officer_email"),
        officer_phone=one("officer_phone"),
        jurisdiction=one("jurisdiction"),
        legal_basis=one("legal_basis"),
        legal_reference=one("legal_reference"),
        kind=one("kind"),
        subjects=parse_subject_lines(one("subjects")),
        period_from_us=period_from,
        period_until_us=period_until,
        deadline_us=moment(one("deadline"), "deadline"),
        nondisclosure=one("nondisclosure") in ("1", "on", "true"),
        nondisclosure_until_us=moment(one("nondisclosure_until"), "nondisclosure_until"),
        data_kinds=[k for k in fields.get("data_kinds", []) if k],
    )
