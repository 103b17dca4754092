"""SQLite case store (WAL), in the journal's database file by default.

``case_events`` and ``case_order`` are the case histories, append-only (``sqlite_history``: one row per
entry, cases numbered in the order they were opened); ``desk_cursor`` holds one row: the journal
position up to which the desk has read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from vigil.adapters.memory_cases import check_next
from vigil.adapters.sqlite_history import HistoryTable, SqliteHistoryStore
from vigil.model.cases import CaseEvent, Kind

CASES = HistoryTable("case", "case_id", CaseEvent, Kind, check_next, "case")
SCHEMA = (
    *CASES.schema("case history is append-only"),
    """CREATE TABLE IF NOT EXISTS desk_cursor (
        one INTEGER PRIMARY KEY CHECK (one = 1), journal INTEGER NOT NULL
    )""",
)


class SqliteCaseStore(SqliteHistoryStore[CaseEvent]):
    """The ``CaseStore`` port on SQLite: a path, or a connection shared with the other stores of the
    database (then its writes join a transaction the owner has open: ``SqliteAtomic``)."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        super().__init__(path_or_connection, CASES, SCHEMA)
        self._add_column("case_events", "system", "INTEGER NOT NULL DEFAULT 0")

    def append(self, events: Sequence[CaseEvent], cursor: int | None = None) -> None:
        with self._write("append to the case history") as db:
            self._append(db, events)
            if cursor is not None:
                self._set_cursor(cursor)

    def cases(self) -> int:
        return self._count()

    def cursor(self) -> int:
        with self._io("read the desk's journal cursor") as db:
            row = db.execute("SELECT journal FROM desk_cursor").fetchone()
        return int(row[0]) if row else 0

    def set_cursor(self, cursor: int) -> None:
        with self._io("save the desk's journal cursor"):
            self._set_cursor(cursor)

    def _set_cursor(self, cursor: int) -> None:
        self._db.execute(
            "INSERT INTO desk_cursor VALUES (1, ?)"
            " ON CONFLICT (one) DO UPDATE SET journal = excluded.journal",
            (cursor,),
        )
