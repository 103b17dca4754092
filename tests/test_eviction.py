"""Eviction of idle entities (features/idle.py): exact, and a pure function of the event stream.

A stream with long idle gaps is served by a catalog that evicts as early as it may (no lateness
allowed, a large sweep) and by one that never evicts: the vectors are equal at every event, and equal
to the pandas oracle's. A live engine, a fresh replay and a snapshot plus its tail hold the same state,
digest for digest, with evictions on the way.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from tests.conftest import builtin_rules
from tests.strategies import random_stream
from tests.test_feature_parity import assert_parity, serve
from tests.workers_kit import gapped as gapped_pieces
from tests.workers_kit import owns, stream
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_snapshots import MemorySnapshots
from vigil.engine import Engine
from vigil.engine.snapshot import journal_end, resume, save
from vigil.features import Catalog, context_of, default_catalog
from vigil.features.specs import Key
from vigil.model import Event, Side, Trade


def gapped(size: int, seed: int, every: int = 250, gap_days: int = 40) -> list[Event]:
    """A random stream cut into pieces of ``every`` events, each piece ``gap_days`` after the previous:
    the same accounts, devices and addresses come back after more than the longest window (30 days)."""
    events = random_stream(np.random.RandomState(seed), size)
    return [replace(e, ts=e.ts + timedelta(days=gap_days * (i // every))) for i, e in enumerate(events)]


def worker_stream(*, gapped: bool) -> list[Event]:
    """The workers' tests' stream (shared devices and IPs), with 40-day gaps every 400 events."""
    events = stream()
    return gapped_pieces(events, 400) if gapped else events


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


def test_a_partitioned_catalog_holds_the_one_process_state_at_every_event() -> None:
    """What a worker's catalog does (features/idle.py, "A partitioned worker"): ``observe`` for its own
    accounts' events, ``observe_shared`` for the rest. Its account queues are a part of the one
    process's, so with a sweep of 2 entities per event its sweeps reach entities at other events;
    the state of its accounts and of every shared key is still the one process's, digest for digest, at
    every event along a stream whose entities come back after being evicted."""
    events = worker_stream(gapped=True)
    one = default_catalog(lateness=0, evict_batch=1)
    workers = [default_catalog(lateness=0, evict_batch=1) for _ in range(3)]
    mine = [owns(i, 3, 6) for i in range(3)]
    for n, event in enumerate(events):
        one.observe(context_of(event))
        for catalog, own in zip(workers, mine, strict=True):
            if own(event.account_id):
                catalog.observe(context_of(event))
            else:
                catalog.observe_shared(context_of(event))
        if n % 5 == 0 or n == len(events) - 1:
            for catalog, own in zip(workers, mine, strict=True):
                assert catalog.state_digest(own) == one.state_digest(own), f"after event {n}"
    assert one.evicted > 500
    assert all(catalog.evicted != one.evicted for catalog in workers)


def _trade(n: int, account: str, ts: datetime) -> Trade:
    return Trade(
        event_id=f"t-{n}",
        account_id=account,
        ts=ts,
        region="EU",
        pair="BTC/USDT",
        side=Side.BUY,
        price=Decimal("50000.00"),
        quantity=1000,
        fiat_value=Decimal("125.50"),
    )


def test_an_expired_row_is_evicted_before_an_event_steps_it_whether_the_sweep_reached_it_or_not() -> None:
    """Fifty accounts trade, then three come back 40 days later. A catalog sweeping one entity per event
    has not reached them yet (it sweeps the latest listed first); one sweeping everything has. Their rows
    are the same in both (a stale row stepped would keep the old running total under its new entry)."""
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    events = [_trade(n, f"acc-{n}", start + timedelta(minutes=n)) for n in range(50)]
    later = start + timedelta(days=40)
    events += [_trade(100 + n, f"acc-{n}", later + timedelta(minutes=n)) for n in range(3)]
    slow, fast = default_catalog(lateness=0, evict_batch=1), default_catalog(lateness=0, evict_batch=1000)
    for event in events:
        slow.observe(context_of(event))
        fast.observe(context_of(event))
    assert fast.evicted >= 50 and slow.evicted < 50  # the slow sweep is behind
    for account in ("acc-0", "acc-1", "acc-2"):
        assert repr(slow._state[Key.ACCOUNT][account]) == repr(fast._state[Key.ACCOUNT][account])
    everything = lambda account: True  # noqa: E731 - a worker that owns every account
    assert slow.state_digest(everything) == fast.state_digest(everything)
