"""The ``EventBus`` contract, run unchanged against the memory bus and NATS JetStream (a real server at
``VIGIL_TEST_NATS_URL``, default nats://127.0.0.1:4222, that ``scripts/ensure-nats.sh`` starts; each test
on streams of its own name)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.nats import nats_bus
from vigil.adapters.memory_bus import MemoryBus
from vigil.errors import BusUnavailable, DecisionTimeout
from vigil.ports import EventBus, LogRecord

Run = Callable[[Callable[[EventBus], Awaitable[None]]], None]


@pytest.fixture(params=["memory", "nats"])
def run(request: pytest.FixtureRequest) -> Run:
    def go(body: Callable[[EventBus], Awaitable[None]]) -> None:
        async def main() -> None:
            if request.param == "memory":
                bus: EventBus = MemoryBus(lease_seconds=0.5)
                await body(bus)
                return
            async with nats_bus(lease_seconds=1.0) as nats:
                await body(nats)

        asyncio.run(main())

    return go


async def _take(batches: AsyncIterator[list[Any]], n: int) -> list[Any]:
    got: list[Any] = []
    async for batch in batches:
        got.extend(batch)
        if len(got) >= n:
            break
    return got


RECORD = {"catalog": "abc", "rules": "r1", "partitions": "4", "flag_lag": "8", "workers": "2"}


def test_join_keeps_the_first_record(run: Run) -> None:
    async def body(bus: EventBus) -> None:
        assert await bus.record() is None
        assert await bus.join(RECORD) == RECORD
        assert await bus.join({**RECORD, "rules": "r2"}) == RECORD  # the stored one, unchanged
        assert await bus.record() == RECORD

    run(body)


def test_submitted_events_are_read_in_order_and_answered(run: Run) -> None:
    async def body(bus: EventBus) -> None:
        await bus.join(RECORD)
        assert await bus.last() == 0

        async def worker() -> list[LogRecord]:
            records: list[LogRecord] = []
            async for batch in bus.read(0, batch=2, idle=0.05):
                for r in batch:
                    assert r.reply is not None
                    await bus.answer(r.reply, b"decision of " + r.body, made=r.seq != 2)
                records += batch
                if len(records) == 3:
                    return records
            raise AssertionError("the log ended")

        reader = asyncio.create_task(worker())
        answers = []
        for i, partition in enumerate((3, 0, 3)):
            answers.append(await bus.submit(partition, f"e{i}", f"event {i}".encode(), timeout=5.0))
        records = await reader
        assert [(r.seq, r.partition, r.body) for r in records] == [
            (1, 3, b"event 0"),
            (2, 0, b"event 1"),
            (3, 3, b"event 2"),
        ]
        assert [(a.body, a.made, a.duplicate) for a in answers] == [
            (b"decision of event 0", True, False),
            (b"decision of event 1", False, False),
            (b"decision of event 2", True, False),
        ]
        assert await bus.last() == 3
        # Reading again from a sequence gives what follows it.
        assert [r.seq for r in await _take(bus.read(1, idle=0.05), 2)] == [2, 3]

    run(body)


def test_an_event_id_submitted_again_is_a_duplicate_and_not_appended(run: Run) -> None:
    async def body(bus: EventBus) -> None:
        await bus.join(RECORD)
        with pytest.raises(DecisionTimeout):
            await bus.submit(1, "same", b"x", timeout=0.2)  # nobody answers
        again = await bus.submit(1, "same", b"x", timeout=0.2)
        assert again.duplicate
        assert await bus.last() == 1

    run(body)


def test_control_records_are_read_in_order_among_the_events_and_kept_once(run: Run) -> None:
    async def body(bus: EventBus) -> None:
        await bus.join(RECORD)
        with pytest.raises(DecisionTimeout):
            await bus.submit(2, "e1", b"event", timeout=0.2)  # nobody answers
        await bus.control(2, "control:a:1", b"freeze a")
        await bus.control(2, "control:a:1", b"freeze a")  # told twice: kept once
        await bus.control(3, "control:b:1", b"freeze b")
        records = await _take(bus.read(0, idle=0.05), 3)
        assert [(r.seq, r.partition, r.body, r.control) for r in records] == [
            (1, 2, b"event", False),
            (2, 2, b"freeze a", True),
            (3, 3, b"freeze b", True),
        ]
        assert records[1].reply is None and await bus.last() == 3

    run(body)


def test_an_idle_reader_gets_empty_batches(run: Run) -> None:
    async def body(bus: EventBus) -> None:
        await bus.join(RECORD)
        batches = bus.read(0, idle=0.05)
        assert await anext(batches) == []
        notes = bus.notes(0, idle=0.05)
        assert await anext(notes) == []

    run(body)


def test_notes_are_read_in_order_from_a_position(run: Run) -> None:
    async def body(bus: EventBus) -> None:
        await bus.join(RECORD)
        for i in range(3):
            await bus.note(f"n{i}".encode())
        got = await _take(bus.notes(0, idle=0.05), 3)
        assert [b for _, b in got] == [b"n0", b"n1", b"n2"]
        positions = [p for p, _ in got]
        assert positions == sorted(positions)
        later = await _take(bus.notes(positions[0], idle=0.05), 2)
        assert [b for _, b in later] == [b"n1", b"n2"]

    run(body)


def test_leases_expire_unless_renewed(run: Run) -> None:
    async def body(bus: EventBus) -> None:
        await bus.join(RECORD)
        assert await bus.owners() == {}
        holder = uuid.uuid4().hex
        await bus.renew(1, holder)
        await bus.renew(0, "other")
        assert await bus.owners() == {0: "other", 1: holder}
        for _ in range(60):  # the memory bus's lease is 0.5 s, NATS's 1 s (its expiry runs about each second)
            await asyncio.sleep(0.1)
            await bus.renew(1, holder)
            if 0 not in await bus.owners():
                break
        assert await bus.owners() == {1: holder}

    run(body)


def test_a_bus_that_is_down_fails_fast() -> None:
    async def main() -> None:
        from vigil.adapters.nats_bus import NatsBus

        bus = NatsBus("nats://127.0.0.1:1", "VIGIL_T_DOWN", connect_timeout=0.5)
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(BusUnavailable, match="cannot reach NATS"):
            await bus.submit(0, "e", b"x", timeout=5.0)
        assert loop.time() - start < 3.0
        await bus.close()
        memory = MemoryBus()
        memory.down = True
        with pytest.raises(BusUnavailable):
            await memory.submit(0, "e", b"x", timeout=5.0)

    asyncio.run(main())
