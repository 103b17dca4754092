"""What links two accounts, read off one event: shared identifiers, and money or trades between them.

An *attribute* link is an identifier an account used (a device, an IP, a KYC document or face, an
e-mail or phone hash, a bank card, a crypto address): two accounts that used the same one are linked.
A *direct* link names the other account (an internal transfer, a matched trade, a P2P counterparty).

IPs of anonymising infrastructure (Tor, VPN, hosting: the event's network origin marks them) are
shared by strangers and link nobody. A payment method links only when it identifies an instrument
(``card:<hash>`` or ``bank:<hash>``); ``bank_transfer`` names a rail, not a card.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from vigil.model import (
    AccountOpened,
    AddressBookChanged,
    Deposit,
    Event,
    InternalTransfer,
    KycSubmitted,
    P2POrder,
    Rail,
    Trade,
    Withdrawal,
    address_key,
)


class LinkKind(StrEnum):
    DEVICE = "device"
    IP = "ip"
    DOCUMENT = "document"
    FACE = "face"
    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    ADDRESS = "address"  # a crypto address both used (deposit source, withdrawal destination, address book)
    TRANSFER = "transfer"  # an internal transfer between them (direct)
    TRADE = "trade"  # a matched trade or a P2P order between them (direct)

    @property
    def direct(self) -> bool:
        return self in (LinkKind.TRANSFER, LinkKind.TRADE)


# How strongly each kind ties two accounts to one operator: the default edge weights of propagation.
# A document or a face is a person; a device or a card nearly so; an IP or a trade much less.
DEFAULT_WEIGHTS: dict[LinkKind, float] = {
    LinkKind.DOCUMENT: 1.0,
    LinkKind.FACE: 1.0,
    LinkKind.DEVICE: 0.8,
    LinkKind.CARD: 0.8,
    LinkKind.PHONE: 0.7,
    LinkKind.EMAIL: 0.7,
    LinkKind.ADDRESS: 0.6,
    LinkKind.TRANSFER: 0.5,
    LinkKind.TRADE: 0.4,
    LinkKind.IP: 0.3,
}

_INSTRUMENT_PREFIXES = ("card:", "bank:")


@dataclass(frozen=True, slots=True)
class Link:
    """One link an event makes: an attribute (``value``) or another account (``counterparty``).

    ``cents`` is the fiat value a direct link moves from the event's account to the counterparty
    (a transfer) or exchanges with it (a trade), in cents of the reporting currency.
    """

    kind: LinkKind
    value: str
    cents: int = 0

    @property
    def direct(self) -> bool:
        return self.kind.direct


def _cents(value: Decimal) -> int:
    return int(value * 100)


def links_of(event: Event) -> list[Link]:
    """Every link ``event`` makes for its account, in a fixed order."""
    out: list[Link] = []
    if event.device_id:
        out.append(Link(LinkKind.DEVICE, event.device_id))
    if event.ip and not (event.network is not None and event.network.is_anonymised):
        out.append(Link(LinkKind.IP, event.ip))
    if isinstance(event, AccountOpened):
        if event.email_hash:
            out.append(Link(LinkKind.EMAIL, event.email_hash))
        if event.phone_hash:
            out.append(Link(LinkKind.PHONE, event.phone_hash))
    elif isinstance(event, KycSubmitted):
        if event.document_hash:
            out.append(Link(LinkKind.DOCUMENT, event.document_hash))
        if event.face_hash:
            out.append(Link(LinkKind.FACE, event.face_hash))
    elif isinstance(event, Deposit | Withdrawal):
        address = event.source_address if isinstance(event, Deposit) else event.destination_address
        if event.rail is Rail.CRYPTO and event.chain is not None and address:
            out.append(Link(LinkKind.ADDRESS, address_key(event.chain, address)))
        if event.payment_method and event.payment_method.startswith(_INSTRUMENT_PREFIXES):
            out.append(Link(LinkKind.CARD, event.payment_method))
    elif isinstance(event, AddressBookChanged):
        out.append(Link(LinkKind.ADDRESS, address_key(event.chain, event.address)))
    elif isinstance(event, InternalTransfer):
        out.append(Link(LinkKind.TRANSFER, event.counterparty_account_id, _cents(event.fiat_value)))
    elif isinstance(event, Trade | P2POrder):
        if event.counterparty_account_id and event.counterparty_account_id != event.account_id:
            out.append(Link(LinkKind.TRADE, event.counterparty_account_id, _cents(event.fiat_value)))
        if isinstance(event, P2POrder) and event.payment_method.startswith(_INSTRUMENT_PREFIXES):
            out.append(Link(LinkKind.CARD, event.payment_method))
    return out
