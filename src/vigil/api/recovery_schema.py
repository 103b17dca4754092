"""OpenAPI schemas of the recovery views (``vigil.recovery.views``): claims, their history, deposits."""

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
from vigil.model import Chain, Uncredited
from vigil.model.claims import ClaimKind, ClaimState

CLAIM_ENTRY = obj(
    {
        "seq": INTEGER,
        "at": TIME,
        "actor": STRING,
        "system": described(BOOLEAN, "Vigil's own step"),
        "kind": enum(ClaimKind),
        "data": {
            "type": "object",
            "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
            "description": "the step's details",
        },
    }
)
_CLAIM = {
    "claim_id": STRING,
    "state": enum(ClaimState),
    "version": described(INTEGER, "entries in the claim's history"),
    "filed_at": TIME,
    "filed_by": STRING,
    "claimant_account_id": STRING,
    "chain": STRING,
    "tx_hash": described(STRING, "canonical: hex lower case without 0x"),
    "deposit_event_id": STRING,
    "proof": STRING,
    "asset": STRING,
    "amount": described(DECIMAL, "the deposit's amount, base units"),
    "value": described(DECIMAL, "the deposit's fiat value"),
    "credited_amount": DECIMAL,
    "fee_amount": DECIMAL,
    "credited_value": DECIMAL,
    "fee_value": DECIMAL,
    "refusal": nullable(STRING),
    "to_desk": described(BOOLEAN, "refused because the sending address is listed"),
}
CLAIM = obj(_CLAIM, {"history": described(array(ref("ClaimEntry")), "oldest first")})
CLAIMS = obj(
    {"claims": described(array(ref("Claim")), "in filing order"), "total": described(INTEGER, "all pages")}
)
DEPOSIT = obj(
    {
        "event_id": STRING,
        "account_id": STRING,
        "region": STRING,
        "at": TIME,
        "chain": enum(Chain),
        "tx_hash": STRING,
        "asset": STRING,
        "amount": DECIMAL,
        "fiat_value": DECIMAL,
        "source_address": nullable(STRING),
        "reason": nullable(enum(Uncredited)),
        "deposit_address": nullable(STRING),
        "memo": nullable(STRING),
        "claims": array(obj({"claim_id": STRING, "state": enum(ClaimState)})),
    }
)
DEPOSITS = obj({"deposits": described(array(ref("UncreditedDeposit")), "oldest first")})
SUMMARY = obj(
    {
        "claims": {"type": "object", "additionalProperties": INTEGER, "description": "claims by state"},
        "recovered_value": described(DECIMAL, "credited to claimants (fiat)"),
        "fees": described(DECIMAL, "fees taken (fiat)"),
        "recovered_total": described(DECIMAL, "both"),
    }
)
RECOVERY_VIEWS: dict[str, dict[str, Any]] = {
    "ClaimEntry": CLAIM_ENTRY,
    "Claim": CLAIM,
    "Claims": CLAIMS,
    "UncreditedDeposit": DEPOSIT,
    "UncreditedDeposits": DEPOSITS,
    "RecoverySummary": SUMMARY,
}
