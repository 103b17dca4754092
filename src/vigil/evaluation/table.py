"""The report as plain-text tables for a terminal: a summary line, detection by typology and by
region, and friction with alert volume. Columns are aligned; names left, numbers right; a share
shows as a percentage and ``-`` when there was nothing to count.
"""

from __future__ import annotations

from collections.abc import Sequence

from vigil.evaluation.results import Detection, Friction, Ratio, Report

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
    "rings",
    "never",
    "alert p50",
    "alert p90",
)
_FRICTION = (
    "",
    "honest wd",
    "wd stopped",
    "wd alerted",
    "honest acc",
    "acc stopped",
    "alerts",
    "acct-days",
    "alerts/1k acct-days",
)


def render_table(report: Report) -> str:
    """Every table of the report, separated by blank lines, ending with a newline."""
    c = report.counts
    summary = [
        f"{c.events:,} events ({c.decided_events:,} decided) from {c.first_day} to {c.last_day} "
        f"({c.active_days} days); {c.accounts:,} accounts, {c.labelled_accounts:,} labelled",
        f"{c.labelled_events:,} labelled events ({c.exits:,} exits) in {c.rings:,} rings; "
        f"{c.alerts:,} alerts (review, hold, block), {c.stops:,} stops (hold, block)",
    ]
    if c.undecided_events:
        summary.append(f"note: {c.undecided_events:,} events have no decision; they count as no alert")
    parts = [
        "\n".join(summary),
        "Detection by typology (precision: one against the legitimate)\n"
        + grid(_DETECTION, [_detection_row(d) for d in (*report.typologies, report.overall)]),
        "Detection by region (accounts and rings: by their first event)\n"
        + grid(_DETECTION, [_detection_row(d) for d in (*report.regions, report.overall)]),
        "Friction to honest users and alert volume\n"
        + grid(_FRICTION, [_friction_row(f) for f in (*report.region_friction, report.friction)]),
    ]
    return "\n\n".join(parts) + "\n"


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
        f"{t.rings:,}",
        f"{t.never_alerted:,}",
        duration(t.median_s),
        duration(t.p90_s),
    ]


def _friction_row(f: Friction) -> list[str]:
    per_1000 = f.alerts_per_1000_account_days
    return [
        f.name,
        f"{f.withdrawals_stopped.total:,}",
        _ratio(f.withdrawals_stopped),
        _ratio(f.withdrawals_alerted),
        f"{f.accounts_stopped.total:,}",
        _ratio(f.accounts_stopped),
        f"{f.alerts:,}",
        f"{f.active_account_days:,}",
        "-" if per_1000 is None else f"{per_1000:.2f}",
    ]
