"""Issue 17, audit: system acts are marked by a flag (not a name), and every act of a person or key is
audited in the same transaction as the act."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.desk_kit import Kit
from vigil import bootstrap
from vigil.access import Access
from vigil.adapters.memory_access import MemoryAccessStore
from vigil.adapters.sqlite_audit import SqliteAuditLog
from vigil.adapters.sqlite_cases import SqliteCaseStore
from vigil.audit import AuditTrail
from vigil.audit.chain import digest, verify
from vigil.desk.service import Change, Desk
from vigil.errors import InvalidInput, StorageError
from vigil.model.cases import Kind
from vigil.ports import Atomic, AuditLog, CaseStore
from vigil.settings import Settings


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


# -- one transaction for a change and its audit record ------------------------------------------------
def _failing_audit(log: object) -> None:
    def append(record: object) -> None:
        raise StorageError("disk full (injected)")

    log.append = append  # type: ignore[attr-defined]


def _desk_kit_on(cases: CaseStore, audit_log: AuditLog, atomic: Atomic) -> Kit:
    kit = Kit(store=cases)
    kit.audit = AuditTrail(audit_log, clock=kit.clock)
    kit.desk = Desk(cases, kit.audit, kit.notifier, labels=kit.labels, clock=kit.clock, atomic=atomic)
    return kit


def _a_failed_audit_keeps_no_change(kit: Kit, audit_log: object) -> None:
    cid = kit.flag(1)
    kit.desk.step(cid, Kind.NOTE, Change("ana"), {"text": "first"})
    before = kit.store.history(cid)
    _failing_audit(audit_log)
    with pytest.raises(StorageError, match="injected"):
        kit.desk.step(cid, Kind.NOTE, Change("ana"), {"text": "unaudited?"})
    assert kit.store.history(cid) == before  # the entry was rolled back with its audit record
    assert kit.desk.case(cid).version == len(before)  # and the index never saw it


def test_sqlite_a_case_change_and_its_audit_record_are_one_transaction(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "vigil.db"))
    atomic, shared = bootstrap.together(settings)
    assert shared is not None
    audit_log = SqliteAuditLog(shared)
    kit = _desk_kit_on(SqliteCaseStore(shared), audit_log, atomic)
    _a_failed_audit_keeps_no_change(kit, audit_log)


@pytest.mark.postgres
def test_postgres_a_case_change_and_its_audit_record_are_one_transaction() -> None:
    from tests.postgres import postgres_schema
    from vigil.adapters.postgres import PostgresAtomic, PostgresAuditLog, PostgresCaseStore

    with postgres_schema() as engine:
        audit_log = PostgresAuditLog(engine)
        kit = _desk_kit_on(PostgresCaseStore(engine), audit_log, PostgresAtomic(engine))
        _a_failed_audit_keeps_no_change(kit, audit_log)


def test_sqlite_stores_share_one_connection_and_admin_acts_are_audited(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "vigil.db"))
    access = bootstrap.admin_access(settings)
    access.add_user("ana", "a long enough password", ["analyst"], by="cli:root")
    key = access.create_key("exchange", ["service"], by="admin1").key
    assert key is not None
    access.set_roles("ana", ["analyst", "supervisor"], by="admin1")
    access.set_password("ana", "another long password", by="admin1")
    access.disable_user("ana", by="admin1")
    access.revoke_key(key.key_id, by="admin1")
    opened = bootstrap.stores(settings)
    try:
        trail = AuditTrail(opened.audit)  # type: ignore[arg-type]
        acts = [(r.actor, r.action, r.subject) for r in trail.records()]
        assert trail.verify().ok
    finally:
        opened.close()
    assert acts == [
        ("cli:root", "access.user_created", "user:ana"),
        ("admin1", "access.key_created", f"key:{key.key_id}"),
        ("admin1", "access.roles_changed", "user:ana"),
        ("admin1", "access.password_set", "user:ana"),
        ("admin1", "access.user_disabled", "user:ana"),
        ("admin1", "access.key_revoked", f"key:{key.key_id}"),
    ]


def test_an_admin_act_whose_audit_fails_is_not_kept(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "vigil.db"))
    access = bootstrap.admin_access(settings)
    assert access.audit is not None
    _failing_audit(access.audit._log)
    with pytest.raises(StorageError, match="injected"):
        access.add_user("ana", "a long enough password", ["analyst"], by="admin1")
    assert access.store.user("ana") is None
    with pytest.raises(ValueError, match="needs the actor"):
        Access(access.store, audit=access.audit).add_user("bob", "a long enough password", ["analyst"])


@pytest.mark.postgres
def test_postgres_admin_acts_and_clearances_are_kept_only_with_their_audit_record() -> None:
    from tests.postgres import postgres_schema
    from tests.test_screening_engine import LISTED
    from vigil.adapters.postgres import (
        PostgresAccessStore,
        PostgresAtomic,
        PostgresAuditLog,
        PostgresScreeningStore,
    )
    from vigil.watchlists.clearances import Clearances

    with postgres_schema() as engine:
        log, atomic = PostgresAuditLog(engine), PostgresAtomic(engine)
        audit = AuditTrail(log)
        access = Access(PostgresAccessStore(engine), audit=audit, atomic=atomic)
        clearances = Clearances(PostgresScreeningStore(engine), audit, atomic=atomic)
        access.add_user("ana", "a long enough password", ["analyst"], by="admin1")
        clearances.request("viktor", LISTED, "DOB differs", "ana", by_key=False)
        _failing_audit(log)
        with pytest.raises(StorageError, match="injected"):
            access.add_user("bob", "a long enough password", ["analyst"], by="admin1")
        with pytest.raises(StorageError, match="injected"):
            clearances.approve("viktor", LISTED, "sam", by_key=False)
        assert access.store.user("bob") is None and access.store.user("ana") is not None
        assert not clearances.store.is_cleared("viktor", LISTED.entry_id, LISTED.digest())
        assert [r.action for r in PostgresAuditLog(engine).records()] == [
            "access.user_created",
            "screening.clearance_requested",
        ]
