"""Generator 2: fraud that hides its obvious signal (see docs/simulator.md for each source).

Each function is one episode of one variant (``base.py``); its docstring says which signal of the
classic episode it defeats. Every event a criminal causes is labelled, with the variant's name.
"""

from __future__ import annotations

from vigil.sim.config import Region
from vigil.sim.crime.base import Crime, Episode, Ring, split
from vigil.sim.honest import DAY, HOUR, MINUTE, opening, pick_chain, pick_crypto_chain, ticket
from vigil.sim.world import between


def session_hijack(c: Crime, region: Region, variant: str) -> Episode:
    """Account takeover with a stolen session (infostealer malware): no failed login, no reset,
    no 2FA change, the victim's own device fingerprint, a residential IP in the victim's country,
    a new address and part of the balance taken at the victim's usual hours."""
    w, rng = c.w, c.rng
    victim = c.victim(region, 20_000)
    if victim is None:
        return
    ring = Ring(w, "account_takeover", variant)
    ctx = w.foreign_ctx(w.usual(victim).device, victim.home, rng)
    yield c.honest_hour(victim, 0, 6 * HOUR)
    chain = pick_crypto_chain(region, rng)
    destination = w.outside_address(chain, "drop", ring.id)
    w.add_to_book(
        w.now, victim, ctx, chain, destination, w.wallet_label(rng, "wallet"), ring.label("perpetrator")
    )
    yield between(rng, 2, 90) * MINUTE
    total = victim.balance * between(rng, 40, 91) // 100
    for cents in split(total, between(rng, 1, 3)):
        if cents <= 0:
            break
        w.withdraw(w.now, victim, ctx, chain, cents, destination, rng, ring.label("perpetrator", cents, True))
        yield c.honest_hour(victim, 6 * HOUR, 2 * DAY)


def slow_drain(c: Crime, region: Region, variant: str) -> Episode:
    """Account takeover drained slowly: one quiet login from a residential proxy in the victim's
    country with a spoofed copy of the victim's device, then withdrawals the size of the victim's
    own, days apart at the victim's hours, over one to three weeks."""
    w, rng = c.w, c.rng
    victim = c.victim(region, 20_000)
    if victim is None:
        return
    ring = Ring(w, "account_takeover", variant)
    ctx = w.foreign_ctx(w.usual(victim).device, victim.home, rng)
    yield c.honest_hour(victim, 0, 12 * HOUR)
    w.event(w.now, "login", victim, ctx, ring.label("perpetrator"), success=True, method="password")
    c.logged_in(victim)
    yield between(rng, 2, 30) * MINUTE
    chain = pick_crypto_chain(region, rng)
    destination = w.outside_address(chain, "drop", ring.id)
    w.add_to_book(
        w.now, victim, ctx, chain, destination, w.wallet_label(rng, "my wallet"), ring.label("perpetrator")
    )
    for _ in range(between(rng, 3, 7)):
        yield c.honest_hour(victim, 2 * DAY, 5 * DAY)
        cents = min(victim.balance, ticket(victim, rng))
        if cents <= 0:
            break
        w.event(w.now, "login", victim, ctx, ring.label("perpetrator"), success=True, method="password")
        c.logged_in(victim)
        yield between(rng, 1, 10) * MINUTE
        w.withdraw(w.now, victim, ctx, chain, cents, destination, rng, ring.label("perpetrator", cents, True))


def crypto_funded(c: Crime, region: Region, variant: str) -> Episode:
    """Pig-butchering paid in crypto from a long-standing customer's own wallet, to a fresh
    address on no list, in amounts near the customer's usual ones, at the customer's hours."""
    w, rng = c.w, c.rng
    victim = c.ordinary(region)
    ring = Ring(w, "scam_victim", variant)
    chain = pick_crypto_chain(region, rng)
    destination = w.outside_address(chain, "scam", ring.id)
    cents = ticket(victim, rng)
    for round_ in range(between(rng, 2, 6)):
        yield c.honest_hour(victim, HOUR, 4 * DAY)
        ctx = w.home_ctx(victim, rng)
        yield from c.visit(victim, ctx, None)
        w.deposit(w.now, victim, ctx, chain, cents, rng)
        yield between(rng, 10, 240) * MINUTE
        yield from c.visit(victim, ctx, None)
        if round_ == 0:
            w.add_to_book(
                w.now, victim, ctx, chain, destination, w.wallet_label(rng, "wallet"), ring.label("victim")
            )
            yield between(rng, 1, 30) * MINUTE
        w.withdraw(w.now, victim, ctx, chain, cents, destination, rng, ring.label("victim", cents, True))
        cents = cents * between(rng, 100, 170) // 100


def long_con(c: Crime, region: Region, variant: str) -> Episode:
    """Pig-butchering over weeks: an aged customer pays a fresh, unlisted address two to four
    times, each a week or more apart, with fiat deposits the size of their usual ones."""
    w, rng = c.w, c.rng
    victim = c.ordinary(region)
    ring = Ring(w, "scam_victim", variant)
    chain = pick_crypto_chain(region, rng)
    destination = w.outside_address(chain, "scam", ring.id)
    for round_ in range(between(rng, 2, 5)):
        yield c.honest_hour(victim, HOUR if round_ == 0 else 5 * DAY, 12 * DAY)
        ctx = w.home_ctx(victim, rng)
        cents = ticket(victim, rng) * between(rng, 100, 300) // 100
        yield from c.visit(victim, ctx, None)
        w.deposit(w.now, victim, ctx, pick_chain(region, rng), cents, rng)
        yield between(rng, 30, 600) * MINUTE
        yield from c.visit(victim, ctx, None)
        if round_ == 0:
            w.add_to_book(
                w.now, victim, ctx, chain, destination, w.wallet_label(rng, "savings"), ring.label("victim")
            )
            yield between(rng, 1, 60) * MINUTE
        w.withdraw(w.now, victim, ctx, chain, cents, destination, rng, ring.label("victim", cents, True))


def clean_kyc(c: Crime, region: Region, variant: str) -> Episode:
    """Synthetic identities that pass KYC cleanly: a different generated face and document each,
    liveness passed, no deepfake flag, each on its own phone and home connection, opened days
    apart; funded and emptied in ordinary amounts over weeks."""
    w, rng = c.w, c.rng
    ring = Ring(w, "synthetic_identity", variant)
    home = c.country(region)
    for k in range(between(rng, 2, 6)):
        acct = w.new_account(region, home, "crime")
        ctx = w.foreign_ctx(w.device_id("synthetic", ring.id, k), home, rng)
        acct.usual = ctx
        yield c.honest_hour(acct, 0, 3 * DAY)
        opening(w, acct, w.now, rng, ctx=ctx, label=ring.label("perpetrator"))
        chain = pick_crypto_chain(region, rng)
        total = 0
        for _ in range(between(rng, 1, 4)):
            yield c.honest_hour(acct, DAY, 6 * DAY)
            cents = c.money(15_000, 0.8)
            yield from c.visit(acct, ctx, ring.label("perpetrator"))
            w.deposit(w.now, acct, ctx, pick_chain(region, rng), cents, rng, ring.label("perpetrator", cents))
            total += cents
        yield c.honest_hour(acct, DAY, 7 * DAY)
        out = w.outside_address(chain, "cashout", ring.id, k)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.add_to_book(
            w.now, acct, ctx, chain, out, w.wallet_label(rng, "my wallet"), ring.label("perpetrator")
        )
        yield between(rng, 5, 120) * MINUTE
        w.withdraw(w.now, acct, ctx, chain, total, out, rng, ring.label("perpetrator", total, True))


def residential_farm(c: Crime, region: Region, variant: str) -> Episode:
    """A bonus farm that looks like word of mouth: sign-ups over days at ordinary hours, each
    on its own device and a residential IP in the region, referred by several existing
    customers, each withdrawing to its own address."""
    w, rng = c.w, c.rng
    ring = Ring(w, "bonus_abuse", variant)
    home = c.country(region)
    referrers = [c.member(region).id for _ in range(between(rng, 2, 6))]
    for k in range(between(rng, 5, 21)):
        acct = w.new_account(region, home, "crime")
        ctx = w.foreign_ctx(w.device_id("farm", ring.id, k), home, rng)
        acct.usual = ctx
        yield c.honest_hour(acct, 0, DAY)
        opening(
            w,
            acct,
            w.now,
            rng,
            ctx=ctx,
            label=ring.label("perpetrator"),
            referrer=referrers[k % len(referrers)],
        )
        yield between(rng, 10, 240) * MINUTE
        deposit = between(rng, 1000, 5000)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.deposit(w.now, acct, ctx, "TRON", deposit, rng, ring.label("perpetrator"), asset="USDT")
        yield between(rng, 5, 120) * MINUTE
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.trade(w.now, acct, ctx, "TRX", "buy", deposit // 2, None, ring.label("perpetrator"))
        yield c.honest_hour(acct, DAY, 4 * DAY)
        bonus = between(rng, 1000, 5001)
        acct.balance += bonus
        out = w.outside_address("TRON", "farm", ring.id, k)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.withdraw(
            w.now,
            acct,
            ctx,
            "TRON",
            deposit + bonus,
            out,
            rng,
            ring.label("perpetrator", bonus, True),
            "USDT",
        )
