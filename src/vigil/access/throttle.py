"""How often sign-in may be tried: per username and per address, with backoff and a lockout.

Pure bookkeeping over a monotonic clock given by the caller. A key (a username, an address) may fail
``free`` times within ``window_seconds``; each further failure doubles the wait before the next try
(``backoff_seconds``, 2x, 4x ..., at most ``backoff_max_seconds``). A username that fails
``lockout_failures`` times is locked for ``lockout_seconds``. Addresses back off but are never locked
(many people may share one). A refused try is not verified and does not count as a failure, so waiting
out the backoff always works. A success clears the username's failures, not the address's (one valid
account must not reset an address that guesses at others).

Unknown usernames are counted exactly like known ones, so the answers and their timing say nothing about
which names exist. Memory is bounded: past ``max_keys`` keys, the oldest are forgotten.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from vigil.errors import TooManyAttempts


@dataclass(frozen=True, slots=True)
class LoginLimits:
    user_failures: int = 5  # failures of one username before backoff starts
    address_failures: int = 20  # failures from one address before backoff starts
    backoff_seconds: float = 1.0  # the first wait; it doubles with each further failure
    backoff_max_seconds: float = 300.0
    lockout_failures: int = 10  # failures of one username that lock it
    lockout_seconds: float = 900.0
    window_seconds: float = 900.0  # failures older than this are forgotten
    max_keys: int = 100_000

    def __post_init__(self) -> None:
        for name in ("user_failures", "address_failures", "lockout_failures", "max_keys"):
            if getattr(self, name) < 1:
                raise ValueError(f"login limit {name!r} must be at least 1")
        for name in ("backoff_seconds", "backoff_max_seconds", "lockout_seconds", "window_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"login limit {name!r} must not be negative")


@dataclass(slots=True)
class _Tries:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(self, limits: LoginLimits | None = None) -> None:
        self.limits = limits if limits is not None else LoginLimits()
        self._users: dict[str, _Tries] = {}
        self._addresses: dict[str, _Tries] = {}

    def check(self, username: str, address: str, now: float) -> None:
        """Raise ``TooManyAttempts`` (with the seconds to wait) if a try now must be refused."""
        wait = max(
            self._wait(self._users.get(username), self.limits.user_failures, now),
            self._wait(self._addresses.get(address), self.limits.address_failures, now),
        )
        if wait > 0:
            raise TooManyAttempts(
                "too many failed sign-ins for this username or from this address: try again later",
                retry_after=max(1, math.ceil(wait)),
            )

    def failed(self, username: str, address: str, now: float) -> int:
        """Count a failure; the username's failure count when this one locked it, else 0."""
        self._note(self._addresses, address, now)
        tries = self._note(self._users, username, now)
        if len(tries.failures) < self.limits.lockout_failures:
            return 0
        count = len(tries.failures)
        tries.failures.clear()
        tries.locked_until = now + self.limits.lockout_seconds
        return count

    def succeeded(self, username: str) -> None:
        self._users.pop(username, None)

    def _wait(self, tries: _Tries | None, free: int, now: float) -> float:
        if tries is None:
            return 0.0
        if tries.locked_until > now:
            return tries.locked_until - now
        self._forget(tries, now)
        extra = len(tries.failures) - free
        if extra <= 0:
            return 0.0
        backoff = min(
            self.limits.backoff_max_seconds, self.limits.backoff_seconds * 2.0 ** min(extra - 1, 30)
        )
        return tries.failures[-1] + backoff - now

    def _forget(self, tries: _Tries, now: float) -> None:
        while tries.failures and tries.failures[0] <= now - self.limits.window_seconds:
            tries.failures.popleft()

    def _note(self, table: dict[str, _Tries], key: str, now: float) -> _Tries:
        tries = table.pop(key, None)  # re-inserted last: the dict's order is the order of last use
        if tries is None:
            tries = _Tries()
            if len(table) >= self.limits.max_keys:
                for old in list(table)[: max(1, len(table) // 10)]:
                    del table[old]
        self._forget(tries, now)
        tries.failures.append(now)
        table[key] = tries
        return tries
