"""What the console's pages show, computed from the desk and the journal: an account's profile, its
timeline rows, the dashboard's series. Plain data for the templates; no HTML here but the charts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from vigil.api.console.charts import bars
from vigil.desk import SecurityDesk
from vigil.desk.controls import controls
from vigil.model import Decision, Event
from vigil.model.cases import Case

DAY_US = 86_400_000_000


@dataclass(frozen=True, slots=True)
class Row:
    at_us: int
    event_id: str
    kind: str
    amount: str
    outcome: str
    score: float
    reasons: tuple[tuple[str, str], ...]  # (code, detail)
    probability: float | None
    where: str


def _amount(event: Event) -> str:
    value = getattr(event, "fiat_value", None)
    asset = getattr(event, "asset", None)
    if value is None:
        return ""
    return f"{value} ({asset})" if asset else str(value)


def timeline_rows(history: Sequence[tuple[Event, Decision]]) -> list[Row]:
    return [
        Row(
            at_us=e.ts_us,
            event_id=e.event_id,
            kind=e.type.value,
            amount=_amount(e),
            outcome=d.outcome.name.lower(),
            score=d.score,
            reasons=tuple((r.code.value, r.detail) for r in d.reasons),
            probability=d.probability,
            where=" ".join(x for x in (e.country or "", e.ip or "", e.device_id or "") if x),
        )
        for e, d in history
    ]


def profile_of(
    account_id: str, history: Sequence[tuple[Event, Decision]], cases: Sequence[Case]
) -> dict[str, Any]:
    """What the shown history says about the account (newest first), and its cases."""
    kinds = Counter(e.type.value for e, _ in history)
    deposits = sum(
        (getattr(e, "fiat_value", Decimal(0)) for e, _ in history if e.type.value == "deposit"), Decimal(0)
    )
    withdrawals = sum(
        (getattr(e, "fiat_value", Decimal(0)) for e, _ in history if e.type.value == "withdrawal"), Decimal(0)
    )
    kyc = next((getattr(e, "status", None) for e, _ in history if e.type.value == "kyc_result"), None)
    return {
        "account_id": account_id,
        "region": history[0][0].region if history else "",
        "country": next((e.country for e, _ in history if e.country), ""),
        "first_us": history[-1][0].ts_us if history else None,
        "last_us": history[0][0].ts_us if history else None,
        "events": len(history),
        "kinds": sorted(kinds.items(), key=lambda kv: -kv[1]),
        "deposits": deposits,
        "withdrawals": withdrawals,
        "kyc": kyc.value if kyc is not None else "unknown",
        "devices": len({e.device_id for e, _ in history if e.device_id}),
        "ips": len({e.ip for e, _ in history if e.ip}),
        "cases": list(cases),
        "flagged": sum(1 for _, d in history if d.outcome.value >= 2),
    }


def _day(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%m-%d")


def dashboard_figures(security: SecurityDesk, days: int = 14) -> dict[str, Any]:
    desk = security.desk
    last = max((d for d, _ in desk.alerts_per_day), default=desk.clock() // DAY_US)
    span = list(range(last - days + 1, last + 1))
    regions = sorted({r for _, r in desk.alerts_per_day})
    alerts = {r: [desk.alerts_per_day.get((d, r), 0) for d in span] for r in regions}
    breaches = {"SLA breaches": [desk.breaches_per_day.get(d, 0) for d in span]}
    cases = list(desk.all_cases())
    by_account: dict[str, list[Case]] = {}
    for c in cases:
        by_account.setdefault(c.account_id, []).append(c)
    frozen_by_region: dict[str, Decimal] = {}
    frozen_accounts = 0
    for account, its in by_account.items():
        ctl = controls(account, its)
        if ctl.frozen or ctl.amount_freezes:
            frozen_accounts += ctl.frozen
            region = its[-1].region
            frozen_by_region[region] = frozen_by_region.get(region, Decimal(0)) + ctl.value_frozen
    open_cases = [c for c in cases if c.open]
    labels = [_day(d) for d in span]
    return {
        "alerts_chart": bars(labels, alerts) if regions else "",
        "breaches_chart": bars(labels, breaches),
        "frozen_chart": bars(
            sorted(frozen_by_region),
            {"value frozen": [float(frozen_by_region[r]) for r in sorted(frozen_by_region)]},
        )
        if frozen_by_region
        else "",
        "value_frozen": sum(frozen_by_region.values(), Decimal(0)),
        "frozen_accounts": frozen_accounts,
        "open_cases": len(open_cases),
        "breached_open": sum(1 for c in open_cases if c.breaches),
        "pending": sum(len(c.pending) for c in open_cases),
        "by_severity": Counter(c.severity.value for c in open_cases),
        "by_state": Counter(c.state.value for c in open_cases),
    }
