"""Moving dirty value through the exchange: mule rings, collusive accounts, tainted deposits,
structuring, pass-through and wash trading.

Each function is one episode (see ``base.py``). Value is conserved: what a ring takes in is
what its exits take out, so the evaluation can say which share of it was stopped.
"""

from __future__ import annotations

from vigil.sim.config import Region
from vigil.sim.crime.base import Crime, Episode, Ring, split
from vigil.sim.honest import HOUR, MINUTE, SECOND, opening, pick_crypto_chain
from vigil.sim.output import cents_str
from vigil.sim.world import Account, Ctx, between, usdt_units


def mule_ring(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """Recruited accounts opened on a handful of handler phones (some on one reused face or
    document) take in many deposits from many sources (fan-in), forward them by internal
    transfer to a collector, who cashes out on-chain or through P2P sales."""
    w, rng = c.w, c.rng
    ring = Ring(w, "mule_ring", variant)
    home = c.country(region)
    phones = [w.device_id("handler", ring.id, k) for k in range(between(rng, 1, 4))]
    face = w.template("face", ring.id)
    collector = w.new_account(region, home, "crime")
    collector_ctx = w.foreign_ctx(phones[0], home, rng)
    opening(w, collector, w.now, rng, ctx=collector_ctx, label=ring.label("collector"))
    yield between(rng, 1, 12) * HOUR
    mules: list[tuple[Account, Ctx]] = []
    for k in range(between(rng, 5, 26)):
        acct = w.new_account(region, home, "crime")
        ctx = w.foreign_ctx(phones[k % len(phones)], home, rng)
        opening(
            w, acct, w.now, rng, ctx=ctx, label=ring.label("mule"), face=face if rng.random() < 0.3 else None
        )
        mules.append((acct, ctx))
        yield between(rng, 10, 240) * MINUTE
    chain = pick_crypto_chain(region, rng)
    taken = 0
    for _ in range(between(rng, 2, 6)):  # waves of fan-in, each forwarded to the collector
        for acct, ctx in mules:
            received = 0
            for _ in range(between(rng, 1, 5)):
                cents = c.money(40_000, 0.7, low=5000)
                rail = "FIAT" if rng.random() < 0.5 else chain
                yield from c.visit(acct, ctx, ring.label("mule"))
                w.deposit(w.now, acct, ctx, rail, cents, rng, ring.label("mule", cents), source=None)
                received += cents
                yield between(rng, 2, 90) * MINUTE
            yield from c.visit(acct, ctx, ring.label("mule"))
            w.event(
                w.now,
                "internal_transfer",
                acct,
                ctx,
                ring.label("mule", received),
                asset="USDT",
                amount=usdt_units(received),
                fiat_value=cents_str(received),
                counterparty_account_id=collector.id,
            )
            acct.balance -= received
            collector.balance += received
            taken += received
            yield between(rng, 1, 30) * MINUTE
        yield between(rng, 4, 36) * HOUR
    yield from _cash_out(c, ring, collector, collector_ctx, taken, chain, "collector")


def _cash_out(c: Crime, ring: Ring, acct: Account, ctx: Ctx, total: int, chain: str, role: str) -> Episode:
    """Take ``total`` cents out in one to five pieces: on-chain to a fresh address each, or P2P sales."""
    w, rng = c.w, c.rng
    for k, cents in enumerate(split(total, between(rng, 1, 6))):
        yield from c.visit(acct, ctx, ring.label(role))
        if rng.random() < 0.6:
            w.withdraw(
                w.now,
                acct,
                ctx,
                chain,
                cents,
                w.outside_address(chain, ring.id, k),
                rng,
                ring.label(role, cents, True),
            )
        else:
            buyer = c.member(acct.region)
            w.sell_p2p(w.now, acct, ctx, cents, buyer.id, ring.label(role, cents, True))
        yield between(rng, 5, 120) * MINUTE


def collusion(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """Collusive accounts, one person behind several (one face, shared devices): value is moved
    round between them in P2P orders to build volume and reputation, then sold to outsiders."""
    w, rng = c.w, c.rng
    ring = Ring(w, "collusion", variant)
    home = c.country(region)
    face = w.template("face", ring.id)
    devices = [w.device_id("colluder", ring.id, k) for k in range(2)]
    group: list[tuple[Account, Ctx]] = []
    for k in range(between(rng, 3, 9)):
        acct = w.new_account(region, home, "crime")
        ctx = w.foreign_ctx(devices[k % 2], home, rng)
        opening(w, acct, w.now, rng, ctx=ctx, label=ring.label("perpetrator"), face=face)
        group.append((acct, ctx))
        yield between(rng, 1, 12) * HOUR
    leader, leader_ctx = group[0]
    stake = c.money(200_000, 0.6, low=20_000)
    yield from c.visit(leader, leader_ctx, ring.label("perpetrator"))
    w.deposit(w.now, leader, leader_ctx, "TRON", stake, rng, ring.label("perpetrator", stake), asset="USDT")
    yield between(rng, 10, 120) * MINUTE
    for _ in range(between(rng, 5, 30)):
        (a, a_ctx), (b, _) = rng.sample(group, 2)
        cents = stake * between(rng, 20, 80) // 100
        yield from c.visit(a, a_ctx, ring.label("perpetrator"))
        w.event(
            w.now,
            "p2p_order",
            a,
            a_ctx,
            ring.label("perpetrator"),
            side="sell",
            **w.p2p(a, cents),
            counterparty_account_id=b.id,
        )
        yield between(rng, 5, 180) * MINUTE
    yield from _cash_out(c, ring, leader, leader_ctx, stake, "TRON", "perpetrator")


def illicit_exposure(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """A deposit straight from a sanctioned, hacked or darknet-market address (real addresses from
    the OFAC list and GraphSense TagPacks), swapped and withdrawn within days."""
    w, rng = c.w, c.rng
    ring = Ring(w, "illicit_exposure", variant)
    acct = c.controlled(region)
    yield c.handover()
    ctx = w.home_ctx(acct, rng)
    r = rng.random()
    category = "sanctioned" if r < 0.4 else "hacked" if r < 0.7 else "darknet"
    chains = c.illicit.chains(category)
    chain = chains[between(rng, 0, len(chains))]
    source = c.illicit.pick(category, chain, rng.random())
    cents = c.money(300_000, 1.0, low=20_000)
    asset = "USDT" if chain == "TRON" else None
    yield from c.visit(acct, ctx, ring.label("perpetrator"))
    w.deposit(
        w.now, acct, ctx, chain, cents, rng, ring.label("perpetrator", cents), source=source, asset=asset
    )
    yield between(rng, 1, 48) * HOUR
    if rng.random() < 0.6:
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.trade(
            w.now,
            acct,
            ctx,
            "BTC" if chain == "BTC" else "ETH",
            "sell",
            cents,
            None,
            ring.label("perpetrator"),
        )
        yield between(rng, 5, 120) * MINUTE
    out_chain = "TRON" if rng.random() < 0.6 else chain
    yield from _cash_out(c, ring, acct, ctx, cents, out_chain, "perpetrator")


def structuring(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """Several deposits each just under the region's reporting threshold over a few days, then
    the total withdrawn."""
    w, rng = c.w, c.rng
    ring = Ring(w, "structuring", variant)
    acct = c.controlled(region)
    yield c.handover()
    threshold = region.reporting_threshold_cents
    total = 0
    chain = pick_crypto_chain(region, rng)
    for _ in range(between(rng, 3, 9)):
        ctx = w.home_ctx(acct, rng)
        cents = threshold * between(rng, 850, 996) // 1000
        rail = "FIAT" if rng.random() < 0.7 else chain
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.deposit(w.now, acct, ctx, rail, cents, rng, ring.label("perpetrator", cents))
        total += cents
        yield between(rng, 3, 30) * HOUR
    yield from _cash_out(c, ring, acct, w.home_ctx(acct, rng), total, chain, "perpetrator")


def pass_through(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """Deposits withdrawn in full within minutes to another address, with no trading between."""
    w, rng = c.w, c.rng
    ring = Ring(w, "pass_through", variant)
    acct = c.controlled(region)
    yield c.handover()
    chain = pick_crypto_chain(region, rng)
    for k in range(between(rng, 2, 6)):
        ctx = w.home_ctx(acct, rng)
        cents = c.money(150_000, 0.9, low=10_000)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.deposit(w.now, acct, ctx, chain, cents, rng, ring.label("perpetrator", cents))
        yield between(rng, 3, 60) * MINUTE
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.withdraw(
            w.now,
            acct,
            ctx,
            chain,
            cents,
            w.outside_address(chain, ring.id, k),
            rng,
            ring.label("perpetrator", cents, True),
        )
        yield between(rng, 6, 72) * HOUR


def wash_trading(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """Two to four linked accounts (one device, one IP) trade one pair with each other in bursts,
    inflating volume; the illicit value is the volume faked, none of it leaves."""
    w, rng = c.w, c.rng
    ring = Ring(w, "wash_trading", variant)
    home = c.country(region)
    device = w.device_id("wash", ring.id)
    base_ctx = w.foreign_ctx(device, home, rng)
    group: list[Account] = []
    for _ in range(between(rng, 2, 5)):
        acct = w.new_account(region, home, "crime")
        opening(w, acct, w.now, rng, ctx=base_ctx, label=ring.label("perpetrator"))
        group.append(acct)
        yield between(rng, 1, 24) * HOUR
    for acct in group:
        cents = c.money(500_000, 0.5, low=50_000)
        yield from c.visit(acct, base_ctx, ring.label("perpetrator"))
        w.deposit(w.now, acct, base_ctx, "TRON", cents, rng, ring.label("perpetrator"), asset="USDT")
        yield between(rng, 1, 30) * MINUTE
    pair = ("BTC", "ETH", "BNB")[between(rng, 0, 3)]
    size = c.money(100_000, 0.3, low=10_000)
    for _ in range(between(rng, 3, 10)):  # bursts
        for _ in range(between(rng, 5, 20)):
            a, b = rng.sample(group, 2)
            cents = size * between(rng, 95, 106) // 100
            yield from c.visit(a, base_ctx, ring.label("perpetrator"))
            w.trade(w.now, a, base_ctx, pair, "buy", cents, b.id, ring.label("perpetrator", cents))
            yield between(rng, 1, 20) * SECOND
            yield from c.visit(b, base_ctx, ring.label("perpetrator"))
            w.trade(w.now, b, base_ctx, pair, "sell", cents, a.id, ring.label("perpetrator", cents))
            yield between(rng, 5, 120) * SECOND
        yield between(rng, 1, 12) * HOUR
