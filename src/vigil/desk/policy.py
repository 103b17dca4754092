"""The desk's numbers: SLA clocks per severity, the value above which freezes need four eyes, appeal
deadlines, and how a case's priority is computed. One frozen value, built from settings at the edge."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from vigil.model.cases import Severity

MINUTE_US = 60_000_000
HOUR_US = 60 * MINUTE_US


def _ack() -> dict[Severity, int]:
    return {
        Severity.CRITICAL: 15 * MINUTE_US,
        Severity.HIGH: 1 * HOUR_US,
        Severity.MEDIUM: 4 * HOUR_US,
        Severity.LOW: 24 * HOUR_US,
    }


def _resolve() -> dict[Severity, int]:
    return {
        Severity.CRITICAL: 24 * HOUR_US,
        Severity.HIGH: 48 * HOUR_US,
        Severity.MEDIUM: 72 * HOUR_US,
        Severity.LOW: 7 * 24 * HOUR_US,
    }


_BASE = {Severity.CRITICAL: 70, Severity.HIGH: 50, Severity.MEDIUM: 30, Severity.LOW: 10}


@dataclass(frozen=True, slots=True)
class DeskPolicy:
    ack_us: dict[Severity, int] = field(default_factory=_ack)  # acknowledge within
    resolve_us: dict[Severity, int] = field(default_factory=_resolve)  # resolve within
    four_eyes_value: Decimal = Decimal(10_000)  # freezes/unfreezes at or above this need a supervisor
    appeal_fast_us: int = 24 * HOUR_US  # a verified customer's appeal is answered within
    appeal_kyc_us: int = 72 * HOUR_US  # an unverified customer's, counted from KYC completion
    appeal_interval_us: int = 24 * HOUR_US  # a case takes a new appeal at most this often
    recent_events: int = 20  # event ids an alert keeps

    def priority(self, severity: Severity, value_at_risk: Decimal, customer_risk: int) -> int:
        """0-100: severity (10-70), value at risk (0-20, 4 points per power of ten above 1), customer
        risk (0-10: earlier true positives and model probability, as the desk measures it)."""
        value = 0 if value_at_risk <= 1 else min(20, int(4 * math.log10(float(value_at_risk))))
        return min(100, _BASE[severity] + value + max(0, min(10, customer_risk)))

    def needs_approval(self, four_eyes: bool, value: Decimal) -> bool:
        return four_eyes and value >= self.four_eyes_value
