"""Feature kinds: declarative specifications whose names derive from their parameters.

Each spec belongs to one entity key (account, device, IP, destination address, or the pair of an
account and its counterparty) and says which events change its state (its ``scope``).

Point-in-time semantics, the contract the parity test checks at every event ``e`` at time ``t``:

* windowed aggregates cover events of the key in ``(t - period, t]`` that match the scope,
  ``e`` included when it matches;
* ``seconds_since_last``, ``is_new``, ``zscore``, ``hour share`` and ``travel speed`` compare
  ``e`` with the key's history strictly before ``e``;
* nothing ever reads an event after ``e``.

``step`` is called for events the spec's scope matches: it returns the value for that event and
updates the state. ``peek`` gives the value for any other event without changing state.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum
from typing import Any

from vigil.features.context import EventContext
from vigil.features.stats import STATISTICS
from vigil.features.windows import CountWindow, DistinctWindow, Lifetime, TimeWindow
from vigil.model import AddressBookAction, AddressBookChanged, EventType, Side

WindowState = TimeWindow[Any] | CountWindow | DistinctWindow | Lifetime[Any]

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
    Key.RECEIVER: "receiver",
}

# Context attributes a windowed statistic may aggregate.
FIELDS = frozenset(
    {"fiat", "ip", "device", "country", "destination", "source", "counterparty", "asset", "account"}
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

    The fiat band is ``[min_fiat, max_fiat)`` in fiat units. Its name derives from the parameters.
    """

    types: frozenset[EventType]
    label: str | None = None
    success: bool | None = None
    side: Side | None = None
    min_fiat: int | None = None
    max_fiat: int | None = None

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
        return True


def scope(*types: EventType, label: str | None = None, **kw: Any) -> Scope:
    return Scope(types=frozenset(types) if types else ALL_TYPES, label=label, **kw)


class Spec:
    """Base of every feature kind (see the module docstring for ``step`` and ``peek``)."""

    key: Key
    scope: Scope
    field: str | None = None

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
        s = self.scope
        plain = s.success is None and s.side is None and s.min_fiat is None and s.max_fiat is None
        return not (plain and self.field is None and type(self).matches is Spec.matches)

    def new_state(self) -> Any:
        raise NotImplementedError

    def step(self, state: Any, ctx: EventContext) -> float | None:
        raise NotImplementedError

    def peek(self, state: Any | None, ctx: EventContext) -> float | None:
        raise NotImplementedError


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

    def peek(self, state: WindowState | None, ctx: EventContext) -> float | None:
        if state is None:
            return None if self.stat in ("mean", "var") else 0.0
        return _scale(self.field, state.value_at(ctx.t), self.stat)


@dataclass(frozen=True, slots=True)
class SinceLast(Spec):
    """Seconds since the key's previous matching event, before this one; None if there was none."""

    key: Key
    scope: Scope

    @property
    def name(self) -> str:
        return f"{self.key}.{self.scope.name}.seconds_since_last"

    def describe(self) -> str:
        return f"seconds since the previous {self.scope.name} event of this {self.key}"

    def new_state(self) -> list[int]:
        return [0]

    def step(self, state: list[int], ctx: EventContext) -> float | None:
        value = self.peek(state if state[0] else None, ctx)
        state[0] = max(state[0], ctx.t)
        return value

    def peek(self, state: list[int] | None, ctx: EventContext) -> float | None:
        if state is None or not state[0]:
            return None
        return max(ctx.t - state[0], 0) / US


@dataclass(frozen=True, slots=True)
class Age(Spec):
    """Seconds since the key's first event (0 at its first event)."""

    key: Key
    scope: Scope = dc_field(default_factory=lambda: scope())

    @property
    def name(self) -> str:
        return f"{self.key}.seconds_since_first"

    def describe(self) -> str:
        return f"seconds since the first event of this {self.key}"

    def new_state(self) -> list[int]:
        return [0]

    def step(self, state: list[int], ctx: EventContext) -> float | None:
        if not state[0]:
            state[0] = ctx.t
        return self.peek(state, ctx)

    def peek(self, state: list[int] | None, ctx: EventContext) -> float | None:
        if state is None or not state[0]:
            return None
        return max(ctx.t - state[0], 0) / US


@dataclass(frozen=True, slots=True)
class IsNew(Spec):
    """1 if ``field`` was never seen for the key before, 0 if it was; None without history or value."""

    key: Key
    field: str
    scope: Scope = dc_field(default_factory=lambda: scope())

    @property
    def name(self) -> str:
        return f"{self.key}.{self.field}.is_new"

    def describe(self) -> str:
        return f"1 when this {self.field} was never seen before for this {self.key}"

    def new_state(self) -> set[str]:
        return set()

    def step(self, state: set[str], ctx: EventContext) -> float | None:
        x = getattr(ctx, self.field)
        value = (0.0 if x in state else 1.0) if state else None
        state.add(x)
        return value

    def peek(self, state: set[str] | None, ctx: EventContext) -> float | None:
        x = getattr(ctx, self.field)
        if not state or x is None:
            return None
        return 0.0 if x in state else 1.0


@dataclass(frozen=True, slots=True)
class FirstSeen(Spec):
    """Seconds since ``field``'s value was first seen for the key, this event included (0 at its first
    event; None without a value). ``account.device.age_s`` is how long a device has been the account's:
    a device in use for weeks is trusted, one that appeared minutes ago is not."""

    key: Key
    field: str
    scope: Scope = dc_field(default_factory=lambda: scope())

    @property
    def name(self) -> str:
        return f"{self.key}.{self.field}.age_s"

    def describe(self) -> str:
        return f"seconds since this {self.field} was first seen for this {self.key} (0 at its first event)"

    def new_state(self) -> dict[str, int]:
        return {}

    def step(self, state: dict[str, int], ctx: EventContext) -> float | None:
        x = getattr(ctx, self.field)
        if x is None:
            return None
        return max(ctx.t - state.setdefault(x, ctx.t), 0) / US

    def peek(self, state: dict[str, int] | None, ctx: EventContext) -> float | None:
        x = getattr(ctx, self.field)
        if x is None:
            return None
        first = state.get(x) if state is not None else None
        return 0.0 if first is None else max(ctx.t - first, 0) / US


@dataclass(frozen=True, slots=True)
class ZScore(Spec):
    """How many standard deviations this event's ``field`` is from the key's earlier matching events.

    None until two earlier events exist or when they have no spread.
    """

    key: Key
    scope: Scope
    field: str = "fiat"

    @property
    def name(self) -> str:
        return f"{self.key}.{self.scope.name}.zscore_{self.field}"

    def describe(self) -> str:
        return (
            f"z-score of this event's {self.field} against this {self.key}'s earlier {self.scope.name} events"
        )

    def new_state(self) -> Any:
        return STATISTICS["var"]()

    def step(self, state: Any, ctx: EventContext) -> float | None:
        x = float(getattr(ctx, self.field))
        value = None
        std = state.std()
        if std is not None and std > 0:
            value = (x - state.mean) / std
        state.update(x)
        return value

    def peek(self, state: Any | None, ctx: EventContext) -> float | None:
        return None


@dataclass(frozen=True, slots=True)
class HourShare(Spec):
    """Share of the key's earlier events that happened at this event's UTC hour of day (usual hours)."""

    key: Key
    scope: Scope = dc_field(default_factory=lambda: scope())

    @property
    def name(self) -> str:
        return f"{self.key}.hour_of_day.share"

    def describe(self) -> str:
        return f"share of this {self.key}'s earlier events at the same UTC hour of day"

    def new_state(self) -> list[int]:
        return [0] * 25  # 24 hours, then the total

    def step(self, state: list[int], ctx: EventContext) -> float | None:
        hour = (ctx.t // HOUR) % 24
        value = state[hour] / state[24] if state[24] else None
        state[hour] += 1
        state[24] += 1
        return value

    def peek(self, state: list[int] | None, ctx: EventContext) -> float | None:
        if state is None or not state[24]:
            return None
        return state[(ctx.t // HOUR) % 24] / state[24]


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

    Elapsed time is floored at one minute. None without a previous located event.
    """

    key: Key
    scope: Scope = dc_field(default_factory=lambda: scope())
    field: str = "geo"

    @property
    def name(self) -> str:
        return f"{self.key}.travel.speed_kmh"

    def describe(self) -> str:
        return f"km/h from this {self.key}'s previous located event to this one"

    def matches(self, ctx: EventContext) -> bool:
        return ctx.geo is not None and self.scope.matches(ctx)

    def new_state(self) -> list[float]:
        return []

    def step(self, state: list[float], ctx: EventContext) -> float | None:
        geo = ctx.geo
        assert geo is not None  # matches() guarantees it
        value = None
        if state:
            t0, lat0, lon0 = state
            hours = max((ctx.t - t0) / HOUR, MIN_TRAVEL_HOURS)
            value = haversine_km(lat0, lon0, geo.lat, geo.lon) / hours
        state[:] = [float(max(ctx.t, state[0] if state else 0)), geo.lat, geo.lon]
        return value

    def peek(self, state: list[float] | None, ctx: EventContext) -> float | None:
        return None


@dataclass(frozen=True, slots=True)
class BookAge(Spec):
    """For a withdrawal: seconds since its destination was added to the address book (None if absent)."""

    key: Key = Key.ACCOUNT
    scope: Scope = dc_field(default_factory=lambda: scope(EventType.ADDRESS_BOOK_CHANGED))

    @property
    def name(self) -> str:
        return f"{self.key}.address_book.destination_age_s"

    def describe(self) -> str:
        return "seconds since this withdrawal's destination was added to the address book"

    def new_state(self) -> dict[str, int]:
        return {}

    def step(self, state: dict[str, int], ctx: EventContext) -> float | None:
        event = ctx.event
        assert isinstance(event, AddressBookChanged) and ctx.book_address is not None
        if event.action is AddressBookAction.ADD:
            state.setdefault(ctx.book_address, ctx.t)
        else:
            state.pop(ctx.book_address, None)
        return None

    def peek(self, state: dict[str, int] | None, ctx: EventContext) -> float | None:
        if state is None or ctx.destination is None:
            return None
        added = state.get(ctx.destination)
        return None if added is None else max(ctx.t - added, 0) / US


@dataclass(frozen=True, slots=True)
class Latest(Spec):
    """The latest value of an event attribute (for example a declared KYC profile field)."""

    key: Key
    scope: Scope
    attribute: str

    @property
    def name(self) -> str:
        return f"{self.key}.{self.scope.name}.latest_{self.attribute}"

    def describe(self) -> str:
        return f"latest {self.attribute} declared in a {self.scope.name} event of this {self.key}"

    def matches(self, ctx: EventContext) -> bool:
        return getattr(ctx.event, self.attribute, None) is not None and self.scope.matches(ctx)

    def new_state(self) -> list[float]:
        return [0.0]

    def step(self, state: list[float], ctx: EventContext) -> float | None:
        state[0] = float(getattr(ctx.event, self.attribute))
        return state[0]

    def peek(self, state: list[float] | None, ctx: EventContext) -> float | None:
        return None if state is None else state[0]


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
