"""The ClaimStore contract (vigil.ports), run unchanged against every adapter; then each backend's own."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.postgres import postgres_schema
from vigil.adapters.memory_claims import MemoryClaimStore
from vigil.adapters.postgres import PostgresClaimStore
from vigil.adapters.sqlite_claims import SqliteClaimStore
from vigil.errors import ConfigError, Conflict
from vigil.model import Chain, Uncredited
from vigil.model.claims import ClaimEvent, ClaimKind, UncreditedDeposit
from vigil.ports import ClaimStore


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClaimStore]:
    if request.param == "postgres":
        with postgres_schema() as engine:
            yield PostgresClaimStore(engine)
        return
    s: ClaimStore = MemoryClaimStore() if request.param == "memory" else SqliteClaimStore(tmp_path / "r.db")
    yield s
    s.close()


def deposit(event_id: str, tx: str = "ab" * 32, reason: Uncredited | None = Uncredited.WRONG_MEMO,
            chain: Chain = Chain.XRP) -> UncreditedDeposit:  # fmt: skip
    return UncreditedDeposit(
        event_id=event_id, account_id="suspense", region="EU", ts_us=1_700_000_000_000_000, chain=chain,
        tx_hash=tx, asset="XRP", amount=10**30 + 7, fiat_value=Decimal("123.45"),
        source_address="rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", reason=reason, deposit_address=None, memo="7",
    )  # fmt: skip


def entry(
    claim_id: str, seq: int, kind: ClaimKind = ClaimKind.FILED, **data: str | int | bool | None
) -> ClaimEvent:
    return ClaimEvent(claim_id, seq, 1_000 + seq, "ana", kind, dict(data), system=seq % 2 == 0)


def test_deposits_are_kept_by_tx_in_the_order_added_and_once(store: ClaimStore) -> None:
    assert store.add_deposits([deposit("e1"), deposit("e2", reason=None), deposit("e3", tx="cd" * 32)]) == 3
    assert store.add_deposits([deposit("e1"), deposit("e4", chain=Chain.XLM)], cursor=12) == 1
    assert [d.event_id for d in store.deposits("ab" * 32)] == ["e1", "e2", "e4"]
    assert store.deposits("ab" * 32)[0] == deposit("e1")  # every field back, a 100-bit amount included
    assert store.deposits("ab" * 32)[1].reason is None
    assert store.deposits("ef" * 32) == []
    assert store.cursor() == 12


def test_uncredited_lists_only_deposits_with_a_reason_oldest_first(store: ClaimStore) -> None:
    store.add_deposits(
        [deposit("e1"), deposit("e2", reason=None), deposit("e3", reason=Uncredited.WRONG_CHAIN)]
    )
    assert [d.event_id for d in store.uncredited()] == ["e1", "e3"]
    assert [d.event_id for d in store.uncredited(limit=1, offset=1)] == ["e3"]


def test_the_cursor_starts_at_zero_and_moves_only_when_given(store: ClaimStore) -> None:
    assert store.cursor() == 0
    store.add_deposits([], cursor=5)
    store.add_deposits([deposit("e1")])
    assert store.cursor() == 5


def test_append_then_read_a_history_in_order(store: ClaimStore) -> None:
    store.append(
        [entry("cl-1", 1, text="hello", ok=True, n=3, nothing=None), entry("cl-1", 2, ClaimKind.MATCHED)]
    )
    store.append([entry("cl-1", 3, ClaimKind.REFUSED)])
    history = store.history("cl-1")
    assert [e.seq for e in history] == [1, 2, 3]
    assert history[0] == entry("cl-1", 1, text="hello", ok=True, n=3, nothing=None)
    assert history[1].system is True
    assert store.history("cl-404") == [] and store.claims() == 1


def test_an_entry_that_does_not_continue_its_claim_is_refused(store: ClaimStore) -> None:
    store.append([entry("cl-1", 1)])
    with pytest.raises(Conflict, match="cl-1"):
        store.append([entry("cl-1", 3)])
    with pytest.raises(Conflict):
        store.append([entry("cl-1", 1)])  # a second writer from the same version
    with pytest.raises(Conflict):
        store.append([entry("cl-2", 2)])  # a new claim starts at 1
    assert [e.seq for e in store.history("cl-1")] == [1]


def test_a_batch_is_all_or_nothing(store: ClaimStore) -> None:
    store.append([entry("cl-1", 1)])
    with pytest.raises(Conflict):
        store.append([entry("cl-1", 2), entry("cl-2", 1), entry("cl-1", 4)])
    assert len(store.history("cl-1")) == 1 and store.history("cl-2") == [] and store.claims() == 1


def test_all_events_are_grouped_by_claim_in_filing_order(store: ClaimStore) -> None:
    store.append([entry("cl-b", 1)])
    store.append([entry("cl-a", 1), entry("cl-b", 2)])
    store.append([entry("cl-a", 2), entry("cl-b", 3)])
    assert [(e.claim_id, e.seq) for e in store.all_events()] == [
        ("cl-b", 1), ("cl-b", 2), ("cl-b", 3), ("cl-a", 1), ("cl-a", 2),
    ]  # fmt: skip


def test_sqlite_keeps_everything_across_a_reopen(tmp_path: Path) -> None:
    s = SqliteClaimStore(tmp_path / "r.db")
    s.add_deposits([deposit("e1")], cursor=3)
    s.append([entry("cl-1", 1), entry("cl-1", 2)])
    s.close()
    again = SqliteClaimStore(tmp_path / "r.db")
    assert again.deposits("ab" * 32) == [deposit("e1")] and again.cursor() == 3
    assert [e.seq for e in again.history("cl-1")] == [1, 2] and again.claims() == 1
    again.close()


def test_sqlite_refuses_to_update_or_delete_history(tmp_path: Path) -> None:
    s = SqliteClaimStore(tmp_path / "r.db")
    s.append([entry("cl-1", 1)])
    db = sqlite3.connect(tmp_path / "r.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE claim_events SET actor = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM claim_events")
    db.close()
    assert s.history("cl-1")[0].actor == "ana"
    s.close()


def test_sqlite_names_a_path_it_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        SqliteClaimStore(tmp_path / "missing" / "r.db")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE claim_events SET actor = 'mallory'",
        "DELETE FROM claim_events WHERE seq = 2",
        "TRUNCATE claim_events",
    ],
)
def test_postgres_refuses_to_update_or_delete_history(statement: str) -> None:
    with postgres_schema() as engine:
        s = PostgresClaimStore(engine)
        s.append([entry("cl-1", 1), entry("cl-1", 2)])
        with engine.begin() as conn, pytest.raises(IntegrityError, match="append-only"):
            conn.execute(text(statement))
        assert s.history("cl-1") == [entry("cl-1", 1), entry("cl-1", 2)]


@pytest.mark.postgres
def test_postgres_refuses_a_database_not_migrated() -> None:
    with postgres_schema(migrated=False) as engine, pytest.raises(ConfigError, match="not migrated"):
        PostgresClaimStore(engine)
