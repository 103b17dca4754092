"""Generator 2's honest customers who look suspicious, and the set-up they need.

Each does what a typology's obvious signal looks for, for honest reasons (docs/simulator.md gives
the shares and the sources): OTC desks move large sums between many counterparties; arbitrage
bots deposit from another exchange and withdraw within minutes with no trade; travellers connect
from abroad and through VPNs; families share one phone and one home connection; payroll in crypto
arrives on a fixed day from one employer address. P2P merchants, forgotten passwords, newcomers
who test the exchange and same-day new addresses live in ``honest.py`` (they change draws that
version 1 also makes, behind ``World.generator``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from vigil.sim.honest import (
    DAY,
    HOUR,
    MINUTE,
    SECOND,
    home_country,
    login,
    pick_crypto_chain,
    session,
    ticket,
)
from vigil.sim.world import Account, Ctx, World, between

OTC_P2P = 0.3  # of an OTC desk's payouts: settled with the client by a P2P sale for local currency
# Hot wallets of other exchanges an arbitrage bot moves between (stable per region and chain).
EXCHANGES = 6
_CLOUD = {"country": "US", "is_hosting": True}
_CLOUD_GEO = {"lat": 39.0, "lon": -77.5}


def session_v2(w: World, acct: Account, t: int, rng: random.Random, bots: list[int]) -> None:
    """One visit of any honest kind of generator 2."""
    kind = acct.kind
    if kind == "otc_desk":
        _otc_desk(w, acct, t, rng)
    elif kind == "arbitrage":
        _arbitrage(w, acct, t, rng)
    elif kind == "traveller":
        session(w, acct, t, rng, bots, _travel_ctx(w, acct, rng))
    else:  # payroll and family accounts visit like savers; their difference is set up elsewhere
        session(w, acct, t, rng, bots)


def _travel_ctx(w: World, acct: Account, rng: random.Random) -> Ctx:
    """Abroad in another region (45%), on a VPN (35%, hotel and airport Wi-Fi), or home."""
    r = rng.random()
    device = w.usual(acct).device
    if r < 0.45:
        region = w.regions[between(rng, 0, len(w.regions))]
        return w.foreign_ctx(device, home_country(region, rng), rng)
    if r < 0.8:
        return w.vpn_ctx(device, rng)
    return w.home_ctx(acct, rng)


def _otc_desk(w: World, acct: Account, t: int, rng: random.Random) -> None:
    """An OTC desk: large deposits from many client wallets, large payouts to many addresses."""
    ctx = w.home_ctx(acct, rng)
    t = login(w, acct, t, ctx, rng)
    for _ in range(between(rng, 1, 4)):
        t += between(rng, 1, 40) * MINUTE
        chain = pick_crypto_chain(acct.region, rng)
        cents = ticket(acct, rng)
        if rng.random() < 0.5 or acct.balance < cents:
            client = w.outside_address(chain, "otc-client", acct.idx, between(rng, 0, 10_000))
            w.deposit(t, acct, ctx, chain, cents, rng, source=client)
        elif rng.random() < OTC_P2P:  # a client paid in local currency: a large P2P sale
            w.sell_p2p(t, acct, ctx, cents, w.someone_else(acct, rng))
        else:
            payee = w.outside_address(chain, "otc-payee", acct.idx, between(rng, 0, 10_000))
            w.add_to_book(t, acct, ctx, chain, payee, "client")
            t += between(rng, 30, 600) * SECOND
            w.withdraw(t, acct, ctx, chain, cents, payee, rng)


def _arbitrage(w: World, acct: Account, t: int, rng: random.Random) -> None:
    """An arbitrage bot: funds arrive from another exchange and leave for a third within minutes,
    with no trade here (the trades happen on the other venues)."""
    i = acct.idx
    ctx = Ctx(None, f"35.{i % 251}.{(i * 7) % 256}.{1 + i % 250}", _CLOUD, _CLOUD_GEO)
    w.event(t, "login", acct, ctx, success=True, method="api")
    chain = "TRON" if rng.random() < 0.6 else "ETH"
    for _ in range(between(rng, 1, 4)):
        t += between(rng, 10, 300) * SECOND
        cents = ticket(acct, rng)
        src = w.outside_address(chain, "exchange", acct.region.name, between(rng, 0, EXCHANGES))
        w.deposit(t, acct, ctx, chain, cents, rng, source=src, asset="USDT")
        t += between(rng, 1, 15) * MINUTE
        k = between(rng, 0, EXCHANGES)
        dst = w.outside_address(chain, "exchange", acct.region.name, k)
        if k >= acct.book:  # the other venues' deposit addresses, added once
            acct.book = k + 1
            w.add_to_book(t, acct, ctx, chain, dst, "exchange")
            t += between(rng, 5, 60) * SECOND
        w.withdraw(t, acct, ctx, chain, cents * between(rng, 995, 1000) // 1000, dst, rng, asset="USDT")


def families(w: World, rng: random.Random) -> None:
    """Family members (kind ``family``) share a household's phone and home connection: each joins
    the account before it in the same region as a household of two to four."""
    heads: dict[str, tuple[Account, int]] = {}
    for acct in w.accounts:
        if acct.kind != "family":
            continue
        head = heads.get(acct.region.name)
        if head is None or head[1] <= 0:
            heads[acct.region.name] = (acct, between(rng, 1, 4))
            continue
        acct.home = head[0].home
        acct.country = acct.home.code
        acct.usual = w.usual(head[0])
        heads[acct.region.name] = (head[0], head[1] - 1)


def payroll(w: World, acct: Account, first: int, end: int, rng: random.Random) -> Iterator[int]:
    """Salary in crypto: the same amount from one employer address, weekly, fortnightly or monthly,
    on the same weekday around 9:00 local time, until ``end``."""
    period = (7, 14, 30)[between(rng, 0, 3)] * DAY
    chain = "TRON" if rng.random() < 0.7 else "ETH"
    employer = w.outside_address(chain, "employer", acct.region.name, between(rng, 0, 50))
    salary = ticket(acct, rng) * between(rng, 3, 8)
    local9 = (9 - round(acct.home.utc_offset)) % 24 * HOUR
    t = first - first % DAY + local9 + between(rng, 0, period // DAY) * DAY
    while t < end:
        if t >= first:
            yield t - w.now
            w.deposit(w.now, acct, w.usual(acct), chain, salary, rng, source=employer, asset="USDT")
        t += period + between(rng, -30, 30) * MINUTE
