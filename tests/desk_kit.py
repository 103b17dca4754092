"""Building blocks for the desk's tests: events, decisions and a desk on memory adapters with a clock
the test moves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_audit import MemoryAuditLog
from vigil.adapters.memory_cases import MemoryCaseStore
from vigil.adapters.memory_learning import MemoryLabelStore
from vigil.adapters.notify_memory import MemoryNotifier
from vigil.audit import AuditTrail
from vigil.desk.actions import Actions
from vigil.desk.appeals import Appeals
from vigil.desk.policy import DeskPolicy
from vigil.desk.service import Desk
from vigil.model import Decision, Event, Outcome, Reason, Versions
from vigil.model.enums import Rail
from vigil.model.events import Withdrawal
from vigil.model.reasons import ReasonCode
from vigil.ports import CaseStore

T0 = 1_793_534_400_000_000  # 2026-11-01 12:00 UTC, in µs
MINUTE = 60_000_000
VERSIONS = Versions(engine="test", catalog="c", rules="r")


@dataclass
class Clock:
    now: int = T0

    def __call__(self) -> int:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += int(minutes * MINUTE)


def withdrawal(n: int, account: str = "acc-1", value: str = "5000") -> Withdrawal:
    return Withdrawal(
        event_id=f"evt-{n}",
        account_id=account,
        ts=datetime(2026, 11, 1, 12, tzinfo=UTC),
        region="EU",
        rail=Rail.FIAT,
        asset="EUR",
        amount=int(Decimal(value) * 100),
        fiat_value=Decimal(value),
    )


def decided(
    event: Event, outcome: Outcome = Outcome.HOLD, code: ReasonCode = ReasonCode.VELOCITY_HIGH_VALUE_BURST
) -> Decision:
    reason = Reason(code=code, rule_id="r1", score=50.0, detail=f"{code.value} on {event.event_id}")
    return Decision(
        event_id=event.event_id,
        account_id=event.account_id,
        event_type=event.type,
        region=event.region,
        outcome=outcome,
        score=50.0,
        reasons=(reason,) if outcome >= Outcome.REVIEW else (),
        trace=(),
        versions=VERSIONS,
        elapsed_us=1.0,
    )


@dataclass
class Kit:
    store: CaseStore = field(default_factory=MemoryCaseStore)
    clock: Clock = field(default_factory=Clock)
    audit_log: MemoryAuditLog = field(default_factory=MemoryAuditLog)
    notifier: MemoryNotifier = field(default_factory=MemoryNotifier)
    labels: MemoryLabelStore = field(default_factory=MemoryLabelStore)
    journal: MemoryJournal = field(default_factory=MemoryJournal)
    policy: DeskPolicy = field(default_factory=DeskPolicy)
    on_freeze: Callable[[str, str | None, int], None] | None = None  # told each change of a freeze

    def __post_init__(self) -> None:
        self.audit = AuditTrail(self.audit_log, clock=self.clock)
        self.desk = Desk(
            self.store,
            self.audit,
            self.notifier,
            labels=self.labels,
            policy=self.policy,
            clock=self.clock,
            on_freeze=self.on_freeze,
        )
        self.actions = Actions(self.desk, self.journal)
        self.appeals = Appeals(self.actions)

    def flag(self, n: int, account: str = "acc-1", value: str = "5000", **kw: object) -> str:
        """Decide and record a withdrawal, ingest it; the case id."""
        event = withdrawal(n, account, value)
        decision = decided(event, **kw)  # type: ignore[arg-type]
        self.journal.record(event, decision)
        case = self.desk.ingest(event, decision)
        assert case is not None
        return case.case_id
