"""Generator 2's funds sent by mistake: the uncredited deposit as an event, the customer's claim with its
proof, and fraudulent claims (labelled in the claims file's ``truth`` column, never in an event).

A customer's mistake (shares in ``MISTAKES``): USDT sent on BSC to their own Ethereum deposit address
(the exchange controls the key but does not credit BSC there), an unlisted ERC-20 token sent to that
address, or XRP/XLM sent from another platform to the exchange's shared address with a wrong or no
memo (the deposit lands in the suspense account). The exchange sends the deposit with ``uncredited``
set; 1-10 days later the customer claims it: a signature by the sending address (EIP-191, from a key
the simulator derives) for the EVM mistakes, the withdrawal history from the other platform for the
memo ones.

Fraud (``FALSE_CLAIMS`` of mistaken deposits draw one, of a kind by ``FALSE_CLAIM_KINDS``): someone who
watched the chain claims the deposit with a signature by their own key (``forged_signature``), with
the customer's published signature and nonce (``replayed_signature``), with an inflated amount
(``inflated_amount``), with withdrawal evidence copied from the chain (``copied_history``: only the
sending platform can tell it from the real one), or claims a credited deposit of their own
(``credited_deposit``) or a transaction that never reached the exchange (``unknown_tx``). And
``LISTED_SOURCE`` of mistakes are laundering dressed as one: the deposit comes from a listed address
and its sender claims it. No public figure gives these shares; they are choices (docs/simulator.md,
"Claims"), made so that every kind appears in a benchmark run.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from coincurve import PrivateKey
from Crypto.Hash import keccak

from vigil.model.claims import claim_message
from vigil.screening.chains import base58, stellar
from vigil.sim.addresses import digest
from vigil.sim.config import Region
from vigil.sim.crime.base import Crime, Episode
from vigil.sim.honest import DAY
from vigil.sim.world import Account, World, between

MISTAKES = {"wrong_chain": 0.4, "unlisted_token": 0.1, "wrong_memo": 0.4, "missing_memo": 0.1}
FALSE_CLAIMS = 0.3  # of mistaken deposits, someone else also claims (or a fraud on the side is filed)
LISTED_SOURCE = 0.04  # of mistakes: laundering dressed as a mistake, from a listed address
FALSE_CLAIM_KINDS = {
    "forged_signature": 0.3,
    "replayed_signature": 0.1,
    "inflated_amount": 0.2,
    "copied_history": 0.1,
    "credited_deposit": 0.15,
    "unknown_tx": 0.15,
}
PLATFORMS = ("Kraken", "Coinbase", "OKX", "Bitstamp", "Bybit")
TOKENS = ("PEPE", "FLOKI", "TURBO")
# cents per whole unit, and decimals, of the assets only this module sends
_PRICE = {"XRP": 60, "XLM": 12, "PEPE": 1, "FLOKI": 2, "TURBO": 1}
_DECIMALS = {"XRP": 6, "XLM": 7, "PEPE": 18, "FLOKI": 9, "TURBO": 18}


def _keccak(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def _key(w: World, *parts: object) -> PrivateKey:
    return PrivateKey(hashlib.sha256("|".join(map(str, (w.seed, "claim-key", *parts))).encode()).digest())


def _evm(k: PrivateKey) -> str:
    return "0x" + _keccak(k.public_key.format(compressed=False)[1:])[-20:].hex()


def _sign(k: PrivateKey, message: str) -> str:
    data = message.encode()
    digest = _keccak(b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data)
    sig = k.sign_recoverable(digest, hasher=None)
    return "0x" + (sig[:64] + bytes([sig[64] + 27])).hex()


def _ledger_address(w: World, chain: str, *parts: object) -> str:
    h = hashlib.blake2b("|".join(map(str, (w.seed, chain, *parts))).encode(), digest_size=32).digest()
    if chain == "XRP":
        return base58.encode_check(b"\x00" + h[:20], base58.RIPPLE)
    return stellar.encode(stellar.ACCOUNT_VERSION, h)


def _units(asset: str, cents: int) -> int:
    return max(1, cents * int(10 ** _DECIMALS[asset]) // _PRICE[asset])


def _deposit(w: World, acct: Account, account_id: str, ts: int, **fields: Any) -> None:
    ev = World._base("deposit", acct, w.usual(acct))
    if account_id != acct.id:  # the suspense account: an arrival on chain, no session, no device
        ev.update(account_id=account_id, country=None, device_id=None, ip=None, geo=None, network=None)
    ev.update(fields)
    w.out.push(ts, ev, None)


def _pick(rng_value: float, shares: dict[str, float]) -> str:
    for name, share in shares.items():
        if rng_value < share:
            return name
        rng_value -= share
    return next(iter(shares))


def mistaken_v2(c: Crime, region: Region) -> Episode:
    w, shared = c.w, c.rng
    acct = c.victim(region, 0, ("saver", "trader", "merchant"))
    if acct is None:
        return
    # The draws version 2 made from the shared generator before it planted claims, kept as they were
    # (and when they were), so that the rest of the world is the same; everything new draws from
    # ``rng``, this episode's own generator.
    wrong_chain = shared.random() < 0.5
    cents = c.money(50_000, 1.0)
    if not wrong_chain:
        shared.random()
        between(shared, 0, 10**6)
    wait = between(shared, 1, 10) * DAY
    rng = random.Random(int.from_bytes(digest(w.seed, "claims", acct.idx, w.now, size=8), "big"))
    mistake = _pick(rng.random(), MISTAKES)
    listed = rng.random() < LISTED_SOURCE
    sent = w.now
    fiat = f"{cents // 100}.{cents % 100:02d}"
    key = _key(w, acct.idx, w.txs)
    evm = mistake in ("wrong_chain", "unlisted_token")
    platform = PLATFORMS[between(rng, 0, len(PLATFORMS))]  # where a memo mistake's withdrawal left
    if evm:
        chain = "BSC" if mistake == "wrong_chain" else "ETH"
        asset = "USDT" if mistake == "wrong_chain" else TOKENS[between(rng, 0, len(TOKENS))]
        amount = cents * 10**18 // 100 if asset == "USDT" else _units(asset, cents)
        source = _evm(key)
        to, memo, account_id = w.own_address(acct, "ETH", 0), None, acct.id
    else:
        chain = asset = "XRP" if rng.random() < 0.5 else "XLM"
        amount = _units(asset, cents)
        source = _ledger_address(w, chain, "platform", platform)
        to, account_id = _ledger_address(w, chain, "exchange"), "suspense"
        memo = None if mistake == "missing_memo" else str(between(rng, 0, 10**6))
    if listed:
        if evm and "ETH" in c.illicit.chains("sanctioned"):
            source = c.illicit.pick("sanctioned", "ETH", rng.random())
        else:
            listed = False
    tx = w.tx("ETH" if chain == "BSC" else chain)
    arrived = sent + between(rng, 5, 120) * 1_000_000
    _deposit(w, acct, account_id, arrived, rail="crypto", asset=asset, amount=amount, fiat_value=fiat,
             chain=chain, tx_hash=tx, source_address=source, uncredited=mistake, deposit_address=to,
             **({"memo": memo} if memo is not None else {}))  # fmt: skip
    base = {"chain": chain, "asset": asset, "fiat_value": fiat, "tx_hash": tx, "reason": mistake}
    nonce = f"n-{hashlib.blake2b(f'{w.seed}|{tx}'.encode(), digest_size=8).hexdigest()}"
    history: dict[str, Any] = {
        "kind": "history", "platform": platform,
        "withdrawal_id": f"W{rng.getrandbits(40):010x}", "sent_at": w.out.timestamp(sent),
        "amount": str(amount), "asset": asset, "to_address": to, **({"memo": memo} if memo else {}),
    }  # fmt: skip
    if evm and not listed:
        signature = _sign(key, claim_message(chain, tx, acct.id, nonce))
        proof: dict[str, Any] = {"kind": "signature", "address": source, "nonce": nonce}
        proof["signature"] = signature
    else:
        proof = history
    fraud = _pick(rng.random(), FALSE_CLAIM_KINDS) if rng.random() < FALSE_CLAIMS else None
    if fraud in ("forged_signature", "replayed_signature") and not evm:
        fraud = "copied_history"
    thief = c.member(region, rng)
    first = between(rng, 1, 48) * 3600 * 1_000_000
    if fraud is not None and fraud != "replayed_signature" and rng.random() < 0.5 and first < wait:
        yield first  # the thief claims before the customer does
        _fraud(c, rng, thief, fraud, base, amount, source, proof, history)
        fraud, wait = None, wait - first
    yield wait
    truth = "listed_source" if listed else "genuine"
    c.claim({"account_id": acct.id, "ts": w.out.timestamp(w.now), "sent_at": w.out.timestamp(sent),
             "amount": str(amount), **base, "proof": proof, "truth": truth})  # fmt: skip
    if fraud is not None:
        yield between(rng, 1, 72) * 3600 * 1_000_000
        _fraud(c, rng, thief, fraud, base, amount, source, proof, history)


def _fraud(
    c: Crime,
    rng: random.Random,
    thief: Account,
    kind: str,
    base: dict[str, Any],
    amount: int,
    source: str,
    proof: dict[str, Any],
    history: dict[str, Any],
) -> None:
    """File the fraudulent claim ``kind`` on the deposit ``base`` names, by ``thief``."""
    w = c.w
    claim: dict[str, Any] = {
        "account_id": thief.id,
        "ts": w.out.timestamp(w.now),
        **base,
        "amount": str(amount),
    }
    copied = {**history, "platform": PLATFORMS[between(rng, 0, len(PLATFORMS))],
              "withdrawal_id": f"W{rng.getrandbits(40):010x}"}  # fmt: skip
    if kind == "forged_signature":
        own = _key(w, "thief", thief.idx)
        nonce = f"n-{rng.getrandbits(64):016x}"
        message = claim_message(base["chain"], base["tx_hash"], thief.id, nonce)
        claim["proof"] = {
            "kind": "signature",
            "address": source,
            "nonce": nonce,
            "signature": _sign(own, message),
        }
    elif kind == "replayed_signature":
        claim["proof"] = dict(proof)  # the customer's signature and nonce, as shown to a fake "support agent"
    elif kind == "inflated_amount":
        bigger = amount * between(rng, 15, 31) // 10
        claim["amount"] = str(bigger)
        claim["proof"] = {**copied, "amount": str(bigger)}
    elif kind == "copied_history":
        claim["proof"] = copied
    elif kind == "credited_deposit":
        tx = w.tx("ETH")
        cents = max(1000, int(rng.lognormvariate(0.0, 1.0) * 50_000))
        units = cents * 10**18 // 100
        w.event(w.now, "deposit", thief, w.usual(thief), None, rail="crypto", asset="USDT", amount=units,
                fiat_value=f"{cents // 100}.{cents % 100:02d}", chain="BSC", tx_hash=tx,
                source_address=w.outside_address("BSC", "src", thief.idx, 0))  # fmt: skip
        thief.balance += cents
        claim.update(
            {"chain": "BSC", "asset": "USDT", "tx_hash": tx, "amount": str(units), "reason": "wrong_chain"}
        )
        claim["fiat_value"] = f"{cents // 100}.{cents % 100:02d}"
        evidence = {k: v for k, v in copied.items() if k not in ("to_address", "memo")}
        claim["proof"] = {**evidence, "asset": "USDT", "amount": str(units)}
    else:  # unknown_tx
        claim["tx_hash"] = w.tx("ETH" if base["chain"] == "BSC" else base["chain"])
        claim["proof"] = copied
    c.claim({**claim, "truth": kind})
