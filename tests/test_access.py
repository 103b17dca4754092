"""The access service: keys, passwords, sessions, and what a token proves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vigil.access import Access, digest
from vigil.adapters.memory_access import MemoryAccessStore
from vigil.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, WeakPassword
from vigil.model.access import Role

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make(cache_seconds: float = 0.0) -> tuple[Access, Clock]:
    clock = Clock()
    return Access(MemoryAccessStore(), cache_seconds=cache_seconds, clock=clock), clock


def test_a_key_token_proves_its_roles_and_only_its_digest_is_stored() -> None:
    access, _ = make()
    issued = access.create_key("payments", [Role.SERVICE])
    assert issued.key is not None and issued.token.startswith(f"vk_{issued.key.key_id}.")
    secret = issued.token.split(".", 1)[1]
    assert issued.key.secret_hash == digest(secret) and secret not in repr(issued.key)
    principal = access.authenticate(issued.token)
    assert (principal.kind, principal.name) == ("key", issued.key.key_id)
    assert principal.roles == {Role.SERVICE}


@pytest.mark.parametrize(
    "mangle", [lambda t: t + "x", lambda t: t[:-1], lambda t: t.replace("vk_", "vk_0"), str.upper]
)
def test_a_tampered_key_token_proves_nothing(mangle: object) -> None:
    access, _ = make()
    token = access.create_key("payments", [Role.SERVICE]).token
    assert callable(mangle)
    with pytest.raises(NotAuthenticated):
        access.authenticate(mangle(token))


def test_a_revoked_key_stops_working_and_stays_listed() -> None:
    access, _ = make()
    issued = access.create_key("payments", [Role.SERVICE])
    assert issued.key is not None
    access.revoke_key(issued.key.key_id)
    with pytest.raises(NotAuthenticated):
        access.authenticate(issued.token)
    assert access.store.keys()[0].revoked_at is not None
    with pytest.raises(NotFound, match="nope"):
        access.revoke_key("nope")


def test_revocation_clears_the_cache_at_once() -> None:
    access, _ = make(cache_seconds=60)
    issued = access.create_key("payments", [Role.SERVICE])
    assert issued.key is not None
    access.authenticate(issued.token)  # cached now
    access.revoke_key(issued.key.key_id)
    with pytest.raises(NotAuthenticated):
        access.authenticate(issued.token)


def test_passwords_are_argon2id_hashes_and_the_policy_is_enforced() -> None:
    access, _ = make()
    user = access.add_user("ana", PASSWORD, [Role.ANALYST])
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    with pytest.raises(WeakPassword, match="at least 12"):
        access.add_user("bob", "short", [Role.ANALYST])
    with pytest.raises(Conflict, match="ana"):
        access.add_user("ana", PASSWORD, [Role.ADMIN])
    with pytest.raises(InvalidInput) as bad_role:
        access.add_user("cy", PASSWORD, ["overlord"])
    assert bad_role.value.field == "roles" and "overlord" in str(bad_role.value)
    with pytest.raises(InvalidInput) as no_role:
        access.add_user("cy", PASSWORD, [])
    assert no_role.value.field == "roles"
    with pytest.raises(InvalidInput) as bad_name:
        access.add_user("Cy Young", PASSWORD, [Role.ANALYST])
    assert bad_name.value.field == "username"


def test_a_session_lasts_its_time_and_ends_on_logout_or_disable() -> None:
    access, clock = make()
    access.add_user("ana", PASSWORD, [Role.ANALYST, Role.SUPERVISOR])
    issued = access.login("ana", PASSWORD)
    assert access.authenticate(issued.token).roles == {Role.ANALYST, Role.SUPERVISOR}
    clock.now += access.session_ttl - timedelta(seconds=1)
    access.authenticate(issued.token)
    clock.now += timedelta(seconds=2)
    with pytest.raises(NotAuthenticated):
        access.authenticate(issued.token)
    second = access.login("ana", PASSWORD)
    access.logout(second.token)
    with pytest.raises(NotAuthenticated):
        access.authenticate(second.token)
    third = access.login("ana", PASSWORD)
    access.disable_user("ana")
    with pytest.raises(NotAuthenticated):
        access.authenticate(third.token)
    with pytest.raises(NotAuthenticated):
        access.login("ana", PASSWORD)


def test_new_roles_and_passwords_take_effect() -> None:
    access, _ = make()
    access.add_user("ana", PASSWORD, [Role.ANALYST])
    token = access.login("ana", PASSWORD).token
    access.set_roles("ana", [Role.AUDITOR])
    assert access.authenticate(token).roles == {Role.AUDITOR}
    access.set_password("ana", PASSWORD + "!")
    with pytest.raises(NotAuthenticated):
        access.login("ana", PASSWORD)
    assert access.login("ana", PASSWORD + "!").session is not None
    with pytest.raises(NotFound):
        access.set_roles("nobody", [Role.ADMIN])


def test_unknown_user_and_wrong_password_fail_alike() -> None:
    access, _ = make()
    access.add_user("ana", PASSWORD, [Role.ANALYST])
    messages = set()
    for name, password in (("ana", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(NotAuthenticated) as exc:
            access.login(name, password)
        messages.add(str(exc.value))
    assert messages == {"wrong username or password"}
