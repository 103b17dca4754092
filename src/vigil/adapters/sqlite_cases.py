"""SQLite case store (WAL), in the journal's database file by default.

``case_events`` holds one row per history entry, primary key ``(case_id, seq)``, so a second writer
appending the same seq fails on the key even if it skipped ``check_next``; ``case_order`` numbers the
cases in the order they were opened; ``desk_cursor`` holds one row: the journal position up to which the
desk has read. Triggers refuse UPDATE and DELETE on ``case_events``: histories are append-only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from vigil.adapters.memory_cases import check_next
from vigil.adapters.sqlite_open import SqliteStore
from vigil.errors import Conflict
from vigil.model.cases import CaseData, CaseEvent, Kind

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS case_events (
        case_id TEXT NOT NULL, seq INTEGER NOT NULL, at_us INTEGER NOT NULL, actor TEXT NOT NULL,
        kind TEXT NOT NULL, data TEXT NOT NULL, system INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (case_id, seq)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS case_order (n INTEGER PRIMARY KEY, case_id TEXT NOT NULL UNIQUE)""",
    """CREATE TABLE IF NOT EXISTS desk_cursor (
        one INTEGER PRIMARY KEY CHECK (one = 1), journal INTEGER NOT NULL
    )""",
    """CREATE TRIGGER IF NOT EXISTS case_events_no_update BEFORE UPDATE ON case_events
        BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS case_events_no_delete BEFORE DELETE ON case_events
        BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END""",
)


_COLUMNS = "case_id, seq, at_us, actor, kind, data, system"


def _row(row: tuple[str, int, int, str, str, str, int]) -> CaseEvent:
    data: CaseData = json.loads(row[5])
    return CaseEvent(row[0], row[1], row[2], row[3], Kind(row[4]), data, system=bool(row[6]))


class SqliteCaseStore(SqliteStore):
    """The ``CaseStore`` port on SQLite: a path, or a connection shared with the other stores of the
    database (then its writes join a transaction the owner has open: ``SqliteAtomic``)."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        super().__init__(path_or_connection, SCHEMA)
        self._add_column("case_events", "system", "INTEGER NOT NULL DEFAULT 0")

    def append(self, events: Sequence[CaseEvent], cursor: int | None = None) -> None:
        ids = sorted({e.case_id for e in events})
        rows = [
            (
                e.case_id,
                e.seq,
                e.at_us,
                e.actor,
                e.kind.value,
                json.dumps(e.data, sort_keys=True),
                int(e.system),
            )
            for e in events
        ]
        with self._write("append to the case history") as db:
            last = {
                case_id: n
                for case_id in ids
                for (n,) in db.execute("SELECT MAX(seq) FROM case_events WHERE case_id = ?", (case_id,))
                if n is not None
            }
            check_next(events, last)
            try:
                db.executemany(f"INSERT INTO case_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            except sqlite3.IntegrityError as exc:  # another writer got there first
                raise Conflict(f"case history changed meanwhile: {exc}") from None
            db.executemany(
                "INSERT OR IGNORE INTO case_order (case_id) VALUES (?)",
                [(e.case_id,) for e in events if e.seq == 1],
            )
            if cursor is not None:
                self._set_cursor(cursor)

    def history(self, case_id: str) -> list[CaseEvent]:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM case_events WHERE case_id = ? ORDER BY seq",
            (case_id,),
        )
        return [_row(r) for r in rows]

    def all_events(self) -> Iterator[CaseEvent]:
        rows = self._read(
            "SELECT e.case_id, e.seq, e.at_us, e.actor, e.kind, e.data, e.system FROM case_order o"
            " JOIN case_events e ON e.case_id = o.case_id ORDER BY o.n, e.seq",
            (),
        )
        return (_row(r) for r in rows)

    def cases(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM case_order", ())[0][0])

    def cursor(self) -> int:
        rows = self._read("SELECT journal FROM desk_cursor", ())
        return int(rows[0][0]) if rows else 0

    def set_cursor(self, cursor: int) -> None:
        with self._io("save the desk's journal cursor"):
            self._set_cursor(cursor)

    def _set_cursor(self, cursor: int) -> None:
        self._db.execute(
            "INSERT INTO desk_cursor VALUES (1, ?)"
            " ON CONFLICT (one) DO UPDATE SET journal = excluded.journal",
            (cursor,),
        )

    def _read(
        self, sql: str, params: tuple[str, ...] | tuple[()]
    ) -> list[tuple[str, int, int, str, str, str, int]]:
        with self._io("read the case history") as db:
            return db.execute(sql, params).fetchall()
