"""A failed commit is never acknowledged, readiness says so, and the state is rebuilt from what was stored."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.conftest import Events, builtin_rules
from vigil.access import Access
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_access import MemoryAccessStore
from vigil.adapters.memory_screening import MemoryListStore, MemoryScreeningStore
from vigil.api import create_app
from vigil.api.decider import Decider
from vigil.api.metrics import Metrics
from vigil.api.services import Services
from vigil.codec import encode_event
from vigil.engine import Engine
from vigil.errors import StorageError
from vigil.features import default_catalog
from vigil.model import Decision, Event
from vigil.model.access import Role
from vigil.settings import Settings


class FlakyJournal(MemoryJournal):
    """Buffers like the SQLite journal; ``flush`` fails while ``broken`` (a full disk, a lost database)."""

    def __init__(self) -> None:
        super().__init__()
        self.broken = False
        self.failure: Exception = StorageError("disk full")
        self._pending: list[tuple[Event, Decision]] = []

    def record(self, event: Event, decision: Decision) -> None:
        if self.get(event.event_id) is not None:
            raise StorageError(f"event {event.event_id!r} is already recorded")
        self._pending.append((event, decision))

    def get(self, event_id: str) -> Decision | None:
        return next((d for e, d in self._pending if e.event_id == event_id), None) or super().get(event_id)

    def flush(self) -> None:
        if self.broken:
            raise self.failure
        for event, decision in self._pending:
            super().record(event, decision)
        self._pending.clear()

    def events(self) -> Iterator[Event]:
        self.flush()
        return super().events()

    def decided(self, start: int = 0) -> Iterator[tuple[Event, Decision]]:
        self.flush()
        return super().decided(start)

    def tail(self, after: int = 0, *, trace: bool = True) -> Iterator[tuple[int, Event, Decision]]:
        self.flush()
        return super().tail(after, trace=trace)

    def position(self) -> int:
        self.flush()
        return super().position()


class BuggyJournal(FlakyJournal):
    """Its flush fails with a bug's exception (not a StorageError); reads see what was stored."""

    def __init__(self) -> None:
        super().__init__()
        self.failure = RuntimeError("driver bug")

    def events(self) -> Iterator[Event]:
        return MemoryJournal.events(self)

    def decided(self, start: int = 0) -> Iterator[tuple[Event, Decision]]:
        return MemoryJournal.decided(self, start)

    def tail(self, after: int = 0, *, trace: bool = True) -> Iterator[tuple[int, Event, Decision]]:
        return MemoryJournal.tail(self, after, trace=trace)

    def position(self) -> int:
        return MemoryJournal.position(self)


def _serving(journal: FlakyJournal) -> tuple[Engine, Access, Services]:
    engine = Engine(default_catalog(), builtin_rules(), journal)
    access = Access(MemoryAccessStore(), cache_seconds=0)
    services = Services(
        Settings(db="memory", access_log=False),
        engine,
        Decider(engine),
        access,
        MemoryListStore(),
        MemoryScreeningStore(),
        Metrics(),
    )
    return engine, access, services


def test_a_failed_commit_is_a_503_and_the_retry_after_recovery_counts_once(events: Events) -> None:
    journal = FlakyJournal()
    engine, access, services = _serving(journal)
    headers = {"Authorization": f"Bearer {access.create_key('svc', [Role.SERVICE], by='cli:setup').token}"}
    with TestClient(create_app(services=services)) as client:
        first, second = events.deposit(0), events.deposit(1)
        assert client.post("/v1/events", content=encode_event(first), headers=headers).status_code == 200
        journal.broken = True
        failed = client.post("/v1/events", content=encode_event(second), headers=headers)
        assert failed.status_code == 503 and failed.json()["error"]["code"] == "storage_unavailable"
        assert "retry" in failed.json()["error"]["message"]
        not_ready = client.get("/readyz")
        # An error answer like any other (was: "error" held the bare message, not the error object)
        assert not_ready.status_code == 503 and not_ready.json()["ready"] is False
        assert not_ready.json()["error"]["code"] == "storage_unavailable"
        journal.broken = False
        retry = client.post("/v1/events", content=encode_event(second), headers=headers)
        assert retry.status_code == 200
        assert client.get("/readyz").status_code == 200
    assert journal.count() == 2
    fresh = Engine(default_catalog(), builtin_rules(), MemoryJournal())
    for e in (first, second):
        fresh.decide(e)
    assert engine.catalog.state_digest() == fresh.catalog.state_digest()


def test_a_commit_that_fails_with_any_exception_answers_every_waiter(events: Events) -> None:
    """A bug or an unexpected driver error in the flush (not a StorageError) must not leave requests
    waiting for ever: each gets 503, and the state is rebuilt from what was stored."""
    journal = BuggyJournal()
    engine, access, services = _serving(journal)
    headers = {"Authorization": f"Bearer {access.create_key('svc', [Role.SERVICE], by='cli:setup').token}"}
    with TestClient(create_app(services=services)) as client, ThreadPoolExecutor(3) as pool:
        first = events.deposit(0)
        assert client.post("/v1/events", content=encode_event(first), headers=headers).status_code == 200
        journal.broken = True
        one = pool.submit(client.post, "/v1/events", content=encode_event(events.deposit(1)), headers=headers)
        batch = b"[" + encode_event(events.deposit(2)) + b"," + encode_event(events.deposit(3)) + b"]"
        many = pool.submit(client.post, "/v1/events/batch", content=batch, headers=headers)
        for answer in (one.result(timeout=20), many.result(timeout=20)):
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "storage_unavailable"
        assert client.get("/readyz").status_code == 503
        journal.broken = False
        journal._pending.clear()  # what the failed flush held is lost, as a crashed driver would lose it
        retry = client.post("/v1/events", content=encode_event(events.deposit(4)), headers=headers)
        assert retry.status_code == 200 and client.get("/readyz").status_code == 200
    fresh = Engine(default_catalog(), builtin_rules(), MemoryJournal())
    for e in journal.events():
        fresh.decide(e)
    assert journal.count() == 2 and engine.catalog.state_digest() == fresh.catalog.state_digest()
