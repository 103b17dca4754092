"""JSON views of claims and uncredited deposits, shared by the API and the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vigil.model.claims import ClaimEvent, UncreditedDeposit
from vigil.recovery.fold import Claim


def when(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, tz=UTC).isoformat().replace("+00:00", "Z")


def entry_view(e: ClaimEvent) -> dict[str, Any]:
    return {"seq": e.seq, "at": when(e.at_us), "actor": e.actor, "system": e.system, "kind": e.kind.value,
            "data": dict(e.data)}  # fmt: skip


def claim_view(c: Claim, *, history: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {
        "claim_id": c.claim_id,
        "state": c.state.value,
        "version": c.version,
        "filed_at": when(c.filed_at_us),
        "filed_by": c.filed_by,
        "claimant_account_id": c.claimant_account_id,
        "chain": c.chain,
        "tx_hash": c.tx_hash,
        "deposit_event_id": c.deposit_event_id,
        "proof": c.proof,
        "asset": c.asset,
        "amount": str(c.amount),
        "value": str(c.value),
        "credited_amount": str(c.credited_amount),
        "fee_amount": str(c.fee_amount),
        "credited_value": str(c.credited_value),
        "fee_value": str(c.fee_value),
        "refusal": c.refusal or None,
        "to_desk": c.to_desk,
    }
    if history:
        view["history"] = [entry_view(e) for e in c.history]
    return view


def deposit_view(d: UncreditedDeposit, claims: list[Claim]) -> dict[str, Any]:
    return {
        "event_id": d.event_id,
        "account_id": d.account_id,
        "region": d.region,
        "at": when(d.ts_us),
        "chain": d.chain.value,
        "tx_hash": d.tx_hash,
        "asset": d.asset,
        "amount": str(d.amount),
        "fiat_value": str(d.fiat_value),
        "source_address": d.source_address,
        "reason": d.reason.value if d.reason is not None else None,
        "deposit_address": d.deposit_address,
        "memo": d.memo,
        "claims": [{"claim_id": c.claim_id, "state": c.state.value} for c in claims],
    }
