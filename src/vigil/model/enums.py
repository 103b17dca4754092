"""Closed vocabularies of the domain: event kinds, chains, rails, sides and outcomes."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class EventType(StrEnum):
    """Every user action an exchange sends to Vigil; the value is the ``type`` tag on the wire."""

    ACCOUNT_OPENED = "account_opened"
    KYC_SUBMITTED = "kyc_submitted"
    KYC_RESULT = "kyc_result"
    LOGIN = "login"
    PASSWORD_RESET = "password_reset"
    TWOFA_CHANGED = "twofa_changed"
    API_KEY_CREATED = "api_key_created"
    ADDRESS_BOOK_CHANGED = "address_book_changed"
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    TRADE = "trade"
    INTERNAL_TRANSFER = "internal_transfer"
    P2P_ORDER = "p2p_order"


class Chain(StrEnum):
    """Blockchains Vigil knows. An unknown chain is an input error, never a silent pass."""

    BTC = "BTC"
    ETH = "ETH"
    TRON = "TRON"
    BSC = "BSC"
    POLYGON = "POLYGON"
    ARB = "ARB"
    OP = "OP"
    BASE = "BASE"
    AVAX = "AVAX"
    ETC = "ETC"
    LTC = "LTC"
    BCH = "BCH"
    BSV = "BSV"
    BTG = "BTG"
    DOGE = "DOGE"
    DASH = "DASH"
    ZEC = "ZEC"
    XMR = "XMR"
    XRP = "XRP"
    XLM = "XLM"
    XVG = "XVG"
    SOL = "SOL"
    TON = "TON"

    @property
    def is_evm(self) -> bool:
        """EVM chains share one address format (hex, case-insensitive, EIP-55 checksum)."""
        return self in _EVM


_EVM = frozenset(
    {Chain.ETH, Chain.BSC, Chain.POLYGON, Chain.ARB, Chain.OP, Chain.BASE, Chain.AVAX, Chain.ETC}
)


class Rail(StrEnum):
    """How value moves in or out: on a blockchain, or through the fiat banking system."""

    CRYPTO = "crypto"
    FIAT = "fiat"


class Uncredited(StrEnum):
    """Why a deposit that reached an address of the exchange could not be credited (docs/recovery.md).

    A deposit that carries one of these was received but not credited: the value waits for a claim.
    """

    MISSING_MEMO = "missing_memo"  # a chain that needs a memo or tag (XRP, XLM, ...) and none was sent
    WRONG_MEMO = "wrong_memo"  # a memo or tag that names no account
    UNLISTED_TOKEN = "unlisted_token"  # a token the exchange does not list, sent to an address it controls
    WRONG_CHAIN = "wrong_chain"  # a chain not credited on that address (USDT on BSC to an ETH address)
    CLOSED_ACCOUNT = "closed_account"  # an address of an account that is closed


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class LoginMethod(StrEnum):
    PASSWORD = "password"
    API = "api"
    SSO = "sso"
    PASSKEY = "passkey"


class TwoFactorAction(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    CHANGED = "changed"


class AddressBookAction(StrEnum):
    ADD = "add"
    REMOVE = "remove"


class KycStatus(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    RESUBMIT = "resubmit"


class P2PStatus(StrEnum):
    OPENED = "opened"
    PAID = "paid"
    RELEASED = "released"
    CANCELLED = "cancelled"
    DISPUTED = "disputed"


class Outcome(IntEnum):
    """What Vigil tells the exchange to do, ordered by severity: combining outcomes takes the maximum.

    ``challenge`` is a step-up: ask for 2FA or re-verification before letting the action through.
    """

    ALLOW = 0
    CHALLENGE = 1
    REVIEW = 2
    HOLD = 3
    BLOCK = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Outcome:
        try:
            return cls[text.upper()]
        except KeyError:
            allowed = ", ".join(o.label for o in cls)
            raise ValueError(f"unknown outcome {text!r} (expected one of: {allowed})") from None
