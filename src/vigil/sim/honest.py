"""Honest behaviour: opening an account, sign-ups, and one session per visit.

The history before the run (``run.py``) is built from the same opening and login.

A session starts from the account's own device and country most of the time; honest novelty is
simulated too, because it is what makes risk control hard: a new phone (2% of sessions), a trip
abroad (1%), habitual VPN users, mobile carriers that change the IP, bots on cloud servers, and
dormant accounts that wake up to withdraw everything.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from statistics import NormalDist

from vigil.sim.config import (
    FORGOTTEN_ON_NEW_PHONE,
    FORGOTTEN_PASSWORD,
    INTERNAL_TRANSFER,
    NEW_ADDRESS_SAME_DAY,
    NEWCOMER_TEST,
    P2P_CASH_OUT,
    REFERRED_SIGNUP,
    SETTLE_WITH_REFERRER,
    TICKET_V2,
    TOP_UP_AND_PAY,
    TWOFA_CHANGE,
    TWOFA_ON_NEW_PHONE,
    WEALTH,
    Country,
    Region,
)
from vigil.sim.identity import age_at_kyc, declared_income
from vigil.sim.names import birth_date, full_name
from vigil.sim.output import Label, cents_str
from vigil.sim.world import Account, Ctx, World, between, usdt_units

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

_BASES = ("BTC", "ETH", "BNB", "TRX")
_CLOUD = {"country": "US", "is_hosting": True}
_CLOUD_GEO = {"lat": 39.0, "lon": -77.5}
OCCUPATIONS = ("employee", "self_employed", "student", "retired", "business_owner", "engineer", "trader")
DOCUMENTS = ("passport", "national_id", "driving_licence")


# exp(z) for 4,096 quantiles of the standard normal: a log-normal draw is one table lookup.
_EXP_Z = tuple(math.exp(NormalDist().inv_cdf((i + 0.5) / 4096)) for i in range(4096))


def ticket(acct: Account, rng: random.Random) -> int:
    """A deposit-sized amount in cents: log-normal around the kind's median, scaled by region."""
    # Version 1's kinds have version 1's tickets; an account under a criminal's control keeps
    # the amounts of the kind it was (only generator 2 asks for those).
    median, sigma = TICKET_V2.get(acct.kind) or TICKET_V2[acct.habit]
    return max(500, int(median * WEALTH[acct.region.name] * _EXP_Z[int(rng.random() * 4096)] ** sigma))


def home_country(region: Region, rng: random.Random) -> Country:
    return rng.choices(region.countries, weights=[c.weight for c in region.countries])[0]


def signup(w: World, region: Region, t: int, rng: random.Random) -> Account:
    """A new honest customer: opens, passes KYC, and usually funds the account the same day."""
    acct = w.new_account(
        region,
        home_country(region, rng),
        "saver" if rng.random() < 0.8 else "trader",
        vpn=rng.random() < region.vpn_share,
    )
    ctx = w.home_ctx(acct, rng, device=0)
    referrer = None
    if w.generator >= 2 and rng.random() < REFERRED_SIGNUP:  # a friend's referral link
        referrer = w.someone_else(acct, rng)
    t = opening(w, acct, t, rng, ctx=ctx, referrer=referrer)
    if rng.random() < 0.7:
        t += between(rng, 5, 300) * MINUTE
        w.deposit(t, acct, ctx, pick_chain(region, rng), ticket(acct, rng), rng)
        if w.generator >= 2 and rng.random() < NEWCOMER_TEST:  # tests the exchange: money straight back
            withdraw_own(w, acct, t + between(rng, 2, 60) * MINUTE, ctx, acct.balance, rng)
        elif referrer is not None and rng.random() < SETTLE_WITH_REFERRER:  # joined to pay a friend
            t += between(rng, 2, 180) * MINUTE
            transfer(w, acct, t, ctx, acct.balance * between(rng, 30, 101) // 100, referrer)
    return acct


def pick_chain(region: Region, rng: random.Random) -> str:
    """A rail by the region's habits: BTC, ETH, TRON, BSC or FIAT."""
    r = rng.random()
    for chain, share in region.chain_mix:
        r -= share
        if r < 0:
            return chain
    return region.chain_mix[-1][0]


def pick_crypto_chain(region: Region, rng: random.Random) -> str:
    """A blockchain by the region's habits (TRON where the region would have used fiat)."""
    chain = pick_chain(region, rng)
    return "TRON" if chain == "FIAT" else chain


def opening(
    w: World,
    acct: Account,
    t: int,
    rng: random.Random,
    *,
    ctx: Ctx | None = None,
    face: str | None = None,
    document: str | None = None,
    label: Label | None = None,
    referrer: str | None = None,
) -> int:
    """Sign-up and KYC (approved); returns the time of the last event."""
    ctx = ctx or w.home_ctx(acct, rng, device=0)
    w.event(
        t,
        "account_opened",
        acct,
        ctx,
        label,
        email_hash=w.token(rng),
        phone_hash=w.token(rng),
        referrer_account_id=referrer,
    )
    t += between(rng, 2, 40) * MINUTE
    kyc_submission(w, acct, t, ctx, rng, face=face, document=document, label=label)
    t += between(rng, 5, 600) * MINUTE
    w.event(
        t,
        "kyc_result",
        acct,
        ctx,
        label,
        status="approved",
        level=2,
        document_valid=True,
        mrz_valid=True,
        face_match=True,
        liveness_passed=True,
        deepfake_suspected=False,
    )
    return t


def kyc_submission(
    w: World,
    acct: Account,
    t: int,
    ctx: Ctx,
    rng: random.Random,
    *,
    face: str | None = None,
    document: str | None = None,
    label: Label | None = None,
) -> None:
    now_year = datetime.fromtimestamp(t / 1e6, UTC).year
    year = now_year - (between(rng, 18, 70) if w.generator == 1 else age_at_kyc(rng))
    w.event(
        t,
        "kyc_submitted",
        acct,
        ctx,
        label,
        level=2,
        document_type=DOCUMENTS[between(rng, 0, 3)],
        document_country=acct.country,
        document_hash=document or w.token(rng),
        face_hash=face or w.token(rng),
        birth_year=year,
        full_name=full_name(w.seed, acct.region.name, acct.id),
        birth_date=birth_date(w.seed, acct.id, year),
        nationality=acct.country,
        occupation=OCCUPATIONS[between(rng, 0, len(OCCUPATIONS))],
        declared_annual_income_fiat=str(
            between(rng, 3, 150) * 100_000 // 10
            if w.generator == 1
            else declared_income(acct.region.name, now_year - year, rng)
        ),
        expected_monthly_volume_fiat=str(between(rng, 1, 50) * 1000),
    )


def session_ctx(w: World, acct: Account, rng: random.Random) -> Ctx:
    r = rng.random()
    if r < 0.02:  # a new phone or browser
        acct.devices += 1
        return w.home_ctx(acct, rng, device=acct.devices - 1)
    if r < 0.03:  # travelling: a residential connection abroad, on the usual device
        region = acct.region
        others = [c for c in region.countries if c.code != acct.country] or list(region.countries)
        return w.foreign_ctx(w.usual(acct).device, others[between(rng, 0, len(others))], rng)
    if r < 0.032:
        return w.vpn_ctx(w.usual(acct).device, rng, tor=True)
    return w.home_ctx(acct, rng)


def login(
    w: World,
    acct: Account,
    t: int,
    ctx: Ctx,
    rng: random.Random,
    method: str = "password",
    *,
    fresh: bool = False,
    truth: Label | None = None,
) -> int:
    """A login at ``t`` (with the failures, reset and 2FA re-enrolment a person sometimes goes
    through first); returns the time of the successful login. ``fresh``: the device is new to the
    account (generator 2: a new phone is when people forget passwords and move their 2FA).
    ``truth`` labels every event when a criminal logs in."""
    if w.generator >= 2 and rng.random() < (FORGOTTEN_ON_NEW_PHONE if fresh else FORGOTTEN_PASSWORD):
        for _ in range(between(rng, 1, 5)):  # forgot it: tries, then resets
            w.event(t, "login", acct, ctx, truth, success=False, method=method,
                    failure_reason="wrong_password")  # fmt: skip
            t += between(rng, 5, 90) * SECOND
        w.event(t, "password_reset", acct, ctx, truth, channel="email")
        t += between(rng, 1, 15) * MINUTE
    elif rng.random() < 0.03:
        w.event(t, "login", acct, ctx, truth, success=False, method=method, failure_reason="wrong_password")
        t += between(rng, 5, 60) * SECOND
    w.event(t, "login", acct, ctx, truth, success=True, method=method)
    if w.generator >= 2 and rng.random() < (TWOFA_ON_NEW_PHONE if fresh else TWOFA_CHANGE):
        # The authenticator moves to a new phone: the old one is removed, the new one enrolled.
        t += between(rng, 30, 600) * SECOND
        w.event(t, "twofa_changed", acct, ctx, truth, action="disabled", method="totp")
        t += between(rng, 20, 900) * SECOND
        w.event(t, "twofa_changed", acct, ctx, truth, action="enabled", method="totp")
    return t


def withdraw_own(w: World, acct: Account, t: int, ctx: Ctx, cents: int, rng: random.Random) -> int:
    """A withdrawal to one of the account's own wallets, adding it to the address book if new
    (generator 2: sometimes a P2P sale for local currency instead, as many customers cash out)."""
    if w.generator >= 2 and rng.random() < P2P_CASH_OUT:
        w.sell_p2p(t, acct, ctx, cents, w.someone_else(acct, rng))
        return t
    chain = pick_chain(acct.region, rng)
    if chain == "FIAT":
        w.withdraw(t, acct, ctx, chain, cents, None, rng)
        return t
    if acct.book == 0 or rng.random() < (0.05 if w.generator == 1 else NEW_ADDRESS_SAME_DAY):
        k = acct.book
        acct.book += 1
        w.add_to_book(t, acct, ctx, chain, w.own_address(acct, chain, k), w.wallet_label(rng, "my wallet"))
        t += between(rng, 20, 300) * SECOND
    else:
        k = between(rng, 0, acct.book)
    w.withdraw(t, acct, ctx, chain, cents, w.own_address(acct, chain, k), rng)
    return t


def pay_someone(w: World, acct: Account, t: int, ctx: Ctx, rng: random.Random) -> None:
    """Generator 2: an internal transfer to another customer (a friend or relative settling up, a
    small seller paid): part of the balance, no larger than a usual ticket, or (``TOP_UP_AND_PAY``)
    a deposit made for the purpose and sent on minutes later."""
    other = w.someone_else(acct, rng)
    if other is None:
        return
    if rng.random() < TOP_UP_AND_PAY:  # tops the account up with what is owed, then pays it
        cents = ticket(acct, rng)
        w.deposit(t, acct, ctx, pick_chain(acct.region, rng), cents, rng)
        t += between(rng, 1, 30) * MINUTE
    else:
        cents = min(acct.balance * between(rng, 10, 60) // 100, ticket(acct, rng))
    transfer(w, acct, t, ctx, cents, other)


def transfer(w: World, acct: Account, t: int, ctx: Ctx, cents: int, to: str) -> None:
    """An honest internal transfer of ``cents`` (USDT) to the account ``to``."""
    w.event(t, "internal_transfer", acct, ctx, asset="USDT", amount=usdt_units(cents),
            fiat_value=cents_str(cents), counterparty_account_id=to)  # fmt: skip
    acct.balance -= cents
    w.accounts[int(to[1:])].balance += cents


def counterparty(w: World, acct: Account, rng: random.Random, bots: list[int]) -> str | None:
    """Honest fills meet a market maker most of the time, anyone else otherwise, or no one named."""
    r = rng.random()
    if bots and r < 0.6:
        return w.accounts[bots[int(rng.random() * len(bots))]].id
    return w.someone_else(acct, rng) if r < 0.9 else None


def session(
    w: World, acct: Account, t: int, rng: random.Random, bots: list[int], ctx: Ctx | None = None
) -> None:
    """One visit by an honest account, starting at ``t`` (microseconds since the epoch), from
    ``ctx`` if given (a traveller's), else from where the account usually connects."""
    kind = acct.kind
    if kind == "crime":  # an account under a criminal's control: the episode drives it, not visits
        return
    if kind == "bot":
        _bot(w, acct, t, rng, bots)
        return
    devices = acct.devices
    ctx = ctx or session_ctx(w, acct, rng)
    t = login(w, acct, t, ctx, rng, fresh=acct.devices > devices)
    t += between(rng, 10, 240) * SECOND
    if kind == "dormant":  # wakes up after a long absence and takes most of the balance out
        if acct.balance > 1000:
            withdraw_own(w, acct, t, ctx, acct.balance * between(rng, 80, 101) // 100, rng)
        acct.kind = "saver"
        return
    if kind == "merchant":
        _merchant(w, acct, t, ctx, rng)
        return
    if w.generator >= 2 and acct.balance > 2000 and rng.random() < INTERNAL_TRANSFER:
        pay_someone(w, acct, t, ctx, rng)
        return
    trades = between(rng, 2, 7) if kind == "trader" else 1
    r = rng.random()
    if r < (0.2 if kind == "trader" else 0.45):
        w.deposit(t, acct, ctx, pick_chain(acct.region, rng), ticket(acct, rng), rng)
        t += between(rng, 1, 30) * MINUTE
    elif r < 0.62 and acct.balance > 2000:
        share = between(rng, 10, 101) if kind == "saver" else between(rng, 5, 60)
        withdraw_own(w, acct, t, ctx, acct.balance * share // 100, rng)
        return
    rand = rng.random
    if kind == "trader" or rand() < 0.6:
        for _ in range(trades):
            side = "buy" if rand() < 0.55 else "sell"
            w.trade(
                t,
                acct,
                ctx,
                _BASES[int(rand() * 4)],
                side,
                ticket(acct, rng) // 2,
                counterparty(w, acct, rng, bots),
            )
            t += (5 + int(rand() * 595)) * SECOND


def _bot(w: World, acct: Account, t: int, rng: random.Random, bots: list[int]) -> None:
    """A market maker or trading bot: API sessions from a cloud server, many fills."""
    i = acct.idx  # a cloud server: the same address every session, flagged as hosting
    ctx = Ctx(None, f"34.{i % 251}.{i % 256}.{1 + i % 250}", _CLOUD, _CLOUD_GEO)
    w.event(t, "login", acct, ctx, success=True, method="api")
    rand, trade = rng.random, w.trade
    for _ in range(5 + int(rand() * 16)):
        t += (1 + int(rand() * 89)) * SECOND
        trade(
            t,
            acct,
            ctx,
            _BASES[int(rand() * 4)],
            "buy" if rand() < 0.5 else "sell",
            ticket(acct, rng) // 4,
            w.someone_else(acct, rng),
        )
    if rng.random() < 0.05:
        t += between(rng, 1, 60) * SECOND
        w.deposit(t, acct, ctx, "ETH" if rng.random() < 0.5 else "BTC", ticket(acct, rng) * 5, rng)


def _merchant(w: World, acct: Account, t: int, ctx: Ctx, rng: random.Random) -> None:
    """A P2P merchant: sells USDT for local fiat, restocks with USDT deposits."""
    if acct.balance < 50_000 or rng.random() < 0.2:
        w.deposit(t, acct, ctx, "TRON", ticket(acct, rng) * 3, rng, asset="USDT")
        t += between(rng, 1, 20) * MINUTE
    for _ in range(between(rng, 2, 6)):
        cents = ticket(acct, rng) // 4
        side = "sell" if rng.random() < 0.7 else "buy"
        acct.balance += -cents if side == "sell" else cents
        w.event(
            t,
            "p2p_order",
            acct,
            ctx,
            side=side,
            **w.p2p(acct, cents),
            counterparty_account_id=w.someone_else(acct, rng),
        )
        t += between(rng, 2, 40) * MINUTE
