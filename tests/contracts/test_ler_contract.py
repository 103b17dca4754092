"""The LerStore contract (vigil.ports), run unchanged against every adapter; then the append-only checks."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tests.postgres import postgres_schema
from vigil.adapters.memory_ler import MemoryLerStore
from vigil.adapters.postgres import PostgresLerStore
from vigil.adapters.sqlite_ler import SqliteLerStore
from vigil.errors import Conflict, InvalidInput
from vigil.model.ler import LerEvent, Step
from vigil.ports import LerStore


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LerStore]:
    if request.param == "postgres":
        with postgres_schema() as engine:
            yield PostgresLerStore(engine)
        return
    s: LerStore = MemoryLerStore() if request.param == "memory" else SqliteLerStore(tmp_path / "l.db")
    yield s
    s.close()


def entry(request_id: str, seq: int, kind: Step = Step.NOTE, **data: object) -> LerEvent:
    return LerEvent(request_id, seq, 1_000 + seq, "lia", kind, dict(data))  # type: ignore[arg-type]


def received(request_id: str) -> LerEvent:
    subjects = [{"kind": "account", "value": "acc-1", "chain": ""}]
    return entry(request_id, 1, Step.RECEIVED, agency="FBI", subjects=subjects, nondisclosure=True)


def test_append_then_read_a_history_in_order_with_nested_details(store: LerStore) -> None:
    store.append([received("L-1"), entry("L-1", 2, text="called", n=3, none=None)])
    store.append([LerEvent("L-1", 3, 9, "vigil", Step.BREACHED, {"clock": "ack"}, system=True)])
    history = store.history("L-1")
    assert [e.seq for e in history] == [1, 2, 3]
    assert history[0] == received("L-1")
    assert history[0].data["subjects"] == [{"kind": "account", "value": "acc-1", "chain": ""}]
    assert history[2].system and not history[1].system
    assert store.history("L-404") == [] and store.requests() == 1


def test_an_entry_that_does_not_continue_its_request_is_refused(store: LerStore) -> None:
    store.append([received("L-1")])
    with pytest.raises(Conflict, match="L-1"):
        store.append([entry("L-1", 3)])
    with pytest.raises(Conflict):
        store.append([entry("L-1", 1)])
    with pytest.raises(Conflict):
        store.append([entry("L-2", 2)])
    assert [e.seq for e in store.history("L-1")] == [1]


def test_a_batch_is_all_or_nothing(store: LerStore) -> None:
    store.append([received("L-1")])
    with pytest.raises(Conflict):
        store.append([entry("L-1", 2), received("L-2"), entry("L-1", 4)])
    assert len(store.history("L-1")) == 1 and store.history("L-2") == [] and store.requests() == 1


def test_all_events_are_grouped_by_request_in_the_order_received(store: LerStore) -> None:
    store.append([received("L-b")])
    store.append([received("L-a"), entry("L-b", 2)])
    store.append([entry("L-a", 2)])
    assert [(e.request_id, e.seq) for e in store.all_events()] == [
        ("L-b", 1),
        ("L-b", 2),
        ("L-a", 1),
        ("L-a", 2),
    ]


def test_attachments_are_kept_by_their_sha256_once(store: LerStore) -> None:
    content = b"%PDF-1.7 court order\x00\xff"
    sha = hashlib.sha256(content).hexdigest()
    store.put_attachment(sha, content)
    store.put_attachment(sha, content)  # idempotent
    assert store.attachment(sha) == content
    assert store.attachment("0" * 64) is None
    with pytest.raises(InvalidInput, match="SHA-256"):
        store.put_attachment("0" * 64, content)


def test_sqlite_refuses_to_change_or_remove_history_and_attachments(tmp_path: Path) -> None:
    s = SqliteLerStore(tmp_path / "l.db")
    s.append([received("L-1")])
    s.put_attachment(hashlib.sha256(b"x").hexdigest(), b"x")
    db = sqlite3.connect(tmp_path / "l.db")
    for sql in (
        "UPDATE ler_events SET actor = 'mallory'",
        "DELETE FROM ler_events",
        "UPDATE ler_attachments SET content = x'00'",
        "DELETE FROM ler_attachments",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(sql)
    db.close()
    assert s.history("L-1")[0].actor == "lia"
    s.close()


@pytest.mark.postgres
def test_postgres_refuses_to_change_remove_or_truncate_history() -> None:
    with postgres_schema() as engine:
        s = PostgresLerStore(engine)
        s.append([received("L-1")])
        for sql in (
            "UPDATE ler_events SET actor = 'x'",
            "DELETE FROM ler_events",
            "TRUNCATE ler_events",
            "DELETE FROM ler_attachments",
        ):
            with pytest.raises(SQLAlchemyError, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql))
        assert s.history("L-1")[0].actor == "lia"
