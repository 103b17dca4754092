"""Time windows that wrap any revertible statistic.

A window over ``period`` microseconds holds the values seen in ``(t - period, t]`` where ``t``
is the latest time it was advanced to: advancing reverts what fell out. Time never goes
backwards inside a window: an event older than the latest one seen counts as arriving at the
latest time (late events are rare on an exchange feed, and this keeps eviction exact).

Only ``update`` changes a window. ``value_at(t)`` reads the value the window would have at ``t``
without moving it: a read must never change state, or a live engine (whose rules read features)
and one rebuilt from its journal (which only observes) would hold different state, and a read at
``t`` would make a later, late event count at ``t`` instead of its own time.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Generic, Self, TypeVar

from vigil.features.stats import Statistic

T = TypeVar("T")


def _check_period(period: int) -> None:
    if period <= 0:
        raise ValueError(f"window period must be positive, got {period}")


class TimeWindow(Generic[T]):
    """``update(x, t)`` adds a value at time ``t`` (µs); ``get()`` is the wrapped statistic."""

    __slots__ = ("_head", "_items", "period", "stat", "t")

    def __init__(self, stat: Statistic[T], period: int) -> None:
        _check_period(period)
        self.stat = stat
        self.period = period
        self.t = 0
        # Flat [t0, x0, t1, x1, ...] with a moving head: one list per window keeps memory low.
        self._items: list[Any] = []
        self._head = 0

    def advance(self, t: int) -> Self:
        """Move the window's end to ``t`` and revert every value at or before ``t - period`` (writes)."""
        if t <= self.t:
            return self
        self.t = t
        items = self._items
        head = self._head
        end = len(items)
        horizon = t - self.period
        stat = self.stat
        while head < end and items[head] <= horizon:
            stat.revert(items[head + 1])
            head += 2
        if head:
            if head == end:
                items.clear()
                head = 0
            elif head >= 64 and head * 2 >= end:
                del items[:head]
                head = 0
        self._head = head
        return self

    def update(self, x: T, t: int) -> Self:
        self.advance(t)
        self._items.append(self.t)
        self._items.append(x)
        self.stat.update(x)
        return self

    def get(self) -> float | None:
        return self.stat.get()

    def value_at(self, t: int) -> float | None:
        """The statistic over ``(t - period, t]`` at a ``t`` after the latest update; state untouched."""
        items = self._items
        head = self._head
        end = len(items)
        horizon = t - self.period
        if t <= self.t or head == end or items[head] > horizon:
            return self.stat.get()  # nothing falls out
        if items[end - 2] <= horizon:
            return type(self.stat)().get()  # everything falls out
        stat = self.stat.copy()
        while items[head] <= horizon:
            stat.revert(items[head + 1])
            head += 2
        return stat.get()

    def __len__(self) -> int:
        return (len(self._items) - self._head) // 2

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_time_window, (type(self), self.stat, self.period, self.t, self._items, self._head)


class CountWindow:
    """A ``TimeWindow`` of ``Count`` that stores only the times (the values carry nothing)."""

    __slots__ = ("_head", "_times", "period", "t")

    def __init__(self, period: int) -> None:
        _check_period(period)
        self.period = period
        self.t = 0
        self._times: list[int] = []
        self._head = 0

    def advance(self, t: int) -> Self:
        if t <= self.t:
            return self
        self.t = t
        times = self._times
        head = self._head
        end = len(times)
        horizon = t - self.period
        while head < end and times[head] <= horizon:
            head += 1
        if head == end:
            times.clear()
            head = 0
        elif head >= 32 and head * 2 >= end:
            del times[:head]
            head = 0
        self._head = head
        return self

    def update(self, x: object, t: int) -> Self:
        self.advance(t)
        self._times.append(self.t)
        return self

    def get(self) -> float:
        return float(len(self._times) - self._head)

    def value_at(self, t: int) -> float:
        """How many times fall in ``(t - period, t]``, state untouched (times are kept in order)."""
        times = self._times
        if t <= self.t:
            return float(len(times) - self._head)
        return float(len(times) - bisect_right(times, t - self.period, self._head))

    def __len__(self) -> int:
        return len(self._times) - self._head

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_count_window, (type(self), self.period, self.t, self._times, self._head)


class DistinctWindow:
    """A ``TimeWindow`` of ``Distinct`` that keeps each value's last time instead of every event.

    A value is in the window while its latest occurrence is in ``(t - period, t]``.
    """

    __slots__ = ("_last", "_oldest", "period", "t")

    def __init__(self, period: int) -> None:
        _check_period(period)
        self.period = period
        self.t = 0
        self._last: dict[Any, int] = {}
        self._oldest = 0

    def advance(self, t: int) -> Self:
        if t <= self.t:
            return self
        self.t = t
        horizon = t - self.period
        if self._last and self._oldest <= horizon:
            self._last = {v: s for v, s in self._last.items() if s > horizon}
            self._oldest = min(self._last.values(), default=0)
        return self

    def update(self, x: Any, t: int) -> Self:
        self.advance(t)
        last = self._last
        if not last:
            self._oldest = self.t
        elif x in last and last[x] == self._oldest:
            last[x] = self.t
            self._oldest = min(last.values())
            return self
        last[x] = self.t
        return self

    def get(self) -> float:
        return float(len(self._last))

    def value_at(self, t: int) -> float:
        """How many values were last seen in ``(t - period, t]``, state untouched."""
        horizon = t - self.period
        if t <= self.t or self._oldest > horizon:
            return float(len(self._last))
        return float(sum(1 for s in self._last.values() if s > horizon))

    def __len__(self) -> int:
        return len(self._last)

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_distinct_window, (type(self), self.period, self.t, self._last, self._oldest)


class Lifetime(Generic[T]):
    """A statistic over everything ever seen: the window of an ``all`` feature, keeping no events."""

    __slots__ = ("stat",)

    def __init__(self, stat: Statistic[T]) -> None:
        self.stat = stat

    def advance(self, t: int) -> Self:
        return self

    def update(self, x: T, t: int) -> Self:
        self.stat.update(x)
        return self

    def get(self) -> float | None:
        return self.stat.get()

    def value_at(self, t: int) -> float | None:
        return self.stat.get()

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_lifetime, (type(self), self.stat)


# Snapshots pickle millions of windows: a restore function per class loads about a third faster than
# pickle's default for slotted objects (see ``stats``).
_new = object.__new__


def _restore_time_window(
    cls: type[TimeWindow[Any]], stat: Statistic[Any], period: int, t: int, items: list[Any], head: int
) -> TimeWindow[Any]:
    obj = _new(cls)
    obj.stat, obj.period, obj.t, obj._items, obj._head = stat, period, t, items, head
    return obj


def _restore_count_window(
    cls: type[CountWindow], period: int, t: int, times: list[int], head: int
) -> CountWindow:
    obj = _new(cls)
    obj.period, obj.t, obj._times, obj._head = period, t, times, head
    return obj


def _restore_distinct_window(
    cls: type[DistinctWindow], period: int, t: int, last: dict[Any, int], oldest: int
) -> DistinctWindow:
    obj = _new(cls)
    obj.period, obj.t, obj._last, obj._oldest = period, t, last, oldest
    return obj


def _restore_lifetime(cls: type[Lifetime[Any]], stat: Statistic[Any]) -> Lifetime[Any]:
    obj = _new(cls)
    obj.stat = stat
    return obj
