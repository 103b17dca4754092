"""The event bus on NATS JetStream (``nats-py``, Apache-2.0): the ``EventBus`` port for real.

For a stream named ``S`` (``VIGIL_BUS_STREAM``, default ``VIGIL_EVENTS``) and ``s`` = ``vigil.`` + its
name in lower case:

- stream ``S``, subjects ``s.events.<partition>``: the events, one message each, ``Nats-Msg-Id`` = the
  event id (JetStream drops a second publish of it within its two-minute dedup window), header
  ``Vigil-Reply`` = the subject where the server waits for the decision; a control record for the
  partition's worker (the desk's freezes) on the same subject, with header ``Vigil-Control: 1``;
- stream ``S_NOTES``, subject ``s.notes``: the workers' feed (what each decided through which sequence,
  and the accounts their decisions flagged), kept a day;
- key-value bucket ``S_LEASES``: key ``o<ordinal>`` = the worker holding it, expiring ``lease_seconds``
  after its last renewal (the bucket's time to live);
- key-value bucket ``S_CLUSTER``: key ``record`` = the cluster's record (catalog, rules, partitions,
  flag lag, workers), created once by the first worker.

Every wait is bounded: connecting (``connect_timeout``), publishing (``publish_timeout``), the answer
(the caller's timeout). A server that is down makes ``submit`` raise ``BusUnavailable`` at once (closed
connection) or after ``publish_timeout`` (reconnecting); nothing is then acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy, StorageType
from nats.js.kv import KeyValue

import nats
from vigil.errors import BusUnavailable, DecisionTimeout
from vigil.ports import Answer, LogRecord

_NATS_ERRORS = (nats.errors.Error, OSError, TimeoutError)
_DEDUP_SECONDS = 120.0
_NOTES_SECONDS = 86_400.0


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class NatsBus:
    def __init__(
        self,
        url: str,
        stream: str,
        *,
        lease_seconds: float = 2.0,
        connect_timeout: float = 2.0,
        publish_timeout: float = 1.0,
    ) -> None:
        self.url = url
        self.stream = stream
        self.notes_stream = f"{stream}_NOTES"
        self.prefix = f"vigil.{stream.lower()}"
        self.lease_seconds = lease_seconds
        self.connect_timeout = connect_timeout
        self.publish_timeout = publish_timeout
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._kv: dict[str, KeyValue] = {}
        self._inbox: str | None = None
        self._waiting: dict[str, asyncio.Future[Answer]] = {}
        self._tokens = itertools.count(1)
        self._lock = asyncio.Lock()

    # -- connection ---------------------------------------------------------------------------------
    async def _connect(self) -> JetStreamContext:
        if self._js is not None and self._nc is not None and not self._nc.is_closed:
            return self._js
        async with self._lock:
            if self._js is not None and self._nc is not None and not self._nc.is_closed:
                return self._js
            try:
                nc = await nats.connect(
                    servers=[self.url],
                    connect_timeout=self.connect_timeout,
                    # No reconnecting in the background: a connection that drops is closed, the
                    # next call connects again or fails at once (fail fast, never queue blind).
                    allow_reconnect=False,
                    max_reconnect_attempts=1,  # at start: two tries (0 or less would try for ever)
                    reconnect_time_wait=0.1,
                    error_cb=_quiet,
                )
            except _NATS_ERRORS as exc:
                raise BusUnavailable(f"cannot reach NATS at {self.url}: {_reason(exc)}") from None
            self._nc, self._js = nc, nc.jetstream(timeout=self.publish_timeout * 5)
            return self._js

    async def _bucket(self, suffix: str, *, ttl: float | None = None) -> KeyValue:
        kv = self._kv.get(suffix)
        if kv is not None:
            return kv
        js = await self._connect()
        name = f"{self.stream}_{suffix}"
        try:
            try:
                kv = await js.key_value(name)
            except nats.js.errors.BucketNotFoundError:
                kv = await js.create_key_value(bucket=name, history=1, ttl=ttl)
        except _NATS_ERRORS as exc:
            raise BusUnavailable(f"NATS at {self.url}: key-value bucket {name}: {_reason(exc)}") from None
        self._kv[suffix] = kv
        return kv

    async def _ensure_streams(self) -> None:
        js = await self._connect()
        wanted = (
            (self.stream, [f"{self.prefix}.events.*"], None, _DEDUP_SECONDS),
            (self.notes_stream, [f"{self.prefix}.notes"], _NOTES_SECONDS, None),
        )
        try:
            for name, subjects, max_age, dedup in wanted:
                try:
                    await js.stream_info(name)
                except nats.js.errors.NotFoundError:
                    params: dict[str, Any] = {"name": name, "subjects": subjects, "storage": StorageType.FILE}
                    if max_age is not None:
                        params["max_age"] = max_age
                    if dedup is not None:
                        params["duplicate_window"] = dedup
                    await js.add_stream(**params)
        except _NATS_ERRORS as exc:
            raise BusUnavailable(f"NATS at {self.url}: stream {self.stream}: {_reason(exc)}") from None

    # -- the cluster's record ------------------------------------------------------------------------
    async def join(self, record: dict[str, str]) -> dict[str, str]:
        await self._ensure_streams()
        kv = await self._bucket("CLUSTER")
        try:
            try:
                await kv.create("record", json.dumps(record, sort_keys=True).encode())
                return dict(record)
            except nats.js.errors.KeyWrongLastSequenceError:
                stored = await self.record()
                assert stored is not None
                return stored
        except _NATS_ERRORS as exc:
            raise BusUnavailable(f"NATS at {self.url}: the cluster's record: {_reason(exc)}") from None

    async def record(self) -> dict[str, str] | None:
        kv = await self._bucket("CLUSTER")
        try:
            entry = await kv.get("record")
        except nats.js.errors.KeyNotFoundError:
            return None
        except _NATS_ERRORS as exc:
            raise BusUnavailable(f"NATS at {self.url}: the cluster's record: {_reason(exc)}") from None
        value: dict[str, str] = json.loads(entry.value or b"{}")
        return value

    # -- the server's side ---------------------------------------------------------------------------
    async def _answers(self) -> str:
        if self._inbox is None:
            await self._connect()
            assert self._nc is not None
            inbox = self._nc.new_inbox()
            await self._nc.subscribe(f"{inbox}.*", cb=self._answered)
            self._inbox = inbox
        return self._inbox

    async def _answered(self, msg: Msg) -> None:
        future = self._waiting.get(msg.subject)
        if future is not None and not future.done():
            made = (msg.headers or {}).get("Vigil-Made") == "1"
            future.set_result(Answer(msg.data, made))

    async def submit(self, partition: int, event_id: str, body: bytes, timeout: float) -> Answer:
        js = await self._connect()
        reply = f"{await self._answers()}.{next(self._tokens)}"
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting[reply] = future
        try:
            try:
                ack = await js.publish(
                    f"{self.prefix}.events.{partition}",
                    body,
                    timeout=self.publish_timeout,
                    headers={"Nats-Msg-Id": event_id, "Vigil-Reply": reply},
                )
            except _NATS_ERRORS as exc:
                raise BusUnavailable(
                    f"NATS at {self.url} did not take the event ({_reason(exc)}): nothing was accepted,"
                    " retry with the same event id"
                ) from None
            if ack.duplicate:
                return Answer(b"", made=False, duplicate=True)
            try:
                return await asyncio.wait_for(future, timeout)
            except TimeoutError:
                raise DecisionTimeout(
                    f"no worker answered within {timeout:g} s (partition {partition}); the event is in"
                    " the log and will be decided: retry with the same event id for its decision"
                ) from None
        finally:
            self._waiting.pop(reply, None)

    # -- the workers' side ---------------------------------------------------------------------------
    async def _ordered(self, subject: str, after: int) -> tuple[Any, asyncio.Queue[Msg]]:
        js = await self._connect()
        queue: asyncio.Queue[Msg] = asyncio.Queue()

        async def put(msg: Msg) -> None:
            queue.put_nowait(msg)

        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after + 1)
        try:
            sub = await js.subscribe(subject, cb=put, ordered_consumer=True, config=config)
        except _NATS_ERRORS as exc:
            raise BusUnavailable(f"NATS at {self.url}: cannot read {subject}: {_reason(exc)}") from None
        return sub, queue

    async def _batches(
        self, subject: str, after: int, batch: int, idle: float
    ) -> AsyncIterator[list[tuple[int, Msg]]]:
        sub, queue = await self._ordered(subject, after)
        try:
            while True:
                try:
                    first = await asyncio.wait_for(queue.get(), idle)
                except TimeoutError:
                    if self._nc is None or self._nc.is_closed:
                        raise BusUnavailable(f"the connection to NATS at {self.url} is closed") from None
                    yield []
                    continue
                msgs = [first]
                while len(msgs) < batch and not queue.empty():
                    msgs.append(queue.get_nowait())
                yield [(m.metadata.sequence.stream, m) for m in msgs]
        finally:
            with contextlib.suppress(*_NATS_ERRORS):  # the connection is gone already: nothing to release
                await sub.unsubscribe()

    async def read(
        self, after: int, *, batch: int = 512, idle: float = 0.2
    ) -> AsyncIterator[list[LogRecord]]:
        async for msgs in self._batches(f"{self.prefix}.events.*", after, batch, idle):
            yield [
                LogRecord(
                    seq,
                    int(m.subject.rsplit(".", 1)[1]),
                    m.data,
                    (m.headers or {}).get("Vigil-Reply"),
                    (m.headers or {}).get("Vigil-Control") == "1",
                )
                for seq, m in msgs
            ]

    async def last(self) -> int:
        js = await self._connect()
        try:
            info = await js.stream_info(self.stream)
        except _NATS_ERRORS as exc:
            raise BusUnavailable(f"NATS at {self.url}: stream {self.stream}: {_reason(exc)}") from None
        return int(info.state.last_seq)

    async def control(self, partition: int, key: str, body: bytes) -> None:
        js = await self._connect()
        try:
            await js.publish(
                f"{self.prefix}.events.{partition}",
                body,
                timeout=self.publish_timeout,
                headers={"Nats-Msg-Id": key, "Vigil-Control": "1"},
            )
        except _NATS_ERRORS as exc:
            raise BusUnavailable(
                f"NATS at {self.url} did not take a control record ({_reason(exc)})"
            ) from None

    async def answer(self, reply: str, body: bytes, made: bool) -> None:
        await self._connect()
        assert self._nc is not None
        try:
            await self._nc.publish(reply, body, headers={"Vigil-Made": "1" if made else "0"})
        except _NATS_ERRORS as exc:
            raise BusUnavailable(f"NATS at {self.url}: cannot answer: {_reason(exc)}") from None

    async def note(self, body: bytes) -> None:
        js = await self._connect()
        try:
            await js.publish(f"{self.prefix}.notes", body, timeout=self.publish_timeout)
        except _NATS_ERRORS as exc:
            raise BusUnavailable(f"NATS at {self.url}: cannot publish a note: {_reason(exc)}") from None

    async def notes(self, after: int, *, idle: float = 0.2) -> AsyncIterator[list[tuple[int, bytes]]]:
        async for msgs in self._batches(f"{self.prefix}.notes", after, 4096, idle):
            yield [(seq, m.data) for seq, m in msgs]

    # -- leases --------------------------------------------------------------------------------------
    async def renew(self, ordinal: int, holder: str) -> None:
        kv = await self._bucket("LEASES", ttl=self.lease_seconds)
        try:
            await kv.put(f"o{ordinal}", holder.encode())
        except _NATS_ERRORS as exc:
            raise BusUnavailable(
                f"NATS at {self.url}: cannot renew lease {ordinal}: {_reason(exc)}"
            ) from None

    async def owners(self) -> dict[int, str]:
        record = await self.record()
        workers = int(record.get("workers", "0")) if record is not None else 0
        kv = await self._bucket("LEASES", ttl=self.lease_seconds)
        held = {}
        try:
            for ordinal in range(workers):  # by key: a listing of a bucket's keys may come back short
                try:
                    entry = await kv.get(f"o{ordinal}")
                except nats.js.errors.KeyNotFoundError:
                    continue
                held[ordinal] = (entry.value or b"").decode()
        except _NATS_ERRORS as exc:
            raise BusUnavailable(f"NATS at {self.url}: cannot read the leases: {_reason(exc)}") from None
        return held

    async def close(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        self._kv.clear()
        self._inbox = None
        if nc is not None and not nc.is_closed:
            with contextlib.suppress(*_NATS_ERRORS):  # closing a failing connection: nothing more to do
                await nc.close()


async def _quiet(exc: Exception) -> None:
    """nats-py's error callback: connection errors surface as ``BusUnavailable`` where they matter."""
    return
