"""A small, seeded stream of exchange events with a few planted patterns, for the demo and benchmarks.

Honest accounts open, pass KYC, log in, deposit, trade and withdraw at their own pace. Planted
among them, with fixed shares: account takeover (new device from another country, password
reset, new address, drain), pass-through (deposit withdrawn within the hour, no trade),
structuring (several deposits just under 1,000), a ring sharing one device, logins over Tor, and a
privacy-coin purchase right after a deposit. The same seed gives the same events.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from vigil.model import (
    AccountOpened,
    AddressBookAction,
    AddressBookChanged,
    Chain,
    Deposit,
    Event,
    Geo,
    KycResult,
    KycStatus,
    KycSubmitted,
    Login,
    NetworkOrigin,
    PasswordReset,
    Rail,
    Side,
    Trade,
    Withdrawal,
)

START = datetime(2026, 1, 5, tzinfo=UTC)
REGIONS = {  # region: (country, a city's latitude, longitude)
    "ID": ("ID", -6.2, 106.8),
    "SEA": ("VN", 10.8, 106.7),
    "SA": ("IN", 19.1, 72.9),
    "CIS": ("KZ", 43.2, 76.9),
    "LATAM": ("BR", -23.5, -46.6),
    "EU": ("DE", 52.5, 13.4),
    "AF": ("NG", 6.5, 3.4),
    "NA": ("US", 40.7, -74.0),
}
PRICES = {"BTC": Decimal(60000), "ETH": Decimal(3000), "USDT": Decimal(1), "XMR": Decimal(150)}
DECIMALS = {"BTC": 8, "ETH": 18, "USDT": 6, "XMR": 12}
CHAINS = {"BTC": Chain.BTC, "ETH": Chain.ETH, "USDT": Chain.TRON, "XMR": Chain.XMR}


class _Account:
    def __init__(self, rng: random.Random, n: int) -> None:
        self.id = f"acc-{n:06d}"
        self.region = rng.choice(list(REGIONS))
        self.country, lat, lon = REGIONS[self.region]
        self.geo = Geo(round(lat + rng.uniform(-0.5, 0.5), 3), round(lon + rng.uniform(-0.5, 0.5), 3))
        self.device = f"dev-{rng.getrandbits(48):012x}"
        self.ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        self.scale = Decimal(rng.choice([50, 100, 300, 1000, 3000]))
        self.address = "0x" + f"{rng.getrandbits(160):040x}"


class _Stream:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.events: list[Event] = []
        self.n = 0

    def _id(self) -> str:
        self.n += 1
        return f"ev-{self.n:09d}"

    def base(self, a: _Account, t: datetime, **over: object) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "event_id": self._id(),
            "account_id": a.id,
            "ts": t,
            "region": a.region,
            "country": a.country,
            "device_id": a.device,
            "ip": a.ip,
            "geo": a.geo,
            "network": NetworkOrigin(country=a.country),
        }
        fields.update(over)
        return fields

    def money(self, asset: str, fiat: Decimal) -> tuple[int, Decimal]:
        units = int(fiat / PRICES[asset] * (10 ** DECIMALS[asset]))
        return max(units, 1), fiat.quantize(Decimal("0.01"))

    def onboarding(self, a: _Account, t: datetime) -> datetime:
        self.events.append(AccountOpened(**self.base(a, t)))
        t += timedelta(minutes=5)
        self.events.append(
            KycSubmitted(
                **self.base(a, t),
                level=1,
                document_type="passport",
                document_country=a.country,
                birth_year=self.rng.randint(1950, 2004),
                expected_monthly_volume_fiat=a.scale * 10,
                declared_annual_income_fiat=a.scale * 200,
            )
        )
        t += timedelta(minutes=30)
        self.events.append(
            KycResult(
                **self.base(a, t),
                status=KycStatus.APPROVED,
                document_valid=True,
                mrz_valid=True,
                face_match=True,
                liveness_passed=True,
            )
        )
        return t

    def deposit(self, a: _Account, t: datetime, fiat: Decimal, asset: str = "USDT", **over: object) -> None:
        amount, value = self.money(asset, fiat)
        self.events.append(
            Deposit(
                **self.base(a, t, **over),
                rail=Rail.CRYPTO,
                asset=asset,
                amount=amount,
                fiat_value=value,
                chain=CHAINS[asset],
                source_address="T" + f"{self.rng.getrandbits(160):033x}"[:33],
            )
        )

    def withdraw(self, a: _Account, t: datetime, fiat: Decimal, address: str, **over: object) -> None:
        amount, value = self.money("ETH", fiat)
        self.events.append(
            Withdrawal(
                **self.base(a, t, **over),
                rail=Rail.CRYPTO,
                asset="ETH",
                amount=amount,
                fiat_value=value,
                chain=Chain.ETH,
                destination_address=address,
            )
        )

    def trade(
        self,
        a: _Account,
        t: datetime,
        fiat: Decimal,
        asset: str = "BTC",
        side: Side = Side.BUY,
        counterparty: str | None = None,
    ) -> None:
        qty, value = self.money(asset, fiat)
        self.events.append(
            Trade(
                **self.base(a, t),
                pair=f"{asset}/USDT",
                side=side,
                price=PRICES[asset],
                quantity=qty,
                fiat_value=value,
                counterparty_account_id=counterparty,
            )
        )

    def honest(self, a: _Account, t: datetime, days: int) -> None:
        end = t + timedelta(days=days)
        book_added = False
        while True:
            t += timedelta(hours=self.rng.expovariate(1 / 14))
            if t >= end:
                return
            kind = self.rng.random()
            if kind < 0.35:
                self.events.append(Login(**self.base(a, t), success=self.rng.random() > 0.05))
            elif kind < 0.55:
                self.deposit(a, t, a.scale * Decimal(self.rng.uniform(0.5, 2.0)))
            elif kind < 0.85:
                side = Side.BUY if self.rng.random() < 0.6 else Side.SELL
                self.trade(
                    a, t, a.scale * Decimal(self.rng.uniform(0.2, 1.0)), self.rng.choice(["BTC", "ETH"]), side
                )
            else:
                if not book_added:
                    self.events.append(
                        AddressBookChanged(
                            **self.base(a, t),
                            action=AddressBookAction.ADD,
                            chain=Chain.ETH,
                            address=a.address,
                        )
                    )
                    book_added = True
                    t += timedelta(days=2)
                self.withdraw(a, t, a.scale * Decimal(self.rng.uniform(0.3, 1.0)), a.address)

    def takeover(self, a: _Account, t: datetime) -> None:
        thief = {
            "device_id": f"dev-{self.rng.getrandbits(48):012x}",
            "ip": "203.0.113.7",
            "geo": Geo(55.75, 37.62),
            "network": NetworkOrigin(country="RU", is_vpn=True),
        }
        self.events.append(Login(**self.base(a, t, **thief), success=True))
        self.events.append(PasswordReset(**self.base(a, t + timedelta(minutes=3), **thief)))
        drain = "0x" + f"{self.rng.getrandbits(160):040x}"
        self.events.append(
            AddressBookChanged(
                **self.base(a, t + timedelta(minutes=6), **thief),
                action=AddressBookAction.ADD,
                chain=Chain.ETH,
                address=drain,
            )
        )
        self.withdraw(a, t + timedelta(minutes=9), a.scale * 8, drain, **thief)

    def passthrough(self, a: _Account, t: datetime) -> None:
        self.deposit(a, t, Decimal(4800))
        self.withdraw(a, t + timedelta(minutes=40), Decimal(4750), "0x" + f"{self.rng.getrandbits(160):040x}")

    def structuring(self, a: _Account, t: datetime) -> None:
        for k in range(4):
            self.deposit(a, t + timedelta(hours=2 * k), Decimal(self.rng.uniform(930, 995)))

    def tor_login(self, a: _Account, t: datetime) -> None:
        self.events.append(
            Login(
                **self.base(a, t, network=NetworkOrigin(country="NL", is_tor=True)),
                success=True,
            )
        )

    def privacy_after_deposit(self, a: _Account, t: datetime) -> None:
        self.deposit(a, t, Decimal(2000), "BTC")
        self.trade(a, t + timedelta(hours=1), Decimal(1900), "XMR")


def example_stream(n_accounts: int = 60, days: int = 14, seed: int = 7) -> Iterator[Event]:
    """Events of ``n_accounts`` over ``days`` days, in time order."""
    s = _Stream(seed)
    rng = s.rng
    accounts = [_Account(rng, i) for i in range(n_accounts)]
    ring_device = f"dev-ring-{seed}"
    for i, a in enumerate(accounts):
        t = START + timedelta(hours=rng.uniform(0, 48))
        if i % 12 == 5:  # a ring: several accounts on one device
            a.device = ring_device
        t = s.onboarding(a, t)
        s.honest(a, t, days)
        middle = t + timedelta(days=rng.uniform(3, days - 1))
        planted = {
            0: s.takeover,
            3: s.passthrough,
            7: s.structuring,
            9: s.tor_login,
            11: s.privacy_after_deposit,
        }
        if i % 12 in planted:
            planted[i % 12](a, middle)
    s.events.sort(key=lambda e: (e.ts, e.event_id))
    return iter(s.events)
