"""SQLite store of requests from authorities, in the journal's database file by default.

``ler_events`` holds one row per history entry, primary key ``(request_id, seq)``; ``ler_order`` numbers
requests in the order received; ``ler_attachments`` keeps files by SHA-256. Triggers refuse UPDATE and
DELETE on ``ler_events`` and ``ler_attachments``: histories and evidence are append-only.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vigil.adapters.memory_ler import check_attachment, check_next
from vigil.adapters.sqlite_history import HistoryTable, SqliteHistoryStore, refuse_changes
from vigil.model.ler import LerEvent, Step

_REFUSAL = "law-enforcement records are append-only"
REQUESTS = HistoryTable("ler", "request_id", LerEvent, Step, check_next, "request")
SCHEMA = (
    *REQUESTS.schema(_REFUSAL),
    """CREATE TABLE IF NOT EXISTS ler_attachments (sha256 TEXT PRIMARY KEY, content BLOB NOT NULL)""",
    *refuse_changes("ler_attachments", _REFUSAL),
)


class SqliteLerStore(SqliteHistoryStore[LerEvent]):
    """The ``LerStore`` port on SQLite: a path, or the connection the other stores of the database share."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        super().__init__(path_or_connection, REQUESTS, SCHEMA)

    def requests(self) -> int:
        return self._count()

    def put_attachment(self, sha256: str, content: bytes) -> None:
        check_attachment(sha256, content)
        with self._write("store an attachment") as db:
            db.execute("INSERT OR IGNORE INTO ler_attachments VALUES (?, ?)", (sha256, content))

    def attachment(self, sha256: str) -> bytes | None:
        with self._io("read an attachment") as db:
            row = db.execute("SELECT content FROM ler_attachments WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else bytes(row[0])
