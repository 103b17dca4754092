"""Issue 17, audit: system acts are marked by a flag (not a name), and every act of a person or key is
audited in the same transaction as the act."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.desk_kit import Kit
from vigil.access import Access
from vigil.adapters.memory_access import MemoryAccessStore
from vigil.adapters.sqlite_audit import SqliteAuditLog
from vigil.adapters.sqlite_cases import SqliteCaseStore
from vigil.audit import AuditTrail
from vigil.audit.chain import digest, verify
from vigil.desk.service import Change
from vigil.errors import InvalidInput
from vigil.model.cases import Kind


def test_a_person_who_is_called_vigil_is_audited_and_system_steps_carry_the_flag() -> None:
    kit = Kit()
    cid = kit.flag(1)
    kit.desk.step(cid, Kind.NOTE, Change("vigil"), {"text": "I am a person"})
    notes = [r for r in kit.audit.records(subject=f"case:{cid}") if r.action == "case.note"]
    assert [(r.actor, r.system) for r in notes] == [("vigil", False)]
    history = kit.store.history(cid)
    assert [(e.kind, e.system) for e in history] == [
        (Kind.OPENED, True),
        (Kind.ALERT, True),
        (Kind.NOTE, False),
    ]


def test_the_system_flag_survives_sqlite_and_is_covered_by_the_hash(tmp_path: Path) -> None:
    kit = Kit(store=SqliteCaseStore(tmp_path / "cases.db"))
    cid = kit.flag(1)
    kit.desk.step(cid, Kind.NOTE, Change("ana"), {"text": "seen"})
    reopened = SqliteCaseStore(tmp_path / "cases.db")
    assert [e.system for e in reopened.history(cid)] == [True, True, False]

    log = SqliteAuditLog(tmp_path / "audit.db")
    trail = AuditTrail(log, clock=lambda: 5)
    trail.record("vigil", "access.locked", "user:bob", {"failures": 10}, system=True)
    trail.record("ana", "case.read", "case:c-000001")
    first, second = SqliteAuditLog(tmp_path / "audit.db").records()
    assert (first.system, second.system) == (True, False)
    assert trail.verify().ok
    # The flag is hashed: the same record claimed as a person's does not verify.
    r = first
    assert r.hash == digest(r.seq, r.at_us, r.actor, r.action, r.subject, r.detail, r.prev_hash, True)
    assert r.hash != digest(r.seq, r.at_us, r.actor, r.action, r.subject, r.detail, r.prev_hash)
    from dataclasses import replace

    assert not verify([replace(first, system=False), second]).ok


def test_an_old_sqlite_database_gains_the_flag_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE case_events (case_id TEXT NOT NULL, seq INTEGER NOT NULL, at_us INTEGER NOT NULL,"
        " actor TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (case_id, seq))"
        " WITHOUT ROWID"
    )
    db.execute("INSERT INTO case_events VALUES ('c-000001', 1, 1, 'vigil', 'opened', ?)", (json.dumps({}),))
    db.commit()
    db.close()
    store = SqliteCaseStore(path)
    store._db.execute("INSERT INTO case_order (case_id) VALUES ('c-000001')")
    assert [e.system for e in store.history("c-000001")] == [False]


@pytest.mark.parametrize("name", ["vigil", "system", "0123456789ab"])
def test_reserved_names_are_refused_for_people(name: str) -> None:
    access = Access(MemoryAccessStore())
    with pytest.raises(InvalidInput, match="reserved"):
        access.add_user(name, "a long enough password", ["analyst"])
