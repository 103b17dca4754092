"""PostgreSQL access store: API keys, users and sessions, one row per record, as in SQLite.

Each record is a row keyed by its id (key id, username, token hash) with its fields as msgspec JSON;
``seq`` keeps the order they were added. ``replace_*`` overwrites the row: a revocation or a new
password is a new version of the record, not a new record.
"""

from __future__ import annotations

from typing import TypeVar

import msgspec
from sqlalchemy import Engine, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from vigil.adapters.postgres.schema import (
    access_keys,
    access_sessions,
    access_users,
    begin,
    check_schema,
    connection,
    reason,
    where,
)
from vigil.errors import StorageError
from vigil.model.access import ApiKey, Session, User

R = TypeVar("R", ApiKey, User, Session)
_ENCODE = msgspec.json.Encoder().encode


class PostgresAccessStore:
    def __init__(self, engine: Engine) -> None:
        check_schema(engine)
        self.engine = engine

    def _add(self, table: Table, ident: str, record: R, what: str) -> None:
        try:
            with begin(self.engine) as conn:
                conn.execute(insert(table), {"id": ident, "body": _ENCODE(record)})
        except IntegrityError:
            raise StorageError(f"{what} {ident!r} already exists") from None
        except SQLAlchemyError as exc:
            raise StorageError(
                f"cannot save {what} {ident!r} (PostgreSQL {where(self.engine)}): {reason(exc)}"
            ) from exc

    def _get(self, table: Table, ident: str, type_: type[R]) -> R | None:
        statement = select(table.c.body).where(table.c.id == bindparam("ident"))
        with connection(self.engine, f"read {table.name} {ident!r}") as conn:
            body = conn.execute(statement, {"ident": ident}).scalar()
        return None if body is None else msgspec.json.decode(body, type=type_)

    def _all(self, table: Table, type_: type[R]) -> list[R]:
        with connection(self.engine, f"read {table.name}") as conn:
            bodies = conn.execute(select(table.c.body).order_by(table.c.seq)).scalars().all()
        return [msgspec.json.decode(b, type=type_) for b in bodies]

    def _replace(self, table: Table, ident: str, record: R) -> bool:
        statement = update(table).where(table.c.id == bindparam("ident")).values(body=bindparam("new_body"))
        with connection(self.engine, f"replace {table.name} {ident!r}", write=True) as conn:
            return conn.execute(statement, {"ident": ident, "new_body": _ENCODE(record)}).rowcount == 1

    def add_key(self, key: ApiKey) -> None:
        self._add(access_keys, key.key_id, key, "API key")

    def key(self, key_id: str) -> ApiKey | None:
        return self._get(access_keys, key_id, ApiKey)

    def keys(self) -> list[ApiKey]:
        return self._all(access_keys, ApiKey)

    def replace_key(self, key: ApiKey) -> bool:
        return self._replace(access_keys, key.key_id, key)

    def add_user(self, user: User) -> None:
        self._add(access_users, user.username, user, "user")

    def user(self, username: str) -> User | None:
        return self._get(access_users, username, User)

    def users(self) -> list[User]:
        return self._all(access_users, User)

    def replace_user(self, user: User) -> bool:
        return self._replace(access_users, user.username, user)

    def add_session(self, session: Session) -> None:
        self._add(access_sessions, session.token_hash, session, "session")

    def session(self, token_hash: str) -> Session | None:
        return self._get(access_sessions, token_hash, Session)

    def replace_session(self, session: Session) -> bool:
        return self._replace(access_sessions, session.token_hash, session)

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""
