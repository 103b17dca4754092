"""The report as JSON: stable keys (documented in docs/evaluation.md), money as decimal strings.

Every share comes with its counts (``{"hits", "total", "value"}``) and is ``null`` when there was
nothing to count. Typologies and regions are objects keyed by name, in name order; curve points
are in ascending threshold order. The same report always encodes to the same bytes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from vigil.evaluation.dataset import Judged, Outside
from vigil.evaluation.results import (
    Counts,
    Detection,
    Friction,
    PRPoint,
    Ratio,
    Report,
    TimeToAlert,
    ValueFrictionPoint,
    ValueStopped,
)
from vigil.evaluation.window import instant

FORMAT = "vigil-evaluation/2"
_ENCODER = msgspec.json.Encoder()


def encode_report(report: Report) -> bytes:
    """The report's JSON, indented, with a final newline."""
    return msgspec.json.format(_ENCODER.encode(report_json(report)), indent=2) + b"\n"


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON values (see the module docstring and docs/evaluation.md)."""
    friction_by_region = {f.name: f for f in report.region_friction}
    curves = report.curves
    return {
        "format": FORMAT,
        "definitions": {
            "alert": ["review", "hold", "block"],
            "stopped": ["hold", "block"],
            "delayed": "delay_until set and outcome allow, challenge or review",
            "flagged_at_threshold": "score >= threshold",
            "case_gap_days": report.case_gap_days,
        },
        "counts": _counts(report.counts),
        "overall": _detection(report.overall),
        "typologies": {t.name: _detection(t) for t in report.typologies},
        "regions": {
            r.name: {**_detection(r), "friction": _friction(friction_by_region[r.name])}
            for r in report.regions
        },
        "friction": _friction(report.friction),
        "curves": {
            "precision_recall": {
                name: [_pr(p) for p in points] for name, points in curves.precision_recall.items()
            },
            "value_vs_friction": {
                "overall": [_vf(p) for p in curves.value_vs_friction],
                "regions": {
                    name: [_vf(p) for p in points]
                    for name, points in curves.value_vs_friction_by_region.items()
                },
            },
        },
    }


def money(value: Decimal) -> str:
    """A decimal amount in plain notation: ``1E+3`` reads ``1000``."""
    return format(value, "f")


def _ratio(r: Ratio) -> dict[str, Any]:
    return {"hits": r.hits, "total": r.total, "value": r.value}


def _counts(c: Counts) -> dict[str, Any]:
    return {
        "events": c.events,
        "decided_events": c.decided_events,
        "undecided_events": c.undecided_events,
        "labelled_events": c.labelled_events,
        "exits": c.exits,
        "accounts": c.accounts,
        "labelled_accounts": c.labelled_accounts,
        "legitimate_accounts": c.legitimate_accounts,
        "rings": c.rings,
        "alerts": c.alerts,
        "stops": c.stops,
        "first_day": c.first_day.isoformat(),
        "last_day": c.last_day.isoformat(),
        "active_days": c.active_days,
        "window": _window(c.judged),
    }


def _window(j: Judged) -> dict[str, Any]:
    return {
        "since": _instant(j.since_us),
        "until": None if j.until_us is None else _instant(j.until_us),
        "since_detected": j.since_detected,
        "before": _outside(j.before),
        "after": _outside(j.after),
    }


def _instant(us: int) -> str:
    return instant(us).isoformat().replace("+00:00", "Z")


def _outside(o: Outside) -> dict[str, Any]:
    return {"events": o.events, "first_day": _day(o.first_day), "last_day": _day(o.last_day)}


def _day(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _detection(d: Detection) -> dict[str, Any]:
    return {
        "event_recall": _ratio(d.event_recall),
        "account_recall": _ratio(d.account_recall),
        "precision": _ratio(d.precision),
        "value_stopped": _value(d.value_stopped),
        "time_to_first_alert": _time(d.time_to_alert),
    }


def _value(v: ValueStopped) -> dict[str, Any]:
    return {
        "stopped": money(v.stopped),
        "total": money(v.total),
        "share": v.share,
        "exits": v.exits,
        "exits_stopped": v.exits_stopped,
        "delayed": money(v.delayed),
        "delayed_share": v.delayed_share,
        "exits_delayed": v.exits_delayed,
    }


def _time(t: TimeToAlert) -> dict[str, Any]:
    return {
        "rings": t.rings,
        "alerted": t.detected,
        "never_alerted": t.never_alerted,
        "median_seconds": t.median_s,
        "p90_seconds": t.p90_s,
    }


def _friction(f: Friction) -> dict[str, Any]:
    return {
        "legitimate_withdrawals_challenged": _ratio(f.withdrawals_challenged),
        "legitimate_withdrawals_delayed": _ratio(f.withdrawals_delayed),
        "delay_median_seconds": f.delay.median_s,
        "delay_p90_seconds": f.delay.p90_s,
        "legitimate_withdrawals_held": _ratio(f.withdrawals_held),
        "legitimate_withdrawals_blocked": _ratio(f.withdrawals_blocked),
        "legitimate_withdrawals_stopped": _ratio(f.withdrawals_stopped),
        "legitimate_withdrawals_alerted": _ratio(f.withdrawals_alerted),
        "legitimate_accounts_stopped": _ratio(f.accounts_stopped),
        "active_account_days": f.active_account_days,
        "alerts": f.alerts,
        "alerts_per_1000_active_accounts_per_day": f.alerts_per_1000_account_days,
        "false_alerts": f.false_alerts,
        "false_alerts_per_1000_active_account_days": f.false_alerts_per_1000_account_days,
        "cases": f.cases,
        "true_cases": f.true_cases,
        "legitimate_cases": f.legitimate_cases,
        "legitimate_cases_per_1000_active_account_days": f.legitimate_cases_per_1000_account_days,
        "case_precision": _ratio(f.case_precision),
    }


def _pr(p: PRPoint) -> dict[str, Any]:
    return {
        "threshold": p.threshold,
        "recall": p.recall,
        "precision": p.precision,
        "illicit_flagged": p.illicit_flagged,
        "legitimate_flagged": p.legitimate_flagged,
    }


def _vf(p: ValueFrictionPoint) -> dict[str, Any]:
    return {
        "threshold": p.threshold,
        "value_share": p.value_share,
        "friction": p.friction,
        "value_flagged": money(p.value_flagged),
    }
