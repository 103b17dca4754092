"""Decisions over HTTP: the engine on the event loop, acknowledged only after a group commit.

The engine is not thread-safe and needs no thread: a decision takes tens of microseconds of CPU, so
it runs on the event loop, in arrival order. Its journal buffers records; the first request of a loop
turn schedules one commit for everything decided in that turn, and every request waits for it. A
response therefore always follows a durable write (no event acknowledged and then lost), and one
commit serves many concurrent requests (throughput).

After each successful commit, ``on_commit`` (when set) receives the events decided in it, in order: the
security desk turns the flagged ones into alerts. It runs after the acknowledgement is settled, so a
failure there never fails a decision (it is logged; the desk catches up from the journal at start-up).
Then ``snapshots`` (when set) counts them, and when a snapshot is due forks the child that writes it:
right after a commit the engine's state is exactly the journal's (``engine/snapshotter.py``).

A commit that fails for any reason (a ``StorageError``, or anything else: a driver's bug) answers
every request waiting on it with ``StorageError`` (503 ``storage_unavailable``); none waits for ever.

A repeated ``event_id`` gets the stored decision after the same wait (it may still be in the commit
in flight), and never steps the features again, if it is the same event (its digest matches the one
stored with the decision); if it is another event, the id was reused: ``EventIdReused`` (409).

With a ``submitter`` (``VIGIL_BUS``: partitioned workers, docs/operations.md "Workers") the server decides
nothing itself: each event goes to its partition on the bus and the answer is the owning worker's
decision, made after the worker's own journal commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from vigil.engine import Engine
from vigil.engine.idempotency import check_retry
from vigil.engine.snapshotter import Snapshotter
from vigil.errors import EventIdReused, StorageError, VigilError
from vigil.model import Decision, Event
from vigil.workers import Submitter

log = logging.getLogger("vigil.api")
Committed = Callable[[list[tuple[Event, Decision]]], None]


class Decider:
    def __init__(
        self,
        engine: Engine,
        on_commit: Committed | None = None,
        snapshots: Snapshotter | None = None,
        submitter: Submitter | None = None,
    ) -> None:
        self.engine = engine
        self.submitter = submitter
        self.on_commit = on_commit
        self.snapshots = snapshots
        self._made: list[tuple[Event, Decision]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._scheduled = False
        self.commits = 0  # group commits done (for metrics: events per commit)
        self.last_error: str | None = None

    async def decide(self, event: Event) -> tuple[Decision, bool]:
        """The decision and whether it was made now (False: stored before), once it is durable."""
        if self.submitter is not None:
            return await self.submitter.decide(event)
        decision, made = self.engine.decide_once(event)
        if made:
            self._made.append((event, decision))
        await self.durable()
        if not made:
            check_retry(event, decision)
        return decision, made

    async def decide_many(self, events: list[Event]) -> list[tuple[Decision, bool] | VigilError]:
        """Each event in order; one commit for all. A failed event does not stop the others."""
        if self.submitter is not None:
            return await self._submit_many(events)
        results: list[tuple[Decision, bool] | VigilError] = []
        for event in events:
            try:
                decision, made = self.engine.decide_once(event)
                results.append((decision, made))
                if made:
                    self._made.append((event, decision))
            except StorageError:
                raise
            except VigilError as exc:  # reported for this item; the batch goes on
                results.append(exc)
        await self.durable()
        for i, (event, result) in enumerate(zip(events, results, strict=True)):
            if isinstance(result, tuple) and not result[1]:
                try:
                    check_retry(event, result[0])
                except EventIdReused as exc:
                    results[i] = exc
        return results

    async def _submit_many(self, events: list[Event]) -> list[tuple[Decision, bool] | VigilError]:
        """Each event to its partition at once (the workers decide them in the stream's order)."""
        assert self.submitter is not None
        answers = await asyncio.gather(*(self.submitter.decide(e) for e in events), return_exceptions=True)
        results: list[tuple[Decision, bool] | VigilError] = []
        for answer in answers:
            if isinstance(answer, StorageError):
                raise answer
            if isinstance(answer, (VigilError, tuple)):
                results.append(answer)
            else:
                raise answer
        return results

    def durable(self) -> asyncio.Future[None]:
        """A future that completes when everything decided so far is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._waiters.append(future)
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._commit)
        return future

    def _commit(self) -> None:
        waiters, self._waiters = self._waiters, []
        made, self._made = self._made, []
        self._scheduled = False
        try:
            self.engine.commit()
        except Exception as exc:  # any failure, a driver's bug included: every waiter must get an answer
            if not isinstance(exc, StorageError):
                log.exception("the commit failed with an unexpected error")
            self.last_error = str(exc) or type(exc).__name__
            for w in waiters:
                if not w.done():
                    w.set_exception(StorageError(f"not stored, retry later: {self.last_error}"))
            return
        self.commits += 1
        self.last_error = None
        for w in waiters:
            if not w.done():
                w.set_result(None)
        if self.on_commit is not None and made:
            try:
                self.on_commit(made)
            except Exception:  # decisions are durable and answered: the desk catches up from the journal
                log.exception("the desk could not take %d decisions", len(made))
        if self.snapshots is not None and made:
            self.snapshots.committed(len(made))  # never raises
