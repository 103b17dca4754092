"""Shared fixtures: the catalog, the built-in rules, engines on a memory journal, event builders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from vigil.adapters.memory import MemoryJournal
from vigil.adapters.rule_files import BuiltinRules
from vigil.engine import Engine
from vigil.features import default_catalog
from vigil.model import Chain, Deposit, Login, Rail, Withdrawal
from vigil.ports import Journal
from vigil.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"  # the reference data, beside the project (never copied into it)
LISTS = SHARED / "data" / "lists"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def builtin_rules() -> RuleSet:
    return load_rules(BuiltinRules().read(), default_catalog())


def make_engine(journal: Journal | None = None, rules: RuleSet | None = None) -> Engine:
    return Engine(default_catalog(), rules or builtin_rules(), journal or MemoryJournal())


@pytest.fixture
def engine() -> Engine:
    return make_engine()


class Events:
    """Builds valid events with sensible defaults; keyword arguments override."""

    def __init__(self) -> None:
        self.n = 0

    def _base(self, minutes: float, **kw: Any) -> dict[str, Any]:
        self.n += 1
        base: dict[str, Any] = {
            "event_id": f"e{self.n}",
            "account_id": "alice",
            "ts": T0 + timedelta(minutes=minutes),
            "region": "EU",
            "country": "DE",
            "device_id": "dev-1",
            "ip": "192.0.2.1",
        }
        base.update(kw)
        return base

    def login(self, minutes: float = 0, **kw: Any) -> Login:
        kw.setdefault("success", True)
        return Login(**self._base(minutes, **kw))

    def deposit(self, minutes: float = 0, fiat: str = "100", **kw: Any) -> Deposit:
        fields = {
            "rail": Rail.CRYPTO,
            "asset": "USDT",
            "amount": 100_000_000,
            "fiat_value": Decimal(fiat),
            "chain": Chain.TRON,
            "source_address": "TSrc1",
        }
        fields.update(kw)
        return Deposit(**self._base(minutes, **fields))

    def withdrawal(self, minutes: float = 0, fiat: str = "100", **kw: Any) -> Withdrawal:
        fields = {
            "rail": Rail.CRYPTO,
            "asset": "ETH",
            "amount": 10**17,
            "fiat_value": Decimal(fiat),
            "chain": Chain.ETH,
            "destination_address": "0xAbC0000000000000000000000000000000000001",
        }
        fields.update(kw)
        return Withdrawal(**self._base(minutes, **fields))


@pytest.fixture
def events() -> Events:
    return Events()
