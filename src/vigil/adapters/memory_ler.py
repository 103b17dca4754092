"""In-memory store of requests from authorities: the reference implementation of the ``LerStore``
contract. ``check_next`` and ``check_attachment`` are the checks every backend makes before it writes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from vigil.errors import Conflict, InvalidInput
from vigil.model.ler import LerEvent


def check_next(events: Sequence[LerEvent], last: dict[str, int]) -> None:
    """Refuse (``Conflict``) a batch in which an entry is not the next of its request. ``last`` maps a
    request id to its last stored seq (absent: a new request)."""
    seen = {e.request_id: last.get(e.request_id, 0) for e in events}
    for e in events:
        if e.seq != seen[e.request_id] + 1:
            raise Conflict(
                f"request {e.request_id} is at entry {seen[e.request_id]}, not {e.seq - 1}:"
                " it changed meanwhile"
            )
        seen[e.request_id] = e.seq


def check_attachment(sha256: str, content: bytes) -> None:
    if hashlib.sha256(content).hexdigest() != sha256:
        raise InvalidInput("the attachment's SHA-256 does not match its content", field="sha256")


class MemoryLerStore:
    def __init__(self) -> None:
        self._histories: dict[str, list[LerEvent]] = {}
        self._files: dict[str, bytes] = {}

    def append(self, events: Sequence[LerEvent]) -> None:
        ids = {e.request_id for e in events}
        check_next(events, {k: len(v) for k, v in self._histories.items() if k in ids})
        for e in events:
            self._histories.setdefault(e.request_id, []).append(e)

    def history(self, request_id: str) -> list[LerEvent]:
        return list(self._histories.get(request_id, ()))

    def all_events(self) -> Iterator[LerEvent]:
        return iter([e for h in list(self._histories.values()) for e in h])

    def requests(self) -> int:
        return len(self._histories)

    def put_attachment(self, sha256: str, content: bytes) -> None:
        check_attachment(sha256, content)
        self._files.setdefault(sha256, bytes(content))

    def attachment(self, sha256: str) -> bytes | None:
        return self._files.get(sha256)

    def close(self) -> None:
        """Nothing to release."""
