"""Partitioned workers on the memory bus (workers/, docs/operations.md "Workers"): the decisions of 1, 2
and 4 workers equal those of one process run with the same flag lag, event for event, and each worker's
state (its own accounts, all shared keys, the graph) has the one process's digest. The same on NATS and
PostgreSQL, with a SIGKILL in the middle, is ``test_workers_nats.py``."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from tests.desk_kit import Kit, withdrawal
from tests.workers_kit import engine_on, gapped, owns, reference, stream, strip
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_bus import MemoryBus
from vigil.adapters.memory_snapshots import MemorySnapshots
from vigil.codec import encode_event
from vigil.desk.service import Change
from vigil.errors import ClusterMismatch, DecisionTimeout, NotReady
from vigil.model import Decision, Event, Outcome
from vigil.model.cases import ActionKind, ActionStatus
from vigil.model.reasons import ReasonCode
from vigil.workers import ControlSender, Submitter, Worker, partition_of

EVENTS = stream()
PARTITIONS = 8
# The same stream with a 40-day gap every 400 events: accounts, devices, IPs and addresses come back after
# being evicted (all of them idle past the longest window), for an engine that evicts as early as it may.
GAPPED = gapped(EVENTS, 400)


def test_the_stream_has_what_the_proof_needs() -> None:
    _, decisions = reference(EVENTS, 0)
    assert sum(d.outcome >= Outcome.HOLD for d in decisions.values()) >= 3  # flags to propagate
    devices = {e.device_id for e in EVENTS if e.device_id is not None}
    assert len(devices) < len({e.account_id for e in EVENTS}) * 2  # devices shared across accounts


async def _run(
    workers: int, lag: int, events: list[Event], evict_batch: int | None = None
) -> tuple[list[Worker], dict[str, Decision]]:
    bus = MemoryBus()
    crew = [
        Worker(
            engine_on(MemoryJournal(), lag, evict_batch=evict_batch),
            bus,
            ordinal=i,
            workers=workers,
            partitions=PARTITIONS,
            commit_events=64,
        )
        for i in range(workers)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in crew]
    for w in crew:
        await w.ready.wait()
    submitter = Submitter(bus, MemoryJournal(), timeout=30.0)
    limit = asyncio.Semaphore(256)

    async def one(event: Event) -> Decision:
        async with limit:
            decision, made = await submitter.decide(event)
            assert made
            return decision

    decided = await asyncio.gather(*(one(e) for e in events))
    stop.set()
    await asyncio.gather(*tasks)
    return crew, {d.event_id: strip(d) for d in decided}


@pytest.mark.parametrize(("workers", "lag"), [(1, 0), (1, 16), (2, 16), (4, 16), (4, 64)])
def test_workers_decide_as_one_process_with_the_same_lag(workers: int, lag: int) -> None:
    crew, decided = asyncio.run(_run(workers, lag, EVENTS))
    one, expected = reference(EVENTS, lag)
    assert len(decided) == len(expected)
    for event in EVENTS:
        assert decided[event.event_id] == expected[event.event_id], event.event_id
    for w in crew:
        w.engine.settle_flags()
        mine = owns(w.ordinal, workers, PARTITIONS)
        assert w.engine.catalog.state_digest(mine) == one.catalog.state_digest(mine)
    assert sum(w.progress.decided for w in crew) == len(EVENTS)


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_workers_with_eviction_decide_as_one_process_and_hold_its_state(workers: int) -> None:
    """Eviction's sweeps are counted per observe, and a worker's account queues hold only its own
    accounts: with a sweep of 2 entities per event, a worker's sweeps reach its accounts at other
    events than the one process's. Decisions, and the state of its accounts and of every shared key, are
    the same all the same (features/idle.py)."""
    crew, decided = asyncio.run(_run(workers, 16, GAPPED, evict_batch=2))
    one, expected = reference(GAPPED, 16, evict_batch=2)
    for event in GAPPED:
        assert decided[event.event_id] == expected[event.event_id], event.event_id
    counts = one.catalog.entity_count()
    assert one.catalog.evicted > 500 and counts["destination"] < 120  # entities evicted, rows dropped
    for w in crew:
        w.engine.settle_flags()
        mine = owns(w.ordinal, workers, PARTITIONS)
        assert w.engine.catalog.state_digest(mine) == one.catalog.state_digest(mine)
        assert w.engine.catalog.evicted > 0
    if workers > 1:  # the workers' sweeps did reach entities at other events than the one process's
        assert any(w.engine.catalog.evicted != one.catalog.evicted for w in crew)


def test_the_lag_changes_decisions_only_where_a_flag_is_read() -> None:
    _, now = reference(EVENTS, 0)
    _, later = reference(EVENTS, 64)
    differing = [i for i in now if now[i] != later[i]]
    assert len(differing) < len(now) // 10  # the lag delays flags; most decisions do not read one


def test_a_worker_of_another_catalog_or_lag_is_refused() -> None:
    async def main() -> None:
        bus = MemoryBus()
        first = Worker(engine_on(MemoryJournal(), 8), bus, ordinal=0, workers=2, partitions=PARTITIONS)
        stop = asyncio.Event()
        task = asyncio.create_task(first.run(stop))
        await first.ready.wait()
        other = Worker(engine_on(MemoryJournal(), 9), bus, ordinal=1, workers=2, partitions=PARTITIONS)
        with pytest.raises(ClusterMismatch, match=r"flag_lag '9' \(the cluster's is '8'\)"):
            await other.run()
        more = Worker(engine_on(MemoryJournal(), 8), bus, ordinal=1, workers=2, partitions=16)
        with pytest.raises(ClusterMismatch, match="partitions '16'"):
            await more.run()
        stop.set()
        await task

    asyncio.run(main())


def test_a_server_before_any_worker_and_a_partition_without_owner() -> None:
    async def main() -> None:
        bus = MemoryBus(lease_seconds=0.3)
        submitter = Submitter(bus, MemoryJournal(), timeout=0.3)
        with pytest.raises(NotReady, match="no worker has joined"):
            await submitter.decide(EVENTS[0])
        w = Worker(engine_on(MemoryJournal(), 4), bus, ordinal=0, workers=2, partitions=4, lease_seconds=0.3)
        stop = asyncio.Event()
        task = asyncio.create_task(w.run(stop))
        await w.ready.wait()
        assert await submitter.unowned() == [1, 3]  # ordinal 1 never started
        unowned = next(e for e in EVENTS if owns(1, 2, 4)(e.account_id))
        with pytest.raises(DecisionTimeout, match="will be decided"):
            await submitter.decide(unowned)
        stop.set()
        await task
        await asyncio.sleep(0.4)
        assert await submitter.unowned() == [0, 1, 2, 3]

    asyncio.run(main())


def test_a_restarted_worker_resumes_from_its_snapshot_and_decides_nothing_twice() -> None:
    """Worker 1 stops after a snapshot and some more decisions; restarted, it re-observes what its
    journal holds, answers retries with the stored decision, and ends in the one process's state."""

    async def main() -> None:
        bus = MemoryBus()
        journals = [MemoryJournal(), MemoryJournal()]
        store = MemorySnapshots()

        def worker(i: int) -> Worker:
            return Worker(
                engine_on(journals[i], 16),
                bus,
                ordinal=i,
                workers=2,
                partitions=PARTITIONS,
                commit_events=32,
                snapshots=store if i == 1 else None,
                snapshot_events=300,
            )

        first, second = worker(0), worker(1)
        stops = [asyncio.Event(), asyncio.Event()]
        tasks = [asyncio.create_task(first.run(stops[0])), asyncio.create_task(second.run(stops[1]))]
        await first.ready.wait()
        await second.ready.wait()
        submitter = Submitter(bus, journals[1], timeout=30.0)
        half = len(EVENTS) // 2
        for e in EVENTS[:half]:
            await submitter.decide(e)
        stops[1].set()
        await tasks[1]
        assert second.progress.snapshots >= 1
        again = worker(1)
        tasks[1] = asyncio.create_task(again.run(asyncio.Event()))
        await again.ready.wait()
        assert 0 < again.progress.resumed_from < half
        retried = EVENTS[half - 1]
        for e in EVENTS[half:]:
            await submitter.decide(e)
        stops[0].set()
        await tasks[0]
        tasks[1].cancel()
        await asyncio.gather(tasks[1], return_exceptions=True)
        decided = {d.event_id for j in journals for _, d in j.decided()}
        assert len(decided) == len(EVENTS)
        assert sum(len(list(j.decided())) for j in journals) == len(EVENTS)  # none twice
        assert again.progress.observed > 0 and again.progress.decided > 0
        one, expected = reference(EVENTS, 16)
        for j in journals:
            for _, d in j.decided():
                assert strip(d) == expected[d.event_id]
        again.engine.settle_flags()
        mine = owns(1, 2, PARTITIONS)
        assert again.engine.catalog.state_digest(mine) == one.catalog.state_digest(mine)
        stored = journals[0].get(retried.event_id) or journals[1].get(retried.event_id)
        assert stored is not None
        answer = await bus.submit(0, retried.event_id, encode_event(retried), 1.0)
        assert answer.duplicate  # within the dedup window the bus does not append it again

    asyncio.run(main())


def test_a_worker_waiting_for_a_peer_that_never_comes_still_stops() -> None:
    async def main() -> None:
        bus = MemoryBus()
        w = Worker(engine_on(MemoryJournal(), 2), bus, ordinal=0, workers=2, partitions=4, commit_events=4)
        stop = asyncio.Event()
        task = asyncio.create_task(w.run(stop))
        await w.ready.wait()
        submitter = Submitter(bus, MemoryJournal(), timeout=0.2)
        mine = owns(0, 2, 4)
        own = [e for e in EVENTS if mine(e.account_id)][:6]  # the 4th needs ordinal 1's notes through 1
        for e in own:
            with contextlib.suppress(DecisionTimeout):
                await submitter.decide(e)
        assert w.progress.waits >= 1 and w.progress.decided == 3
        stop.set()
        await asyncio.wait_for(task, 5.0)
        assert w.position == 3  # the event it waited on stays unread: the next start reads it again

    asyncio.run(main())


def _codes(decision: Decision) -> list[ReasonCode]:
    return [r.code for r in decision.reasons]


def test_a_desk_freeze_reaches_the_owning_worker_through_the_stream_and_survives_its_restart() -> None:
    """The desk freezes an account (its hook tells the server's ``ControlSender``, which appends a control
    record to the account's partition): the owning worker blocks the account's next withdrawal with the
    desk's reason, the other worker's accounts are untouched, a restart from its snapshot keeps the
    freeze, and the unfreeze lifts it."""

    async def main() -> None:
        bus = MemoryBus()
        store = MemorySnapshots()

        def worker(i: int) -> Worker:
            return Worker(
                engine_on(MemoryJournal(), 4),
                bus,
                ordinal=i,
                workers=2,
                partitions=PARTITIONS,
                commit_events=8,
                snapshots=store if i == 1 else None,
                snapshot_events=1,
            )

        crew = [worker(0), worker(1)]
        stops = [asyncio.Event(), asyncio.Event()]
        tasks = [asyncio.create_task(w.run(s)) for w, s in zip(crew, stops, strict=True)]
        for w in crew:
            await w.ready.wait()
        submitter = Submitter(bus, MemoryJournal(), timeout=10.0)
        sender = ControlSender(bus, submitter.partition)
        sending = asyncio.create_task(sender.run())
        kit = Kit(on_freeze=sender.tell)
        frozen = next(e.account_id for e in EVENTS if owns(1, 2, PARTITIONS)(e.account_id))
        other = next(e.account_id for e in EVENTS if owns(0, 2, PARTITIONS)(e.account_id))

        async def told() -> None:
            while sender.pending:
                await asyncio.sleep(0.01)

        first = (await submitter.decide(withdrawal(1, frozen)))[0]
        assert ReasonCode.DESK_ACCOUNT_FROZEN not in _codes(first)
        case_id = kit.flag(900, frozen)
        freeze = kit.actions.request(case_id, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana")).actions[-1]
        assert freeze.status is ActionStatus.APPLIED
        await told()
        blocked = (await submitter.decide(withdrawal(2, frozen)))[0]
        assert blocked.outcome is Outcome.BLOCK and blocked.reasons[0].code is ReasonCode.DESK_ACCOUNT_FROZEN
        assert freeze.action_id in blocked.reasons[0].detail
        assert ReasonCode.DESK_ACCOUNT_FROZEN not in _codes((await submitter.decide(withdrawal(3, other)))[0])
        assert crew[1].progress.controls == 1 and crew[0].progress.controls == 0

        stops[1].set()  # the owning worker stops (a snapshot at its stop) and starts again
        await tasks[1]
        crew[1] = worker(1)
        stops[1] = asyncio.Event()
        tasks[1] = asyncio.create_task(crew[1].run(stops[1]))
        await crew[1].ready.wait()
        assert crew[1].progress.resumed_from > 0
        again = (await submitter.decide(withdrawal(4, frozen)))[0]
        assert again.reasons[0].code is ReasonCode.DESK_ACCOUNT_FROZEN and crew[1].progress.controls == 0

        kit.actions.request(case_id, ActionKind.UNFREEZE, "cleared", Change("ana"))
        await told()
        lifted = (await submitter.decide(withdrawal(5, frozen)))[0]
        assert ReasonCode.DESK_ACCOUNT_FROZEN not in _codes(lifted)
        assert sender.sent == 2
        sending.cancel()
        for stop in stops:
            stop.set()
        await asyncio.gather(*tasks, sending, return_exceptions=True)

    asyncio.run(main())


def test_freeze_changes_wait_while_the_bus_is_down_and_say_so() -> None:
    async def main() -> None:
        bus = MemoryBus()
        await bus.join({"partitions": str(PARTITIONS)})
        sender = ControlSender(
            bus, Submitter(bus, MemoryJournal(), timeout=1.0).partition, retry_seconds=0.05
        )
        bus.down = True
        sender.tell("acc-1", "c-1/1", 10)
        running = asyncio.create_task(sender.run())
        await asyncio.sleep(0.1)
        assert sender.pending == 1 and sender.failure is not None
        assert "1 desk freeze change(s) not on the event stream yet" in sender.failure
        bus.down = False
        sender.tell("acc-1", None, 20)
        for _ in range(100):
            if not sender.pending:
                break
            await asyncio.sleep(0.01)
        after: str | None = sender.failure  # cleared by the send that succeeded
        assert sender.sent == 2 and after is None
        records = await anext(bus.read(0, idle=0.05))
        assert [(r.control, r.partition) for r in records] == [(True, partition_of("acc-1", PARTITIONS))] * 2
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)

    asyncio.run(main())
