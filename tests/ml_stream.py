"""A small labelled exchange for the ML tests: honest savers, and takeovers that cash out at once.

Honest accounts deposit, log in from their own device and withdraw a part to their own address now and
then. A taken-over account (one in ``bad_every``) is, from its takeover day on, logged into from a new
device and IP, and withdraws most of its balance to a new address within minutes: those withdrawals are
labelled illicit. Region ``EU`` and ``SEA``; with ``drift``, SEA's takeovers switch to small repeated
withdrawals late in the stream (a typology the early data does not show).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from vigil.model import Chain, Deposit, Event, Login, Rail, Withdrawal
from vigil.model.learning import Label

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def stream(
    accounts: int = 300, days: int = 20, *, seed: int = 1, bad_every: int = 8, drift: bool = False
) -> tuple[list[Event], list[Label]]:
    rng = random.Random(seed)
    out: list[tuple[datetime, int, Event]] = []
    labels: list[Label] = []
    n = 0

    def add(ts: datetime, event_cls: type[Event], account: str, **kw: object) -> Event:
        nonlocal n
        n += 1
        event = event_cls(event_id=f"e{n}", account_id=account, ts=ts, **kw)  # type: ignore[arg-type]
        out.append((ts, n, event))
        return event

    for i in range(accounts):
        account = f"acct{i}"
        region = "EU" if i % 2 == 0 else "SEA"
        base = {"region": region, "country": "DE" if region == "EU" else "SG"}
        home = {"device_id": f"dev{i}", "ip": f"10.{i // 250}.{i % 250}.1"}
        bad = i % bad_every == 0
        takeover = rng.randint(days // 3, days - 2) if bad else days + 1
        for day in range(days):
            when = T0 + timedelta(days=day, hours=rng.uniform(8, 20))
            if rng.random() < 0.5:
                add(when, Login, account, success=True, **base, **home)
            if rng.random() < 0.3:
                add(
                    when + timedelta(minutes=5),
                    Deposit,
                    account,
                    rail=Rail.CRYPTO,
                    asset="USDT",
                    amount=10**8,
                    fiat_value=Decimal(rng.randint(50, 900)),
                    chain=Chain.TRON,
                    source_address=f"Tsrc{i}",
                    **base,
                    **home,
                )
            if rng.random() < 0.15:
                add(
                    when + timedelta(minutes=30),
                    Withdrawal,
                    account,
                    rail=Rail.CRYPTO,
                    asset="ETH",
                    amount=10**16,
                    fiat_value=Decimal(rng.randint(20, 300)),
                    chain=Chain.ETH,
                    destination_address=f"0x{i + 1:040x}",
                    **base,
                    **home,
                )
            if day == takeover:
                thief = {"device_id": f"thief{i}", "ip": f"203.0.113.{i % 250}"}
                add(when + timedelta(hours=1), Login, account, success=True, **base, **thief)
                small = drift and region == "SEA" and day >= days * 2 // 3
                for k in range(4 if small else 1):
                    w = add(
                        when + timedelta(hours=1, minutes=3 + 7 * k),
                        Withdrawal,
                        account,
                        rail=Rail.CRYPTO,
                        asset="ETH",
                        amount=10**17,
                        fiat_value=Decimal(rng.randint(40, 120) if small else rng.randint(1500, 5000)),
                        chain=Chain.ETH,
                        destination_address=f"0x{10**6 + i:040x}",
                        **base,
                        **thief,
                    )
                    labels.append(Label(w.event_id, account, True, "account_takeover"))
    out.sort(key=lambda t: (t[0], t[1]))
    return [e for _, _, e in out], labels
