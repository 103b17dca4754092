"""In-memory journal: the reference implementation of the ``Journal`` contract, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from vigil.errors import StorageError
from vigil.model import Decision, Event


class MemoryJournal:
    def __init__(self) -> None:
        self._events: list[Event] = []
        self._decisions: dict[str, Decision] = {}
        self._by_account: dict[str, list[str]] = {}
        self._by_id: dict[str, Event] = {}

    def record(self, event: Event, decision: Decision) -> None:
        if event.event_id != decision.event_id:
            raise StorageError(f"decision for {decision.event_id!r} recorded with event {event.event_id!r}")
        if event.event_id in self._decisions:
            raise StorageError(f"event {event.event_id!r} is already recorded")
        self._events.append(event)
        self._by_id[event.event_id] = event
        self._decisions[event.event_id] = decision
        self._by_account.setdefault(event.account_id, []).append(event.event_id)

    def get(self, event_id: str) -> Decision | None:
        return self._decisions.get(event_id)

    def for_account(self, account_id: str, limit: int = 50) -> list[Decision]:
        ids = self._by_account.get(account_id, [])
        return [self._decisions[i] for i in reversed(ids[-limit:])] if limit > 0 else []

    def account_history(
        self, account_id: str, limit: int = 50, *, trace: bool = True
    ) -> list[tuple[Event, Decision]]:
        ids = self._by_account.get(account_id, [])[-limit:] if limit > 0 else []
        pairs = [(self._by_id[i], self._decisions[i]) for i in reversed(ids)]
        return pairs if trace else [(e, replace(d, trace=())) for e, d in pairs]

    def events(self) -> Iterator[Event]:
        return iter(list(self._events))

    def decided(self, start: int = 0) -> Iterator[tuple[Event, Decision]]:
        return iter([(e, self._decisions[e.event_id]) for e in self._events[start:]])

    def tail(self, after: int = 0, *, trace: bool = True) -> Iterator[tuple[int, Event, Decision]]:
        start = max(0, after)  # a record's position is its index + 1
        records = [(i, e, self._decisions[e.event_id]) for i, e in enumerate(self._events[start:], start + 1)]
        return iter(records if trace else [(i, e, replace(d, trace=())) for i, e, d in records])

    def position(self) -> int:
        return len(self._events)

    def count(self) -> int:
        return len(self._events)

    def flush(self) -> None:
        """Nothing to flush: memory is as durable as it gets."""

    def close(self) -> None:
        """Nothing to release."""
