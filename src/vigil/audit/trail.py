"""``AuditTrail``: records what people do and read through the ``AuditLog`` port, and verifies the chain."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from vigil.audit.chain import Verification, next_record, verify
from vigil.errors import Conflict
from vigil.model.audit import AuditRecord
from vigil.ports import AuditLog


def _wall_clock_us() -> int:
    return time.time_ns() // 1000


class AuditTrail:
    """The audit log as a service: ``record`` appends the next link of the chain, ``verify`` checks it.

    The last record is read from the log once, then kept. Another writer appending to the same log in
    between makes the log refuse the record built on the stale one (``Conflict``); the trail then reads
    the last record again and retries once, so two writers interleave without breaking the chain.
    ``clock`` returns µs since the epoch (the wall clock by default); times are recorded, not checked.
    One trail serves one thread (or one event loop): the cached record is not locked.
    """

    def __init__(self, log: AuditLog, clock: Callable[[], int] | None = None) -> None:
        self._log = log
        self._clock = clock if clock is not None else _wall_clock_us
        self._last: AuditRecord | None = None
        self._loaded = False

    def record(
        self,
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, object] | None = None,
        *,
        system: bool = False,
    ) -> AuditRecord:
        """Append that ``actor`` did ``action`` on ``subject`` now, and return the record appended;
        ``system`` marks what Vigil did by itself (a lockout), whatever the actor's name.

        An empty actor, action or subject is ``ValueError``; ``detail`` that JSON cannot hold is
        ``InvalidInput``; a failed write raises the log's error and appends nothing.
        """
        if not self._loaded:
            self._last, self._loaded = self._log.last(), True
        at_us, fields = self._clock(), detail if detail is not None else {}
        record = next_record(
            self._last, at_us=at_us, actor=actor, action=action, subject=subject, detail=fields, system=system
        )
        try:
            self._log.append(record)
        except Conflict:  # another writer appended since the last record was read: build on theirs
            self._last = self._log.last()
            record = next_record(
                self._last,
                at_us=at_us,
                actor=actor,
                action=action,
                subject=subject,
                detail=fields,
                system=system,
            )
            self._log.append(record)
        self._last = record
        return record

    def forget(self) -> None:
        """Read the last record again before the next append (a transaction that held one of this
        trail's records was rolled back)."""
        self._last, self._loaded = None, False

    def verify(self, expect_head: str | None = None) -> Verification:
        """Verify the whole log, streaming, against ``expect_head`` when given (``chain.verify``)."""
        return verify(self._log.records(), expect_head=expect_head)

    def records(
        self,
        subject: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
        since_seq: int = 0,
    ) -> list[AuditRecord]:
        """The records after ``since_seq``, in seq order, of that subject and actor when given, at most
        ``limit`` of them (the first ones)."""
        return list(self._log.records(since_seq=since_seq, subject=subject, actor=actor, limit=limit))
