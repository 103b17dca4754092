"""PostgreSQL case store: the desk's case histories and its journal cursor, as the SQLite one keeps them.

``case_events`` holds one row per history entry, primary key ``(case_id, seq)``; ``case_order``
numbers the cases in the order they were opened; ``desk_cursor`` holds one row (upserted): the journal
position up to which the desk has read. A trigger refuses UPDATE, DELETE and TRUNCATE on ``case_events``:
histories are append-only, and this adapter only ever inserts into it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from vigil.adapters.postgres.history import PostgresHistoryStore
from vigil.adapters.postgres.schema import case_events, case_order, connection, desk_cursor
from vigil.adapters.sqlite_cases import CASES
from vigil.model.cases import CaseEvent

_CURSOR = select(desk_cursor.c.journal)
_upsert = pg_insert(desk_cursor)
_SET_CURSOR = _upsert.on_conflict_do_update(
    index_elements=[desk_cursor.c.one], set_={"journal": _upsert.excluded.journal}
)


def _set_cursor(conn: Connection, cursor: int) -> None:
    conn.execute(_SET_CURSOR, {"one": 1, "journal": cursor})


class PostgresCaseStore(PostgresHistoryStore[CaseEvent]):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, CASES, case_events, case_order)

    def append(self, events: Sequence[CaseEvent], cursor: int | None = None) -> None:
        self._append(events, None if cursor is None else lambda conn: _set_cursor(conn, cursor))

    def cases(self) -> int:
        return self._count()

    def cursor(self) -> int:
        with connection(self.engine, "read the desk's journal cursor") as conn:
            journal = conn.execute(_CURSOR).scalar()
        return 0 if journal is None else int(journal)

    def set_cursor(self, cursor: int) -> None:
        with connection(self.engine, "save the desk's journal cursor", write=True) as conn:
            _set_cursor(conn, cursor)
