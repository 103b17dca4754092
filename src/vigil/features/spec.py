"""What every feature kind is made of: the key it aggregates over, the scope of events that step it,
and the protocols by which the catalog keeps its state (see ``specs`` for the kinds themselves).

A spec keeps its per-entity state in one of three ways, which the catalog chooses from:

* **its own state** (``new_state``, ``step``, ``peek``): an object the catalog creates the first time
  the spec is stepped for an entity, and hands back for every later event;
* **cells** (``width > 0``: ``initial``, ``step_cells``, ``peek_cells``): a few floats in one
  ``array('d')`` per entity that every such spec of the key shares, each at its own offset (times,
  counts and running statistics: no object per spec);
* **a slot it may replace** (``replaces``: ``step_slot``, ``peek``): small states kept as tuples and
  grown into dicts or sets only when they get large.

``step`` is called for events the spec's scope matches: it returns the value for that event and
updates the state. ``peek`` gives the value for any other event without changing state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from vigil.features.context import EventContext
from vigil.model import EventType, Side

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
LIFETIME = 10 * 365 * DAY  # "all": longer than any account's life


class Key(StrEnum):
    """The entity a feature aggregates over."""

    ACCOUNT = "account"
    DEVICE = "device"
    IP = "ip"
    DESTINATION = "destination"
    PAIR = "pair"
    DOCUMENT = "document"
    # The account money arrives at: an internal transfer's counterparty, else the event's own account.
    # Stepped by the senders' transfers, read at the receiver's own events (its withdrawals): fan-in.
    RECEIVER = "receiver"

    def of(self, ctx: EventContext) -> str | None:
        return getattr(ctx, _KEY_ATTR[self])  # type: ignore[no-any-return]


_KEY_ATTR = {
    Key.ACCOUNT: "account",
    Key.DEVICE: "device",
    Key.IP: "ip",
    Key.DESTINATION: "destination",
    Key.PAIR: "pair",
    Key.DOCUMENT: "document",
    Key.RECEIVER: "receiver",
}

# Context attributes a windowed statistic may aggregate.
FIELDS = frozenset(
    {"fiat", "ip", "device", "country", "destination", "source", "counterparty", "asset", "account", "holder"}
)
ALL_TYPES = frozenset(EventType)


def period_label(period_us: int) -> str:
    """``7d``, ``48h``, ``90m``: whole days from a week up, whole hours, else minutes."""
    if period_us >= LIFETIME:
        return "all"
    seconds = period_us // US
    if seconds % 86400 == 0 and seconds >= 7 * 86400:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which events a feature counts: event types, and optionally login success, side or a fiat band.

    The fiat band is ``[min_fiat, max_fiat)`` in fiat units; the line band ``[low, high)`` is in percent
    of the event's region's reporting line (``features/lines.py``, ``EventContext.line``). Its name
    derives from the parameters.
    """

    types: frozenset[EventType]
    label: str | None = None
    success: bool | None = None
    side: Side | None = None
    min_fiat: int | None = None
    max_fiat: int | None = None
    line_band: tuple[int, int] | None = None

    @property
    def plain(self) -> bool:
        """True when the event type alone decides whether the scope matches."""
        return (
            self.success is None
            and self.side is None
            and self.min_fiat is None
            and self.max_fiat is None
            and self.line_band is None
        )

    @property
    def name(self) -> str:
        if self.label is not None:
            base = self.label
        elif self.types == ALL_TYPES:
            base = "any"
        else:
            base = "_or_".join(sorted(t.value for t in self.types))
        if self.success is not None:
            base += "_ok" if self.success else "_failed"
        if self.side is not None:
            base += f"_{self.side.value}"
        if self.min_fiat is not None or self.max_fiat is not None:
            low = "" if self.min_fiat is None else str(self.min_fiat)
            high = "" if self.max_fiat is None else str(self.max_fiat)
            base += f"_fiat{low}to{high}"
        if self.line_band is not None:
            base += f"_line{self.line_band[0]}to{self.line_band[1]}"
        return base

    def matches(self, ctx: EventContext) -> bool:
        if ctx.type not in self.types:
            return False
        if self.success is not None and ctx.success is not self.success:
            return False
        if self.side is not None and ctx.side is not self.side:
            return False
        if self.min_fiat is not None or self.max_fiat is not None:
            cents = ctx.fiat
            if cents is None:
                return False
            if self.min_fiat is not None and cents < self.min_fiat * 100:
                return False
            if self.max_fiat is not None and cents >= self.max_fiat * 100:
                return False
        if self.line_band is not None:
            cents = ctx.fiat
            if cents is None:
                return False
            low, high = self.line_band  # percent of the line: cents / line in [low/100, high/100)
            if not low * ctx.line <= cents * 100 < high * ctx.line:
                return False
        return True


def scope(*types: EventType, label: str | None = None, **kw: Any) -> Scope:
    return Scope(types=frozenset(types) if types else ALL_TYPES, label=label, **kw)


class Spec:
    """Base of every feature kind (see the module docstring for the three ways to keep state)."""

    key: Key
    scope: Scope
    field: str | None = None
    width: ClassVar[int] = 0  # cells in the key's shared block of floats (0: not kept in cells)
    replaces: ClassVar[bool] = False  # True: stepped by ``step_slot``, which may replace its state

    @property
    def name(self) -> str:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def matches(self, ctx: EventContext) -> bool:
        if not self.scope.matches(ctx):
            return False
        return self.field is None or getattr(ctx, self.field) is not None

    @property
    def needs_match(self) -> bool:
        """False when the event type alone decides (the catalog then skips ``matches``)."""
        return not (self.scope.plain and self.field is None and type(self).matches is Spec.matches)

    @property
    def expires(self) -> bool:
        """True when the state only ever holds events of a finite span (an idle entity's can be dropped)."""
        return False

    @property
    def storage(self) -> str:
        """How the catalog keeps this spec's state: ``cells``, ``slot`` or ``own`` (module docstring)."""
        if self.width:
            return "cells"
        return "slot" if self.replaces else "own"

    def new_state(self) -> Any:
        raise NotImplementedError

    def step(self, state: Any, ctx: EventContext) -> float | None:
        raise NotImplementedError

    def peek(self, state: Any | None, ctx: EventContext) -> float | None:
        raise NotImplementedError

    # -- cells (width > 0) ---------------------------------------------------------------------

    def initial(self) -> tuple[float, ...]:
        """The cells' values before the first step (``width`` floats)."""
        raise NotImplementedError

    def step_cells(self, cells: Any, at: int, ctx: EventContext) -> float | None:
        raise NotImplementedError

    def peek_cells(self, cells: Any | None, at: int, ctx: EventContext) -> float | None:
        raise NotImplementedError

    # -- a slot it may replace (replaces) ------------------------------------------------------

    def step_slot(self, row: list[Any], slot: int, ctx: EventContext) -> float | None:
        raise NotImplementedError
