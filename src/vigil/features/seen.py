"""Feature kinds that remember values seen (devices, IPs, addresses, assets...) per entity, compactly.

Most entities see one or two values of each kind: a set costs 216 bytes and a dict 184 before its
first value, a tuple 48. So a small state is a tuple, flat for maps (``(v0, t0, v1, t1, ...)``), and
becomes a set or dict (the same values) past ``SMALL`` values. Tuples are replaced, not changed, which
is why these kinds step through ``step_slot`` (the catalog hands them the row and the slot).

Flat tuples find a value with ``tuple.index``: the values are strings and the times integers, so a
value never matches a time. A field whose values are not strings keeps the set or dict from the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, ClassVar

from vigil.features.context import EventContext
from vigil.features.spec import US, Key, Scope, Spec, scope
from vigil.features.windows import DistinctWindow
from vigil.model import AddressBookAction, AddressBookChanged, EventType

SMALL = 8  # values kept in a tuple; one more and the state becomes a set or dict

Seen = tuple[Any, ...] | set[Any]
Times = tuple[Any, ...] | dict[Any, int]


def times_get(state: Times | None, x: Any) -> int | None:
    """The time kept for value ``x`` in a flat tuple or dict (None: not there)."""
    if state is None:
        return None
    if type(state) is tuple:
        if x in state:
            return state[state.index(x) + 1]  # type: ignore[no-any-return]
        return None
    return state.get(x)  # type: ignore[union-attr]


def times_put(state: Times | None, x: Any, t: int) -> Times:
    """``state`` with ``x`` kept at ``t`` (a new tuple, or the dict changed in place)."""
    if state is None:
        return (x, t) if isinstance(x, str) else {x: t}
    if type(state) is tuple:
        if x in state:
            i = state.index(x)
            return (*state[: i + 1], t, *state[i + 2 :])
        if len(state) < 2 * SMALL:
            return (*state, x, t)
        grown = dict(zip(state[::2], state[1::2], strict=True))
        grown[x] = t
        return grown
    state[x] = t  # type: ignore[index]
    return state


def times_pop(state: Times | None, x: Any) -> Times | None:
    if state is None:
        return None
    if type(state) is tuple:
        if x not in state:
            return state
        i = state.index(x)
        return state[:i] + state[i + 2 :] or None
    state.pop(x, None)  # type: ignore[union-attr]
    return state


@dataclass(frozen=True, slots=True)
class IsNew(Spec):
    """1 if ``field`` was never seen for the key before, 0 if it was; None without history or value."""

    key: Key
    field: str
    scope: Scope = dc_field(default_factory=lambda: scope())
    replaces: ClassVar[bool] = True

    @property
    def name(self) -> str:
        return f"{self.key}.{self.field}.is_new"

    def describe(self) -> str:
        return f"1 when this {self.field} was never seen before for this {self.key}"

    def step_slot(self, row: list[Any], slot: int, ctx: EventContext) -> float | None:
        x = getattr(ctx, self.field)
        state: Seen | None = row[slot]
        if state is None:
            row[slot] = (x,) if isinstance(x, str) else {x}
            return None
        if x in state:
            return 0.0
        if type(state) is tuple:
            row[slot] = (*state, x) if len(state) < SMALL else {*state, x}
        else:
            state.add(x)  # type: ignore[union-attr]
        return 1.0

    def peek(self, state: Seen | None, ctx: EventContext) -> float | None:
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
    replaces: ClassVar[bool] = True

    @property
    def name(self) -> str:
        return f"{self.key}.{self.field}.age_s"

    def describe(self) -> str:
        return f"seconds since this {self.field} was first seen for this {self.key} (0 at its first event)"

    def step_slot(self, row: list[Any], slot: int, ctx: EventContext) -> float | None:
        x = getattr(ctx, self.field)
        if x is None:
            return None
        first = times_get(row[slot], x)
        if first is None:
            row[slot] = times_put(row[slot], x, ctx.t)
            return 0.0
        return max(ctx.t - first, 0) / US

    def peek(self, state: Times | None, ctx: EventContext) -> float | None:
        x = getattr(ctx, self.field)
        if x is None:
            return None
        first = times_get(state, x)
        return 0.0 if first is None else max(ctx.t - first, 0) / US


@dataclass(frozen=True, slots=True)
class BookAge(Spec):
    """For a withdrawal: seconds since its destination was added to the address book (None if absent)."""

    key: Key = Key.ACCOUNT
    scope: Scope = dc_field(default_factory=lambda: scope(EventType.ADDRESS_BOOK_CHANGED))
    replaces: ClassVar[bool] = True

    @property
    def name(self) -> str:
        return f"{self.key}.address_book.destination_age_s"

    def describe(self) -> str:
        return "seconds since this withdrawal's destination was added to the address book"

    def step_slot(self, row: list[Any], slot: int, ctx: EventContext) -> float | None:
        event = ctx.event
        assert isinstance(event, AddressBookChanged) and ctx.book_address is not None
        if event.action is AddressBookAction.ADD:
            if times_get(row[slot], ctx.book_address) is None:
                row[slot] = times_put(row[slot], ctx.book_address, ctx.t)
        else:
            row[slot] = times_pop(row[slot], ctx.book_address)
        return None

    def peek(self, state: Times | None, ctx: EventContext) -> float | None:
        if state is None or ctx.destination is None:
            return None
        added = times_get(state, ctx.destination)
        return None if added is None else max(ctx.t - added, 0) / US


# -- distinct values over a time window ---------------------------------------------------------------
# A small window is the flat tuple ``(t, v0, s0, v1, s1, ...)``: the window's latest time, then each
# value with its last time; past ``SMALL`` values it becomes a ``DistinctWindow`` (the same semantics).


def distinct_step(state: Any, x: Any, t: int, period: int) -> tuple[Any, float]:
    """``DistinctWindow.update(x, t)`` on a compact state: the new state and the count after it."""
    if state is None:
        if not isinstance(x, str):
            window = DistinctWindow(period).update(x, t)
            return window, window.get()
        return (max(t, 0), x, max(t, 0)), 1.0
    if type(state) is tuple and not isinstance(x, str):  # values of another type: the general window
        state = _grown(state, period)
    if type(state) is not tuple:
        return state, state.update(x, t).get()
    latest = state[0]
    if len(state) == 3:  # one value, the common case
        if t > latest:
            latest = t
        if x == state[1] or state[2] <= latest - period:  # the same value, or the old one left
            return (latest, x, latest), 1.0
        return (latest, state[1], state[2], x, latest), 2.0
    if t > latest:
        latest = t
        horizon = t - period
        kept: list[Any] = [latest]
        for i in range(1, len(state), 2):
            if state[i + 1] > horizon:
                kept += (state[i], state[i + 1])
        items = kept
    else:
        items = list(state)
    if x in items:
        items[items.index(x) + 1] = latest
    elif len(items) < 2 * SMALL + 1:
        items += (x, latest)
    else:
        window = _grown(tuple(items), period).update(x, latest)
        return window, window.get()
    return tuple(items), float(len(items) // 2)


def _grown(state: tuple[Any, ...], period: int) -> DistinctWindow:
    """The ``DistinctWindow`` a compact state stands for."""
    window = DistinctWindow(period)
    window.t = state[0]
    last = dict(zip(state[1::2], state[2::2], strict=True))
    window._last = last  # built here, as ``DistinctWindow`` would hold it
    window._oldest = min(last.values(), default=0)
    return window


def distinct_peek(state: Any, t: int, period: int) -> float:
    """``DistinctWindow.value_at(t)`` on a compact state (reading only)."""
    if state is None:
        return 0.0
    if type(state) is not tuple:
        return float(state.value_at(t))
    if t <= state[0]:
        return float(len(state) // 2)
    horizon = t - period
    return float(sum(1 for i in range(2, len(state), 2) if state[i] > horizon))
