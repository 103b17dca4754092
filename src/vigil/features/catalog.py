"""The one feature catalog: live decisions and training sets read features through it alone.

``Catalog.observe(ctx)`` steps every spec whose scope matches the event (updating its state) and
returns a ``FeatureVector``: values of the stepped specs are computed at once, the others lazily
when a rule asks for them (reading state never changes it). Entity state is created on the
first event that changes it, so an account that only logs in carries no withdrawal windows; where each
spec keeps it in the entity's row is ``layout.py``'s choice, and ``idle.py`` drops what idle entities no
longer need, on event time.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from vigil.features.context import EventContext
from vigil.features.graph import GraphFeatures
from vigil.features.idle import BATCH, LATENESS, Idle
from vigil.features.layout import Layout
from vigil.features.lines import LINES
from vigil.features.specs import Derived, Key, Spec
from vigil.graph import EntityGraph
from vigil.model import EventType

_LAZY: Any = object()

# The keys whose state only the account's own events step: the account itself, and the account's pairs
# with its counterparties (``pair`` is ``account>counterparty``). Every other key (device, IP, destination
# address) is shared by the accounts that use it.
ACCOUNT_KEYS = frozenset({Key.ACCOUNT, Key.PAIR})


def account_of(key: Key, entity: str) -> str:
    """The account an entity of an account key belongs to."""
    return entity.partition(">")[0] if key is Key.PAIR else entity


def _canonical(value: Any) -> str:
    """A spelling of a spec that is the same in every process (sets sorted, not hash-ordered)."""
    if isinstance(value, frozenset | set):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({fields})"
    return repr(value)


def _state_repr(value: Any) -> str:
    """Statistics and windows are slotted objects of numbers, deques, dicts and sets: spell them stably."""
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    if isinstance(value, dict):
        items = sorted((repr(k), _state_repr(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_state_repr(v) for v in value)) + "}"
    if isinstance(value, list | tuple | deque):
        return "[" + ",".join(_state_repr(v) for v in value) + "]"
    slots = [s for cls in type(value).__mro__ for s in getattr(cls, "__slots__", ())]
    if slots:
        return (
            type(value).__name__ + "(" + ",".join(_state_repr(getattr(value, s, None)) for s in slots) + ")"
        )
    return repr(value)


@dataclasses.dataclass(slots=True)
class CatalogState:
    """Everything a catalog has learned from the events it observed: per key, each entity's row of spec
    states, and the entity graph (None without graph features). What a snapshot keeps."""

    tables: dict[Key, dict[str, list[Any]]]
    graph: EntityGraph | None
    idle: Idle | None = None  # the eviction queue (None: the catalog never evicts)


class StaleFeatures(RuntimeError):
    """A feature vector read lazily after the catalog moved on to a later event."""


class FeatureVector(Mapping[str, float | None]):
    """Feature values for one event, as they were at decision time.

    Values the event did not step are read lazily from live state, so they are only valid until
    the catalog observes the next event: a later lazy read raises ``StaleFeatures`` rather than
    leak the future. Call ``materialise()`` first to keep every value.
    """

    __slots__ = ("_catalog", "_ctx", "_generation", "_rows", "_values")

    def __init__(
        self, catalog: Catalog, ctx: EventContext, values: list[Any], rows: dict[Key, list[Any] | None]
    ) -> None:
        self._catalog = catalog
        self._ctx = ctx
        self._values = values
        self._rows = rows
        self._generation = catalog.generation

    def at(self, index: int) -> float | None:
        value = self._values[index]
        if value is _LAZY:
            if self._generation != self._catalog.generation:
                raise StaleFeatures(
                    f"feature {self._catalog.names[index]!r} of event {self._ctx.event.event_id!r} read "
                    "after a later event was observed; materialise() the vector before observing the next one"
                )
            value = self._values[index] = self._catalog._peek(index, self._ctx, self._rows)
        return value  # type: ignore[no-any-return]

    def __getitem__(self, name: str) -> float | None:
        return self.at(self._catalog.index[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._catalog.names)

    def __len__(self) -> int:
        return len(self._catalog.names)

    def materialise(self) -> dict[str, float | None]:
        """Every feature's value (what a training row holds)."""
        return {name: self.at(i) for i, name in enumerate(self._catalog.names)}


class Catalog:
    """An ordered set of feature specs, with the per-entity state they need."""

    def __init__(
        self,
        specs: Sequence[Spec],
        derived: Sequence[Derived] = (),
        graph: GraphFeatures | None = None,
        *,
        lateness: int | None = LATENESS,
        evict_batch: int = BATCH,
    ) -> None:
        """``lateness``: how far behind the latest event an event may be and still be served exactly after
        its entity was evicted (idle.py); None: never evict."""
        self.specs = tuple(specs)
        self.derived = tuple(derived)
        self.graph_features = graph
        self._graph_start = len(self.specs) + len(self.derived)
        graph_names = graph.names if graph is not None else ()
        self.names: tuple[str, ...] = (
            tuple(s.name for s in self.specs) + tuple(d.name for d in self.derived) + graph_names
        )
        self.index: dict[str, int] = {}
        for i, name in enumerate(self.names):
            if name in self.index:
                raise ValueError(f"duplicate feature name {name!r} in the catalog")
            self.index[name] = i
        for d in self.derived:
            for name in d.inputs:
                if name not in self.index or self.index[name] >= len(self.specs):
                    raise ValueError(f"derived feature {d.name!r} needs unknown base feature {name!r}")
        # Where each spec keeps its state in an entity's row, and what each event type steps (layout.py).
        self._layout = Layout(self.specs)
        self._keys: dict[Key, list[int]] = self._layout.keys
        self._width = self._layout.width
        self._slot = self._layout.slot
        self._peekers = self._layout.peek
        self._dispatch = self._layout.plan
        # What ``observe_shared`` steps: the same plan without the account keys.
        self._shared = {
            etype: [(key, steps) for key, steps in plan if key not in ACCOUNT_KEYS and steps]
            for etype, plan in self._dispatch.items()
        }
        self._eviction = (lateness, evict_batch)
        self._idle = self._new_idle()
        self._derived_for: dict[EventType, list[tuple[int, Derived]]] = {
            etype: [(len(self.specs) + j, d) for j, d in enumerate(self.derived) if etype in d.applies_to]
            for etype in EventType
        }
        self._state: dict[Key, dict[str, list[Any]]] = {key: {} for key in self._keys}
        self.generation = 0  # events observed: lazy reads of older vectors are refused
        self._scratch: list[Any] = [None] * len(self.names)  # values observe_shared steps and nobody reads
        spelled = "\n".join(f"{n}|{self._describe(i)}" for i, n in enumerate(self.names))
        if any(spec.scope.line_band is not None for spec in self.specs):  # the lines are part of the catalog
            spelled += f"\nlines|{LINES.digest}"
        self.hash = hashlib.sha256(spelled.encode()).hexdigest()[:16]

    def _new_idle(self) -> Idle | None:
        lateness, batch = self._eviction
        return None if lateness is None else Idle(self._layout.keep, lateness=lateness, batch=batch)

    def _describe(self, index: int) -> str:
        if index < len(self.specs):
            return _canonical(self.specs[index])
        if index >= self._graph_start:
            assert self.graph_features is not None
            return f"{self.names[index]}({self.graph_features.spelling()})"
        d = self.derived[index - len(self.specs)]
        return f"{d.name}({','.join(d.inputs)})"

    def describe(self, name: str) -> str:
        """One readable sentence for a feature (used in reasons and docs)."""
        i = self.index[name]
        if i < len(self.specs):
            return self.specs[i].describe()
        if i >= self._graph_start:
            assert self.graph_features is not None
            return self.graph_features.describe(name)
        return self.derived[i - len(self.specs)].describe()

    @property
    def graph(self) -> EntityGraph | None:
        """The entity graph the catalog keeps, when it has graph features."""
        return self.graph_features.graph if self.graph_features is not None else None

    def flag(self, account_id: str, ts_us: int) -> None:
        """An account was held, blocked or frozen: later events' graph features see it."""
        if self.graph_features is not None:
            self.graph_features.graph.flag(account_id, ts_us)

    def observe(self, ctx: EventContext) -> FeatureVector:
        """Step the state with one event and return the features as of that event."""
        n_specs = len(self.specs)
        values: list[Any] = [_LAZY] * len(self.names)
        rows: dict[Key, list[Any] | None] = {}
        self._fold(ctx, self._dispatch[ctx.type], values, rows)
        vector = FeatureVector(self, ctx, values, rows)
        for i, d in self._derived_for[ctx.type]:
            values[i] = d.fn(vector, ctx)
        for i in range(n_specs, self._graph_start):
            if values[i] is _LAZY:
                values[i] = None
        return vector

    def observe_shared(self, ctx: EventContext) -> None:
        """Step only what is not the account's own: the shared keys' state (device, IP, destination) and
        the entity graph's links. A partitioned worker does this for the events of other partitions, so
        that its shared state is the one process's (docs/operations.md, "Workers"); it sweeps idle
        entities as ``observe`` does, so that eviction keeps the one process's schedule."""
        self._fold(ctx, self._shared[ctx.type], self._scratch, {})

    def _fold(
        self,
        ctx: EventContext,
        plan: list[tuple[Key, list[tuple[int, int, Any, bool]]]],
        values: list[Any],
        rows: dict[Key, list[Any] | None],
    ) -> None:
        """Sweep, step the graph, then step ``plan``'s keys, writing stepped values into ``values`` and
        each key's row (or None) into ``rows``."""
        self.generation += 1
        idle = self._idle
        evictors = self._layout.evictors
        if idle is not None:  # first, so that no row this event steps changes under its vector
            idle.sweep(ctx.t, self._state, self._layout.keep, evictors)
        if self.graph_features is not None:
            self.graph_features.graph.observe(ctx.event)
        tables, width = self._state, self._width
        horizon: dict[Key, int] = idle.horizon if idle is not None else {}
        for key, stepping in plan:
            k = key.of(ctx)
            if k is None:
                for i in self._keys[key]:
                    values[i] = None
                rows[key] = None
                continue
            table = tables[key]
            row = table.get(k)
            if row is not None and idle is not None:
                last = row[-1]
                if last is not None and last <= horizon[key] and idle.evict(table, k, row, evictors[key]):
                    row = None  # expired, not swept yet: evicted first, as the sweep would have
            stepped = False
            for slot, i, unit, check in stepping:
                if not check or unit.matches(ctx):
                    stepped = True
                    if row is None:
                        row = table[k] = [None] * (width[key] + 1)  # last: its latest time bucket
                    if i < 0:
                        if i == -1:  # a bank group: it writes its windows' values itself
                            unit.step_into(row, slot, ctx, values)
                        else:  # a spec that may replace its slot's state: index -2 - i
                            values[-2 - i] = unit.step_slot(row, slot, ctx)
                        continue
                    state = row[slot]
                    if state is None:
                        state = row[slot] = unit.new_state()
                    values[i] = unit.step(state, ctx)
            if stepped and idle is not None:
                idle.touch(key, k, row, ctx.t)  # type: ignore[arg-type]
            rows[key] = row

    def _peek(self, index: int, ctx: EventContext, rows: dict[Key, list[Any] | None]) -> float | None:
        if index >= self._graph_start:
            assert self.graph_features is not None
            return self.graph_features.value(self.names[index], ctx.account)
        key, slot = self._slot[index]
        row = rows[key]  # observe() fills a row (or None) for every key
        return self._peekers[index](None if row is None else row[slot], ctx)

    def state_digest(self, owns: Callable[[str], bool] | None = None) -> str:
        """A digest of all feature state, equal in every process for equal state.

        Two catalogs that observed the same events in the same order have the same digest; a live
        engine compared with a fresh replay of its journal proves no event was counted twice or lost.
        With ``owns``, the account keys' entities are limited to the accounts it admits (a partitioned
        worker's state: its own accounts, and all the shared keys and the graph).
        """
        h = hashlib.sha256()
        idle = self._idle
        for key in sorted(self._state):
            table = self._state[key]
            evict = self._layout.evictors[key]
            for entity in sorted(table):
                row: list[Any] | None = table[entity]
                if owns is not None:
                    if key in ACCOUNT_KEYS and not owns(account_of(key, entity)):
                        continue
                    if idle is not None:  # an expired row as eviction leaves it, whether swept yet or not
                        row = idle.settled(key, table[entity], evict)
                        if row is None:
                            continue
                h.update(f"{key.value}|{entity}|{_state_repr(row)}\n".encode())
        graph = self.graph
        if graph is not None:
            for edge in graph.edge_rows():
                h.update(repr(edge).encode())
            h.update(repr(sorted(graph.names[a] for a in graph.flagged)).encode())
        if idle is not None:
            if owns is None:
                h.update(idle.spelling().encode())
            else:
                h.update(
                    idle.spelling(lambda key, e: key not in ACCOUNT_KEYS or owns(account_of(key, e))).encode()
                )
        return h.hexdigest()

    def entity_count(self) -> dict[str, int]:
        """How many entities of each key hold state (for memory accounting)."""
        return {key.value: len(table) for key, table in self._state.items()}

    @property
    def evicted(self) -> int:
        """Entities evicted so far (rows dropped, or made cold: only their all-time statistics kept)."""
        return self._idle.evicted if self._idle is not None else 0

    def state(self) -> CatalogState:
        """The live state itself, not a copy: pickle it (or fork) before the next ``observe``."""
        return CatalogState(self._state, self.graph, self._idle)

    def restore(self, state: CatalogState) -> None:
        """Take over ``state`` (from ``state()`` of a catalog with the same ``hash``, in a snapshot).

        Raises ``ValueError`` when its shape is not this catalog's (other keys, a graph missing or
        built with other parameters); this catalog is then unchanged.
        """
        if set(state.tables) != set(self._keys):
            raise ValueError(
                f"state for keys {sorted(k.value for k in state.tables)}, this catalog has"
                f" {sorted(k.value for k in self._keys)}"
            )
        graph = self.graph
        if (state.graph is None) != (graph is None):
            raise ValueError("state with a graph for a catalog without one, or the other way round")
        if (
            graph is not None
            and state.graph is not None
            and (state.graph.hub_limit, state.graph.milli) != (graph.hub_limit, graph.milli)
        ):
            raise ValueError("an entity graph built with another hub limit or other link weights")
        self._state = state.tables
        lateness, batch = self._eviction
        self._idle = None if lateness is None else state.idle or self._new_idle()
        if self._idle is not None and lateness is not None:  # this catalog's schedule, the state's queues
            self._idle.reschedule(lateness, batch)
        if self.graph_features is not None and state.graph is not None:
            self.graph_features.graph = state.graph
        self.generation += 1  # vectors read before the restore refuse their lazy values

    def reset(self) -> None:
        """Forget all state (a fresh replay starts from here)."""
        for table in self._state.values():
            table.clear()
        self._idle = self._new_idle()
        if self.graph_features is not None:
            self.graph_features.graph = self.graph_features.graph.empty_copy()
