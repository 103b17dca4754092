"""Eviction of idle entities: what no future event can read any more is dropped, on event time alone.

Every entity row remembers the bucket of its latest event (its last slot: the event time divided by
the key's bucket width, an eighth of its longest window and at least an hour), and is listed under that
bucket in its key's queue. An entity idle for longer than the longest window of its key (``keep``) plus the
lateness allowed (``lateness``) has nothing left in any window: its windowed state is dropped, and what
lives for ever (all-time totals, first-seen times, values seen, hour-of-day shares, the latest
declarations: ``Spec.expires`` is False) stays, in the same compact form. A row left with nothing is
removed from its table; a device, IP or destination leaves no trace.

It is exact: a later event of the entity, at most ``lateness`` behind the latest event time the
catalog has seen, sees the values it would have seen without eviction (every event the dropped state
held is older than any window that event can read). An event later than that, for an entity evicted
meanwhile, is counted as the first of a fresh window (the general window would count it at the
entity's latest time).

The schedule is a pure function of the event stream (event time, never the wall clock or memory
pressure), so a replay evicts the same entities at the same events, and the queue is part of the
state a snapshot keeps. Each ``observe`` first sweeps at most ``batch`` queue entries, and only when a
day's list has expired: no pause grows with the state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vigil.features.spec import DAY, HOUR, Key

Evict = Callable[[Any], Any]  # a place's state -> what stays of it (None: nothing)

LATENESS = DAY  # default: events at most a day behind the latest seen are served exactly after eviction
BATCH = 16  # queue entries swept per observe at most
NEVER = 1 << 62


class Idle:
    """The per-key queues of entities by the day of their latest event (see the module docstring)."""

    __slots__ = ("batch", "clock", "days", "due", "evicted", "lateness", "queues", "width")

    def __init__(self, keys: Mapping[Key, int], *, lateness: int = LATENESS, batch: int = BATCH) -> None:
        if lateness < 0 or batch < 1:
            raise ValueError("lateness must be >= 0 and batch >= 1")
        self.lateness = lateness
        self.batch = batch
        self.clock = 0  # the latest event time seen
        self.due = NEVER  # the clock at which the oldest queued day expires (0: look at the next event)
        self.evicted = 0  # entities evicted so far (rows dropped or made cold)
        # Per key with windows: day -> entities whose latest event was on that day (stale entries skipped).
        self.queues: dict[Key, dict[int, list[str]]] = {key: {} for key, keep in keys.items() if keep}
        self.width = {key: max(HOUR, keep // 8) for key, keep in keys.items() if keep}  # bucket width, µs
        self.days: dict[int, int] = {}  # one int object per bucket number, shared by the rows

    def touch(self, key: Key, entity: str, row: list[Any], t: int) -> None:
        """``entity``'s row was stepped by an event at ``t``."""
        queue = self.queues.get(key)
        if queue is None:
            return
        width = self.width[key]
        day = t // width
        last = row[-1]
        if last is not None and last >= day:
            return
        shared = self.days.get(day)
        if shared is None:
            shared = self.days[day] = day
        row[-1] = shared
        entities = queue.get(day)
        if entities is None:
            queue[day] = [entity]
            expires = (day + 1) * width + self.lateness
            if expires < self.due:
                self.due = 0  # recomputed (with the key's keep) at the next sweep
        else:
            entities.append(entity)

    def sweep(
        self,
        t: int,
        tables: Mapping[Key, dict[str, list[Any]]],
        keep: Mapping[Key, int],
        evictors: Mapping[Key, list[Evict]],
    ) -> None:
        """Advance the clock to ``t`` and evict up to ``batch`` entities whose windows all expired."""
        if t > self.clock:
            self.clock = t
        if self.due > self.clock:
            return
        budget = self.batch
        due = NEVER
        for key, queue in self.queues.items():
            if not queue:
                continue
            wait = keep[key] + self.lateness  # a bucket has expired once the clock is this far past its end
            width = self.width[key]
            table, evict = tables[key], evictors[key]
            for day in sorted(queue):
                if (day + 1) * width + wait > self.clock or not budget:
                    break
                entities = queue[day]
                while entities and budget:
                    entity = entities.pop()
                    budget -= 1
                    row = table.get(entity)
                    if row is None or row[-1] != day:
                        continue  # stepped on a later day: listed there
                    self.evicted += 1
                    kept = [f(s) if s is not None else None for f, s in zip(evict, row, strict=False)]
                    if any(s is not None for s in kept):
                        row[: len(kept)] = kept
                        row[-1] = None
                    else:
                        del table[entity]
                if not entities:
                    del queue[day]
                    if not any(day in q for q in self.queues.values()):
                        self.days.pop(day, None)
            if queue:
                due = min(due, (min(queue) + 1) * width + wait)
        self.due = due if budget else 0  # the budget ran out: look again at the next event

    def spelling(self) -> str:
        """The queue, spelled for the state digest."""
        queues = ";".join(
            f"{key.value}:" + ",".join(f"{d}={'|'.join(q[d])}" for d in sorted(q))
            for key, q in self.queues.items()
        )
        return f"clock={self.clock},evicted={self.evicted},{queues}"
