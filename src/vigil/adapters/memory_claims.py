"""In-memory claim store: the reference implementation of the ``ClaimStore`` contract.

``check_next`` is the check every backend makes before it appends: each entry continues its claim.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from vigil.errors import Conflict
from vigil.model.claims import ClaimEvent, UncreditedDeposit


def check_next(events: Sequence[ClaimEvent], last: dict[str, int]) -> None:
    """Refuse (``Conflict``) a batch in which an entry is not the next of its claim. ``last`` maps a claim
    id to its last stored seq (absent: a new claim); it is not changed."""
    seen = {e.claim_id: last.get(e.claim_id, 0) for e in events}
    for e in events:
        if e.seq != seen[e.claim_id] + 1:
            raise Conflict(
                f"claim {e.claim_id} is at entry {seen[e.claim_id]}, not {e.seq - 1}: it changed meanwhile"
            )
        seen[e.claim_id] = e.seq


class MemoryClaimStore:
    def __init__(self) -> None:
        self._deposits: dict[str, UncreditedDeposit] = {}
        self._by_tx: dict[str, list[str]] = {}
        self._uncredited: list[str] = []
        self._histories: dict[str, list[ClaimEvent]] = {}
        self._cursor = 0

    def add_deposits(self, deposits: Sequence[UncreditedDeposit], cursor: int | None = None) -> int:
        added = 0
        for d in deposits:
            if d.event_id in self._deposits:
                continue
            self._deposits[d.event_id] = d
            self._by_tx.setdefault(d.tx_hash, []).append(d.event_id)
            if d.reason is not None:
                self._uncredited.append(d.event_id)
            added += 1
        if cursor is not None:
            self._cursor = cursor
        return added

    def deposits(self, tx_hash: str) -> list[UncreditedDeposit]:
        return [self._deposits[e] for e in self._by_tx.get(tx_hash, ())]

    def uncredited(self, limit: int = 100, offset: int = 0) -> list[UncreditedDeposit]:
        return [self._deposits[e] for e in self._uncredited[offset : offset + limit]]

    def cursor(self) -> int:
        return self._cursor

    def append(self, events: Sequence[ClaimEvent]) -> None:
        check_next(events, {e.claim_id: len(self._histories.get(e.claim_id, ())) for e in events})
        for e in events:
            self._histories.setdefault(e.claim_id, []).append(e)

    def history(self, claim_id: str) -> list[ClaimEvent]:
        return list(self._histories.get(claim_id, ()))

    def all_events(self) -> Iterator[ClaimEvent]:
        return iter([e for h in list(self._histories.values()) for e in h])

    def claims(self) -> int:
        return len(self._histories)

    def close(self) -> None:
        """Nothing to release."""
