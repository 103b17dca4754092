"""Rows as the engine sees them: every event's catalog features at its decision, and its raw fields.

``build_rows`` steps a fresh ``features.default_catalog()`` with ``context_of(event)`` over the events in
time order (what the engine does, minus the rules: no account is flagged, so the graph's "flagged
neighbour" inputs stay at their empty value) and keeps, for each kept event, ``ml.dataset.row_of`` (the
one vector-to-input function of training and serving) plus the event's own fields, flattened
(``raw.geo.lat``, ``raw.network.is_vpn``, ...): numbers (booleans, integers, decimals, dates as day
numbers, tuples as their length) and categories (strings and enums, ``<missing>`` when left empty).

The identity and position of an event (``event_id``, ``account_id``, ``ts``) are not inputs: they say
which row it is, not what happened.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidInput
from vigil.features import Catalog, context_of, default_catalog
from vigil.leakage.rank import MISSING
from vigil.ml.dataset import columns, row_of
from vigil.model import Event, EventType
from vigil.model.events import EVENT_CLASSES

Floats = npt.NDArray[np.float64]
SKIPPED = frozenset({"event_id", "account_id", "ts"})
NUMERIC = "numeric"
CATEGORICAL = "categorical"


@dataclass(frozen=True, slots=True)
class Rows:
    """Kept events in time order: catalog inputs, raw fields, event type and typology ("" = honest)."""

    names: tuple[str, ...]  # the model's input columns (catalog features, then ml.dataset.EXTRA)
    x: Floats  # (rows, names), NaN = missing
    numeric_names: tuple[str, ...]
    numeric: Floats  # (rows, numeric_names), NaN = the event type has no such field, or it is empty
    categorical: dict[str, list[str | None]]  # None = the event type has no such field
    types: npt.NDArray[np.str_]
    typologies: npt.NDArray[np.str_]

    def __len__(self) -> int:
        return len(self.types)

    def labelled_types(self, typology: str) -> frozenset[str]:
        """The event types that carry this typology's labels."""
        return frozenset(self.types[self.typologies == typology].tolist())

    def contrast(self, typology: str, event_type: str | None = None) -> npt.NDArray[np.bool_]:
        """The rows of one contrast: the typology's labelled events (of ``event_type`` only, if given),
        and honest events of the same types."""
        kinds = [event_type] if event_type is not None else sorted(self.labelled_types(typology))
        of_kind = np.isin(self.types, np.array(kinds, dtype=np.str_))
        mask: npt.NDArray[np.bool_] = of_kind & ((self.typologies == typology) | (self.typologies == ""))
        return mask


# -- raw fields ------------------------------------------------------------------------------------------
def _kind(hint: Any) -> tuple[str, type | None]:
    """(numeric or categorical or nested, the nested dataclass) for a field's type hint."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {hint}")
        hint = inner[0]
    if typing.get_origin(hint) is tuple:
        return NUMERIC, None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return "nested", hint
    if isinstance(hint, type) and issubclass(hint, Enum | str):
        return CATEGORICAL, None
    if isinstance(hint, type) and issubclass(hint, bool | int | float | Decimal | date):
        return NUMERIC, None
    raise TypeError(f"no kind for {hint}")


def _flatten(cls: type, top: bool = True) -> list[tuple[str, str, tuple[str, ...]]]:
    """(column, kind, attribute path) for every field of ``cls``, nested dataclasses flattened."""
    hints = typing.get_type_hints(cls)
    out: list[tuple[str, str, tuple[str, ...]]] = []
    for f in dataclasses.fields(cls):
        if top and f.name in SKIPPED:
            continue
        kind, nested = _kind(hints[f.name])
        if nested is not None:
            out.extend((f"{f.name}.{c}", k, (f.name, *p)) for c, k, p in _flatten(nested, top=False))
        else:
            out.append((f.name, kind, (f.name,)))
    return out


@cache
def raw_fields() -> dict[EventType, tuple[tuple[str, str, tuple[str, ...]], ...]]:
    """Per event type: (``raw.<field>`` column, kind, attribute path). A name is one kind everywhere."""
    kinds: dict[str, str] = {"raw.type": CATEGORICAL}
    plan: dict[EventType, tuple[tuple[str, str, tuple[str, ...]], ...]] = {}
    for etype, cls in EVENT_CLASSES.items():
        fields = []
        for column, kind, path in _flatten(cls):
            name = f"raw.{column}"
            if kinds.setdefault(name, kind) != kind:
                raise TypeError(f"{name} is {kinds[name]} on one event type and {kind} on {etype}")
            fields.append((name, kind, path))
        plan[etype] = tuple(fields)
    return plan


def _numeric(value: Any) -> float:
    if value is None:
        return np.nan
    if isinstance(value, tuple):
        return float(len(value))
    if isinstance(value, date):
        return float(value.toordinal())
    return float(value)


def _category(value: Any) -> str:
    if value is None:
        return MISSING
    return str(value.value) if isinstance(value, Enum) else str(value)


def _get(event: Event, path: tuple[str, ...]) -> Any:
    value: Any = event
    for name in path:
        if value is None:
            return None
        value = getattr(value, name)
    return value


# -- rows ------------------------------------------------------------------------------------------------
def build_rows(
    events: Iterable[Event],
    labels: Mapping[str, str],
    *,
    keep_types: frozenset[EventType] | None = None,
    catalog: Catalog | None = None,
) -> Rows:
    """Step ``catalog`` (default: a fresh default catalog) with ``events`` (time order) and keep a row for
    every labelled event (``labels``: event id -> typology) and every event of an account that carries no
    label, of a type in ``keep_types`` (default: every type)."""
    catalog = catalog or default_catalog()
    if catalog.generation != 0:
        raise InvalidInput("the catalog must be fresh (it has seen events already)", field="catalog")
    plan = raw_fields()
    numeric_names = tuple(sorted({c for fs in plan.values() for c, k, _ in fs if k == NUMERIC}))
    categorical_names = [
        "raw.type",
        *sorted({c for fs in plan.values() for c, k, _ in fs if k == CATEGORICAL}),
    ]
    numeric_at = {name: i for i, name in enumerate(numeric_names)}
    labelled_accounts: set[str] = set()
    events = list(events)
    for event in events:
        if event.event_id in labels:
            labelled_accounts.add(event.account_id)
    x: list[Floats] = []
    numeric: list[Floats] = []
    categorical: dict[str, list[str | None]] = {name: [] for name in categorical_names}
    kinds: list[str] = []
    typologies: list[str] = []
    last_ts = None
    for event in events:
        ts = event.ts_us
        if last_ts is not None and ts < last_ts:
            raise InvalidInput(f"event {event.event_id} is earlier than the one before it", field="events")
        last_ts = ts
        vector = catalog.observe(context_of(event, event.network))
        typology = labels.get(event.event_id, "")
        if not typology:
            if event.account_id in labelled_accounts:
                continue
            if keep_types is not None and event.TYPE not in keep_types:
                continue
        x.append(row_of(vector, event))
        values = np.full(len(numeric_names), np.nan)
        present: dict[str, str | None] = {"raw.type": event.TYPE.value}
        for name, kind, path in plan[event.TYPE]:
            value = _get(event, path)
            if kind == NUMERIC:
                values[numeric_at[name]] = _numeric(value)
            else:
                present[name] = _category(value)
        numeric.append(values)
        for name, column in categorical.items():
            column.append(present.get(name))
        kinds.append(event.TYPE.value)
        typologies.append(typology)
    if not x:
        raise InvalidInput("no events to audit", field="events")
    return Rows(
        names=columns(catalog),
        x=np.vstack(x),
        numeric_names=numeric_names,
        numeric=np.vstack(numeric),
        categorical=categorical,
        types=np.asarray(kinds, dtype=np.str_),
        typologies=np.asarray(typologies, dtype=np.str_),
    )
