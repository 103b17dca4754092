"""Clearing a sanctions name match, with four eyes: one person asks, another approves.

A clearance says "this customer is not that list entry" while the entry is unchanged (its digest).
Sanctions compliance expects a second person to agree before a match stops being screened, so a
request alone changes nothing: only an approved clearance is in force (``ScreeningStore.is_cleared``).
Both steps are made by people signed in, never with an API key; the approver is not the requester.
Each step is appended (a request, then the approved clearance) in one transaction with its audit
record (``screening.clearance_requested``, ``screening.clearance_approved``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime

from vigil.audit import AuditTrail
from vigil.errors import Conflict, Forbidden, InvalidInput, NotFound
from vigil.ports import Atomic, ScreeningStore
from vigil.screening.entries import NameEntry
from vigil.screening.records import Clearance


class Clearances:
    def __init__(
        self,
        store: ScreeningStore,
        audit: AuditTrail,
        *,
        atomic: Atomic | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.audit, self.clock = store, audit, clock
        self._atomic = atomic.atomic if atomic is not None else nullcontext

    @contextmanager
    def _together(self) -> Iterator[None]:
        try:
            with self._atomic():
                yield
        except BaseException:
            self.audit.forget()  # a record it appended may have been rolled back
            raise

    def request(self, customer_id: str, entry: NameEntry, reason: str, by: str, *, by_key: bool) -> Clearance:
        """Ask that ``customer_id`` be cleared of ``entry`` (not in force until another person approves)."""
        _person(by_key, "clear a sanctions match")
        try:
            asked = Clearance(customer_id, entry.entry_id, entry.digest(), by, reason.strip(), self.clock())
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        mine = self._latest(customer_id, entry)
        if mine is not None and mine.approved:
            raise Conflict(f"customer {customer_id!r} is already cleared of {entry.entry_id!r}")
        if mine is not None:
            raise Conflict(
                f"{mine.cleared_by} already asked to clear customer {customer_id!r} of {entry.entry_id!r}:"
                " it waits for a second person's approval"
            )
        with self._together():
            self.store.clear(asked)
            self.audit.record(by, "screening.clearance_requested", f"customer:{customer_id}", _detail(asked))
        return asked

    def approve(self, customer_id: str, entry: NameEntry, by: str, *, by_key: bool) -> Clearance:
        """Agree with another person's request: the clearance is in force from now on."""
        _person(by_key, "approve a clearance")
        asked = self._latest(customer_id, entry)
        if asked is None:
            raise NotFound(f"nobody asked to clear customer {customer_id!r} of {entry.entry_id!r}")
        if asked.approved:
            raise Conflict(f"the clearance of {customer_id!r} of {entry.entry_id!r} is already approved")
        if asked.cleared_by == by:
            raise Forbidden("you asked for this clearance: another person must approve it")
        approved = replace(asked, approved_by=by, approved_at=self.clock())
        with self._together():
            self.store.clear(approved)
            detail = _detail(approved) | {"requested_by": asked.cleared_by}
            self.audit.record(by, "screening.clearance_approved", f"customer:{customer_id}", detail)
        return approved

    def pending(self) -> list[Clearance]:
        """Requests waiting for a second person, oldest first (of entries as they were asked about)."""
        latest: dict[tuple[str, str, str], Clearance] = {}
        for c in self.store.clearances():
            latest[(c.customer_id, c.entry_id, c.entry_digest)] = c
        return [c for c in latest.values() if not c.approved]

    def _latest(self, customer_id: str, entry: NameEntry) -> Clearance | None:
        digest = entry.digest()
        found = [
            c
            for c in self.store.clearances(customer_id)
            if c.entry_id == entry.entry_id and c.entry_digest == digest
        ]
        return found[-1] if found else None


def _person(by_key: bool, what: str) -> None:
    if by_key:
        raise Forbidden(f"only a person signed in may {what}, not an API key")


def _detail(c: Clearance) -> dict[str, object]:
    return {"entry_id": c.entry_id, "entry_digest": c.entry_digest, "reason": c.reason}
