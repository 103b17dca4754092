"""The access service: create and revoke keys, manage people, sign in and out, authenticate tokens.

Tokens are bearer strings. An API key reads ``vk_<key id>.<secret>``: the key id finds the record, the
secret's digest must match. A session token is a bare secret, found by its digest. Lookups are cached
for ``cache_seconds`` (so a revocation takes effect within that time), because every request of the
hot path authenticates.

Signing in is guarded (docs/api.md): the throttle refuses a try before any password is checked when
the username or the address failed too often (backoff, lockout); the Argon2 check runs in the password
pool's threads, never on the event loop; a lockout is recorded in the audit log (people have no
channel of their own to be told on). An unknown username costs the same work as a known one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from vigil.access import tokens
from vigil.access.passwords import PasswordPool
from vigil.access.throttle import LoginLimits, LoginThrottle
from vigil.audit import AuditTrail
from vigil.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, TooManyAttempts, WeakPassword
from vigil.model.access import ApiKey, Principal, Role, Session, User
from vigil.model.notify import Notice
from vigil.ports import AccessStore, Atomic

KEY_PREFIX = "vk_"
MIN_PASSWORD = 12
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
SYSTEM = "vigil"  # how what Vigil does by itself (a lockout) shows its actor; the record's flag counts
# Names no person may take: Vigil's own, and the shape of an API key id (12 hex digits), so that an
# actor in the audit log or a case history is never mistaken for another.
RESERVED = frozenset({"vigil", "system", "root", "admin", "anonymous", "unknown", "nobody"})
_KEY_ID_SHAPE = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class Issued:
    """A new key or session, and its token: shown once, never stored."""

    token: str
    key: ApiKey | None = None
    session: Session | None = None


def _roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    result = set()
    for r in roles:
        try:
            result.add(Role(r))
        except ValueError:
            known = ", ".join(x.value for x in Role)
            raise InvalidInput(f"unknown role {r!r} (one of: {known})", field="roles") from None
    if not result:
        raise InvalidInput("at least one role is required", field="roles")
    return frozenset(result)


def _check_name(name: str, field: str) -> str:
    if not name or len(name) > 64 or not set(name) <= _NAME_CHARS:
        raise InvalidInput("must be 1-64 characters of a-z, 0-9, '.', '_', '-', '@'", field=field)
    if name in RESERVED or (len(name) == 12 and set(name) <= _KEY_ID_SHAPE):
        raise InvalidInput(
            f"{name!r} is reserved (Vigil's own names, and 12 hex digits: the shape of an API key id)",
            field=field,
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"must be at least {MIN_PASSWORD} characters", field="password")


class Access:
    def __init__(
        self,
        store: AccessStore,
        *,
        session_ttl: timedelta = timedelta(hours=8),
        cache_seconds: float = 2.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        limits: LoginLimits | None = None,
        passwords: PasswordPool | None = None,
        audit: AuditTrail | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        refusal_delay: float = 0.0,
        atomic: Atomic | None = None,
    ) -> None:
        self.store = store
        self.atomic = atomic.atomic if atomic is not None else nullcontext
        self.session_ttl = session_ttl
        self.cache_seconds = cache_seconds
        self.clock = clock
        self.throttle = LoginThrottle(limits)
        self.passwords = passwords if passwords is not None else PasswordPool()
        self.audit = audit
        self.monotonic = monotonic
        self.refusal_delay = refusal_delay
        self.notify: Callable[[Notice], None] | None = None  # where lockouts are told (the desk's outbox)
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    # -- keys --------------------------------------------------------------------------------
    def _act(self, by: str | None, action: str, subject: str, detail: dict[str, object]) -> None:
        """Audit an administrative act by ``by`` (a username, an API key id, or ``cli:<login>``) in the
        transaction the caller holds open; without a trail (tests of this service alone) nothing."""
        if self.audit is None:
            return
        if not by:
            raise ValueError(f"{action} needs the actor who does it (by=...): every such act is audited")
        self.audit.record(by, action, subject, detail)

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """The store's change and its audit record in one transaction; the trail re-reads its last
        record when the transaction is rolled back."""
        try:
            with self.atomic():
                yield
        except BaseException:
            if self.audit is not None:
                self.audit.forget()
            raise

    def create_key(self, name: str, roles: Iterable[Role | str], *, by: str | None = None) -> Issued:
        secret = tokens.new_secret()
        key = ApiKey(
            key_id=tokens.new_id(),
            name=name.strip() or "unnamed",
            roles=_roles(roles),
            secret_hash=tokens.digest(secret),
            created_at=self.clock(),
        )
        with self._atomic():
            self.store.add_key(key)
            detail: dict[str, object] = {"name": key.name, "roles": sorted(r.value for r in key.roles)}
            self._act(by, "access.key_created", f"key:{key.key_id}", detail)
        return Issued(token=f"{KEY_PREFIX}{key.key_id}.{secret}", key=key)

    def revoke_key(self, key_id: str, *, by: str | None = None) -> ApiKey:
        key = self.store.key(key_id)
        if key is None:
            raise NotFound(f"no API key {key_id!r}")
        if key.revoked_at is None:
            key = replace(key, revoked_at=self.clock())
            with self._atomic():
                self.store.replace_key(key)
                self._act(by, "access.key_revoked", f"key:{key.key_id}", {"name": key.name})
        self._cache.clear()
        return key

    # -- people ------------------------------------------------------------------------------
    def add_user(
        self, username: str, password: str, roles: Iterable[Role | str], *, by: str | None = None
    ) -> User:
        _check_name(username, "username")
        _check_password(password)
        if self.store.user(username) is not None:
            raise Conflict(f"user {username!r} already exists")
        user = User(
            username=username,
            roles=_roles(roles),
            password_hash=tokens.hash_password(password),
            created_at=self.clock(),
        )
        with self._atomic():
            self.store.add_user(user)
            detail: dict[str, object] = {"roles": sorted(r.value for r in user.roles)}
            self._act(by, "access.user_created", f"user:{username}", detail)
        return user

    def _user(self, username: str) -> User:
        user = self.store.user(username)
        if user is None:
            raise NotFound(f"no user {username!r}")
        return user

    def set_password(self, username: str, password: str, *, by: str | None = None) -> User:
        _check_password(password)
        user = replace(self._user(username), password_hash=tokens.hash_password(password))
        with self._atomic():
            self.store.replace_user(user)
            self._act(by, "access.password_set", f"user:{username}", {})
        return user

    def set_roles(self, username: str, roles: Iterable[Role | str], *, by: str | None = None) -> User:
        before = self._user(username)
        user = replace(before, roles=_roles(roles))
        with self._atomic():
            self.store.replace_user(user)
            detail: dict[str, object] = {
                "from": sorted(r.value for r in before.roles),
                "to": sorted(r.value for r in user.roles),
            }
            self._act(by, "access.roles_changed", f"user:{username}", detail)
        self._cache.clear()
        return user

    def disable_user(self, username: str, *, by: str | None = None) -> User:
        user = self._user(username)
        if user.disabled_at is None:
            user = replace(user, disabled_at=self.clock())
            with self._atomic():
                self.store.replace_user(user)
                self._act(by, "access.user_disabled", f"user:{username}", {})
        self._cache.clear()
        return user

    # -- sessions ----------------------------------------------------------------------------
    async def login(self, username: str, password: str, address: str = "") -> Issued:
        """A new session for a person; wrong name, wrong password or a disabled user all say the same.

        Refused with ``TooManyAttempts`` before any check when the username or ``address`` (the
        caller's network address) failed too often, or the pool is full; a refusal is answered after
        ``refusal_delay`` seconds (a wait that costs no CPU), so a client looping as fast as answers come
        cannot keep the event loop busy with refusals. The password is checked in the pool's threads.
        """
        try:
            self.throttle.check(username, address, self.monotonic())
            user = self.store.user(username)
            ok = await self.passwords.check(user.password_hash if user else None, password)
        except TooManyAttempts:
            await asyncio.sleep(self.refusal_delay)
            raise
        if user is None or not ok or not user.active():
            failures = self.throttle.failed(username, address, self.monotonic())
            if failures:
                self._locked(username, failures, user)
            raise NotAuthenticated("wrong username or password")
        self.throttle.succeeded(username)
        secret = tokens.new_secret()
        now = self.clock()
        session = Session(
            token_hash=tokens.digest(secret),
            username=user.username,
            created_at=now,
            expires_at=now + self.session_ttl,
        )
        self.store.add_session(session)
        return Issued(token=secret, session=session)

    def _locked(self, username: str, failures: int, user: User | None) -> None:
        """Record a lockout (known and unknown names alike: the answer and its cost do not differ) and,
        for a person who exists, tell the people on call (``notify``): a staff account under attack is a
        security event. The notice leaves through the desk's outbox, never delaying the answer."""
        seconds = int(self.throttle.limits.lockout_seconds)
        if self.audit is not None:
            detail = {"failures": failures, "locked_seconds": seconds}
            self.audit.record(SYSTEM, "access.locked", f"user:{username}", detail, system=True)
        if self.notify is None or user is None:
            return
        minutes = max(1, seconds // 60)
        self.notify(
            Notice(
                kind="access.locked",
                case_id="",
                title=f"sign-in of {user.username} locked for {minutes} min after {failures} failures",
                text=(
                    f"{failures} wrong passwords for {user.username} in a row: sign-in is refused from every "
                    f"address for {minutes} minutes. If {user.username} did not make them, the account is "
                    "under attack: check the audit log (access.locked) and the addresses in the access log."
                ),
                severity="high",
                at_us=int(self.clock().timestamp() * 1_000_000),
                link="/console/audit",
            )
        )

    def close(self) -> None:
        self.passwords.close()

    def logout(self, token: str) -> None:
        session = self.store.session(tokens.digest(token))
        if session is not None and session.revoked_at is None:
            self.store.replace_session(replace(session, revoked_at=self.clock()))
        self._cache.pop(token, None)

    # -- authentication ----------------------------------------------------------------------
    def authenticate(self, token: str) -> Principal:
        """The principal behind a bearer token; raises ``NotAuthenticated`` for anything else."""
        now = time.monotonic()
        cached = self._cache.get(token)
        if cached is not None and now - cached[0] < self.cache_seconds:
            principal = cached[1]
        else:
            principal = self._lookup(token)
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[token] = (now, principal)
        if principal is None:
            raise NotAuthenticated("invalid, expired or revoked credentials")
        return principal

    def _lookup(self, token: str) -> Principal | None:
        if token.startswith(KEY_PREFIX):
            key_id, _, secret = token[len(KEY_PREFIX) :].partition(".")
            key = self.store.key(key_id)
            if key is None or not key.active() or not tokens.same(key.secret_hash, tokens.digest(secret)):
                return None
            return Principal("key", key.key_id, key.roles)
        session = self.store.session(tokens.digest(token))
        if session is None or not session.valid_at(self.clock()):
            return None
        user = self.store.user(session.username)
        if user is None or not user.active():
            return None
        return Principal("user", user.username, user.roles)
