"""SQLite audit log (WAL), in the journal's database file by default.

Table ``audit_log``: one row per record, ``seq`` its primary key. Vigil only ever inserts into it (there
is no UPDATE or DELETE in the code), and two triggers make SQLite refuse an UPDATE or a DELETE made
through SQL by mistake. They are no protection against someone who can write the file: triggers can be
dropped and rows changed. That is what ``vigil audit verify`` detects (docs/audit.md), within the
limits of a hash chain.

The log opens a path (or ":memory:") on a connection of its own, which ``close`` closes; or it works on
a connection it is given, which stays its owner's: ``close`` leaves it open, and a record appended while
the owner has a transaction open becomes durable when the owner commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vigil.adapters.memory_audit import check_append, check_limit
from vigil.adapters.sqlite_open import SqliteStore
from vigil.errors import StorageError
from vigil.model.audit import GENESIS, AuditRecord

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audit_log (
        seq INTEGER PRIMARY KEY, at_us INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        subject TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
        system INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX IF NOT EXISTS audit_log_subject ON audit_log (subject, seq)",
    "CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor, seq)",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: a record cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: a record cannot be deleted'); END""",
)
_FIELDS = "seq, at_us, actor, action, subject, detail, prev_hash, hash, system"


class SqliteAuditLog(SqliteStore):
    """The ``AuditLog`` port on SQLite. A row that is not a valid record (an empty actor, say: the table
    was changed outside Vigil) is ``StorageError`` naming its seq."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        super().__init__(path_or_connection, SCHEMA)
        self._add_column("audit_log", "system", "INTEGER NOT NULL DEFAULT 0")

    def append(self, record: AuditRecord) -> None:
        r = record
        with self._write(f"append audit record {r.seq}") as db:
            row = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            last_seq, last_hash = (0, GENESIS) if row is None else (int(row[0]), str(row[1]))
            check_append(last_seq, last_hash, r)
            db.execute(
                f"INSERT INTO audit_log ({_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (r.seq, r.at_us, r.actor, r.action, r.subject, r.detail, r.prev_hash, r.hash, int(r.system)),
            )

    def last(self) -> AuditRecord | None:
        with self._io("read the last audit record") as db:
            row = db.execute(f"SELECT {_FIELDS} FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        return None if row is None else self._record(row)

    def records(
        self,
        since_seq: int = 0,
        subject: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[AuditRecord]:
        check_limit(limit)
        where: list[str] = ["seq > ?"]
        params: list[object] = [since_seq]
        for column, value in (("subject", subject), ("actor", actor)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        query = f"SELECT {_FIELDS} FROM audit_log WHERE {' AND '.join(where)} ORDER BY seq"
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        return self._scan(query, params)

    def _scan(self, query: str, params: list[object]) -> Iterator[AuditRecord]:
        with self._io("read audit records") as db:
            for row in db.execute(query, params):  # row by row: a whole log reads in constant memory
                yield self._record(row)

    def _record(self, row: tuple[Any, ...]) -> AuditRecord:
        try:
            seq, at_us, actor, action, subject, detail, prev_hash, hash_, system = row
            return AuditRecord(seq, at_us, actor, action, subject, detail, prev_hash, hash_, bool(system))
        except (TypeError, ValueError) as exc:
            raise StorageError(
                f"audit record {row[0]} in {self.path} is not a valid record ({exc}):"
                " the table was changed outside Vigil"
            ) from None

    def count(self) -> int:
        with self._io("count audit records") as db:
            (n,) = db.execute("SELECT COUNT(*) FROM audit_log").fetchone()
        return int(n)
