"""SQLite journal (WAL): the embedded default.

Events and decisions go in one transaction. With ``batch_size`` above 1, records are buffered
and committed together (group commit) when the buffer fills, on ``flush`` and on ``close``:
replay uses this for throughput, the synchronous path keeps ``batch_size=1`` so an event is
durable before its decision is returned. ``synchronous=NORMAL`` in WAL mode survives a crash
of the process; ``FULL`` also survives power loss, at about a quarter of the write rate.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from vigil.codec import decode_decision, decode_event, encode_decision, encode_event
from vigil.errors import ConfigError, StorageError
from vigil.model import Decision, Event

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    type       TEXT NOT NULL,
    ts_us      INTEGER NOT NULL,
    body       BLOB NOT NULL
);
-- A rowid table: decision bodies are large (the rule trace) and event ids random, which is the case
-- SQLite's WITHOUT ROWID tables handle worst (half the insert rate, six times slower lookups).
CREATE TABLE IF NOT EXISTS decisions (
    seq        INTEGER PRIMARY KEY,
    event_id   TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    outcome    INTEGER NOT NULL,
    score      REAL NOT NULL,
    body       BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_account ON decisions (account_id, seq);
CREATE INDEX IF NOT EXISTS events_by_account ON events (account_id, seq);
"""

_Row = tuple[str, str, str, int, bytes, int, float, bytes]


class SqliteJournal:
    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 1,
        synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
        background_checkpoint: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        self.path = str(path)
        if self.path != ":memory:":
            parent = Path(self.path).parent
            if not parent.is_dir():
                raise ConfigError(f"cannot open journal {self.path}: directory {parent} does not exist")
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute("PRAGMA cache_size=-65536")  # 64 MB of page cache
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot open journal {self.path}: {exc}") from None
        self.batch_size = batch_size
        self._pending: dict[str, tuple[_Row, Decision]] = {}
        self._checkpointer: _Checkpointer | None = None
        if background_checkpoint and self.path != ":memory:":
            # A checkpoint fsyncs the WAL and the database (milliseconds): not inside a commit that
            # requests wait on, but in a thread of its own, on its own connection.
            self._db.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = _Checkpointer(self.path)

    # -- writing ---------------------------------------------------------------------------
    def record(self, event: Event, decision: Decision) -> None:
        if event.event_id != decision.event_id:
            raise StorageError(f"decision for {decision.event_id!r} recorded with event {event.event_id!r}")
        if event.event_id in self._pending:
            raise StorageError(f"event {event.event_id!r} is already recorded")
        row: _Row = (
            event.event_id,
            event.account_id,
            event.TYPE.value,
            event.ts_us,
            encode_event(event),
            int(decision.outcome),
            decision.score,
            encode_decision(decision),
        )
        self._pending[event.event_id] = (row, decision)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        rows = [row for row, _ in self._pending.values()]
        try:
            self._write(rows)
        except sqlite3.IntegrityError:
            duplicates = self._write_one_by_one(rows)
            self._pending.clear()
            raise StorageError(
                f"events already recorded, not stored again: {', '.join(duplicates)}"
            ) from None
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write to journal {self.path}: {exc}") from exc
        self._pending.clear()

    def _write(self, rows: list[_Row]) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT INTO events (event_id, account_id, type, ts_us, body) VALUES (?, ?, ?, ?, ?)",
                [r[:5] for r in rows],
            )
            db.executemany(
                "INSERT INTO decisions (seq, event_id, account_id, outcome, score, body)"
                " VALUES ((SELECT seq FROM events WHERE event_id = ?), ?, ?, ?, ?, ?)",
                [(r[0], r[0], r[1], r[5], r[6], r[7]) for r in rows],
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _write_one_by_one(self, rows: list[_Row]) -> list[str]:
        duplicates = []
        for row in rows:
            try:
                self._write([row])
            except sqlite3.IntegrityError:
                duplicates.append(row[0])
        return duplicates

    # -- reading ---------------------------------------------------------------------------
    def get(self, event_id: str) -> Decision | None:
        pending = self._pending.get(event_id)
        if pending is not None:
            return pending[1]
        row = self._db.execute("SELECT body FROM decisions WHERE event_id = ?", (event_id,)).fetchone()
        return None if row is None else decode_decision(row[0])

    def for_account(self, account_id: str, limit: int = 50) -> list[Decision]:
        self.flush()
        rows = self._db.execute(
            "SELECT body FROM decisions WHERE account_id = ? ORDER BY seq DESC LIMIT ?",
            (account_id, limit),
        ).fetchall()
        return [decode_decision(r[0]) for r in rows]

    def account_history(
        self, account_id: str, limit: int = 50, *, trace: bool = True
    ) -> list[tuple[Event, Decision]]:
        self.flush()
        rows = self._db.execute(
            "SELECT e.body, d.body FROM events e JOIN decisions d ON d.seq = e.seq"
            " WHERE e.account_id = ? ORDER BY e.seq DESC LIMIT ?",
            (account_id, max(0, limit)),
        ).fetchall()
        return [(decode_event(e), decode_decision(d, trace=trace)) for e, d in rows]

    def events(self) -> Iterator[Event]:
        self.flush()
        cursor = self._db.execute("SELECT body FROM events ORDER BY seq")
        for (body,) in cursor:
            yield decode_event(body)

    def decided(self, start: int = 0) -> Iterator[tuple[Event, Decision]]:
        self.flush()
        cursor = self._db.execute(
            "SELECT e.body, d.body FROM events e JOIN decisions d ON d.seq = e.seq ORDER BY e.seq"
            " LIMIT -1 OFFSET ?",
            (max(0, start),),
        )
        for event, decision in cursor:
            yield decode_event(event), decode_decision(decision)

    def tail(self, after: int = 0, *, trace: bool = True) -> Iterator[tuple[int, Event, Decision]]:
        """Records after ``after``, by the ``seq`` primary key (a range: nothing before it is read)."""
        self.flush()
        cursor = self._db.execute(
            "SELECT e.seq, e.body, d.body FROM events e JOIN decisions d ON d.seq = e.seq"
            " WHERE e.seq > ? ORDER BY e.seq",
            (after,),
        )
        for seq, event, decision in cursor:
            yield seq, decode_event(event), decode_decision(decision, trace=trace)

    def position(self) -> int:
        self.flush()
        return int(self._db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])

    def count(self) -> int:
        self.flush()
        return int(self._db.execute("SELECT count(*) FROM events").fetchone()[0])

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._checkpointer is not None:
                self._checkpointer.stop()
            self._db.close()


class _Checkpointer:
    """Checkpoints the WAL every ``interval`` seconds from a daemon thread (passive: never blocks writers)."""

    def __init__(self, path: str, interval: float = 0.25) -> None:
        self._stop = threading.Event()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="wal-checkpoint", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:  # a busy or failing checkpoint is retried next time; the WAL holds the data
                continue

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self._db.close()
