"""Training/serving parity: what the streaming catalog serves equals a recomputation from history.

Every feature of ``default_catalog()`` is recomputed at every event by ``tests/oracle.py`` from the
events up to and including that one, with plain pandas/numpy, and compared with what
``catalog.observe(context_of(event)).materialise()`` returned: exactly for counts and for which
values are None, within ``rel_tol=1e-9, abs_tol=1e-6`` for other floats.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from tests.oracle import EARTH_RADIUS_KM, SPEC_FIELDS, OracleGap, flags_after, is_exact, problems, recompute
from tests.strategies import MRZS, event_streams, random_stream
from vigil.features import Catalog, EventContext, Spec, context_of, default_catalog
from vigil.features.specs import (
    DAY,
    HOUR,
    Age,
    Derived,
    HourShare,
    IsNew,
    Key,
    Latest,
    SinceLast,
    TravelSpeed,
    Window,
    ZScore,
    scope,
)
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
    NetworkOrigin,
    P2POrder,
    PasswordReset,
    Rail,
    Side,
    Trade,
    TwoFactorAction,
    TwoFactorChanged,
    Withdrawal,
)
from vigil.model import EventType as E

Row = dict[str, float | None]
MAX_REPORTED = 15


def serve(events: Sequence[Event], catalog: Catalog) -> list[Row]:
    """What the engine sees: a fresh catalog stepped event by event, every vector read at once.

    Accounts are flagged after their event as ``flags_after`` says, as the engine does after a hold.
    """
    rows = []
    for event in events:
        rows.append(catalog.observe(context_of(event)).materialise())
        if flags_after(event):
            catalog.flag(event.account_id, event.ts_us)
    return rows


def _same(exact: bool, served: float | None, expected: float | None) -> bool:
    if served is None or expected is None:
        return served is None and expected is None
    if exact:
        return served == expected
    return math.isclose(served, expected, rel_tol=1e-9, abs_tol=1e-6)


def mismatches(
    catalog: Catalog, events: Sequence[Event], served: Sequence[Row], expected: Sequence[Row]
) -> list[str]:
    """One line per differing value, in stream order."""
    exact = {name: is_exact(catalog, name) for name in catalog.names}
    found: list[str] = []
    for i, (event, got, want) in enumerate(zip(events, served, expected, strict=True)):
        assert list(got) == list(catalog.names), f"event {i}: served features differ from catalog.names"
        assert set(want) == set(catalog.names), f"event {i}: oracle features differ from catalog.names"
        for name in catalog.names:
            if not _same(exact[name], got[name], want[name]):
                found.append(
                    f"{name} at event {i} ({event.event_id} {event.TYPE.value} of {event.account_id} "
                    f"at {event.ts.isoformat()}): served {got[name]!r}, oracle {want[name]!r}"
                )
    return found


def assert_parity(
    events: Sequence[Event], make_catalog: Callable[[], Catalog] = default_catalog
) -> list[Row]:
    """Compare a fresh catalog with the oracle at every event; return the served rows."""
    catalog = make_catalog()
    served = serve(events, catalog)
    expected = recompute(events, make_catalog())
    assert len(served) == len(expected) == len(events)
    found = mismatches(catalog, events, served, expected)
    if found:
        shown = "\n  ".join(found[:MAX_REPORTED])
        more = f"\n  ... and {len(found) - MAX_REPORTED} more" if len(found) > MAX_REPORTED else ""
        pytest.fail(f"{len(found)} feature values differ from the oracle:\n  {shown}{more}", pytrace=False)
    return served


# -- the oracle covers the catalog ------------------------------------------------------------


def test_the_oracle_computes_every_feature_kind_of_the_catalog() -> None:
    gaps = problems(default_catalog())
    assert not gaps, "the parity oracle cannot compute these features:\n  " + "\n  ".join(gaps)


def _subclasses(cls: type[Spec]) -> set[type[Spec]]:
    found: set[type[Spec]] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_the_oracle_knows_every_spec_kind_defined() -> None:
    defined = {c.__name__ for c in _subclasses(Spec) if c.__module__.startswith("vigil.")}
    unknown = sorted(defined - set(SPEC_FIELDS))
    assert not unknown, f"feature kinds tests/oracle.py cannot compute yet: {unknown}"


@dataclass(frozen=True, slots=True)
class _Unheard(Spec):
    key: Key
    scope: Any

    @property
    def name(self) -> str:
        return f"{self.key}.unheard"


def mystery_ratio(f: Any, ctx: EventContext) -> float | None:
    return None


def test_an_unknown_feature_fails_loudly_instead_of_being_skipped() -> None:
    with pytest.raises(OracleGap, match=r"'account\.unheard' \(_Unheard\): unknown feature kind"):
        recompute([], Catalog([_Unheard(Key.ACCOUNT, scope())]))
    count = Window(Key.ACCOUNT, scope(), "count", DAY)
    derived = Derived(Key.ACCOUNT, mystery_ratio, (count.name,))
    with pytest.raises(OracleGap, match="unknown derived feature 'mystery_ratio'"):
        recompute([], Catalog([count], [derived]))
    with pytest.raises(OracleGap, match="sum of non-numeric field 'ip'"):
        recompute([], Catalog([Window(Key.ACCOUNT, scope(), "sum", DAY, "ip")]))


# -- a hand-written scenario --------------------------------------------------------------------

T0 = datetime(2024, 5, 6, tzinfo=UTC)
PARIS = Geo(48.8566, 2.3522)
NEW_YORK = Geo(40.7128, -74.0060)
ETH_MIXED = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"
ETH_LOWER = ETH_MIXED.lower()
ETH_UPPER = "0x" + ETH_MIXED[2:].upper()
BTC_SOURCE = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def _at(**delta: float) -> datetime:
    return T0 + timedelta(**delta)


def _money(value: str) -> Decimal:
    return Decimal(value)


def scenario() -> list[Event]:
    """38 events of four accounts; the comments say what each boundary case must show."""
    n = iter(range(1000))

    def base(account: str, ts: datetime, **kw: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "event_id": f"s{next(n):03d}",
            "account_id": account,
            "ts": ts,
            "region": "eu",
            "device_id": "d1",
            "ip": "10.0.0.1",
        }
        fields.update(kw)
        return fields

    fr = NetworkOrigin(country="FR")
    us = NetworkOrigin(country="US", is_vpn=True)

    def withdraw(account: str, ts: datetime, value: str, address: str = ETH_LOWER, **kw: Any) -> Withdrawal:
        return Withdrawal(
            **base(account, ts, **kw),
            rail=Rail.CRYPTO,
            asset="ETH",
            amount=10**15,
            fiat_value=_money(value),
            chain=Chain.ETH,
            destination_address=address,
        )

    def book(account: str, ts: datetime, action: AddressBookAction, address: str) -> AddressBookChanged:
        return AddressBookChanged(**base(account, ts), action=action, chain=Chain.ETH, address=address)

    def trade(account: str, ts: datetime, side: Side, pair: str, value: str, cp: str | None) -> Trade:
        return Trade(
            **base(account, ts),
            pair=pair,
            side=side,
            price=Decimal("50000.00"),
            quantity=1000,
            fiat_value=_money(value),
            counterparty_account_id=cp,
        )

    def transfer(ts: datetime, value: str) -> InternalTransfer:
        return InternalTransfer(
            **base("alice", ts),
            asset="USDT",
            amount=10**6,
            fiat_value=_money(value),
            counterparty_account_id="bob",
        )

    return [
        # 0, 1: opening and KYC at the same instant.
        AccountOpened(**base("alice", T0, geo=PARIS, network=fr)),
        KycSubmitted(
            **base("alice", T0),
            birth_year=1990,
            declared_annual_income_fiat=_money("50000.00"),
            expected_monthly_volume_fiat=_money("2000.00"),
        ),
        # 2, 3: two identical failed logins (a duplicate but for the id).
        Login(**base("alice", _at(seconds=10)), success=False),
        Login(**base("alice", _at(seconds=10)), success=False),
        # 4: from New York 20 s after Paris: travel time is floored at one minute. The IP is a
        # non-canonical spelling of 2001:db8::1.
        Login(
            **base("alice", _at(seconds=20), ip="2001:0db8:0:0::1", geo=NEW_YORK, network=us), success=True
        ),
        # 5: exactly 1 h after 0 and 1: they left the 1 h window. Same IP as 4, canonically.
        Deposit(
            **base("alice", _at(hours=1), ip="2001:db8::1"),
            rail=Rail.CRYPTO,
            asset="BTC",
            amount=10**6,
            fiat_value=_money("950.00"),
            chain=Chain.BTC,
            source_address=BTC_SOURCE,
        ),
        # 6: a fiat deposit just under 10,000.
        Deposit(
            **base("alice", _at(hours=1)),
            rail=Rail.FIAT,
            asset="EUR",
            amount=950000,
            fiat_value=_money("9500.00"),
        ),
        # 7: the destination is added to the address book (mixed-case spelling).
        book("alice", _at(hours=1, minutes=30), AddressBookAction.ADD, ETH_MIXED),
        # 8: withdrawal to the same address in lower case, 30 min after the add; pass-through.
        withdraw("alice", _at(hours=2), "12000.00"),
        # 9, 10: a trade, then a withdrawal exactly 2 h after the deposits (evicted from 2 h).
        trade("alice", _at(hours=3), Side.BUY, "BTC/USDT", "500.00", "bob"),
        withdraw("alice", _at(hours=3), "100.00", ETH_MIXED),
        # 11, 12: the address is removed (upper-case spelling); a withdrawal to it has no book age.
        book("alice", _at(hours=3, seconds=1), AddressBookAction.REMOVE, ETH_UPPER),
        withdraw("alice", _at(hours=3, seconds=2), "50.00"),
        # 13, 14: added again, twice: the first add counts.
        book("alice", _at(hours=3, seconds=3), AddressBookAction.ADD, ETH_LOWER),
        book("alice", _at(hours=3, seconds=3), AddressBookAction.ADD, ETH_MIXED),
        # 15: one hour after the re-add.
        withdraw("alice", _at(hours=4, seconds=3), "10.00"),
        # 16: exactly 24 h after 5 and 6: they left the 24 h deposit window.
        Deposit(
            **base("alice", _at(days=1, hours=1)),
            rail=Rail.CRYPTO,
            asset="ETH",
            amount=10**15,
            fiat_value=_money("500.00"),
            chain=Chain.ETH,
            source_address="0xSoUrCe000000000000000000000000000000000a",
        ),
        # 17, 18: transfers on both edges of the 9,000-10,000 band.
        transfer(_at(days=1, hours=1), "9999.99"),
        transfer(_at(days=1, hours=1), "10000.00"),
        # 19: a fiat withdrawal at the lower edge of the 900-1,000 band, naming a bank account: no
        # chain, so no destination key.
        Withdrawal(
            **base("alice", _at(days=1, hours=1)),
            rail=Rail.FIAT,
            asset="EUR",
            amount=90000,
            fiat_value=_money("900.00"),
            destination_address="DE89370400440532013000",
        ),
        # 20, 21: bob trades with alice on alice's device; alice trades with bob.
        trade("bob", _at(days=1, hours=2), Side.SELL, "BTC/USDT", "500.00", "alice"),
        trade("alice", _at(days=1, hours=2), Side.BUY, "ETH/USDT", "700.00", "bob"),
        # 22, 23: two sign-ups from alice's IP, without a device.
        AccountOpened(**base("carol", _at(days=1, hours=2), device_id=None)),
        AccountOpened(**base("dave", _at(days=1, hours=2), device_id=None)),
        # 24, 25: P2P orders with and without a counterparty.
        P2POrder(
            **base("alice", _at(days=1, hours=3)),
            side=Side.BUY,
            asset="USDT",
            amount=300,
            fiat_value=_money("300.00"),
            fiat_currency="EUR",
            payment_method="sepa",
            counterparty_account_id="carol",
        ),
        P2POrder(
            **base("alice", _at(days=1, hours=3)),
            side=Side.SELL,
            asset="USDT",
            amount=300,
            fiat_value=_money("300.00"),
            fiat_currency="EUR",
            payment_method="sepa",
        ),
        # 26-29: profile changes and the rest of the event types; 26 has no device and no IP.
        PasswordReset(**base("alice", _at(days=1, hours=4), device_id=None, ip=None)),
        TwoFactorChanged(**base("alice", _at(days=1, hours=4)), action=TwoFactorAction.DISABLED),
        ApiKeyCreated(**base("alice", _at(days=1, hours=4)), key_id="k1", can_withdraw=True),
        KycResult(**base("alice", _at(days=1, hours=5)), status=KycStatus.APPROVED),
        # 30: exactly 48 h after 8: it left the 48 h withdrawal sum.
        withdraw("alice", _at(days=2, hours=2), "200.00"),
        # 31: a new KYC submission without a birth year: the latest birth year stays.
        KycSubmitted(**base("alice", _at(days=2, hours=5)), expected_monthly_volume_fiat=_money("3000.00")),
        # 32: exactly 7 days after 26 and 27: they left the 7-day profile-change window.
        PasswordReset(**base("alice", _at(days=8, hours=4))),
        # 33, 34: exactly 30 days after 20 and 21: they left the 30-day windows.
        withdraw("bob", _at(days=31, hours=2), "20.00"),
        trade("alice", _at(days=31, hours=2), Side.BUY, "BTC/USDT", "100.00", "bob"),
        # 35: exactly 30 days after 24: carol left the P2P counterparties of the last 30 days.
        P2POrder(
            **base("alice", _at(days=31, hours=3)),
            side=Side.SELL,
            asset="USDT",
            amount=300,
            fiat_value=_money("300.00"),
            fiat_currency="EUR",
            payment_method="sepa",
            counterparty_account_id="dave",
        ),
        # 36, 37: exactly 7 days after 33: bob left the destination's 7-day window; carol joins.
        withdraw("alice", _at(days=38, hours=2), "30.00"),
        withdraw("carol", _at(days=38, hours=2), "40.00", ETH_MIXED),
    ]


def _km(a: Geo, b: Geo) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def test_hand_written_scenario() -> None:
    events = scenario()
    assert {e.TYPE for e in events} == set(EventType)
    rows = assert_parity(events)

    # Pinned by hand, so the oracle and the catalog cannot agree on a shared misreading.
    expected: dict[tuple[int, str], float | None] = {
        (5, "account.any.count_1h"): 4.0,
        (5, "account.ip.is_new"): 0.0,
        (5, "account.cashflow_fiat900to1000.count_24h"): 1.0,
        (3, "account.login_failed.count_1h"): 2.0,
        (8, "account.address_book.destination_age_s"): 1800.0,
        (8, "account.passthrough_ratio_2h"): 12000.0 / 10450.0,
        (8, "account.destination.is_new"): None,
        (10, "account.deposit.sum_fiat_2h"): 0.0,
        (10, "account.passthrough_ratio_2h"): None,
        (10, "account.destination.is_new"): 0.0,
        (12, "account.address_book.destination_age_s"): None,
        (15, "account.address_book.destination_age_s"): 3600.0,
        (16, "account.deposit.count_24h"): 1.0,
        (16, "account.deposit.distinct_source_7d"): 2.0,
        (17, "account.cashflow_line90to100.count_24h"): 1.0,
        (18, "account.outflow_fiat10000to.count_24h"): 2.0,
        (18, "account.cashflow_line90to100.count_24h"): 1.0,
        (19, "account.cashflow_fiat900to1000.count_24h"): 1.0,
        (19, "destination.withdrawal.distinct_account_7d"): None,
        (19, "account.address_book.destination_age_s"): None,
        (20, "device.any.distinct_account_30d"): 2.0,
        (21, "pair.pair_flow.count_24h"): 4.0,
        (21, "pair.trade.sum_fiat_30d"): 1200.0,
        (21, "pair.pair_share_of_trade_volume_30d"): 1.0,
        (23, "ip.account_opened.count_24h"): 2.0,
        (26, "device.any.distinct_account_30d"): None,
        (26, "ip.any.distinct_account_30d"): None,
        (30, "account.withdrawal.sum_fiat_48h"): 1260.0,
        (31, "account.kyc_submitted.latest_birth_year"): 1990.0,
        (31, "account.kyc_submitted.latest_expected_monthly_volume_fiat"): 3000.0,
        (32, "account.profile_change.count_7d"): 1.0,
        (32, "account.password_reset.seconds_since_last"): 7 * 86400.0,
        (33, "account.money.count_30d"): 1.0,
        (34, "account.trade.sum_fiat_30d"): 100.0,
        (34, "pair.pair_share_of_trade_volume_30d"): 1.0,
        (24, "account.p2p_order.distinct_counterparty_30d"): 1.0,
        (35, "account.p2p_order.distinct_counterparty_30d"): 1.0,
        (36, "destination.withdrawal.distinct_account_7d"): 1.0,
        (37, "destination.withdrawal.distinct_account_7d"): 2.0,
        # Fan-in: alice's transfers step bob's receiver state; read on them (bob receives) and on
        # bob's own events (his trade the next hour; his withdrawal 30 days later, out of the window).
        (17, "receiver.internal_transfer.distinct_account_7d"): 1.0,
        (18, "receiver.internal_transfer.distinct_account_7d"): 1.0,
        (18, "receiver.internal_transfer.sum_fiat_7d"): 19999.99,
        (20, "receiver.internal_transfer.sum_fiat_7d"): 19999.99,
        (21, "receiver.internal_transfer.distinct_account_7d"): 0.0,
        (33, "receiver.internal_transfer.distinct_account_7d"): 0.0,
        # Accumulation: 30-day deposits 950 + 9,500 + 500; the 9,500 fiat deposit is in 30-100% of the
        # line (region "eu" is not in the lines file: the default, 10,000); withdrawals 12,000 + 100 +
        # 50 + 10 + 900 by event 19; a P2P sale of 300 at 25.
        (8, "account.exit_share_of_deposits_30d"): 12000.0 / 10450.0,
        (8, "account.cashed_out_ratio_30d"): 12000.0 / 10450.0,
        (16, "account.deposit_line30to100.count_30d"): 1.0,
        (16, "account.exit_share_of_deposits_30d"): None,
        (24, "account.exit_share_of_deposits_30d"): 300.0 / 10950.0,
        (24, "account.cashed_out_ratio_30d"): 13060.0 / 10950.0,
        (25, "account.cashed_out_ratio_30d"): 13360.0 / 10950.0,
        (25, "account.p2p_order_sell.sum_fiat_30d"): 300.0,
        (15, "account.withdrawal.distinct_destination_24h"): 1.0,
        (12, "account.withdrawal.distinct_fiat_24h"): 3.0,
        (12, "account.repeated_amount_withdrawals_24h"): 0.0,
        (8, "account.deposit.latest_fiat_value"): 9500.0,
        (8, "account.exit_ratio_to_last_deposit"): 12000.0 / 9500.0,
        (25, "account.exit_ratio_to_last_deposit"): 300.0 / 500.0,
    }
    for (i, name), want in expected.items():
        got = rows[i][name]
        assert _same(False, got, want), f"{name} at event {i}: served {got!r}, expected {want!r}"
    speed = rows[4]["account.travel.speed_kmh"]
    assert speed is not None and math.isclose(speed, _km(PARIS, NEW_YORK) * 60, rel_tol=1e-9)


def test_documents_on_several_accounts_and_under_several_names() -> None:
    """The document-reuse features, pinned by hand: accounts and names per document (issuer and number
    read from the MRZ), and the account's latest declared-name check; an unreadable MRZ counts nothing."""
    anna, ivan, doc1, doc2 = MRZS[0][0], MRZS[1][0], MRZS[0][1], MRZS[2][1]

    def kyc(i: int, account: str, lines: tuple[str, ...] | None, name: str | None = None) -> KycSubmitted:
        return KycSubmitted(
            event_id=f"k{i}", account_id=account, ts=_at(hours=i), region="eu", mrz=lines, full_name=name
        )

    events: list[Event] = [
        kyc(0, "a", (anna, doc1), "Anna Maria Eriksson"),
        kyc(1, "a", (anna, doc1), "Anna Eriksson"),  # the same account again, a name that does not match
        kyc(2, "b", (anna, doc1)),  # the same document on another account
        kyc(3, "c", (ivan, doc1), "Ivan Petrov"),  # ... under another name
        kyc(4, "c", (anna, doc2), "Ivan Petrov"),  # another document
        kyc(5, "d", (anna, "")),  # no MRZ can be read
        Login(event_id="l6", account_id="a", ts=_at(hours=6), region="eu", success=True),
    ]
    rows = assert_parity(events)
    accounts = "document.kyc_submitted.distinct_account_all"
    holders = "document.kyc_submitted.distinct_holder_all"
    flag = "account.kyc_submitted.latest_name_mismatch"
    assert [r[accounts] for r in rows] == [1.0, 1.0, 2.0, 3.0, 1.0, None, None]
    assert [r[holders] for r in rows] == [1.0, 1.0, 1.0, 2.0, 1.0, None, None]
    assert [r[flag] for r in rows] == [0.0, 1.0, None, 0.0, 1.0, None, 1.0]


def test_a_cash_out_split_into_equal_amounts() -> None:
    # The withdrawal of 12,000 at event 8 repeated twice within the hour, to the cent, and once a day
    # later (out of the 24 h window): the repeats count, the distinct amounts do not grow.
    events = scenario()[:9]
    first = events[8]
    assert isinstance(first, Withdrawal)
    again = [
        dataclasses.replace(first, event_id=f"r{i}", ts=first.ts + delta)
        for i, delta in enumerate(
            (timedelta(minutes=10), timedelta(minutes=20), timedelta(days=1, minutes=30))
        )
    ]
    rows = assert_parity([*events, *again])
    assert [r["account.repeated_amount_withdrawals_24h"] for r in rows[8:]] == [0.0, 1.0, 2.0, 0.0]
    assert [r["account.withdrawal.distinct_fiat_24h"] for r in rows[8:]] == [1.0, 1.0, 1.0, 1.0]


# -- a seeded random stream ---------------------------------------------------------------------


def _exact_gaps(events: Sequence[Event], period: int) -> int:
    """How many pairs of one account's events lie exactly ``period`` µs apart."""
    times: dict[str, set[int]] = {}
    for e in events:
        times.setdefault(e.account_id, set()).add(e.ts_us)
    return sum(1 for ts in times.values() for t in ts if t + period in ts)


def test_seeded_random_stream() -> None:
    events = random_stream(np.random.RandomState(20240506), 2000)
    # The stream exercises what it should.
    assert {e.TYPE for e in events} == set(EventType)
    assert len({e.event_id for e in events}) == len(events)
    assert all(a.ts_us <= b.ts_us for a, b in itertools.pairwise(events))
    periods = {s.period for s in default_catalog().specs if isinstance(s, Window) and s.period < 365 * DAY}
    assert not [p for p in periods if _exact_gaps(events, p) < 3], "too few events exactly a period apart"
    flows = [e.fiat_value for e in events if isinstance(e, Deposit | Withdrawal | InternalTransfer)]
    for low, high in ((900, 1000), (9000, 10000), (10000, 10**9)):
        assert sum(low <= v < high for v in flows) >= 5, f"too few cash flows in [{low}, {high})"

    rows = assert_parity(events)

    # Every feature takes at least two different values, so none is compared vacuously.
    for name in default_catalog().names:
        seen = {row[name] for row in rows}
        assert len(seen) >= 2, f"{name} is constant ({seen}) over the random stream"


def other_catalog() -> Catalog:
    """Parameters the default catalog does not use yet: other keys, statistics, sides and bands."""
    deposit, withdrawal, trade, login = E.DEPOSIT, E.WITHDRAWAL, E.TRADE, E.LOGIN
    return Catalog(
        [
            Window(Key.ACCOUNT, scope(deposit, withdrawal), "mean", DAY, "fiat"),
            Window(Key.DEVICE, scope(trade, side=Side.SELL), "mean", 7 * DAY, "fiat"),
            Window(Key.IP, scope(login, success=True), "distinct", HOUR, "device"),
            Window(Key.PAIR, scope(E.P2P_ORDER), "count", DAY),
            Window(Key.ACCOUNT, scope(deposit, withdrawal, min_fiat=100, max_fiat=5000), "sum", DAY, "fiat"),
            Window(Key.DESTINATION, scope(withdrawal), "sum", 30 * DAY, "fiat"),
            Window(Key.ACCOUNT, scope(), "distinct", 7 * DAY, "country"),
            SinceLast(Key.DEVICE, scope(login, success=False)),
            Age(Key.IP, scope(login)),
            HourShare(Key.DEVICE, scope(trade)),
            IsNew(Key.DEVICE, "country", scope(login)),
            IsNew(Key.ACCOUNT, "source", scope(deposit)),
            ZScore(Key.IP, scope(trade, side=Side.BUY)),
            TravelSpeed(Key.DEVICE),
            TravelSpeed(Key.IP, scope(login, success=True)),
            Latest(Key.DEVICE, scope(E.KYC_SUBMITTED), "birth_year"),
            Window(Key.ACCOUNT, scope(deposit), "var", 7 * DAY, "fiat"),
        ]
    )


def test_parity_of_other_parameters() -> None:
    """Guards the oracle's generality, so a feature added to the catalog is checked correctly."""
    rows = assert_parity(random_stream(np.random.RandomState(7), 800), other_catalog)
    for name in other_catalog().names:
        assert len({row[name] for row in rows}) >= 2, f"{name} is constant over the stream"


# -- hypothesis ---------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_streams(1, 120))
def test_parity_on_generated_streams(events: list[Event]) -> None:
    assert len({e.event_id for e in events}) == len(events)
    assert all(a.ts_us <= b.ts_us for a, b in itertools.pairwise(events))
    assert_parity(events)


# -- each region's reporting line ---------------------------------------------------------------


def regional_scenario() -> list[Event]:
    """Deposits and exits of one account in India's region (SA: INR 10 lakh, USD 11,947.43 in the lines
    file), one in Indonesia's (ID: IDR 500 million, USD 31,545.74) and one in a region the file does not
    name (the default, USD 10,000)."""
    n = iter(range(1000))

    def base(account: str, region: str, ts: datetime) -> dict[str, Any]:
        return {"event_id": f"r{next(n):03d}", "account_id": account, "ts": ts, "region": region}

    def deposit(account: str, region: str, ts: datetime, value: str) -> Deposit:
        return Deposit(
            **base(account, region, ts),
            rail=Rail.FIAT,
            asset="USD",
            amount=1,
            fiat_value=_money(value),
            payment_method="bank_transfer",
        )

    def withdraw(account: str, region: str, ts: datetime, value: str) -> Withdrawal:
        return Withdrawal(
            **base(account, region, ts),
            rail=Rail.CRYPTO,
            asset="ETH",
            amount=10**15,
            fiat_value=_money(value),
            chain=Chain.ETH,
            destination_address=ETH_LOWER,
        )

    def sell(account: str, region: str, ts: datetime, value: str) -> P2POrder:
        return P2POrder(
            **base(account, region, ts),
            side=Side.SELL,
            asset="USDT",
            amount=1,
            fiat_value=_money(value),
            fiat_currency="INR",
            payment_method="upi",
        )

    return [
        # 0-3: SA. 80% of 11,947.43 is 9,557.944: 9,557.95 is in the band, 9,557.94 just under it;
        # 11,947.42 the last cent under the line; 11,947.43 the line itself (out).
        deposit("sa", "SA", _at(days=0), "9557.95"),
        deposit("sa", "SA", _at(days=1), "9557.94"),
        deposit("sa", "SA", _at(days=2), "11947.42"),
        deposit("sa", "SA", _at(days=3), "11947.43"),
        # 4, 5: two exits; 6: 8 days after the first deposit (it left the 7-day count, not the 30-day).
        withdraw("sa", "SA", _at(days=3, hours=1), "10800.00"),
        sell("sa", "SA", _at(days=3, hours=2), "30000.00"),
        withdraw("sa", "SA", _at(days=8, hours=1), "10800.00"),
        # 7, 8: ID: 28,000 is in 80-100% of 31,545.74 (under the default line it would be out); 9,500 is not.
        deposit("id", "ID", _at(days=1), "28000.00"),
        deposit("id", "ID", _at(days=1, hours=1), "9500.00"),
        withdraw("id", "ID", _at(days=1, hours=2), "14000.00"),
        # 10-12: a region the file does not name: the default line, 10,000.
        deposit("xx", "XX", _at(days=1), "9500.00"),
        deposit("xx", "XX", _at(days=1, hours=1), "28000.00"),
        withdraw("xx", "XX", _at(days=1, hours=2), "0.00"),
    ]


def test_bands_follow_each_regions_reporting_line() -> None:
    rows = assert_parity(regional_scenario())
    expected: dict[tuple[int, str], float | None] = {
        (0, "account.deposit_line80to100.count_7d"): 1.0,
        (1, "account.deposit_line80to100.count_7d"): 1.0,
        (2, "account.deposit_line80to100.count_7d"): 2.0,
        (3, "account.deposit_line80to100.count_7d"): 2.0,
        (3, "account.deposit_line30to100.count_30d"): 3.0,
        (3, "account.deposit_line80to100.sum_fiat_30d"): 9557.95 + 11947.42,
        (2, "account.cashflow_line90to100.count_24h"): 1.0,
        (3, "account.cashflow_line90to100.count_24h"): 0.0,  # the line itself is out; 2 is 24 h old
        (4, "account.cashflow_line90to100.count_24h"): 1.0,
        (4, "account.withdrawal_line80to100.count_7d"): 1.0,
        (4, "account.exit_covered_by_near_line_deposits_30d"): 1.0,
        (5, "account.exit_covered_by_near_line_deposits_30d"): (9557.95 + 11947.42) / 30000.0,
        (5, "account.withdrawal_line80to100.count_7d"): 1.0,
        (6, "account.deposit_line80to100.count_7d"): 1.0,
        (6, "account.deposit_line80to100.count_30d"): 2.0,
        (6, "account.withdrawal_line80to100.count_30d"): 2.0,
        (8, "account.deposit_line80to100.count_7d"): 1.0,
        (8, "account.deposit_line30to100.count_7d"): 2.0,  # 30% of the ID line is 9,463.72
        (9, "account.exit_covered_by_near_line_deposits_30d"): 1.0,
        (11, "account.deposit_line80to100.count_7d"): 1.0,
        (11, "account.deposit_line80to100.sum_fiat_30d"): 9500.0,
        (11, "account.cashflow_line90to100.count_24h"): 1.0,
        (12, "account.exit_covered_by_near_line_deposits_30d"): None,
    }
    for (i, name), want in expected.items():
        got = rows[i][name]
        assert _same(False, got, want), f"{name} at event {i}: served {got!r}, expected {want!r}"
