"""A case's current state as a fold over its history (pure).

``fold(history, policy)`` reads the entries in order and never looks anywhere else, so the state of a
case at any point of its life is ``fold(history[:n])``. The rules of the workflow (which step is allowed
from which state) live in ``workflow.py``; this module only reads what was recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from vigil.desk.policy import DeskPolicy
from vigil.model.cases import (
    Action,
    ActionKind,
    ActionStatus,
    Alert,
    Appeal,
    AppealState,
    AppealTrack,
    Case,
    CaseData,
    CaseEvent,
    CaseState,
    Disposition,
    Kind,
    Queue,
    Severity,
)


def text(data: CaseData, key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None else str(value)


def number(data: CaseData, key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def event_time(e: CaseEvent, data: CaseData) -> int:
    """When an alert's event happened (µs); alerts recorded before events' times were kept: arrival."""
    return number(data, "event_us") or e.at_us


class _Fold:
    def __init__(self, first: CaseEvent, policy: DeskPolicy) -> None:
        if first.kind is not Kind.OPENED or first.seq != 1:
            raise ValueError(f"case {first.case_id}: history must start with 'opened' at seq 1")
        d = first.data
        self.policy = policy
        self.case_id = first.case_id
        self.account_id = text(d, "account_id")
        self.region = text(d, "region")
        self.severity = Severity(text(d, "severity", Severity.LOW))
        self.customer_risk = number(d, "customer_risk")
        self.state = CaseState.NEW
        self.queue = Queue.DESK
        self.assignee: str | None = None
        self.opened_us = first.at_us
        self.acknowledged_us: int | None = None
        self.resolved_us: int | None = None
        self.breaches: list[str] = []
        self.alerts: dict[str, Alert] = {}
        self.actions: dict[str, Action] = {}
        self.appeals: dict[str, Appeal] = {}
        self.value = Decimal(0)
        self.disposition: Disposition | None = None
        self.disposition_reason = ""
        self.version = 1
        self.nonces: set[str] = set()

    def step(self, e: CaseEvent) -> None:
        if e.seq != self.version + 1:
            raise ValueError(f"case {self.case_id}: history entry {e.seq} follows {self.version}")
        self.version = e.seq
        d = e.data
        nonce = text(d, "nonce")
        if nonce:
            self.nonces.add(nonce)
        handler = _HANDLERS.get(e.kind)
        if handler is not None:
            handler(self, e, d)

    def _ack(self, at_us: int) -> None:
        if self.acknowledged_us is None:
            self.acknowledged_us = at_us

    def alert(self, e: CaseEvent, d: CaseData) -> None:
        key, value = text(d, "key"), Decimal(text(d, "value", "0"))
        severity = Severity(text(d, "severity", Severity.LOW))
        if severity.rank > self.severity.rank:
            self.severity = severity
        self.value += value
        old = self.alerts.get(key)
        event_id = text(d, "event_id")
        at = event_time(e, d)
        if old is None:
            self.alerts[key] = Alert(
                key, text(d, "outcome"), at, at, 1, (event_id,), str(value), text(d, "detail")
            )
        else:
            ids = (*old.event_ids, event_id)[-self.policy.recent_events :]
            new = text(d, "outcome")
            worse = new if _OUTCOME_RANK.get(new, 0) > _OUTCOME_RANK.get(old.outcome, 0) else old.outcome
            total = str(Decimal(old.value) + value)
            self.alerts[key] = replace(
                old,
                outcome=worse,
                first_us=min(old.first_us, at),
                last_us=max(old.last_us, at),
                count=old.count + 1,
                event_ids=ids,
                value=total,
            )

    def assigned(self, e: CaseEvent, d: CaseData) -> None:
        self.assignee = text(d, "assignee") or None
        self.queue = Queue(text(d, "queue", Queue.DESK))
        if self.state is not CaseState.INVESTIGATING or self.assignee is None:
            self.state = CaseState.ASSIGNED
        self._ack(e.at_us)

    def investigating(self, e: CaseEvent, d: CaseData) -> None:
        self.state = CaseState.INVESTIGATING
        self.assignee = e.actor
        self._ack(e.at_us)

    def escalated(self, e: CaseEvent, d: CaseData) -> None:
        self.state, self.queue, self.assignee = CaseState.ESCALATED, Queue.SUPERVISOR, None

    def breached(self, e: CaseEvent, d: CaseData) -> None:
        self.breaches.append(text(d, "clock"))

    def requested(self, e: CaseEvent, d: CaseData) -> None:
        action_id = text(d, "action")
        pending = bool(d.get("needs_approval"))
        self.actions[action_id] = Action(
            action_id=action_id,
            kind=ActionKind(text(d, "kind")),
            requested_by=e.actor,
            requested_us=e.at_us,
            reason=text(d, "reason"),
            value=text(d, "value", "0"),
            status=ActionStatus.PENDING if pending else ActionStatus.APPLIED,
            asset=text(d, "asset"),
            amount=number(d, "amount"),
            target=text(d, "target"),
            reference=text(d, "reference"),
        )
        if self.state is CaseState.NEW:  # acting on a case takes it
            self.state, self.assignee = CaseState.INVESTIGATING, e.actor
        self._ack(e.at_us)

    def decided(self, e: CaseEvent, d: CaseData) -> None:
        action_id = text(d, "action")
        status = ActionStatus.APPLIED if e.kind is Kind.ACTION_APPROVED else ActionStatus.REJECTED
        old = self.actions[action_id]
        self.actions[action_id] = replace(
            old, status=status, decided_by=e.actor, decided_us=e.at_us, decision_reason=text(d, "reason")
        )

    def appeal_filed(self, e: CaseEvent, d: CaseData) -> None:
        appeal_id = text(d, "appeal")
        track = AppealTrack(text(d, "track"))
        fast = track is AppealTrack.FAST
        self.appeals[appeal_id] = Appeal(
            appeal_id=appeal_id,
            filed_us=e.at_us,
            track=track,
            state=AppealState.OPEN if fast else AppealState.AWAITING_KYC,
            text=text(d, "text"),
            due_us=e.at_us + self.policy.appeal_fast_us if fast else 0,
        )

    def appeal_kyc(self, e: CaseEvent, d: CaseData) -> None:
        appeal_id = text(d, "appeal")
        old = self.appeals[appeal_id]
        due = e.at_us + self.policy.appeal_kyc_us
        self.appeals[appeal_id] = replace(old, state=AppealState.OPEN, due_us=due)

    def appeal_decided(self, e: CaseEvent, d: CaseData) -> None:
        appeal_id = text(d, "appeal")
        state = AppealState.GRANTED if d.get("grant") else AppealState.UPHELD
        old = self.appeals[appeal_id]
        self.appeals[appeal_id] = replace(
            old, state=state, decided_by=e.actor, decision_reason=text(d, "reason")
        )

    def resolved(self, e: CaseEvent, d: CaseData) -> None:
        self.state, self.resolved_us = CaseState.RESOLVED, e.at_us
        self.disposition = Disposition(text(d, "disposition"))
        self.disposition_reason = text(d, "reason")
        self._ack(e.at_us)

    def reopened(self, e: CaseEvent, d: CaseData) -> None:
        self.state, self.resolved_us, self.queue = CaseState.REOPENED, None, Queue.DESK
        self.disposition, self.disposition_reason = None, ""

    def case(self) -> Case:
        p = self.policy
        return Case(
            case_id=self.case_id,
            account_id=self.account_id,
            region=self.region,
            state=self.state,
            severity=self.severity,
            priority=p.priority(self.severity, self.value, self.customer_risk),
            queue=self.queue,
            assignee=self.assignee,
            opened_us=self.opened_us,
            ack_due_us=self.opened_us + p.ack_us[self.severity],
            resolve_due_us=self.opened_us + p.resolve_us[self.severity],
            acknowledged_us=self.acknowledged_us,
            resolved_us=self.resolved_us,
            breaches=tuple(self.breaches),
            alerts=tuple(sorted(self.alerts.values(), key=lambda a: -a.last_us)),
            actions=tuple(self.actions.values()),
            appeals=tuple(self.appeals.values()),
            value_at_risk=str(self.value),
            disposition=self.disposition,
            disposition_reason=self.disposition_reason,
            version=self.version,
            nonces=frozenset(self.nonces),
        )


_OUTCOME_RANK = {"allow": 0, "challenge": 1, "review": 2, "hold": 3, "block": 4}

_HANDLERS = {
    Kind.ALERT: _Fold.alert,
    Kind.ASSIGNED: _Fold.assigned,
    Kind.INVESTIGATING: _Fold.investigating,
    Kind.ESCALATED: _Fold.escalated,
    Kind.SLA_BREACHED: _Fold.breached,
    Kind.ACTION_REQUESTED: _Fold.requested,
    Kind.ACTION_APPROVED: _Fold.decided,
    Kind.ACTION_REJECTED: _Fold.decided,
    Kind.APPEAL_FILED: _Fold.appeal_filed,
    Kind.APPEAL_KYC_DONE: _Fold.appeal_kyc,
    Kind.APPEAL_DECIDED: _Fold.appeal_decided,
    Kind.RESOLVED: _Fold.resolved,
    Kind.REOPENED: _Fold.reopened,
}


def fold(history: Sequence[CaseEvent], policy: DeskPolicy) -> Case:
    """The case its history describes (``ValueError`` on an empty or out-of-order history)."""
    if not history:
        raise ValueError("an empty history describes no case")
    state = _Fold(history[0], policy)
    for e in history[1:]:
        state.step(e)
    return state.case()


class Folding:
    """A fold kept open, so that appending one entry costs one step (the desk's in-memory index)."""

    def __init__(self, history: Sequence[CaseEvent], policy: DeskPolicy) -> None:
        if not history:
            raise ValueError("an empty history describes no case")
        self._state = _Fold(history[0], policy)
        for e in history[1:]:
            self._state.step(e)
        self.case = self._state.case()

    def step(self, e: CaseEvent) -> Case:
        self._state.step(e)
        self.case = self._state.case()
        return self.case
