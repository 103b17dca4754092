"""SQLite store of requests from authorities, in the journal's database file by default.

``ler_events`` holds one row per history entry, primary key ``(request_id, seq)``; ``ler_order`` numbers
requests in the order received; ``ler_attachments`` keeps files by SHA-256. Triggers refuse UPDATE and
DELETE on ``ler_events`` and ``ler_attachments``: histories and evidence are append-only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from vigil.adapters.memory_ler import check_attachment, check_next
from vigil.adapters.sqlite_open import SqliteStore
from vigil.errors import Conflict
from vigil.model.ler import LerData, LerEvent, Step

_REFUSE = "BEGIN SELECT RAISE(ABORT, 'law-enforcement records are append-only'); END"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS ler_events (
        request_id TEXT NOT NULL, seq INTEGER NOT NULL, at_us INTEGER NOT NULL, actor TEXT NOT NULL,
        kind TEXT NOT NULL, data TEXT NOT NULL, system INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (request_id, seq)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS ler_order (n INTEGER PRIMARY KEY, request_id TEXT NOT NULL UNIQUE)""",
    """CREATE TABLE IF NOT EXISTS ler_attachments (sha256 TEXT PRIMARY KEY, content BLOB NOT NULL)""",
    f"CREATE TRIGGER IF NOT EXISTS ler_events_no_update BEFORE UPDATE ON ler_events {_REFUSE}",
    f"CREATE TRIGGER IF NOT EXISTS ler_events_no_delete BEFORE DELETE ON ler_events {_REFUSE}",
    f"CREATE TRIGGER IF NOT EXISTS ler_attachments_no_update BEFORE UPDATE ON ler_attachments {_REFUSE}",
    f"CREATE TRIGGER IF NOT EXISTS ler_attachments_no_delete BEFORE DELETE ON ler_attachments {_REFUSE}",
)
_COLUMNS = "request_id, seq, at_us, actor, kind, data, system"


def _row(row: tuple[str, int, int, str, str, str, int]) -> LerEvent:
    data: LerData = json.loads(row[5])
    return LerEvent(row[0], row[1], row[2], row[3], Step(row[4]), data, system=bool(row[6]))


class SqliteLerStore(SqliteStore):
    """The ``LerStore`` port on SQLite: a path, or the connection the other stores of the database share."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        super().__init__(path_or_connection, SCHEMA)

    def append(self, events: Sequence[LerEvent]) -> None:
        ids = sorted({e.request_id for e in events})
        rows = [
            (
                e.request_id,
                e.seq,
                e.at_us,
                e.actor,
                e.kind.value,
                json.dumps(e.data, sort_keys=True),
                int(e.system),
            )
            for e in events
        ]
        with self._write("append to a law-enforcement request's history") as db:
            last = {
                rid: n
                for rid in ids
                for (n,) in db.execute("SELECT MAX(seq) FROM ler_events WHERE request_id = ?", (rid,))
                if n is not None
            }
            check_next(events, last)
            try:
                db.executemany(f"INSERT INTO ler_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            except sqlite3.IntegrityError as exc:  # another writer got there first
                raise Conflict(f"request history changed meanwhile: {exc}") from None
            db.executemany(
                "INSERT OR IGNORE INTO ler_order (request_id) VALUES (?)",
                [(e.request_id,) for e in events if e.seq == 1],
            )

    def history(self, request_id: str) -> list[LerEvent]:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM ler_events WHERE request_id = ? ORDER BY seq", (request_id,)
        )
        return [_row(r) for r in rows]

    def all_events(self) -> Iterator[LerEvent]:
        rows = self._read(
            "SELECT e.request_id, e.seq, e.at_us, e.actor, e.kind, e.data, e.system FROM ler_order o"
            " JOIN ler_events e ON e.request_id = o.request_id ORDER BY o.n, e.seq",
            (),
        )
        return (_row(r) for r in rows)

    def requests(self) -> int:
        with self._io("count law-enforcement requests") as db:
            return int(db.execute("SELECT COUNT(*) FROM ler_order").fetchone()[0])

    def put_attachment(self, sha256: str, content: bytes) -> None:
        check_attachment(sha256, content)
        with self._write("store an attachment") as db:
            db.execute("INSERT OR IGNORE INTO ler_attachments VALUES (?, ?)", (sha256, content))

    def attachment(self, sha256: str) -> bytes | None:
        with self._io("read an attachment") as db:
            row = db.execute("SELECT content FROM ler_attachments WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else bytes(row[0])

    def _read(
        self, sql: str, params: tuple[str, ...] | tuple[()]
    ) -> list[tuple[str, int, int, str, str, str, int]]:
        with self._io("read law-enforcement requests") as db:
            return db.execute(sql, params).fetchall()
