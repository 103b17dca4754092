"""The security desk's account freezes, told to the workers through the event stream.

In one process the engine asks the desk at decision time (``Engine.restrictions``). In a cluster the desk
lives in ``vigil serve`` and the account's worker in another process, so each change of an account's
freeze is appended to the event stream as a **control record** on the account's partition: "account A's
freeze in force is F (None: none), as the desk applied it at time T". The worker that owns the partition
folds it in stream order (``Engine.note_freeze``), so every event after it in the stream is decided with
it, and a worker restarted from its snapshot (which keeps what it was told) or from the stream's start
gets it back. A record says the whole state of the account's freeze, not a step, and the later desk time
wins, so a record told twice, or a stale one from a server that started before another's change, changes
nothing.

``ControlSender`` is the server's side: ``tell`` is what the desk calls after an act changed a freeze
(synchronous, from any thread); a task on the server's event loop appends the records in order,
retrying while the bus is down. A server that stops before it could append them tells again at its
next start: it tells the state of every account the desk ever froze (``Desk.freeze_states``).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable

import msgspec

from vigil.errors import VigilError
from vigil.ports import EventBus

log = logging.getLogger("vigil.workers")

PartitionOf = Callable[[str], Awaitable[int]]  # an account's partition (it reads the cluster's record)


class FreezeControl(msgspec.Struct, frozen=True):
    """An account's freeze in force (the desk's action id; None: none), as of desk time ``at_us``."""

    account_id: str
    freeze: str | None
    at_us: int


_ENCODE = msgspec.json.Encoder().encode
_DECODE = msgspec.json.Decoder(FreezeControl).decode


def encode_control(control: FreezeControl) -> bytes:
    return _ENCODE(control)


def decode_control(body: bytes) -> FreezeControl:
    return _DECODE(body)


def control_key(control: FreezeControl) -> str:
    """The record's id on the bus: the same control appended twice within the dedup window is kept once."""
    return f"control:{control.account_id}:{control.freeze or '-'}:{control.at_us}"


class ControlSender:
    """Appends the desk's freeze changes to the stream in the order told (see the module docstring)."""

    def __init__(self, bus: EventBus, partition_of: PartitionOf, *, retry_seconds: float = 1.0) -> None:
        self.bus = bus
        self.partition_of = partition_of
        self.retry_seconds = retry_seconds
        self.sent = 0
        self.failure: str | None = None  # why the last append failed, until one succeeds (``/readyz``)
        self._queue: collections.deque[FreezeControl] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    def tell(self, account_id: str, freeze: str | None, at_us: int) -> None:
        """The desk changed ``account_id``'s freeze (thread-safe; appended by ``run``)."""
        self._queue.append(FreezeControl(account_id, freeze, at_us))
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    @property
    def pending(self) -> int:
        """Controls told and not appended yet."""
        return len(self._queue)

    async def flush(self) -> None:
        """Append every control told so far (raises what the bus raises)."""
        while self._queue:
            control = self._queue[0]
            partition = await self.partition_of(control.account_id)
            await self.bus.control(partition, control_key(control), encode_control(control))
            self._queue.popleft()
            self.sent += 1

    async def run(self) -> None:
        """Append what is told, in order, until cancelled; while the bus fails, wait and try again."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        while True:
            self._wake.clear()
            try:
                await self.flush()
            except VigilError as exc:  # the bus is down or no worker joined yet: the controls wait
                self.failure = f"{len(self._queue)} desk freeze change(s) not on the event stream yet: {exc}"
                log.warning("%s", self.failure)
                await asyncio.sleep(self.retry_seconds)
                continue
            self.failure = None
            await self._wake.wait()
