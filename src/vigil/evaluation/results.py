"""What an evaluation finds, as frozen values; ``metrics`` computes them, the renderers show them.

Counts are kept next to every share, so a reader sees "3 of 4" and not only "0.75", and a share
with nothing to count is ``None`` (not measured), never 0 (measured and bad).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from vigil.evaluation.dataset import Judged


@dataclass(frozen=True, slots=True)
class Ratio:
    """``hits`` out of ``total``; ``value`` is None when there is nothing to count."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class ValueStopped:
    """Illicit value carried by exit events, the part of it that was stopped, and the part only
    delayed (a delay on the exit, not stopped: the money left later); exact decimals."""

    stopped: Decimal
    total: Decimal
    exits: int
    exits_stopped: int
    delayed: Decimal
    exits_delayed: int

    @property
    def share(self) -> float | None:
        return float(self.stopped / self.total) if self.total else None

    @property
    def delayed_share(self) -> float | None:
        return float(self.delayed / self.total) if self.total else None


@dataclass(frozen=True, slots=True)
class TimeToAlert:
    """Per ring, seconds from its first labelled event to the first alert on one of its labelled events."""

    rings: int
    detected: int
    median_s: float | None
    p90_s: float | None

    @property
    def never_alerted(self) -> int:
        return self.rings - self.detected


@dataclass(frozen=True, slots=True)
class Detection:
    """How well the illicit events of one group (overall, a typology, a region) were caught."""

    name: str
    event_recall: Ratio
    account_recall: Ratio
    precision: Ratio
    value_stopped: ValueStopped
    time_to_alert: TimeToAlert


@dataclass(frozen=True, slots=True)
class Spread:
    """The median and 90th percentile of some durations, in seconds (None when there are none)."""

    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True, slots=True)
class Friction:
    """What honest users paid (overall or in one region), and what analysts receive: alerts, false
    alerts and cases (an account's alerts grouped; see ``cases.py``)."""

    name: str
    withdrawals_challenged: Ratio
    withdrawals_delayed: Ratio
    delay: Spread
    withdrawals_held: Ratio
    withdrawals_blocked: Ratio
    withdrawals_stopped: Ratio
    withdrawals_alerted: Ratio
    accounts_stopped: Ratio
    alerts: int
    false_alerts: int
    cases: int
    true_cases: int
    legitimate_cases: int
    active_account_days: int

    @property
    def alerts_per_1000_account_days(self) -> float | None:
        return self._per_1000(self.alerts)

    @property
    def false_alerts_per_1000_account_days(self) -> float | None:
        return self._per_1000(self.false_alerts)

    @property
    def legitimate_cases_per_1000_account_days(self) -> float | None:
        return self._per_1000(self.legitimate_cases)

    @property
    def case_precision(self) -> Ratio:
        return Ratio(self.true_cases, self.cases)

    def _per_1000(self, count: int) -> float | None:
        return count / self.active_account_days * 1000 if self.active_account_days else None


@dataclass(frozen=True, slots=True)
class PRPoint:
    """One threshold of a precision-recall curve: events with ``score >= threshold`` are flagged."""

    threshold: float
    illicit_flagged: int
    legitimate_flagged: int
    recall: float
    precision: float


@dataclass(frozen=True, slots=True)
class ValueFrictionPoint:
    """One threshold: the illicit exit value flagged against the share of honest withdrawals flagged."""

    threshold: float
    value_flagged: Decimal
    value_share: float | None
    friction: float | None


@dataclass(frozen=True, slots=True)
class Curves:
    """Threshold curves, thresholds ascending: precision-recall per typology, value against friction."""

    precision_recall: Mapping[str, tuple[PRPoint, ...]]
    value_vs_friction: tuple[ValueFrictionPoint, ...]
    value_vs_friction_by_region: Mapping[str, tuple[ValueFrictionPoint, ...]]


@dataclass(frozen=True, slots=True)
class Counts:
    """The size of what was judged: events, decisions, labels, accounts, rings, alerts and the days
    covered; ``judged`` is the window and the events left out before (the simulator's history, or
    before ``--since``) and after it."""

    events: int
    decided_events: int
    labelled_events: int
    exits: int
    accounts: int
    labelled_accounts: int
    rings: int
    alerts: int
    stops: int
    first_day: date
    last_day: date
    active_days: int
    judged: Judged

    @property
    def undecided_events(self) -> int:
        return self.events - self.decided_events

    @property
    def legitimate_accounts(self) -> int:
        return self.accounts - self.labelled_accounts


@dataclass(frozen=True, slots=True)
class Report:
    """Everything ``evaluate`` finds; typologies and regions in name order."""

    counts: Counts
    overall: Detection
    typologies: tuple[Detection, ...]
    regions: tuple[Detection, ...]
    friction: Friction
    region_friction: tuple[Friction, ...]
    curves: Curves
    case_gap_days: float
