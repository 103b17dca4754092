"""What the recovery console pages show, read from the ``Recovery`` service: the claims by state (the
order a person works them in), the deposit a claim names, the proof and Vigil's verdict on it, the
screenings, and a history entry's details in words. Plain data for the templates; the service does the
work and nothing here changes state.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.desk.views import when
from vigil.errors import InvalidInput
from vigil.model.claims import ClaimData, ClaimEvent, ClaimKind, ClaimState, UncreditedDeposit, claim_message
from vigil.recovery import Claim, Recovery

# The states in the order a person works them: the people's steps first, then what is done.
STATES: tuple[tuple[ClaimState, str], ...] = (
    (ClaimState.NEEDS_CONFIRMATION, "Waiting for a person to confirm with the sending platform"),
    (ClaimState.AWAITING_APPROVAL, "Waiting for a second person to approve"),
    (ClaimState.APPROVED, "Approved: the credit can be recorded"),
    (ClaimState.CREDITED, "Credited"),
    (ClaimState.REFUSED, "Refused"),
    (ClaimState.FILED, "Filed, not yet matched"),  # a step inside filing: shown only if one is left
)


def state_of(text: str | None) -> ClaimState | None:
    """The ``state`` filter of the list (None: every state)."""
    if not text:
        return None
    try:
        return ClaimState(text)
    except ValueError:
        allowed = ", ".join(s.value for s, _ in STATES)
        raise InvalidInput(f"{text[:40]!r} is not a claim state ({allowed})", field="state") from None


@dataclass(frozen=True, slots=True)
class StateSection:
    state: ClaimState
    title: str
    claims: list[Claim]  # oldest first
    total: int


def sections(recovery: Recovery, only: ClaimState | None, limit: int, offset: int = 0) -> list[StateSection]:
    """The claims of each state, oldest first (filing order), with how many there are in all."""
    found = []
    for state, title in STATES:
        if only is not None and state is not only:
            continue
        claims, total = recovery.claims(state, limit, offset)
        if state is ClaimState.FILED and not total and only is None:
            continue
        found.append(StateSection(state, title, claims, total))
    return found


def deposit_of_claim(recovery: Recovery, claim: Claim) -> UncreditedDeposit | None:
    """The deposit the claim was matched to (None if the store no longer holds it)."""
    return recovery.deposit_of(claim)


def others_on_deposit(recovery: Recovery, claim: Claim) -> list[Claim]:
    """The other claims on the same deposit (a contested deposit), in filing order."""
    everything, _ = recovery.claims(None, 10**9)
    return [
        c for c in everything if c.deposit_event_id == claim.deposit_event_id and c.claim_id != claim.claim_id
    ]


def first(claim: Claim, kind: ClaimKind) -> ClaimEvent | None:
    return next((e for e in claim.history if e.kind is kind), None)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Vigil's verdict on the claim's proof, in words."""

    kind: str  # signature, history
    ok: bool  # the proof holds as far as Vigil can tell
    finding: str  # what Vigil found
    needs: str  # what a person still has to do about the proof ("" for nothing)
    facts: list[tuple[str, str]]  # what the proof said (signer, nonce, platform, withdrawal)
    message: str  # for a signature: the message Vigil rebuilt and checked the signature against


def verdict(claim: Claim) -> Verdict:
    filed = first(claim, ClaimKind.FILED)
    data: ClaimData = filed.data if filed is not None else {}
    if claim.proof == "signature":
        signer = str(data.get("signer") or "")
        checked = first(claim, ClaimKind.PROOF_VERIFIED) is not None
        return Verdict(
            "signature",
            checked,
            (
                f"signature verified: it recovers the deposit's sending address {signer}, over the message"
                " Vigil rebuilt from this claim (another transaction or claimant would not verify), with a"
                " nonce no other claim used"
                if checked
                else "the signature was not verified"
            ),
            "",
            [("signing address", signer), ("nonce", claim.nonce)],
            _message(claim),
        )
    consistent = first(claim, ClaimKind.HISTORY_CONSISTENT) is not None
    confirmed = first(claim, ClaimKind.CONFIRMED)
    finding = (
        "the withdrawal history is consistent with the deposit: the same transaction when named, the"
        " asset and amount within the tolerance, a departure before the arrival and within the window,"
        " the exchange's address and memo when both sides name them. Anyone can read that off the"
        " chain, so it is not proof"
        if consistent
        else "the withdrawal history was not found consistent"
    )
    if confirmed is not None:
        needs = ""
        finding += (
            f"; {confirmed.actor} confirmed the withdrawal with the sending platform:"
            f" {confirmed.data.get('note', '')}"
        )
    elif claim.state is ClaimState.NEEDS_CONFIRMATION:
        needs = "a person confirms the withdrawal with the sending platform (call them), whatever the value"
    else:
        needs = ""
    facts = [
        ("platform", str(data.get("platform") or "")),
        ("withdrawal", str(data.get("withdrawal_id") or "")),
    ]
    return Verdict("history", consistent, finding, needs, facts, "")


def _message(claim: Claim) -> str:
    try:
        return claim_message(claim.chain, claim.tx_hash, claim.claimant_account_id, claim.nonce)
    except ValueError:  # a chain this version does not know: the message cannot be rebuilt to show
        return ""


@dataclass(frozen=True, slots=True)
class Screening:
    at_us: int
    screened: bool
    listed: bool
    outcome: str
    lists: str
    said: str  # the hits, or why it was not screened


def screenings(claim: Claim) -> list[Screening]:
    """Every screening of the sending address: at filing, and again at the credit."""
    return [
        Screening(
            e.at_us,
            bool(e.data.get("screened")),
            bool(e.data.get("listed")),
            str(e.data.get("outcome") or ""),
            str(e.data.get("lists") or ""),
            str(e.data.get("hits") or e.data.get("why") or ""),
        )
        for e in claim.history
        if e.kind is ClaimKind.SCREENED
    ]


def claim_facts(claim: Claim) -> dict[str, str]:
    """What the claimant said at filing: who, on whose behalf, the amount claimed, their reference."""
    filed = first(claim, ClaimKind.FILED)
    data: ClaimData = filed.data if filed is not None else {}
    return {k: "" if data.get(k) is None else str(data.get(k)) for k in (
        "claimant", "on_behalf_of", "reference", "asset", "amount", "fiat_value")}  # fmt: skip


def entry_details(entry: ClaimEvent) -> list[tuple[str, str]]:
    """A history entry's details as read: times in UTC, flags in words, empty values left out."""
    shown = []
    for key, value in entry.data.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif key.endswith("_us") and isinstance(value, int):
            text = (when(value) or "").replace("T", " ")[:19] + " UTC"
        else:
            text = str(value)
        shown.append((key, text))
    return shown
