"""The PostgreSQL schema and its migrations, connection errors, and what the journal's contract cannot see.

Every test here needs the server of ``VIGIL_TEST_POSTGRES_URL`` (``scripts/ensure-postgres.sh``),
except those about URLs that cannot work.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, event, inspect, text

from tests.conftest import Events, make_engine
from tests.postgres import POSTGRES_URL, postgres_schema
from vigil.adapters.postgres import (
    REVISION,
    PostgresAccessStore,
    PostgresAuditLog,
    PostgresCaseStore,
    PostgresJournal,
    PostgresLabelStore,
    PostgresListStore,
    PostgresModelRegistry,
    PostgresScreeningStore,
    connect,
    current_revision,
    head_revision,
    migrate,
)
from vigil.adapters.postgres.schema import metadata
from vigil.errors import ConfigError, StorageError
from vigil.model import Decision, Event

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine() -> Iterator[Engine]:
    with postgres_schema() as e:
        yield e


def differences(engine: Engine, declared: MetaData) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, declared))


def identities(engine: Engine) -> set[tuple[str, str]]:
    inspector = inspect(engine)
    return {
        (table, column["name"])
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if column.get("identity")
    }


# -- migrations ---------------------------------------------------------------------------------
def test_the_migrations_create_exactly_the_declared_schema(engine: Engine) -> None:
    assert differences(engine, metadata) == []
    declared = {(t.name, c.name) for t in metadata.sorted_tables for c in t.columns if c.identity is not None}
    assert identities(engine) == declared  # compare_metadata does not look at identity columns
    assert set(inspect(engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}


def test_the_comparison_would_see_a_difference(engine: Engine) -> None:
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["events"].c.type.nullable = True
    assert differences(engine, changed) != []


def test_migrate_is_idempotent_and_the_revision_is_head(engine: Engine) -> None:
    assert head_revision() == REVISION
    assert current_revision(engine) == REVISION
    assert migrate(engine) == REVISION
    assert current_revision(engine) == REVISION
    assert differences(engine, metadata) == []


def test_tables_go_to_the_search_path_schema_not_public(engine: Engine) -> None:
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        found = (
            conn.execute(
                text(
                    "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'events'"
                    " AND table_schema = ANY(ARRAY[current_schema(), 'public'])"
                )
            )
            .scalars()
            .all()
        )
    assert schema != "public"
    assert found == [schema]


def test_a_database_not_migrated_is_refused_by_every_adapter() -> None:
    with postgres_schema(migrated=False) as engine:
        assert current_revision(engine) is None
        adapters = (
            PostgresJournal, PostgresListStore, PostgresScreeningStore, PostgresAccessStore,
            PostgresLabelStore, PostgresModelRegistry, PostgresCaseStore, PostgresAuditLog,
        )  # fmt: skip
        for adapter in adapters:
            with pytest.raises(ConfigError, match="not migrated"):
                adapter(engine)
        migrate(engine)
        assert current_revision(engine) == REVISION
        PostgresJournal(engine).close()


def test_migrate_takes_a_url() -> None:
    with postgres_schema(migrated=False) as engine:
        with engine.connect() as conn:
            name = conn.execute(text("SELECT current_schema()")).scalar_one()
        # The URL form: libpq options in the query string choose the schema.
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{name}"
        by_url = connect(url)
        with by_url.connect() as conn:
            assert conn.execute(text("SELECT current_schema()")).scalar_one() == name  # never public
        by_url.dispose()
        assert migrate(url) == REVISION
        assert current_revision(url) == REVISION
        assert current_revision(engine) == REVISION


# -- connecting ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysql://vigil:secret@db.example/vigil", "not a PostgreSQL URL"),
        ("postgresql+psycopg2://vigil@db.example/vigil", "not a PostgreSQL URL"),
        ("postgresql+psycopg://vigil:vigil@127.0.0.1:1/vigil_test", r"127\.0\.0\.1:1/vigil_test"),
        ("postgresql+psycopg://vigil:secret@no-such-host.invalid/vigil", r"no-such-host\.invalid"),
    ],
)
def test_a_url_that_cannot_work_is_a_clear_config_error(url: str, message: str) -> None:
    for call in (connect, migrate, current_revision):
        with pytest.raises(ConfigError, match=message) as caught:
            call(url)
        assert "secret" not in str(caught.value)
        error = caught.value  # no traceback of psycopg internals behind it
        assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_a_missing_database_is_named() -> None:
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(ConfigError, match="no_such_database"):
        connect(url)


def test_a_search_path_must_be_schema_names() -> None:
    with pytest.raises(ConfigError, match="search_path"):
        connect(POSTGRES_URL, search_path="x; DROP TABLE events")


# -- the journal beyond its contract ------------------------------------------------------------
def pairs(n: int) -> list[tuple[Event, Decision]]:
    ev = Events()
    decide = make_engine().decide
    events = [ev.login(i, account_id=f"a{i % 3}") for i in range(n)]
    return [(e, decide(e)) for e in events]


def statements(engine: Engine) -> list[str]:
    """What the engine sends from now on: the table of each INSERT, "COMMIT" for each commit, else the SQL."""
    seen: list[str] = []

    def execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split(None, 3)[2] if statement.startswith("INSERT") else statement)

    event.listen(engine, "before_cursor_execute", execute)
    event.listen(engine, "commit", lambda conn: seen.append("COMMIT"))
    return seen


def test_a_flush_is_one_transaction_of_two_inserts_and_get_of_pending_does_not_query(engine: Engine) -> None:
    journal = PostgresJournal(engine, batch_size=64)
    seen = statements(engine)
    records = pairs(64)
    for e, d in records[:-1]:
        journal.record(e, d)
    assert journal.get(records[10][0].event_id) == records[10][1]
    assert seen == []  # pending records are answered from the buffer
    journal.record(*records[-1])  # the 64th fills the batch
    assert seen == ["events", "decisions", "COMMIT"]
    assert journal.get(records[10][0].event_id) == records[10][1]
    assert list(journal.events()) == [e for e, _ in records]
    journal.close()


def test_a_single_record_is_one_statement(engine: Engine) -> None:
    journal = PostgresJournal(engine)
    seen = statements(engine)
    e, d = pairs(1)[0]
    journal.record(e, d)
    assert len(seen) == 1 and seen[0].split()[:5] == [
        "WITH",
        "recorded",
        "AS",
        "(INSERT",
        "INTO",
    ]  # no COMMIT
    assert journal.get(e.event_id) == d and list(journal.events()) == [e]
    with pytest.raises(StorageError, match=f"already recorded, not stored again: {e.event_id}$"):
        journal.record(e, d)
    assert journal.count() == 1
    journal.close()


def test_a_batch_with_a_duplicate_keeps_the_others_and_names_it(engine: Engine) -> None:
    records = pairs(5)
    first = PostgresJournal(engine, batch_size=100)
    second = PostgresJournal(engine, batch_size=100)
    first.record(*records[0])
    first.flush()
    for e, d in records[1:]:
        first.record(e, d)
    second.record(*records[1])  # recorded by both journals, behind each other's back
    second.record(*records[0])
    first.flush()
    duplicates = f"{records[1][0].event_id}, {records[0][0].event_id}"
    with pytest.raises(StorageError, match=f"already recorded, not stored again: {duplicates}$"):
        second.flush()
    assert first.count() == second.count() == len(records)
    second.flush()  # nothing left pending
    assert [d.event_id for d in second.for_account("a1")] == [records[4][0].event_id, records[1][0].event_id]


def test_database_errors_become_storage_errors_and_keep_pending_records(engine: Engine) -> None:
    journal = PostgresJournal(engine, batch_size=10)
    lists = PostgresListStore(engine)
    screening = PostgresScreeningStore(engine)
    access = PostgresAccessStore(engine)
    records = pairs(3)
    for e, d in records:
        journal.record(e, d)
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(text(f"DROP TABLE {table.name}"))
    with pytest.raises(StorageError, match="cannot write 3 records"):
        journal.flush()
    assert journal.get(records[0][0].event_id) == records[0][1]  # still pending: a retry can write it
    with pytest.raises(StorageError, match=r"cannot read the decision of 'nope' \(PostgreSQL .*decisions"):
        journal.get("nope")
    with pytest.raises(StorageError, match="cannot read list snapshots"):
        lists.snapshots()
    with pytest.raises(StorageError, match="cannot note address"):
        screening.note_address("a", "BTC:1x")
    with pytest.raises(StorageError, match="cannot read access_keys"):
        access.keys()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    migrate(engine)  # the tables are back: the pending records can be written
    journal.flush()
    assert journal.count() == 3
    journal.close()


def _unchecked(event: Any, event_id: str) -> Any:
    """A copy of ``event`` with ``event_id`` set past the model's checks (``__post_init__``)."""
    clone = copy.copy(event)
    object.__setattr__(clone, "event_id", event_id)
    return clone


def test_a_record_the_database_refuses_does_not_block_the_others(engine: Engine) -> None:
    journal = PostgresJournal(engine, batch_size=4)
    records = pairs(4)
    # The model refuses a NUL in an identifier now; one that reaches the journal anyway (an old journal,
    # a bug) must still be refused by the database alone, without blocking the others.
    nul = _unchecked(records[1][0], "e\x00nul"), replace(records[1][1], event_id="e\x00nul")
    huge_id = os.urandom(6000).hex()  # too long for the unique index on event_id
    huge = _unchecked(records[2][0], huge_id), replace(records[2][1], event_id=huge_id)
    journal.record(*records[0])
    journal.record(*nul)
    journal.record(*huge)
    with pytest.raises(StorageError, match=r"refused by PostgreSQL, not stored: 'e\\x00nul' \(.*NUL"):
        journal.record(*records[3])
    assert [e.event_id for e in journal.events()] == [records[0][0].event_id, records[3][0].event_id]
    journal.record(*pairs(5)[4])  # not stuck: the next records are written
    journal.close()
    assert journal.count() == 3


def test_a_database_at_an_unknown_revision_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(ConfigError, match="at revision 9999"):
        PostgresJournal(engine)
    with pytest.raises(ConfigError, match="9999"):
        migrate(engine)
