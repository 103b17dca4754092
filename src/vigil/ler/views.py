"""JSON views of requests, their history and packages, shared by the API and the CLI (times RFC 3339)."""

from __future__ import annotations

import base64
from typing import Any

from vigil.desk.views import when
from vigil.ler.directory import Agency
from vigil.ler.package import Package
from vigil.model.ler import LerEvent, LerRequest, Match


def _match(m: Match) -> dict[str, Any]:
    return {"account_id": m.account_id, "subject": m.subject, "how": m.how}


def request_view(r: LerRequest) -> dict[str, Any]:
    return {
        "request_id": r.request_id,
        "state": r.state.value,
        "kind": r.kind.value,
        "received_at": when(r.received_us),
        "agency_id": r.agency_id,
        "agency": r.agency,
        "officer": r.officer,
        "officer_email": r.officer_email,
        "officer_phone": r.officer_phone or None,
        "jurisdiction": r.jurisdiction,
        "legal_basis": r.legal_basis.value,
        "legal_reference": r.legal_reference,
        "subjects": [s.label() for s in r.subjects],
        "data_kinds": [k.value for k in r.data_kinds],
        "period_from": when(r.period_from_us),
        "period_until": when(r.period_until_us),
        "deadline": when(r.deadline_us),
        "nondisclosure": r.nondisclosure,
        "nondisclosure_until": when(r.nondisclosure_until_us),
        "domain_flags": list(r.domain_flags),
        "verifications": [
            {
                "method": v.method.value,
                "by": v.actor,
                "at": when(v.at_us),
                "confirmed": v.confirmed,
                "contact": v.contact,
                "note": v.note,
            }
            for v in r.verifications
        ],
        "verified_by": r.verified_by or None,
        "verified_at": when(r.verified_us),
        "acknowledged_at": when(r.acknowledged_us),
        "ack_due": when(r.ack_due_us),
        "triage_due": when(r.triage_due_us),
        "breaches": list(r.breaches),
        "attachments": [
            {"sha256": a.sha256, "name": a.name, "size": a.size, "media_type": a.media_type}
            for a in r.attachments
        ],
        "accounts": list(r.accounts),
        "matches": [_match(m) for m in r.matches],
        "offered": [_match(m) for m in r.offered],
        "unmatched": list(r.unmatched),
        "freezes": [
            {
                "account_id": f.account_id,
                "case_id": f.case_id,
                "action_id": f.action_id,
                "asset": f.asset or None,
                "amount": f.amount or None,
                "until": when(f.until_us),
                "lapse_noticed": f.lapse_noticed,
                "lapsed": f.lapsed,
                "released": f.released,
            }
            for f in r.freezes
        ],
        "releases": list(r.releases),
        "disclosures": [
            {
                "at": when(d.at_us),
                "by": d.actor,
                "sha256": d.sha256,
                "accounts": list(d.accounts),
                "kinds": list(d.kinds),
            }
            for d in r.disclosures
        ],
        "closed_reason": r.closed_reason or None,
        "version": r.version,
    }


def summary_view(r: LerRequest) -> dict[str, Any]:
    return {
        "request_id": r.request_id,
        "state": r.state.value,
        "kind": r.kind.value,
        "agency": r.agency,
        "received_at": when(r.received_us),
        "ack_due": when(r.ack_due_us),
        "triage_due": when(r.triage_due_us),
        "deadline": when(r.deadline_us),
        "domain_flags": list(r.domain_flags),
        "breaches": list(r.breaches),
    }


def entry_view(e: LerEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": when(e.at_us),
        "actor": e.actor,
        "system": e.system,
        "kind": e.kind.value,
        "data": e.data,
    }


def package_view(p: Package) -> dict[str, Any]:
    return {
        "sha256": p.sha256,
        "files": list(p.files),
        "signature": p.signature,
        "accounts": list(p.accounts),
        "kinds": list(p.kinds),
        "archive_base64": base64.b64encode(p.archive).decode("ascii"),
    }


def withheld(controls: dict[str, Any]) -> dict[str, Any]:
    """A controls view (``desk.views.controls_view``) with the reasons and references of the actions an
    order put in force withheld: what an account under a non-disclosure order shows outside the desk."""

    def hide(action: dict[str, Any] | None) -> dict[str, Any] | None:
        if action is None or not action.get("reference"):
            return action
        return {**action, "reason": "withheld", "reference": None, "decision_reason": None}

    return {
        **controls,
        "account_freeze": hide(controls.get("account_freeze")),
        "amount_freezes": [hide(a) for a in controls.get("amount_freezes", [])],
    }


def agency_view(a: Agency) -> dict[str, Any]:
    return {
        "agency_id": a.agency_id,
        "name": a.name,
        "aliases": list(a.aliases),
        "jurisdiction": a.jurisdiction,
        "calendar": a.calendar,
        "domains": list(a.domains),
        "callback": a.callback,
    }
