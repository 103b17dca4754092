"""The domain model: events, money, addresses, decisions and reasons.

Frozen, slotted dataclasses and enums. This package imports nothing else of Vigil, so every
other layer can depend on it.
"""

from vigil.model.addresses import address_key
from vigil.model.decision import Decision, Reason, RuleTrace, Versions
from vigil.model.enums import (
    AddressBookAction,
    Chain,
    EventType,
    KycStatus,
    LoginMethod,
    Outcome,
    P2PStatus,
    Rail,
    Side,
    TwoFactorAction,
    Uncredited,
)
from vigil.model.events import (
    EVENT_CLASSES,
    MONEY_TYPES,
    AccountOpened,
    AddressBookChanged,
    ApiKeyCreated,
    Deposit,
    Event,
    Geo,
    InternalTransfer,
    KycResult,
    KycSubmitted,
    Login,
    NetworkOrigin,
    P2POrder,
    PasswordReset,
    Trade,
    TwoFactorChanged,
    Withdrawal,
)
from vigil.model.reasons import ReasonCode

__all__ = [
    "EVENT_CLASSES",
    "MONEY_TYPES",
    "AccountOpened",
    "AddressBookAction",
    "AddressBookChanged",
    "ApiKeyCreated",
    "Chain",
    "Decision",
    "Deposit",
    "Event",
    "EventType",
    "Geo",
    "InternalTransfer",
    "KycResult",
    "KycStatus",
    "KycSubmitted",
    "Login",
    "LoginMethod",
    "NetworkOrigin",
    "Outcome",
    "P2POrder",
    "P2PStatus",
    "PasswordReset",
    "Rail",
    "Reason",
    "ReasonCode",
    "RuleTrace",
    "Side",
    "Trade",
    "TwoFactorAction",
    "TwoFactorChanged",
    "Uncredited",
    "Versions",
    "Withdrawal",
    "address_key",
]
