"""Fraud against customers and the exchange: account takeover, scams, fake identities, bonus farms.

Each function is one episode (see ``base.py``). The signals each plants are listed in its
docstring; tests check that every episode carries them.
"""

from __future__ import annotations

from vigil.sim.config import Region
from vigil.sim.crime.base import Crime, Episode, Ring, split
from vigil.sim.crime.claims import mistaken_v2
from vigil.sim.honest import DAY, HOUR, MINUTE, SECOND, kyc_submission, opening, pick_crypto_chain, signup
from vigil.sim.output import cents_str
from vigil.sim.world import Ctx, between


def account_takeover(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """Credential stuffing, then a new device from elsewhere, a password reset, 2FA off, a new
    address in the book and a drain of the balance within the hour.

    Half come through VPN or hosting ranges, a third through a residential proxy abroad, the
    rest (the quiet ones) through a residential proxy in the victim's own country.
    """
    w, rng = c.w, c.rng
    victim = c.victim(region, 20_000)
    if victim is None:
        return
    ring = Ring(w, "account_takeover", variant)
    device = w.device_id("attacker", ring.id)
    style = rng.random()
    if style < 0.5:
        ctx: Ctx = w.vpn_ctx(device, rng)
    elif style < 0.8:
        ctx = w.foreign_ctx(device, c.foreign_country(region), rng)
    else:
        ctx = w.foreign_ctx(device, victim.home, rng)
    for _ in range(between(rng, 0, 4)):
        w.event(
            w.now,
            "login",
            victim,
            ctx,
            ring.label("perpetrator"),
            success=False,
            method="password",
            failure_reason="wrong_password",
        )
        yield between(rng, 3, 60) * SECOND
    if rng.random() < 0.6:
        w.event(w.now, "password_reset", victim, ctx, ring.label("perpetrator"), channel="email")
        yield between(rng, 1, 15) * MINUTE
    w.event(w.now, "login", victim, ctx, ring.label("perpetrator"), success=True, method="password")
    c.logged_in(victim)
    yield between(rng, 1, 10) * MINUTE
    if rng.random() < 0.5:
        w.event(
            w.now, "twofa_changed", victim, ctx, ring.label("perpetrator"), action="disabled", method="totp"
        )
        yield between(rng, 1, 10) * MINUTE
    chain = ("TRON", "BTC", "ETH")[between(rng, 0, 3)]
    destination = w.outside_address(chain, "drop", ring.id)
    yield from c.visit(victim, ctx, ring.label("perpetrator"))
    w.add_to_book(
        w.now, victim, ctx, chain, destination, w.wallet_label(rng, "wallet"), ring.label("perpetrator")
    )
    yield between(rng, 1, 40) * MINUTE
    total = victim.balance * between(rng, 80, 101) // 100
    for cents in split(total, between(rng, 1, 4)):
        if cents <= 0:
            break
        yield from c.visit(victim, ctx, ring.label("perpetrator"))
        w.withdraw(w.now, victim, ctx, chain, cents, destination, rng, ring.label("perpetrator", cents, True))
        yield between(rng, 1, 20) * MINUTE


def scam_victim(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """Pig-butchering: over days, a victim (often a new customer) buys USDT with fiat and sends it
    to a scammer's address (a real one, from ScamSniffer's list), in growing amounts."""
    w, rng = c.w, c.rng
    victim = c.victim(region, 0) if rng.random() < 0.5 else None
    ring = Ring(w, "scam_victim", variant)
    if victim is None:
        victim = signup(w, region, w.now, rng)
        yield between(rng, 1, 3) * DAY
    destination = c.illicit.pick("scam", "ETH", rng.random())
    cents = c.money(30_000, 0.8)
    for round_ in range(between(rng, 2, 7)):
        ctx = w.home_ctx(victim, rng)
        yield from c.visit(victim, ctx, None)
        w.deposit(w.now, victim, ctx, "FIAT", cents, rng)
        yield between(rng, 5, 90) * MINUTE
        yield from c.visit(victim, ctx, None)
        w.trade(w.now, victim, ctx, "USDT", "buy", cents, None, quote=victim.home.currency)
        yield between(rng, 1, 30) * MINUTE
        if round_ == 0:
            yield from c.visit(victim, ctx, None)
            w.add_to_book(
                w.now,
                victim,
                ctx,
                "ETH",
                destination,
                w.wallet_label(rng, "investment platform"),
                ring.label("victim"),
            )
            yield between(rng, 1, 20) * MINUTE
        yield from c.visit(victim, ctx, None)
        w.withdraw(
            w.now, victim, ctx, "ETH", cents, destination, rng, ring.label("victim", cents, True), "USDT"
        )
        cents = cents * between(rng, 130, 260) // 100
        yield between(rng, 1, 5) * DAY + between(rng, 0, 12) * HOUR


def synthetic_identity(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """A batch of accounts opened on fabricated identities: one face or one document reused
    across them, failed liveness and suspected deepfakes at KYC; those that pass are funded
    and emptied (bought-account style) within days."""
    w, rng = c.w, c.rng
    ring = Ring(w, "synthetic_identity", variant)
    face = w.template("face", ring.id)
    document = w.template("document", ring.id)
    device = w.device_id("farm", ring.id)
    home = c.country(region)
    passed = []
    for k in range(between(rng, 2, 7)):
        acct = w.new_account(region, home, "crime")
        ctx = w.foreign_ctx(device, home, rng) if k % 2 else w.vpn_ctx(device, rng)
        label = ring.label("perpetrator")
        # Generator 2: a phone number too (bought SIM cards and virtual numbers), as everyone gives.
        phone = {"phone_hash": w.token(rng)} if w.generator >= 2 else {}
        w.event(w.now, "account_opened", acct, ctx, label, email_hash=w.token(rng), **phone)
        yield between(rng, 2, 30) * MINUTE
        # The first account sets the fabricated face and document; each later one reuses one of them.
        reuse_face = k == 0 or rng.random() < 0.7
        reuse_document = k == 0 or not reuse_face
        kyc_submission(
            w, acct, w.now, ctx, rng, face=face if reuse_face else None,
            document=document if reuse_document else None, label=label,
        )  # fmt: skip
        yield between(rng, 1, 30) * MINUTE
        liveness = rng.random() > 0.4
        deepfake = rng.random() < 0.25
        ok = liveness and not deepfake
        w.event(
            w.now,
            "kyc_result",
            acct,
            ctx,
            label,
            status="approved" if ok else "rejected",
            level=2,
            document_valid=True,
            mrz_valid=rng.random() > 0.2,
            face_match=True,
            liveness_passed=liveness,
            deepfake_suspected=deepfake,
            rejection_reason=None if ok else "liveness",
        )
        if ok:
            passed.append((acct, ctx))
        yield between(rng, 10, 180) * MINUTE
    for acct, ctx in passed:
        yield between(rng, 1, 48) * HOUR
        chain = pick_crypto_chain(region, rng)
        cents = c.money(20_000, 0.7)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.deposit(w.now, acct, ctx, chain, cents, rng, ring.label("perpetrator", cents))
        yield between(rng, 10, 240) * MINUTE
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.withdraw(
            w.now,
            acct,
            ctx,
            chain,
            cents,
            w.outside_address(chain, "cashout", ring.id),
            rng,
            ring.label("perpetrator", cents, True),
        )


def bonus_abuse(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """A bot farm: dozens of sign-ups in an hour from a few data-centre IPs and emulated devices,
    one referrer, minimum deposits, the trades the bonus requires, and every withdrawal to one
    consolidation address. The illicit value is the bonus."""
    w, rng = c.w, c.rng
    ring = Ring(w, "bonus_abuse", variant)
    referrer = c.member(region).id
    home = c.country(region)
    devices = [w.device_id("emulator", ring.id, k) for k in range(between(rng, 2, 5))]
    ips = [w.vpn_ctx(None, rng) for _ in range(between(rng, 1, 3))]
    destination = w.outside_address("TRON", "farm", ring.id)
    farm = []
    for k in range(between(rng, 10, 41)):
        acct = w.new_account(region, home, "crime")
        base = ips[k % len(ips)]
        ctx = Ctx(devices[k % len(devices)], base.ip, base.network, base.geo)
        opening(w, acct, w.now, rng, ctx=ctx, label=ring.label("perpetrator"), referrer=referrer)
        farm.append((acct, ctx))
        yield between(rng, 30, 300) * SECOND
    yield between(rng, 1, 12) * HOUR
    for acct, ctx in farm:
        deposit = between(rng, 1000, 2500)
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.deposit(w.now, acct, ctx, "TRON", deposit, rng, ring.label("perpetrator"), asset="USDT")
        yield between(rng, 1, 10) * MINUTE
        for _ in range(between(rng, 1, 4)):
            yield from c.visit(acct, ctx, ring.label("perpetrator"))
            w.trade(w.now, acct, ctx, "TRX", "buy", deposit // 2, None, ring.label("perpetrator"))
            yield between(rng, 10, 120) * SECOND
        bonus = between(rng, 1000, 5001)
        acct.balance += bonus
        yield from c.visit(acct, ctx, ring.label("perpetrator"))
        w.withdraw(
            w.now,
            acct,
            ctx,
            "TRON",
            deposit + bonus,
            destination,
            rng,
            ring.label("perpetrator", bonus, True),
            "USDT",
        )
        yield between(rng, 30, 600) * SECOND


def mistaken_deposit(c: Crime, region: Region, variant: str | None = None) -> Episode:
    """An honest customer sends a deposit with a wrong memo/tag or on the wrong chain; it cannot be
    credited (so no event), and days later the customer asks for it back: a recovery claim.
    Generator 2 sends the uncredited deposit as an event and plants fraudulent claims (``claims.py``)."""
    if c.w.generator >= 2:
        yield from mistaken_v2(c, region)
        return
    w, rng = c.w, c.rng
    acct = c.victim(region, 0, ("saver", "trader", "merchant"))
    if acct is None:
        return
    wrong_chain = rng.random() < 0.5
    cents = c.money(50_000, 1.0)
    sent = w.now
    if wrong_chain:
        chain, asset = "BSC", "USDT"
        detail: dict[str, object] = {
            "reason": "wrong_chain",
            "chain_expected": "TRON",
            "from_address": w.own_address(acct, "BSC", 0),
        }
    else:
        chain, asset = ("XRP", "XRP") if rng.random() < 0.5 else ("XLM", "XLM")
        detail = {
            "reason": "wrong_memo",
            "memo_sent": str(between(rng, 0, 10**6)),
            "memo_expected": str(100_000 + acct.idx),
        }
    yield between(rng, 1, 10) * DAY
    c.claim(
        {
            "account_id": acct.id,
            "ts": w.out.timestamp(w.now),
            "sent_at": w.out.timestamp(sent),
            "chain": chain,
            "asset": asset,
            "fiat_value": cents_str(cents),
            "tx_hash": w.tx("ETH" if chain == "BSC" else chain),
            **detail,
        }
    )
