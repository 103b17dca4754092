"""The law-enforcement desk as a service: requests kept by the ``LerStore`` port, folded into an index.

Every change is one or more history entries appended (all or nothing) in one transaction with its audit
record, then folded in; a change may name the version the person saw (stale: ``Conflict``) and a nonce
(the same nonce again returns the request unchanged). The rules it keeps:

- **nothing leaves and nothing is frozen before a person verifies the request**: verification needs a
  confirmed call-back on the directory's number or a receipt through the agency's authenticated portal
  (a reply from the requester's address is recorded but never enough: a hijacked mailbox answers its own
  mail); a request whose domain is flagged (``ler.domains``) needs a confirmed call-back; any step the
  agency denied blocks verification; an emergency needs a supervisor, signed in, and a call-back;
- freezes and unfreezes go through the security desk's actions with four eyes whatever their value, and
  carry the request id as their reference; a freeze lapses at its end date (or after the configured
  period) unless renewed, with a notice before;
- clocks (acknowledge, emergency triage, the request's deadline) are checked by ``tick``; a breach is
  recorded once and a notice leaves through the desk's outbox. Notices name the request, never its
  agency, subjects or accounts;
- every act and every read of a request by a person is audited.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

from vigil.audit import AuditTrail
from vigil.desk import SecurityDesk
from vigil.errors import Conflict, Forbidden, InvalidInput, NotFound, NotVerified
from vigil.graph import EntityGraph
from vigil.ler.clocks import TRIAGE_US, ack_due, breaches
from vigil.ler.directory import Directory
from vigil.ler.domains import check_requester
from vigil.ler.fold import Folding
from vigil.ler.legal import check_scope, parse_basis
from vigil.ler.package import Signer
from vigil.ler.subjects import SubjectIndex, parse_subjects, resolve
from vigil.model.access import Role
from vigil.model.ler import (
    SYSTEM_ACTOR,
    DataKind,
    LerData,
    LerEvent,
    LerRequest,
    LerState,
    RequestKind,
    Step,
    VerificationMethod,
)
from vigil.model.notify import Notice
from vigil.ports import Atomic, Journal, LerStore

DAY_US = 86_400_000_000
MAX_RECORDS = 1_000_000  # an account's journal records read for a package, at most


def wall_clock_us() -> int:
    return time.time_ns() // 1000


@dataclass(frozen=True, slots=True)
class LerPolicy:
    freeze_days: int = 90  # a freeze order without an end date lapses after this many days
    lapse_notice_days: int = 7  # the people on call are told this long before a freeze lapses
    exchange: str = "the exchange"  # as the disclosure summary names the sender


@dataclass(frozen=True, slots=True)
class Act:
    """Who acts (a username or a key id), with which roles, on which version, with which nonce."""

    actor: str
    roles: frozenset[Role] = frozenset()
    version: int | None = None
    nonce: str = ""
    by_key: bool = False
    system: bool = False


@dataclass(frozen=True, slots=True)
class Intake:
    """A request as it arrives (the API's body, the CLI's JSON line); checked by ``LerDesk.log``."""

    agency: str
    officer: str
    officer_email: str
    legal_basis: str
    legal_reference: str
    kind: str
    subjects: Sequence[Mapping[str, object]]
    period_from_us: int
    period_until_us: int
    officer_phone: str = ""
    jurisdiction: str = ""
    deadline_us: int | None = None
    nondisclosure: bool = False
    nondisclosure_until_us: int | None = None
    data_kinds: Sequence[str] = ()


Steps = list[tuple[Step, LerData]]


@dataclass
class Sources:
    """Where subjects are resolved and packages read from (each optional: a CLI without a journal)."""

    journal: Journal | None = None
    address_users: Callable[[str], Sequence[str]] | None = None
    graph: Callable[[], EntityGraph | None] = field(default=lambda: None)
    region_of: Callable[[str], str] | None = None


class LerDesk:
    def __init__(
        self,
        store: LerStore,
        audit: AuditTrail,
        directory: Directory,
        security: SecurityDesk,
        *,
        sources: Sources | None = None,
        signer: Signer | None = None,
        policy: LerPolicy | None = None,
        clock: Callable[[], int] = wall_clock_us,
        atomic: Atomic | None = None,
    ) -> None:
        self.store, self.audit, self.directory, self.security = store, audit, directory, security
        self.sources = sources or Sources()
        self.signer, self.policy, self.clock = signer, policy or LerPolicy(), clock
        self.atomic = atomic.atomic if atomic is not None else nullcontext
        self.index = SubjectIndex()
        self._requests: dict[str, Folding] = {}
        history: list[LerEvent] = []
        for e in store.all_events():
            if history and e.request_id != history[0].request_id:
                self._requests[history[0].request_id] = Folding(history)
                history = []
            history.append(e)
        if history:
            self._requests[history[0].request_id] = Folding(history)

    # -- the one way a change reaches a request ------------------------------------------------------
    def _folding(self, request_id: str) -> Folding:
        found = self._requests.get(request_id)
        if found is None:
            raise NotFound(f"no request {request_id!r}")
        return found

    def apply(self, request_id: str, act: Act, build: Callable[[LerRequest], Steps]) -> LerRequest:
        folding = self._folding(request_id)
        request = folding.request
        if act.nonce and act.nonce in request.nonces:
            return request
        if act.version is not None and act.version != request.version:
            raise Conflict(
                f"request {request_id} changed since you loaded it (you saw version {act.version}, it is at"
                f" {request.version}): reload it and try again"
            )
        now, seq, entries = self.clock(), request.version, list[LerEvent]()
        for kind, data in build(request):
            seq += 1
            if act.nonce and not entries:
                data = {**data, "nonce": act.nonce}
            entries.append(LerEvent(request_id, seq, now, act.actor, kind, data, system=act.system))
        self._store(entries, act)
        for e in entries:
            request = folding.step(e)
        return request

    def _store(self, entries: list[LerEvent], act: Act) -> None:
        try:
            with self.atomic():
                self.store.append(entries)
                if not act.system:
                    for e in entries:
                        detail = {k: v for k, v in e.data.items() if k != "nonce"}
                        self.audit.record(act.actor, f"ler.{e.kind.value}", f"ler:{e.request_id}", detail)
        except BaseException:
            self.audit.forget()
            raise

    # -- intake ----------------------------------------------------------------------------------------
    def log(self, intake: Intake, act: Act) -> LerRequest:
        """Check and record a new request (``InvalidInput`` naming the field; nothing is recorded then)."""
        agency = self.directory.find(intake.agency)
        basis = parse_basis(intake.legal_basis)
        try:
            kind = RequestKind(intake.kind.strip())
        except ValueError:
            known = ", ".join(k.value for k in RequestKind)
            raise InvalidInput(
                f"{intake.kind[:40]!r} is not a kind of request; use one of: {known}", field="kind"
            ) from None
        for name in ("officer", "legal_reference"):
            if not str(getattr(intake, name)).strip():
                raise InvalidInput(f"a request needs its {name.replace('_', ' ')}", field=name)
        kinds = tuple(_data_kind(k) for k in intake.data_kinds)
        kinds = check_scope(kind, basis, kinds)
        subjects = parse_subjects(intake.subjects)
        now = self.clock()
        if intake.period_from_us >= intake.period_until_us:
            raise InvalidInput("the period must end after it starts", field="period_until")
        if intake.deadline_us is not None and intake.deadline_us <= now:
            raise InvalidInput("the deadline is in the past", field="deadline")
        if intake.nondisclosure_until_us is not None and intake.nondisclosure_until_us <= now:
            raise InvalidInput("the non-disclosure order's end is in the past", field="nondisclosure_until")
        jurisdiction = intake.jurisdiction.strip().upper() or agency.jurisdiction
        check = check_requester(intake.officer_email, agency, self.directory)
        request_id = f"L-{self.store.requests() + 1:06d}"
        data: LerData = {
            "agency_id": agency.agency_id,
            "agency": agency.name,
            "officer": intake.officer.strip(),
            "officer_email": intake.officer_email.strip().lower(),
            "officer_phone": intake.officer_phone.strip(),
            "jurisdiction": jurisdiction,
            "legal_basis": basis.value,
            "legal_reference": intake.legal_reference.strip(),
            "kind": kind.value,
            "subjects": [{"kind": s.kind.value, "value": s.value, "chain": s.chain} for s in subjects],
            "data_kinds": [k.value for k in kinds],
            "period_from_us": intake.period_from_us,
            "period_until_us": intake.period_until_us,
            "deadline_us": intake.deadline_us,
            "nondisclosure": intake.nondisclosure or intake.nondisclosure_until_us is not None,
            "nondisclosure_until_us": intake.nondisclosure_until_us,
            "domain_flags": [f.value for f in check.flags],
            "domain_details": list(check.details),
            "ack_due_us": ack_due(now, agency.calendar),
            "triage_due_us": now + TRIAGE_US if kind is RequestKind.EMERGENCY else None,
        }
        if act.nonce:
            for f in self._requests.values():
                if act.nonce in f.request.nonces:
                    return f.request  # the same intake again (a retried request)
            data["nonce"] = act.nonce
        entry = LerEvent(request_id, 1, now, act.actor, Step.RECEIVED, data)
        self._store([entry], act)
        folding = Folding([entry])
        self._requests[request_id] = folding
        return folding.request

    def attach(self, request_id: str, name: str, media_type: str, content: bytes, act: Act) -> LerRequest:
        if not name.strip() or len(name) > 200:
            raise InvalidInput("an attachment needs a name of 1 to 200 characters", field="name")
        sha = hashlib.sha256(content).hexdigest()
        self._folding(request_id)
        self.store.put_attachment(sha, content)

        def build(r: LerRequest) -> Steps:
            data: LerData = {
                "sha256": sha,
                "name": name.strip(),
                "size": len(content),
                "media_type": media_type,
            }
            return [(Step.ATTACHED, data)]

        return self.apply(request_id, act, build)

    def attachment(self, request_id: str, sha256: str, reader: str) -> bytes:
        request = self.request(request_id)
        if sha256 not in {a.sha256 for a in request.attachments}:
            raise NotFound(f"request {request_id} has no attachment {sha256[:16]}...")
        content = self.store.attachment(sha256)
        if content is None:
            raise NotFound(f"attachment {sha256[:16]}... is not stored")
        self.audit.record(reader, "ler.attachment_read", f"ler:{request_id}", {"sha256": sha256})
        return content

    # -- is the requester real --------------------------------------------------------------------------
    def record_verification(
        self, request_id: str, method: str, confirmed: bool, note: str, act: Act
    ) -> LerRequest:
        """A step a person took to check the requester. A call-back is to the directory's number, which
        is recorded (never a number the request gives); a reply is to the officer's address."""
        try:
            how = VerificationMethod(method)
        except ValueError:
            known = ", ".join(m.value for m in VerificationMethod)
            raise InvalidInput(
                f"{method[:40]!r} is not a verification step; use one of: {known}", field="method"
            ) from None
        if act.by_key:
            raise Forbidden("verification steps are recorded by a person signed in, not with an API key")

        def build(r: LerRequest) -> Steps:
            _open(r)
            agency = self.directory.get(r.agency_id)
            contact = agency.callback if how is VerificationMethod.CALLBACK and agency else r.officer_email
            data: LerData = {
                "method": how.value,
                "confirmed": confirmed,
                "contact": contact,
                "note": note.strip(),
            }
            return [(Step.VERIFICATION, data)]

        return self.apply(request_id, act, build)

    def verify(self, request_id: str, note: str, act: Act) -> LerRequest:
        if act.by_key:
            raise Forbidden("a request is verified by a person signed in, not with an API key")

        def build(r: LerRequest) -> Steps:
            if r.state is not LerState.RECEIVED:
                raise Conflict(
                    f"request {request_id} is {r.state.value}: only a received request is verified"
                )
            denied = [v for v in r.verifications if not v.confirmed]
            if denied:
                raise Conflict(
                    f"the agency did not confirm request {request_id} ({denied[0].method.value}): refuse it"
                )
            confirmed = {v.method for v in r.verifications if v.confirmed}
            if not confirmed & _SUFFICIENT:
                raise Conflict(
                    f"request {request_id} has no confirmed call-back or portal receipt (a reply from the"
                    " requester's own mailbox proves nothing if it is hijacked): call the agency back on the"
                    " directory's number first"
                )
            if (r.domain_flags or r.emergency) and VerificationMethod.CALLBACK not in confirmed:
                why = (
                    "it is an emergency"
                    if r.emergency
                    else f"its domain is flagged ({', '.join(r.domain_flags)})"
                )
                raise Conflict(
                    f"request {request_id} cannot be verified yet: {why}, and only a confirmed call-back"
                    " on the directory's number verifies it"
                )
            if r.emergency and Role.SUPERVISOR not in act.roles:
                raise Forbidden("an emergency request is verified by a supervisor")
            return [(Step.VERIFIED, {"note": note.strip()})]

        return self.apply(request_id, act, build)

    def refuse(self, request_id: str, reason: str, act: Act) -> LerRequest:
        if not reason.strip():
            raise InvalidInput("say why the request is refused", field="reason")

        def build(r: LerRequest) -> Steps:
            _open(r)
            return [(Step.REFUSED, {"reason": reason.strip()})]

        return self.apply(request_id, act, build)

    def acknowledge(self, request_id: str, act: Act) -> LerRequest:
        def build(r: LerRequest) -> Steps:
            _open(r)
            if r.acknowledged_us is not None:
                raise Conflict(f"request {request_id} is acknowledged already")
            return [(Step.ACKNOWLEDGED, {})]

        return self.apply(request_id, act, build)

    def note(self, request_id: str, text: str, act: Act) -> LerRequest:
        if not text.strip():
            raise InvalidInput("a note needs text", field="text")
        return self.apply(request_id, act, lambda r: [(Step.NOTE, {"text": text.strip()})])

    def close(self, request_id: str, reason: str, act: Act) -> LerRequest:
        if not reason.strip():
            raise InvalidInput("say why the request is closed", field="reason")

        def build(r: LerRequest) -> Steps:
            _open(r)
            return [(Step.CLOSED, {"reason": reason.strip()})]

        return self.apply(request_id, act, build)

    # -- subjects to accounts ----------------------------------------------------------------------------
    def catch_up(self) -> int:
        """Observe the journal's records after the index's position; returns how many were read."""
        journal = self.sources.journal
        if journal is None:
            return 0
        n = 0
        for position, event, _decision in journal.tail(self.index.position, trace=False):
            self.index.observe(event)
            self.index.position = position
            n += 1
        return n

    def resolve(self, request_id: str, act: Act) -> LerRequest:
        """Resolve the subjects to accounts (identifiers: in scope; names and linked accounts: offered).
        A request none of whose subjects finds anything is ``InvalidInput`` on ``subjects``, unrecorded."""
        request = self.request(request_id)
        self.catch_up()
        found = resolve(request.subjects, self.index, self.sources.address_users, self.sources.graph())
        if not found.matches and not found.offered:
            raise InvalidInput(
                f"no subject of request {request_id} matches an account: {', '.join(found.unmatched)[:300]}",
                field="subjects",
            )

        def build(r: LerRequest) -> Steps:
            _open(r)
            view = [{"account_id": m.account_id, "subject": m.subject, "how": m.how} for m in found.matches]
            offered = [
                {"account_id": m.account_id, "subject": m.subject, "how": m.how} for m in found.offered
            ]
            data: LerData = {"matches": view, "offered": offered, "unmatched": list(found.unmatched)}  # type: ignore[dict-item]
            return [(Step.RESOLVED, data)]

        return self.apply(request_id, act, build)

    def add_account(self, request_id: str, account_id: str, act: Act) -> LerRequest:
        """A person confirms an offered account (a name match, a linked account) into scope."""

        def build(r: LerRequest) -> Steps:
            _open(r)
            offer = next((m for m in r.offered if m.account_id == account_id), None)
            if offer is None:
                raise Conflict(f"account {account_id!r} is not offered for review on request {request_id}")
            return [
                (
                    Step.ACCOUNT_ADDED,
                    {"account_id": offer.account_id, "subject": offer.subject, "how": offer.how},
                )
            ]

        return self.apply(request_id, act, build)

    # -- reading -----------------------------------------------------------------------------------------
    def request(self, request_id: str, reader: str | None = None) -> LerRequest:
        request = self._folding(request_id).request
        if reader is not None:
            self.audit.record(reader, "ler.read", f"ler:{request_id}", {})
        return request

    def history(self, request_id: str, reader: str) -> list[LerEvent]:
        self.request(request_id, reader)
        return self.store.history(request_id)

    def requests(self, open_only: bool = True) -> list[LerRequest]:
        found = [f.request for f in self._requests.values() if f.request.open or not open_only]
        found.sort(key=lambda r: (r.triage_due_us or r.ack_due_us, r.request_id))
        return found

    def restricted(self, account_id: str, now_us: int | None = None) -> bool:
        """Whether a non-disclosure order in force covers the account: nothing customer-facing may then
        reveal a request or a freeze's origin."""
        now = self.clock() if now_us is None else now_us
        return any(
            r.nondisclosure_at(now)
            and (account_id in r.accounts or any(f.account_id == account_id for f in r.freezes))
            for r in (f.request for f in self._requests.values())
        )

    # -- clocks -------------------------------------------------------------------------------
    def tick(self, now_us: int | None = None) -> list[str]:
        """Record the clocks that ran out and the freezes that lapse (or will soon), hand notices to the
        desk's outbox; returns what happened, one line each."""
        now = self.clock() if now_us is None else now_us
        done: list[str] = []
        system = Act(SYSTEM_ACTOR, system=True)
        for folding in list(self._requests.values()):
            r = folding.request
            due = breaches(r, now)
            if due:
                self.apply(r.request_id, system, _constant([(Step.BREACHED, {"clock": c}) for c in due]))
                for clock in due:
                    self.notify(
                        r, "ler.breached", f"request {r.request_id} missed its {_CLOCKS[clock]} deadline", now
                    )
                    done.append(f"{r.request_id} {clock} breached")
        return done

    def notify(self, r: LerRequest, kind: str, title: str, now: int) -> None:
        """A notice that names the request only: never its agency, subjects or accounts."""
        restricted = " It is under a non-disclosure order." if r.nondisclosure_at(now) else ""
        text = f"{title}. Open it in the console to act.{restricted}"
        severity = "critical" if r.emergency else "high"
        self.security.desk.notify(
            Notice(kind, "", title, text, severity, now, f"/console/ler/{r.request_id}")
        )


_SUFFICIENT = frozenset({VerificationMethod.CALLBACK, VerificationMethod.PORTAL})
_CLOCKS = {"ack": "acknowledgement", "triage": "emergency triage", "deadline": "response"}


def _data_kind(text: str) -> DataKind:
    try:
        return DataKind(text)
    except ValueError:
        known = ", ".join(k.value for k in DataKind)
        raise InvalidInput(f"{text[:40]!r} is not a kind of data; use: {known}", field="data_kinds") from None


def _open(r: LerRequest) -> None:
    if not r.open:
        raise Conflict(f"request {r.request_id} is {r.state.value}")


def verified(r: LerRequest) -> None:
    if r.state is not LerState.VERIFIED:
        raise NotVerified(
            f"request {r.request_id} is {r.state.value}, not verified: nothing leaves and nothing is frozen"
            " before a person verifies the requester"
        )


def _constant(steps: Steps) -> Callable[[LerRequest], Steps]:
    return lambda _r: steps
