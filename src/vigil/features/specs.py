"""Feature kinds: declarative specifications whose names derive from their parameters.

Each spec belongs to one entity key (account, device, IP, destination address, or the pair of an
account and its counterparty) and says which events change its state (its ``scope``). The base, the
keys and scopes are in ``spec``; kinds that keep a few numbers of history in ``history``; kinds that
remember values seen in ``seen``; windowed aggregates and derived features here.

Point-in-time semantics, the contract the parity test checks at every event ``e`` at time ``t``:

* windowed aggregates cover events of the key in ``(t - period, t]`` that match the scope,
  ``e`` included when it matches;
* ``seconds_since_last``, ``is_new``, ``zscore``, ``hour share`` and ``travel speed`` compare
  ``e`` with the key's history strictly before ``e``;
* nothing ever reads an event after ``e``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vigil.features.context import FIAT_TYPES, EventContext
from vigil.features.history import (
    EARTH_RADIUS_KM,
    MIN_TRAVEL_HOURS,
    Age,
    HourShare,
    Latest,
    LatestFlag,
    SinceLast,
    TravelSpeed,
    ZScore,
    haversine_km,
)
from vigil.features.seen import BookAge, FirstSeen, IsNew, distinct_peek, distinct_step
from vigil.features.spec import (
    ALL_TYPES,
    DAY,
    FIELDS,
    HOUR,
    LIFETIME,
    US,
    Key,
    Scope,
    Spec,
    period_label,
    scope,
)
from vigil.features.stats import STATISTICS
from vigil.features.windows import CountWindow, DistinctWindow, Lifetime, TimeWindow
from vigil.model import EventType

__all__ = [
    "ALL_TYPES",
    "DAY",
    "EARTH_RADIUS_KM",
    "FIELDS",
    "HOUR",
    "LIFETIME",
    "MIN_TRAVEL_HOURS",
    "US",
    "Age",
    "BookAge",
    "Derived",
    "FirstSeen",
    "HourShare",
    "IsNew",
    "Key",
    "Latest",
    "LatestFlag",
    "Scope",
    "SinceLast",
    "Spec",
    "TravelSpeed",
    "Window",
    "ZScore",
    "haversine_km",
    "period_label",
    "scope",
]

WindowState = TimeWindow[Any] | CountWindow | DistinctWindow | Lifetime[Any]


def _scale(field_name: str | None, value: float | None, stat: str) -> float | None:
    """Fiat state is integer cents: report fiat units (a variance is in cents squared); a number of
    distinct amounts is a count."""
    if value is None or field_name != "fiat" or stat == "distinct":
        return value
    return value / 10_000.0 if stat == "var" else value / 100.0


@dataclass(frozen=True, slots=True)
class Window(Spec):
    """A statistic of ``field`` over the key's matching events in ``(t - period, t]``."""

    key: Key
    scope: Scope
    stat: str
    period: int
    field: str | None = None

    def __post_init__(self) -> None:
        if self.stat not in STATISTICS:
            raise ValueError(f"unknown statistic {self.stat!r}")
        if self.field is not None and self.field not in FIELDS:
            raise ValueError(f"unknown field {self.field!r}")
        if self.stat != "count" and self.field is None:
            raise ValueError(f"{self.stat} needs a field")

    @property
    def name(self) -> str:
        what = self.stat if self.field is None else f"{self.stat}_{self.field}"
        return f"{self.key}.{self.scope.name}.{what}_{period_label(self.period)}"

    def describe(self) -> str:
        what = {
            "count": f"number of {self.scope.name} events",
            "sum": f"total {self.field} of {self.scope.name} events",
            "mean": f"mean {self.field} of {self.scope.name} events",
            "var": f"variance of {self.field} over {self.scope.name} events",
            "distinct": f"number of distinct {self.field} values over {self.scope.name} events",
        }[self.stat]
        span = period_label(self.period)
        when = "ever" if span == "all" else f"in the last {span}"
        return f"{what} of this {self.key} {when}, this event included"

    @property
    def expires(self) -> bool:
        return self.period < LIFETIME

    @property
    def storage(self) -> str:
        """Counts, and sums of fiat, live in the key's bank (``bank``); distinct values over a span in a
        compact slot; the other statistics (and all-time distinct counts) in a window of their own."""
        if self.stat == "count" or (self.stat == "sum" and self.field == "fiat"):
            return "bank"
        if self.stat == "distinct" and self.period < LIFETIME:
            return "slot"
        return "own"

    @property
    def required(self) -> str | None:
        """The field an event must carry to count (None when its event types always carry it)."""
        if self.field == "fiat" and self.scope.types <= FIAT_TYPES:
            return None
        return self.field

    def step_slot(self, row: list[Any], slot: int, ctx: EventContext) -> float | None:
        row[slot], value = distinct_step(row[slot], getattr(ctx, self.field or ""), ctx.t, self.period)
        return value

    def new_state(self) -> WindowState:
        if self.period >= LIFETIME:
            return Lifetime(STATISTICS[self.stat]())
        if self.stat == "count":
            return CountWindow(self.period)
        if self.stat == "distinct":
            return DistinctWindow(self.period)
        return TimeWindow(STATISTICS[self.stat](), self.period)

    def step(self, state: WindowState, ctx: EventContext) -> float | None:
        x = None if self.field is None else getattr(ctx, self.field)
        return _scale(self.field, state.update(x, ctx.t).get(), self.stat)

    def peek(self, state: Any | None, ctx: EventContext) -> float | None:
        if state is None:
            return None if self.stat in ("mean", "var") else 0.0
        if self.stat == "distinct" and self.period < LIFETIME:
            return distinct_peek(state, ctx.t, self.period)
        return _scale(self.field, state.value_at(ctx.t), self.stat)


@dataclass(frozen=True, slots=True)
class Derived:
    """A feature computed from other features of the same event by a pure function.

    Its name is the key and the function's name; ``applies_to`` limits it to some event types
    (None elsewhere).
    """

    key: Key
    fn: Callable[[Mapping[str, float | None], EventContext], float | None]
    inputs: tuple[str, ...]
    applies_to: frozenset[EventType] = ALL_TYPES

    @property
    def name(self) -> str:
        return f"{self.key}.{self.fn.__name__}"

    def describe(self) -> str:
        return (self.fn.__doc__ or self.fn.__name__).strip().splitlines()[0]
