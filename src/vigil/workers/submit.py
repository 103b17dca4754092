"""The server's side of the workers: publish an accepted event to its partition and wait for the decision.

``vigil serve`` with ``VIGIL_BUS`` keeps no feature state: each event goes to the partition of its
account on the bus, and the answer is the decision the owning worker made (after the worker's journal
commit). An event id the bus already holds (a retry within its dedup window) is answered from the
journal. Every wait is bounded (``timeout``): ``DecisionTimeout`` then, ``BusUnavailable`` when the bus
cannot be reached, ``NotReady`` before any worker joined the stream.
"""

from __future__ import annotations

import asyncio

from vigil.codec import decode_decision, encode_event
from vigil.engine.idempotency import check_retry
from vigil.errors import DecisionTimeout, NotReady
from vigil.model import Decision, Event
from vigil.ports import DecisionStore, EventBus
from vigil.workers.partitions import owned, partition_of


class Submitter:
    def __init__(self, bus: EventBus, journal: DecisionStore, *, timeout: float) -> None:
        self.bus = bus
        self.journal = journal
        self.timeout = timeout
        self._record: dict[str, str] | None = None

    async def record(self) -> dict[str, str]:
        """The cluster's record (read once it exists)."""
        if self._record is None:
            record = await self.bus.record()
            if record is None:
                raise NotReady("no worker has joined the event stream yet: start `vigil workers N`")
            self._record = record
        return self._record

    async def partition(self, account_id: str) -> int:
        """The partition of an account in this cluster (where its events and the desk's controls go)."""
        return partition_of(account_id, int((await self.record())["partitions"]))

    async def decide(self, event: Event) -> tuple[Decision, bool]:
        """The decision and whether it was made now (False: stored before), once a worker journaled it."""
        answer = await self.bus.submit(
            await self.partition(event.account_id), event.event_id, encode_event(event), self.timeout
        )
        if answer.duplicate:
            decision = await self._stored(event.event_id)
            made = False
        else:
            decision, made = decode_decision(answer.body), answer.made
        if not made:
            check_retry(event, decision)
        return decision, made

    async def _stored(self, event_id: str) -> Decision:
        """The journaled decision of an event the bus already held (it may still be being decided)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            decision = self.journal.get(event_id)
            if decision is not None:
                return decision
            if loop.time() > deadline:
                raise DecisionTimeout(
                    f"event {event_id!r} is in the log but not decided within {self.timeout:g} s: retry"
                )
            await asyncio.sleep(0.05)

    async def unowned(self) -> list[int]:
        """The partitions whose worker holds no lease now (sorted; empty when all are owned)."""
        record = await self.record()
        workers, partitions = int(record["workers"]), int(record["partitions"])
        owners = await self.bus.owners()
        return sorted(p for o in range(workers) if o not in owners for p in owned(o, workers, partitions))
