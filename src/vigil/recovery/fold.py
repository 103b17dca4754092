"""A claim's current state: a fold over its history (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from vigil.model.claims import ClaimEvent, ClaimKind, ClaimState

OPEN = frozenset(
    {ClaimState.FILED, ClaimState.NEEDS_CONFIRMATION, ClaimState.AWAITING_APPROVAL, ClaimState.APPROVED}
)


@dataclass
class Claim:
    claim_id: str
    state: ClaimState = ClaimState.FILED
    version: int = 0
    filed_by: str = ""
    filed_at_us: int = 0
    claimant_account_id: str = ""
    chain: str = ""
    tx_hash: str = ""
    deposit_event_id: str = ""
    proof: str = ""
    nonce: str = ""
    value: Decimal = Decimal(0)  # the deposit's fiat value
    amount: int = 0  # the deposit's amount, base units
    asset: str = ""
    confirmed_by: str = ""
    approvers: list[str] = field(default_factory=list)
    credited_amount: int = 0
    fee_amount: int = 0
    credited_value: Decimal = Decimal(0)
    fee_value: Decimal = Decimal(0)
    refusal: str = ""
    to_desk: bool = False
    history: list[ClaimEvent] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN


def apply(claim: Claim, e: ClaimEvent) -> Claim:
    """``claim`` with entry ``e`` applied (in place; returned for chaining)."""
    d = e.data
    claim.version = e.seq
    claim.history.append(e)
    if e.kind is ClaimKind.FILED:
        claim.filed_by, claim.filed_at_us = e.actor, e.at_us
        claim.claimant_account_id = str(d.get("claimant_account_id", ""))
        claim.chain, claim.tx_hash = str(d.get("chain", "")), str(d.get("tx_hash", ""))
        claim.proof, claim.nonce = str(d.get("proof", "")), str(d.get("nonce") or "")
    elif e.kind is ClaimKind.MATCHED:
        claim.deposit_event_id = str(d.get("deposit_event_id", ""))
        claim.value = Decimal(str(d.get("fiat_value", "0")))
        claim.amount = int(d.get("amount") or 0)
        claim.asset = str(d.get("asset", ""))
    elif e.kind is ClaimKind.HISTORY_CONSISTENT:
        claim.state = ClaimState.NEEDS_CONFIRMATION
    elif e.kind is ClaimKind.CONFIRMED:
        claim.confirmed_by = e.actor
    elif e.kind is ClaimKind.APPROVAL_REQUESTED:
        claim.state = ClaimState.AWAITING_APPROVAL
    elif e.kind is ClaimKind.APPROVED:
        claim.approvers.append(e.actor)
        claim.state = ClaimState.APPROVED
    elif e.kind is ClaimKind.CREDITED:
        claim.state = ClaimState.CREDITED
        claim.credited_amount, claim.fee_amount = int(d.get("amount") or 0), int(d.get("fee") or 0)
        claim.credited_value = Decimal(str(d.get("fiat_value", "0")))
        claim.fee_value = Decimal(str(d.get("fee_value", "0")))
    elif e.kind is ClaimKind.REFUSED:
        claim.state = ClaimState.REFUSED
        claim.refusal = str(d.get("reason", ""))
        claim.to_desk = bool(d.get("to_desk"))
    return claim


def fold(history: Iterable[ClaimEvent]) -> Claim | None:
    claim: Claim | None = None
    for e in history:
        if claim is None:
            claim = Claim(e.claim_id)
        apply(claim, e)
    return claim
