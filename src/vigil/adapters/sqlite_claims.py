"""SQLite claim store (WAL), in the journal's database file by default.

``recovery_deposits`` holds one row per crypto deposit read from the journal (``event_id`` the key,
an index on the canonical tx hash); ``recovery_cursor`` one row, the journal position read up to.
``claim_events`` and ``claim_order`` are the claim histories, append-only (``sqlite_history``: one row
per entry, claims numbered in filing order).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from vigil.adapters.memory_claims import check_next
from vigil.adapters.sqlite_history import HistoryTable, SqliteHistoryStore
from vigil.model import Chain, Uncredited
from vigil.model.claims import ClaimEvent, ClaimKind, UncreditedDeposit

CLAIMS = HistoryTable("claim", "claim_id", ClaimEvent, ClaimKind, check_next, "claim")
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
    *CLAIMS.schema("claim history is append-only"),
)
_DEPOSIT = (
    "event_id, account_id, region, ts_us, chain, tx_hash, asset, amount, fiat_value, source_address, reason,"
    " deposit_address, memo"
)


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


class SqliteClaimStore(SqliteHistoryStore[ClaimEvent]):
    """The ``ClaimStore`` port on SQLite: a path, or a connection shared with the other stores of the
    database (then its writes join a transaction the owner has open: ``SqliteAtomic``)."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        super().__init__(path_or_connection, CLAIMS, SCHEMA)

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

    def claims(self) -> int:
        return self._count()
