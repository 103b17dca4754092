"""Schemas of the desk's answers: cases, their history, actions with four eyes, appeals, what is in force
on an account, and the audit log (``vigil.desk.views``; times are RFC 3339 UTC, ``when``)."""

from __future__ import annotations

from typing import Any

from vigil.api.shapes import (
    BOOLEAN,
    DECIMAL,
    INTEGER,
    STRING,
    TIME,
    array,
    described,
    enum,
    nullable,
    obj,
    ref,
)
from vigil.model.cases import (
    ActionKind,
    ActionStatus,
    AppealState,
    AppealTrack,
    CaseState,
    Disposition,
    Kind,
    Queue,
    Severity,
)

ACTION = obj(
    {
        "action_id": described(STRING, "<case id>/<n>"),
        "kind": enum(ActionKind),
        "status": enum(ActionStatus),
        "requested_by": STRING,
        "requested_at": TIME,
        "reason": STRING,
        "value": described(
            STRING, "fiat value concerned (decimal text): four eyes above the configured value"
        ),
        "asset": nullable(STRING),
        "amount": described(nullable(INTEGER), "base units (freeze_amount)"),
        "target": described(
            nullable(STRING), "a withdrawal's event id, a step-up, the action an unfreeze lifts"
        ),
        "decided_by": nullable(STRING),
        "decided_at": nullable(TIME),
        "decision_reason": nullable(STRING),
        "reference": described(nullable(STRING), "the order the action carries out (a request id)"),
    }
)
APPEAL = obj(
    {
        "appeal_id": described(STRING, "<case id>/appeal-<n>"),
        "track": enum(AppealTrack),
        "state": enum(AppealState),
        "filed_at": TIME,
        "due_at": described(
            nullable(TIME), "when the customer should have an answer; null while awaiting KYC"
        ),
        "text": STRING,
        "decided_by": nullable(STRING),
        "decision_reason": nullable(STRING),
    }
)
ALERT = obj(
    {
        "key": described(STRING, "the pattern: the leading reason code"),
        "outcome": described(STRING, "the most severe outcome of its decisions"),
        "count": INTEGER,
        "first_at": TIME,
        "last_at": TIME,
        "event_ids": described(array(STRING), "the most recent few, newest last"),
        "value": described(DECIMAL, "fiat value at risk over its events"),
        "detail": described(STRING, "the leading reason's sentence"),
    }
)
_CASE_HEAD: dict[str, Any] = {
    "case_id": STRING,
    "account_id": STRING,
    "region": STRING,
    "state": enum(CaseState),
    "severity": enum(Severity),
    "priority": described(INTEGER, "0-100, higher first"),
    "queue": enum(Queue),
    "assignee": nullable(STRING),
    "opened_at": TIME,
    "ack_due_at": TIME,
    "resolve_due_at": TIME,
    "acknowledged_at": nullable(TIME),
    "breaches": described(array({"type": "string", "enum": ["ack", "resolve"]}), "SLA clocks breached"),
    "value_at_risk": DECIMAL,
    "pending_actions": described(INTEGER, "actions awaiting a supervisor"),
    "version": described(INTEGER, "send it back as `version` to refuse a stale change"),
}
CASE_SUMMARY = obj({**_CASE_HEAD, "alerts": described(INTEGER, "flagged decisions in the case")})
CASE = obj(
    {
        **_CASE_HEAD,
        "alerts": array(ref("Alert")),
        "resolved_at": nullable(TIME),
        "disposition": nullable(enum(Disposition)),
        "disposition_reason": nullable(STRING),
        "actions": array(ref("Action")),
        "appeals": array(ref("Appeal")),
    }
)
CASE_QUEUE = obj(
    {
        "cases": described(array(ref("CaseSummary")), "highest priority first"),
        "total": described(INTEGER, "cases matching the filter, all pages"),
    }
)
HISTORY_ENTRY = obj(
    {
        "seq": INTEGER,
        "at": TIME,
        "actor": STRING,
        "system": described(BOOLEAN, "the desk's own step"),
        "kind": enum(Kind),
        "data": {
            "type": "object",
            "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
            "description": "the step's details",
        },
    }
)
CASE_HISTORY = obj({"history": described(array(ref("HistoryEntry")), "oldest first")})
APPROVALS = obj(
    {"approvals": described(array({"allOf": [ref("Action"), obj({"case_id": STRING})]}), "oldest first")}
)
CASE_APPEAL = {"allOf": [ref("Appeal"), obj({"case_id": STRING})]}
APPEALS = obj({"appeals": described(array(ref("CaseAppeal")), "earliest due first")})
CONTROLS = obj(
    {
        "account_id": STRING,
        "frozen": BOOLEAN,
        "account_freeze": nullable(ref("Action")),
        "amount_freezes": array(ref("Action")),
        "held_withdrawals": described(array(STRING), "event ids of withdrawals held"),
        "step_ups": described(array(STRING), "step-ups required"),
        "value_frozen": DECIMAL,
    }
)
AUDIT_RECORD = obj(
    {
        "seq": INTEGER,
        "at": TIME,
        "actor": STRING,
        "system": BOOLEAN,
        "action": STRING,
        "subject": STRING,
        "detail": STRING,
        "hash": STRING,
    }
)
AUDIT_LOG = obj({"records": described(array(ref("AuditRecord")), "oldest first")})
AUDIT_VERIFICATION = obj(
    {
        "ok": BOOLEAN,
        "records": described(INTEGER, "records found intact"),
        "head": described(STRING, "the hash of the last intact record"),
        "problem": described(nullable(STRING), "what is wrong; null when ok"),
        "seq": described(nullable(INTEGER), "the first bad record, when one can be named"),
    }
)


DESK_VIEWS: dict[str, dict[str, Any]] = {
    "Action": ACTION,
    "Appeal": APPEAL,
    "CaseAppeal": CASE_APPEAL,
    "Alert": ALERT,
    "CaseSummary": CASE_SUMMARY,
    "Case": CASE,
    "CaseQueue": CASE_QUEUE,
    "HistoryEntry": HISTORY_ENTRY,
    "CaseHistory": CASE_HISTORY,
    "Approvals": APPROVALS,
    "Appeals": APPEALS,
    "Controls": CONTROLS,
    "AuditRecord": AUDIT_RECORD,
    "AuditLog": AUDIT_LOG,
    "AuditVerification": AUDIT_VERIFICATION,
}
