"""SQLite list store and screening store (WAL), in the same database file as the journal by default.

Snapshots are append-only: a snapshot row per import and one row per entry in it, the entry's
content stored as msgspec JSON. Clearances and alerts are appended; alerts are unique by key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import msgspec

from vigil.adapters.sqlite_open import connect
from vigil.errors import StorageError
from vigil.ports import AnyEntry, ListKind
from vigil.screening.entries import AddressEntry, NameEntry
from vigil.screening.names import Customer
from vigil.screening.records import Clearance, ScreeningAlert
from vigil.screening.snapshot import SnapshotInfo

SCHEMA = """
CREATE TABLE IF NOT EXISTS list_snapshots (
    source      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    imported_us INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    entries     INTEGER NOT NULL,
    errors      INTEGER NOT NULL,
    digest      TEXT NOT NULL,
    list_date   TEXT NOT NULL,
    PRIMARY KEY (source, version)
);
CREATE TABLE IF NOT EXISTS list_entries (
    source   TEXT NOT NULL,
    version  INTEGER NOT NULL,
    body     BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS list_entries_by_snapshot ON list_entries (source, version);
CREATE TABLE IF NOT EXISTS screening_customers (customer_id TEXT PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS screening_addresses (
    key TEXT NOT NULL, account_id TEXT NOT NULL, PRIMARY KEY (key, account_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS screening_clearances (
    seq INTEGER PRIMARY KEY, customer_id TEXT NOT NULL, body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS clearances_by_customer ON screening_clearances (customer_id);
CREATE TABLE IF NOT EXISTS screening_alerts (
    seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL, body BLOB NOT NULL
);
"""

T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _connect(path: str | Path) -> sqlite3.Connection:
    return connect(path, SCHEMA)


def _us(ts: datetime) -> int:
    return (ts - _EPOCH) // _MICRO


_MICRO = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - _EPOCH


class SqliteListStore:
    def __init__(self, path: str | Path) -> None:
        self._db = _connect(path)

    def save(
        self,
        source: str,
        kind: ListKind,
        origin: str,
        imported_at: datetime,
        entries: Sequence[AnyEntry],
        errors: int = 0,
        list_date: str = "",
    ) -> SnapshotInfo:
        encode = msgspec.json.encode
        try:
            self._db.execute("BEGIN IMMEDIATE")
            latest = self.latest(source)
            if latest is not None and latest.kind != kind:
                raise StorageError(f"source {source!r} holds {latest.kind} entries, not {kind}")
            info = SnapshotInfo.following(
                latest,
                source=source,
                kind=kind,
                origin=origin,
                imported_at=imported_at,
                entries=entries,
                errors=errors,
                list_date=list_date,
            )
            self._db.execute(
                "INSERT INTO list_snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    source,
                    info.version,
                    kind,
                    _us(imported_at),
                    origin,
                    info.entries,
                    errors,
                    info.digest,
                    list_date,
                ),
            )
            self._db.executemany(
                "INSERT INTO list_entries VALUES (?, ?, ?)",
                ((source, info.version, encode(e)) for e in entries),
            )
            self._db.execute("COMMIT")
        except BaseException:
            # Any failure (including StorageError above) leaves no half-written snapshot behind.
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return info

    def snapshots(self, source: str | None = None) -> list[SnapshotInfo]:
        sql = (
            "SELECT source, kind, version, imported_us, origin, entries, errors, digest, list_date"
            " FROM list_snapshots"
        )
        rows = (
            self._db.execute(sql + " ORDER BY imported_us, source, version")
            if source is None
            else self._db.execute(sql + " WHERE source = ? ORDER BY version", (source,))
        )
        return [
            SnapshotInfo(s, k, v, _EPOCH + _MICRO * us, o, n, e, d, ld)
            for s, k, v, us, o, n, e, d, ld in rows
        ]

    def latest(self, source: str) -> SnapshotInfo | None:
        infos = self.snapshots(source)
        return infos[-1] if infos else None

    def _get(self, source: str, version: int | None, kind: ListKind, type_: type[T]) -> tuple[T, ...]:
        latest = self.latest(source)
        if latest is None:
            if version is not None:
                raise StorageError(f"source {source!r} has no snapshot {version}")
            return ()
        if latest.kind != kind:
            raise StorageError(f"source {source!r} holds {latest.kind} entries, not {kind}")
        v = latest.version if version is None else version
        if not any(i.version == v for i in self.snapshots(source)):
            raise StorageError(f"source {source!r} has no snapshot {version}")
        decoder = msgspec.json.Decoder(type_)
        rows = self._db.execute(
            "SELECT body FROM list_entries WHERE source = ? AND version = ? ORDER BY rowid", (source, v)
        )
        return tuple(decoder.decode(body) for (body,) in rows)

    def address_entries(self, source: str, version: int | None = None) -> tuple[AddressEntry, ...]:
        return self._get(source, version, "address", AddressEntry)

    def name_entries(self, source: str, version: int | None = None) -> tuple[NameEntry, ...]:
        return self._get(source, version, "name", NameEntry)

    def close(self) -> None:
        self._db.close()


class SqliteScreeningStore:
    """The ``ScreeningStore`` port on SQLite: a path, or a connection shared with the other stores of the
    database (a clearance then joins the transaction of its audit record: ``SqliteAtomic``)."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        self._owned = not isinstance(path_or_connection, sqlite3.Connection)
        if isinstance(path_or_connection, sqlite3.Connection):
            self._db = path_or_connection
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
        else:
            self._db = _connect(path_or_connection)
        self._customer = msgspec.json.Decoder(Customer)
        self._clearance = msgspec.json.Decoder(Clearance)
        self._alert = msgspec.json.Decoder(ScreeningAlert)

    def put_customer(self, customer: Customer) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO screening_customers VALUES (?, ?)",
            (customer.customer_id, msgspec.json.encode(customer)),
        )

    def customers(self) -> Iterator[Customer]:
        for (body,) in self._db.execute("SELECT body FROM screening_customers ORDER BY customer_id"):
            yield self._customer.decode(body)

    def note_address(self, account_id: str, key: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO screening_addresses VALUES (?, ?)", (key, account_id))

    def record_usage(self, addresses: Sequence[tuple[str, str]], customers: Sequence[Customer]) -> None:
        db = self._db
        try:
            nested = db.in_transaction  # (inside a transaction the shared connection's owner holds)
            db.execute("SAVEPOINT usage" if nested else "BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR IGNORE INTO screening_addresses VALUES (?, ?)", [(k, a) for a, k in addresses]
                )
                db.executemany(
                    "INSERT OR REPLACE INTO screening_customers VALUES (?, ?)",
                    [(c.customer_id, msgspec.json.encode(c)) for c in customers],
                )
            except BaseException:
                db.execute("ROLLBACK TO usage" if nested else "ROLLBACK")
                if nested:
                    db.execute("RELEASE usage")
                raise
            db.execute("RELEASE usage" if nested else "COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot record screening usage: {exc}") from exc

    def accounts_for_address(self, key: str) -> list[str]:
        rows = self._db.execute(
            "SELECT account_id FROM screening_addresses WHERE key = ? ORDER BY account_id", (key,)
        )
        return [a for (a,) in rows]

    def clear(self, clearance: Clearance) -> None:
        self._db.execute(
            "INSERT INTO screening_clearances (customer_id, body) VALUES (?, ?)",
            (clearance.customer_id, msgspec.json.encode(clearance)),
        )

    def clearances(self, customer_id: str | None = None) -> list[Clearance]:
        rows = (
            self._db.execute("SELECT body FROM screening_clearances ORDER BY seq")
            if customer_id is None
            else self._db.execute(
                "SELECT body FROM screening_clearances WHERE customer_id = ? ORDER BY seq", (customer_id,)
            )
        )
        return [self._clearance.decode(b) for (b,) in rows]

    def is_cleared(self, customer_id: str, entry_id: str, entry_digest: str) -> bool:
        return any(
            c.entry_id == entry_id and c.entry_digest == entry_digest and c.approved
            for c in self.clearances(customer_id)
        )

    def add_alert(self, alert: ScreeningAlert) -> bool:
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO screening_alerts (key, customer_id, body) VALUES (?, ?, ?)",
            (alert.key, alert.customer_id, msgspec.json.encode(alert)),
        )
        return cursor.rowcount == 1

    def alerts(self, customer_id: str | None = None) -> list[ScreeningAlert]:
        rows = (
            self._db.execute("SELECT body FROM screening_alerts ORDER BY seq")
            if customer_id is None
            else self._db.execute(
                "SELECT body FROM screening_alerts WHERE customer_id = ? ORDER BY seq", (customer_id,)
            )
        )
        return [self._alert.decode(b) for (b,) in rows]

    def close(self) -> None:
        if self._owned:
            self._db.close()
