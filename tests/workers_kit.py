"""What the worker tests share: the stream, the one-process reference, decisions compared field for field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

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


def gapped(events: list[Event], every: int, days: int = 40) -> list[Event]:
    """``events`` cut into pieces of ``every``, each piece ``days`` after the previous one: past the longest
    window (30 days), so that idle accounts, devices, IPs and addresses are evicted between pieces."""
    return [replace(e, ts=e.ts + timedelta(days=days * (i // every))) for i, e in enumerate(events)]


def engine_on(journal: Journal, lag: int, *, evict_batch: int | None = None) -> Engine:
    """The engine every worker and the reference run; ``evict_batch``: a catalog that evicts as early as
    it may (no lateness) and sweeps that many entities per event (default: the default catalog's)."""
    catalog = (
        default_catalog(graph=True)
        if evict_batch is None
        else default_catalog(graph=True, lateness=0, evict_batch=evict_batch)
    )
    return Engine(catalog, builtin_rules(), journal, flag_lag=lag)


def strip(decision: Decision) -> Decision:
    return replace(decision, elapsed_us=0.0, trace=tuple(replace(t, elapsed_ns=0) for t in decision.trace))


def reference(
    events: list[Event], lag: int, *, evict_batch: int | None = None
) -> tuple[Engine, dict[str, Decision]]:
    """``vigil replay`` of the stream in one process, with the same flag lag."""
    engine = engine_on(MemoryJournal(), lag, evict_batch=evict_batch)
    decisions = {e.event_id: strip(engine.decide(e)) for e in events}
    engine.commit()
    return engine, decisions


def owns(ordinal: int, workers: int, partitions: int) -> Callable[[str], bool]:
    mine = frozenset(owned(ordinal, workers, partitions))
    return lambda account: partition_of(account, partitions) in mine


def bodies(events: list[Event]) -> list[bytes]:
    return [encode_event(e) for e in events]
