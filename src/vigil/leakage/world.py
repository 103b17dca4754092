"""Simulated worlds in memory, decoded as the engine decodes them, for the audit.

``simulate_world`` runs ``vigil.sim`` into lists (no files) and decodes every event with
``codec.decode_event`` (the wire format the engine reads). ``with_generator`` picks the simulator's
generator version (``SimConfig.generator``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from vigil.codec import decode_event
from vigil.errors import InvalidInput
from vigil.model import Event
from vigil.sim import SimConfig
from vigil.sim.lists import DEFAULT_LISTS, load_illicit
from vigil.sim.run import simulate


@dataclass(frozen=True, slots=True)
class World:
    """A simulated run: events in time order and each labelled event's typology."""

    events: list[Event]
    labels: dict[str, str]  # event id -> typology


def generator_of(config: SimConfig) -> int:
    """The generator version a config runs."""
    return config.generator


def with_generator(config: SimConfig, generator: int | None) -> SimConfig:
    """``config`` running generator ``generator`` (None: the simulator's default). A version that does
    not exist is the simulator's own error (``InvalidInput`` naming the versions)."""
    if generator is None:
        return config
    return dataclasses.replace(config, generator=generator)


def simulate_world(config: SimConfig, *, lists: Path = DEFAULT_LISTS) -> World:
    """Run ``config`` in memory and decode its events."""
    illicit = load_illicit(lists)
    encoder = msgspec.json.Encoder()
    events: list[Event] = []
    labels: dict[str, str] = {}

    def sink(batch: list[dict[str, Any]], batch_labels: list[dict[str, Any]]) -> None:
        events.extend(decode_event(encoder.encode(e)) for e in batch)
        labels.update((str(r["event_id"]), str(r["typology"])) for r in batch_labels)

    simulate(config, sink, illicit, lambda _claim: None)
    return World(events, labels)


def read_world(events: Iterable[bytes], labels: Iterable[bytes]) -> World:
    """A world from JSON lines (the files ``vigil sim`` writes): events in time order, labels beside."""
    decoded: list[Event] = []
    for n, line in enumerate(events, 1):
        if not line.strip():
            continue
        try:
            decoded.append(decode_event(line))
        except InvalidInput as exc:
            raise exc.at_line(n) from None
    typologies: dict[str, str] = {}
    for n, line in enumerate(labels, 1):
        if not line.strip():
            continue
        try:
            record = msgspec.json.decode(line)
        except msgspec.DecodeError as exc:
            raise InvalidInput(f"labels line {n} is not JSON ({exc})", field="labels") from None
        if not isinstance(record, dict) or not isinstance(record.get("event_id"), str):
            raise InvalidInput(f"labels line {n} has no event_id", field="labels")
        typology = record.get("typology")
        if not isinstance(typology, str) or not typology:
            raise InvalidInput(f"labels line {n} has no typology", field="labels")
        typologies[record["event_id"]] = typology
    return World(decoded, typologies)
