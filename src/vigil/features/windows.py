"""Time windows that wrap any revertible statistic.

A window over ``period`` microseconds holds the values seen in ``(t - period, t]`` where ``t``
is the latest time it was advanced to: advancing reverts what fell out. Time never goes
backwards inside a window: an event older than the latest one seen counts as arriving at the
latest time (late events are rare on an exchange feed, and this keeps eviction exact).
"""

from __future__ import annotations

from typing import Any, Generic, Self, TypeVar

from vigil.features.stats import Statistic

T = TypeVar("T")


class TimeWindow(Generic[T]):
    """``update(x, t)`` adds a value at time ``t`` (µs); ``get()`` is the wrapped statistic."""

    __slots__ = ("_head", "_items", "period", "stat", "t")

    def __init__(self, stat: Statistic[T], period: int) -> None:
        if period <= 0:
            raise ValueError(f"window period must be positive, got {period}")
        self.stat = stat
        self.period = period
        self.t = 0
        # Flat [t0, x0, t1, x1, ...] with a moving head: one list per window keeps memory low.
        self._items: list[Any] = []
        self._head = 0

    def advance(self, t: int) -> Self:
        """Move the window's end to ``t`` and revert every value at or before ``t - period``."""
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

    def __len__(self) -> int:
        return (len(self._items) - self._head) // 2
