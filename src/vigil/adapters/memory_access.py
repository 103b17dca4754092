"""In-memory access store: the reference implementation of the ``AccessStore`` contract."""

from __future__ import annotations

from typing import TypeVar

from vigil.errors import StorageError
from vigil.model.access import ApiKey, Session, User

R = TypeVar("R")


def _add(table: dict[str, R], ident: str, record: R, what: str) -> None:
    if ident in table:
        raise StorageError(f"{what} {ident!r} already exists")
    table[ident] = record


def _replace(table: dict[str, R], ident: str, record: R) -> bool:
    if ident not in table:
        return False
    table[ident] = record
    return True


class MemoryAccessStore:
    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}
        self._users: dict[str, User] = {}
        self._sessions: dict[str, Session] = {}

    def add_key(self, key: ApiKey) -> None:
        _add(self._keys, key.key_id, key, "API key")

    def key(self, key_id: str) -> ApiKey | None:
        return self._keys.get(key_id)

    def keys(self) -> list[ApiKey]:
        return list(self._keys.values())

    def replace_key(self, key: ApiKey) -> bool:
        return _replace(self._keys, key.key_id, key)

    def add_user(self, user: User) -> None:
        _add(self._users, user.username, user, "user")

    def user(self, username: str) -> User | None:
        return self._users.get(username)

    def users(self) -> list[User]:
        return list(self._users.values())

    def replace_user(self, user: User) -> bool:
        return _replace(self._users, user.username, user)

    def add_session(self, session: Session) -> None:
        _add(self._sessions, session.token_hash, session, "session")

    def session(self, token_hash: str) -> Session | None:
        return self._sessions.get(token_hash)

    def replace_session(self, session: Session) -> bool:
        return _replace(self._sessions, session.token_hash, session)

    def close(self) -> None:
        """Nothing to release."""
