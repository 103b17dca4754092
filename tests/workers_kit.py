"""What the worker tests share: the stream, the one-process reference, decisions compared field for field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tests.conftest import builtin_rules
from vigil.adapters.memory import MemoryJournal
from vigil.codec import encode_event
from vigil.engine import Engine
from vigil.features import default_catalog
from vigil.model import Decision, Event
from vigil.ports import Journal
from vigil.sim.example import example_stream
from vigil.workers import owned, partition_of


def stream(n_accounts: int = 120, days: int = 10, seed: int = 5) -> list[Event]:
    """About 2,200 events with shared devices and IPs, transfers between accounts, and a few holds."""
    return list(example_stream(n_accounts=n_accounts, days=days, seed=seed))


def engine_on(journal: Journal, lag: int) -> Engine:
    return Engine(default_catalog(graph=True), builtin_rules(), journal, flag_lag=lag)


def strip(decision: Decision) -> Decision:
    return replace(decision, elapsed_us=0.0, trace=tuple(replace(t, elapsed_ns=0) for t in decision.trace))


def reference(events: list[Event], lag: int) -> tuple[Engine, dict[str, Decision]]:
    """``vigil replay`` of the stream in one process, with the same flag lag."""
    engine = engine_on(MemoryJournal(), lag)
    decisions = {e.event_id: strip(engine.decide(e)) for e in events}
    engine.commit()
    return engine, decisions


def owns(ordinal: int, workers: int, partitions: int) -> Callable[[str], bool]:
    mine = frozenset(owned(ordinal, workers, partitions))
    return lambda account: partition_of(account, partitions) in mine


def bodies(events: list[Event]) -> list[bytes]:
    return [encode_event(e) for e in events]
