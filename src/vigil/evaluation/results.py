"""What an evaluation finds, as frozen values; ``metrics`` computes them, the renderers show them.

Counts are kept next to every share, so a reader sees "3 of 4" and not only "0.75", and a share
with nothing to count is ``None`` (not measured), never 0 (measured and bad).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


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
    """Illicit value carried by exit events, and the part of it that was stopped (exact decimals)."""

    stopped: Decimal
    total: Decimal
    exits: int
    exits_stopped: int

    @property
    def share(self) -> float | None:
        return float(self.stopped / self.total) if self.total else None


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
class Friction:
    """What honest users paid (overall or in one region), and how many alerts analysts receive."""

    name: str
    withdrawals_stopped: Ratio
    withdrawals_alerted: Ratio
    accounts_stopped: Ratio
    alerts: int
    active_account_days: int

    @property
    def alerts_per_1000_account_days(self) -> float | None:
        return self.alerts / self.active_account_days * 1000 if self.active_account_days else None


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
    """The size of the run: events, decisions, labels, accounts, rings, alerts and the days covered."""

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
