"""Keeps the desk in step with the journal: a catch-up at start, then every commit's decisions.

The desk's cursor (``CaseStore.cursor``) is the journal position up to which it has read (a count of
records before positions existed: never past the position, so at worst a few records are read again).
``catch_up`` reads the journal's tail after it (an index range: a long journal costs nothing to skip);
``committed`` takes the decisions of one group commit (the decider's hook), in journal order. A
decision already alerted is skipped by event id, so reading a record twice (a crash between the
journal's commit and the desk's) adds nothing twice.
"""

from __future__ import annotations

from vigil.desk.alerts import flag_of
from vigil.desk.service import Desk
from vigil.model import Decision, Event
from vigil.ports import EventStore


class Feed:
    def __init__(self, desk: Desk, journal: EventStore) -> None:
        self.desk, self.journal = desk, journal
        self.position = desk.store.cursor()

    def catch_up(self) -> int:
        """Alerts added from the journal records the desk has not read yet."""
        added = self.desk.sync(self.journal.tail(self.desk.store.cursor()))
        self.position = self.journal.position()
        return added

    def committed(self, made: list[tuple[Event, Decision]]) -> None:
        """One transaction for the alerts of one group commit (and the cursor, when any is flagged). The
        cursor moves by the records committed: where positions skip numbers it stays behind, never ahead."""
        self.position += len(made)
        if any(flag_of(e, d) is not None for e, d in made):
            self.desk.ingest_many(made, cursor=self.position)
