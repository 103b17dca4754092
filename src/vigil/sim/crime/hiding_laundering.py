"""Generator 2: laundering that hides its obvious signal (see docs/simulator.md for each source).

Each function is one episode of one variant (``base.py``). Value is conserved as in the classic
episodes: what a ring takes in (labelled deposits) is what its exits take out.
"""

from __future__ import annotations

from vigil.sim.config import Region
from vigil.sim.crime.base import Crime, Episode, Ring, split
from vigil.sim.crime.laundering import _cash_out
from vigil.sim.honest import DAY, HOUR, MINUTE, SECOND, pick_chain, pick_crypto_chain, ticket
from vigil.sim.output import cents_str
from vigil.sim.world import Account, Ctx, between, usdt_units


def recruited_customers(c: Crime, region: Region, variant: str) -> Episode:
    """Mules recruited among ordinary customers: aged accounts with their own KYC, device and
    rhythm (their honest visits go on); each takes in a few deposits the size of its own, at its
    own hours over weeks, and forwards them on-chain to its own address of the handler's, so no
    shared device and no internal transfer joins them on the exchange."""
    w, rng = c.w, c.rng
    ring = Ring(w, "mule_ring", variant)
    mules = [c.ordinary(region) for _ in range(between(rng, 3, 11))]
    for k, mule in enumerate(dict.fromkeys(mules)):
        chain = pick_crypto_chain(region, rng)
        received = 0
        for _ in range(between(rng, 1, 4)):
            yield c.honest_hour(mule, HOUR, 4 * DAY)
            cents = ticket(mule, rng) * between(rng, 100, 300) // 100
            rail = pick_chain(region, rng)
            ctx = w.home_ctx(mule, rng)
            yield from c.visit(mule, ctx, ring.label("mule"))
            w.deposit(w.now, mule, ctx, rail, cents, rng, ring.label("mule", cents))
            received += cents
        yield c.honest_hour(mule, 2 * HOUR, 2 * DAY)
        ctx = w.home_ctx(mule, rng)
        out = w.outside_address(chain, "handler", ring.id, k)
        yield from c.visit(mule, ctx, ring.label("mule"))
        w.add_to_book(w.now, mule, ctx, chain, out, w.wallet_label(rng, "my wallet"), ring.label("mule"))
        yield between(rng, 2, 120) * MINUTE
        yield from c.visit(mule, ctx, ring.label("mule"))
        w.withdraw(w.now, mule, ctx, chain, received, out, rng, ring.label("mule", received, True))


def rented_accounts(c: Crime, region: Region, variant: str) -> Episode:
    """Mule accounts rented from their owners: aged and KYC'd, used from each owner's own phone
    (the owner operates it for a fee), fan-in at ordinary amounts, internal transfers to a rented
    collector, which cashes out at ordinary hours."""
    w, rng = c.w, c.rng
    ring = Ring(w, "mule_ring", variant)
    collector = c.controlled(region)
    yield c.handover()
    collector_ctx = w.home_ctx(collector, rng)
    mules: list[Account] = []
    for _ in range(between(rng, 3, 9)):
        acct = c.controlled(region)
        if acct is not collector and acct not in mules:
            mules.append(acct)
    chain = pick_crypto_chain(region, rng)
    taken = 0
    for _ in range(between(rng, 1, 4)):
        for acct in mules:
            yield c.honest_hour(acct, HOUR, DAY)
            ctx = w.home_ctx(acct, rng)
            received = 0
            for _ in range(between(rng, 1, 3)):
                cents = ticket(acct, rng) * between(rng, 100, 250) // 100
                yield from c.visit(acct, ctx, ring.label("mule"))
                w.deposit(w.now, acct, ctx, pick_chain(region, rng), cents, rng, ring.label("mule", cents))
                received += cents
                yield between(rng, 10, 240) * MINUTE
            yield from c.visit(acct, ctx, ring.label("mule"))
            w.event(w.now, "internal_transfer", acct, ctx, ring.label("mule", received), asset="USDT",
                    amount=usdt_units(received), fiat_value=cents_str(received),
                    counterparty_account_id=collector.id)  # fmt: skip
            acct.balance -= received
            collector.balance += received
            taken += received
        yield c.honest_hour(collector, DAY, 5 * DAY)
    yield from _cash_out(c, ring, collector, collector_ctx, taken, chain, "collector")


def bought_identities(c: Crime, region: Region, variant: str) -> Episode:
    """Collusion through bought accounts: each carries its real owner's face and KYC and its own
    phone; P2P orders between them at a merchant's sizes, spread over days; then sold to outsiders."""
    w, rng = c.w, c.rng
    ring = Ring(w, "collusion", variant)
    group: list[tuple[Account, Ctx]] = []
    for _ in range(between(rng, 3, 7)):
        acct = c.controlled(region)
        if all(acct is not a for a, _ in group):
            group.append((acct, w.home_ctx(acct, rng, device=0)))
    yield c.handover()
    if len(group) < 2:
        return
    leader, leader_ctx = group[0]
    stake = c.money(100_000, 0.8, low=10_000)
    yield from c.visit(leader, leader_ctx, ring.label("perpetrator"))
    w.deposit(w.now, leader, leader_ctx, "TRON", stake, rng, ring.label("perpetrator", stake), asset="USDT")
    for _ in range(between(rng, 4, 16)):
        (a, a_ctx), (b, _) = rng.sample(group, 2)
        yield c.honest_hour(a, 2 * HOUR, 2 * DAY)
        cents = stake * between(rng, 5, 40) // 100
        yield from c.visit(a, a_ctx, ring.label("perpetrator"))
        w.event(w.now, "p2p_order", a, a_ctx, ring.label("perpetrator"), side="sell", **w.p2p(a, cents),
                counterparty_account_id=b.id)  # fmt: skip
    yield c.honest_hour(leader, DAY, 3 * DAY)
    yield from _cash_out(c, ring, leader, leader_ctx, stake, "TRON", "perpetrator")


def one_hop(c: Crime, region: Region, variant: str) -> Episode:
    """Tainted value one hop away: the deposit comes from an intermediary wallet on no list (the
    listed address paid it first), in an amount the region's customers deposit, withdrawn days
    later at ordinary hours."""
    yield from _hops(c, region, variant, between(c.rng, 1, 2))


def split_hops(c: Crime, region: Region, variant: str) -> Episode:
    """Tainted value split across several intermediary wallets, deposited over weeks in ordinary
    amounts and withdrawn in pieces."""
    yield from _hops(c, region, variant, between(c.rng, 2, 6))


def _hops(c: Crime, region: Region, variant: str, deposits: int) -> Episode:
    w, rng = c.w, c.rng
    ring = Ring(w, "illicit_exposure", variant)
    acct = c.controlled(region)
    yield c.handover()
    chain = pick_crypto_chain(region, rng)
    asset = "USDT" if chain in ("TRON", "BSC") else None
    total = 0
    for k in range(deposits):
        yield c.honest_hour(acct, HOUR, 5 * DAY)
        cents = ticket(acct, rng) * between(rng, 100, 500) // 100
        hop = w.outside_address(chain, "hop", ring.id, k)
        ctx = w.home_ctx(acct, rng)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        label = ring.label("perpetrator", cents)
        w.deposit(w.now, acct, ctx, chain, cents, rng, label, source=hop, asset=asset)
        total += cents
    yield c.honest_hour(acct, DAY, 5 * DAY)
    yield from _cash_out(
        c, ring, acct, w.home_ctx(acct, rng), total, pick_crypto_chain(region, rng), "perpetrator"
    )


def varied_steps(c: Crime, region: Region, variant: str) -> Episode:
    """Structuring whose steps vary: 30-90% of the threshold, not clustered just under it, over
    one to three weeks at ordinary hours, on mixed rails."""
    w, rng = c.w, c.rng
    ring = Ring(w, "structuring", variant)
    acct = c.controlled(region)
    yield c.handover()
    threshold = region.reporting_threshold_cents
    total = 0
    for _ in range(between(rng, 4, 11)):
        yield c.honest_hour(acct, 12 * HOUR, 3 * DAY)
        cents = threshold * between(rng, 300, 900) // 1000 + between(rng, 0, 10_000)
        ctx = w.home_ctx(acct, rng)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.deposit(w.now, acct, ctx, pick_chain(region, rng), cents, rng, ring.label("perpetrator", cents))
        total += cents
    yield c.honest_hour(acct, DAY, 4 * DAY)
    yield from _cash_out(
        c, ring, acct, w.home_ctx(acct, rng), total, pick_crypto_chain(region, rng), "perpetrator"
    )


def smurfs(c: Crime, region: Region, variant: str) -> Episode:
    """Structuring spread over smurfs: several ordinary customers (their honest visits go on)
    each deposit once or twice below the threshold and send it on to their own handler address."""
    w, rng = c.w, c.rng
    ring = Ring(w, "structuring", variant)
    threshold = region.reporting_threshold_cents
    members = dict.fromkeys(c.ordinary(region) for _ in range(between(rng, 3, 9)))
    for k, acct in enumerate(members):
        chain = pick_crypto_chain(region, rng)
        total = 0
        for _ in range(between(rng, 1, 3)):
            yield c.honest_hour(acct, HOUR, 3 * DAY)
            cents = threshold * between(rng, 400, 950) // 1000
            ctx = w.home_ctx(acct, rng)
            yield from c.visit(acct, ctx, ring.label("perpetrator"))
            w.deposit(w.now, acct, ctx, "FIAT", cents, rng, ring.label("perpetrator", cents))
            total += cents
        yield c.honest_hour(acct, 6 * HOUR, 3 * DAY)
        out = w.outside_address(chain, ring.id, k)
        ctx = w.home_ctx(acct, rng)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.withdraw(w.now, acct, ctx, chain, total, out, rng, ring.label("perpetrator", total, True))


def with_trade(c: Crime, region: Region, variant: str) -> Episode:
    """Pass-through with a swap between: deposit, trade, withdraw hours later on another rail,
    like a trader taking profit."""
    w, rng = c.w, c.rng
    ring = Ring(w, "pass_through", variant)
    acct = c.controlled(region)
    yield c.handover()
    for k in range(between(rng, 2, 5)):
        yield c.honest_hour(acct, 6 * HOUR, 3 * DAY)
        ctx = w.home_ctx(acct, rng)
        chain = pick_crypto_chain(region, rng)
        cents = ticket(acct, rng) * between(rng, 100, 400) // 100
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.deposit(w.now, acct, ctx, chain, cents, rng, ring.label("perpetrator", cents))
        yield between(rng, 5, 90) * MINUTE
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.trade(w.now, acct, ctx, ("BTC", "ETH", "BNB", "TRX")[between(rng, 0, 4)], "buy", cents, None,
                ring.label("perpetrator"))  # fmt: skip
        yield between(rng, 1, 8) * HOUR
        out_chain = "TRON" if chain != "TRON" else "ETH"
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.withdraw(w.now, acct, ctx, out_chain, cents, w.outside_address(out_chain, ring.id, k), rng,
                   ring.label("perpetrator", cents, True))  # fmt: skip


def slow_layering(c: Crime, region: Region, variant: str) -> Episode:
    """Pass-through slowed down: each deposit leaves in two pieces, days apart."""
    w, rng = c.w, c.rng
    ring = Ring(w, "pass_through", variant)
    acct = c.controlled(region)
    yield c.handover()
    chain = pick_crypto_chain(region, rng)
    for k in range(between(rng, 2, 5)):
        yield c.honest_hour(acct, 12 * HOUR, 4 * DAY)
        cents = ticket(acct, rng) * between(rng, 100, 400) // 100
        ctx = w.home_ctx(acct, rng)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.deposit(w.now, acct, ctx, chain, cents, rng, ring.label("perpetrator", cents))
        for j, piece in enumerate(split(cents, 2)):
            yield c.honest_hour(acct, DAY, 5 * DAY)
            out = w.outside_address(chain, ring.id, k, j)
            ctx = w.home_ctx(acct, rng)
            yield from c.visit(acct, ctx, ring.label("perpetrator"))
            w.withdraw(w.now, acct, ctx, chain, piece, out, rng, ring.label("perpetrator", piece, True))


def separate_devices(c: Crime, region: Region, variant: str) -> Episode:
    """Wash trading between bought aged accounts, each on its own phone and home connection,
    a few fills a day at ordinary sizes over a week rather than bursts."""
    w, rng = c.w, c.rng
    ring = Ring(w, "wash_trading", variant)
    group: list[Account] = []
    for _ in range(between(rng, 2, 5)):
        acct = c.controlled(region)
        if acct not in group:
            group.append(acct)
    yield c.handover()
    if len(group) < 2:
        return
    pair = ("BTC", "ETH", "BNB")[between(rng, 0, 3)]
    for _ in range(between(rng, 6, 25)):
        a, b = rng.sample(group, 2)
        yield c.honest_hour(a, 2 * HOUR, DAY)
        cents = ticket(a, rng) * between(rng, 100, 300) // 100
        a_ctx = w.home_ctx(a, rng)
        yield from c.visit(a, a_ctx, ring.label("perpetrator"))
        w.trade(w.now, a, a_ctx, pair, "buy", cents, b.id, ring.label("perpetrator", cents))
        yield between(rng, 30, 1800) * SECOND
        b_ctx = w.home_ctx(b, rng)
        yield from c.visit(b, b_ctx, ring.label("perpetrator"))
        w.trade(w.now, b, b_ctx, pair, "sell", cents, a.id, ring.label("perpetrator", cents))
