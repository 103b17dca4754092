"""Which decisions become alerts, and what an alert says (pure).

A decision of review, hold or block opens an alert on its account. Its pattern is the leading reason's
code: repeats of the same pattern join the existing alert of the account's open case instead of adding
one. Severity follows the outcome (block: critical, hold: high, review: medium); a sanctioned address or
jurisdiction is critical whatever the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from vigil.model import Decision, Event, Outcome
from vigil.model.cases import CaseData, Severity
from vigil.model.reasons import ReasonCode

FLAGGED = frozenset({Outcome.REVIEW, Outcome.HOLD, Outcome.BLOCK})
_BY_OUTCOME = {Outcome.BLOCK: Severity.CRITICAL, Outcome.HOLD: Severity.HIGH, Outcome.REVIEW: Severity.MEDIUM}
CRITICAL_CODES = frozenset({ReasonCode.SCREEN_ADDRESS_SANCTIONED, ReasonCode.GEO_SANCTIONED_JURISDICTION})
NO_REASON = "outcome.without_reason"  # a flagged decision without a reason (a forced outcome, say)


@dataclass(frozen=True, slots=True)
class Flag:
    """What a flagged decision brings to its account's case."""

    account_id: str
    region: str
    key: str
    severity: Severity
    outcome: str
    event_id: str
    event_us: int  # when the event happened (its ts), not when the desk heard of it
    value: Decimal
    detail: str
    probability: float | None

    def data(self) -> CaseData:
        return {
            "key": self.key,
            "severity": self.severity.value,
            "outcome": self.outcome,
            "event_id": self.event_id,
            "event_us": self.event_us,
            "value": str(self.value),
            "detail": self.detail,
        }


def flag_of(event: Event, decision: Decision) -> Flag | None:
    """The alert a decision raises, or None when its outcome is below review."""
    if decision.outcome not in FLAGGED:
        return None
    lead = decision.reasons[0] if decision.reasons else None
    key = lead.code.value if lead is not None else NO_REASON
    severity = _BY_OUTCOME[decision.outcome]
    if any(r.code in CRITICAL_CODES for r in decision.reasons):
        severity = Severity.CRITICAL
    value = getattr(event, "fiat_value", None)
    return Flag(
        account_id=decision.account_id,
        region=decision.region,
        key=key,
        severity=severity,
        outcome=decision.outcome.name.lower(),
        event_id=decision.event_id,
        event_us=event.ts_us,
        value=value if isinstance(value, Decimal) else Decimal(0),
        detail=lead.detail if lead is not None else "flagged without a reason",
        probability=decision.probability,
    )
