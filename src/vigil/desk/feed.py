"""Keeps the desk in step with the journal: a catch-up at start, then every commit's decisions.

The desk's cursor (``CaseStore.cursor``) is the journal position up to which it has read (a count of
records before positions existed: never past the position, so at worst a few records are read again).
``catch_up`` reads the journal's tail after it (an index range: a long journal costs nothing to skip;
with several writers, never past a position still missing: ``vigil.tail``);
``committed`` takes the decisions of one group commit (the decider's hook), in journal order. A
decision already alerted is skipped by event id, so reading a record twice (a crash between the
journal's commit and the desk's) adds nothing twice.
"""

from __future__ import annotations

from vigil.desk.alerts import flag_of
from vigil.desk.service import Desk
from vigil.model import Decision, Event
from vigil.ports import EventStore
from vigil.tail import SafeTail


class Feed:
    def __init__(self, desk: Desk, journal: EventStore, tail: SafeTail | None = None) -> None:
        self.desk, self.journal = desk, journal
        self.position = desk.store.cursor()
        self.tail = tail if tail is not None else SafeTail()

    def catch_up(self) -> int:
        """Alerts added from the journal records the desk has not read yet. The stored cursor never
        passes a position a slower writer may still fill (``vigil.tail``): with partitioned workers the
        server calls this every ``VIGIL_DESK_FOLLOW_SECONDS``, and nothing a worker decided is skipped."""
        after = self.desk.store.cursor()
        records = ((p, (e, d)) for p, e, d in self.journal.tail(after))
        added = self.desk.sync((cursor, e, d) for cursor, (e, d) in self.tail.read(after, records))
        self.position = self.journal.position()
        return added

    def committed(self, made: list[tuple[Event, Decision]]) -> None:
        """One transaction for the alerts of one group commit (and the cursor, when any is flagged). The
        cursor moves by the records committed: where positions skip numbers it stays behind, never ahead."""
        self.position += len(made)
        if any(flag_of(e, d) is not None for e, d in made):
            self.desk.ingest_many(made, cursor=self.position)
