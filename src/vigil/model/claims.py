"""Claims for funds sent by mistake: deposits that could not be credited, and the history of a claim.

A claim's history is append-only (``ClaimEvent``); its state is a fold over it (``vigil.recovery``).
``claim_message`` is the text a sending address signs to prove a claim: it names the chain, the
transaction, the claimant and a nonce, so a signature made for one claim proves no other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from vigil.model.enums import Chain, Uncredited

ClaimData = dict[str, str | int | bool | None]  # a history entry's details: plain JSON scalars

MESSAGE_HEADER = "Vigil recovery claim"


class ClaimKind(StrEnum):
    """What a claim's history entry records."""

    FILED = "filed"  # the claim as received (tx, chain, amount, claimant, proof)
    MATCHED = "matched"  # the uncredited deposit it names, and how it compares
    PROOF_VERIFIED = "proof_verified"  # the signature recovered the sending address
    HISTORY_CONSISTENT = "history_consistent"  # the withdrawal evidence agrees with the deposit
    CONFIRMED = "confirmed"  # a person confirmed a history claim with the sending platform
    SCREENED = "screened"  # the source screened again against the lists, with the result
    APPROVAL_REQUESTED = "approval_requested"  # worth more than the four-eyes value: a second person
    APPROVED = "approved"  # a person approved the credit
    CREDITED = "credited"  # the value, less the fee, credited to the claimant
    REFUSED = "refused"  # refused, with the reason; ``desk`` when it goes to the security desk


class ClaimState(StrEnum):
    """Where a claim stands (the fold of its history)."""

    FILED = "filed"
    NEEDS_CONFIRMATION = "needs_confirmation"  # history proof: a person must confirm with the platform
    AWAITING_APPROVAL = "awaiting_approval"  # proved and screened clean: a person approves the credit
    APPROVED = "approved"  # approved: the credit can be recorded
    CREDITED = "credited"
    REFUSED = "refused"


class ProofKind(StrEnum):
    SIGNATURE = "signature"  # a message signed by the sending address
    HISTORY = "history"  # the claimant's withdrawal from another platform to here


@dataclass(frozen=True, slots=True)
class UncreditedDeposit:
    """A deposit the exchange received but could not credit, as the recovery desk keeps it."""

    event_id: str
    account_id: str  # the receiving address's account, or the exchange's suspense account
    region: str
    ts_us: int
    chain: Chain
    tx_hash: str  # canonical (``canonical_tx``)
    asset: str
    amount: int
    fiat_value: Decimal
    source_address: str | None
    reason: Uncredited | None  # None: a deposit that was credited (kept so a claim on it is refused)
    deposit_address: str | None = None
    memo: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    """One entry of a claim's history: who did what, when, with what details.

    ``system`` marks Vigil's own steps (matching, verification, screening): the flag, never the
    actor's name, says so.
    """

    claim_id: str
    seq: int  # 1, 2, 3 ... within the claim
    at_us: int
    actor: str
    kind: ClaimKind
    data: ClaimData = field(default_factory=dict)
    system: bool = False

    def __post_init__(self) -> None:
        if not self.claim_id or not self.actor:
            raise ValueError("a claim event needs a claim id and an actor")
        if self.seq < 1:
            raise ValueError(f"claim event seq must be >= 1, got {self.seq}")


def canonical_tx(tx_hash: str) -> str:
    """One spelling of a transaction hash: hex hashes lower case without ``0x`` (EVM, Bitcoin-like,
    XRP, TRON, XLM), anything else (Solana's base58) as given, stripped."""
    text = tx_hash.strip()
    body = text[2:] if text[:2] in ("0x", "0X") else text
    if body and all(c in "0123456789abcdefABCDEF" for c in body):
        return body.lower()
    return text


def claim_message(chain: Chain | str, tx_hash: str, claimant: str, nonce: str) -> str:
    """The text the sending address signs for a claim: the same four facts, one per line."""
    return (
        f"{MESSAGE_HEADER}\n"
        f"chain: {Chain(chain).value}\n"
        f"tx: {canonical_tx(tx_hash)}\n"
        f"claimant: {claimant}\n"
        f"nonce: {nonce}"
    )


__all__ = [
    "MESSAGE_HEADER",
    "ClaimData",
    "ClaimEvent",
    "ClaimKind",
    "ClaimState",
    "ProofKind",
    "UncreditedDeposit",
    "canonical_tx",
    "claim_message",
]
