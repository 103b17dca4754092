"""The report as plain-text tables for a terminal: a summary (with the window judged and what was
left out), detection by typology and by region, friction to honest withdrawals, and alert volume
with cases. Columns are aligned; names left, numbers right; a share
shows as a percentage and ``-`` when there was nothing to count.
"""

from __future__ import annotations

from collections.abc import Sequence

from vigil.evaluation.dataset import Judged, Outside
from vigil.evaluation.results import Counts, Detection, Friction, Ratio, Report
from vigil.evaluation.window import instant

_DETECTION = (
    "",
    "events",
    "ev.recall",
    "accounts",
    "acc.recall",
    "precision",
    "exits",
    "exit value",
    "stopped",
    "delayed",
    "rings",
    "never",
    "alert p50",
    "alert p90",
)
_FRICTION = (
    "",
    "honest wd",
    "challenged",
    "delayed",
    "delay p50",
    "delay p90",
    "held",
    "blocked",
    "stopped",
    "alerted",
)
_VOLUME = (
    "",
    "acct-days",
    "honest acc",
    "acc stopped",
    "alerts",
    "/1k",
    "false alerts",
    "/1k",
    "cases",
    "legit cases",
    "/1k",
    "case precision",
)


def render_table(report: Report) -> str:
    """Every table of the report, separated by blank lines, ending with a newline."""
    c = report.counts
    summary = [
        f"{c.events:,} events judged ({c.decided_events:,} decided) from {c.first_day} to {c.last_day} "
        f"({c.active_days} days with events); {c.accounts:,} accounts, {c.labelled_accounts:,} labelled",
        f"{c.labelled_events:,} labelled events ({c.exits:,} exits) in {c.rings:,} rings; "
        f"{c.alerts:,} alerts (review, hold, block), {c.stops:,} stops (hold, block)",
        *window_lines(c),
    ]
    if c.undecided_events:
        summary.append(f"note: {c.undecided_events:,} events have no decision; they count as no alert")
    volume = (
        "Alert volume and cases, by region (/1k: per 1,000 active account-days; a case groups an "
        f"account's alerts, a new one after {report.case_gap_days:g} days without)\n"
    )
    parts = [
        "\n".join(summary),
        "Detection by typology (precision: one against the legitimate)\n"
        + grid(_DETECTION, [_detection_row(d) for d in (*report.typologies, report.overall)]),
        "Detection by region (accounts and rings: by their first event)\n"
        + grid(_DETECTION, [_detection_row(d) for d in (*report.regions, report.overall)]),
        "Friction to honest users: shares of the legitimate withdrawals with a decision, by region\n"
        + grid(_FRICTION, [_friction_row(f) for f in (*report.region_friction, report.friction)]),
        volume + grid(_VOLUME, [_volume_row(f) for f in (*report.region_friction, report.friction)]),
    ]
    return "\n\n".join(parts) + "\n"


def window_lines(c: Counts) -> list[str]:
    """The window judged, and the events left out before and after it."""
    j: Judged = c.judged
    since = _instant(j.since_us)
    start = f"from {since} (the run's first busy day, detected)" if j.since_detected else f"from {since}"
    end = "" if j.until_us is None else f" until {_instant(j.until_us)}"
    lines = [f"window: {start}{end}"]
    if j.before.events:
        why = "the simulator's history: openings, KYC, last logins" if j.since_detected else "before --since"
        lines.append(f"  left out: {_outside(j.before)} ({why})")
    if j.after.events:
        lines.append(f"  left out: {_outside(j.after)} (at or after --until)")
    return lines


def _instant(us: int) -> str:
    return instant(us).strftime("%Y-%m-%dT%H:%MZ")


def _outside(o: Outside) -> str:
    return f"{o.events:,} events from {o.first_day} to {o.last_day}"


def grid(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Aligned columns: the first left-aligned, the others right-aligned, two spaces apart."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        text = first.ljust(widths[0]) + "".join(
            "  " + cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)
        )
        return text.rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def share(value: float | None) -> str:
    """A share as a percentage with one decimal (three below 1%), ``-`` when not measured."""
    if value is None:
        return "-"
    percent = value * 100
    return f"{percent:.3f}%" if 0 < percent < 1 else f"{percent:.1f}%"


def duration(seconds: float | None) -> str:
    """A duration in the largest unit that keeps it readable: 45s, 12.5m, 3.2h, 2.1d."""
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.1f}m"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86_400:.1f}d"


def _ratio(r: Ratio) -> str:
    return share(r.value)


def _detection_row(d: Detection) -> list[str]:
    v, t = d.value_stopped, d.time_to_alert
    return [
        d.name,
        f"{d.event_recall.total:,}",
        _ratio(d.event_recall),
        f"{d.account_recall.total:,}",
        _ratio(d.account_recall),
        _ratio(d.precision),
        f"{v.exits:,}",
        f"{v.total:,.0f}",
        share(v.share),
        share(v.delayed_share),
        f"{t.rings:,}",
        f"{t.never_alerted:,}",
        duration(t.median_s),
        duration(t.p90_s),
    ]


def _friction_row(f: Friction) -> list[str]:
    return [
        f.name,
        f"{f.withdrawals_stopped.total:,}",
        _ratio(f.withdrawals_challenged),
        _ratio(f.withdrawals_delayed),
        duration(f.delay.median_s),
        duration(f.delay.p90_s),
        _ratio(f.withdrawals_held),
        _ratio(f.withdrawals_blocked),
        _ratio(f.withdrawals_stopped),
        _ratio(f.withdrawals_alerted),
    ]


def _volume_row(f: Friction) -> list[str]:
    return [
        f.name,
        f"{f.active_account_days:,}",
        f"{f.accounts_stopped.total:,}",
        _ratio(f.accounts_stopped),
        f"{f.alerts:,}",
        _rate(f.alerts_per_1000_account_days),
        f"{f.false_alerts:,}",
        _rate(f.false_alerts_per_1000_account_days),
        f"{f.cases:,}",
        f"{f.legitimate_cases:,}",
        _rate(f.legitimate_cases_per_1000_account_days),
        _ratio(f.case_precision),
    ]


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
