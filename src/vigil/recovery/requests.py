"""A claim as it arrives: what it names and its proof, checked field by field (``parse_claim``).

The same parser reads the API's body, ``vigil claims file`` and each row of ``vigil claims import``
(the simulator's claims file: its ``truth`` column, the simulator's label, is never read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from vigil.errors import InvalidInput
from vigil.model import Chain
from vigil.model.checks import check_id
from vigil.model.claims import ProofKind, canonical_tx

MAX_TEXT = 200


class Claimant(StrEnum):
    CUSTOMER = "customer"  # the exchange's own customer
    EXCHANGE = "exchange"  # another exchange, for its customer


@dataclass(frozen=True, slots=True)
class SignatureProof:
    """A message (``claim_message``) signed by the sending address; ``nonce`` makes it single-use."""

    address: str
    signature: str
    nonce: str


@dataclass(frozen=True, slots=True)
class HistoryProof:
    """The claimant's withdrawal from another platform that sent the deposit."""

    platform: str
    withdrawal_id: str
    sent_at_us: int
    amount: int
    asset: str
    tx_hash: str | None = None
    to_address: str | None = None
    memo: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    claimant_account_id: str
    chain: Chain
    tx_hash: str  # canonical
    proof: SignatureProof | HistoryProof
    amount: int | None = None  # base units of ``asset``
    fiat_value: Decimal | None = None
    asset: str | None = None
    claimant: Claimant = Claimant.CUSTOMER
    on_behalf_of: str = ""  # the other exchange's name, for a claim by an exchange
    reference: str = ""  # the caller's own id for the claim (the simulator's claim id)

    @property
    def proof_kind(self) -> ProofKind:
        return ProofKind.SIGNATURE if isinstance(self.proof, SignatureProof) else ProofKind.HISTORY


_CLAIM_FIELDS = frozenset(
    {
        "claimant_account_id", "account_id", "chain", "tx_hash", "amount", "fiat_value", "asset", "claimant",
        "on_behalf_of", "reference", "claim_id", "proof",
        # the simulator's claims file: facts about the claim kept for people, and its label (never read)
        "ts", "sent_at", "reason", "from_address", "chain_expected", "memo_sent", "memo_expected", "truth",
    }
)  # fmt: skip
_SIGNATURE_FIELDS = frozenset({"kind", "address", "signature", "nonce"})
_HISTORY_FIELDS = frozenset(
    {"kind", "platform", "withdrawal_id", "sent_at", "amount", "asset", "tx_hash", "to_address", "memo"}
)


def _text(data: Mapping[str, object], name: str, *, required: bool = True, prefix: str = "") -> str:
    value = data.get(name)
    field = f"{prefix}{name}"
    if value is None or value == "":
        if required:
            raise InvalidInput("missing", field=field)
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"must be a string, not {type(value).__name__}", field=field)
    if len(value) > MAX_TEXT or not value.isprintable():
        raise InvalidInput(f"must be printable text of at most {MAX_TEXT} characters", field=field)
    return value.strip()


def _amount(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput("must be an integer amount in base units", field=field)
    try:
        n = int(value)
    except ValueError:
        raise InvalidInput(
            f"{str(value)[:40]!r} is not an integer amount in base units", field=field
        ) from None
    if not 0 < n < 2**128:
        raise InvalidInput("must be a positive amount in base units", field=field)
    return n


def _fiat(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput("must be a decimal string", field=field)
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{str(value)[:40]!r} is not a decimal amount", field=field) from None
    if not d.is_finite() or not 0 < d < Decimal(10) ** 15:
        raise InvalidInput("must be a positive, finite amount", field=field)
    return d


def _time_us(value: object, field: str) -> int:
    if not isinstance(value, str):
        raise InvalidInput("must be an RFC 3339 time, e.g. 2026-01-05T10:00:00Z", field=field)
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{value[:40]!r} is not an RFC 3339 time", field=field) from None
    if t.tzinfo is None:
        raise InvalidInput("needs a timezone (UTC, with a 'Z')", field=field)
    return int((t.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)


def _unknown(data: Mapping[str, object], known: frozenset[str], prefix: str) -> None:
    extra = sorted(str(k) for k in data if k not in known)
    if extra:
        raise InvalidInput(
            f"unknown field {extra[0][:60]!r} (unknown fields are refused)", field=f"{prefix}{extra[0][:60]}"
        )


def _chain(value: object) -> Chain:
    try:
        return Chain(str(value))
    except ValueError:
        raise InvalidInput(f"{str(value)[:40]!r} is not a chain Vigil knows", field="chain") from None


def _asset(value: str, field: str) -> str:
    if not 0 < len(value) <= 20 or not value.isascii() or not value.isalnum() or value.upper() != value:
        raise InvalidInput(f"{value[:40]!r} is not an asset ticker", field=field)
    return value


def _proof(raw: object, chain: Chain) -> SignatureProof | HistoryProof:
    if not isinstance(raw, Mapping):
        raise InvalidInput(
            "a claim needs a proof: a signature by the sending address, or the withdrawal history",
            field="proof",
        )
    kind = raw.get("kind")
    if kind == ProofKind.SIGNATURE.value:
        _unknown(raw, _SIGNATURE_FIELDS, "proof.")
        nonce = _text(raw, "nonce", prefix="proof.")
        if not 8 <= len(nonce) <= 100:
            raise InvalidInput("a nonce of 8 to 100 characters, used once", field="proof.nonce")
        return SignatureProof(
            _text(raw, "address", prefix="proof."), _text(raw, "signature", prefix="proof."), nonce
        )
    if kind == ProofKind.HISTORY.value:
        _unknown(raw, _HISTORY_FIELDS, "proof.")
        tx = _text(raw, "tx_hash", required=False, prefix="proof.")
        return HistoryProof(
            platform=_text(raw, "platform", prefix="proof."),
            withdrawal_id=_text(raw, "withdrawal_id", prefix="proof."),
            sent_at_us=_time_us(raw.get("sent_at"), "proof.sent_at"),
            amount=_amount(raw.get("amount"), "proof.amount"),
            asset=_asset(_text(raw, "asset", prefix="proof."), "proof.asset"),
            tx_hash=canonical_tx(tx) if tx else None,
            to_address=_text(raw, "to_address", required=False, prefix="proof.") or None,
            memo=_text(raw, "memo", required=False, prefix="proof.") or None,
        )
    raise InvalidInput(
        f"proof kind must be 'signature' or 'history', not {str(kind)[:40]!r}", field="proof.kind"
    )


def parse_claim(data: Mapping[str, object]) -> ClaimRequest:
    """A claim from JSON-like data; ``InvalidInput`` naming the first field that is wrong."""
    _unknown(data, _CLAIM_FIELDS, "")
    account = _text(data, "claimant_account_id", required=False) or _text(data, "account_id", required=False)
    if not account:
        raise InvalidInput("missing: the account the value is to be credited to", field="claimant_account_id")
    check_id("claimant_account_id", account)
    chain = _chain(data.get("chain"))
    tx = _text(data, "tx_hash")
    amount = _amount(data["amount"], "amount") if data.get("amount") is not None else None
    fiat = _fiat(data["fiat_value"], "fiat_value") if data.get("fiat_value") is not None else None
    if amount is None and fiat is None:
        raise InvalidInput("say how much was sent: amount (base units) or fiat_value", field="amount")
    asset = _text(data, "asset", required=False)
    try:
        claimant = Claimant(_text(data, "claimant", required=False) or Claimant.CUSTOMER.value)
    except ValueError:
        raise InvalidInput("claimant is 'customer' or 'exchange'", field="claimant") from None
    behalf = _text(data, "on_behalf_of", required=False)
    if claimant is Claimant.EXCHANGE and not behalf:
        raise InvalidInput("a claim by another exchange names it", field="on_behalf_of")
    reference = _text(data, "reference", required=False) or _text(data, "claim_id", required=False)
    return ClaimRequest(
        claimant_account_id=account,
        chain=chain,
        tx_hash=canonical_tx(tx),
        proof=_proof(data.get("proof"), chain),
        amount=amount,
        fiat_value=fiat,
        asset=_asset(asset, "asset") if asset else None,
        claimant=claimant,
        on_behalf_of=behalf,
        reference=reference,
    )
