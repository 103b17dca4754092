"""Schemas of the law-enforcement desk's answers (``vigil.ler.views``; times are RFC 3339 UTC)."""

from __future__ import annotations

from typing import Any

from vigil.api.shapes import BOOLEAN, INTEGER, STRING, TIME, array, described, enum, nullable, obj, ref
from vigil.model.ler import DataKind, LegalBasis, LerState, RequestKind, Step, VerificationMethod

_MATCH = obj({"account_id": STRING, "subject": STRING, "how": STRING})
LER_REQUEST = obj(
    {
        "request_id": described(STRING, "L-000001"),
        "state": enum(LerState),
        "kind": enum(RequestKind),
        "received_at": TIME,
        "agency_id": STRING,
        "agency": STRING,
        "officer": STRING,
        "officer_email": STRING,
        "officer_phone": nullable(STRING),
        "jurisdiction": STRING,
        "legal_basis": enum(LegalBasis),
        "legal_reference": STRING,
        "subjects": described(array(STRING), "kind:value (contacts and documents as their hashes)"),
        "data_kinds": array(enum(DataKind)),
        "period_from": TIME,
        "period_until": TIME,
        "deadline": nullable(TIME),
        "nondisclosure": BOOLEAN,
        "nondisclosure_until": nullable(TIME),
        "domain_flags": described(
            array(STRING), "reason codes of the requester's domain (docs/reason-codes.md)"
        ),
        "verifications": array(
            obj(
                {
                    "method": enum(VerificationMethod),
                    "by": STRING,
                    "at": TIME,
                    "confirmed": BOOLEAN,
                    "contact": described(
                        STRING, "the number called (the directory's) or the address written to"
                    ),
                    "note": STRING,
                }
            )
        ),
        "verified_by": nullable(STRING),
        "verified_at": nullable(TIME),
        "acknowledged_at": nullable(TIME),
        "ack_due": TIME,
        "triage_due": nullable(TIME),
        "breaches": array(STRING),
        "attachments": array(obj({"sha256": STRING, "name": STRING, "size": INTEGER, "media_type": STRING})),
        "accounts": described(array(STRING), "in scope"),
        "matches": array(_MATCH),
        "offered": described(
            array(_MATCH), "for review: names and linked accounts, never in scope by themselves"
        ),
        "unmatched": array(STRING),
        "freezes": array(
            obj(
                {
                    "account_id": STRING,
                    "case_id": STRING,
                    "action_id": STRING,
                    "asset": nullable(STRING),
                    "amount": nullable(INTEGER),
                    "until": TIME,
                    "lapse_noticed": BOOLEAN,
                    "lapsed": BOOLEAN,
                    "released": BOOLEAN,
                }
            )
        ),
        "releases": array(STRING),
        "disclosures": array(
            obj(
                {
                    "at": TIME,
                    "by": STRING,
                    "sha256": STRING,
                    "accounts": array(STRING),
                    "kinds": array(STRING),
                }
            )
        ),
        "closed_reason": nullable(STRING),
        "version": INTEGER,
    }
)
LER_SUMMARY = obj(
    {
        "request_id": STRING,
        "state": enum(LerState),
        "kind": enum(RequestKind),
        "agency": STRING,
        "received_at": TIME,
        "ack_due": TIME,
        "triage_due": nullable(TIME),
        "deadline": nullable(TIME),
        "domain_flags": array(STRING),
        "breaches": array(STRING),
    }
)
LER_ENTRY = obj(
    {
        "seq": INTEGER,
        "at": TIME,
        "actor": STRING,
        "system": BOOLEAN,
        "kind": enum(Step),
        "data": {"type": "object"},
    }
)
LER_PACKAGE = obj(
    {
        "sha256": described(STRING, "of the archive"),
        "files": array(STRING),
        "signature": described(STRING, "hex Ed25519 signature of manifest.json"),
        "accounts": array(STRING),
        "kinds": array(STRING),
        "archive_base64": described(STRING, "the tar archive"),
    }
)
AGENCY = obj(
    {
        "agency_id": STRING,
        "name": STRING,
        "aliases": array(STRING),
        "jurisdiction": STRING,
        "calendar": STRING,
        "domains": array(STRING),
        "callback": STRING,
    }
)
LER_VIEWS: dict[str, dict[str, Any]] = {
    "LerRequest": LER_REQUEST,
    "LerRequests": obj({"requests": array(ref("LerSummary"))}),
    "LerSummary": LER_SUMMARY,
    "LerHistory": obj({"history": described(array(ref("LerEntry")), "oldest first")}),
    "LerEntry": LER_ENTRY,
    "LerPackage": LER_PACKAGE,
    "LerAttachment": obj({"sha256": STRING, "content_base64": STRING}),
    "Agencies": obj({"agencies": array(ref("Agency"))}),
    "Agency": AGENCY,
}
