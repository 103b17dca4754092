"""SQLite access store: keys, users and sessions, in the journal's database file.

Each record is one row keyed by its id, its fields stored as msgspec JSON; ``replace_*`` overwrites
the row (a revocation or a new password is a new version of the record, not a new record).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from vigil.adapters.sqlite_open import connect
from vigil.errors import ConfigError, StorageError
from vigil.model.access import ApiKey, Session, User

SCHEMA = """
CREATE TABLE IF NOT EXISTS access_keys (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS access_users (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS access_sessions (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body BLOB NOT NULL
);
"""

R = TypeVar("R", ApiKey, User, Session)
_ENCODE = msgspec.json.Encoder().encode


class SqliteAccessStore:
    """The ``AccessStore`` port on SQLite: a path, or a connection shared with the other stores of the
    database (each write is one statement: inside a transaction the owner has open, it joins it)."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        self._owned = not isinstance(path_or_connection, sqlite3.Connection)
        if isinstance(path_or_connection, sqlite3.Connection):
            self.path, self._db = "the given connection", path_or_connection
        else:
            self.path = str(path_or_connection)
            self._db = connect(self.path)
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot open {self.path}: {exc}") from None
        self._decoders: dict[type, msgspec.json.Decoder[Any]] = {
            t: msgspec.json.Decoder(t) for t in (ApiKey, User, Session)
        }

    def _add(self, table: str, ident: str, record: R, what: str) -> None:
        try:
            self._db.execute(f"INSERT INTO {table} (id, body) VALUES (?, ?)", (ident, _ENCODE(record)))
        except sqlite3.IntegrityError:
            raise StorageError(f"{what} {ident!r} already exists") from None
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write {what} to {self.path}: {exc}") from exc

    def _get(self, table: str, ident: str, type_: type[R]) -> R | None:
        row = self._db.execute(f"SELECT body FROM {table} WHERE id = ?", (ident,)).fetchone()
        if row is None:
            return None
        record: R = self._decoders[type_].decode(row[0])
        return record

    def _all(self, table: str, type_: type[R]) -> list[R]:
        decode = self._decoders[type_].decode
        records: list[R] = [decode(r[0]) for r in self._db.execute(f"SELECT body FROM {table} ORDER BY seq")]
        return records

    def _replace(self, table: str, ident: str, record: R) -> bool:
        try:
            cursor = self._db.execute(f"UPDATE {table} SET body = ? WHERE id = ?", (_ENCODE(record), ident))
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write to {self.path}: {exc}") from exc
        return cursor.rowcount == 1

    def add_key(self, key: ApiKey) -> None:
        self._add("access_keys", key.key_id, key, "API key")

    def key(self, key_id: str) -> ApiKey | None:
        return self._get("access_keys", key_id, ApiKey)

    def keys(self) -> list[ApiKey]:
        return self._all("access_keys", ApiKey)

    def replace_key(self, key: ApiKey) -> bool:
        return self._replace("access_keys", key.key_id, key)

    def add_user(self, user: User) -> None:
        self._add("access_users", user.username, user, "user")

    def user(self, username: str) -> User | None:
        return self._get("access_users", username, User)

    def users(self) -> list[User]:
        return self._all("access_users", User)

    def replace_user(self, user: User) -> bool:
        return self._replace("access_users", user.username, user)

    def add_session(self, session: Session) -> None:
        self._add("access_sessions", session.token_hash, session, "session")

    def session(self, token_hash: str) -> Session | None:
        return self._get("access_sessions", token_hash, Session)

    def replace_session(self, session: Session) -> bool:
        return self._replace("access_sessions", session.token_hash, session)

    def close(self) -> None:
        if self._owned:
            self._db.close()
