"""Ports: every kind of I/O the services use, as Protocols. Each has a memory adapter and a real one.

A backend is done when it passes the contract suite for its port (``tests/contracts``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from vigil.model import Decision, Event, NetworkOrigin
from vigil.rules import Source


class EventStore(Protocol):
    """Events in arrival order.

    Contract: ``events()`` yields every recorded event once, in the order recorded; an
    ``event_id`` is recorded at most once; ``count()`` is the number of events recorded.
    """

    def events(self) -> Iterator[Event]: ...

    def count(self) -> int: ...


class DecisionStore(Protocol):
    """Decisions by event id and by account.

    Contract: ``get`` returns the decision recorded for an event id, equal field for field to the
    one recorded, or None; ``for_account`` returns an account's decisions newest first.
    """

    def get(self, event_id: str) -> Decision | None: ...

    def for_account(self, account_id: str, limit: int = 50) -> list[Decision]: ...


class Journal(EventStore, DecisionStore, Protocol):
    """Events and their decisions, recorded together.

    Contract: ``record`` stores the event and its decision atomically: after it returns (and,
    for buffering adapters, after ``flush``), both are durable, or neither is. Recording an
    ``event_id`` that is already stored raises ``StorageError`` and changes nothing. ``get``
    sees recorded decisions at once, flushed or not. ``close`` flushes.
    """

    def record(self, event: Event, decision: Decision) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class GeoIp(Protocol):
    """Network origin of an IP address from a database the exchange provides.

    Contract: ``lookup`` returns the origin (country, Tor/VPN/hosting flags) or None when the
    address is not in the database; it never raises for a well-formed address.
    """

    def lookup(self, ip: str) -> NetworkOrigin | None: ...


class RuleSourceReader(Protocol):
    """Where rule files come from (a directory, the built-in packs).

    Contract: ``read`` returns every rule file (name and text), ready for ``load_rules``;
    ``fingerprint`` changes whenever any file changes, so a caller can reload only then.
    """

    def read(self) -> list[Source]: ...

    def fingerprint(self) -> str: ...
