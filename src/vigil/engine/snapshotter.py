"""Snapshots while ``vigil serve`` runs: every N decisions or T minutes, off the decider's path, and at a
clean shutdown (docs/operations.md, "Snapshots").

The engine decides on the event loop, so its state cannot be pickled there (seconds for a large
state) nor from a thread (pickling is C code that holds the GIL throughout: the loop would stall just
the same, and the state would move under it). Instead, right after a successful group commit, when the
state is exactly the journal's, the process forks: the child holds a copy-on-write image of that state,
pickles it into a new snapshot and exits, while the parent goes on deciding. What the loop pays is the
``fork`` itself (copying the page tables: milliseconds per GB of state, measured in
docs/benchmarks.md); memory grows by the pages the parent changes while the child writes, and by the
pages the child touches (reference counts), up to a second copy of the state in the worst case.

The child only pickles and writes a file: it takes no lock another thread may have held at the fork
(no logging, no database, no imports), and leaves with ``os._exit``. It reports through a pipe; a
thread of the parent waits for it and logs the outcome. One child at a time. Where ``fork`` does not
exist, only the shutdown snapshot (and ``vigil snapshot``) write them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable
from typing import NoReturn

from vigil.engine.decide import Engine
from vigil.engine.snapshot import Saved, journal_end, save
from vigil.ports import SnapshotStore

log = logging.getLogger("vigil.engine")


class Snapshotter:
    """Decides when a snapshot is due and writes it from a forked child.

    ``uncovered`` is the number of journal records no snapshot holds yet (what start-up replayed); a
    snapshot is due when that reaches ``every_decisions`` (0: never by count), or ``every_seconds`` have
    passed since the last one with at least one record uncovered (0: never by time).
    """

    def __init__(
        self,
        engine: Engine,
        store: SnapshotStore,
        *,
        every_decisions: int,
        every_seconds: float,
        on_shutdown: bool = True,
        uncovered: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine, self.store = engine, store
        self.every_decisions, self.every_seconds = every_decisions, every_seconds
        self.on_shutdown = on_shutdown
        self.uncovered = uncovered
        self.clock = clock
        self._last = clock()
        self._child: threading.Thread | None = None
        self._not_covered = 0  # records a failed child was to cover (set by its reaper thread)
        self.forks = 0  # children started
        self.last_fork_ms: float | None = None  # what the last fork cost the event loop
        self.last_result: str | None = None  # the last child's outcome, as logged

    @property
    def writing(self) -> bool:
        return self._child is not None and self._child.is_alive()

    def due(self) -> bool:
        if self.uncovered <= 0:
            return False
        if self.every_decisions and self.uncovered >= self.every_decisions:
            return True
        return bool(self.every_seconds) and self.clock() - self._last >= self.every_seconds

    def committed(self, decided: int) -> None:
        """After each successful group commit (the decider's hook, on the event loop): counts the records
        and, when a snapshot is due and none is being written, forks the child that writes it. Never
        raises: a snapshot that cannot be started is logged, and the decisions are not affected."""
        self.uncovered += decided + self._take_back()
        if not self.due() or self.writing or not hasattr(os, "fork") or self.engine.stale:
            return
        try:
            self._fork()
        except Exception:  # a snapshot is an optimisation of the next start: never fail a commit for it
            log.exception("could not start a snapshot")

    def _take_back(self) -> int:
        """What a failed child did not cover is uncovered again (read on the loop's thread)."""
        back, self._not_covered = self._not_covered, 0
        return back

    def _fork(self) -> None:
        position, anchor = journal_end(self.engine.journal)  # the state is the journal's, just committed
        read_end, write_end = os.pipe()
        start = time.perf_counter()
        with warnings.catch_warnings():  # 3.12+ warns about fork with threads: the child only pickles
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; coverage cannot follow it
            os.close(read_end)
            self._child_writes(write_end, position, anchor)
        self.last_fork_ms = (time.perf_counter() - start) * 1000
        os.close(write_end)
        self.forks += 1
        covered, self.uncovered, self._last = self.uncovered, 0, self.clock()
        log.info(
            "snapshot started",
            extra={"fields": {"pid": pid, "position": position, "fork_ms": round(self.last_fork_ms, 2)}},
        )
        self._child = threading.Thread(
            target=self._reap, args=(pid, read_end, position, covered), name="snapshot-reaper", daemon=True
        )
        self._child.start()

    def _child_writes(self, report: int, position: int, anchor: str) -> NoReturn:  # pragma: no cover - child
        code = 1
        try:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)  # not the server's handlers: stop when told to
            with contextlib.suppress(ValueError):
                signal.set_wakeup_fd(-1)  # and never wake the parent's event loop
            saved = save(self.engine, self.store, position, anchor)
            message = {"name": saved.name, "bytes": saved.size, "seconds": round(saved.seconds, 3)}
            code = 0
        except BaseException as exc:  # noqa: BLE001 - whatever it is, the parent hears of it; the child exits
            message = {"error": f"{type(exc).__name__}: {exc}"}
        with contextlib.suppress(OSError):
            os.write(report, json.dumps(message).encode()[:60_000])
        os._exit(code)

    def _reap(self, pid: int, report: int, position: int, covered: int) -> None:
        chunks = []
        with open(report, "rb") as pipe:
            while chunk := pipe.read(65536):
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        try:
            outcome = json.loads(b"".join(chunks) or b"{}")
        except ValueError:
            outcome = {}
        if os.waitstatus_to_exitcode(status) == 0 and "name" in outcome:
            self.last_result = f"wrote {outcome['name']}"
            log.info("snapshot written", extra={"fields": {"position": position, **outcome}})
            return
        why = outcome.get("error") or f"the child ended with status {os.waitstatus_to_exitcode(status)}"
        self.last_result = f"failed: {why}"
        self._not_covered = covered
        log.error("snapshot failed: %s", why, extra={"fields": {"position": position}})

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the snapshot being written, if any."""
        if self._child is not None:
            self._child.join(timeout)

    def close(self) -> Saved | None:
        """At a clean shutdown, after the last commit: wait for a child still writing, then write a
        snapshot in this process when records are uncovered (a full replay's worth of them at least the
        next start will not pay). Returns what was written; failures are logged, not raised."""
        self.wait()
        self.uncovered += self._take_back()
        if not self.on_shutdown or self.uncovered <= 0 or self.engine.stale:
            return None
        try:
            position, anchor = journal_end(self.engine.journal)
            saved = save(self.engine, self.store, position, anchor)
        except Exception:  # the shutdown goes on: the next start replays more, that is all
            log.exception("could not write the shutdown snapshot")
            return None
        self.uncovered = 0
        log.info(
            "snapshot written at shutdown",
            extra={"fields": {"name": saved.name, "bytes": saved.size, "seconds": round(saved.seconds, 3)}},
        )
        return saved
