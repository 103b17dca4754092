"""The AccessStore contract (vigil.ports.AccessStore), run unchanged against every adapter."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.postgres import postgres_schema
from vigil.adapters.memory_access import MemoryAccessStore
from vigil.adapters.postgres import PostgresAccessStore
from vigil.adapters.sqlite_access import SqliteAccessStore
from vigil.errors import StorageError
from vigil.model.access import ApiKey, Role, Session, User
from vigil.ports import AccessStore

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def access(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AccessStore]:
    if request.param == "postgres":
        with postgres_schema() as engine:
            yield PostgresAccessStore(engine)
        return
    yield MemoryAccessStore() if request.param == "memory" else SqliteAccessStore(tmp_path / "a.db")


def key(n: int, *roles: Role) -> ApiKey:
    return ApiKey(
        key_id=f"vk_{n:04d}",
        name=f"backend {n}",
        roles=frozenset(roles or (Role.SERVICE,)),
        secret_hash=f"{n:064x}",
        created_at=T0 + timedelta(minutes=n),
    )


def user(name: str, *roles: Role) -> User:
    return User(
        username=name,
        roles=frozenset(roles or (Role.ANALYST,)),
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        created_at=T0,
    )


def session(n: int, username: str = "ana") -> Session:
    return Session(
        token_hash=f"{n:064x}",
        username=username,
        created_at=T0,
        expires_at=T0 + timedelta(hours=8),
    )


def test_keys_round_trip_and_list_oldest_first(access: AccessStore) -> None:
    keys = [key(2), key(1, Role.SERVICE, Role.AUDITOR), key(3)]
    for k in keys:
        access.add_key(k)
    assert access.key("vk_0001") == keys[1]
    assert access.key("vk_9999") is None
    assert access.keys() == keys


def test_adding_an_existing_id_raises_and_changes_nothing(access: AccessStore) -> None:
    access.add_key(key(1))
    with pytest.raises(StorageError, match="vk_0001"):
        access.add_key(replace(key(1), name="impostor"))
    assert access.key("vk_0001") == key(1)
    access.add_user(user("ana"))
    with pytest.raises(StorageError, match="ana"):
        access.add_user(user("ana", Role.ADMIN))
    assert access.user("ana") == user("ana")
    access.add_session(session(1))
    with pytest.raises(StorageError):
        access.add_session(replace(session(1), username="bob"))
    assert access.session(session(1).token_hash) == session(1)


def test_replacing_keeps_one_record_and_refuses_unknown_ids(access: AccessStore) -> None:
    access.add_key(key(1))
    access.add_key(key(2))
    revoked = replace(key(1), revoked_at=T0 + timedelta(days=1))
    assert access.replace_key(revoked)
    assert access.key("vk_0001") == revoked
    assert access.keys() == [revoked, key(2)]  # still listed, in its place
    assert not access.replace_key(key(7))
    assert access.key("vk_0007") is None


def test_users_are_replaced_whole(access: AccessStore) -> None:
    access.add_user(user("ana"))
    access.add_user(user("sam", Role.SUPERVISOR, Role.ANALYST))
    changed = replace(user("ana"), roles=frozenset({Role.AUDITOR}), disabled_at=T0 + timedelta(days=2))
    assert access.replace_user(changed)
    assert access.user("ana") == changed
    assert [u.username for u in access.users()] == ["ana", "sam"]
    assert access.users()[1].roles == frozenset({Role.SUPERVISOR, Role.ANALYST})
    assert not access.replace_user(user("nobody"))
    assert access.user("nobody") is None


def test_sessions_are_found_by_token_hash_and_revoked_by_replacement(access: AccessStore) -> None:
    access.add_session(session(1))
    access.add_session(session(2, "sam"))
    assert access.session(session(2).token_hash) == session(2, "sam")
    assert access.session("0" * 63 + "f") is None
    ended = replace(session(1), revoked_at=T0 + timedelta(hours=1))
    assert access.replace_session(ended)
    assert access.session(session(1).token_hash) == ended
    assert not access.replace_session(session(9))
