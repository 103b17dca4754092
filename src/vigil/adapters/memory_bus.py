"""The event bus in one process: the reference ``EventBus`` for unit tests (no NATS).

Records, notes, leases and the cluster's record live in this object; several workers and a server
share it by sharing the object. Leases expire on a monotonic clock, as NATS KV's time to live does.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator

from vigil.errors import BusUnavailable, DecisionTimeout
from vigil.ports import Answer, LogRecord


class MemoryBus:
    def __init__(self, *, lease_seconds: float = 2.0, dedup_seconds: float = 120.0) -> None:
        self.lease_seconds = lease_seconds
        self.dedup_seconds = dedup_seconds
        self._record: dict[str, str] | None = None
        self._records: list[LogRecord] = []
        self._ids: dict[str, float] = {}  # event id -> when appended (the dedup window)
        self._notes: list[bytes] = []
        self._leases: dict[int, tuple[str, float]] = {}
        self._waiting: dict[str, asyncio.Future[Answer]] = {}
        self._tokens = itertools.count(1)
        self._appended = asyncio.Event()  # set and replaced at each record appended
        self._noted = asyncio.Event()  # the same for notes
        self.down = False  # tests: the bus is unreachable

    def _check(self) -> None:
        if self.down:
            raise BusUnavailable("the event bus (memory) is down")

    def _wake_readers(self) -> None:
        self._appended.set()
        self._appended = asyncio.Event()

    def _wake_listeners(self) -> None:
        self._noted.set()
        self._noted = asyncio.Event()

    async def join(self, record: dict[str, str]) -> dict[str, str]:
        self._check()
        if self._record is None:
            self._record = dict(record)
        return dict(self._record)

    async def record(self) -> dict[str, str] | None:
        self._check()
        return None if self._record is None else dict(self._record)

    async def submit(self, partition: int, event_id: str, body: bytes, timeout: float) -> Answer:
        self._check()
        now = time.monotonic()
        seen = self._ids.get(event_id)
        if seen is not None and now - seen < self.dedup_seconds:
            return Answer(b"", made=False, duplicate=True)
        self._ids[event_id] = now
        reply = f"memory.{next(self._tokens)}"
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting[reply] = future
        self._records.append(LogRecord(len(self._records) + 1, partition, body, reply))
        self._wake_readers()
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise DecisionTimeout(
                f"no decision within {timeout:g} s; the event is in the log and will be decided"
            ) from None
        finally:
            self._waiting.pop(reply, None)

    async def read(
        self, after: int, *, batch: int = 512, idle: float = 0.2
    ) -> AsyncIterator[list[LogRecord]]:
        position = after
        while True:
            self._check()
            if position < len(self._records):
                chunk = self._records[position : position + batch]
                position += len(chunk)
                yield chunk
                continue
            appended = self._appended
            try:
                await asyncio.wait_for(appended.wait(), idle)
            except TimeoutError:
                yield []

    async def last(self) -> int:
        self._check()
        return len(self._records)

    async def control(self, partition: int, key: str, body: bytes) -> None:
        self._check()
        now = time.monotonic()
        seen = self._ids.get(key)
        if seen is not None and now - seen < self.dedup_seconds:
            return
        self._ids[key] = now
        self._records.append(LogRecord(len(self._records) + 1, partition, body, None, control=True))
        self._wake_readers()

    async def answer(self, reply: str, body: bytes, made: bool) -> None:
        self._check()
        future = self._waiting.get(reply)
        if future is not None and not future.done():
            future.set_result(Answer(body, made))

    async def note(self, body: bytes) -> None:
        self._check()
        self._notes.append(body)
        self._wake_listeners()

    async def notes(self, after: int, *, idle: float = 0.2) -> AsyncIterator[list[tuple[int, bytes]]]:
        position = after
        while True:
            self._check()
            if position < len(self._notes):
                chunk = [(position + i + 1, b) for i, b in enumerate(self._notes[position:])]
                position += len(chunk)
                yield chunk
                continue
            noted = self._noted
            try:
                await asyncio.wait_for(noted.wait(), idle)
            except TimeoutError:
                yield []

    async def renew(self, ordinal: int, holder: str) -> None:
        self._check()
        self._leases[ordinal] = (holder, time.monotonic() + self.lease_seconds)

    async def owners(self) -> dict[int, str]:
        self._check()
        now = time.monotonic()
        workers = int(self._record.get("workers", "0")) if self._record is not None else 0
        return {
            o: holder for o, (holder, until) in sorted(self._leases.items()) if until > now and o < workers
        }

    async def close(self) -> None:
        return None
