"""Assembling a ``Dataset`` from blocks of decoded rows, and checking that the three files agree.

Checks, each an ``InvalidRecord`` naming the file and the line: no event id twice, no decision or
label for an event the events file lacks, no second decision or label for an event, the same
account on the event and on its decision or label, a finite non-negative illicit value, a delay
that ends after its event, and (at the end) no empty file and a decision for every labelled event
of the judged window (``window.py``: events outside it, with their decisions and labels, are left
out, not checked against each other).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from itertools import compress, repeat
from operator import attrgetter, is_not
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidRecord
from vigil.evaluation.codes import EventIndex, HashedNames, hashes
from vigil.evaluation.dataset import NO_DECISION, NO_DELAY, Dataset, Judged, Outside
from vigil.evaluation.jsonl import Block, Lines, Numbered
from vigil.evaluation.records import OUTCOME_CODES, DecisionRecord, EventRecord, LabelRecord
from vigil.evaluation.window import Window, cut, instant

T = TypeVar("T")

_EVENT_ID = attrgetter("event_id")
_ACCOUNT = attrgetter("account_id")
_REGION = attrgetter("region")
_TYPE = attrgetter("type")
_TS = attrgetter("ts")
_OUTCOME = attrgetter("outcome")
_SCORE = attrgetter("score")
_TYPOLOGY = attrgetter("typology")
_RING = attrgetter("ring_id")
_VALUE = attrgetter("illicit_value")
_EXIT = attrgetter("exit")
_DELAY = attrgetter("delay_until")


class _Codes(dict[str, int]):
    """Names to dense codes in order of first sight, for small vocabularies (regions, typologies, rings)."""

    def __missing__(self, key: str) -> int:
        code = self[key] = len(self)
        return code


class DatasetBuilder:
    """Every events block first, then decisions and labels blocks in any order, then ``finish``.

    The file names serve the error messages; ``window`` says which events are judged.
    """

    def __init__(self, *, events: str, decisions: str, labels: str, window: Window | None = None) -> None:
        self.files = {"events": events, "decisions": decisions, "labels": labels}
        self.window = Window() if window is None else window
        self.decisions = 0
        self._index = EventIndex()
        self._event_lines: Lines = Numbered()
        self._accounts = HashedNames()
        self._regions = _Codes()
        self._account_parts: list[npt.NDArray[np.int32]] = []
        self._ts_parts: list[npt.NDArray[np.int64]] = []
        self._region_parts: list[npt.NDArray[np.int32]] = []
        self._withdrawal_parts: list[npt.NDArray[np.bool_]] = []
        self._account = np.empty(0, np.int32)
        self._account_hash = np.empty(0, np.int64)
        self._outcome: npt.NDArray[np.int8] | None = None
        self._score = np.empty(0, np.float64)
        self._ts = np.empty(0, np.int64)
        self._delay_until = np.empty(0, np.int64)
        self._next_row = 0
        self._labelled = np.empty(0, np.bool_)
        self._typologies = _Codes()
        self._rings = _Codes()
        self._label_event: list[int] = []
        self._label_typology: list[int] = []
        self._label_ring: list[int] = []
        self._label_value: list[Decimal] = []
        self._label_exit: list[bool] = []

    def add_events(self, block: Block[EventRecord]) -> None:
        if self._outcome is not None:
            raise RuntimeError("every events block comes before decisions and labels")
        if not self._index:
            self._event_lines = block.lines
        records, k = block.records, len(block.records)
        self._index.extend(list(map(_EVENT_ID, records)))
        self._account_parts.append(self._accounts.encode(list(map(_ACCOUNT, records))))
        self._region_parts.append(
            np.fromiter(map(self._regions.__getitem__, map(_REGION, records)), np.int32, k)
        )
        self._withdrawal_parts.append(np.fromiter(map("withdrawal".__eq__, map(_TYPE, records)), np.bool_, k))
        # Float seconds hold microseconds exactly for 285 years either side of 1970; rint recovers them.
        seconds = np.fromiter(map(datetime.timestamp, map(_TS, records)), np.float64, k)
        self._ts_parts.append(np.rint(seconds * 1e6).astype(np.int64))

    def close_events(self) -> npt.NDArray[np.int8]:
        """End the events: index them, raise if there were none or an id repeats; the outcome column."""
        if self._outcome is None:
            if not self._index:
                raise InvalidRecord("no events in the file", file=self.files["events"])
            duplicate = self._index.freeze()
            if duplicate is not None:
                first, again = duplicate
                lines = self._event_lines
                message = (
                    f"duplicate event_id {self._index.ids[again]!r} (first on line {lines.line_of(first)})"
                )
                raise InvalidRecord(
                    message, file=self.files["events"], line=lines.line_of(again), field="event_id"
                )
            n = len(self._index)
            self._account = np.concatenate(self._account_parts)
            self._account_parts.clear()
            self._account_hash = self._accounts.hashes()
            self._outcome = np.full(n, NO_DECISION, np.int8)
            self._score = np.full(n, np.nan, np.float64)
            self._ts = np.concatenate(self._ts_parts)
            self._ts_parts.clear()
            self._delay_until = np.full(n, NO_DELAY, np.int64)
            self._labelled = np.zeros(n, np.bool_)
        return self._outcome

    def add_decisions(self, block: Block[DecisionRecord]) -> None:
        outcome = self.close_events()
        records, k = block.records, len(block.records)
        rows = self._decision_rows(block)
        if (outcome[rows] != NO_DECISION).any() or np.unique(rows).size != k:
            i = _first_repeat(rows.tolist(), outcome != NO_DECISION)
            raise block.error(i, f"duplicate decision for event {records[i].event_id!r}", field="event_id")
        # Equal names have equal hashes; comparing hashes spares a string comparison per decision.
        wrong = np.flatnonzero(
            hashes(list(map(_ACCOUNT, records))) != self._account_hash[self._account[rows]]
        )
        if wrong.size:
            i = int(wrong[0])
            raise block.error(
                i, self._other_account("decision", records[i], int(rows[i])), field="account_id"
            )
        outcome[rows] = np.fromiter(map(OUTCOME_CODES.__getitem__, map(_OUTCOME, records)), np.int8, k)
        self._score[rows] = np.fromiter(map(_SCORE, records), np.float64, k)
        self._add_delays(block, rows)
        self.decisions += k
        if k:
            self._next_row = int(rows[-1]) + 1

    def _add_delays(self, block: Block[DecisionRecord], rows: npt.NDArray[np.int64]) -> None:
        """Record when each delay ends; one must end after its event (a delay back in time is a bug)."""
        delays = list(map(_DELAY, block.records))
        delayed = list(compress(range(len(delays)), map(is_not, delays, repeat(None))))
        if not delayed:
            return
        until = np.fromiter(
            map(datetime.timestamp, map(delays.__getitem__, delayed)), np.float64, len(delayed)
        )
        until_us = np.rint(until * 1e6).astype(np.int64)
        at = rows[delayed]
        wrong = np.flatnonzero(until_us <= self._ts[at])
        if wrong.size:
            i, row = delayed[int(wrong[0])], int(at[wrong[0]])
            message = (
                f"delay_until {delays[i]} is not after its event's ts {instant(int(self._ts[row]))} "
                f"(event {block.records[i].event_id!r}): a delay ends after the event it delays"
            )
            raise block.error(i, message, field="delay_until")
        self._delay_until[at] = until_us

    def _decision_rows(self, block: Block[DecisionRecord]) -> npt.NDArray[np.int64]:
        """The event rows of a block of decisions.

        When the decisions follow the events' order (as ``vigil replay`` writes them), one list
        comparison finds them, several times faster than looking each id up.
        """
        event_ids, start, k = list(map(_EVENT_ID, block.records)), self._next_row, len(block.records)
        if event_ids == self._index.ids[start : start + k]:
            return np.arange(start, start + k, dtype=np.int64)
        rows = self._index.rows(event_ids)
        unknown = np.flatnonzero(rows < 0)
        if unknown.size:
            i = int(unknown[0])
            message = f"decision for event {event_ids[i]!r}, which is not in the events file"
            raise block.error(i, message, field="event_id")
        return rows

    def add_labels(self, block: Block[LabelRecord]) -> None:
        self.close_events()
        records, k = block.records, len(block.records)
        event_ids = list(map(_EVENT_ID, records))
        rows = self._index.rows(event_ids)
        unknown = np.flatnonzero(rows < 0)
        if unknown.size:
            i = int(unknown[0])
            message = f"label for event {event_ids[i]!r}, which is not in the events file"
            raise block.error(i, message, field="event_id")
        if self._labelled[rows].any() or np.unique(rows).size != k:
            i = _first_repeat(rows.tolist(), self._labelled)
            raise block.error(i, f"duplicate label for event {event_ids[i]!r}", field="event_id")
        wrong = np.flatnonzero(
            hashes(list(map(_ACCOUNT, records))) != self._account_hash[self._account[rows]]
        )
        if wrong.size:
            i = int(wrong[0])
            raise block.error(i, self._other_account("label", records[i], int(rows[i])), field="account_id")
        values = list(map(_VALUE, records))
        for i, value in enumerate(values):
            if not value.is_finite() or value < 0:
                message = f"illicit_value must be a finite amount >= 0, not {value}"
                raise block.error(i, message, field="illicit_value")
        self._labelled[rows] = True
        self._label_event.extend(rows.tolist())
        self._label_typology.extend(map(self._typologies.__getitem__, map(_TYPOLOGY, records)))
        self._label_ring.extend(map(self._rings.__getitem__, map(_RING, records)))
        self._label_value.extend(values)
        self._label_exit.extend(map(_EXIT, records))

    def _other_account(self, what: str, record: DecisionRecord | LabelRecord, row: int) -> str:
        account = self._accounts.names[int(self._account[row])]
        return (
            f"{what} for event {record.event_id!r} names account {record.account_id!r}, the event {account!r}"
        )

    def finish(self) -> Dataset:
        """The dataset; raises ``InvalidRecord`` if a file is empty or a labelled event has no decision."""
        outcome = self.close_events()
        if not self.decisions:
            raise InvalidRecord("no decisions in the file", file=self.files["decisions"])
        if not self._label_event:
            message = "no labels in the file: without ground truth there is nothing to evaluate"
            raise InvalidRecord(message, file=self.files["labels"])
        label_event = np.array(self._label_event, np.int64)
        everything = Dataset(
            accounts=tuple(self._accounts.names),
            regions=tuple(self._regions),
            account=self._account,
            ts_us=self._ts,
            region=np.concatenate(self._region_parts),
            withdrawal=np.concatenate(self._withdrawal_parts),
            outcome=outcome,
            score=self._score,
            delay_until_us=self._delay_until,
            typologies=tuple(self._typologies),
            rings=tuple(self._rings),
            label_event=label_event,
            label_typology=np.array(self._label_typology, np.int32),
            label_ring=np.array(self._label_ring, np.int32),
            label_value=tuple(self._label_value),
            label_exit=np.array(self._label_exit, np.bool_),
            judged=Judged(0, None, False, Outside(0, None, None), Outside(0, None, None)),
        )
        data, rows = cut(everything, self.window)
        if not data.n_labels:
            since, until = data.judged.since_us, data.judged.until_us
            end = "" if until is None else f" to {instant(until).isoformat()}"
            message = (
                f"none of the {everything.n_labels:,} labelled events is in the window from "
                f"{instant(since).isoformat()}{end}: without ground truth there is nothing to evaluate"
            )
            raise InvalidRecord(message, file=self.files["labels"])
        undecided = rows[data.label_event[data.outcome[data.label_event] == NO_DECISION]]
        if undecided.size:
            listed = ", ".join(repr(self._index.ids[row]) for row in undecided[:5].tolist())
            message = (
                f"{undecided.size} labelled events have no decision in {self.files['decisions']} "
                f"(first: {listed}); decide every event of the run, e.g. with `vigil replay`"
            )
            raise InvalidRecord(message, file=self.files["labels"])
        return data


def _first_repeat(rows: list[int], taken: npt.NDArray[np.bool_]) -> int:
    """The index of the first row already ``taken`` by an earlier block, or repeated in ``rows``."""
    seen: set[int] = set()
    for i, row in enumerate(rows):
        if taken[row] or row in seen:
            return i
        seen.add(row)
    raise AssertionError("no repeated row")


def from_records(
    events: Sequence[EventRecord],
    decisions: Sequence[DecisionRecord],
    labels: Sequence[LabelRecord],
    *,
    window: Window | None = None,
) -> Dataset:
    """A dataset from rows in memory (tests, notebooks); errors name ``<events>`` (etc.) and the row."""
    builder = DatasetBuilder(events="<events>", decisions="<decisions>", labels="<labels>", window=window)
    if events:
        builder.add_events(_block("<events>", events))
    builder.close_events()
    if decisions:
        builder.add_decisions(_block("<decisions>", decisions))
    if labels:
        builder.add_labels(_block("<labels>", labels))
    return builder.finish()


def _block(name: str, records: Sequence[T]) -> Block[T]:
    return Block(name, list(records), 0, Numbered())
