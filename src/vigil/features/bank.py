"""Count and sum windows of one key, sharing one integer array per entity.

A catalog has many windows per key that count events or sum their fiat value over a span (the last
hour, day, 48 hours, 30 days, or all time). Kept one window object each, an account would carry two
dozen objects, each with its own list of times; here every such window of a key is served from one
``array('q')`` per entity, and a window is a view: a group, a period and a statistic.

Windows with the same scope (and the same field that must be present) form a **group**: the same
events step them, so they share one log of times and, when the group has a sum, the running total
of fiat cents at each entry (prefix sums). A window's value is then a binary search for the start of
its span and a subtraction, and a read never changes anything. A group keeps only the entries its
longest span can still count, and its totals (count, fiat) for all-time windows.

The entity's array, for ``G`` groups::

    [s_0 .. s_G-1]         the size of each group's segment (entries kept, twice that with a sum)
    [t_0 .. t_G-1]         latest time per group: a late event counts at the latest time (as a window)
    extra cells            per group with a sum: the running total before its first kept entry (base);
                           per group with an all-time count: events ever
    segments               per group in order: its n times, then (with a sum) its n running totals

The values equal those of the general ``TimeWindow`` of the same statistic (``Count``, ``Sum``) and
of ``Lifetime``, time clamping of late events included; the parity test checks them at every event.
An amount too large for 64 bits turns the entity's array into a list (same operations, exact ints).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vigil.features.context import EventContext

Cells = Any  # array('q'), or a list of ints once an amount passed 64 bits
LIFETIME_PERIOD = 0  # a window's period in a group: 0 for all-time
INT64 = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class BankWindow:
    """One window served by a bank: its feature index, group, period (0: all time) and statistic."""

    index: int
    group: int
    period: int
    is_sum: bool


class Group:
    """The windows of one scope in a bank: how the catalog steps them (``step_into``) for one event."""

    __slots__ = (
        "bank",
        "field",
        "g",
        "has_sum",
        "keep",
        "lifetime_sum",
        "needs_match",
        "scope",
        "total",
        "windows",
    )

    def __init__(self, bank: Bank, g: int, scope: Any, field: str | None, windows: list[BankWindow]) -> None:
        self.bank = bank
        self.g = g
        self.scope = scope
        self.field = field
        self.windows = tuple(windows)
        self.keep = max((w.period for w in windows), default=0)  # longest finite span; 0: no log
        self.has_sum = any(w.is_sum for w in windows)
        self.lifetime_sum = any(w.is_sum and w.period == LIFETIME_PERIOD for w in windows)
        self.total = -1  # cell of the all-time count, if a window needs it
        self.needs_match = not (scope.plain and field is None)

    def matches(self, ctx: EventContext) -> bool:
        if not self.scope.matches(ctx):
            return False
        return self.field is None or getattr(ctx, self.field) is not None

    def step_into(self, row: list[Any], slot: int, ctx: EventContext, values: list[Any]) -> None:
        bank = self.bank
        a = row[slot]
        if a is None:
            a = row[slot] = bank.new_cells()
        fiat = (ctx.fiat or 0) if self.has_sum else 0
        try:
            bank.step(a, self, ctx.t, fiat, values)
        except OverflowError:  # a running total past 64 bits: exact Python ints from here on
            a = row[slot] = list(a)
            bank.step(a, self, ctx.t, fiat, values)


class Bank:
    """The count and sum windows of one key (see the module docstring)."""

    def __init__(self, windows: Sequence[tuple[int, Any, str | None, int, bool]]) -> None:
        """``windows``: (feature index, scope, required field or None, period or 0, is a sum)."""
        by_group: dict[tuple[Any, str | None], list[BankWindow]] = {}
        order: list[tuple[Any, str | None]] = []
        for index, scope, field, period, is_sum in windows:
            group_key = (scope, field)
            if group_key not in by_group:
                by_group[group_key] = []
                order.append(group_key)
            # the group's own number (windows of one scope need not be next to each other)
            by_group[group_key].append(BankWindow(index, order.index(group_key), period, is_sum))
        self.groups = [Group(self, g, key[0], key[1], by_group[key]) for g, key in enumerate(order)]
        self.windows = {w.index: w for group in self.groups for w in group.windows}
        n_groups = len(self.groups)
        cell = 2 * n_groups
        self.base: list[int] = []  # per group: the cell of its base total (-1: no sum)
        for group in self.groups:
            if group.has_sum:
                self.base.append(cell)
                cell += 1
            else:
                self.base.append(-1)
            if any(w.period == LIFETIME_PERIOD and not w.is_sum for w in group.windows):
                group.total = cell
                cell += 1
        self.head = cell  # where the segments start
        self._empty = array("q", bytes(8 * cell))

    def new_cells(self) -> Cells:
        return array("q", self._empty)

    def _start(self, a: Cells, g: int) -> int:
        """Where group ``g``'s segment starts."""
        return self.head + sum(a[:g]) if g else self.head

    def step(self, a: Cells, group: Group, t: int, fiat: int, values: list[Any]) -> None:
        """Add an event at ``t`` (``fiat`` cents) to ``group``, and write its windows' values. Raises
        ``OverflowError``, having changed nothing, when a running total would pass 64 bits in an array."""
        g = group.g
        base = self.base[g]
        start = self.head + sum(a[:g]) if g else self.head
        n = (a[g] >> 1 if base >= 0 else a[g]) if group.keep else 0
        end = 0
        if base >= 0:
            end = (a[start + 2 * n - 1] if n else a[base]) + fiat
            if end > INT64 and type(a) is not list:
                raise OverflowError(f"a running total of {end} cents")
        latest = len(self.groups) + g
        if t < a[latest]:
            t = a[latest]  # a late event counts at the group's latest time
        a[latest] = t
        if group.total >= 0:
            a[group.total] += 1
        if group.keep:
            # Forget what the longest span can no longer count (reads are never earlier than ``t``).
            gone = bisect_right(a, t - group.keep, start, start + n) - start
            if gone:
                if base >= 0:
                    a[base] = a[start + n + gone - 1]
                    del a[start + n : start + n + gone]
                del a[start : start + gone]
                n -= gone
            if base >= 0:
                a.insert(start + 2 * n, end)
                a[g] = 2 * n + 2
            else:
                a[g] = n + 1
            a.insert(start + n, t)
            n += 1
        elif base >= 0:  # all-time windows only: totals, no log
            a[base] = end
        for w in group.windows:
            if w.period == LIFETIME_PERIOD:
                values[w.index] = float(end) / 100.0 if w.is_sum else float(a[group.total])
                continue
            first = bisect_right(a, t - w.period, start, start + n) - start
            if w.is_sum:
                values[w.index] = float(end - (a[start + n + first - 1] if first else a[base])) / 100.0
            else:
                values[w.index] = float(n - first)

    def value(self, a: Cells | None, w: BankWindow, t: int) -> float:
        """The window's value at time ``t`` (its scale: cents for sums), reading only."""
        if a is None:
            return 0.0
        g = w.group
        group = self.groups[g]
        base = self.base[g]
        n = a[g] >> 1 if base >= 0 else a[g]
        if w.period == LIFETIME_PERIOD:
            if not w.is_sum:
                return float(a[group.total])
            if not n:
                return float(a[base]) / 100.0
            return float(a[self._start(a, g) + 2 * n - 1]) / 100.0
        if not n:
            return 0.0
        latest = a[len(self.groups) + g]
        start = self._start(a, g)
        first = bisect_right(a, (t if t > latest else latest) - w.period, start, start + n) - start
        if not w.is_sum:
            return float(n - first)
        end = a[start + 2 * n - 1]
        before = a[start + n + first - 1] if first else a[base]
        return float(end - before) / 100.0

    def evict(self, a: Cells) -> Cells | None:
        """What stays of an entity idle past every span: its all-time totals (None: nothing to keep)."""
        cold = self.new_cells()
        kept = False
        for g, group in enumerate(self.groups):
            base = self.base[g]
            if group.lifetime_sum:
                size = a[g]
                total = a[self._start(a, g) + size - 1] if size else a[base]
                kept = kept or total != 0
                try:
                    cold[base] = total
                except OverflowError:  # past 64 bits, as ``Group.step_into`` would have kept it
                    cold = list(cold)
                    cold[base] = total
            if group.total >= 0:
                cold[group.total] = a[group.total]
                kept = kept or a[group.total] != 0
        return cold if kept else None
