"""The view of an event that features read: keys and values extracted once per event."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from vigil.features.lines import LINES
from vigil.identity import Reading, read_document
from vigil.model import (
    AddressBookChanged,
    Deposit,
    Event,
    EventType,
    Geo,
    InternalTransfer,
    KycSubmitted,
    Login,
    NetworkOrigin,
    P2POrder,
    Side,
    Trade,
    Withdrawal,
    address_key,
)

_CENT = Decimal("0.01")
_intern = sys.intern

# Event types whose context always carries a fiat value (``context_of`` sets it for every one).
FIAT_TYPES = frozenset(
    {
        EventType.DEPOSIT,
        EventType.WITHDRAWAL,
        EventType.TRADE,
        EventType.INTERNAL_TRANSFER,
        EventType.P2P_ORDER,
    }
)


def to_cents(value: Decimal) -> int:
    """Fiat value in integer minor units (banker's rounding), so sums stay exact."""
    return int(value.quantize(_CENT, rounding=ROUND_HALF_EVEN) * 100)


@dataclass(slots=True)
class EventContext:
    """What the catalog needs from an event, computed once.

    ``fiat`` is the fiat value in cents (None for events that move no value); ``country`` is the
    network origin's country; ``destination``/``source`` are address keys (``CHAIN:address``);
    ``pair`` keys the account with its counterparty; ``receiver`` is the account value arrives at (an
    internal transfer's counterparty, else the event's own account); ``asset`` is the asset received (bought,
    deposited) or sent (withdrawn, transferred). A KYC submission with an MRZ carries its ``reading``
    (``vigil.identity``), the hashed ``document`` (issuer and number) and ``holder`` (the zone's name) keys,
    and ``name_mismatch``: whether the declared name is not the zone's (None when either is missing).
    ``line`` is the reporting line of the event's region, in cents (``features/lines.py``).
    """

    event: Event
    type: EventType
    t: int
    account: str
    device: str | None
    ip: str | None
    country: str | None
    network: NetworkOrigin | None
    geo: Geo | None
    fiat: int | None = None
    asset: str | None = None
    side: Side | None = None
    success: bool | None = None
    destination: str | None = None
    source: str | None = None
    counterparty: str | None = None
    pair: str | None = None
    book_address: str | None = None
    reading: Reading | None = None
    document: str | None = None
    holder: str | None = None
    name_mismatch: bool | None = None
    receiver: str | None = None
    line: int = LINES.default


def context_of(event: Event, network: NetworkOrigin | None = None) -> EventContext:
    """Build the context; ``network`` (looked up by the engine) overrides the event's own.

    Identifiers are interned (``sys.intern``): the state keeps one copy of an account id, device, IP
    or asset however many events name it, and a key compares by identity first."""
    origin = network if network is not None else event.network
    device, ip = event.device_id, event.ip
    ctx = EventContext(
        event=event,
        type=event.TYPE,
        t=event.ts_us,
        account=_intern(event.account_id),
        device=None if device is None else _intern(device),
        ip=None if ip is None else _intern(ip),
        country=_intern(origin.country) if origin is not None and origin.country is not None else None,
        network=origin,
        geo=event.geo,
        line=LINES.of(event.region),
    )
    if isinstance(event, Withdrawal):
        ctx.fiat = to_cents(event.fiat_value)
        ctx.asset = event.asset
        if event.chain is not None and event.destination_address is not None:
            ctx.destination = address_key(event.chain, event.destination_address)
    elif isinstance(event, Deposit):
        ctx.fiat = to_cents(event.fiat_value)
        ctx.asset = event.asset
        if event.chain is not None and event.source_address is not None:
            ctx.source = address_key(event.chain, event.source_address)
    elif isinstance(event, Trade):
        ctx.fiat = to_cents(event.fiat_value)
        ctx.asset = event.asset
        ctx.side = event.side
        ctx.counterparty = event.counterparty_account_id
    elif isinstance(event, InternalTransfer):
        ctx.fiat = to_cents(event.fiat_value)
        ctx.asset = event.asset
        ctx.counterparty = event.counterparty_account_id
    elif isinstance(event, P2POrder):
        ctx.fiat = to_cents(event.fiat_value)
        ctx.asset = event.asset
        ctx.side = event.side
        ctx.counterparty = event.counterparty_account_id
    elif isinstance(event, Login):
        ctx.success = event.success
    elif isinstance(event, AddressBookChanged):
        ctx.book_address = address_key(event.chain, event.address)
    elif isinstance(event, KycSubmitted) and event.mrz is not None:
        reading = ctx.reading = read_document(event)
        if reading is not None:
            ctx.document, ctx.holder, ctx.name_mismatch = (
                reading.document,
                reading.holder,
                reading.name_mismatch,
            )
    if ctx.counterparty is not None:
        ctx.counterparty = _intern(ctx.counterparty)
        ctx.pair = _intern(f"{ctx.account}>{ctx.counterparty}")
    if ctx.asset is not None:
        ctx.asset = _intern(ctx.asset)
    ctx.receiver = ctx.counterparty if ctx.type is EventType.INTERNAL_TRANSFER else ctx.account
    return ctx
