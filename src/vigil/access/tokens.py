"""Secrets: random tokens, their digests, and password hashes (Argon2id).

A key or session token is 256 bits from ``secrets``: a SHA-256 digest is enough to store it (nothing
to brute-force). A password is chosen by a person, so it gets a slow, salted, memory-hard hash.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # Argon2id, the library's defaults (RFC 9106's second recommendation)
# Verified against when the username does not exist, so both failures take the same time.
_DUMMY = _HASHER.hash("vigil: no such user, constant-time refusal")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_id() -> str:
    return secrets.token_hex(6)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing user (None) costs the same time and is False."""
    try:
        return _HASHER.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
