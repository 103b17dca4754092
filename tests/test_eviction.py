"""Eviction of idle entities (features/idle.py): exact, and a pure function of the event stream.

A stream with long idle gaps is served by a catalog that evicts as early as it may (no lateness
allowed, a large sweep) and by one that never evicts: the vectors are equal at every event, and equal
to the pandas oracle's. A live engine, a fresh replay and a snapshot plus its tail hold the same state,
digest for digest, with evictions on the way.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np

from tests.conftest import builtin_rules
from tests.strategies import random_stream
from tests.test_feature_parity import assert_parity, serve
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_snapshots import MemorySnapshots
from vigil.engine import Engine
from vigil.engine.snapshot import journal_end, resume, save
from vigil.features import Catalog, default_catalog
from vigil.features.specs import Key
from vigil.model import Event


def gapped(size: int, seed: int, every: int = 250, gap_days: int = 40) -> list[Event]:
    """A random stream cut into pieces of ``every`` events, each piece ``gap_days`` after the previous:
    the same accounts, devices and addresses come back after more than the longest window (30 days)."""
    events = random_stream(np.random.RandomState(seed), size)
    return [replace(e, ts=e.ts + timedelta(days=gap_days * (i // every))) for i, e in enumerate(events)]


def eager() -> Catalog:
    return default_catalog(lateness=0, evict_batch=10_000)


def test_an_evicting_catalog_serves_what_a_never_evicting_one_does_at_every_event() -> None:
    events = gapped(1500, 11)
    evicting, keeping = eager(), default_catalog(lateness=None)
    assert serve(events, evicting) == serve(events, keeping)
    assert evicting.evicted > 100 and keeping.evicted == 0
    counts, kept = evicting.entity_count(), keeping.entity_count()
    assert counts["pair"] < kept["pair"] and counts["destination"] < kept["destination"]
    assert counts["account"] == kept["account"]  # accounts keep their all-time statistics, cold


def test_an_evicting_catalog_agrees_with_the_oracle() -> None:
    assert_parity(gapped(1200, 12), eager)


def test_an_evicted_account_keeps_its_lifetime_statistics_and_drops_its_windows() -> None:
    events = gapped(1000, 13)
    catalog = eager()
    serve(events, catalog)
    table = catalog._state[Key.ACCOUNT]  # looking at what eviction left
    cold = [row for row in table.values() if row[-1] is None]
    assert cold, "no account was evicted"
    for row in cold:
        assert row[1] is not None  # the block of history cells (first seen, hour shares...) stays


def engine_on(journal: MemoryJournal) -> Engine:
    return Engine(default_catalog(lateness=0, evict_batch=4), builtin_rules(), journal)


def test_eviction_is_the_same_live_in_a_replay_and_from_a_snapshot() -> None:
    events = gapped(1200, 14, every=200)
    journal, store = MemoryJournal(), MemorySnapshots()
    live = engine_on(journal)
    for event in events[:700]:
        live.decide(event)
    live.commit()
    position, anchor = journal_end(journal)
    save(live, store, position, anchor)
    for event in events[700:]:
        live.decide(event)
    assert live.catalog.evicted > 50
    replayed = engine_on(journal)
    replayed.rebuild()
    restarted = engine_on(journal)
    started = resume(restarted, store)
    assert started.snapshot is not None and started.replayed == len(events) - 700
    assert live.catalog.state_digest() == replayed.catalog.state_digest() == restarted.catalog.state_digest()
    assert live.catalog.evicted == replayed.catalog.evicted == restarted.catalog.evicted
