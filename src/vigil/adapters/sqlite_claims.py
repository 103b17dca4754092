"""SQLite claim store (WAL), in the journal's database file by default.

``recovery_deposits`` holds one row per crypto deposit read from the journal (``event_id`` the key,
an index on the canonical tx hash); ``recovery_cursor`` one row, the journal position read up to.
``claim_events`` holds one row per history entry, primary key ``(claim_id, seq)``, so a second writer
appending the same seq fails on the key even if it skipped ``check_next``; ``claim_order`` numbers
claims in filing order. Triggers refuse UPDATE and DELETE on ``claim_events``: histories are
append-only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from vigil.adapters.memory_claims import check_next
from vigil.adapters.sqlite_open import SqliteStore
from vigil.errors import Conflict
from vigil.model import Chain, Uncredited
from vigil.model.claims import ClaimData, ClaimEvent, ClaimKind, UncreditedDeposit

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS recovery_deposits (
        event_id TEXT PRIMARY KEY, n INTEGER NOT NULL, account_id TEXT NOT NULL, region TEXT NOT NULL,
        ts_us INTEGER NOT NULL, chain TEXT NOT NULL, tx_hash TEXT NOT NULL, asset TEXT NOT NULL,
        amount TEXT NOT NULL, fiat_value TEXT NOT NULL, source_address TEXT, reason TEXT,
        deposit_address TEXT, memo TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS recovery_deposits_tx ON recovery_deposits (tx_hash)",
    "CREATE INDEX IF NOT EXISTS recovery_deposits_open ON recovery_deposits (n) WHERE reason IS NOT NULL",
    """CREATE TABLE IF NOT EXISTS recovery_cursor (
        one INTEGER PRIMARY KEY CHECK (one = 1), journal INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS claim_events (
        claim_id TEXT NOT NULL, seq INTEGER NOT NULL, at_us INTEGER NOT NULL, actor TEXT NOT NULL,
        kind TEXT NOT NULL, data TEXT NOT NULL, system INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (claim_id, seq)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS claim_order (n INTEGER PRIMARY KEY, claim_id TEXT NOT NULL UNIQUE)""",
    """CREATE TRIGGER IF NOT EXISTS claim_events_no_update BEFORE UPDATE ON claim_events
        BEGIN SELECT RAISE(ABORT, 'claim history is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS claim_events_no_delete BEFORE DELETE ON claim_events
        BEGIN SELECT RAISE(ABORT, 'claim history is append-only'); END""",
)
_DEPOSIT = (
    "event_id, account_id, region, ts_us, chain, tx_hash, asset, amount, fiat_value, source_address, reason,"
    " deposit_address, memo"
)
_COLUMNS = "claim_id, seq, at_us, actor, kind, data, system"


def deposit_row(d: UncreditedDeposit) -> tuple[Any, ...]:
    return (
        d.event_id, d.account_id, d.region, d.ts_us, d.chain.value, d.tx_hash, d.asset, str(d.amount),
        str(d.fiat_value), d.source_address, None if d.reason is None else d.reason.value, d.deposit_address,
        d.memo,
    )  # fmt: skip


def deposit_of_row(r: Sequence[Any]) -> UncreditedDeposit:
    return UncreditedDeposit(
        event_id=r[0], account_id=r[1], region=r[2], ts_us=int(r[3]), chain=Chain(r[4]), tx_hash=r[5],
        asset=r[6], amount=int(r[7]), fiat_value=Decimal(r[8]), source_address=r[9],
        reason=None if r[10] is None else Uncredited(r[10]), deposit_address=r[11], memo=r[12],
    )  # fmt: skip


def entry_of_row(row: Sequence[Any]) -> ClaimEvent:
    data: ClaimData = json.loads(row[5])
    return ClaimEvent(row[0], int(row[1]), int(row[2]), row[3], ClaimKind(row[4]), data, system=bool(row[6]))


class SqliteClaimStore(SqliteStore):
    """The ``ClaimStore`` port on SQLite: a path, or a connection shared with the other stores of the
    database (then its writes join a transaction the owner has open: ``SqliteAtomic``)."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        super().__init__(path_or_connection, SCHEMA)

    def add_deposits(self, deposits: Sequence[UncreditedDeposit], cursor: int | None = None) -> int:
        with self._write("add deposits to the recovery desk") as db:
            n = int(db.execute("SELECT COALESCE(MAX(n), 0) FROM recovery_deposits").fetchone()[0])
            added = 0
            for d in deposits:
                cur = db.execute(
                    f"INSERT OR IGNORE INTO recovery_deposits (n, {_DEPOSIT})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (n + added + 1, *deposit_row(d)),
                )
                added += cur.rowcount
            if cursor is not None:
                db.execute(
                    "INSERT INTO recovery_cursor VALUES (1, ?)"
                    " ON CONFLICT (one) DO UPDATE SET journal = excluded.journal",
                    (cursor,),
                )
            return added

    def deposits(self, tx_hash: str) -> list[UncreditedDeposit]:
        with self._io("read deposits") as db:
            rows = db.execute(
                f"SELECT {_DEPOSIT} FROM recovery_deposits WHERE tx_hash = ? ORDER BY n", (tx_hash,)
            ).fetchall()
        return [deposit_of_row(r) for r in rows]

    def uncredited(self, limit: int = 100, offset: int = 0) -> list[UncreditedDeposit]:
        with self._io("read uncredited deposits") as db:
            rows = db.execute(
                f"SELECT {_DEPOSIT} FROM recovery_deposits WHERE reason IS NOT NULL"
                " ORDER BY n LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [deposit_of_row(r) for r in rows]

    def cursor(self) -> int:
        with self._io("read the recovery cursor") as db:
            row = db.execute("SELECT journal FROM recovery_cursor").fetchone()
        return int(row[0]) if row else 0

    def append(self, events: Sequence[ClaimEvent]) -> None:
        rows = [
            (
                e.claim_id,
                e.seq,
                e.at_us,
                e.actor,
                e.kind.value,
                json.dumps(e.data, sort_keys=True),
                int(e.system),
            )
            for e in events
        ]
        with self._write("append to a claim's history") as db:
            last = {
                claim_id: n
                for claim_id in sorted({e.claim_id for e in events})
                for (n,) in db.execute("SELECT MAX(seq) FROM claim_events WHERE claim_id = ?", (claim_id,))
                if n is not None
            }
            check_next(events, last)
            try:
                db.executemany(f"INSERT INTO claim_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            except sqlite3.IntegrityError as exc:  # another writer got there first
                raise Conflict(f"claim history changed meanwhile: {exc}") from None
            db.executemany(
                "INSERT OR IGNORE INTO claim_order (claim_id) VALUES (?)",
                [(e.claim_id,) for e in events if e.seq == 1],
            )

    def history(self, claim_id: str) -> list[ClaimEvent]:
        with self._io("read a claim's history") as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM claim_events WHERE claim_id = ? ORDER BY seq", (claim_id,)
            ).fetchall()
        return [entry_of_row(r) for r in rows]

    def all_events(self) -> Iterator[ClaimEvent]:
        with self._io("read the claim histories") as db:
            rows = db.execute(
                "SELECT e.claim_id, e.seq, e.at_us, e.actor, e.kind, e.data, e.system FROM claim_order o"
                " JOIN claim_events e ON e.claim_id = o.claim_id ORDER BY o.n, e.seq"
            ).fetchall()
        return (entry_of_row(r) for r in rows)

    def claims(self) -> int:
        with self._io("count claims") as db:
            return int(db.execute("SELECT COUNT(*) FROM claim_order").fetchone()[0])
