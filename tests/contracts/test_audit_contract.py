"""The AuditLog contract (vigil.ports), run unchanged against every adapter.

The last tests are the SQLite adapter's own: a reopen keeps the chain, the triggers refuse an UPDATE or
a DELETE made through SQL, a shared connection, error mapping.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.postgres import postgres_schema
from vigil.adapters.memory_audit import MemoryAuditLog
from vigil.adapters.postgres import PostgresAuditLog
from vigil.adapters.sqlite_audit import SqliteAuditLog
from vigil.audit.chain import GENESIS, next_record
from vigil.errors import ConfigError, Conflict, InvalidInput, StorageError
from vigil.model.audit import AuditRecord
from vigil.ports import AuditLog

T0 = 1_793_534_400_000_000  # 2026-11-01 12:00 UTC, in µs


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditLog]:
    if request.param == "postgres":
        with postgres_schema() as engine:
            yield PostgresAuditLog(engine)
        return
    store: AuditLog = MemoryAuditLog() if request.param == "memory" else SqliteAuditLog(tmp_path / "a.db")
    yield store
    store.close()


def chain(n: int, start: AuditRecord | None = None) -> list[AuditRecord]:
    """``n`` records after ``start``: actors ana/bo in turn, subjects over three cases, a non-ASCII detail."""
    out: list[AuditRecord] = []
    last = start
    for i in range(n):
        k = (last.seq if last else 0) + 1
        last = next_record(
            last,
            at_us=T0 + k,
            actor="ana" if k % 2 else "bo",
            action="case.read" if k % 3 else "case.freeze_requested",
            subject=f"case:c-{k % 3:06d}",
            detail={"i": i, "note": "gelöst ✓", "amount": "12.50"},
        )
        out.append(last)
    return out


def fill(log: AuditLog, records: list[AuditRecord]) -> list[AuditRecord]:
    for r in records:
        log.append(r)
    return records


# -- the contract -----------------------------------------------------------------------------------


def test_an_empty_log_holds_nothing(log: AuditLog) -> None:
    assert (log.last(), list(log.records()), log.count()) == (None, [], 0)


def test_append_keeps_every_record_field_for_field_in_seq_order(log: AuditLog) -> None:
    records = fill(log, chain(7))
    assert list(log.records()) == records
    assert log.last() == records[-1]
    assert log.count() == 7
    assert records[0].prev_hash == GENESIS and records[3].detail == (
        '{"amount":"12.50","i":3,"note":"gelöst ✓"}'
    )


def test_records_filter_by_subject_and_actor_after_since_seq_up_to_limit(log: AuditLog) -> None:
    records = fill(log, chain(12))
    by_subject = [r for r in records if r.subject == "case:c-000001"]
    assert [r.seq for r in by_subject] == [1, 4, 7, 10]
    assert list(log.records(subject="case:c-000001")) == by_subject
    assert list(log.records(actor="bo")) == [r for r in records if r.actor == "bo"]
    assert list(log.records(subject="case:c-000001", actor="bo")) == [records[3], records[9]]
    assert list(log.records(since_seq=9)) == records[9:]
    assert list(log.records(since_seq=4, subject="case:c-000001")) == [records[6], records[9]]
    assert list(log.records(limit=3)) == records[:3]  # the first ones
    assert list(log.records(since_seq=2, actor="ana", limit=2)) == [records[2], records[4]]
    assert list(log.records(limit=0)) == []
    assert list(log.records(since_seq=12)) == []
    assert list(log.records(subject="case:c-999999")) == []


def test_a_negative_limit_is_invalid_input(log: AuditLog) -> None:
    fill(log, chain(2))
    with pytest.raises(InvalidInput, match="limit"):
        log.records(limit=-1)


def test_records_are_read_lazily(log: AuditLog) -> None:
    records = fill(log, chain(5))
    reader = log.records()
    assert next(reader) == records[0]  # a generator, not a list built first
    assert list(reader) == records[1:]


@pytest.mark.parametrize(
    ("seq", "why"), [(1, "next is 4"), (3, "next is 4"), (5, "next is 4")], ids=["first", "same", "gap"]
)
def test_a_record_with_the_wrong_seq_is_a_conflict_and_stores_nothing(
    log: AuditLog, seq: int, why: str
) -> None:
    records = fill(log, chain(3))
    (fourth,) = chain(1, records[-1])
    with pytest.raises(Conflict, match=why):
        log.append(replace(fourth, seq=seq))
    assert (list(log.records()), log.count()) == (records, 3)
    log.append(fourth)  # the refusal left nothing half-done behind
    assert log.last() == fourth


def test_a_record_with_the_wrong_prev_hash_is_a_conflict(log: AuditLog) -> None:
    records = fill(log, chain(2))
    (third,) = chain(1, records[-1])
    with pytest.raises(Conflict, match="record 2's hash"):
        log.append(replace(third, prev_hash=records[0].hash))
    with pytest.raises(Conflict, match="prev_hash"):
        log.append(replace(third, prev_hash=GENESIS))
    assert log.count() == 2


def test_the_first_record_must_be_seq_1_on_the_genesis_hash(log: AuditLog) -> None:
    (first,) = chain(1)
    with pytest.raises(Conflict, match="genesis"):
        log.append(replace(first, prev_hash="f" * 64))
    with pytest.raises(Conflict, match="next is 1"):
        log.append(replace(first, seq=2))
    assert log.count() == 0
    log.append(first)
    assert log.last() == first


def test_two_writers_from_the_same_last_record_cannot_both_append(log: AuditLog) -> None:
    (first,) = fill(log, chain(1))
    (mine,) = chain(1, first)
    theirs = next_record(
        first, at_us=T0 + 99, actor="eve", action="account.read", subject="account:a1", detail={}
    )
    log.append(theirs)
    with pytest.raises(Conflict):
        log.append(mine)  # built on the same last record: the log stays a chain, not a fork
    assert list(log.records()) == [first, theirs]


# -- SQLite only --------------------------------------------------------------------------------------


def test_sqlite_reopen_keeps_the_chain_and_appends_after_it(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    store = SqliteAuditLog(path)
    records = fill(store, chain(5))
    store.close()
    again = SqliteAuditLog(path)
    assert list(again.records()) == records
    assert again.last() == records[-1]
    with pytest.raises(Conflict):
        again.append(chain(1)[0])  # seq 1 again
    (sixth,) = chain(1, again.last())
    again.append(sixth)
    assert again.count() == 6
    again.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "UPDATE audit_log SET detail = '{}'",
        "DELETE FROM audit_log WHERE seq = 2",
        "DELETE FROM audit_log",
    ],
)
def test_sqlite_triggers_refuse_update_and_delete_through_sql(tmp_path: Path, statement: str) -> None:
    path = tmp_path / "vigil.db"
    store = SqliteAuditLog(path)
    records = fill(store, chain(3))
    with (
        contextlib.closing(sqlite3.connect(path)) as db,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        db.execute(statement)
    assert list(store.records()) == records
    store.close()


def test_sqlite_log_on_a_given_connection_commits_and_leaves_it_open(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    db = sqlite3.connect(path, isolation_level=None)
    store = SqliteAuditLog(db)
    records = fill(store, chain(2))
    store.close()
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone() == (2,)  # still open
    db.close()
    again = SqliteAuditLog(path)
    assert list(again.records()) == records
    again.close()


def test_sqlite_append_in_the_owners_transaction_waits_for_its_commit(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    store, other = SqliteAuditLog(db), SqliteAuditLog(path)
    first, second = chain(2)
    db.execute("BEGIN")
    store.append(first)
    assert (store.count(), other.count()) == (1, 0)
    db.execute("ROLLBACK")
    assert (store.last(), other.last()) == (None, None)
    db.execute("BEGIN")
    store.append(first)
    store.append(second)
    db.execute("COMMIT")
    assert list(other.records()) == [first, second]
    other.close()
    db.close()


def test_sqlite_refuses_a_missing_directory_or_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        SqliteAuditLog(tmp_path / "nowhere" / "vigil.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database, " * 100)
    with pytest.raises(ConfigError, match=r"junk\.db"):
        SqliteAuditLog(junk)


def test_sqlite_failed_writes_raise_storage_error_and_store_nothing(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    SqliteAuditLog(path).close()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    store = SqliteAuditLog(read_only)
    with pytest.raises(StorageError, match="readonly"):
        store.append(chain(1)[0])
    assert store.count() == 0
    read_only.close()


def test_sqlite_a_row_that_is_no_record_is_storage_error_naming_its_seq(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    store = SqliteAuditLog(path)
    fill(store, chain(3))
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET actor = '' WHERE seq = 2")
    with pytest.raises(StorageError, match=r"audit record 2 .*changed outside Vigil"):
        list(store.records())
    store.close()


def test_sqlite_log_used_after_close_raises_storage_error(tmp_path: Path) -> None:
    store = SqliteAuditLog(tmp_path / "vigil.db")
    store.close()
    with pytest.raises(StorageError):
        store.last()
    with pytest.raises(StorageError):
        store.append(chain(1)[0])


# -- PostgreSQL only -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "UPDATE audit_log SET detail = '{}'",
        "DELETE FROM audit_log WHERE seq = 2",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ],
)
def test_postgres_trigger_refuses_update_and_delete_through_sql(statement: str) -> None:
    with postgres_schema() as engine:
        store = PostgresAuditLog(engine)
        records = fill(store, chain(3))
        with engine.begin() as conn, pytest.raises(IntegrityError, match="append-only"):
            conn.execute(text(statement))
        assert list(store.records()) == records


@pytest.mark.postgres
def test_postgres_appenders_take_turns_and_the_second_sees_the_first() -> None:
    with postgres_schema() as engine:
        store = PostgresAuditLog(engine)
        (first,) = fill(store, chain(1))
        (mine,) = chain(1, first)
        theirs = next_record(
            first, at_us=T0 + 99, actor="eve", action="account.read", subject="account:a1", detail={}
        )
        other = PostgresAuditLog(engine)  # another writer, on its own connection
        with engine.connect() as conn, ThreadPoolExecutor(1) as pool:
            # The other writer is in the middle of its append: it holds the lock, its record not committed.
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.audit_log'))"))
            fields = ", ".join(f":{name}" for name in asdict(theirs))
            conn.execute(text(f"INSERT INTO audit_log VALUES ({fields})"), asdict(theirs))
            waiting = pool.submit(store.append, mine)
            time.sleep(0.2)  # the append waits for the lock
            conn.commit()
            with pytest.raises(Conflict, match="next is 3"):  # it read the last record after the wait
                waiting.result(timeout=10)
        assert list(other.records()) == [first, theirs]


@pytest.mark.postgres
def test_postgres_refuses_a_database_not_migrated() -> None:
    with postgres_schema(migrated=False) as engine, pytest.raises(ConfigError, match="not migrated"):
        PostgresAuditLog(engine)
