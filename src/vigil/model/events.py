"""Events: every user action of an exchange, as frozen slotted dataclasses.

Every event carries an ``event_id`` (the idempotency key), the account, a timezone-aware UTC
timestamp, the region whose policy applies, and where it came from (device fingerprint, IP,
optional geo and network origin). Amounts are integers in the asset's base units (satoshi, wei,
sun); fiat values are ``Decimal`` in the exchange's reporting currency.

Invariants are checked in ``__post_init__`` so they hold however an event is built; the
message starts with the field name so the edge can report it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import ClassVar

from vigil.model.checks import (
    LIST_LIMIT,
    check_amount,
    check_code,
    check_id,
    check_region,
    fail,
    string_checks,
)
from vigil.model.enums import (
    AddressBookAction,
    Chain,
    EventType,
    KycStatus,
    LoginMethod,
    P2PStatus,
    Rail,
    Side,
    TwoFactorAction,
    Uncredited,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


_fail = fail


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True, slots=True)
class Geo:
    """A point on Earth, in decimal degrees (WGS84)."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            _fail("geo.lat", f"latitude {self.lat} is outside [-90, 90]")
        if not -180.0 <= self.lon <= 180.0:
            _fail("geo.lon", f"longitude {self.lon} is outside [-180, 180]")


@dataclass(frozen=True, slots=True)
class NetworkOrigin:
    """Where a request came from on the network: country of the IP and anonymiser flags."""

    country: str | None = None
    is_tor: bool = False
    is_vpn: bool = False
    is_hosting: bool = False

    def __post_init__(self) -> None:
        if self.country is not None:
            _check_country("network.country", self.country)

    @property
    def is_anonymised(self) -> bool:
        return self.is_tor or self.is_vpn or self.is_hosting


@lru_cache(maxsize=65_536)
def _canonical_ip(ip: str) -> str:
    """The address's canonical text (``ValueError`` if it is none); cached, as the same IPs recur."""
    return str(ipaddress.ip_address(ip))


def _check_country(field: str, value: str) -> None:
    check_code(field, value, length=2, what="an ISO 3166-1 alpha-2 code (two upper-case letters)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Fields every event has. Subclasses set ``TYPE``."""

    TYPE: ClassVar[EventType]

    event_id: str
    account_id: str
    ts: datetime
    region: str
    country: str | None = None
    device_id: str | None = None
    ip: str | None = None
    geo: Geo | None = None
    network: NetworkOrigin | None = None

    def __post_init__(self) -> None:
        for name, check in _STRINGS.get(type(self), _COMMON_STRINGS):
            value = getattr(self, name)
            if value is not None:
                check(name, value)
        check_region(self.region)
        ts = self.ts
        if ts.tzinfo is None or ts.utcoffset() is None:
            _fail("ts", f"timestamp {ts.isoformat()} has no timezone; send UTC, e.g. with a 'Z' suffix")
        if ts.utcoffset() != timedelta(0):
            try:
                utc = ts.astimezone(UTC)
            except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
                _fail("ts", f"timestamp {ts.isoformat()} is out of range once converted to UTC")
            else:
                _set(self, "ts", utc)
        if self.country is not None:
            _check_country("country", self.country)
        if self.ip is not None:
            try:
                canonical = _canonical_ip(self.ip)
            except ValueError:
                _fail("ip", f"{self.ip!r} is not an IPv4 or IPv6 address")
            else:
                if canonical != self.ip:
                    _set(self, "ip", canonical)

    @property
    def type(self) -> EventType:
        return self.TYPE

    @property
    def ts_us(self) -> int:
        """Microseconds since the Unix epoch: exact integer time for windows and ordering."""
        return (self.ts - _EPOCH) // _MICRO


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountOpened(Event):
    TYPE: ClassVar[EventType] = EventType.ACCOUNT_OPENED
    email_hash: str | None = None
    phone_hash: str | None = None
    referrer_account_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class KycSubmitted(Event):
    """A customer's identity submission, with the profile they declared.

    ``full_name`` (as on the document) and ``birth_date`` are what name screening compares with the
    sanctions lists; without a name the customer cannot be name-screened.

    ``mrz`` is the document's machine-readable zone as the exchange's OCR or KYC vendor read it, one
    string a line. The model bounds its size only (``MRZ_LINES`` lines of at most ``MRZ_LINE_LIMIT``
    characters): what the lines say, a wrong length or alphabet included, is judged by
    ``vigil.identity``, so a malformed MRZ never makes the event fail (docs/identity.md). ``sex`` is
    the declared sex as a document prints it: ``M``, ``F`` or ``X``.
    """

    TYPE: ClassVar[EventType] = EventType.KYC_SUBMITTED
    level: int = 1
    full_name: str | None = None
    birth_date: date | None = None
    document_type: str | None = None
    document_country: str | None = None
    document_hash: str | None = None
    face_hash: str | None = None
    birth_year: int | None = None
    nationality: str | None = None
    occupation: str | None = None
    declared_annual_income_fiat: Decimal | None = None
    expected_monthly_volume_fiat: Decimal | None = None
    sex: str | None = None
    mrz: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        _check_level(self.level)
        if self.sex is not None and self.sex not in SEXES:
            shown = repr(self.sex) if len(self.sex) <= 10 else f"a value of {len(self.sex):,} characters"
            _fail("sex", f"{shown} is not one of M, F, X (as on the document; omit the field when unknown)")
        if self.mrz is not None:
            _check_mrz(self.mrz)
        for name in ("document_country", "nationality"):
            value = getattr(self, name)
            if value is not None:
                _check_country(name, value)
        if self.birth_year is not None and not 1900 <= self.birth_year <= self.ts.year:
            _fail("birth_year", f"{self.birth_year} is not a plausible year of birth")
        if self.birth_date is not None and not date(1900, 1, 1) <= self.birth_date <= self.ts.date():
            _fail("birth_date", f"{self.birth_date} is not a plausible date of birth")
        if self.full_name is not None and not any(c.isalpha() for c in self.full_name):
            _fail("full_name", "must contain letters (omit the field when the name is unknown)")
        for name in ("declared_annual_income_fiat", "expected_monthly_volume_fiat"):
            value = getattr(self, name)
            if value is not None and (not value.is_finite() or value < 0):
                _fail(name, f"{value} must be a finite, non-negative amount")


@dataclass(frozen=True, slots=True, kw_only=True)
class KycResult(Event):
    """The outcome of identity checks. ``None`` means the check was not run."""

    TYPE: ClassVar[EventType] = EventType.KYC_RESULT
    status: KycStatus
    level: int = 1
    document_valid: bool | None = None
    mrz_valid: bool | None = None
    face_match: bool | None = None
    liveness_passed: bool | None = None
    deepfake_suspected: bool | None = None
    rejection_reason: str | None = None

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        _check_level(self.level)


SEXES = frozenset({"M", "F", "X"})
MRZ_LINES = 10  # an MRZ has 2 or 3; more is still decided (the MRZ is reported unreadable), up to this
MRZ_LINE_LIMIT = 200  # a line has 30 to 44 characters; OCR noise around it is tolerated up to this


def _check_mrz(lines: tuple[str, ...]) -> None:
    if len(lines) > MRZ_LINES:
        _fail("mrz", f"{len(lines):,} lines is over the limit of {MRZ_LINES} (an MRZ has 2 or 3)")
    for i, line in enumerate(lines):
        if len(line) > MRZ_LINE_LIMIT:
            _fail("mrz", f"line {i + 1} has {len(line):,} characters, over the limit of {MRZ_LINE_LIMIT}")


def _check_level(level: int) -> None:
    if not 0 <= level <= KYC_LEVEL_LIMIT:
        _fail(
            "level", f"KYC level {level if abs(level) < 10**6 else '(huge)'} is not in 0..{KYC_LEVEL_LIMIT}"
        )


KYC_LEVEL_LIMIT = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Login(Event):
    TYPE: ClassVar[EventType] = EventType.LOGIN
    success: bool
    method: LoginMethod = LoginMethod.PASSWORD
    failure_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordReset(Event):
    TYPE: ClassVar[EventType] = EventType.PASSWORD_RESET
    channel: str = "email"


@dataclass(frozen=True, slots=True, kw_only=True)
class TwoFactorChanged(Event):
    TYPE: ClassVar[EventType] = EventType.TWOFA_CHANGED
    action: TwoFactorAction
    method: str = "totp"


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKeyCreated(Event):
    TYPE: ClassVar[EventType] = EventType.API_KEY_CREATED
    key_id: str
    can_trade: bool = False
    can_withdraw: bool = False
    ip_allowlist: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        if len(self.ip_allowlist) > LIST_LIMIT:
            _fail("ip_allowlist", f"{len(self.ip_allowlist):,} entries is over the limit of {LIST_LIMIT}")
        for i, entry in enumerate(self.ip_allowlist):
            check_id(f"ip_allowlist[{i}]", entry)


ADDRESS_LIMIT = 256


def _check_address(field: str, address: str) -> None:
    if len(address) > ADDRESS_LIMIT:
        _fail(field, f"{len(address):,} characters is over the limit of {ADDRESS_LIMIT} for an address")
    if not address or not address.isprintable() or " " in address:
        check_id(field, address)  # names an unprintable character
        _fail(field, f"{address!r} is not a blockchain address (empty or has spaces)")


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressBookChanged(Event):
    TYPE: ClassVar[EventType] = EventType.ADDRESS_BOOK_CHANGED
    action: AddressBookAction
    chain: Chain
    address: str
    memo: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        _check_address("address", self.address)


# Above any real payment in any reporting currency; below it, fiat sums in integer cents stay exact
# (a value of 10^26 or more cannot even be rounded to cents in the default decimal context).
FIAT_LIMIT = Decimal(10) ** 18


def _check_value(amount: int, fiat_value: Decimal) -> None:
    check_amount(amount)
    if not fiat_value.is_finite() or not 0 <= fiat_value < FIAT_LIMIT:
        limit = f"10^{FIAT_LIMIT.adjusted()}"
        _fail("fiat_value", f"{fiat_value} must be a finite, non-negative amount below {limit}")


def _check_asset(asset: str, field: str = "asset") -> None:
    if not 0 < len(asset) <= 20 or not asset.isascii() or not asset.isalnum() or asset.upper() != asset:
        shown = repr(asset) if len(asset) <= 40 else f"a value of {len(asset):,} characters"
        _fail(field, f"{shown} is not an asset ticker (1 to 20 upper-case ASCII letters and digits)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Deposit(Event):
    """Value coming in: crypto (with chain, tx hash and source address) or fiat (with method).

    ``uncredited`` says the deposit reached the exchange but could not be credited, and why (a missing
    or wrong memo, an unlisted token, the wrong chain, a closed account): the value waits for a
    recovery claim (docs/recovery.md). Such a deposit is a crypto one with its tx hash; its
    ``account_id`` is the account the receiving address belongs to, or the exchange's suspense account
    when none can be told (a wrong memo on a shared address). ``deposit_address`` is the exchange's
    address it reached and ``memo`` the memo or tag it carried, when known. All three are optional and
    absent from credited deposits, so streams written before them decode and replay unchanged.
    """

    TYPE: ClassVar[EventType] = EventType.DEPOSIT
    rail: Rail
    asset: str
    amount: int
    fiat_value: Decimal
    chain: Chain | None = None
    tx_hash: str | None = None
    source_address: str | None = None
    payment_method: str | None = None
    uncredited: Uncredited | None = None
    deposit_address: str | None = None
    memo: str | None = None

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        _check_asset(self.asset)
        _check_value(self.amount, self.fiat_value)
        if self.rail is Rail.CRYPTO and self.chain is None:
            _fail("chain", "a crypto deposit needs its chain")
        if self.source_address is not None:
            _check_address("source_address", self.source_address)
        if self.deposit_address is not None:
            _check_address("deposit_address", self.deposit_address)
        if self.uncredited is not None:
            if self.rail is not Rail.CRYPTO:
                _fail("uncredited", "only a crypto deposit can be uncredited (the bank returns a fiat one)")
            if self.tx_hash is None:
                _fail("tx_hash", "an uncredited deposit needs its tx hash: a claim names it")


@dataclass(frozen=True, slots=True, kw_only=True)
class Withdrawal(Event):
    """Value going out: crypto (chain, destination address, optional memo/tag) or fiat."""

    TYPE: ClassVar[EventType] = EventType.WITHDRAWAL
    rail: Rail
    asset: str
    amount: int
    fiat_value: Decimal
    chain: Chain | None = None
    destination_address: str | None = None
    memo: str | None = None
    payment_method: str | None = None

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        _check_asset(self.asset)
        _check_value(self.amount, self.fiat_value)
        if self.rail is Rail.CRYPTO:
            if self.chain is None:
                _fail("chain", "a crypto withdrawal needs its chain")
            if self.destination_address is None:
                _fail("destination_address", "a crypto withdrawal needs its destination address")
        if self.destination_address is not None:
            _check_address("destination_address", self.destination_address)


@dataclass(frozen=True, slots=True, kw_only=True)
class Trade(Event):
    """A fill on the order book. ``quantity`` is in base units of the pair's base asset."""

    TYPE: ClassVar[EventType] = EventType.TRADE
    pair: str
    side: Side
    price: Decimal
    quantity: int
    fiat_value: Decimal
    counterparty_account_id: str | None = None

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        base, sep, quote = self.pair.partition("/")
        if not sep or not base or not quote or len(self.pair) > 41:
            shown = repr(self.pair) if len(self.pair) <= 41 else f"a value of {len(self.pair):,} characters"
            _fail("pair", f"{shown} is not a pair like 'BTC/USDT'")
        _check_asset(base, "pair")
        _check_asset(quote, "pair")
        if not self.price.is_finite() or not 0 < self.price < FIAT_LIMIT:
            _fail("price", f"{self.price} must be a positive, finite price below 10^{FIAT_LIMIT.adjusted()}")
        _check_value(self.quantity, self.fiat_value)

    @property
    def base_asset(self) -> str:
        return self.pair.partition("/")[0]

    @property
    def quote_asset(self) -> str:
        return self.pair.partition("/")[2]

    @property
    def asset(self) -> str:
        """The asset the account receives: the base when buying, the quote when selling."""
        return self.base_asset if self.side is Side.BUY else self.quote_asset


@dataclass(frozen=True, slots=True, kw_only=True)
class InternalTransfer(Event):
    """Value sent from this account to another account of the same exchange."""

    TYPE: ClassVar[EventType] = EventType.INTERNAL_TRANSFER
    asset: str
    amount: int
    fiat_value: Decimal
    counterparty_account_id: str
    memo: str | None = None

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        _check_asset(self.asset)
        _check_value(self.amount, self.fiat_value)
        if self.counterparty_account_id == self.account_id:
            _fail("counterparty_account_id", "an account cannot transfer to itself")


@dataclass(frozen=True, slots=True, kw_only=True)
class P2POrder(Event):
    """A peer-to-peer order: this account buys or sells crypto against fiat paid off-platform."""

    TYPE: ClassVar[EventType] = EventType.P2P_ORDER
    side: Side
    asset: str
    amount: int
    fiat_value: Decimal
    fiat_currency: str
    payment_method: str
    status: P2PStatus = P2PStatus.OPENED
    counterparty_account_id: str | None = None

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        _check_asset(self.asset)
        _check_value(self.amount, self.fiat_value)
        check_code("fiat_currency", self.fiat_currency, length=3, what="an ISO 4217 code")


EVENT_CLASSES: dict[EventType, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        AccountOpened,
        KycSubmitted,
        KycResult,
        Login,
        PasswordReset,
        TwoFactorChanged,
        ApiKeyCreated,
        AddressBookChanged,
        Deposit,
        Withdrawal,
        Trade,
        InternalTransfer,
        P2POrder,
    )
}

MoneyEvent = Deposit | Withdrawal | Trade | InternalTransfer | P2POrder
MONEY_TYPES: frozenset[EventType] = frozenset(
    {
        EventType.DEPOSIT,
        EventType.WITHDRAWAL,
        EventType.TRADE,
        EventType.INTERNAL_TRANSFER,
        EventType.P2P_ORDER,
    }
)

_COMMON_STRINGS = string_checks(Event)
_STRINGS = {cls: string_checks(cls) for cls in EVENT_CLASSES.values()}
