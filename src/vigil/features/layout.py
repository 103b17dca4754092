"""Where each spec of a catalog keeps its state in an entity's row, and what steps it per event type.

An entity's row is a short list with one slot per *place*, not per spec (``Spec.storage``):

* the key's **bank** (``bank.py``): every count window, and every sum of fiat, in one integer array;
* the key's **cells**: every spec with a few numbers of history (``history.py``), in one float array,
  each at its own offset;
* a **slot** per spec that remembers values (``seen.py``, distinct counts over a span): compact tuples
  the spec replaces as they grow;
* an **own** state per other spec (a window of a mean or a variance...), as ``new_state`` makes it.

``Layout.plan[event type]`` lists per key the steps an event of that type may take: ``(slot, index,
unit, check)``; an ``index`` of -1 marks a bank group, which writes its values itself (``step_into``),
one below it a spec that may replace its slot (``step_slot``; its feature index is ``-2 - index``), and
``check`` says whether ``unit.matches`` must be asked (the event type alone does not settle it).
``Layout.keep`` and ``Layout.evictors`` say what eviction (``idle.py``) may drop of an idle entity.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Any

from vigil.features.bank import Bank
from vigil.features.context import EventContext
from vigil.features.idle import Evict
from vigil.features.spec import LIFETIME, Key, Spec
from vigil.model import EventType

Peek = Callable[[Any, EventContext], float | None]
Step = tuple[int, int, Any, bool]


class CellUnit:
    """A cells spec at its offset in the key's block of floats."""

    __slots__ = ("at", "block", "matches", "spec")

    def __init__(self, spec: Spec, at: int, block: array[float]) -> None:
        self.spec, self.at, self.block = spec, at, block
        self.matches = spec.matches

    def new_state(self) -> array[float]:
        return array("d", self.block)

    def step(self, cells: array[float], ctx: EventContext) -> float | None:
        return self.spec.step_cells(cells, self.at, ctx)

    def peek(self, cells: array[float] | None, ctx: EventContext) -> float | None:
        return self.spec.peek_cells(cells, self.at, ctx)


class Layout:
    """The places of a catalog's specs (see the module docstring)."""

    def __init__(self, specs: Sequence[Spec]) -> None:
        self.keys: dict[Key, list[int]] = {}  # per key, the global indexes of its specs
        self.width: dict[Key, int] = {}  # slots in a row of that key
        self.slot: list[tuple[Key, int]] = [(spec.key, 0) for spec in specs]  # per spec: key and slot
        self.peek: list[Peek] = [_none] * len(specs)  # per spec: its value from the slot's state
        self.banks: dict[Key, Bank] = {}
        self.keep: dict[Key, int] = {}  # per key: its longest finite span (0: nothing expires)
        self.evictors: dict[Key, list[Evict]] = {}  # per key, per slot: what eviction keeps of it
        units: dict[Key, list[tuple[frozenset[EventType], Step]]] = {}
        for i, spec in enumerate(specs):
            self.keys.setdefault(spec.key, []).append(i)
        for key, indexes in self.keys.items():
            steps = units[key] = []
            width = 0
            evictors = self.evictors[key] = []
            self.keep[key] = max(
                (getattr(specs[i], "period", 0) for i in indexes if specs[i].expires), default=0
            )
            banked = [i for i in indexes if specs[i].storage == "bank"]
            places: dict[int, tuple[int, Peek]] = {}
            if banked:
                bank = self.banks[key] = Bank(
                    [
                        (
                            i,
                            specs[i].scope,
                            specs[i].required,  # type: ignore[attr-defined]
                            0 if specs[i].period >= LIFETIME else specs[i].period,  # type: ignore[attr-defined]
                            specs[i].stat == "sum",  # type: ignore[attr-defined]
                        )
                        for i in banked
                    ]
                )
                for group in bank.groups:
                    steps.append((group.scope.types, (width, -1, group, group.needs_match)))
                for i in banked:
                    places[i] = (width, _bank_peek(bank, i))
                evictors.append(bank.evict)
                width += 1
            celled = [i for i in indexes if specs[i].storage == "cells"]
            if celled:
                block: array[float] = array("d")
                cell_units = []
                for i in celled:
                    unit = CellUnit(specs[i], len(block), block)
                    block.extend(specs[i].initial())
                    cell_units.append((i, unit))
                for i, unit in cell_units:
                    steps.append((specs[i].scope.types, (width, i, unit, specs[i].needs_match)))
                    places[i] = (width, unit.peek)
                evictors.append(_kept)
                width += 1
            for i in indexes:
                spec = specs[i]
                if spec.storage == "slot":
                    steps.append((spec.scope.types, (width, -2 - i, spec, spec.needs_match)))
                elif spec.storage == "own":
                    steps.append((spec.scope.types, (width, i, spec, spec.needs_match)))
                else:
                    continue
                places[i] = (width, spec.peek)
                evictors.append(_dropped if spec.expires else _kept)
                width += 1
            self.width[key] = width
            for i, (slot, peek) in places.items():
                self.slot[i] = (key, slot)
                self.peek[i] = peek
        self.plan: dict[EventType, list[tuple[Key, list[Step]]]] = {
            etype: [(key, [step for types, step in steps if etype in types]) for key, steps in units.items()]
            for etype in EventType
        }


def _none(state: Any, ctx: EventContext) -> float | None:
    return None


def _kept(state: Any) -> Any:
    return state


def _dropped(state: Any) -> None:
    return None


def _bank_peek(bank: Bank, index: int) -> Peek:
    window = bank.windows[index]
    value = bank.value

    def peek(state: Any, ctx: EventContext) -> float | None:
        return value(state, window, ctx.t)

    return peek
