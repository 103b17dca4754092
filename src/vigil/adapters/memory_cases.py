"""In-memory case store: the reference implementation of the ``CaseStore`` contract.

``check_next`` is the check every backend makes before it appends: each entry continues its case.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from vigil.errors import Conflict
from vigil.model.cases import CaseEvent


def check_next(events: Sequence[CaseEvent], last: dict[str, int]) -> None:
    """Refuse (``Conflict``) a batch in which an entry is not the next of its case. ``last`` maps a case
    id to its last stored seq (absent: a new case); it is not changed."""
    seen = dict.fromkeys({e.case_id for e in events}, 0)
    for case_id in seen:
        seen[case_id] = last.get(case_id, 0)
    for e in events:
        if e.seq != seen[e.case_id] + 1:
            raise Conflict(
                f"case {e.case_id} is at entry {seen[e.case_id]}, not {e.seq - 1}: it changed meanwhile"
            )
        seen[e.case_id] = e.seq


class MemoryCaseStore:
    def __init__(self) -> None:
        self._histories: dict[str, list[CaseEvent]] = {}
        self._cursor = 0

    def append(self, events: Sequence[CaseEvent], cursor: int | None = None) -> None:
        check_next(
            events, {k: len(v) for k, v in self._histories.items() if k in {e.case_id for e in events}}
        )
        for e in events:
            self._histories.setdefault(e.case_id, []).append(e)
        if cursor is not None:
            self._cursor = cursor

    def history(self, case_id: str) -> list[CaseEvent]:
        return list(self._histories.get(case_id, ()))

    def all_events(self) -> Iterator[CaseEvent]:
        return iter([e for h in list(self._histories.values()) for e in h])

    def cases(self) -> int:
        return len(self._histories)

    def cursor(self) -> int:
        return self._cursor

    def set_cursor(self, cursor: int) -> None:
        self._cursor = cursor

    def close(self) -> None:
        """Nothing to release."""
