"""SLA breaches and the notices they send.

All pure. ``breaches``: which clocks of a case ran out by ``now`` and are not recorded yet
(acknowledge: nobody took the case; resolve: it is still open). ``next_due``: when the next of them
runs out (the desk keeps its open cases in a heap by that time, so a tick looks only at what is due).
``notice_of``: the notice a breach sends; the desk hands it to its outbox (``desk/outbox.py``), which
delivers it off the event loop and whose outcome the case history records, so a broken mail server
can neither stop nor slow the desk.
"""

from __future__ import annotations

from datetime import UTC, datetime

from vigil.model.cases import Case
from vigil.model.notify import Notice


def breaches(case: Case, now_us: int) -> list[str]:
    due = []
    if case.acknowledged_us is None and now_us > case.ack_due_us and "ack" not in case.breaches:
        due.append("ack")
    if case.resolved_us is None and now_us > case.resolve_due_us and "resolve" not in case.breaches:
        due.append("resolve")
    return due


def next_due(case: Case) -> int | None:
    """When the earliest clock not yet breached runs out (µs); None when none can breach any more."""
    if not case.open:
        return None
    due = []
    if case.acknowledged_us is None and "ack" not in case.breaches:
        due.append(case.ack_due_us)
    if case.resolved_us is None and "resolve" not in case.breaches:
        due.append(case.resolve_due_us)
    return min(due) if due else None


def _when(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%d %H:%M UTC")


def notice_of(case: Case, clocks: list[str], now_us: int) -> Notice:
    what = " and ".join({"ack": "acknowledge", "resolve": "resolve"}[c] for c in clocks)
    due = case.ack_due_us if "ack" in clocks else case.resolve_due_us
    return Notice(
        kind="sla.breached",
        case_id=case.case_id,
        title=f"{case.severity.value} case {case.case_id} missed its {what} deadline",
        text=(
            f"Case {case.case_id} ({case.severity.value}, priority {case.priority}, region {case.region})"
            f" was due by {_when(due)} and is {case.state.value}. It is now in the supervisor queue."
        ),
        severity=case.severity.value,
        at_us=now_us,
        link=f"/console/cases/{case.case_id}",
    )
