"""Event streams for property and parity tests.

``event_streams(min_size, max_size)`` is a hypothesis strategy of lists of events sorted by
timestamp with unique ``event_id``s. ``random_stream(rng, size)`` builds the same kind of stream
from a seeded ``numpy.random.RandomState``. Both go through one builder, so what one exercises the
other does too:

* every event type, a handful of accounts, devices, IPs, addresses and counterparties so keys
  collide (IPv6 spellings that canonicalise to the same address, EVM and bech32 addresses that
  differ only in case, base58 addresses that differ only in case and so are different);
* timestamps that never go backwards, with gaps from 0 µs to five weeks; gaps are mostly whole
  multiples of 30 minutes, so many pairs of events lie exactly one window period apart (1h, 2h,
  24h, 48h, 7d, 30d), and some gaps are a period plus or minus one microsecond;
* echoes: now and then a copy of a recent event exactly one window period after it (so it sees
  the original right on the boundary, evicted), or at the same instant (a duplicate);
* sessions: an event often has the previous event's account, and then often its device and IP;
* fiat values with two decimals, in and around the 900-1000 and 9000-10000 bands, at and above
  10,000, and occasionally zero;
* optional geo, device, IP and network origin (with or without a country), some timestamps
  written in a non-UTC offset;
* logins that succeed or fail, trades and P2P orders on both sides with and without a
  counterparty, address-book adds and removes of the addresses later withdrawn to, KYC
  submissions with some declared fields left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import numpy as np
from hypothesis import strategies as st

from vigil.model import (
    AccountOpened,
    AddressBookAction,
    AddressBookChanged,
    ApiKeyCreated,
    Chain,
    Deposit,
    Event,
    EventType,
    Geo,
    InternalTransfer,
    KycResult,
    KycStatus,
    KycSubmitted,
    Login,
    LoginMethod,
    NetworkOrigin,
    P2POrder,
    P2PStatus,
    PasswordReset,
    Rail,
    Side,
    Trade,
    TwoFactorAction,
    TwoFactorChanged,
    Withdrawal,
)

T = TypeVar("T")

US = 1
SECOND = 1_000_000 * US
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
PERIODS = (HOUR, 2 * HOUR, DAY, 2 * DAY, 7 * DAY, 30 * DAY)
START = datetime(2024, 3, 1, tzinfo=UTC)

ACCOUNTS = ("acc-a", "acc-b", "acc-c", "acc-d", "acc-e")
DEVICES = ("dev-1", "dev-2", "dev-3", "dev-4")
# "2001:0db8:0:0::1" canonicalises to "2001:db8::1": two spellings, one key.
IPS = ("10.0.0.1", "10.0.0.2", "192.0.2.7", "2001:db8::1", "2001:0db8:0:0::1", "198.51.100.9")
COUNTRIES = ("FR", "US", "SG", "NG", "BR")
CITIES = (
    Geo(48.8566, 2.3522),  # Paris
    Geo(40.7128, -74.0060),  # New York
    Geo(1.3521, 103.8198),  # Singapore
    Geo(6.5244, 3.3792),  # Lagos
    Geo(-33.8688, 151.2093),  # Sydney
    Geo(48.8570, 2.3530),  # Paris again, a few tens of metres away
)
# Same key: EVM hex and bech32 spellings that differ in case. Different keys: the same hex on
# two EVM chains, and base58 (TRON) addresses that differ in case.
ADDRESSES: tuple[tuple[Chain, str], ...] = (
    (Chain.ETH, "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"),
    (Chain.ETH, "0xabcdef0123456789abcdef0123456789abcdef01"),
    (Chain.BSC, "0xabcdef0123456789abcdef0123456789abcdef01"),
    (Chain.ETH, "0x1111111111111111111111111111111111111111"),
    (Chain.BTC, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    (Chain.BTC, "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"),
    (Chain.BTC, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
    (Chain.TRON, "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"),
    (Chain.TRON, "TLA2F6VPQDGRE67V1736S7BJ8RAY5WYJU7"),
    (Chain.LTC, "ltc1qg82tn7x4m8a0l4t8p7z7hvz6f3p5h5z6e6v8wq"),
)
SOURCES: tuple[tuple[Chain, str], ...] = (
    (Chain.BTC, "bc1qsource0000000000000000000000000000000"),
    (Chain.ETH, "0xSoUrCe000000000000000000000000000000000a"),
    (Chain.ETH, "0xsource000000000000000000000000000000000a"),
    (Chain.TRON, "TSourceAddrXyz"),
)
# Machine-readable zones (TD3, every check digit right): two documents, one of them under two names,
# and lines that are no MRZ. The document-reuse features count accounts and names per document.
_MRZ_ANNA = "P<SWEERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
_MRZ_IVAN = "P<SWEPETROV<<IVAN<<<<<<<<<<<<<<<<<<<<<<<<<<<"
_MRZ_DOC_1 = "L898902C36SWE7408122F3012316<<<<<<<<<<<<<<<6"
_MRZ_DOC_2 = "X123456785FRA9001011M3101012<<<<<<<<<<<<<<<6"
MRZS: tuple[tuple[str, ...], ...] = (
    (_MRZ_ANNA, _MRZ_DOC_1),
    (_MRZ_IVAN, _MRZ_DOC_1),
    (_MRZ_ANNA, _MRZ_DOC_2),
    (_MRZ_ANNA, ""),
)
NAMES = ("Anna Maria Eriksson", "Ivan Petrov")
PAIRS = ("BTC/USDT", "ETH/USDT", "SOL/USDC")
ASSETS = ("BTC", "ETH", "USDT", "SOL")
OFFSETS = (timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30)))


class Chooser(Protocol):
    """The source of choices: hypothesis draws or a seeded RandomState."""

    def integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        ...

    def choice(self, options: Sequence[T]) -> T: ...

    def chance(self, percent: int) -> bool:
        """True about ``percent`` times in a hundred."""
        ...


class DrawChooser:
    """Choices drawn from hypothesis (shrinks towards the first option, the lowest integer)."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        value: int = self._draw(st.integers(low, high))
        return value

    def choice(self, options: Sequence[T]) -> T:
        value: T = self._draw(st.sampled_from(options))
        return value

    def chance(self, percent: int) -> bool:
        # Shrinks towards 99, i.e. towards False for the usual small percentages.
        value: int = self._draw(st.integers(0, 99))
        return 99 - value < percent


class RandomChooser:
    """Choices from a seeded ``numpy.random.RandomState`` (deterministic for a given seed)."""

    def __init__(self, rng: np.random.RandomState) -> None:
        self._rng = rng

    def integer(self, low: int, high: int) -> int:
        return int(self._rng.randint(low, high + 1))

    def choice(self, options: Sequence[T]) -> T:
        return options[int(self._rng.randint(len(options)))]

    def chance(self, percent: int) -> bool:
        return int(self._rng.randint(100)) < percent


def weighted(c: Chooser, options: Sequence[tuple[int, T]]) -> T:
    """One of ``options``, each with its integer weight (shrinks towards the first)."""
    pick = c.integer(0, sum(w for w, _ in options) - 1)
    for weight, value in options:
        if pick < weight:
            return value
        pick -= weight
    raise AssertionError("unreachable: pick is below the total weight")


def gap_us(c: Chooser) -> int:
    """Time to the next event: from nothing to a month, often a whole number of half hours."""
    kind = weighted(
        c,
        (
            (45, "grid"),
            (15, "same"),
            (4, "micro"),
            (10, "seconds"),
            (8, "short_period"),
            (4, "long_period"),
            (6, "nudged"),
            (2, "days"),
            (2, "weeks"),
        ),
    )
    if kind == "grid":
        return c.integer(1, 4) * 30 * MINUTE
    if kind == "same":
        return 0
    if kind == "micro":
        return c.integer(1, 3)
    if kind == "seconds":
        return c.integer(1, 90) * SECOND
    if kind == "short_period":
        return c.choice(PERIODS[:2])
    if kind == "long_period":
        return c.choice(PERIODS[2:4])
    if kind == "nudged":
        return c.choice(PERIODS[:4]) + c.choice((-1, 1))
    if kind == "days":
        return c.integer(1, 4) * DAY + c.integer(0, 3) * HOUR
    return c.choice(PERIODS[4:]) + c.choice((0, 0, -1, 1))


def fiat(c: Chooser) -> Decimal:
    """A fiat value with two decimals, often in or at the edges of the structuring bands."""
    band = c.choice(("small", "small", "small", "near1k", "near10k", "edge", "high", "zero"))
    if band == "small":
        cents = c.integer(1, 89_999)
    elif band == "near1k":
        cents = c.integer(90_000, 99_999)
    elif band == "near10k":
        cents = c.integer(900_000, 999_999)
    elif band == "edge":
        cents = c.choice((89_999, 90_000, 99_999, 100_000, 899_999, 900_000, 999_999, 1_000_000))
    elif band == "high":
        cents = c.integer(1_000_000, 25_000_000)
    else:
        cents = 0
    return Decimal(cents).scaleb(-2)


def _other_account(c: Chooser, account: str) -> str:
    return c.choice(tuple(a for a in ACCOUNTS if a != account))


def _counterparty(c: Chooser, account: str) -> str | None:
    return _other_account(c, account) if c.chance(60) else None


def _sticky(c: Chooser, kept: str | None, options: Sequence[str], percent: int) -> str | None:
    """``kept`` most of the time when there is one, else one of ``options`` ``percent``% of the time."""
    if kept is not None and c.chance(70):
        return kept
    return c.choice(options) if c.chance(percent) else None


def build_event(c: Chooser, index: int, ts: datetime, previous: Event | None = None) -> Event:
    """One event of a random type; ``event_id`` is derived from ``index`` so it is unique.

    Often the previous event's account (a session), and then often its device and IP.
    """
    etype = c.choice(
        (
            EventType.LOGIN,
            EventType.LOGIN,
            EventType.DEPOSIT,
            EventType.DEPOSIT,
            EventType.WITHDRAWAL,
            EventType.WITHDRAWAL,
            EventType.TRADE,
            EventType.TRADE,
            EventType.INTERNAL_TRANSFER,
            EventType.P2P_ORDER,
            EventType.ADDRESS_BOOK_CHANGED,
            EventType.ADDRESS_BOOK_CHANGED,
            EventType.ACCOUNT_OPENED,
            EventType.KYC_SUBMITTED,
            EventType.KYC_RESULT,
            EventType.PASSWORD_RESET,
            EventType.TWOFA_CHANGED,
            EventType.API_KEY_CREATED,
        )
    )
    session = previous is not None and c.chance(55)
    account = previous.account_id if previous is not None and session else c.choice(ACCOUNTS)
    if c.chance(10):
        ts = ts.astimezone(c.choice(OFFSETS))
    network = None
    if c.chance(70):
        network = NetworkOrigin(
            country=c.choice(COUNTRIES) if c.chance(80) else None,
            is_tor=c.chance(10),
            is_vpn=c.chance(10),
        )
    common: dict[str, Any] = {
        "event_id": f"ev-{index:06d}",
        "account_id": account,
        "ts": ts,
        "region": "eu",
        "country": c.choice(COUNTRIES) if c.chance(30) else None,
        "device_id": _sticky(
            c, previous.device_id if previous is not None and session else None, DEVICES, 80
        ),
        "ip": _sticky(c, previous.ip if previous is not None and session else None, IPS, 85),
        "geo": c.choice(CITIES) if c.chance(50) else None,
        "network": network,
    }
    if etype is EventType.LOGIN:
        return Login(**common, success=c.chance(65), method=c.choice(tuple(LoginMethod)))
    if etype is EventType.DEPOSIT:
        if c.chance(70):
            chain, source = c.choice(SOURCES)
            return Deposit(
                **common,
                rail=Rail.CRYPTO,
                asset=c.choice(ASSETS),
                amount=c.integer(1, 10**9),
                fiat_value=fiat(c),
                chain=chain,
                tx_hash=f"tx{index}",
                source_address=source if c.chance(75) else None,
            )
        return Deposit(**common, rail=Rail.FIAT, asset="EUR", amount=c.integer(1, 10**7), fiat_value=fiat(c))
    if etype is EventType.WITHDRAWAL:
        if c.chance(80):
            chain, address = c.choice(ADDRESSES)
            return Withdrawal(
                **common,
                rail=Rail.CRYPTO,
                asset=c.choice(ASSETS),
                amount=c.integer(1, 10**9),
                fiat_value=fiat(c),
                chain=chain,
                destination_address=address,
            )
        # A fiat withdrawal may name a bank account, but without a chain it has no address key.
        return Withdrawal(
            **common,
            rail=Rail.FIAT,
            asset="EUR",
            amount=c.integer(1, 10**7),
            fiat_value=fiat(c),
            destination_address="DE89370400440532013000" if c.chance(50) else None,
            payment_method="sepa",
        )
    if etype is EventType.TRADE:
        return Trade(
            **common,
            pair=c.choice(PAIRS),
            side=c.choice((Side.BUY, Side.SELL)),
            price=Decimal(c.integer(1, 10**7)).scaleb(-2),
            quantity=c.integer(1, 10**9),
            fiat_value=fiat(c),
            counterparty_account_id=_counterparty(c, account),
        )
    if etype is EventType.INTERNAL_TRANSFER:
        return InternalTransfer(
            **common,
            asset=c.choice(ASSETS),
            amount=c.integer(1, 10**9),
            fiat_value=fiat(c),
            counterparty_account_id=_other_account(c, account),
        )
    if etype is EventType.P2P_ORDER:
        return P2POrder(
            **common,
            side=c.choice((Side.BUY, Side.SELL)),
            asset=c.choice(ASSETS),
            amount=c.integer(1, 10**9),
            fiat_value=fiat(c),
            fiat_currency="EUR",
            payment_method="sepa",
            status=c.choice(tuple(P2PStatus)),
            counterparty_account_id=_counterparty(c, account),
        )
    if etype is EventType.ADDRESS_BOOK_CHANGED:
        chain, address = c.choice(ADDRESSES)
        action = AddressBookAction.ADD if c.chance(70) else AddressBookAction.REMOVE
        return AddressBookChanged(**common, action=action, chain=chain, address=address)
    if etype is EventType.ACCOUNT_OPENED:
        return AccountOpened(**common, email_hash=f"mail{c.integer(0, 3)}")
    if etype is EventType.KYC_SUBMITTED:
        return KycSubmitted(
            **common,
            level=c.integer(0, 3),
            birth_year=c.integer(1940, 2005) if c.chance(60) else None,
            nationality=c.choice(COUNTRIES) if c.chance(50) else None,
            declared_annual_income_fiat=fiat(c) if c.chance(60) else None,
            expected_monthly_volume_fiat=fiat(c) if c.chance(60) else None,
            mrz=c.choice(MRZS) if c.chance(50) else None,
            full_name=c.choice(NAMES) if c.chance(60) else None,
        )
    if etype is EventType.KYC_RESULT:
        return KycResult(**common, status=c.choice(tuple(KycStatus)), face_match=c.chance(80))
    if etype is EventType.PASSWORD_RESET:
        return PasswordReset(**common)
    if etype is EventType.TWOFA_CHANGED:
        return TwoFactorChanged(**common, action=c.choice(tuple(TwoFactorAction)))
    return ApiKeyCreated(**common, key_id=f"key{index}", can_withdraw=c.chance(30))


def echo(c: Chooser, events: Sequence[Event], index: int) -> Event:
    """A copy of a recent event exactly one window period (or nothing) after it.

    The copy sees the original right on its window's boundary (evicted), or is a duplicate of it.
    """
    period = c.choice((0, *PERIODS))
    latest = events[-1].ts_us
    recent: list[Event] = []
    for event in reversed(events):
        if event.ts_us < latest - period:
            break
        recent.append(event)
    source = c.choice(recent)
    return dataclasses.replace(
        source, event_id=f"ev-{index:06d}", ts=source.ts + timedelta(microseconds=period)
    )


def build_stream(c: Chooser, size: int) -> list[Event]:
    """``size`` events in time order (ties kept in list order), ids ``ev-000000`` upwards."""
    t = START + timedelta(microseconds=c.integer(0, DAY - 1))
    events: list[Event] = []
    for index in range(size):
        if events and c.chance(6):
            events.append(echo(c, events, index))
            t = events[-1].ts
            continue
        if index:
            t += timedelta(microseconds=gap_us(c))
        events.append(build_event(c, index, t, events[-1] if events else None))
    return events


def random_stream(rng: np.random.RandomState, size: int) -> list[Event]:
    """A deterministic stream for a given RandomState."""
    return build_stream(RandomChooser(rng), size)


def event_streams(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[list[Event]]:
    """Lists of events sorted by timestamp, with unique event ids."""

    @st.composite
    def streams(draw: st.DrawFn) -> list[Event]:
        size = draw(st.integers(min_size, max_size))
        return build_stream(DrawChooser(draw), size)

    return streams()
