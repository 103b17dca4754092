"""Reading a journal's tail when several processes write it, without ever skipping a record.

One process writes the journal in position order, so a reader's cursor can be the last position it read.
Partitioned workers (docs/operations.md, "Workers") each write their own records to one PostgreSQL
journal: a position is taken when a worker's insert runs and becomes visible when its transaction
commits, so a reader may see position 12 while 11, taken by a slower worker, is still in flight. A cursor
moved to 12 would never read 11. A position can also stay missing for good (a batch refused and written
again one record at a time takes new positions).

``SafeTail.read`` passes every record on, each with the position the reader may keep as its cursor: the
last position before which nothing is missing, or missing for longer than ``grace_us`` (no commit takes
that long: the gap is for good). Records past a young gap are passed on too and read again at the next
call, so a reader must take a record twice as once (the desk and the recovery desk skip by event id).
The memory is one entry per position read just past a gap, forgotten once the cursor passes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Record = TypeVar("Record")

GRACE_US = 60_000_000  # longer than any commit of a worker's group (a few ms; seconds under load)


def monotonic_us() -> int:
    return time.monotonic_ns() // 1000


class SafeTail:
    def __init__(self, grace_us: int = GRACE_US, clock: Callable[[], int] = monotonic_us) -> None:
        if grace_us < 0:
            raise ValueError("grace_us must not be negative")
        self.grace_us, self.clock = grace_us, clock
        self._past_gap: dict[int, int] = {}  # a position read just past a missing one -> first seen

    def read(self, after: int, records: Iterable[tuple[int, Record]]) -> Iterator[tuple[int, Record]]:
        """``records`` (the journal's tail after ``after``, by position) with, for each, the cursor a
        reader may keep once it has taken that record and every one before it."""
        now = self.clock()
        cursor, expected, held = after, after + 1, False
        for position, record in records:
            if position < expected:
                raise ValueError(f"the journal's tail went back: position {position} after {expected - 1}")
            if position > expected:  # positions expected .. position - 1 are missing (so far)
                seen = self._past_gap.setdefault(position, now)
                held = held or now - seen < self.grace_us
            if not held:
                cursor = position
            expected = position + 1
            yield cursor, record
        self._past_gap = {p: t for p, t in self._past_gap.items() if p > cursor}

    @property
    def gaps(self) -> int:
        """Gaps seen and not yet passed (for a readiness or metrics line)."""
        return len(self._past_gap)
