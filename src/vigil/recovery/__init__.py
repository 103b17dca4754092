"""Funds sent by mistake (docs/recovery.md): uncredited deposits, claims with their proofs, matching,
screening again, fees, four eyes and the value recovered, as a service over the ``ClaimStore`` port."""

from vigil.recovery.fold import Claim
from vigil.recovery.policy import RecoveryPolicy
from vigil.recovery.requests import ClaimRequest, HistoryProof, SignatureProof, parse_claim
from vigil.recovery.service import Actor, Recovery, deposit_of

__all__ = [
    "Actor",
    "Claim",
    "ClaimRequest",
    "HistoryProof",
    "Recovery",
    "RecoveryPolicy",
    "SignatureProof",
    "deposit_of",
    "parse_claim",
]
