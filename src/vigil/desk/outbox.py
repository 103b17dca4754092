"""Notices leave through an outbox: a bounded queue, a worker thread, retries with backoff.

A webhook or a mail server may take seconds to answer (each wait is bounded by the adapter's timeout,
but several in a row add up); the desk's SLA check and the approval requests run on the event loop
that decides events, so they must not wait for them. ``submit`` only queues the notice; a worker thread
sends it through the ``Notifier`` port, trying up to ``tries`` times with a backoff that doubles from
``backoff_seconds``, and leaves the outcome (delivered, or failed after n tries with the last error)
for ``done()``, which the desk drains on its next tick and records in the case history. Nothing but the
worker touches the notifier; nothing but the caller's thread touches the desk.

The queue holds at most ``capacity`` notices: past that, ``submit`` refuses at once and the refusal is
the outcome (recorded like a failure), so a dead mail server cannot grow memory without bound. Without
``start()`` (the CLI, tests) ``submit`` delivers in the caller's thread, with the same retries.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from vigil.errors import NotifyError
from vigil.model.cases import CaseData
from vigil.model.notify import Notice
from vigil.ports import Notifier

log = logging.getLogger("vigil.desk")


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of a notice: delivered (``error`` None) or failed after ``tries`` attempts."""

    notice: Notice
    tries: int
    error: str | None

    def data(self) -> CaseData:
        """What the case history records of it (a ``notified`` entry)."""
        return {"kind": self.notice.kind, "error": self.error, "tries": self.tries}


class Outbox:
    def __init__(
        self,
        notifier: Notifier,
        *,
        capacity: int = 1000,
        tries: int = 1,
        backoff_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if capacity < 1 or tries < 1 or backoff_seconds < 0:
            raise ValueError("an outbox needs a capacity and tries of at least 1 and a backoff of 0 or more")
        self.notifier, self.tries, self.backoff_seconds, self._sleep = notifier, tries, backoff_seconds, sleep
        self._queue: queue.Queue[Notice | None] = queue.Queue(capacity)
        self._done: queue.SimpleQueue[Delivery] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        """Deliver in a background thread from now on (idempotent)."""
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name="vigil-outbox", daemon=True)
            self._worker.start()

    def submit(self, notice: Notice) -> None:
        """Queue a notice (or, without a worker, deliver it now); its outcome comes out of ``done``."""
        if self._worker is None:
            self._done.put(self._deliver(notice))
            return
        try:
            self._queue.put_nowait(notice)
        except queue.Full:
            error = f"not sent: the outbox is full ({self._queue.maxsize} notices wait for a channel)"
            log.error("notice %s for %s dropped: %s", notice.kind, notice.case_id, error)
            self._done.put(Delivery(notice, 0, error))

    def done(self) -> list[Delivery]:
        """The outcomes settled since the last call, in the order they settled."""
        settled = []
        while True:
            try:
                settled.append(self._done.get_nowait())
            except queue.Empty:
                return settled

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker after what is queued (waiting at most ``timeout`` seconds)."""
        if self._worker is None:
            return
        self._stopping.set()
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:  # the worker is stuck on a channel: it is a daemon thread, let it go
            log.warning("the outbox did not stop: %d notices not sent", self._queue.qsize())
        self._worker.join(timeout)
        self._worker = None

    def _work(self) -> None:
        while True:
            notice = self._queue.get()
            if notice is None:
                return
            try:
                delivery = self._deliver(notice)
            except Exception as exc:  # an adapter's bug, not a channel failure: recorded, the worker lives on
                log.exception("notifier %r failed unexpectedly", self.notifier)
                delivery = Delivery(
                    notice, 1, f"the channel failed unexpectedly: {type(exc).__name__}: {exc}"
                )
            self._done.put(delivery)

    def _deliver(self, notice: Notice) -> Delivery:
        error = ""
        for attempt in range(1, self.tries + 1):
            try:
                self.notifier.send(notice)
            except NotifyError as exc:  # the port's only failure: retried, then recorded
                error = str(exc)
            else:
                return Delivery(notice, attempt, None)
            if attempt < self.tries and not self._stopping.is_set():
                self._sleep(self.backoff_seconds * 2 ** (attempt - 1))
        return Delivery(notice, self.tries, f"failed after {self.tries} tries: {error}")
