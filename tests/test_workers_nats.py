"""Partitioned workers for real: ``vigil worker`` processes on NATS JetStream and PostgreSQL (each test on
its own stream and schema). The decisions of 1, 2 and 4 workers equal one process run with the same flag
lag, event for event; each worker's state, read from the snapshot it writes when it stops, has the one
process's digest. A worker killed with SIGKILL mid-stream is started again by the harness (the
supervisor's part) and serves its partitions within 5 s; no acknowledged event is lost, none is decided
twice, and the restarted worker's state digest equals a fresh replay's."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.desk_kit import Kit, withdrawal
from tests.nats import NATS_URL, drop, stream_name
from tests.postgres import postgres_url
from tests.workers_kit import engine_on, gapped, owns, reference, stream, strip
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.nats_bus import NatsBus
from vigil.adapters.postgres import PostgresJournal, connect
from vigil.adapters.snapshot_files import DirectorySnapshots
from vigil.desk.service import Change
from vigil.engine.snapshot import restore_newest
from vigil.errors import DecisionTimeout
from vigil.model import Decision, Event, Outcome
from vigil.model.cases import ActionKind, ActionStatus
from vigil.model.reasons import ReasonCode
from vigil.workers import ControlSender, Submitter

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# About 1,200 events (the memory-bus tests take 2,200), with a 40-day gap every 300: the workers evict idle
# accounts, devices, IPs and addresses (the default catalog's eviction) and see them come back.
EVENTS = gapped(stream(n_accounts=80, days=8, seed=7), 300)
LAG = 16
PARTITIONS = 8


class Crew:
    """N ``vigil worker`` processes; ``watch()`` starts a dead one again with its ordinal."""

    def __init__(self, n: int, env: dict[str, str], logs: Path) -> None:
        self.n = n
        self.env = env
        self.logs = logs
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.restarts = 0

    def start(self, i: int) -> None:
        with (self.logs / f"worker-{i}.log").open("ab") as log:
            self.procs[i] = subprocess.Popen(
                [sys.executable, "-m", "vigil.cli.main", "worker", "--ordinal", str(i), "--of", str(self.n)],
                env=self.env,
                stdout=log,
                stderr=log,
            )

    def watch(self) -> None:
        for i, proc in self.procs.items():
            if proc.poll() is not None:
                self.restarts += 1
                self.start(i)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for i, proc in self.procs.items():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGUSR1)  # the worker dumps its threads' stacks into its log
                time.sleep(1.0)
                proc.kill()
                proc.wait()
                log = (self.logs / f"worker-{i}.log").read_text(errors="replace")
                raise AssertionError(f"worker {i} did not stop within 60 s of SIGTERM; log:\n{log}") from None

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("worker-*.log")))


@contextmanager
def crew(n: int, tmp_path: Path) -> Iterator[tuple[Crew, str, str]]:
    name = stream_name()
    with postgres_url() as url:
        env = {
            **os.environ,
            "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
            "VIGIL_DB": url,
            "VIGIL_BUS": NATS_URL,
            "VIGIL_BUS_STREAM": name,
            "VIGIL_BUS_PARTITIONS": str(PARTITIONS),
            "VIGIL_FLAG_LAG": str(LAG),
            "VIGIL_SNAPSHOT_DIR": str(tmp_path / "snapshots"),
            "VIGIL_WORKER_SNAPSHOT_EVENTS": "300",
            "VIGIL_WORKER_COMMIT_EVENTS": "128",
            "VIGIL_BUS_LEASE_SECONDS": "2",
            "VIGIL_LOG_LEVEL": "WARNING",
        }
        logs = tmp_path / "logs"
        logs.mkdir()
        team = Crew(n, env, logs)
        try:
            for i in range(n):
                team.start(i)
            yield team, url, name
        finally:
            for proc in team.procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            asyncio.run(drop(name))


async def _submit_all(submitter: Submitter, events: list[Event], in_flight: int = 64) -> dict[str, Decision]:
    """Each event until it is answered (a timeout is retried with the same event id)."""
    limit = asyncio.Semaphore(in_flight)
    answered: dict[str, Decision] = {}

    async def one(event: Event) -> None:
        async with limit:
            for _ in range(20):
                try:
                    answered[event.event_id] = (await submitter.decide(event))[0]
                    return
                except DecisionTimeout:
                    continue
            raise AssertionError(f"{event.event_id} never answered")

    await asyncio.gather(*(one(e) for e in events))
    return answered


async def _ready(submitter: Submitter, crew: Crew, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        crew.watch()
        try:
            if not await submitter.unowned():
                return
        except Exception:  # noqa: BLE001 - the record is not there yet: the workers are starting
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"the workers did not start:\n{crew.log_text()}")


def _journal(url: str) -> dict[str, Decision]:
    engine = connect(url)
    try:
        journal = PostgresJournal(engine)
        return {d.event_id: strip(d) for _, d in journal.decided()}
    finally:
        engine.dispose()


def _digests_match(crew: Crew, tmp_path: Path) -> None:
    one, _ = reference(EVENTS, LAG)
    assert one.catalog.evicted > 300  # the digests hold across evictions
    for i in range(crew.n):
        engine = engine_on(MemoryJournal(), LAG)
        header = restore_newest(
            engine, DirectorySnapshots(tmp_path / "snapshots" / f"worker-{i}-of-{crew.n}")
        )
        assert header is not None and header.position == len(EVENTS)
        engine.settle_flags()
        mine = owns(i, crew.n, PARTITIONS)
        assert engine.catalog.state_digest(mine) == one.catalog.state_digest(mine), f"worker {i}"


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_workers_on_nats_decide_as_one_process(workers: int, tmp_path: Path) -> None:
    with crew(workers, tmp_path) as (team, url, name):

        async def main() -> dict[str, Decision]:
            bus = NatsBus(NATS_URL, name)
            submitter = Submitter(bus, MemoryJournal(), timeout=10.0)
            try:
                await _ready(submitter, team)
                return await _submit_all(submitter, EVENTS)
            finally:
                await bus.close()

        answered = asyncio.run(main())
        time.sleep(1.0)  # the last notes reach every worker before it stops
        team.stop()
        assert team.restarts == 0, team.log_text()
        _, expected = reference(EVENTS, LAG)
        journal = _journal(url)
        assert len(journal) == len(EVENTS)
        for e in EVENTS:
            assert strip(answered[e.event_id]) == expected[e.event_id], e.event_id
            assert journal[e.event_id] == expected[e.event_id], e.event_id
        _digests_match(team, tmp_path)


def test_a_killed_worker_is_back_within_5_s_and_nothing_is_lost_or_decided_twice(tmp_path: Path) -> None:
    with crew(2, tmp_path) as (team, url, name):
        victim = 1
        theirs = owns(victim, 2, PARTITIONS)

        async def main() -> tuple[dict[str, Decision], float]:
            bus = NatsBus(NATS_URL, name)
            db = connect(url)
            # A retry of an event the stream holds is answered from the journal, as vigil serve does.
            submitter = Submitter(bus, PostgresJournal(db), timeout=3.0)
            try:
                await _ready(submitter, team)
                third = len(EVENTS) // 3
                first = await _submit_all(submitter, EVENTS[:third])
                team.procs[victim].kill()  # SIGKILL, mid-stream: the rest cannot all be answered without it
                killed = time.monotonic()
                rest = asyncio.create_task(_submit_all(submitter, EVENTS[third:], in_flight=16))
                back = 0.0
                deadline = killed + 60.0
                while (not rest.done() or not team.restarts) and time.monotonic() < deadline:
                    team.watch()
                    await asyncio.sleep(0.05)
                    if not back and not await submitter.unowned():
                        back = time.monotonic() - killed
                answered = {**first, **await rest}
                probe = next(e for e in reversed(EVENTS) if theirs(e.account_id))
                assert (await submitter.decide(probe))[0].event_id == probe.event_id  # a retry: stored
                return answered, back
            finally:
                await bus.close()
                db.dispose()

        answered, back = asyncio.run(main())
        assert team.restarts == 1
        assert 0 < back < 5.0, f"partitions unowned for {back:.1f} s"
        time.sleep(1.0)
        team.stop()
        logs = team.log_text()
        assert "Traceback" not in logs and "already recorded" not in logs, logs
        _, expected = reference(EVENTS, LAG)
        journal = _journal(url)
        assert set(answered) == {e.event_id for e in EVENTS}  # every acknowledged event...
        assert len(journal) == len(EVENTS)  # ...is in the journal, once (event ids are unique there)
        for e in EVENTS:
            assert journal[e.event_id] == expected[e.event_id], e.event_id
            assert strip(answered[e.event_id]) == expected[e.event_id], e.event_id
        _digests_match(team, tmp_path)


def test_a_worker_with_other_rules_or_lag_is_refused(tmp_path: Path) -> None:
    with crew(2, tmp_path) as (team, _url, name):

        async def main() -> None:
            bus = NatsBus(NATS_URL, name)
            try:
                await _ready(Submitter(bus, MemoryJournal(), timeout=1.0), team)
            finally:
                await bus.close()

        asyncio.run(main())
        env = {**team.env, "VIGIL_FLAG_LAG": str(LAG + 1)}
        out = subprocess.run(
            [sys.executable, "-m", "vigil.cli.main", "worker", "--ordinal", "1", "--of", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 3
        assert f"flag_lag '{LAG + 1}' (the cluster's is '{LAG}')" in out.stderr
        team.stop()


def test_a_desk_freeze_reaches_the_owning_worker_process_and_an_unfreeze_lifts_it(tmp_path: Path) -> None:
    """What ``vigil serve`` with workers does with the desk (bootstrap.security_desk, app.py): the desk's
    freeze is told to a ``ControlSender``, which appends it to the account's partition on JetStream; the
    ``vigil worker`` process that owns the partition blocks the account's next withdrawal with the desk's
    reason code; after a SIGKILL it still does (its restart reads the control again); the unfreeze lifts
    it. The other worker's accounts are untouched."""
    with crew(2, tmp_path) as (team, _url, name):

        async def main() -> None:
            bus = NatsBus(NATS_URL, name)
            submitter = Submitter(bus, MemoryJournal(), timeout=10.0)
            sender = ControlSender(bus, submitter.partition)
            sending = asyncio.create_task(sender.run())
            kit = Kit(on_freeze=sender.tell)
            try:
                await _ready(submitter, team)
                owner = 1
                frozen = next(e.account_id for e in EVENTS if owns(owner, 2, PARTITIONS)(e.account_id))
                other = next(e.account_id for e in EVENTS if owns(0, 2, PARTITIONS)(e.account_id))

                async def decide(n: int, account: str) -> Decision:
                    answered = await _submit_all(submitter, [withdrawal(n, account)])
                    return answered[f"evt-{n}"]

                async def told() -> None:
                    for _ in range(500):
                        if not sender.pending:
                            return
                        await asyncio.sleep(0.01)
                    raise AssertionError("the control was not appended")

                assert ReasonCode.DESK_ACCOUNT_FROZEN not in _codes(await decide(1, frozen))
                case_id = kit.flag(900, frozen)
                case = kit.actions.request(case_id, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana"))
                freeze = case.actions[-1]
                assert freeze.status is ActionStatus.APPLIED
                await told()
                blocked = await decide(2, frozen)
                assert blocked.outcome is Outcome.BLOCK
                assert blocked.reasons[0].code is ReasonCode.DESK_ACCOUNT_FROZEN
                assert freeze.action_id in blocked.reasons[0].detail
                assert ReasonCode.DESK_ACCOUNT_FROZEN not in _codes(await decide(3, other))

                team.procs[owner].kill()  # the owner dies; the harness starts it again
                team.procs[owner].wait()
                await _ready(submitter, team)
                again = await decide(4, frozen)
                assert again.reasons[0].code is ReasonCode.DESK_ACCOUNT_FROZEN

                kit.actions.request(case_id, ActionKind.UNFREEZE, "cleared", Change("ana"))
                await told()
                assert ReasonCode.DESK_ACCOUNT_FROZEN not in _codes(await decide(5, frozen))
                assert sender.sent == 2
            finally:
                sending.cancel()
                await asyncio.gather(sending, return_exceptions=True)
                await bus.close()

        asyncio.run(main())
        team.stop()
        assert team.restarts == 1, team.log_text()


def _codes(decision: Decision) -> list[ReasonCode]:
    return [r.code for r in decision.reasons]
