"""The CaseStore contract (vigil.ports), run unchanged against every adapter; then SQLite's own tests."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.postgres import postgres_schema
from vigil.adapters.memory_cases import MemoryCaseStore
from vigil.adapters.postgres import PostgresCaseStore
from vigil.adapters.sqlite_cases import SqliteCaseStore
from vigil.errors import ConfigError, Conflict
from vigil.model.cases import CaseEvent, Kind
from vigil.ports import CaseStore


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CaseStore]:
    if request.param == "postgres":
        with postgres_schema() as engine:
            yield PostgresCaseStore(engine)
        return
    s: CaseStore = MemoryCaseStore() if request.param == "memory" else SqliteCaseStore(tmp_path / "c.db")
    yield s
    s.close()


def entry(case_id: str, seq: int, kind: Kind = Kind.NOTE, **data: str | int | bool | None) -> CaseEvent:
    return CaseEvent(case_id, seq, 1_000 + seq, "ana", kind, dict(data))


def opened(case_id: str) -> CaseEvent:
    return entry(case_id, 1, Kind.OPENED, account_id="acc", region="EU", severity="high")


def test_append_then_read_a_history_in_order(store: CaseStore) -> None:
    store.append([opened("c-1"), entry("c-1", 2, text="hello", ok=True, n=3, nothing=None)])
    store.append([entry("c-1", 3)])
    history = store.history("c-1")
    assert [e.seq for e in history] == [1, 2, 3]
    assert history[1] == entry("c-1", 2, text="hello", ok=True, n=3, nothing=None)
    assert store.history("c-404") == []
    assert store.cases() == 1


def test_an_entry_that_does_not_continue_its_case_is_refused(store: CaseStore) -> None:
    store.append([opened("c-1")])
    with pytest.raises(Conflict, match="c-1"):
        store.append([entry("c-1", 3)])
    with pytest.raises(Conflict):
        store.append([entry("c-1", 1)])  # a second writer from the same version
    with pytest.raises(Conflict):
        store.append([entry("c-2", 2)])  # a new case starts at 1
    assert [e.seq for e in store.history("c-1")] == [1]


def test_a_batch_is_all_or_nothing(store: CaseStore) -> None:
    store.append([opened("c-1")])
    with pytest.raises(Conflict):
        store.append([entry("c-1", 2), opened("c-2"), entry("c-1", 4)])
    assert len(store.history("c-1")) == 1 and store.history("c-2") == [] and store.cases() == 1


def test_all_events_are_grouped_by_case_in_opening_order(store: CaseStore) -> None:
    store.append([opened("c-b")])
    store.append([opened("c-a"), entry("c-b", 2)])
    store.append([entry("c-a", 2), entry("c-b", 3)])
    assert [(e.case_id, e.seq) for e in store.all_events()] == [
        ("c-b", 1), ("c-b", 2), ("c-b", 3), ("c-a", 1), ("c-a", 2),
    ]  # fmt: skip


def test_the_cursor_moves_with_an_append_or_alone(store: CaseStore) -> None:
    assert store.cursor() == 0
    store.append([opened("c-1")], cursor=7)
    assert store.cursor() == 7
    store.set_cursor(9)
    assert store.cursor() == 9
    with pytest.raises(Conflict):
        store.append([entry("c-1", 5)], cursor=20)
    assert store.cursor() == 9


def test_sqlite_keeps_histories_and_cursor_across_a_reopen(tmp_path: Path) -> None:
    s = SqliteCaseStore(tmp_path / "c.db")
    s.append([opened("c-1"), entry("c-1", 2)], cursor=3)
    s.close()
    again = SqliteCaseStore(tmp_path / "c.db")
    assert [e.seq for e in again.history("c-1")] == [1, 2] and again.cursor() == 3 and again.cases() == 1
    again.close()


def test_sqlite_refuses_to_update_or_delete_history(tmp_path: Path) -> None:
    s = SqliteCaseStore(tmp_path / "c.db")
    s.append([opened("c-1")])
    db = sqlite3.connect(tmp_path / "c.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE case_events SET actor = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM case_events")
    db.close()
    assert s.history("c-1")[0].actor == "ana"
    s.close()


def test_sqlite_names_a_path_it_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        SqliteCaseStore(tmp_path / "missing" / "c.db")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigError, match=r"junk\.db"):
        SqliteCaseStore(tmp_path / "junk.db")


# -- PostgreSQL only -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_events SET actor = 'mallory'",
        "DELETE FROM case_events WHERE seq = 2",
        "TRUNCATE case_events",
    ],
)
def test_postgres_refuses_to_update_or_delete_history(statement: str) -> None:
    with postgres_schema() as engine:
        s = PostgresCaseStore(engine)
        s.append([opened("c-1"), entry("c-1", 2)])
        with engine.begin() as conn, pytest.raises(IntegrityError, match="append-only"):
            conn.execute(text(statement))
        assert s.history("c-1") == [opened("c-1"), entry("c-1", 2)]


@pytest.mark.postgres
def test_postgres_a_second_writer_of_the_same_entry_waits_then_conflicts() -> None:
    with postgres_schema() as engine:
        s = PostgresCaseStore(engine)
        s.append([opened("c-1")])
        with engine.connect() as first, ThreadPoolExecutor(1) as pool:
            first.execute(  # the first writer's entry 2, not committed yet: the second does not see it
                text("INSERT INTO case_events VALUES ('c-1', 2, 1002, 'bo', 'note', '{}')")
            )
            second = pool.submit(s.append, [entry("c-1", 2)], 5)
            time.sleep(0.2)  # the second writer waits on the primary key
            first.commit()
            with pytest.raises(Conflict, match="changed meanwhile"):
                second.result(timeout=10)
        assert [(e.seq, e.actor) for e in s.history("c-1")] == [(1, "ana"), (2, "bo")]
        assert s.cursor() == 0  # the refused batch moved nothing


@pytest.mark.postgres
def test_postgres_refuses_a_database_not_migrated() -> None:
    with postgres_schema(migrated=False) as engine, pytest.raises(ConfigError, match="not migrated"):
        PostgresCaseStore(engine)
