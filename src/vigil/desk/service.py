"""The desk as a service: cases kept by the ``CaseStore`` port, folded into an in-memory index.

Every change is one or more history entries appended through the store (all or nothing), in one
transaction with their audit records (``Atomic``), and then folded into the index, so the index is
always the fold of what is stored. A change names the case version the
person saw (a stale form is refused with ``Conflict``) and may carry a nonce: the same nonce again
returns the case unchanged (a double click applies once). Every change and every read of a case by a
person is written to the audit trail.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass

from vigil.audit import AuditTrail
from vigil.desk.alerts import Flag, flag_of
from vigil.desk.controls import controls
from vigil.desk.escalation import breaches, next_due, notice_of
from vigil.desk.fold import Folding, event_time
from vigil.desk.labels import labels_of, parse_disposition
from vigil.desk.outbox import Outbox
from vigil.desk.policy import DeskPolicy
from vigil.desk.workflow import check
from vigil.errors import Conflict, InvalidInput, NotFound, VigilError
from vigil.model import Decision, Event
from vigil.model.access import Role, User
from vigil.model.cases import (
    SYSTEM_ACTOR,
    Case,
    CaseData,
    CaseEvent,
    CaseState,
    Disposition,
    Kind,
    Queue,
    Severity,
)
from vigil.model.notify import Notice
from vigil.ports import Atomic, CaseStore, LabelStore, Notifier

log = logging.getLogger("vigil.desk")


DESK_ROLES = frozenset({Role.ANALYST, Role.SUPERVISOR})  # who can be assigned a case


def wall_clock_us() -> int:
    return time.time_ns() // 1000


@dataclass(frozen=True, slots=True)
class Change:
    """Who asks for a change, and on which version of the case (None: the API's latest).

    ``system`` marks the desk's own steps (``Desk.record``): recorded with that flag, not audited.
    ``by_key`` says the actor is an API key (a calling service), not a person.
    """

    actor: str
    version: int | None = None
    nonce: str = ""
    system: bool = False
    by_key: bool = False


@dataclass(frozen=True, slots=True)
class QueueFilter:
    queue: Queue | None = None
    region: str | None = None
    severity: Severity | None = None
    state: CaseState | None = None
    assignee: str | None = None
    open_only: bool = True


class Desk:
    def __init__(
        self,
        store: CaseStore,
        audit: AuditTrail,
        notifier: Notifier,
        *,
        labels: LabelStore | None = None,
        policy: DeskPolicy | None = None,
        clock: Callable[[], int] = wall_clock_us,
        outbox: Outbox | None = None,
        atomic: Atomic | None = None,
        people: Callable[[str], User | None] | None = None,
        on_freeze: Callable[[str, str | None, int], None] | None = None,
    ) -> None:
        self.store, self.audit, self.notifier, self.labels = store, audit, notifier, labels
        # One transaction for a change and its audit records (the stores' database: bootstrap.stores).
        self.atomic = atomic.atomic if atomic is not None else nullcontext
        self.people = people  # who may be assigned a case (the access store's ``user``); None: anyone
        self.outbox = outbox if outbox is not None else Outbox(notifier)  # no worker: delivers inline
        self.policy = policy or DeskPolicy()
        self.clock = clock
        self._cases: dict[str, Folding] = {}
        self._by_account: dict[str, list[str]] = {}
        self._alerted: set[str] = set()  # event ids already in an alert
        self.alerts_per_day: dict[tuple[int, str], int] = {}  # (day since epoch, region) -> alerts
        self.breaches_per_day: dict[int, int] = {}
        self._frozen: dict[str, str] = {}  # account id -> the freeze action in force
        # Told (account, freeze action or None, when it was settled) after an act changed an account's
        # freeze: vigil serve with workers puts it on the event stream (workers/controls.py).
        self.on_freeze = on_freeze
        self._started = False
        # SLA clocks: (due µs, case id) for open cases, earliest first; an entry whose time is not the
        # case's current ``_next_due`` is stale and skipped when it surfaces.
        self._clocks: list[tuple[int, str]] = []
        self._next_due: dict[str, int] = {}
        self._rebuild()
        self._started = True

    # -- the index -------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        history: list[CaseEvent] = []
        for e in self.store.all_events():
            if history and e.case_id != history[0].case_id:
                self._index(history)
                history = []
            history.append(e)
        if history:
            self._index(history)

    def _index(self, history: list[CaseEvent]) -> None:
        folding = Folding(history, self.policy)
        self._cases[folding.case.case_id] = folding
        self._by_account.setdefault(folding.case.account_id, []).append(folding.case.case_id)
        for e in history:
            self._count(folding.case, e)
        self._schedule(folding.case)
        if folding.case.actions:
            self._refresh(folding.case.account_id)

    def _refresh(self, account_id: str) -> None:
        now = controls(account_id, self.cases_of(account_id))
        freeze = now.account_freeze
        before = self._frozen.get(account_id)
        if freeze is None:
            self._frozen.pop(account_id, None)
        else:
            self._frozen[account_id] = freeze.action_id
        after = self._frozen.get(account_id)
        if self._started and self.on_freeze is not None and after != before:
            self.on_freeze(account_id, after, now.account_freeze_at_us)

    def freeze_states(self) -> list[tuple[str, str | None, int]]:
        """(account, freeze in force or None, when it was settled) for every account the desk ever froze
        with an applied account freeze: what a server with workers tells them at its start."""
        states = []
        for account_id in sorted(self._by_account):
            now = controls(account_id, self.cases_of(account_id))
            if now.account_freeze_at_us:
                states.append((account_id, self._frozen.get(account_id), now.account_freeze_at_us))
        return states

    def _schedule(self, case: Case) -> None:
        """Keep the case's next SLA deadline in the heap (after every change that may move it)."""
        due = next_due(case)
        if due == self._next_due.get(case.case_id):
            return
        if due is None:
            del self._next_due[case.case_id]
            return
        self._next_due[case.case_id] = due
        heapq.heappush(self._clocks, (due, case.case_id))

    def freeze_of(self, account_id: str) -> str | None:
        """The account freeze in force on an account (its action id), if any: what the engine blocks."""
        return self._frozen.get(account_id)

    def _count(self, case: Case, e: CaseEvent) -> None:
        day = e.at_us // 86_400_000_000
        if e.kind is Kind.ALERT:
            self._alerted.add(str(e.data.get("event_id", "")))
            key = (event_time(e, e.data) // 86_400_000_000, case.region)  # the day it happened
            self.alerts_per_day[key] = self.alerts_per_day.get(key, 0) + 1
        elif e.kind is Kind.SLA_BREACHED:
            self.breaches_per_day[day] = self.breaches_per_day.get(day, 0) + 1

    def _folding(self, case_id: str) -> Folding:
        folding = self._cases.get(case_id)
        if folding is None:
            raise NotFound(f"no case {case_id!r}")
        return folding

    def apply(self, case_id: str, change: Change, build: Build) -> Case:
        """The one way a change reaches a case. A nonce already applied returns the case unchanged (a
        double click); a stale version is ``Conflict``; otherwise ``build`` sees the case as it is,
        checks that the change is allowed (raising if not) and returns the steps, which are appended
        (all or nothing), folded in and audited."""
        folding = self._folding(case_id)
        case = folding.case
        if change.nonce and change.nonce in case.nonces:
            return case  # the same request again: applied once already
        if change.version is not None and change.version != case.version:
            raise Conflict(
                f"case {case_id} changed since you loaded it (you saw version {change.version}, it is at"
                f" {case.version}): reload it and try again"
            )
        now, seq, entries = self.clock(), case.version, list[CaseEvent]()
        for kind, data in build(case):
            seq += 1
            if change.nonce and not entries:
                data = {**data, "nonce": change.nonce}
            entries.append(CaseEvent(case_id, seq, now, change.actor, kind, data, system=change.system))
        try:
            with self.atomic():  # the entries and their audit records: both stored, or neither
                self.store.append(entries)
                if not change.system:
                    for e in entries:
                        self.audit.record(
                            change.actor, f"case.{e.kind.value}", f"case:{case_id}", _public(e.data)
                        )
        except BaseException:
            self.audit.forget()  # a record it appended may have been rolled back
            raise
        for e in entries:  # folded in only once stored
            case = folding.step(e)
            self._count(case, e)
        if any(e.kind in _ACTING for e in entries):
            self._refresh(case.account_id)
        self._schedule(case)
        return case

    # -- alerts from decisions ------------------------------------------------------------------
    def ingest(self, event: Event, decision: Decision, cursor: int | None = None) -> Case | None:
        """Turn a flagged decision into an alert on its account's open case (opened if none is);
        None when the decision is not flagged or was already ingested."""
        touched = self.ingest_many([(event, decision)], cursor)
        return touched[0] if touched else None

    def ingest_many(self, decided: Iterable[tuple[Event, Decision]], cursor: int | None = None) -> list[Case]:
        """Alerts for every flagged decision, appended in one transaction with the journal ``cursor``
        (one per group commit in the server); the cases touched, in the order first touched."""
        entries: list[CaseEvent] = []
        last: dict[str, int] = {}  # case id -> its last seq, this batch included
        opened: dict[str, str] = {}  # account id -> the case this batch opens for it
        seen: set[str] = set()
        cases, now = self.store.cases(), self.clock()
        for event, decision in decided:
            flag = flag_of(event, decision)
            if flag is None or flag.event_id in self._alerted or flag.event_id in seen:
                continue
            seen.add(flag.event_id)
            case_id = opened.get(flag.account_id)
            if case_id is None:
                open_case = self.open_case(flag.account_id)
                if open_case is not None:
                    case_id = open_case.case_id
                else:
                    cases += 1
                    case_id = opened[flag.account_id] = f"c-{cases:06d}"
                    entries.append(
                        CaseEvent(
                            case_id, 1, now, SYSTEM_ACTOR, Kind.OPENED, self._opening(flag), system=True
                        )
                    )
                    last[case_id] = 1
            seq = last.get(case_id, self._cases[case_id].case.version if case_id in self._cases else 0) + 1
            entries.append(CaseEvent(case_id, seq, now, SYSTEM_ACTOR, Kind.ALERT, flag.data(), system=True))
            last[case_id] = seq
        if entries or cursor is not None:
            self.store.append(entries, cursor)
        touched: dict[str, Case] = {}
        for case_id in last:
            mine = [e for e in entries if e.case_id == case_id]
            if case_id in opened.values():
                self._index(mine)
            else:
                for e in mine:
                    self._count(self._cases[case_id].step(e), e)
                self._schedule(self._cases[case_id].case)
            touched[case_id] = self._cases[case_id].case
        return list(touched.values())

    def _opening(self, flag: Flag) -> CaseData:
        """What a new case records of its first alert's account: region, severity, customer risk (0-10:
        5 per earlier true-positive case of the account, at most 2, plus the model's probability, 0-5,
        when a model scored the event)."""
        earlier = sum(1 for c in self.cases_of(flag.account_id) if c.disposition is Disposition.TRUE_POSITIVE)
        model = round(5 * flag.probability) if flag.probability is not None else 0
        return {
            "account_id": flag.account_id,
            "region": flag.region,
            "severity": flag.severity.value,
            "customer_risk": min(10, 5 * min(2, earlier) + model),
        }

    def sync(self, records: Iterable[tuple[int, Event, Decision]], batch: int = 1000) -> int:
        """Ingest journal records with their positions (``Journal.tail(cursor)``), ``batch`` records per
        transaction, the stored cursor moving to the last position of each. Returns the alerts added."""
        added, position, chunk = 0, None, list[tuple[Event, Decision]]()
        for position, event, decision in records:
            chunk.append((event, decision))
            if len(chunk) == batch:
                added += self._sync_chunk(chunk, position)
        if chunk and position is not None:
            added += self._sync_chunk(chunk, position)
        return added

    def _sync_chunk(self, chunk: list[tuple[Event, Decision]], position: int) -> int:
        before = len(self._alerted)
        self.ingest_many(chunk, cursor=position)
        chunk.clear()
        return len(self._alerted) - before

    # -- reading ---------------------------------------------------------------------------------
    def case(self, case_id: str, reader: str | None = None) -> Case:
        """A case; a person's read (``reader``) is audited."""
        case = self._folding(case_id).case
        if reader is not None:
            self.audit.record(reader, "case.read", f"case:{case_id}", {"account_id": case.account_id})
        return case

    def cases_of(self, account_id: str) -> list[Case]:
        return [self._cases[i].case for i in self._by_account.get(account_id, ())]

    def open_for(self, account_id: str, region: str, origin: str, change: Change) -> Case:
        """The account's open case, or a new one opened by a person (not by an alert) to carry an action
        that comes from elsewhere: ``origin`` says from where (``ler:L-000001``). Audited."""
        found = self.open_case(account_id)
        if found is not None:
            return found
        case_id = f"c-{self.store.cases() + 1:06d}"
        data: CaseData = {
            "account_id": account_id,
            "region": region,
            "severity": Severity.HIGH.value,
            "customer_risk": 0,
            "origin": origin,
        }
        entry = CaseEvent(case_id, 1, self.clock(), change.actor, Kind.OPENED, data)
        try:
            with self.atomic():
                self.store.append([entry])
                self.audit.record(change.actor, "case.opened", f"case:{case_id}", data)
        except BaseException:
            self.audit.forget()
            raise
        self._index([entry])
        return self._cases[case_id].case

    def open_case(self, account_id: str) -> Case | None:
        for case in reversed(self.cases_of(account_id)):
            if case.open:
                return case
        return None

    def queue(
        self, where: QueueFilter = QueueFilter(), limit: int = 50, offset: int = 0
    ) -> tuple[list[Case], int]:
        """Cases matching ``where``, highest priority first, then the earliest acknowledge deadline;
        and how many match in all."""
        found = [f.case for f in self._cases.values() if _matches(f.case, where)]
        found.sort(key=lambda c: (-c.priority, c.ack_due_us, c.case_id))
        return found[offset : offset + limit], len(found)

    def all_cases(self) -> Iterable[Case]:
        return (f.case for f in self._cases.values())

    # -- the workflow ----------------------------------------------------------------------------
    def step(
        self,
        case_id: str,
        kind: Kind,
        change: Change,
        data: Mapping[str, str | int | bool | None] | None = None,
    ) -> Case:
        """A workflow step (assign, investigate, escalate, reopen, note) after the state check."""

        def build(case: Case) -> Steps:
            if kind is not Kind.NOTE:
                check(case, kind)
            return [(kind, dict(data or {}))]

        return self.apply(case_id, change, build)

    def record(self, case_id: str, steps: Steps) -> Case:
        """The desk's own steps (SLA breaches, notices): no check, no nonce, not audited."""
        return self.apply(case_id, Change(SYSTEM_ACTOR, system=True), lambda _case: steps)

    def assign(self, case_id: str, assignee: str, change: Change, queue: Queue = Queue.DESK) -> Case:
        """Assign to an active person with a desk role (analyst or supervisor): a case assigned to
        nobody who can work it would sit with its SLA clock stopped."""
        name = assignee.strip()
        if not name:
            raise InvalidInput("name the person to assign the case to", field="assignee")
        if self.people is not None:
            person = self.people(name)
            if person is None or not person.active():
                raise InvalidInput(f"{name!r} is not an active person of Vigil", field="assignee")
            if not person.roles & DESK_ROLES:
                raise InvalidInput(
                    f"{name!r} cannot work cases (give them the analyst or supervisor role first)",
                    field="assignee",
                )
        return self.step(case_id, Kind.ASSIGNED, change, {"assignee": name, "queue": queue.value})

    def resolve(self, case_id: str, disposition: str, reason: str, change: Change) -> Case:
        """Resolve with a disposition and a reason; true and false positives become labels on the
        alerted events (source ``case:<id>``) for the next training."""
        parsed = parse_disposition(disposition)
        if not reason.strip():
            raise InvalidInput("say why the case is resolved", field="reason")
        before = self._folding(case_id).case.version
        data: CaseData = {"disposition": parsed.value, "reason": reason.strip()}
        case = self.step(case_id, Kind.RESOLVED, change, data)
        if self.labels is not None and case.version != before:  # not for a replayed nonce
            self.labels.add(labels_of(case, self.clock()))
        return case

    # -- SLA clocks ------------------------------------------------------------------------------
    def tick(self, now_us: int | None = None) -> list[Case]:
        """Record every SLA breach due by now (each clock once per case), escalate the case to the
        supervisor queue and hand a notice to the outbox; record the notices the outbox settled since
        the last tick. Looks only at the clocks that ran out (a heap by due time), not at every case.
        Returns the cases that breached."""
        now = self.clock() if now_us is None else now_us
        self.record_deliveries()
        breached = []
        while self._clocks and self._clocks[0][0] < now:
            due_us, case_id = heapq.heappop(self._clocks)
            if self._next_due.get(case_id) != due_us:
                continue  # stale: the case's deadline moved since this entry was pushed
            del self._next_due[case_id]
            case = self._cases[case_id].case
            due = breaches(case, now)
            if not due:
                self._schedule(case)
                continue
            steps: list[tuple[Kind, CaseData]] = [(Kind.SLA_BREACHED, {"clock": clock}) for clock in due]
            if case.state is not CaseState.ESCALATED:
                steps.append((Kind.ESCALATED, {"reason": f"SLA breached: {', '.join(due)}"}))
            case = self.record(case.case_id, steps)
            self.outbox.submit(notice_of(case, due, now))
            breached.append(case)
        self.record_deliveries()
        return [self._cases[c.case_id].case for c in breached]

    def notify(self, notice: Notice) -> None:
        """Hand a notice to the outbox; its outcome is recorded on its case when it settles."""
        self.outbox.submit(notice)
        self.record_deliveries()

    def record_deliveries(self) -> int:
        """Record on each case what became of its notices (delivered, or failed after n tries)."""
        settled = self.outbox.done()
        for i, delivery in enumerate(settled):
            if not delivery.notice.case_id:  # about no case (a lockout): its outcome goes to the log
                if delivery.error is None:
                    log.info("notice %s delivered", delivery.notice.kind)
                else:
                    log.error("notice %s not delivered: %s", delivery.notice.kind, delivery.error)
                continue
            try:
                self.record(delivery.notice.case_id, [(Kind.NOTIFIED, delivery.data())])
            except VigilError as exc:  # a storage hiccup: the notice went out; say so in the log
                lost = [d.notice.kind + " " + d.notice.case_id for d in settled[i:]]
                log.error("could not record %d notice outcomes (%s): %s", len(lost), ", ".join(lost), exc)
                break
        return len(settled)


Steps = list[tuple[Kind, CaseData]]
Build = Callable[[Case], Steps]
_ACTING = frozenset({Kind.ACTION_REQUESTED, Kind.ACTION_APPROVED, Kind.ACTION_REJECTED})


def _matches(case: Case, w: QueueFilter) -> bool:
    return (
        (not w.open_only or case.open)
        and (w.queue is None or case.queue is w.queue)
        and (w.region is None or case.region == w.region)
        and (w.severity is None or case.severity is w.severity)
        and (w.state is None or case.state is w.state)
        and (w.assignee is None or case.assignee == w.assignee)
    )


def _public(data: Mapping[str, object]) -> dict[str, object]:
    """What the audit record keeps of a step: its details without the nonce."""
    return {k: v for k, v in data.items() if k != "nonce"}
