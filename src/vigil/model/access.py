"""Who may call Vigil: roles, API keys for services, people and their sessions.

Secrets are never held here: a key or a session token is stored as its SHA-256 digest, a password
as its Argon2id hash (``access/``). A record is changed only by being replaced whole through the
``AccessStore`` port, so every field is always consistent with its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """What a caller may do; every API route names the roles it admits."""

    SERVICE = "service"  # the exchange's back end: sends events, reads decisions
    ANALYST = "analyst"  # the security desk: investigates, screens, proposes actions
    SUPERVISOR = "supervisor"  # approves what an analyst proposes (four eyes)
    LIAISON = "liaison"  # the law-enforcement liaison: requests and freeze orders
    AUDITOR = "auditor"  # reads everything, changes nothing
    ADMIN = "admin"  # manages people, keys, lists and rules


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A calling service's key: ``key_id`` is the public half, shown in listings and logs."""

    key_id: str
    name: str
    roles: frozenset[Role]
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None

    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in to the console or the API."""

    username: str
    roles: frozenset[Role]
    password_hash: str
    created_at: datetime
    disabled_at: datetime | None = None

    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in person's token (stored as its digest); it expires, and signing out revokes it."""

    token_hash: str
    username: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request: a key or a person, with the roles they hold."""

    kind: str  # "key" or "user"
    name: str  # the key id or the username: an identifier, never a secret
    roles: frozenset[Role]

    def holds(self, allowed: frozenset[Role]) -> bool:
        return bool(self.roles & allowed)
