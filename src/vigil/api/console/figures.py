"""What the console's pages show, computed from the desk and the journal: an account's profile, its
timeline rows, the dashboard's series, and how values read (money with its currency, identifiers
with their invisible characters made visible). Plain data for the templates; no HTML here but the
charts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from vigil.api.console.charts import bars
from vigil.desk import SecurityDesk
from vigil.desk.controls import controls
from vigil.model import Decision, Event, Trade
from vigil.model.cases import Case, CaseData

DAY_US = 86_400_000_000


def visible(text: str) -> str:
    """Text as a person can read it: every character that is invisible or moves others (controls,
    bidirectional overrides and isolates, zero-width and other format characters, line breaks,
    non-breaking and other special spaces) spelled as ``⟨U+202E⟩``, so two different identifiers
    never look alike on screen."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"⟨U+{ord(ch):04X}⟩" for ch in text)


def money(value: Decimal | str | None, currency: str) -> str:
    """A fiat value with its currency: ``14,099.72 USD`` (two decimals, thousands separated)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return visible(str(value))  # not a number: shown as it is, never as money
    if not amount.is_finite():
        return visible(str(value))
    return f"{amount:,.2f} {currency}"


def asset_amount(event: Event) -> str:
    """What moved, with its ticker, in the asset's base units (``1,250,000 base units of BTC``): whole
    coins would need the token's decimals on its chain, which the event does not carry."""
    units: object = event.quantity if isinstance(event, Trade) else getattr(event, "amount", None)
    asset: object = event.base_asset if isinstance(event, Trade) else getattr(event, "asset", None)
    if not isinstance(units, int) or not isinstance(asset, str) or not asset:
        return ""
    return f"{units:,} base units of {visible(asset)}"


@dataclass(frozen=True, slots=True)
class Row:
    at_us: int
    event_id: str
    kind: str
    fiat: str  # the fiat value with its currency
    asset: str  # the asset amount with its ticker
    outcome: str
    score: float
    reasons: tuple[tuple[str, str], ...]  # (code, detail)
    probability: float | None
    where: str
    delay_until_us: int | None  # the exchange waits until then before the action goes through


def timeline_rows(history: Sequence[tuple[Event, Decision]], currency: str) -> list[Row]:
    return [
        Row(
            at_us=e.ts_us,
            event_id=e.event_id,
            kind=e.type.value,
            fiat=money(getattr(e, "fiat_value", None), currency),
            asset=asset_amount(e),
            outcome=d.outcome.name.lower(),
            score=d.score,
            reasons=tuple((r.code.value, r.detail) for r in d.reasons),
            probability=d.probability,
            where=" ".join(x for x in (e.country or "", e.ip or "", e.device_id or "") if x),
            delay_until_us=d.delay_until_us,
        )
        for e, d in history
    ]


_RANK = {"block": 3, "hold": 2, "review": 1}


def pattern_of(case: Case) -> tuple[str, int]:
    """The case's leading pattern (the most severe alert, then the most frequent) and how many others."""
    if not case.alerts:
        return "", 0
    lead = max(case.alerts, key=lambda a: (_RANK.get(a.outcome, 0), a.count, a.last_us))
    return lead.key, len(case.alerts) - 1


# How a history entry's details read: identifiers are isolated, times are dates, values are money.
_IDS = frozenset(
    {"account_id", "event_id", "action", "action_id", "appeal_id", "assignee", "target", "case_id", "by"}
)


def details(data: CaseData) -> list[tuple[str, str, str]]:
    """A history entry's details as a person reads them: ``(label, text, kind)`` with kind ``id``,
    ``time`` (µs since the epoch), ``money`` or ``text``; empty values left out, yes/no for booleans,
    never a programming language's spelling of nothing (``None``)."""
    shown = []
    for key, value in data.items():
        if key == "nonce" or value is None or value == "":
            continue
        text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        if key.endswith("_us") and isinstance(value, int) and not isinstance(value, bool):
            shown.append((key[:-3].replace("_", " ") + " time", text, "time"))
        elif key in _IDS:
            shown.append((key.replace("_", " "), text, "id"))
        elif key == "value":
            shown.append(("value", text, "money"))
        else:
            shown.append((key.replace("_", " "), text, "text"))
    return shown


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


def _date(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")


def dashboard_figures(security: SecurityDesk, days: int = 14) -> dict[str, Any]:
    desk = security.desk
    # Alerts are counted on the day their event happened (a replay of last month lands on last month's
    # days, not today); breaches on the day the desk breached.
    last = max((d for d, _ in desk.alerts_per_day), default=desk.clock() // DAY_US)
    span = list(range(last - days + 1, last + 1))
    regions = sorted({r for _, r in desk.alerts_per_day})
    alerts = {visible(r): [desk.alerts_per_day.get((d, r), 0) for d in span] for r in regions}
    today = desk.clock() // DAY_US
    desk_span = list(range(today - days + 1, today + 1))
    breaches = {"SLA breaches": [desk.breaches_per_day.get(d, 0) for d in desk_span]}
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
        "alerts_span": (_date(span[0]), _date(span[-1])),
        "breaches_chart": bars([_day(d) for d in desk_span], breaches),
        "frozen_chart": bars(
            [visible(r) for r in sorted(frozen_by_region)],
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
