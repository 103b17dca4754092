"""The default feature catalog, shared by the engine and (later) training.

Add a feature here and it exists everywhere: rules can name it, models can learn from it, the
parity test checks it. Names derive from the parameters (see ``specs``); ``vigil catalog``
lists every name with its sentence.
"""

from __future__ import annotations

from collections.abc import Mapping

from vigil.features.catalog import Catalog
from vigil.features.context import EventContext
from vigil.features.graph import GraphFeatures
from vigil.features.idle import BATCH, LATENESS
from vigil.features.specs import (
    DAY,
    HOUR,
    LIFETIME,
    Age,
    BookAge,
    Derived,
    FirstSeen,
    HourShare,
    IsNew,
    Key,
    Latest,
    LatestFlag,
    SinceLast,
    Spec,
    TravelSpeed,
    Window,
    ZScore,
    scope,
)
from vigil.graph import EntityGraph
from vigil.model import EventType as E
from vigil.model import Side

ANY = scope()
DEPOSIT = scope(E.DEPOSIT)
WITHDRAWAL = scope(E.WITHDRAWAL)
TRADE = scope(E.TRADE)
LOGIN = scope(E.LOGIN)
LOGIN_FAILED = scope(E.LOGIN, success=False)
CASH_IN_OUT = (E.DEPOSIT, E.WITHDRAWAL, E.INTERNAL_TRANSFER)
# Reporting thresholds structuring tries to stay under: 10% below 1,000 (the travel rule's line, the
# same everywhere in round terms) and 10% below the event's region's reporting line (features/lines.py).
NEAR_1K = scope(*CASH_IN_OUT, label="cashflow", min_fiat=900, max_fiat=1000)
NEAR_LINE = scope(*CASH_IN_OUT, label="cashflow", line_band=(90, 100))
HIGH_VALUE_OUT = scope(E.WITHDRAWAL, E.INTERNAL_TRANSFER, label="outflow", min_fiat=10000)
PROFILE_CHANGE = scope(E.PASSWORD_RESET, E.TWOFA_CHANGED, E.ADDRESS_BOOK_CHANGED, label="profile_change")
TRADE_BUY = scope(E.TRADE, side=Side.BUY)
MONEY = scope(E.DEPOSIT, E.WITHDRAWAL, E.TRADE, E.INTERNAL_TRANSFER, E.P2P_ORDER, label="money")
PAIR_FLOW = scope(E.TRADE, E.INTERNAL_TRANSFER, label="pair_flow")
# Deposits between 30% and 100% of the region's reporting line: structuring that varies its steps over
# weeks instead of clustering just under the line (FATF, Red Flag Indicators, 2020); and between 80% and
# 100% of it, deposits and withdrawals shaped against the line (issue 16).
UNDER_LINE_DEPOSIT = scope(E.DEPOSIT, line_band=(30, 100))
NEAR_LINE_DEPOSIT = scope(E.DEPOSIT, line_band=(80, 100))
NEAR_LINE_WITHDRAWAL = scope(E.WITHDRAWAL, line_band=(80, 100))
P2P_SALE = scope(E.P2P_ORDER, side=Side.SELL)
EXIT_EVENTS = frozenset({E.WITHDRAWAL, E.P2P_ORDER})


def passthrough_ratio_2h(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """Withdrawal value over deposits of the last 2 h, when nothing was traded in those 2 h (else 0).

    None when there was no deposit in the last 2 h.
    """
    deposits = f["account.deposit.sum_fiat_2h"]
    if not deposits or ctx.fiat is None:
        return None
    if f["account.trade.count_2h"]:
        return 0.0
    return (ctx.fiat / 100.0) / deposits


def outflow_inflow_ratio_48h(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """Withdrawals over deposits in the last 48 h, this event included; None without deposits."""
    deposits = f["account.deposit.sum_fiat_48h"]
    if not deposits:
        return None
    return (f["account.withdrawal.sum_fiat_48h"] or 0.0) / deposits


def withdrawn_share_of_deposits(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """All withdrawals over all deposits of the account so far; None before any deposit."""
    deposits = f["account.deposit.sum_fiat_all"]
    if not deposits:
        return None
    return (f["account.withdrawal.sum_fiat_all"] or 0.0) / deposits


def pair_share_of_trade_volume_30d(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """Share of the account's 30-day trade value done with this trade's counterparty."""
    total = f["account.trade.sum_fiat_30d"]
    pair = f["pair.trade.sum_fiat_30d"]
    if not total or pair is None:
        return None
    return pair / total


def exit_share_of_deposits_30d(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """This withdrawal's or P2P order's value over the account's deposits of the last 30 days.

    None without deposits in those 30 days.
    """
    deposits = f["account.deposit.sum_fiat_30d"]
    if not deposits or ctx.fiat is None:
        return None
    return (ctx.fiat / 100.0) / deposits


def cashed_out_ratio_30d(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """Withdrawals and P2P sales of the last 30 days (this event included) over deposits of the same
    30 days; None without deposits in them."""
    deposits = f["account.deposit.sum_fiat_30d"]
    if not deposits:
        return None
    out = (f["account.withdrawal.sum_fiat_30d"] or 0.0) + (f["account.p2p_order_sell.sum_fiat_30d"] or 0.0)
    return out / deposits


def exit_ratio_to_last_deposit(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """This withdrawal's or P2P order's value over the account's latest deposit (money forwarded as it
    came in); None before any deposit."""
    last = f["account.deposit.latest_fiat_value"]
    if not last or ctx.fiat is None:
        return None
    return (ctx.fiat / 100.0) / last


def exit_covered_by_near_line_deposits_30d(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """The share of this withdrawal or P2P order that the account's deposits of the last 30 days in 80-100%
    of its region's reporting line could have paid for (their sum over the exit's value, at most 1); None
    for an exit of no value."""
    if not ctx.fiat:
        return None
    near = f["account.deposit_line80to100.sum_fiat_30d"] or 0.0
    return min(near / (ctx.fiat / 100.0), 1.0)


def repeated_amount_withdrawals_24h(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """Withdrawals of the last 24 h (this one included) that repeat an amount already withdrawn in those
    24 h, to the cent: a cash-out split into equal pieces."""
    count = f["account.withdrawal.count_24h"] or 0.0
    return count - (f["account.withdrawal.distinct_fiat_24h"] or 0.0)


ANOMALY_INPUTS = (
    "account.withdrawal.zscore_fiat",
    "account.deposit.zscore_fiat",
    "account.device.is_new",
    "account.ip.is_new",
    "account.country.is_new",
    "account.hour_of_day.share",
)


def anomaly(f: Mapping[str, float | None], ctx: EventContext) -> float | None:
    """How far this event is from the account's own habits, 0 to 6 (None before any history).

    The unsupervised score for typologies no label has shown yet: the amount's z-score against the
    account's earlier withdrawals or deposits (its size, capped at 10, counts up to 2), plus one for each
    of a new device, a new IP and a new country, plus how rare this hour of day is for the account.
    """
    share = f["account.hour_of_day.share"]
    if share is None:
        return None
    z = max(abs(f["account.withdrawal.zscore_fiat"] or 0.0), abs(f["account.deposit.zscore_fiat"] or 0.0))
    new = sum(f[n] or 0.0 for n in ANOMALY_INPUTS[2:5])
    return min(z, 10.0) / 5.0 + new + (1.0 - share)


def default_specs() -> list[Spec]:
    a, d, ip, dest, pair, doc = Key.ACCOUNT, Key.DEVICE, Key.IP, Key.DESTINATION, Key.PAIR, Key.DOCUMENT
    receiver = Key.RECEIVER
    return [
        # Velocity
        Window(a, ANY, "count", HOUR),
        Window(a, LOGIN_FAILED, "count", HOUR),
        Window(a, LOGIN, "distinct", DAY, "ip"),
        Window(a, WITHDRAWAL, "count", DAY),
        Window(a, WITHDRAWAL, "sum", DAY, "fiat"),
        Window(a, WITHDRAWAL, "sum", 2 * DAY, "fiat"),
        Window(a, WITHDRAWAL, "sum", LIFETIME, "fiat"),
        Window(a, DEPOSIT, "count", DAY),
        Window(a, DEPOSIT, "sum", 2 * HOUR, "fiat"),
        Window(a, DEPOSIT, "sum", DAY, "fiat"),
        Window(a, DEPOSIT, "sum", 2 * DAY, "fiat"),
        Window(a, DEPOSIT, "sum", LIFETIME, "fiat"),
        Window(a, DEPOSIT, "count", LIFETIME),
        Window(a, DEPOSIT, "distinct", 7 * DAY, "source"),
        Window(a, TRADE, "count", 2 * HOUR),
        Window(a, TRADE, "sum", 30 * DAY, "fiat"),
        Window(a, TRADE_BUY, "distinct", DAY, "asset"),
        Window(a, TRADE_BUY, "sum", 30 * DAY, "fiat"),
        Window(a, MONEY, "count", 30 * DAY),
        Window(a, NEAR_1K, "count", DAY),
        Window(a, NEAR_LINE, "count", DAY),
        Window(a, HIGH_VALUE_OUT, "count", DAY),
        Window(a, PROFILE_CHANGE, "count", 7 * DAY),
        Window(a, scope(E.P2P_ORDER), "distinct", 30 * DAY, "counterparty"),
        # Accumulation over weeks: what an account's earlier deposits say at its exit (issue 16)
        Window(a, DEPOSIT, "count", 7 * DAY),
        Window(a, DEPOSIT, "count", 30 * DAY),
        Window(a, DEPOSIT, "sum", 30 * DAY, "fiat"),
        Window(a, UNDER_LINE_DEPOSIT, "count", 7 * DAY),
        Window(a, UNDER_LINE_DEPOSIT, "count", 30 * DAY),
        Window(a, NEAR_LINE_DEPOSIT, "count", 7 * DAY),
        Window(a, NEAR_LINE_DEPOSIT, "count", 30 * DAY),
        Window(a, NEAR_LINE_DEPOSIT, "sum", 30 * DAY, "fiat"),
        Window(a, NEAR_LINE_WITHDRAWAL, "count", 7 * DAY),
        Window(a, NEAR_LINE_WITHDRAWAL, "count", 30 * DAY),
        Window(a, WITHDRAWAL, "count", 30 * DAY),
        Window(a, WITHDRAWAL, "sum", 30 * DAY, "fiat"),
        Window(a, WITHDRAWAL, "distinct", DAY, "destination"),
        Window(a, P2P_SALE, "sum", 30 * DAY, "fiat"),
        Window(a, WITHDRAWAL, "distinct", DAY, "fiat"),
        Latest(a, DEPOSIT, "fiat_value"),
        # Baselines and history
        ZScore(a, WITHDRAWAL),
        ZScore(a, DEPOSIT),
        Age(a),
        SinceLast(a, ANY),
        SinceLast(a, DEPOSIT),
        SinceLast(a, scope(E.PASSWORD_RESET)),
        SinceLast(a, scope(E.TWOFA_CHANGED)),
        HourShare(a),
        IsNew(a, "device"),
        FirstSeen(a, "device"),
        IsNew(a, "ip"),
        IsNew(a, "country"),
        IsNew(a, "destination", scope(E.WITHDRAWAL)),
        TravelSpeed(a),
        BookAge(),
        Latest(a, scope(E.KYC_SUBMITTED), "expected_monthly_volume_fiat"),
        Latest(a, scope(E.KYC_SUBMITTED), "birth_year"),
        Latest(a, scope(E.KYC_SUBMITTED), "declared_annual_income_fiat"),
        # Identity documents (docs/identity.md): whether the declared name was the MRZ's
        LatestFlag(a, scope(E.KYC_SUBMITTED), "name_mismatch"),
        # Shared devices and IPs, repeated sign-ups
        Window(d, ANY, "distinct", 30 * DAY, "account"),
        Window(ip, ANY, "distinct", 30 * DAY, "account"),
        Window(ip, scope(E.ACCOUNT_OPENED), "count", DAY),
        # Documents (by a digest of issuer and number, read from the MRZ) on several accounts, under
        # several names
        Window(doc, scope(E.KYC_SUBMITTED), "distinct", LIFETIME, "account"),
        Window(doc, scope(E.KYC_SUBMITTED), "distinct", LIFETIME, "holder"),
        # Destinations used by several accounts
        Window(dest, WITHDRAWAL, "distinct", 7 * DAY, "account"),
        # Counterparties
        Window(pair, PAIR_FLOW, "count", DAY),
        Window(pair, scope(E.TRADE), "sum", 30 * DAY, "fiat"),
        # Fan-in: internal transfers received from other accounts (a mule ring's collector)
        Window(receiver, scope(E.INTERNAL_TRANSFER), "distinct", 7 * DAY, "account"),
        Window(receiver, scope(E.INTERNAL_TRANSFER), "sum", 7 * DAY, "fiat"),
    ]


def default_catalog(
    *, graph: bool = True, hub_limit: int = 50, lateness: int | None = LATENESS, evict_batch: int = BATCH
) -> Catalog:
    """A fresh catalog with empty state; with ``graph``, the graph features over an entity graph.

    ``lateness``: idle entities are evicted (features/idle.py) exactly for events at most this far behind
    the latest one (``evict_batch`` entities swept per event at most); None: never evict."""
    return Catalog(
        default_specs(),
        [
            Derived(
                Key.ACCOUNT,
                passthrough_ratio_2h,
                ("account.deposit.sum_fiat_2h", "account.trade.count_2h"),
                frozenset({E.WITHDRAWAL}),
            ),
            Derived(
                Key.ACCOUNT,
                outflow_inflow_ratio_48h,
                ("account.deposit.sum_fiat_48h", "account.withdrawal.sum_fiat_48h"),
            ),
            Derived(
                Key.ACCOUNT,
                withdrawn_share_of_deposits,
                ("account.deposit.sum_fiat_all", "account.withdrawal.sum_fiat_all"),
                frozenset({E.WITHDRAWAL}),
            ),
            Derived(Key.ACCOUNT, anomaly, ANOMALY_INPUTS),
            Derived(Key.ACCOUNT, exit_share_of_deposits_30d, ("account.deposit.sum_fiat_30d",), EXIT_EVENTS),
            Derived(
                Key.ACCOUNT,
                cashed_out_ratio_30d,
                (
                    "account.deposit.sum_fiat_30d",
                    "account.withdrawal.sum_fiat_30d",
                    "account.p2p_order_sell.sum_fiat_30d",
                ),
                EXIT_EVENTS,
            ),
            Derived(
                Key.ACCOUNT, exit_ratio_to_last_deposit, ("account.deposit.latest_fiat_value",), EXIT_EVENTS
            ),
            Derived(
                Key.ACCOUNT,
                exit_covered_by_near_line_deposits_30d,
                ("account.deposit_line80to100.sum_fiat_30d",),
                EXIT_EVENTS,
            ),
            Derived(
                Key.ACCOUNT,
                repeated_amount_withdrawals_24h,
                ("account.withdrawal.count_24h", "account.withdrawal.distinct_fiat_24h"),
                frozenset({E.WITHDRAWAL}),
            ),
            Derived(
                Key.PAIR,
                pair_share_of_trade_volume_30d,
                ("account.trade.sum_fiat_30d", "pair.trade.sum_fiat_30d"),
                frozenset({E.TRADE}),
            ),
        ],
        graph=GraphFeatures(EntityGraph(hub_limit=hub_limit)) if graph else None,
        lateness=lateness,
        evict_batch=evict_batch,
    )
