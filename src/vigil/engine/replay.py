"""Replaying a stream of JSON lines through the engine: the batch face of ``decide``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from time import perf_counter

from vigil.codec import Admission, decode_event
from vigil.engine.decide import Engine
from vigil.engine.idempotency import check_retry
from vigil.errors import EventIdReused, InvalidEvent
from vigil.model import Decision, Outcome


@dataclass(slots=True)
class ReplaySummary:
    decided: int = 0
    duplicates: int = 0
    rejected: int = 0
    outside: int = 0  # events outside the window asked for (skipped, not decided)
    delayed: int = 0  # decided events that carry a delay (a cooling period)
    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.decided / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        out = [
            f"decided {self.decided:,} events in {self.seconds:.2f} s ({self.rate:,.0f}/s); "
            f"{self.duplicates:,} already decided, {self.rejected:,} rejected"
            + (f", {self.outside:,} outside the window" if self.outside else "")
        ]
        out.append(
            "outcomes: "
            + ", ".join(f"{o.label} {self.outcomes.get(o.label, 0):,}" for o in Outcome)
            + f"; delayed {self.delayed:,}"
        )
        if self.reasons:
            top = ", ".join(f"{code} {n:,}" for code, n in self.reasons.most_common(8))
            out.append(f"top reasons: {top}")
        return out


Reject = Callable[[int, bytes, InvalidEvent], None]


def replay(
    engine: Engine,
    lines: Iterable[bytes],
    emit: Callable[[Decision], None],
    *,
    reject: Reject | None = None,
    progress: Callable[[int], None] | None = None,
    since_us: int | None = None,
    until_us: int | None = None,
    admission: Admission | None = None,
) -> ReplaySummary:
    """Decide every line. A bad line goes to ``reject`` when given; without it, replay stops there
    raising ``InvalidEvent`` with the line number, after flushing everything already decided.
    With ``since_us``/``until_us``, only events with since <= ts < until are decided (the others are
    counted as outside and skipped): decide a history first, the rest later with a new model.
    A line whose event id was already decided for a different event is a bad line too (field
    ``event_id``); the same event again counts as a duplicate. ``admission`` refuses, as bad lines,
    events of regions or times the edge does not admit.
    """
    summary = ReplaySummary()
    start = perf_counter()
    journal = engine.journal
    try:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                event = decode_event(raw, admission)
            except InvalidEvent as exc:
                error = exc.at_line(number)
                assert isinstance(error, InvalidEvent)
                if reject is None:
                    raise error from None
                summary.rejected += 1
                reject(number, raw, error)
                continue
            if (since_us is not None and event.ts_us < since_us) or (
                until_us is not None and event.ts_us >= until_us
            ):
                summary.outside += 1
                continue
            decision, fresh = engine.decide_once(event)
            if not fresh:
                try:
                    check_retry(event, decision)
                except EventIdReused as exc:  # a line that reuses an id for another event is invalid
                    reused = InvalidEvent(str(exc), field="event_id", line=number)
                    if reject is None:
                        raise reused from None
                    summary.rejected += 1
                    reject(number, raw, reused)
                    continue
                summary.duplicates += 1
            else:
                summary.decided += 1
                summary.outcomes[decision.outcome.label] += 1
                if decision.delay_until_us is not None:
                    summary.delayed += 1
                for reason in decision.reasons:
                    summary.reasons[reason.code.value] += 1
            emit(decision)
            if progress is not None and number % 1000 == 0:
                progress(number)
    finally:
        journal.flush()
        summary.seconds = perf_counter() - start
    return summary
