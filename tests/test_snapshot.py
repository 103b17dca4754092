"""Snapshots of the engine's state (engine/snapshot.py, docs/operations.md "Snapshots").

A snapshot plus the journal's tail equals a full replay of the journal, state digest for state digest
(``Catalog.state_digest``, the graph included) and decision for decision on what comes next, on a
generated stream with the graph features on, on every journal. A snapshot that does not fit (another
catalog or release, a corrupt byte, a truncated file, a position past the journal's end, another
database's, a payload naming what is not engine state) is refused with a log line saying why, and the
engine replays the whole journal instead.
"""

from __future__ import annotations

import io
import json
import logging
import pickle
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import builtin_rules
from tests.postgres import postgres_schema
from tests.strategies import event_streams
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_snapshots import MemorySnapshots
from vigil.adapters.postgres import PostgresJournal
from vigil.adapters.snapshot_files import DirectorySnapshots
from vigil.adapters.sqlite import SqliteJournal
from vigil.engine import Engine
from vigil.engine.snapshot import FORMAT, HEADER_SPACE, MAGIC, Resumed, journal_end, resume, save
from vigil.errors import StorageError
from vigil.features import default_catalog
from vigil.features.stats import Count, Distinct, Mean, Sum, Var
from vigil.features.windows import CountWindow, DistinctWindow, Lifetime, TimeWindow
from vigil.model import Decision, Event, Outcome
from vigil.ports import Journal, SnapshotStore
from vigil.sim.example import example_stream

STREAM = list(example_stream(n_accounts=120, days=10, seed=5))  # about 2,200 events, a few held


def engine_on(journal: Journal, *, graph: bool = True, hub_limit: int = 50) -> Engine:
    return Engine(default_catalog(graph=graph, hub_limit=hub_limit), builtin_rules(), journal)


def strip(decision: Decision) -> Decision:
    return replace(decision, elapsed_us=0.0, trace=tuple(replace(t, elapsed_ns=0) for t in decision.trace))


def snapshot_now(engine: Engine, store: SnapshotStore) -> str:
    engine.commit()
    position, anchor = journal_end(engine.journal)
    return save(engine, store, position, anchor).name


JournalFactory = Callable[[], Journal]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def journals(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JournalFactory]:
    """Opens the same journal again, as a restarted process would (memory: the same object)."""
    with ExitStack() as stack:
        if request.param == "memory":
            memory = MemoryJournal()
            yield lambda: memory
        elif request.param == "sqlite":
            yield lambda: SqliteJournal(tmp_path / "j.db", batch_size=500)
        else:
            engine = stack.enter_context(postgres_schema())
            yield lambda: PostgresJournal(engine, batch_size=500)


# -- snapshot + tail equals a full replay ------------------------------------------------------------


def test_snapshot_plus_tail_equals_a_full_replay_digest_for_digest_and_decision_for_decision(
    journals: JournalFactory, tmp_path: Path
) -> None:
    a, b = 900, 1600
    reference = engine_on(MemoryJournal())
    expected = [strip(reference.decide(e)) for e in STREAM]
    assert any(d.outcome >= Outcome.HOLD for d in expected[:b])  # the graph's flags are in the state

    store = DirectorySnapshots(tmp_path / "snaps")
    first = engine_on(journals())
    for event in STREAM[:a]:
        first.decide(event)
    name = snapshot_now(first, store)
    for event in STREAM[a:b]:  # the tail: in the journal, not in the snapshot
        first.decide(event)
    first.close()

    restarted = engine_on(journals())
    started = resume(restarted, store)
    assert (started.snapshot, started.replayed, started.refused) == (name, b - a, ())
    assert started.position == journal_end(restarted.journal)[0] and started.anchor == STREAM[b - 1].event_id
    full = engine_on(journals())
    assert full.rebuild() == b
    assert restarted.catalog.state_digest() == full.catalog.state_digest() == first.catalog.state_digest()
    assert restarted.state().known == full.state().known

    decided = [strip(restarted.decide(e)) for e in STREAM[b:]]
    assert decided == expected[b:]
    assert restarted.catalog.state_digest() == reference.catalog.state_digest()
    # ids the snapshot holds are known: the same event again is a retry, answered from the journal
    again, fresh = restarted.decide_once(STREAM[10])
    assert not fresh and strip(again) == expected[10]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_streams(2, 50), st.integers(0, 50), st.integers(0, 50))
def test_any_cut_of_any_stream_resumes_to_the_full_replays_state(
    stream: list[Event], cut: int, end: int
) -> None:
    cut, end = sorted((min(cut, len(stream)), min(end, len(stream))))
    journal, store = MemoryJournal(), MemorySnapshots()
    live = engine_on(journal)
    for event in stream[:cut]:
        live.decide(event)
    snapshot_now(live, store)
    for event in stream[cut:end]:
        live.decide(event)
    restarted = engine_on(journal)
    started = resume(restarted, store)
    assert started.snapshot is not None and started.replayed == end - cut
    assert restarted.catalog.state_digest() == live.catalog.state_digest()


def test_a_snapshot_written_in_another_process_loads_here(tmp_path: Path) -> None:
    """Python randomises string hashes per process: what a snapshot holds must not depend on them."""
    import os
    import subprocess
    import sys

    from vigil.adapters.sqlite import SqliteJournal

    db = tmp_path / "vigil.db"
    journal = SqliteJournal(db, batch_size=1000)
    live = engine_on(journal)
    for event in STREAM[:1200]:
        live.decide(event)
    live.close()
    env = {**os.environ, "PYTHONHASHSEED": "12345", "VIGIL_DB": str(db)}
    done = subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", "snapshot", "--json"],
        env=env,
        capture_output=True,
        check=True,
        timeout=300,
    )
    written = json.loads(done.stdout)
    assert written["position"] == 1200 and written["started_from"] is None
    restarted = engine_on(SqliteJournal(db))
    started = resume(restarted, DirectorySnapshots(Path(f"{db}.snapshots")))
    assert started.snapshot == written["snapshot"] and started.replayed == 0
    full = engine_on(SqliteJournal(db))
    full.rebuild()
    assert restarted.catalog.state_digest() == full.catalog.state_digest()
    assert restarted.state().known == full.state().known
    reference = engine_on(MemoryJournal())
    expected = [strip(reference.decide(e)) for e in STREAM[:1400]]
    assert [strip(restarted.decide(e)) for e in STREAM[1200:1400]] == expected[1200:]


def test_statistics_and_windows_pickle_to_equal_state_that_goes_on_the_same() -> None:
    hour = 3_600_000_000
    for make in (
        lambda: TimeWindow(Sum(), hour),
        lambda: TimeWindow(Mean(), hour),
        lambda: TimeWindow(Var(), hour),
        lambda: TimeWindow(Distinct(), hour),
        lambda: CountWindow(hour),
        lambda: DistinctWindow(hour),
        lambda: Lifetime(Count()),
    ):
        state = make()
        for i in range(40):
            state.update(i % 7, i * hour // 5)
        copy = pickle.loads(pickle.dumps(state, protocol=5))
        assert type(copy) is type(state)
        slots = [s for cls in type(state).__mro__ for s in getattr(cls, "__slots__", ())]
        assert [repr(getattr(copy, s)) for s in slots if s != "stat"] == [
            repr(getattr(state, s)) for s in slots if s != "stat"
        ]
        for i in range(40, 60):
            state.update(i % 5, i * hour // 5)
            copy.update(i % 5, i * hour // 5)
            assert copy.get() == state.get()


# -- refusals: a log line saying why, then a full replay -------------------------------------------------


@pytest.fixture
def saved(tmp_path: Path) -> tuple[MemoryJournal, DirectorySnapshots, str]:
    """A journal of 600 events and a directory with its snapshot at 500."""
    journal, store = MemoryJournal(), DirectorySnapshots(tmp_path / "snaps")
    live = engine_on(journal)
    for event in STREAM[:500]:
        live.decide(event)
    name = snapshot_now(live, store)
    for event in STREAM[500:600]:
        live.decide(event)
    return journal, store, name


def rewrite(store: DirectorySnapshots, name: str, change: Callable[[bytes], bytes]) -> None:
    path = store.directory / name
    path.write_bytes(change(path.read_bytes()))


def with_header(data: bytes, **fields: object) -> bytes:
    length = int.from_bytes(data[8:12], "big")
    header = json.loads(data[12 : 12 + length])
    header.update(fields)
    text = json.dumps(header).encode()
    return MAGIC + len(text).to_bytes(4, "big") + text.ljust(HEADER_SPACE - 12) + data[HEADER_SPACE:]


def refused_then_replayed(
    journal: Journal, store: SnapshotStore, caplog: pytest.LogCaptureFixture, **engine: object
) -> Resumed:
    full = engine_on(journal, **engine)  # type: ignore[arg-type]
    full.rebuild()
    restarted = engine_on(journal, **engine)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="vigil.engine"):
        started = resume(restarted, store)
    assert started.snapshot is None and started.replayed == journal.count()
    assert restarted.catalog.state_digest() == full.catalog.state_digest()
    assert "no snapshot fits: replaying the whole journal" in caplog.text
    return started


def test_a_snapshot_of_another_catalog_is_refused(
    saved: tuple[MemoryJournal, DirectorySnapshots, str], caplog: pytest.LogCaptureFixture
) -> None:
    journal, store, name = saved
    started = refused_then_replayed(journal, store, caplog, hub_limit=20)
    assert started.refused[0].startswith(f"{name}: made for feature catalog")
    assert f"snapshot {name} refused: made for feature catalog" in caplog.text
    refused_then_replayed(journal, store, caplog, graph=False)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d[:-1] + bytes([d[-1] ^ 1]), "corrupt: the payload's SHA-256 is not the header's"),
        (lambda d: d[: HEADER_SPACE + 1000], "truncated: the payload has 1,000 bytes"),
        (lambda d: d[:100], "truncated: 100 bytes, shorter than a snapshot's header"),
        (lambda d: d + b"more", "corrupt: the payload has"),
        (lambda d: b"X" + d[1:], "not a Vigil snapshot"),
        (lambda d: d[:12] + b"{not json" + d[21:], "corrupt header"),
        (lambda d: with_header(d, format=99), f"snapshot format 99; this release reads format {FORMAT}"),
        (lambda d: with_header(d, format=2), "snapshot format 2; this release reads format 3 (format 2 held"),
        (lambda d: with_header(d, position="10"), "corrupt header (position is not int)"),
        (lambda d: with_header(d, position=-1), "corrupt header (a negative position or size)"),
        (lambda d: with_header(d, extra=1), "corrupt header"),
        (lambda d: with_header(d, vigil="0.0.1"), "written by Vigil 0.0.1"),
        (lambda d: with_header(d, position=10_000), "past this journal's end (600)"),
        (lambda d: with_header(d, anchor="e-other"), "a snapshot of another database"),
    ],
)
def test_a_snapshot_that_does_not_fit_is_refused_with_why(
    saved: tuple[MemoryJournal, DirectorySnapshots, str],
    caplog: pytest.LogCaptureFixture,
    change: Callable[[bytes], bytes],
    why: str,
) -> None:
    journal, store, name = saved
    rewrite(store, name, change)
    started = refused_then_replayed(journal, store, caplog)
    assert why in started.refused[0] and why in caplog.text


def test_a_snapshot_of_a_later_database_is_refused_by_an_older_copy(tmp_path: Path) -> None:
    """A database restored from a backup older than the snapshot: the snapshot counts events it lacks."""
    store = DirectorySnapshots(tmp_path / "snaps")
    journal = MemoryJournal()
    live = engine_on(journal)
    for event in STREAM[:300]:
        live.decide(event)
    snapshot_now(live, store)
    restored = MemoryJournal()
    for event, decision in list(journal.decided())[:200]:
        restored.record(event, decision)
    started = resume(engine_on(restored), store)
    assert started.snapshot is None and "past this journal's end (200)" in started.refused[0]


def test_a_payload_naming_anything_but_engine_state_is_refused_even_with_its_checksum(
    saved: tuple[MemoryJournal, DirectorySnapshots, str], caplog: pytest.LogCaptureFixture
) -> None:
    import hashlib

    journal, store, name = saved
    hostile = pickle.dumps(io.StringIO)  # any global outside the state's modules

    def forged(data: bytes) -> bytes:
        return with_header(
            data[:HEADER_SPACE] + hostile,
            payload_bytes=len(hostile),
            payload_sha256=hashlib.sha256(hostile).hexdigest(),
        )

    rewrite(store, name, forged)
    started = refused_then_replayed(journal, store, caplog)
    assert "it names _io.StringIO, which is not engine state" in started.refused[0]


def test_the_newest_snapshot_refused_the_one_before_is_used(tmp_path: Path) -> None:
    journal, store = MemoryJournal(), DirectorySnapshots(tmp_path / "snaps", keep=2)
    live = engine_on(journal)
    for event in STREAM[:300]:
        live.decide(event)
    older = snapshot_now(live, store)
    for event in STREAM[300:400]:
        live.decide(event)
    newest = snapshot_now(live, store)
    rewrite(store, newest, lambda d: d[:-10])
    restarted = engine_on(journal)
    started = resume(restarted, store)
    assert started.snapshot == older and started.replayed == 100
    assert started.refused[0].startswith(f"{newest}: truncated")
    assert restarted.catalog.state_digest() == live.catalog.state_digest()


def test_no_store_or_an_empty_one_is_a_full_replay() -> None:
    journal = MemoryJournal()
    live = engine_on(journal)
    for event in STREAM[:50]:
        live.decide(event)
    for store in (None, MemorySnapshots()):
        started = resume(engine_on(journal), store)
        assert (started.snapshot, started.replayed, started.refused) == (None, 50, ())
        assert "full replay of 50 journal records" in started.describe()


class FailingJournal(MemoryJournal):
    def record(self, event: Event, decision: Decision) -> None:
        raise StorageError("disk full")


def test_a_stale_or_unbuilt_engine_writes_no_snapshot() -> None:
    journal = MemoryJournal()
    engine_on(journal).decide(STREAM[0])
    not_rebuilt = engine_on(journal)  # built on a journal that holds events, its state not rebuilt yet
    with pytest.raises(RuntimeError, match="not its journal's"):
        save(not_rebuilt, MemorySnapshots(), 1, STREAM[0].event_id)
    failed = engine_on(FailingJournal())
    with pytest.raises(StorageError):
        failed.decide(STREAM[0])  # the catalog counted an event the journal does not hold
    assert failed.stale
    with pytest.raises(RuntimeError, match="not its journal's"):
        save(failed, MemorySnapshots(), 0, "")


def test_the_freezes_a_worker_was_told_are_in_its_snapshot_and_the_later_word_wins(tmp_path: Path) -> None:
    store = DirectorySnapshots(tmp_path / "snaps")
    journal = MemoryJournal()
    live = engine_on(journal)
    for event in STREAM[:50]:
        live.decide(event)
    live.note_freeze("acc-1", "c-1/1", 200)
    live.note_freeze("acc-1", None, 100)  # older than what it holds: ignored
    live.note_freeze("acc-2", "c-2/1", 100)
    live.note_freeze("acc-2", None, 300)
    assert live.freeze_of("acc-1") == "c-1/1" and live.freeze_of("acc-2") is None
    snapshot_now(live, store)
    restarted = engine_on(journal)
    assert resume(restarted, store).snapshot is not None
    assert restarted.freeze_of("acc-1") == "c-1/1" and restarted.freeze_of("acc-2") is None
