"""Run a simulation into files: events (JSON lines, optionally Parquet), labels and recovery claims."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import msgspec

from vigil.sim.config import SimConfig
from vigil.sim.lists import DEFAULT_LISTS, load_illicit
from vigil.sim.output import JsonLinesSink
from vigil.sim.parquet import ParquetSink
from vigil.sim.run import Progress, SimSummary, simulate


def write_simulation(
    config: SimConfig,
    events: IO[bytes],
    labels: IO[bytes],
    claims: IO[bytes],
    *,
    parquet: Path | None = None,
    lists: Path = DEFAULT_LISTS,
    progress: Progress | None = None,
) -> SimSummary:
    """Simulate ``config``: events to ``events`` in time order, labels and claims beside them."""
    illicit = load_illicit(lists)
    jsonl = JsonLinesSink(events, labels)
    columnar = ParquetSink(parquet, config.generator) if parquet is not None else None
    encoder = msgspec.json.Encoder()

    def sink(batch: list[dict[str, Any]], batch_labels: list[dict[str, Any]]) -> None:
        jsonl(batch, batch_labels)
        if columnar is not None:
            columnar(batch, batch_labels)

    def claim(record: dict[str, object]) -> None:
        claims.write(encoder.encode(record) + b"\n")

    try:
        return simulate(config, sink, illicit, claim, progress)
    finally:
        if columnar is not None:
            columnar.close()
