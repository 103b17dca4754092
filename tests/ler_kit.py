"""Building blocks for the law-enforcement desk's tests: a journal with a few customers, the security desk
and the liaison desk on memory adapters, a clock the test moves, and intakes to log."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.desk_kit import T0, Kit, decided
from vigil.adapters.memory_ler import MemoryLerStore
from vigil.desk import SecurityDesk
from vigil.desk.feed import Feed
from vigil.ler import Act, Intake, LerPolicy, LiaisonDesk, Signer, Sources, load_directory
from vigil.ler.disclosure import Disclosures
from vigil.ler.orders import Orders
from vigil.ler.service import LerDesk
from vigil.ler.subjects import contact_hash
from vigil.model import AccountOpened, Deposit, Event, KycSubmitted, Outcome, Withdrawal
from vigil.model.access import Role
from vigil.model.enums import Chain, Rail
from vigil.model.ler import SubjectKind

DAY = 86_400_000_000
ETH_A = "0x52908400098527886E0F7030069857D2E4169EE7"  # EIP-55 test vector
ETH_B = "0x8617E340B3D01FA5F11F306F4090FD50E238070D"
TX = "0x" + "ab" * 32
LIA = Act("lia", frozenset({Role.LIAISON}))
LIA2 = Act("leo", frozenset({Role.LIAISON}))
SUP = Act("sue", frozenset({Role.SUPERVISOR}))


def _ts(days: float) -> datetime:
    return datetime.fromtimestamp(T0 / 1e6, UTC) - timedelta(days=days)


def customer_events(account: str, name: str, email: str, n: int, address: str = ETH_A) -> list[Event]:
    device, tx = f"dev-{n}", TX if n == 1 else "0x" + f"{n:02x}" * 32
    email_hash, phone_hash = (
        contact_hash(SubjectKind.EMAIL, email),
        contact_hash(SubjectKind.PHONE, f"+44123456{n:04d}"),
    )
    document = contact_hash(SubjectKind.DOCUMENT, f"P{n:07d}")
    return [
        AccountOpened(
            event_id=f"{account}-open", account_id=account, region="EU", ts=_ts(60), device_id=device,
            email_hash=email_hash, phone_hash=phone_hash,
        ),
        KycSubmitted(
            event_id=f"{account}-kyc", account_id=account, region="EU", ts=_ts(59), device_id=device,
            full_name=name, document_hash=document,
        ),
        Deposit(
            event_id=f"{account}-dep", account_id=account, region="EU", ts=_ts(20), device_id=device,
            rail=Rail.CRYPTO, asset="USDT", amount=5_000_000_000, fiat_value=Decimal("5000"), chain=Chain.ETH,
            tx_hash=tx, source_address=address,
        ),
        Withdrawal(
            event_id=f"{account}-wd", account_id=account, region="EU", ts=_ts(10), device_id=device,
            rail=Rail.CRYPTO, asset="USDT", amount=1_000_000_000, fiat_value=Decimal("1000"), chain=Chain.ETH,
            destination_address=ETH_B,
        ),
        Withdrawal(
            event_id=f"{account}-old", account_id=account, region="EU", ts=_ts(200), rail=Rail.FIAT,
            asset="EUR", amount=100, fiat_value=Decimal("1"),
        ),
    ]  # fmt: skip


@dataclass
class LerKit:
    kit: Kit = field(default_factory=Kit)
    store: MemoryLerStore = field(default_factory=MemoryLerStore)
    signer: Signer = field(default_factory=Signer.generate)

    def __post_init__(self) -> None:
        k = self.kit
        for account, name, email, n in (
            ("acc-1", "Dmitri Ivanovich Petrov", "dmitri@example.org", 1),
            ("acc-2", "Maria Gonzalez", "maria@example.org", 2),
            ("acc-3", "John Smith", "john@example.org", 3),
        ):
            for event in customer_events(account, name, email, n, ETH_A if n != 3 else ETH_B):
                k.journal.record(event, decided(event, Outcome.ALLOW))
        # acc-4 shares acc-1's device: linked in the graph, never in scope by itself
        shared = AccountOpened(
            event_id="acc-4-open", account_id="acc-4", region="EU", ts=_ts(30), device_id="dev-1"
        )
        k.journal.record(shared, decided(shared, Outcome.ALLOW))
        self.security = SecurityDesk(k.desk, k.actions, k.appeals, k.audit, Feed(k.desk, k.journal))
        self.graph = _graph(k)
        self.build()

    def build(self) -> None:
        k = self.kit
        sources = Sources(journal=k.journal, graph=lambda: self.graph, region_of=lambda _a: "EU")
        requests = LerDesk(
            self.store, k.audit, load_directory(), self.security, sources=sources, signer=self.signer,
            policy=LerPolicy(exchange="Test Exchange"), clock=k.clock,
        )  # fmt: skip
        self.ler = LiaisonDesk(requests, Orders(requests), Disclosures(requests))

    @property
    def requests(self) -> LerDesk:
        return self.ler.requests

    def log(self, **changes: Any) -> str:
        return self.requests.log(intake(**changes), changes.pop("act", LIA)).request_id

    def verified(self, **changes: Any) -> str:
        rid = self.log(**changes)
        self.requests.record_verification(rid, "callback", True, "officer confirmed", LIA)
        self.requests.verify(
            rid, "confirmed by call-back", SUP if "emergency" in str(changes.get("kind")) else LIA
        )
        self.requests.resolve(rid, LIA)
        return rid


def _graph(k: Kit) -> Any:
    from vigil.graph import EntityGraph

    g = EntityGraph()
    for event in k.journal.events():
        g.observe(event)
    return g


def intake(**changes: Any) -> Intake:
    changes.pop("act", None)
    base = Intake(
        agency="FBI",
        officer="Special Agent Dana Scully",
        officer_email="dscully@fbi.gov",
        legal_basis="court_order",
        legal_reference="1:26-mj-00421",
        kind="information",
        subjects=[{"kind": "account", "value": "acc-1"}, {"kind": "email", "value": "Maria@Example.org "}],
        period_from_us=T0 - 90 * DAY,
        period_until_us=T0,
        deadline_us=T0 + 10 * DAY,
        nondisclosure=True,
        nondisclosure_until_us=T0 + 180 * DAY,
    )
    return replace(base, **changes)
