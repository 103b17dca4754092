"""Opening a SQLite database file the way the stores that share it expect: autocommit, WAL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from vigil.errors import ConfigError, StorageError


def connect(path: str | Path, schema: str = "") -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL with ``synchronous=NORMAL``,
    usable from the thread that serves it; ``schema`` (``CREATE ... IF NOT EXISTS``) run once. A
    missing directory or a file that is not a database is a ``ConfigError`` naming the path."""
    path = str(path)
    if path != ":memory:" and not Path(path).parent.is_dir():
        raise ConfigError(f"cannot open {path}: directory {Path(path).parent} does not exist")
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        if schema:
            db.executescript(schema)
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot open {path}: {exc}") from None
    return db


def _in_transaction(db: sqlite3.Connection) -> bool:
    return db.in_transaction


class SqliteAtomic:
    """The ``Atomic`` port on SQLite: one transaction on the connection the stores of a database share
    (given to each of them), taken with the write lock first (``BEGIN IMMEDIATE``); the stores' own
    writes inside it become savepoints. A failed commit or a body that raises rolls all of it back."""

    def __init__(self, connection: sqlite3.Connection, path: str = "the database") -> None:
        self.connection, self.path = connection, path

    @contextmanager
    def atomic(self) -> Iterator[None]:
        db = self.connection
        if db.in_transaction:  # joins the transaction already open
            yield
            return
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot begin a transaction in {self.path}: {exc}") from exc
        try:
            yield
        except BaseException:
            if _in_transaction(db):  # (some errors roll the transaction back themselves)
                db.execute("ROLLBACK")
            raise
        try:
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if _in_transaction(db):
                db.execute("ROLLBACK")
            raise StorageError(f"cannot commit in {self.path}: {exc}") from exc


class SqliteStore:
    """A store's connection, opened here on a path (``close`` closes it) or given by its owner (``close``
    leaves it open, and a write made while the owner has a transaction open becomes durable when the
    owner commits); ``schema`` statements run once, one by one (``executescript`` would commit a
    transaction the owner has open). ``_io`` maps sqlite3 errors to ``StorageError`` naming the path."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection, schema: Sequence[str]) -> None:
        if isinstance(path_or_connection, sqlite3.Connection):
            self.path, self._db, self._owned = "the given connection", path_or_connection, False
        else:
            self.path, self._db, self._owned = str(path_or_connection), connect(path_or_connection), True
        try:
            for statement in schema:
                self._db.execute(statement)
        except sqlite3.Error as exc:
            self.close()
            raise ConfigError(f"cannot open {self.path}: {exc}") from None

    def _add_column(self, table: str, column: str, declaration: str) -> None:
        """Add a column a database made by an earlier release lacks (its rows get the default)."""
        with self._io(f"add column {column} to {table}") as db:
            have = {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    @contextmanager
    def _io(self, what: str) -> Iterator[sqlite3.Connection]:
        try:
            yield self._db
        except sqlite3.Error as exc:
            raise StorageError(f"cannot {what} in {self.path}: {exc}") from exc

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One transaction that takes the write lock before anything is read (so no other connection
        writes in between), or a savepoint inside the transaction the owner of a given connection has
        open. Whatever interrupts the body (an sqlite3 error, ``Conflict``, KeyboardInterrupt) undoes
        all of it."""
        with self._io(what) as db:
            nested = db.in_transaction
            db.execute("SAVEPOINT vigil_write" if nested else "BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if nested:
                    db.execute("ROLLBACK TO vigil_write")
                    db.execute("RELEASE vigil_write")
                elif db.in_transaction:  # (some errors roll the transaction back themselves)
                    db.execute("ROLLBACK")
                raise
            db.execute("RELEASE vigil_write" if nested else "COMMIT")

    def close(self) -> None:
        """Close the connection this store opened; a given connection stays open for its owner."""
        if self._owned:
            self._db.close()
