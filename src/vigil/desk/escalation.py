"""SLA breaches and the notices they send.

``breaches`` is pure: which clocks of a case ran out by ``now`` and are not recorded yet (acknowledge:
nobody took the case; resolve: it is still open). ``notify`` sends one notice through the notifier port
and returns what the case history records of it: the channel's failure is recorded, never raised, so a
broken mail server cannot stop the desk from escalating.
"""

from __future__ import annotations

from datetime import UTC, datetime

from vigil.errors import NotifyError
from vigil.model.cases import Case, CaseData
from vigil.model.notify import Notice
from vigil.ports import Notifier


def breaches(case: Case, now_us: int) -> list[str]:
    due = []
    if case.acknowledged_us is None and now_us > case.ack_due_us and "ack" not in case.breaches:
        due.append("ack")
    if case.resolved_us is None and now_us > case.resolve_due_us and "resolve" not in case.breaches:
        due.append("resolve")
    return due


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


def send(notifier: Notifier, notice: Notice) -> CaseData:
    """Send a notice; what the case history records of it (the error, if the channel failed)."""
    try:
        notifier.send(notice)
    except NotifyError as exc:
        return {"kind": notice.kind, "error": str(exc)}
    return {"kind": notice.kind, "error": None}


def notify(notifier: Notifier, case: Case, clocks: list[str], now_us: int) -> CaseData:
    return send(notifier, notice_of(case, clocks, now_us))
