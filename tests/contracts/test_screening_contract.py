"""The ListStore and ScreeningStore contracts (vigil.ports), run unchanged against every adapter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.postgres import postgres_schema
from vigil.adapters.memory_screening import MemoryListStore, MemoryScreeningStore
from vigil.adapters.postgres import PostgresListStore, PostgresScreeningStore
from vigil.adapters.sqlite_screening import SqliteListStore, SqliteScreeningStore
from vigil.errors import StorageError
from vigil.model import Chain
from vigil.ports import ListStore, ScreeningStore
from vigil.screening.entries import AddressEntry, Category, Identifier, NameEntry, SubjectKind
from vigil.screening.names import Customer
from vigil.screening.records import AlertKind, Clearance, ScreeningAlert

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def lists(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ListStore]:
    if request.param == "postgres":
        with postgres_schema() as engine:
            yield PostgresListStore(engine)
        return
    yield MemoryListStore() if request.param == "memory" else SqliteListStore(tmp_path / "l.db")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ScreeningStore]:
    if request.param == "postgres":
        with postgres_schema() as engine:
            yield PostgresScreeningStore(engine)
        return
    yield MemoryScreeningStore() if request.param == "memory" else SqliteScreeningStore(tmp_path / "s.db")


def addr(n: int, category: Category = Category.SANCTIONED) -> AddressEntry:
    return AddressEntry(
        source="ofac_addresses",
        entry_id=f"XBT:{n}",
        key=f"BTC:1addr{n}",
        chain=Chain.BTC,
        category=category,
        label="OFAC SDN",
        actor=None if n % 2 else "Lazarus Group",
        confidence=100,
        reference="https://ofac.example/",
    )


def person(n: int, name: str = "Ivan Petrov") -> NameEntry:
    return NameEntry(
        source="un",
        entry_id=f"un:{n}",
        kind=SubjectKind.PERSON,
        name=name,
        aliases=("Иван Петров",),
        birth_dates=("1965", "1965-03-15"),
        countries=("RU",),
        identifiers=(Identifier("passport", "123456", "RU"),),
        programs=("UKRAINE-EO13660",),
        remarks="test",
    )


def test_versions_count_from_one_and_earlier_snapshots_stay(lists: ListStore) -> None:
    first = lists.save("ofac_addresses", "address", "/lists/a", T0, [addr(1), addr(2)], errors=3)
    second = lists.save("ofac_addresses", "address", "/lists/b", T0 + timedelta(days=1), [addr(2), addr(3)])
    assert (first.version, second.version) == (1, 2)
    assert first.errors == 3 and first.entries == 2 and first.origin == "/lists/a"
    assert lists.latest("ofac_addresses") == second
    assert lists.snapshots("ofac_addresses") == [first, second]
    assert lists.address_entries("ofac_addresses", 1) == (addr(1), addr(2))
    assert lists.address_entries("ofac_addresses") == (addr(2), addr(3))
    assert first.digest != second.digest


def test_entries_round_trip_field_for_field(lists: ListStore) -> None:
    entries = [person(1), person(2, "Maria Garcia Lopez")]
    info = lists.save("un", "name", "/x", T0, entries, list_date="2026-08-21")
    assert info.list_date == "2026-08-21"
    assert lists.name_entries("un") == tuple(entries)
    assert lists.snapshots() == [info]


def test_unknown_source_is_empty_and_unknown_version_refused(lists: ListStore) -> None:
    assert lists.latest("nope") is None
    assert lists.address_entries("nope") == ()
    lists.save("ofac_addresses", "address", "/x", T0, [addr(1)])
    with pytest.raises(StorageError, match="no snapshot 7"):
        lists.address_entries("ofac_addresses", 7)


def test_a_source_keeps_its_kind(lists: ListStore) -> None:
    lists.save("ofac_addresses", "address", "/x", T0, [addr(1)])
    with pytest.raises(StorageError, match="address entries"):
        lists.name_entries("ofac_addresses")
    with pytest.raises(StorageError, match="address entries"):
        lists.save("ofac_addresses", "name", "/x", T0, [person(1)])
    assert len(lists.snapshots("ofac_addresses")) == 1


def test_same_content_same_digest_whatever_the_order(lists: ListStore) -> None:
    a = lists.save("s1", "address", "/x", T0, [addr(1), addr(2)])
    b = lists.save("s2", "address", "/x", T0, [addr(2), addr(1)])
    assert a.digest == b.digest


def customer(n: int, name: str = "Ivan Petrov") -> Customer:
    return Customer(customer_id=f"c{n}", name=name, birth_date="1965-03-15", country="RU")


def test_customers_keep_the_latest_profile(store: ScreeningStore) -> None:
    store.put_customer(customer(1))
    store.put_customer(customer(2))
    store.put_customer(customer(1, "Ivan A. Petrov"))
    got = {c.customer_id: c for c in store.customers()}
    assert got == {"c1": customer(1, "Ivan A. Petrov"), "c2": customer(2)}


def test_accounts_for_an_address(store: ScreeningStore) -> None:
    store.note_address("bob", "EVM:0xabc")
    store.note_address("alice", "EVM:0xabc")
    store.note_address("bob", "EVM:0xabc")
    store.note_address("carol", "BTC:bc1q")
    assert store.accounts_for_address("EVM:0xabc") == ["alice", "bob"]
    assert store.accounts_for_address("EVM:0xdef") == []


def test_a_clearance_holds_only_for_the_same_entry_digest(store: ScreeningStore) -> None:
    asked = Clearance("c1", "un:1", "d1", cleared_by="ana", reason="different date of birth", at=T0)
    store.clear(asked)
    assert not store.is_cleared("c1", "un:1", "d1")  # a request alone: four eyes (issue 17)
    assert store.clearances("c1") == [asked]
    c = Clearance("c1", "un:1", "d1", "ana", "different date of birth", T0, approved_by="sam", approved_at=T0)
    store.clear(c)
    assert store.is_cleared("c1", "un:1", "d1")
    assert not store.is_cleared("c1", "un:1", "d2")  # the entry changed
    assert not store.is_cleared("c2", "un:1", "d1")
    assert not store.is_cleared("c1", "un:2", "d1")
    assert store.clearances("c1") == [asked, c] and store.clearances() == [asked, c]
    assert store.clearances("c2") == []


def test_a_clearance_records_who_and_why() -> None:
    with pytest.raises(ValueError, match="reason"):
        Clearance("c1", "un:1", "d1", cleared_by="ana", reason=" ", at=T0)


def test_alerts_are_raised_once_per_pattern(store: ScreeningStore) -> None:
    alert = ScreeningAlert(AlertKind.NAME, "c1", "un:1", "d1", "un", 91.5, "detail", T0, 2)
    assert store.add_alert(alert)
    assert not store.add_alert(alert)
    changed = ScreeningAlert(AlertKind.NAME, "c1", "un:1", "d2", "un", 93.0, "detail", T0, 3)
    assert store.add_alert(changed)
    assert store.alerts() == [alert, changed]
    assert store.alerts("c1") == [alert, changed] and store.alerts("c9") == []


def test_record_usage_notes_addresses_and_customers_together(store: ScreeningStore) -> None:
    store.note_address("bob", "EVM:0xabc")
    store.record_usage(
        [("alice", "EVM:0xabc"), ("bob", "EVM:0xabc"), ("alice", "EVM:0xabc"), ("carol", "BTC:bc1q")],
        [customer(1), customer(2), customer(1, "Ivan A. Petrov")],
    )
    store.record_usage([], [])
    assert store.accounts_for_address("EVM:0xabc") == ["alice", "bob"]
    assert store.accounts_for_address("BTC:bc1q") == ["carol"]
    by_id = {c.customer_id: c for c in store.customers()}
    assert len(by_id) == 2 and by_id[customer(1).customer_id] == customer(1, "Ivan A. Petrov")
