"""The Journal contract (vigil.ports.Journal), run unchanged against every adapter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import Events, make_engine
from tests.postgres import postgres_schema
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.postgres import PostgresJournal
from vigil.adapters.sqlite import SqliteJournal
from vigil.errors import StorageError
from vigil.model import Decision, Event
from vigil.ports import Journal

Factory = Callable[[], Journal]


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        "sqlite-batched",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("postgres-batched", marks=pytest.mark.postgres),
    ]
)
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Journal]:
    j: Journal
    with ExitStack() as stack:
        if request.param == "memory":
            j = MemoryJournal()
        elif request.param == "sqlite":
            j = SqliteJournal(tmp_path / "j.db")
        elif request.param == "sqlite-batched":
            j = SqliteJournal(tmp_path / "j.db", batch_size=100)
        elif request.param == "postgres":
            j = PostgresJournal(stack.enter_context(postgres_schema()))
        else:
            j = PostgresJournal(stack.enter_context(postgres_schema()), batch_size=100)
        yield j
        j.close()


def decided(events: list[Event]) -> list[tuple[Event, Decision]]:
    engine = make_engine()
    return [(e, engine.decide(e)) for e in events]


def sample(ev: Events) -> list[tuple[Event, Decision]]:
    return decided(
        [
            ev.login(0),
            ev.deposit(1, fiat="950.00"),
            ev.withdrawal(2, fiat="940.10"),
            ev.login(3, account_id="bob"),
            ev.withdrawal(4, account_id="bob", fiat="12000"),
        ]
    )


def test_record_then_get_returns_an_equal_decision(journal: Journal, events: Events) -> None:
    pairs = sample(events)
    for e, d in pairs:
        journal.record(e, d)
    for e, d in pairs:
        assert journal.get(e.event_id) == d
    assert journal.get("never-seen") is None


def test_events_come_back_in_recorded_order_and_equal(journal: Journal, events: Events) -> None:
    pairs = sample(events)
    for e, d in pairs:
        journal.record(e, d)
    assert list(journal.events()) == [e for e, _ in pairs]
    assert list(journal.decided()) == pairs
    assert journal.count() == len(pairs)


def test_recording_an_event_twice_raises_and_changes_nothing(journal: Journal, events: Events) -> None:
    pairs = sample(events)
    for e, d in pairs:
        journal.record(e, d)
    journal.flush()
    first_event, first_decision = pairs[0]
    other = pairs[1][1]
    with pytest.raises(StorageError, match=first_event.event_id):
        journal.record(first_event, replace(other, event_id=first_event.event_id))
        journal.flush()
    assert journal.get(first_event.event_id) == first_decision
    assert journal.count() == len(pairs)


def test_event_and_decision_must_match(journal: Journal, events: Events) -> None:
    (e1, _), (_, d2) = sample(events)[:2]
    with pytest.raises(StorageError):
        journal.record(e1, d2)
    assert journal.count() == 0


def test_for_account_is_newest_first_and_limited(journal: Journal, events: Events) -> None:
    pairs = sample(events)
    for e, d in pairs:
        journal.record(e, d)
    alice = [d for e, d in pairs if e.account_id == "alice"]
    assert journal.for_account("alice") == list(reversed(alice))
    assert journal.for_account("alice", limit=2) == list(reversed(alice))[:2]
    assert journal.for_account("nobody") == []


def test_account_history_pairs_events_with_decisions_newest_first(journal: Journal, events: Events) -> None:
    pairs = sample(events)
    for e, d in pairs:
        journal.record(e, d)
    alice = [(e, d) for e, d in pairs if e.account_id == "alice"]
    assert len(alice) >= 2
    assert journal.account_history("alice") == list(reversed(alice))
    assert journal.account_history("alice", limit=1) == list(reversed(alice))[:1]
    assert journal.account_history("alice", limit=0) == []
    assert journal.account_history("nobody") == []
    assert all(d.trace for _, d in alice)  # so that leaving traces out is visible
    untraced = journal.account_history("alice", trace=False)
    assert untraced == [(e, replace(d, trace=())) for e, d in reversed(alice)]


def test_decided_from_a_start_skips_what_was_read(journal: Journal, events: Events) -> None:
    pairs = sample(events)
    for e, d in pairs:
        journal.record(e, d)
    assert list(journal.decided(2)) == pairs[2:]
    assert list(journal.decided(len(pairs))) == []
    assert list(journal.decided(0)) == pairs


def test_tail_reads_the_records_after_a_position_in_order(journal: Journal, events: Events) -> None:
    assert journal.position() == 0 and list(journal.tail(0)) == []
    pairs = sample(events)
    for e, d in pairs:
        journal.record(e, d)  # unflushed in the batched adapters: tail and position see them
    records = list(journal.tail(0))
    assert [(e, d) for _, e, d in records] == pairs
    positions = [p for p, _, _ in records]
    assert positions == sorted(set(positions)) and positions[0] > 0  # increasing, never reused
    assert journal.position() == positions[-1]
    assert [(p, e, d) for p, e, d in journal.tail(positions[1])] == records[2:]
    assert list(journal.tail(positions[-1])) == []
    assert list(journal.tail(positions[-1] + 100)) == []
    assert all(d.trace for _, _, d in records)  # so that leaving traces out is visible
    untraced = [(p, e, replace(d, trace=())) for p, e, d in records]
    assert list(journal.tail(0, trace=False)) == untraced


def test_positions_only_grow_and_the_tail_of_a_failed_write_holds_nothing_of_it(
    journal: Journal, events: Events
) -> None:
    pairs = sample(events)
    for e, d in pairs[:2]:
        journal.record(e, d)
    journal.flush()
    end = journal.position()
    with pytest.raises(StorageError):
        journal.record(pairs[0][0], pairs[0][1])  # already recorded
        journal.flush()
    for e, d in pairs[2:]:
        journal.record(e, d)
    tail = list(journal.tail(end))
    assert [(e, d) for _, e, d in tail] == pairs[2:]
    assert all(p > end for p, _, _ in tail) and journal.position() == tail[-1][0]


def test_sqlite_survives_reopening(tmp_path: Path, events: Events) -> None:
    pairs = sample(events)
    j = SqliteJournal(tmp_path / "j.db", batch_size=3)
    for e, d in pairs:
        j.record(e, d)
    j.close()
    again = SqliteJournal(tmp_path / "j.db")
    assert list(again.events()) == [e for e, _ in pairs]
    assert all(again.get(e.event_id) == d for e, d in pairs)
    again.close()


def test_sqlite_batch_sees_unflushed_and_reports_duplicates_without_losing_others(
    tmp_path: Path, events: Events
) -> None:
    pairs = sample(events)
    j = SqliteJournal(tmp_path / "j.db", batch_size=1000)
    j.record(*pairs[0])
    j.flush()
    for e, d in pairs[1:]:
        j.record(e, d)
    assert j.get(pairs[-1][0].event_id) == pairs[-1][1]
    # A second journal on the same file records the first event again behind this one's back.
    other = SqliteJournal(tmp_path / "j.db", batch_size=1000)
    other.record(*pairs[0])
    other.record(*pairs[1])
    j.flush()
    with pytest.raises(StorageError, match=pairs[1][0].event_id):
        other.flush()
    assert j.count() == len(pairs)
    other.close()
    j.close()


def test_sqlite_refuses_a_missing_directory(tmp_path: Path) -> None:
    from vigil.errors import ConfigError

    with pytest.raises(ConfigError, match="does not exist"):
        SqliteJournal(tmp_path / "nope" / "j.db")


def test_sqlite_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    from vigil.errors import ConfigError

    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError, match=r"bad\.db"):
        SqliteJournal(bad)
