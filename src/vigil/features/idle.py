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
bucket has expired: no pause grows with the state.

A partitioned worker (docs/operations.md, "Workers") observes the whole stream (each observe sweeps, its
own accounts' events and the others' alike) but keeps only its own accounts, so its account queues are a
part of the one process's and its sweeps reach entities at other events. Two things keep its state the
one process's all the same: a row found expired (``horizon``) when an event steps it is evicted first, so
what a row holds never depends on whether a sweep reached it; and ``settled`` spells an expired row as
what eviction leaves of it, so that the state digest (``Catalog.state_digest(owns)``) does not depend on
how far the sweeps went.
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

    __slots__ = (
        "batch",
        "clock",
        "days",
        "due",
        "evicted",
        "horizon",
        "keep",
        "lateness",
        "queues",
        "turn",
        "width",
    )

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
        self.keep = {key: keep for key, keep in keys.items() if keep}  # per key: its longest span
        # Per key: the latest bucket that has expired at the clock (a row whose latest bucket is at or
        # before it holds nothing any event may still read), and the clock at which one of them moves.
        self.horizon: dict[Key, int] = {}
        self.turn = 0
        self._retime()

    def _retime(self) -> None:
        """Recompute ``horizon`` (and ``turn``) for the clock."""
        turn = NEVER
        for key, keep in self.keep.items():
            width, wait = self.width[key], keep + self.lateness
            self.horizon[key] = last = (self.clock - wait) // width - 1
            turn = min(turn, (last + 2) * width + wait)
        self.turn = turn

    def reschedule(self, lateness: int, batch: int) -> None:
        """Another lateness allowance or sweep budget (a catalog restoring a snapshot's queues)."""
        if lateness < 0 or batch < 1:
            raise ValueError("lateness must be >= 0 and batch >= 1")
        self.lateness, self.batch = lateness, batch
        self.due = 0
        self._retime()

    def evict(self, table: dict[str, list[Any]], entity: str, row: list[Any], evict: list[Evict]) -> bool:
        """Drop what eviction drops of ``entity``'s row (in place); True when the row was removed."""
        self.evicted += 1
        kept = [f(s) if s is not None else None for f, s in zip(evict, row, strict=False)]
        if any(s is not None for s in kept):
            row[: len(kept)] = kept
            row[-1] = None
            return False
        del table[entity]
        return True

    def settled(self, key: Key, row: list[Any], evict: list[Evict]) -> list[Any] | None:
        """What ``row`` is once eviction has reached it: itself, unless it has expired (then what
        ``evict`` would leave of it, None for nothing). Reads only."""
        last = row[-1]
        if last is None or key not in self.horizon or last > self.horizon[key]:
            return row
        kept = [f(s) if s is not None else None for f, s in zip(evict, row, strict=False)]
        return [*kept, None] if any(s is not None for s in kept) else None

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
            if t >= self.turn:
                self._retime()
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
                    self.evict(table, entity, row, evict)
                if not entities:
                    del queue[day]
                    if not any(day in q for q in self.queues.values()):
                        self.days.pop(day, None)
            if queue:
                due = min(due, (min(queue) + 1) * width + wait)
        self.due = due if budget else 0  # the budget ran out: look again at the next event

    def spelling(self, owns: Callable[[Key, str], bool] | None = None) -> str:
        """The queue, spelled for the state digest. With ``owns``: only the buckets that have not
        expired, and in them only the entities ``owns`` admits (how far a sweep went, and the evicted
        count, then depend on what else the queues held: see the module docstring)."""
        if owns is None:
            queues = ";".join(
                f"{key.value}:" + ",".join(f"{d}={'|'.join(q[d])}" for d in sorted(q))
                for key, q in self.queues.items()
            )
            return f"clock={self.clock},evicted={self.evicted},{queues}"
        spelt = []
        for key, q in self.queues.items():
            buckets = ((d, [e for e in q[d] if owns(key, e)]) for d in sorted(q) if d > self.horizon[key])
            spelt.append(f"{key.value}:" + ",".join(f"{d}={'|'.join(es)}" for d, es in buckets if es))
        return f"clock={self.clock}," + ";".join(spelt)
