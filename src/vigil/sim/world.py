"""The simulated exchange: accounts, where they connect from, and how events are written.

Identifiers are derived, not stored: device ids, IPs, addresses and face or document templates
are digests of (seed, owner, n). An account holds its region, residence, kind, balance (integer
cents), a few counters and its usual connection (derived on first use and kept, since every
session needs it), so a million accounts fit in about a gigabyte.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any

from vigil.sim.addresses import address, digest, tx_hash
from vigil.sim.config import WALLET_LABELS, Country, Region
from vigil.sim.output import Event, Label, Output, cents_str

# Prices in US cents and base-unit decimals: a fixed snapshot (January 2026 orders of magnitude).
PRICE_CENTS = {"BTC": 6_000_000, "ETH": 300_000, "USDT": 100, "BNB": 60_000, "TRX": 12}
ASSET_DECIMALS = {"BTC": 8, "ETH": 18, "USDT": 6, "BNB": 18, "TRX": 6}
CHAIN_DECIMALS = {("BSC", "USDT"): 18}  # where a token's contract differs from its usual decimals
# Assets moved on each chain; a repeated entry is a more likely draw (USDT on TRON).
CHAIN_ASSETS = {
    "BTC": ("BTC",),
    "ETH": ("ETH", "USDT"),
    "TRON": ("USDT", "USDT", "TRX"),
    "BSC": ("USDT", "BNB"),
}
# Local currency units per US dollar (orders of magnitude of January 2026), for fiat deposits.
FX = {
    "IDR": 16_000,
    "VND": 25_000,
    "THB": 35,
    "PHP": 57,
    "MYR": 4,
    "INR": 85,
    "PKR": 280,
    "BDT": 120,
    "KZT": 500,
    "UZS": 12_800,
    "GEL": 3,
    "AMD": 390,
    "BRL": 6,
    "ARS": 1_000,
    "MXN": 20,
    "COP": 4_300,
    "EUR": 1,
    "PLN": 4,
    "NGN": 1_600,
    "KES": 130,
    "ZAR": 18,
    "USD": 1,
    "CAD": 1,
}
# Where VPN and hosting traffic appears to come from (exit country, latitude, longitude).
VPN_EXITS = (
    ("NL", 52.4, 4.9),
    ("US", 39.0, -77.5),
    ("SG", 1.35, 103.8),
    ("DE", 50.1, 8.7),
    ("GB", 51.5, -0.1),
)
_PRICE_STR: dict[tuple[str, str], str] = {}
TOR_PREFIX = "185.220"  # a range well known for Tor exit relays
HOSTING_PREFIXES = ("45.83", "104.244", "138.199", "146.70")


@functools.lru_cache(maxsize=100_000)
def _address(seed: int, kind: str, chain: str, *parts: object) -> str:
    """Addresses are used again and again (own wallets, usual sources): derive each once."""
    return address(chain, digest(seed, kind, chain, *parts))


def usdt_units(cents: int) -> int:
    """Base units (6 decimals) of USDT worth ``cents`` at its peg."""
    return cents * 10_000


def between(rng: random.Random, lo: int, hi: int) -> int:
    """A uniform integer in [lo, hi): ``randrange`` at a tenth of its cost, on the hot path."""
    return lo + int(rng.random() * (hi - lo))


def ip_block(country: str, k: int) -> str:
    """One of a country's simulated /16 blocks (public-looking, stable per country)."""
    d = digest("block", country, k, size=2)
    return f"{11 + d[0] % 180}.{d[1]}"


class Account:
    __slots__ = (
        "balance",
        "book",
        "country",
        "devices",
        "habit",
        "home",
        "id",
        "idx",
        "kind",
        "region",
        "usual",
        "vpn",
    )

    def __init__(self, idx: int, region: Region, home: Country, kind: str, vpn: bool) -> None:
        self.idx = idx
        self.id = f"a{idx:08d}"
        self.region = region
        self.home = home
        self.country = home.code
        self.kind = kind
        self.habit = kind  # the kind it opened as: a criminal who takes it over keeps its habits
        self.vpn = vpn
        self.balance = 0
        self.devices = 1  # devices seen so far; device k is World.device_id(account id, k)
        self.book = 0  # own withdrawal addresses in the address book so far
        self.usual: Ctx | None = None  # usual device, IP and place, derived on first use


class Ctx:
    """Where one session connects from: device, IP, and the exchange's own IP intelligence."""

    __slots__ = ("device", "geo", "ip", "network")

    def __init__(self, device: str | None, ip: str, network: dict[str, Any], geo: dict[str, float]) -> None:
        self.device = device
        self.ip = ip
        self.network = network
        self.geo = geo


class World:
    """Shared state and event builders for honest sessions and crime episodes."""

    def __init__(self, seed: int, out: Output) -> None:
        self.seed = seed
        self.out = out
        self.accounts: list[Account] = []
        self.regions: tuple[Region, ...] = ()
        self.now = 0
        self.rings = 0
        self.last_ring = ""  # the id ring_id gave last
        self.txs = 0
        self.on_account: Callable[[Account], None] | None = None  # the run's visit schedule listens
        self.generator = 1  # the generator version; 2 changes a few honest draws (see honest.py)

    # ---- identifiers -------------------------------------------------------------------------
    def device_id(self, *parts: object) -> str:
        return "d" + digest(self.seed, "dev", *parts, size=10).hex()

    def own_address(self, acct: Account, chain: str, k: int) -> str:
        return _address(self.seed, "own", chain, acct.idx, k)

    def outside_address(self, chain: str, *parts: object) -> str:
        return _address(self.seed, "ext", chain, *parts)

    def template(self, *parts: object) -> str:
        """A stable face or document template id, shared by whoever reuses that identity."""
        return digest(self.seed, "template", *parts, size=10).hex()

    def token(self, rng: random.Random) -> str:
        """A random 80-bit hex token (an e-mail or phone hash, a document or face template id)."""
        return f"{rng.getrandbits(80):020x}"

    def tx(self, chain: str) -> str:
        self.txs += 1
        return tx_hash(chain, digest(self.seed, "tx", chain, self.txs, size=32))

    def ring_id(self, typology: str) -> str:
        self.rings += 1
        self.last_ring = f"{typology}-{self.rings:06d}"
        return self.last_ring

    # ---- where a session comes from ----------------------------------------------------------
    def usual(self, acct: Account) -> Ctx:
        """The account's usual device, address and location, derived once and kept."""
        if acct.usual is None:
            h = acct.home
            d = digest(self.seed, "ip", acct.idx, size=3)
            ip = f"{ip_block(h.code, d[0] % 4)}.{d[1]}.{1 + d[2] % 254}"
            geo = {"lat": round(h.lat + (d[1] - 128) / 512, 3), "lon": round(h.lon + (d[2] - 128) / 512, 3)}
            acct.usual = Ctx(self.device_id(acct.id, 0), ip, {"country": h.code}, geo)
        return acct.usual

    def home_ctx(self, acct: Account, rng: random.Random, *, device: int | None = None) -> Ctx:
        """A session from the account's own device and country (sometimes through its VPN)."""
        rand = rng.random
        k = int(rand() * acct.devices) if device is None else device
        usual = self.usual(acct)
        dev = usual.device if k == 0 else self.device_id(acct.id, k)
        if acct.vpn and rand() < 0.6:
            return self.vpn_ctx(dev, rng)
        if rand() < 0.35:  # a mobile carrier's NAT: another address from the same block
            ip = f"{usual.ip.rsplit('.', 2)[0]}.{int(rand() * 256)}.{1 + int(rand() * 254)}"
            return Ctx(dev, ip, usual.network, usual.geo)
        return usual if k == 0 else Ctx(dev, usual.ip, usual.network, usual.geo)

    def vpn_ctx(self, device: str | None, rng: random.Random, *, tor: bool = False) -> Ctx:
        if tor:
            ip = f"{TOR_PREFIX}.{between(rng, 0, 256)}.{between(rng, 1, 255)}"
            code, lat, lon = VPN_EXITS[between(rng, 0, len(VPN_EXITS))]
            return Ctx(device, ip, {"country": code, "is_tor": True}, {"lat": lat, "lon": lon})
        prefix = HOSTING_PREFIXES[between(rng, 0, len(HOSTING_PREFIXES))]
        code, lat, lon = VPN_EXITS[between(rng, 0, len(VPN_EXITS))]
        ip = f"{prefix}.{between(rng, 0, 256)}.{between(rng, 1, 255)}"
        return Ctx(
            device, ip, {"country": code, "is_vpn": True, "is_hosting": True}, {"lat": lat, "lon": lon}
        )

    def foreign_ctx(self, device: str | None, country: Country, rng: random.Random) -> Ctx:
        """A residential connection in another country (an attacker, or a traveller)."""
        ip = f"{ip_block(country.code, between(rng, 0, 4))}.{between(rng, 0, 256)}.{between(rng, 1, 255)}"
        geo = {"lat": round(country.lat + rng.uniform(-0.2, 0.2), 3), "lon": round(country.lon, 3)}
        return Ctx(device, ip, {"country": country.code}, geo)

    # ---- events ------------------------------------------------------------------------------
    @staticmethod
    def _base(kind: str, acct: Account, ctx: Ctx) -> Event:
        """The fields every event has, in wire order; ``event_id`` and ``ts`` are set on output."""
        return {
            "type": kind,
            "event_id": None,
            "account_id": acct.id,
            "ts": None,
            "region": acct.region.name,
            "country": acct.country,
            "device_id": ctx.device,
            "ip": ctx.ip,
            "geo": ctx.geo,
            "network": ctx.network,
        }

    def event(
        self, ts: int, kind: str, acct: Account, ctx: Ctx, truth: Label | None = None, **fields: Any
    ) -> None:
        ev = self._base(kind, acct, ctx)
        ev.update(fields)
        self.out.push(ts, ev, truth)

    def add_to_book(
        self,
        ts: int,
        acct: Account,
        ctx: Ctx,
        chain: str,
        address: str,
        name: str,
        truth: Label | None = None,
    ) -> None:
        """The account adds ``address`` on ``chain`` to its withdrawal address book."""
        self.event(ts, "address_book_changed", acct, ctx, truth, action="add", chain=chain, address=address,
                   label=name)  # fmt: skip

    def wallet_label(self, rng: random.Random, v1: str) -> str:
        """The name an address-book entry gets: ``v1`` in version 1; in version 2 a draw from one
        distribution (``WALLET_LABELS``) for everyone, honest or not."""
        if self.generator == 1:
            return v1
        r = rng.random()
        for name, share in WALLET_LABELS:
            if r < share:
                return name
            r -= share
        return WALLET_LABELS[-1][0]

    def someone_else(self, acct: Account, rng: random.Random) -> str | None:
        """Any account but this one (None when the draw hits itself): a counterparty."""
        other = self.accounts[int(rng.random() * len(self.accounts))]
        return other.id if other is not acct else None

    def crypto(self, chain: str, asset: str, cents: int) -> dict[str, Any]:
        """Amount fields of a crypto movement worth ``cents`` (base units, at the snapshot price)."""
        decimals = CHAIN_DECIMALS.get((chain, asset), ASSET_DECIMALS[asset])
        amount = max(1, cents * 10**decimals // PRICE_CENTS[asset])
        return {
            "rail": "crypto",
            "asset": asset,
            "amount": amount,
            "fiat_value": cents_str(cents),
            "chain": chain,
        }

    def fiat(self, acct: Account, cents: int) -> dict[str, Any]:
        """Amount fields of a bank transfer worth ``cents`` in the account's local currency."""
        cur = acct.home.currency
        return {
            "rail": "fiat",
            "asset": cur,
            "amount": max(1, cents * FX[cur]),
            "fiat_value": cents_str(cents),
            "payment_method": "bank_transfer",
        }

    def p2p(self, acct: Account, cents: int, method: str = "bank_transfer") -> dict[str, Any]:
        """Amount fields of a completed P2P order of USDT against the account's local currency."""
        return {
            "asset": "USDT",
            "amount": max(1, usdt_units(cents)),
            "fiat_value": cents_str(cents),
            "fiat_currency": acct.home.currency,
            "payment_method": method,
            "status": "released",
        }

    def deposit(
        self,
        ts: int,
        acct: Account,
        ctx: Ctx,
        chain: str,
        cents: int,
        rng: random.Random,
        truth: Label | None = None,
        source: str | None = None,
        asset: str | None = None,
    ) -> None:
        acct.balance += cents
        if chain == "FIAT":
            self.event(ts, "deposit", acct, ctx, truth, **self.fiat(acct, cents))
            return
        asset = asset or CHAIN_ASSETS[chain][between(rng, 0, len(CHAIN_ASSETS[chain]))]
        src = source or self.outside_address(chain, "src", acct.idx, between(rng, 0, 3))
        self.event(
            ts,
            "deposit",
            acct,
            ctx,
            truth,
            **self.crypto(chain, asset, cents),
            tx_hash=self.tx(chain),
            source_address=src,
        )

    def withdraw(
        self,
        ts: int,
        acct: Account,
        ctx: Ctx,
        chain: str,
        cents: int,
        destination: str | None,
        rng: random.Random,
        truth: Label | None = None,
        asset: str | None = None,
    ) -> None:
        acct.balance -= cents
        if chain == "FIAT":
            self.event(ts, "withdrawal", acct, ctx, truth, **self.fiat(acct, cents))
            return
        asset = asset or CHAIN_ASSETS[chain][between(rng, 0, len(CHAIN_ASSETS[chain]))]
        self.event(
            ts,
            "withdrawal",
            acct,
            ctx,
            truth,
            **self.crypto(chain, asset, cents),
            destination_address=destination,
        )

    def sell_p2p(
        self, ts: int, acct: Account, ctx: Ctx, cents: int, buyer: str | None, truth: Label | None = None
    ) -> None:
        """The account sells USDT worth ``cents`` P2P to ``buyer`` for local currency (the value leaves)."""
        acct.balance -= cents
        self.event(ts, "p2p_order", acct, ctx, truth, side="sell", **self.p2p(acct, cents),
                   counterparty_account_id=buyer)  # fmt: skip

    def trade(
        self,
        ts: int,
        acct: Account,
        ctx: Ctx,
        base: str,
        side: str,
        cents: int,
        counterparty: str | None,
        truth: Label | None = None,
        quote: str = "USDT",
    ) -> None:
        price = _PRICE_STR.get((base, quote))
        if price is None:
            price = _PRICE_STR[base, quote] = cents_str(
                PRICE_CENTS[base] * (1 if quote == "USDT" else FX[quote])
            )
        ev = self._base("trade", acct, ctx)
        ev["pair"] = base + "/" + quote
        ev["side"] = side
        ev["price"] = price
        ev["quantity"] = max(1, cents * 10 ** ASSET_DECIMALS[base] // PRICE_CENTS[base])
        ev["fiat_value"] = cents_str(cents)
        if counterparty is not None:
            ev["counterparty_account_id"] = counterparty
        self.out.push(ts, ev, truth)

    def new_account(self, region: Region, home: Country, kind: str, *, vpn: bool = False) -> Account:
        acct = Account(len(self.accounts), region, home, kind, vpn)
        self.accounts.append(acct)
        if self.on_account is not None:
            self.on_account(acct)
        return acct
