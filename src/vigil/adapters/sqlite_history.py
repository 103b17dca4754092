"""Append-only histories on SQLite: the case, law-enforcement request and claim stores keep theirs alike.

A ``HistoryTable`` says what one kind of history is (its table names, key, entry class and wording) and
how an entry is a row, for SQLite and PostgreSQL alike (``postgres/history.py``). ``<name>_events``
holds one row per entry, primary key ``(<key>, seq)``, so a second writer appending the same seq fails
on the key even if it skipped ``check_next``; ``<name>_order`` numbers the keys in the order their first
entry came (once: ``INSERT OR IGNORE``); triggers refuse UPDATE and DELETE on ``<name>_events``.
``SqliteHistoryStore`` is the store around one such table: append, one key's history, all of them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from operator import attrgetter
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from vigil.adapters.sqlite_open import SqliteStore
from vigil.errors import Conflict


class Entry(Protocol):
    """A history entry: its key (``case_id``, ``request_id``, ``claim_id``), ``seq`` (1, 2, 3 ... within
    the key), ``at_us``, ``actor``, ``kind`` (an enum), ``data`` (JSON) and ``system``."""

    @property
    def seq(self) -> int: ...


E = TypeVar("E", bound=Entry)


def refuse_changes(table: str, message: str) -> tuple[str, ...]:
    """The triggers that make ``table`` append-only, raising ``message``."""
    return tuple(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for verb in ("UPDATE", "DELETE")
    )


@dataclass(frozen=True, slots=True)
class HistoryTable(Generic[E]):
    name: str  # the tables' prefix: ``case`` -> ``case_events``, ``case_order``
    key: str  # the entry's key, field and column: ``case_id``
    entry: Callable[..., E]  # the entry's class
    kind: Callable[[str], Enum]  # the enum of its kind
    check_next: Callable[[Sequence[E], dict[str, int]], None]  # Conflict unless each entry continues its key
    noun: str  # what errors name: "case history changed meanwhile"

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.key, "seq", "at_us", "actor", "kind", "data", "system")

    def key_of(self, e: E) -> str:
        key: str = getattr(e, self.key)
        return key

    def row(self, e: E) -> tuple[Any, ...]:
        key, seq, at_us, actor, kind, data, system = attrgetter(*self.columns)(e)
        return (key, seq, at_us, actor, kind.value, json.dumps(data, sort_keys=True), system)

    def entry_of(self, row: Sequence[Any]) -> E:
        key, seq, at_us, actor, kind, data, system = row
        data = json.loads(data)
        return self.entry(key, int(seq), int(at_us), actor, self.kind(kind), data, system=bool(system))

    def schema(self, refusal: str) -> tuple[str, ...]:
        """SQLite's tables and triggers (``refusal``: the message an UPDATE or a DELETE gets)."""
        return (
            f"""CREATE TABLE IF NOT EXISTS {self.name}_events (
        {self.key} TEXT NOT NULL, seq INTEGER NOT NULL, at_us INTEGER NOT NULL, actor TEXT NOT NULL,
        kind TEXT NOT NULL, data TEXT NOT NULL, system INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY ({self.key}, seq)
    ) WITHOUT ROWID""",
            f"CREATE TABLE IF NOT EXISTS {self.name}_order (n INTEGER PRIMARY KEY, {self.key} TEXT NOT NULL"
            " UNIQUE)",
            *refuse_changes(f"{self.name}_events", refusal),
        )


class SqliteHistoryStore(SqliteStore, Generic[E]):
    """A ``SqliteStore`` whose entries live in one history table (``schema`` includes ``table.schema``)."""

    def __init__(
        self,
        path_or_connection: str | Path | sqlite3.Connection,
        table: HistoryTable[E],
        schema: Sequence[str],
    ) -> None:
        super().__init__(path_or_connection, schema)
        self._table = table

    def append(self, events: Sequence[E]) -> None:
        with self._write(f"append to a {self._table.noun}'s history") as db:
            self._append(db, events)

    def history(self, key: str) -> list[E]:
        t = self._table
        with self._io(f"read a {t.noun}'s history") as db:
            rows = db.execute(
                f"SELECT {', '.join(t.columns)} FROM {t.name}_events WHERE {t.key} = ? ORDER BY seq", (key,)
            ).fetchall()
        return [t.entry_of(r) for r in rows]

    def all_events(self) -> Iterator[E]:
        t = self._table
        with self._io(f"read the {t.noun} histories") as db:
            rows = db.execute(
                f"SELECT {', '.join(f'e.{c}' for c in t.columns)} FROM {t.name}_order o"
                f" JOIN {t.name}_events e ON e.{t.key} = o.{t.key} ORDER BY o.n, e.seq"
            ).fetchall()
        return map(t.entry_of, rows)

    def _count(self) -> int:
        with self._io(f"count {self._table.noun}s") as db:
            return int(db.execute(f"SELECT COUNT(*) FROM {self._table.name}_order").fetchone()[0])

    def _append(self, db: sqlite3.Connection, events: Sequence[E]) -> None:
        """Inside a write: refuse entries that do not continue their key's history; insert; number keys."""
        t = self._table
        last = {
            key: n
            for key in sorted({t.key_of(e) for e in events})
            for (n,) in db.execute(f"SELECT MAX(seq) FROM {t.name}_events WHERE {t.key} = ?", (key,))
            if n is not None
        }
        t.check_next(events, last)
        try:
            db.executemany(
                f"INSERT INTO {t.name}_events ({', '.join(t.columns)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [t.row(e) for e in events],
            )
        except sqlite3.IntegrityError as exc:  # another writer got there first
            raise Conflict(f"{t.noun} history changed meanwhile: {exc}") from None
        db.executemany(
            f"INSERT OR IGNORE INTO {t.name}_order ({t.key}) VALUES (?)",
            [(t.key_of(e),) for e in events if e.seq == 1],
        )
