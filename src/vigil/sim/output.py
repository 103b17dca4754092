"""The simulator's output: events in time order, with labels on the side, streamed to files.

Events are produced slightly out of order (a session's later steps, a crime's next move), so
they wait in a heap until the simulation clock passes them; only then do they get their
``event_id`` (sequential in file order) and their timestamp string. Memory is bounded by the
events of the sessions and episodes still open, never by the number written.

Labels travel in their own file, one row per illicit event, and never inside an event.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import IO, Any, NamedTuple

import msgspec

Event = dict[str, Any]


class Label(NamedTuple):
    typology: str
    ring_id: str
    role: str
    value_cents: int  # illicit fiat value carried by the event, in cents of the reporting currency
    exit: bool  # the event moves illicit value out of the exchange
    variant: str | None = None  # generator 2: how the operation hides (a "variant" key in the row)


def cents_str(cents: int) -> str:
    """Integer cents as a decimal string: 123456 -> '1234.56'."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


class Timestamps:
    """Microseconds since the epoch -> RFC 3339 UTC strings, the date and minute cached."""

    def __init__(self) -> None:
        self._day = -1
        self._date = ""
        self._minute = -1
        self._prefix = ""

    def __call__(self, ts_us: int) -> str:
        minute, rem = divmod(ts_us, 60_000_000)
        if minute != self._minute:  # events arrive in time order: most share the minute before
            self._minute = minute
            day, in_day = divmod(minute, 1440)
            if day != self._day:
                self._day = day
                self._date = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)).strftime("%Y-%m-%dT")
            hours, minutes = divmod(in_day, 60)
            self._prefix = f"{self._date}{hours:02d}:{minutes:02d}:"
        secs, micro = divmod(rem, 1_000_000)
        return f"{self._prefix}{secs:02d}.{micro:06d}Z"


BatchSink = Callable[[list[Event], list[dict[str, Any]]], None]


class Output:
    """Orders events by time, numbers them, and hands batches of events and labels to ``sink``."""

    def __init__(self, sink: BatchSink, *, batch: int = 20_000) -> None:
        self._sink = sink
        self._batch_size = batch
        self._pending: list[tuple[int, int, Event, Label | None]] = []
        self._seq = 0
        self._events: list[Event] = []
        self._labels: list[dict[str, Any]] = []
        self._ts = Timestamps()
        self.written = 0
        self.labelled = 0
        self.last_us = -1
        self.peak_pending = 0  # the most events ever waiting: bounded by open sessions, not by the run

    def timestamp(self, ts_us: int) -> str:
        return self._ts(ts_us)

    def push(self, ts_us: int, event: Event, label: Label | None = None) -> None:
        pending = self._pending
        heapq.heappush(pending, (ts_us, self._seq, event, label))
        self._seq += 1
        if len(pending) > self.peak_pending:
            self.peak_pending = len(pending)

    def flush(self, until_us: int) -> None:
        """Write every pending event strictly before ``until_us``."""
        pending = self._pending
        if not pending or pending[0][0] >= until_us:
            return
        events, labels, fmt = self._events, self._labels, self._ts
        pop = heapq.heappop
        n = self.written
        ts_us = self.last_us
        while pending and pending[0][0] < until_us:
            ts_us, _, event, label = pop(pending)
            n += 1
            event_id = f"e{n:010d}"
            event["event_id"] = event_id
            event["ts"] = fmt(ts_us)
            events.append(event)
            if label is not None:
                row = {
                    "event_id": event_id,
                    "account_id": event["account_id"],
                    "typology": label.typology,
                    "ring_id": label.ring_id,
                    "role": label.role,
                    "illicit_value": cents_str(label.value_cents),
                    "exit": label.exit,
                }
                if label.variant is not None:
                    row["variant"] = label.variant
                labels.append(row)
            if len(events) >= self._batch_size:
                self.written = n
                self._emit()
                events, labels = self._events, self._labels
        self.written = n
        self.last_us = ts_us

    def close(self) -> None:
        self.flush(1 << 62)
        self._emit()

    def _emit(self) -> None:
        if self._events or self._labels:
            self.labelled += len(self._labels)
            self._sink(self._events, self._labels)
            self._events = []
            self._labels = []


class JsonLinesSink:
    """Writes events and labels as JSON lines (msgspec: byte-stable for the same input)."""

    def __init__(self, events: IO[bytes], labels: IO[bytes]) -> None:
        self._events = events
        self._labels = labels
        self._encoder = msgspec.json.Encoder()

    def __call__(self, events: list[Event], labels: list[dict[str, Any]]) -> None:
        if events:
            self._events.write(self._encoder.encode_lines(events))
        if labels:
            self._labels.write(self._encoder.encode_lines(labels))
