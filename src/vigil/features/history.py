"""Feature kinds that keep a few numbers of history per entity, in cells of the key's shared block.

Times are microseconds held in floats: exact below 2**53 µs (the year 2255), so every difference and
quotient here equals the integer arithmetic it replaces. ``NaN`` marks "never stepped" where zero is a
value (latest declarations, the previous location).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, ClassVar

from vigil.features.context import EventContext
from vigil.features.spec import HOUR, US, Key, Scope, Spec, scope

NAN = math.nan
_isnan = math.isnan


def _since(t: int, then: float) -> float | None:
    if not then:
        return None
    return max(t - then, 0) / US


@dataclass(frozen=True, slots=True)
class SinceLast(Spec):
    """Seconds since the key's previous matching event, before this one; None if there was none."""

    key: Key
    scope: Scope
    width: ClassVar[int] = 1

    @property
    def name(self) -> str:
        return f"{self.key}.{self.scope.name}.seconds_since_last"

    def describe(self) -> str:
        return f"seconds since the previous {self.scope.name} event of this {self.key}"

    def initial(self) -> tuple[float, ...]:
        return (0.0,)

    def step_cells(self, cells: Any, at: int, ctx: EventContext) -> float | None:
        then = cells[at]
        value = _since(ctx.t, then)
        if ctx.t > then:
            cells[at] = ctx.t
        return value

    def peek_cells(self, cells: Any | None, at: int, ctx: EventContext) -> float | None:
        return None if cells is None else _since(ctx.t, cells[at])


@dataclass(frozen=True, slots=True)
class Age(Spec):
    """Seconds since the key's first event (0 at its first event)."""

    key: Key
    scope: Scope = dc_field(default_factory=lambda: scope())
    width: ClassVar[int] = 1

    @property
    def name(self) -> str:
        return f"{self.key}.seconds_since_first"

    def describe(self) -> str:
        return f"seconds since the first event of this {self.key}"

    def initial(self) -> tuple[float, ...]:
        return (0.0,)

    def step_cells(self, cells: Any, at: int, ctx: EventContext) -> float | None:
        if not cells[at]:
            cells[at] = ctx.t
        return _since(ctx.t, cells[at])

    def peek_cells(self, cells: Any | None, at: int, ctx: EventContext) -> float | None:
        return None if cells is None else _since(ctx.t, cells[at])


@dataclass(frozen=True, slots=True)
class ZScore(Spec):
    """How many standard deviations this event's ``field`` is from the key's earlier matching events.

    None until two earlier events exist or when they have no spread. Cells: Welford's count, mean and
    sum of squared deviations (``stats.Var``'s arithmetic, with the count as a float: the same values).
    """

    key: Key
    scope: Scope
    field: str = "fiat"
    width: ClassVar[int] = 3

    @property
    def name(self) -> str:
        return f"{self.key}.{self.scope.name}.zscore_{self.field}"

    def describe(self) -> str:
        return (
            f"z-score of this event's {self.field} against this {self.key}'s earlier {self.scope.name} events"
        )

    def initial(self) -> tuple[float, ...]:
        return (0.0, 0.0, 0.0)

    def step_cells(self, cells: Any, at: int, ctx: EventContext) -> float | None:
        x = float(getattr(ctx, self.field))
        n, mean, m2 = cells[at], cells[at + 1], cells[at + 2]
        value = None
        if n >= 2:
            std = math.sqrt(m2 / (n - 1))
            if std > 0:
                value = (x - mean) / std
        n += 1
        delta = x - mean
        mean += delta / n
        cells[at], cells[at + 1], cells[at + 2] = n, mean, m2 + delta * (x - mean)
        return value

    def peek_cells(self, cells: Any | None, at: int, ctx: EventContext) -> float | None:
        return None


@dataclass(frozen=True, slots=True)
class HourShare(Spec):
    """Share of the key's earlier events that happened at this event's UTC hour of day (usual hours)."""

    key: Key
    scope: Scope = dc_field(default_factory=lambda: scope())
    width: ClassVar[int] = 25  # 24 hours, then the total

    @property
    def name(self) -> str:
        return f"{self.key}.hour_of_day.share"

    def describe(self) -> str:
        return f"share of this {self.key}'s earlier events at the same UTC hour of day"

    def initial(self) -> tuple[float, ...]:
        return (0.0,) * 25

    def step_cells(self, cells: Any, at: int, ctx: EventContext) -> float | None:
        hour = at + (ctx.t // HOUR) % 24
        total = cells[at + 24]
        value = cells[hour] / total if total else None
        cells[hour] += 1.0
        cells[at + 24] = total + 1.0
        return value

    def peek_cells(self, cells: Any | None, at: int, ctx: EventContext) -> float | None:
        if cells is None or not cells[at + 24]:
            return None
        return float(cells[at + (ctx.t // HOUR) % 24] / cells[at + 24])


EARTH_RADIUS_KM = 6371.0088
MIN_TRAVEL_HOURS = 1 / 60  # a minute: below that, time stamps are too coarse to divide by


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class TravelSpeed(Spec):
    """km/h needed to get from the key's previous located event to this one (impossible travel).

    Elapsed time is floored at one minute. None without a previous located event. Cells: the previous
    located event's time (NaN: none yet), latitude and longitude.
    """

    key: Key
    scope: Scope = dc_field(default_factory=lambda: scope())
    field: str = "geo"
    width: ClassVar[int] = 3

    @property
    def name(self) -> str:
        return f"{self.key}.travel.speed_kmh"

    def describe(self) -> str:
        return f"km/h from this {self.key}'s previous located event to this one"

    def matches(self, ctx: EventContext) -> bool:
        return ctx.geo is not None and self.scope.matches(ctx)

    def initial(self) -> tuple[float, ...]:
        return (NAN, 0.0, 0.0)

    def step_cells(self, cells: Any, at: int, ctx: EventContext) -> float | None:
        geo = ctx.geo
        assert geo is not None  # matches() guarantees it
        value = None
        t0 = cells[at]
        if _isnan(t0):
            t0 = 0.0
        else:
            hours = max((ctx.t - t0) / HOUR, MIN_TRAVEL_HOURS)
            value = haversine_km(cells[at + 1], cells[at + 2], geo.lat, geo.lon) / hours
        cells[at], cells[at + 1], cells[at + 2] = float(max(ctx.t, t0)), geo.lat, geo.lon
        return value

    def peek_cells(self, cells: Any | None, at: int, ctx: EventContext) -> float | None:
        return None


@dataclass(frozen=True, slots=True)
class Latest(Spec):
    """The latest value of an event attribute (for example a declared KYC profile field)."""

    key: Key
    scope: Scope
    attribute: str
    width: ClassVar[int] = 1

    @property
    def name(self) -> str:
        return f"{self.key}.{self.scope.name}.latest_{self.attribute}"

    def describe(self) -> str:
        return f"latest {self.attribute} declared in a {self.scope.name} event of this {self.key}"

    def matches(self, ctx: EventContext) -> bool:
        return getattr(ctx.event, self.attribute, None) is not None and self.scope.matches(ctx)

    def initial(self) -> tuple[float, ...]:
        return (NAN,)

    def step_cells(self, cells: Any, at: int, ctx: EventContext) -> float | None:
        value = cells[at] = float(getattr(ctx.event, self.attribute))
        return value

    def peek_cells(self, cells: Any | None, at: int, ctx: EventContext) -> float | None:
        if cells is None or _isnan(cells[at]):
            return None
        return float(cells[at])


@dataclass(frozen=True, slots=True)
class LatestFlag(Spec):
    """1 or 0: the latest yes/no ``flag`` of the event's context (for example whether a KYC submission's
    declared name is its document's), None before any event that had one."""

    key: Key
    scope: Scope
    flag: str
    width: ClassVar[int] = 1

    @property
    def name(self) -> str:
        return f"{self.key}.{self.scope.name}.latest_{self.flag}"

    def describe(self) -> str:
        return f"1 when the latest {self.scope.name} event of this {self.key} had {self.flag}, 0 when not"

    def matches(self, ctx: EventContext) -> bool:
        return getattr(ctx, self.flag) is not None and self.scope.matches(ctx)

    def initial(self) -> tuple[float, ...]:
        return (NAN,)

    def step_cells(self, cells: Any, at: int, ctx: EventContext) -> float | None:
        value = cells[at] = 1.0 if getattr(ctx, self.flag) else 0.0
        return value

    def peek_cells(self, cells: Any | None, at: int, ctx: EventContext) -> float | None:
        if cells is None or _isnan(cells[at]):
            return None
        return float(cells[at])
