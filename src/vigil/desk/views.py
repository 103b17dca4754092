"""JSON views of the desk's objects, shared by the API and the CLI (times in ISO 8601 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vigil.desk.controls import Controls
from vigil.model.audit import AuditRecord
from vigil.model.cases import Action, Alert, Appeal, Case, CaseEvent


def when(us: int | None) -> str | None:
    if us is None or us == 0:
        return None
    return datetime.fromtimestamp(us / 1e6, UTC).isoformat().replace("+00:00", "Z")


def action_view(a: Action) -> dict[str, Any]:
    return {
        "action_id": a.action_id,
        "kind": a.kind.value,
        "status": a.status.value,
        "requested_by": a.requested_by,
        "requested_at": when(a.requested_us),
        "reason": a.reason,
        "value": a.value,
        "asset": a.asset or None,
        "amount": a.amount or None,
        "target": a.target or None,
        "decided_by": a.decided_by or None,
        "decided_at": when(a.decided_us),
        "decision_reason": a.decision_reason or None,
        "reference": a.reference or None,
    }


def appeal_view(a: Appeal) -> dict[str, Any]:
    return {
        "appeal_id": a.appeal_id,
        "track": a.track.value,
        "state": a.state.value,
        "filed_at": when(a.filed_us),
        "due_at": when(a.due_us),
        "text": a.text,
        "decided_by": a.decided_by or None,
        "decision_reason": a.decision_reason or None,
    }


def alert_view(a: Alert) -> dict[str, Any]:
    return {
        "key": a.key,
        "outcome": a.outcome,
        "count": a.count,
        "first_at": when(a.first_us),
        "last_at": when(a.last_us),
        "event_ids": list(a.event_ids),
        "value": a.value,
        "detail": a.detail,
    }


def summary_view(c: Case) -> dict[str, Any]:
    """A case as a queue lists it."""
    return {
        "case_id": c.case_id,
        "account_id": c.account_id,
        "region": c.region,
        "state": c.state.value,
        "severity": c.severity.value,
        "priority": c.priority,
        "queue": c.queue.value,
        "assignee": c.assignee,
        "opened_at": when(c.opened_us),
        "ack_due_at": when(c.ack_due_us),
        "resolve_due_at": when(c.resolve_due_us),
        "acknowledged_at": when(c.acknowledged_us),
        "breaches": list(c.breaches),
        "alerts": sum(a.count for a in c.alerts),
        "value_at_risk": c.value_at_risk,
        "pending_actions": len(c.pending),
        "version": c.version,
    }


def case_view(c: Case) -> dict[str, Any]:
    return {
        **summary_view(c),
        "resolved_at": when(c.resolved_us),
        "disposition": c.disposition.value if c.disposition else None,
        "disposition_reason": c.disposition_reason or None,
        "alerts": [alert_view(a) for a in c.alerts],
        "actions": [action_view(a) for a in c.actions],
        "appeals": [appeal_view(a) for a in c.appeals],
    }


def history_view(e: CaseEvent) -> dict[str, Any]:
    data = {k: v for k, v in e.data.items() if k != "nonce"}
    return {
        "seq": e.seq,
        "at": when(e.at_us),
        "actor": e.actor,
        "system": e.system,
        "kind": e.kind.value,
        "data": data,
    }


def controls_view(c: Controls) -> dict[str, Any]:
    return {
        "account_id": c.account_id,
        "frozen": c.frozen,
        "account_freeze": action_view(c.account_freeze) if c.account_freeze else None,
        "amount_freezes": [action_view(a) for a in c.amount_freezes],
        "held_withdrawals": [a.target for a in c.held_withdrawals],
        "step_ups": [a.target for a in c.step_ups],
        "value_frozen": str(c.value_frozen),
    }


def audit_view(r: AuditRecord) -> dict[str, Any]:
    return {
        "seq": r.seq,
        "at": when(r.at_us),
        "actor": r.actor,
        "system": r.system,
        "action": r.action,
        "subject": r.subject,
        "detail": r.detail,
        "hash": r.hash,
    }
