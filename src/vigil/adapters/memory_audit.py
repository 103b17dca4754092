"""In-memory audit log: the reference implementation of the ``AuditLog`` contract.

``check_append`` and ``check_limit`` are the checks every backend makes.
"""

from __future__ import annotations

from collections.abc import Iterator

from vigil.errors import Conflict, InvalidInput
from vigil.model.audit import GENESIS, AuditRecord


def check_append(last_seq: int, last_hash: str, record: AuditRecord) -> None:
    """Refuse (``Conflict``) a record that does not extend a log ending on ``last_seq``/``last_hash``
    (0 and ``GENESIS`` for an empty log): its seq must be the next, its prev_hash the last hash."""
    if record.seq != last_seq + 1:
        raise Conflict(
            f"audit record {record.seq} cannot be appended: the log ends at record {last_seq},"
            f" so the next is {last_seq + 1}"
        )
    if record.prev_hash != last_hash:
        last = "the genesis hash" if last_seq == 0 else f"record {last_seq}'s hash"
        raise Conflict(f"audit record {record.seq} cannot be appended: its prev_hash is not {last}")


def check_limit(limit: int | None) -> None:
    """Refuse a negative limit (``InvalidInput``): 0 means no record, None every record."""
    if limit is not None and limit < 0:
        raise InvalidInput(f"a limit is 0 or more, not {limit}", field="limit")


class MemoryAuditLog:
    """Keeps the records in a list, in seq order (record ``n`` at index ``n - 1``)."""

    def __init__(self) -> None:
        self._records: list[AuditRecord] = []

    def append(self, record: AuditRecord) -> None:
        last = self._records[-1] if self._records else None
        check_append(0 if last is None else last.seq, GENESIS if last is None else last.hash, record)
        self._records.append(record)

    def last(self) -> AuditRecord | None:
        return self._records[-1] if self._records else None

    def records(
        self,
        since_seq: int = 0,
        subject: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[AuditRecord]:
        check_limit(limit)
        return self._scan(max(since_seq, 0), subject, actor, limit)

    def _scan(
        self, start: int, subject: str | None, actor: str | None, limit: int | None
    ) -> Iterator[AuditRecord]:
        # By index: a reader stays valid while records are appended (the list only grows).
        index, found = start, 0
        while (limit is None or found < limit) and index < len(self._records):
            record = self._records[index]
            index += 1
            if (subject is None or record.subject == subject) and (actor is None or record.actor == actor):
                found += 1
                yield record

    def count(self) -> int:
        return len(self._records)

    def close(self) -> None:
        """Nothing to release."""
