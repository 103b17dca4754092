"""The security desk's vocabulary: alerts, cases, their append-only history, actions and appeals.

A case's history is a sequence of ``CaseEvent`` (numbered from 1, never changed, never removed); what a
case *is* now (state, assignee, clocks, pending approvals) is a fold over that history
(``vigil.desk.fold``). Money stays integer base units of an asset; values at risk are fiat ``Decimal``
as the events carry them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

CaseData = dict[str, str | int | bool | None]  # a history entry's details: plain JSON scalars


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.CRITICAL: 3, Severity.HIGH: 2, Severity.MEDIUM: 1, Severity.LOW: 0}


class CaseState(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    REOPENED = "reopened"


class Disposition(StrEnum):
    TRUE_POSITIVE = "true_positive"
    FALSE_POSITIVE = "false_positive"
    INCONCLUSIVE = "inconclusive"


class Queue(StrEnum):
    DESK = "desk"  # the analysts' queue
    SUPERVISOR = "supervisor"  # where breached and escalated cases go


class ActionKind(StrEnum):
    FREEZE_ACCOUNT = "freeze_account"
    FREEZE_AMOUNT = "freeze_amount"  # an amount of one asset
    HOLD_WITHDRAWAL = "hold_withdrawal"
    RELEASE_WITHDRAWAL = "release_withdrawal"
    REQUIRE_STEP_UP = "require_step_up"  # 2FA or a KYC refresh
    UNFREEZE = "unfreeze"  # lifts the account freeze, or one amount freeze (``target``)

    @property
    def four_eyes(self) -> bool:
        """Whether a second person must approve it above the configured value."""
        return self in _FOUR_EYES


_FOUR_EYES = frozenset({ActionKind.FREEZE_ACCOUNT, ActionKind.FREEZE_AMOUNT, ActionKind.UNFREEZE})


class ActionStatus(StrEnum):
    PENDING = "pending"  # waits for a supervisor's approval
    APPLIED = "applied"
    REJECTED = "rejected"


class StepUp(StrEnum):
    TWO_FACTOR = "2fa"
    KYC_REFRESH = "kyc_refresh"


class AppealTrack(StrEnum):
    FAST = "fast"  # a verified customer
    KYC_FIRST = "kyc_first"  # an unverified customer completes KYC before anyone reviews the appeal


class AppealState(StrEnum):
    AWAITING_KYC = "awaiting_kyc"
    OPEN = "open"
    UPHELD = "upheld"  # the freeze stays
    GRANTED = "granted"  # an unfreeze was requested


class Kind(StrEnum):
    """What a history entry records."""

    OPENED = "opened"
    ALERT = "alert"  # a flagged decision joined the case (new pattern or repeat)
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    ESCALATED = "escalated"
    SLA_BREACHED = "sla_breached"
    NOTIFIED = "notified"  # a notification went out (or failed: ``error``)
    NOTE = "note"
    ACTION_REQUESTED = "action_requested"
    ACTION_APPROVED = "action_approved"
    ACTION_REJECTED = "action_rejected"
    APPEAL_FILED = "appeal_filed"
    APPEAL_KYC_DONE = "appeal_kyc_done"
    APPEAL_DECIDED = "appeal_decided"
    RESOLVED = "resolved"
    REOPENED = "reopened"


SYSTEM_ACTOR = "vigil"  # how the desk's own steps show their actor; the ``system`` flag is what counts


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One entry of a case's history: who did what, when, and why (in ``data``).

    ``system`` marks the desk's own steps (alerts, SLA breaches, notices): what makes a step the
    system's is this flag, never the actor's name (shown as ``SYSTEM_ACTOR``), which no person can take.
    """

    case_id: str
    seq: int  # 1, 2, 3 ... within the case
    at_us: int
    actor: str  # a username, an API key id, or SYSTEM_ACTOR for the desk's own steps
    kind: Kind
    data: CaseData = field(default_factory=dict)
    system: bool = False

    def __post_init__(self) -> None:
        if not self.case_id or not self.actor:
            raise ValueError("a case event needs a case id and an actor")
        if self.seq < 1:
            raise ValueError(f"case event seq must be >= 1, got {self.seq}")


@dataclass(frozen=True, slots=True)
class Alert:
    """Flagged decisions of one account with the same pattern (the same leading reason code)."""

    key: str  # the pattern: the leading reason code
    outcome: str
    first_us: int
    last_us: int
    count: int
    event_ids: tuple[str, ...]  # the most recent few, newest last
    value: str  # fiat value at risk over the alert's events (Decimal as text)
    detail: str  # the leading reason's sentence


@dataclass(frozen=True, slots=True)
class Action:
    """An action on the account, as requested and (when applied) carried out."""

    action_id: str  # "<case id>/<n>"
    kind: ActionKind
    requested_by: str
    requested_us: int
    reason: str
    value: str  # fiat value it concerns (Decimal text): decides whether four eyes apply
    status: ActionStatus
    asset: str = ""
    amount: int = 0  # base units (freeze_amount)
    target: str = ""  # a withdrawal's event id, a step-up kind, or the action an unfreeze lifts
    decided_by: str = ""  # the approver (or rejecter)
    decided_us: int = 0
    decision_reason: str = ""
    reference: str = ""  # the order it carries out (a law-enforcement request id), if any


@dataclass(frozen=True, slots=True)
class Appeal:
    appeal_id: str
    filed_us: int
    track: AppealTrack
    state: AppealState
    text: str
    due_us: int  # when the customer should have an answer
    decided_by: str = ""
    decision_reason: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    """What a case is now: the fold of its history."""

    case_id: str
    account_id: str
    region: str
    state: CaseState
    severity: Severity
    priority: int  # 0-100, higher first
    queue: Queue
    assignee: str | None
    opened_us: int
    ack_due_us: int
    resolve_due_us: int
    acknowledged_us: int | None
    resolved_us: int | None
    breaches: tuple[str, ...]  # "ack" and/or "resolve"
    alerts: tuple[Alert, ...]
    actions: tuple[Action, ...]
    appeals: tuple[Appeal, ...]
    value_at_risk: str  # Decimal text
    disposition: Disposition | None
    disposition_reason: str
    version: int  # the seq of the last history entry: a form carries it, a stale one is refused
    nonces: frozenset[str]  # idempotency keys of requests already applied

    @property
    def open(self) -> bool:
        return self.state is not CaseState.RESOLVED

    @property
    def pending(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.status is ActionStatus.PENDING)
