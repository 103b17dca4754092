"""The access service: keys, passwords, sessions, and what a token proves."""

from __future__ import annotations

import asyncio
import os
import threading
from datetime import UTC, datetime, timedelta

import pytest

from vigil.access import Access, Issued, digest, tokens
from vigil.access.passwords import LOWEST_PRIORITY, PasswordPool
from vigil.access.throttle import LoginLimits, LoginThrottle
from vigil.adapters.memory_access import MemoryAccessStore
from vigil.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, TooManyAttempts, WeakPassword
from vigil.model.access import Role

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _login(access: Access, username: str, password: str, address: str = "") -> Issued:
    return asyncio.run(access.login(username, password, address))


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
    issued = _login(access, "ana", PASSWORD)
    assert access.authenticate(issued.token).roles == {Role.ANALYST, Role.SUPERVISOR}
    clock.now += access.session_ttl - timedelta(seconds=1)
    access.authenticate(issued.token)
    clock.now += timedelta(seconds=2)
    with pytest.raises(NotAuthenticated):
        access.authenticate(issued.token)
    second = _login(access, "ana", PASSWORD)
    access.logout(second.token)
    with pytest.raises(NotAuthenticated):
        access.authenticate(second.token)
    third = _login(access, "ana", PASSWORD)
    access.disable_user("ana")
    with pytest.raises(NotAuthenticated):
        access.authenticate(third.token)
    with pytest.raises(NotAuthenticated):
        _login(access, "ana", PASSWORD)


def test_new_roles_and_passwords_take_effect() -> None:
    access, _ = make()
    access.add_user("ana", PASSWORD, [Role.ANALYST])
    token = _login(access, "ana", PASSWORD).token
    access.set_roles("ana", [Role.AUDITOR])
    assert access.authenticate(token).roles == {Role.AUDITOR}
    access.set_password("ana", PASSWORD + "!")
    with pytest.raises(NotAuthenticated):
        _login(access, "ana", PASSWORD)
    assert _login(access, "ana", PASSWORD + "!").session is not None
    with pytest.raises(NotFound):
        access.set_roles("nobody", [Role.ADMIN])


def test_unknown_user_and_wrong_password_fail_alike() -> None:
    access, _ = make()
    access.add_user("ana", PASSWORD, [Role.ANALYST])
    messages = set()
    for name, password in (("ana", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(NotAuthenticated) as exc:
            _login(access, name, password)
        messages.add(str(exc.value))
    assert messages == {"wrong username or password"}


def _refused(throttle: LoginThrottle, user: str, address: str, now: float) -> int:
    """The seconds the throttle asks to wait, 0 when it lets the try through."""
    try:
        throttle.check(user, address, now)
    except TooManyAttempts as exc:
        return exc.retry_after
    return 0


def test_the_throttle_backs_off_doubling_then_locks_the_username() -> None:
    limits = LoginLimits(user_failures=2, backoff_seconds=1, backoff_max_seconds=4, lockout_failures=6)
    t = LoginThrottle(limits)
    now = 100.0
    waits = []
    for _ in range(5):
        assert t.failed("ana", "10.0.0.1", now) == 0
        waits.append(_refused(t, "ana", "10.0.0.1", now))
        now += waits[-1]
        assert _refused(t, "ana", "10.0.0.1", now) == 0  # waiting out the backoff always works
    assert waits == [0, 0, 1, 2, 4]
    assert t.failed("ana", "10.0.0.1", now) == 6  # the sixth failure locks
    assert _refused(t, "ana", "10.0.0.2", now + 1) == 899  # from any address, for the lockout's time
    assert _refused(t, "ana", "10.0.0.2", now + 900) == 0
    assert _refused(t, "bob", "10.0.0.1", now + 1) == 0  # the address did not reach its own limit


def test_the_throttle_forgets_old_failures_and_a_success_clears_the_username_only() -> None:
    t = LoginThrottle(LoginLimits(user_failures=1, address_failures=2, backoff_seconds=5, window_seconds=60))
    t.failed("ana", "a", 0.0)
    t.failed("ana", "a", 1.0)
    assert _refused(t, "ana", "b", 2.0) == 4
    assert _refused(t, "ana", "b", 61.5) == 0  # the first failure is out of the window
    t.succeeded("ana")
    assert _refused(t, "ana", "b", 2.0) == 0
    t.failed("carl", "a", 2.0)
    assert _refused(t, "dora", "a", 3.0) == 4  # the address still counts three failures


def test_the_throttle_holds_a_bounded_number_of_names() -> None:
    t = LoginThrottle(LoginLimits(max_keys=100))
    for i in range(1000):
        t.failed(f"name{i}", "a", float(i))
    assert len(t._users) <= 100


def test_login_limits_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="lockout_failures"):
        LoginLimits(lockout_failures=0)
    with pytest.raises(ValueError, match="backoff_seconds"):
        LoginLimits(backoff_seconds=-1)


def test_a_locked_username_is_refused_even_with_the_right_password() -> None:
    access = Access(MemoryAccessStore(), limits=LoginLimits(backoff_seconds=0, lockout_failures=3))
    access.add_user("ana", PASSWORD, [Role.ANALYST])
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            _login(access, "ana", "wrong password!")
    with pytest.raises(TooManyAttempts) as exc:
        _login(access, "ana", PASSWORD)
    assert exc.value.retry_after == 900


def test_the_password_pool_checks_off_the_loop_and_refuses_when_full() -> None:
    pool = PasswordPool(workers=1, queue=0)
    stored = tokens.hash_password(PASSWORD)

    async def run() -> tuple[bool | BaseException, bool | BaseException]:
        return await asyncio.gather(
            pool.check(stored, PASSWORD), pool.check(stored, PASSWORD), return_exceptions=True
        )

    try:
        first, second = asyncio.run(run())
        assert first is True and isinstance(second, TooManyAttempts) and second.retry_after == 1
        assert asyncio.run(pool.check(None, PASSWORD)) is False  # an unknown user: the dummy hash
        nice = pool._executor.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        assert nice.result() == LOWEST_PRIORITY
    finally:
        pool.close()
    with pytest.raises(ValueError, match="at least one worker"):
        PasswordPool(workers=0)
