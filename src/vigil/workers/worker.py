"""One partitioned worker: ``vigil worker --ordinal i --of N`` (docs/operations.md, "Workers").

It reads the WHOLE event stream in stream-sequence order. For an event of another worker's partition it
steps only the shared state (device, IP and destination keys, the entity graph's links) and remembers
the event id; for one of its own partitions it decides: features, rules, outcome, the journal, the
answer to the waiting server. So every worker holds the one process's shared state and its own
accounts' state, and decides as one process would.

Flags (an account held or blocked) come from decisions, which other workers make. With the engine's
flag lag L, the flag of the event at sequence s is visible from sequence s + L + 1 on, in every worker
and in ``vigil replay`` run with the same L. Before deciding its event at sequence t the worker waits
until every peer has told (a ``Note`` on the bus's feed) that it decided everything through t - L - 1,
with the accounts those decisions flagged: then the graph it reads is exactly the one process's.

A commit comes first: the journal's group commit, then the note to the peers, then the answers to the
waiting servers. So an answer always follows a durable write, and a worker killed at any point loses
nothing acknowledged: restarted (by its supervisor, with its ordinal) it takes its newest snapshot
(engine state, the stream sequence it reflects, its place in the peers' feed) and reads the stream
from there; an event of its own whose decision the journal already holds is observed, not decided
again (and answered with the stored decision).

The security desk's freezes come through the stream too: a control record on an account's partition
says which freeze is in force on it (``controls.py``); the owning worker folds it in order, so the
account's events after it are decided with it, and its snapshots keep it.

Ownership is the platform's: a supervisor restarts a dead worker with its ordinal, and the worker holds
a lease per ordinal in NATS key-value (renewed every quarter of the lease time) so that servers can say
which partitions have no owner. A worker whose catalog, rules, partitions or lag differ from the
cluster's record is refused.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field

import msgspec

from vigil.codec import decode_event, encode_decision
from vigil.engine import Engine
from vigil.engine.snapshot import restore_newest, save
from vigil.errors import ClusterMismatch, InvalidEvent
from vigil.model import Decision, Outcome
from vigil.ports import EventBus, LogRecord, SnapshotStore
from vigil.workers.cluster import cluster_record, differences
from vigil.workers.controls import decode_control
from vigil.workers.notes import Note, decode_note, encode_note
from vigil.workers.partitions import owned

log = logging.getLogger("vigil.workers")


def holder_name() -> str:
    """Who holds a lease: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead_here(holder: str) -> bool:
    """True when ``holder`` is a process of this host that no longer runs (its lease can be taken now)."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as another user
        return False
    return False


class _Stopped(Exception):
    """Asked to stop while waiting for the peers."""


@dataclass(slots=True)
class Progress:
    """What a worker did (for its log lines and the tests)."""

    decided: int = 0
    observed: int = 0  # own events whose decision the journal already held
    shared: int = 0  # other partitions' events folded
    controls: int = 0  # the desk's freeze changes for its own accounts folded
    waits: int = 0  # times it waited for its peers' decisions
    snapshots: int = 0
    resumed_from: int = 0  # the stream sequence its snapshot reflected (0: from the start)
    answered: list[str] = field(default_factory=list)  # event ids answered (kept only when asked)


class Worker:
    def __init__(
        self,
        engine: Engine,
        bus: EventBus,
        *,
        ordinal: int,
        workers: int,
        partitions: int,
        commit_events: int = 512,
        snapshots: SnapshotStore | None = None,
        snapshot_events: int = 0,
        lease_seconds: float = 2.0,
        holder: str | None = None,
        keep_answered: bool = False,
    ) -> None:
        if not 0 <= ordinal < workers:
            raise ValueError(f"ordinal {ordinal} is not one of 0..{workers - 1}")
        self.engine = engine
        self.bus = bus
        self.ordinal = ordinal
        self.workers = workers
        self.partitions = partitions
        self.commit_events = commit_events
        self.snapshots = snapshots
        self.snapshot_events = snapshot_events
        self.lease_seconds = lease_seconds
        self.holder = holder or holder_name()
        self.keep_answered = keep_answered
        self.progress = Progress()
        self.position = 0  # the last stream sequence taken
        self.cursor = 0  # the last position read in the peers' feed
        self._own: frozenset[int] = frozenset()
        self._marks = {j: 0 for j in range(workers) if j != ordinal}  # each peer's decided-through
        self._marked = 0  # through where this worker told its peers
        self._flags_out: list[tuple[int, str, int]] = []
        self._answers: list[tuple[str, Decision, bool, str]] = []
        self._pending = 0  # events taken since the last commit
        self._since_snapshot = 0
        self._told = asyncio.Event()
        self.ready = asyncio.Event()  # set once it reads the stream (tests, supervisors)
        self._stop = asyncio.Event()

    # -- start -------------------------------------------------------------------------------------
    async def _join(self) -> None:
        mine = cluster_record(self.engine, partitions=self.partitions, workers=self.workers)
        stored = await self.bus.join(mine)
        problems = differences(stored, mine)
        if problems:
            raise ClusterMismatch(
                f"worker {self.ordinal} refused: its {'; '.join(problems)}. Start it with the cluster's"
                " settings and rules, or start a new cluster on another stream (VIGIL_BUS_STREAM)"
            )
        self._own = frozenset(owned(self.ordinal, self.workers, self.partitions))

    async def _take_lease(self) -> None:
        deadline = asyncio.get_running_loop().time() + 3 * self.lease_seconds
        while True:
            holder = (await self.bus.owners()).get(self.ordinal)
            if holder is None or holder == self.holder or _dead_here(holder):
                await self.bus.renew(self.ordinal, self.holder)
                return
            if asyncio.get_running_loop().time() > deadline:
                raise ClusterMismatch(f"ordinal {self.ordinal} is held by {holder}, which still renews it")
            await asyncio.sleep(self.lease_seconds / 4)

    def _restore(self) -> None:
        header = restore_newest(self.engine, self.snapshots) if self.snapshots is not None else None
        if header is None:
            self.engine.forget()
            return
        self.position = self._marked = header.position
        self.cursor = header.cursor
        self.progress.resumed_from = header.position
        log.info("worker %d resumed from its snapshot at stream sequence %d", self.ordinal, header.position)

    # -- the peers' feed ---------------------------------------------------------------------------
    async def _listen(self) -> None:
        async for batch in self.bus.notes(self.cursor):
            for position, body in batch:
                note = decode_note(body)
                self.cursor = position
                if note.ordinal == self.ordinal or note.ordinal not in self._marks:
                    continue
                for seq, account, ts_us in note.flags:
                    self.engine.note_flag(seq, account, ts_us)
                if note.upto > self._marks[note.ordinal]:
                    self._marks[note.ordinal] = note.upto
            if batch:
                self._told.set()
                self._told = asyncio.Event()

    def _through(self) -> int | None:
        """Through which sequence every flag is known (None: one worker knows all its flags)."""
        return min(self._marks.values()) if self._marks else None

    async def _heartbeat(self) -> None:
        while True:
            await self.bus.renew(self.ordinal, self.holder)
            await self.bus.note(encode_note(Note(self.ordinal, self._marked)))
            await asyncio.sleep(self.lease_seconds / 4)

    # -- the stream --------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Join, take the lease, restore, and decide until ``stop`` is set (or the bus fails: raised).
        A stop also ends a wait for the peers: what was decided is committed, the rest is read again."""
        self._stop = stop if stop is not None else asyncio.Event()
        await self._join()
        await self._take_lease()
        self._restore()
        horizon = await self.bus.last()  # what a previous run may have decided already
        tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._heartbeat())]
        self.ready.set()
        try:
            async for batch in self.bus.read(self.position, batch=self.commit_events):
                try:
                    for record in batch:
                        await self._take(record, horizon)
                        if self._pending >= self.commit_events:
                            await self._commit()
                except _Stopped:
                    await self._commit()
                    break
                await self._commit()
                for task in tasks:
                    if task.done():
                        task.result()  # the feed or the lease failed: raise it
                if stop is not None and stop.is_set():
                    break
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _take(self, record: LogRecord, horizon: int) -> None:
        engine = self.engine
        seq = record.seq
        if record.control:
            self._control(record)
            return
        try:
            event = decode_event(record.body)
        except InvalidEvent as exc:  # the server checked it: a record no worker can read is skipped by all
            log.error("stream sequence %d is not an event (%s): skipped", seq, exc)
            self.position = seq
            return
        if record.partition not in self._own:
            if engine.observe_shared(event, seq=seq, flags_through=self._through()):
                self.progress.shared += 1
            self.position = seq
            return
        need = seq - engine.flag_lag - 1  # every flag through here must be known before deciding
        through = self._through()
        if through is not None and through < need:
            await self._commit()  # tell the peers where this worker is first: they may wait on it
            self.progress.waits += 1
            while (through := self._through()) is not None and through < need:
                if self._stop.is_set():
                    raise _Stopped  # the event stays unread: the next start reads it again
                waits = [asyncio.ensure_future(self._told.wait()), asyncio.ensure_future(self._stop.wait())]
                _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                for wait in pending:
                    wait.cancel()
        stored = engine.journal.get(event.event_id) if seq <= horizon else None
        if stored is not None:
            engine.observe_decided(event, stored, seq=seq, flags_through=through)
            decision, made = stored, False
            self.progress.observed += 1
        else:
            decision, made = engine.decide_once(event, seq=seq, flags_through=through)
            if made:
                self.progress.decided += 1
        if (made or stored is not None) and decision.outcome >= Outcome.HOLD:
            self._flags_out.append((seq, event.account_id, event.ts_us))
        if record.reply is not None:
            self._answers.append((record.reply, decision, made, event.event_id))
        self.position = seq
        self._pending += 1

    def _control(self, record: LogRecord) -> None:
        """A control record: the desk's freeze of an account, folded by the account's worker alone."""
        if record.partition in self._own:
            try:
                control = decode_control(record.body)
            except msgspec.DecodeError as exc:  # a server wrote it: one no worker can read is skipped
                log.error("stream sequence %d is not a control record (%s): skipped", record.seq, exc)
            else:
                self.engine.note_freeze(control.account_id, control.freeze, control.at_us)
                self.progress.controls += 1
        self.position = record.seq

    async def _commit(self) -> None:
        """Journal, then tell the peers, then answer (module docstring); a snapshot when one is due."""
        if self.position == self._marked and not self._answers:
            return
        self.engine.commit()
        await self.bus.note(encode_note(Note(self.ordinal, self.position, self._flags_out)))
        self._flags_out = []
        self._marked = self.position
        answers, self._answers = self._answers, []
        for reply, decision, made, event_id in answers:
            await self.bus.answer(reply, encode_decision(decision), made)
            if self.keep_answered:
                self.progress.answered.append(event_id)
        self._since_snapshot += self._pending
        self._pending = 0
        if (
            self.snapshots is not None
            and self.snapshot_events
            and self._since_snapshot >= self.snapshot_events
        ):
            self.snapshot()

    def snapshot(self) -> None:
        """Write the engine's state, the stream sequence it reflects, the feed's cursor (after a commit)."""
        if self.snapshots is None:
            return
        save(self.engine, self.snapshots, self.position, f"seq:{self.position}", self.cursor)
        self._since_snapshot = 0
        self.progress.snapshots += 1
