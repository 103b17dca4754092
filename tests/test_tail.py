"""A journal's tail with several writers (partitioned workers on one PostgreSQL journal): the desk's and
the recovery desk's cursors never pass a position a slower writer may still fill, and nothing is skipped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, text

from tests.desk_kit import Kit, decided, withdrawal
from tests.postgres import postgres_schema
from vigil.adapters.postgres import PostgresJournal
from vigil.adapters.postgres.schema import decisions, events
from vigil.codec import encode_decision, encode_event
from vigil.desk.feed import Feed
from vigil.model import Decision, Event
from vigil.tail import SafeTail

GRACE = 1_000


class Clock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


def read(tail: SafeTail, after: int, positions: list[int]) -> list[tuple[int, int]]:
    return [(cursor, p) for cursor, p in tail.read(after, ((p, p) for p in positions))]


def test_the_cursor_follows_contiguous_positions_and_holds_before_a_young_gap() -> None:
    clock = Clock()
    tail = SafeTail(GRACE, clock)
    assert read(tail, 0, [1, 2, 3]) == [(1, 1), (2, 2), (3, 3)]
    # 4 is missing (a slower writer): 5 and 6 are passed on, the cursor stays at 3
    assert read(tail, 3, [5, 6]) == [(3, 5), (3, 6)]
    assert tail.gaps == 1
    clock.now = GRACE - 1
    assert read(tail, 3, [4, 5, 6, 7]) == [(4, 4), (5, 5), (6, 6), (7, 7)]  # 4 came: all pass
    assert tail.gaps == 0


def test_a_gap_for_good_is_passed_after_the_grace_and_only_then() -> None:
    clock = Clock()
    tail = SafeTail(GRACE, clock)
    assert read(tail, 10, [12, 14]) == [(10, 12), (10, 14)]
    clock.now = GRACE - 1
    assert read(tail, 10, [12, 14]) == [(10, 12), (10, 14)]
    clock.now = GRACE
    assert read(tail, 10, [12, 14, 15]) == [(12, 12), (14, 14), (15, 15)]
    assert tail.gaps == 0


def test_a_tail_that_goes_back_is_an_error_and_a_negative_grace_is_refused() -> None:
    with pytest.raises(ValueError, match="went back"):
        read(SafeTail(GRACE, Clock()), 5, [6, 6])
    with pytest.raises(ValueError, match="went back"):
        read(SafeTail(GRACE, Clock()), 5, [3])
    with pytest.raises(ValueError, match="grace_us"):
        SafeTail(-1)


@given(
    commits=st.permutations(list(range(1, 31))),
    reads=st.lists(st.integers(0, 30), min_size=1, max_size=8),
)
def test_readers_at_any_moments_of_out_of_order_commits_take_every_record(
    commits: list[int], reads: list[int]
) -> None:
    """Positions 1..30 taken in order and committed in any order (each within the grace); a reader that
    reads the tail after its cursor at any moments, and once at the end, has taken every record."""
    clock = Clock()
    tail = SafeTail(GRACE, clock)
    cursor, taken = 0, set[int]()
    for moment in [*sorted(reads), 30]:
        visible = sorted(p for p in commits[:moment] if p > cursor)
        for cursor_after, p in tail.read(cursor, ((p, p) for p in visible)):
            taken.add(p)
            last = cursor_after
        if visible:
            assert all(q in taken for q in range(1, last + 1))  # never past one not taken
            cursor = last
    assert taken == set(range(1, 31)) and cursor == 30


# -- on PostgreSQL: a slower writer's record is not skipped -------------------------------------------


def reserve(engine: Engine) -> int:
    """A position taken by a writer whose transaction has not committed yet."""
    with engine.begin() as conn:
        return int(conn.execute(text("SELECT nextval(pg_get_serial_sequence('events', 'seq'))")).scalar_one())


def commit_at(engine: Engine, seq: int, event: Event, decision: Decision) -> None:
    """The slower writer commits its record at the position it took."""
    with engine.begin() as conn:
        conn.execute(
            insert(events).values(
                seq=seq,
                event_id=event.event_id,
                account_id=event.account_id,
                type=event.TYPE.value,
                ts=event.ts,
                body=encode_event(event),
            )
        )
        conn.execute(
            insert(decisions).values(
                seq=seq,
                event_id=event.event_id,
                account_id=decision.account_id,
                outcome=int(decision.outcome),
                score=decision.score,
                body=encode_decision(decision),
            )
        )


@pytest.mark.postgres
def test_the_desk_takes_a_slower_writers_alert_committed_after_a_later_position_was_read() -> None:
    with postgres_schema() as engine:
        journal = PostgresJournal(engine)
        kit = Kit()
        clock = Clock()
        feed = Feed(kit.desk, journal, SafeTail(GRACE, clock))
        first = withdrawal(1, "acc-1")
        journal.record(first, decided(first))
        assert feed.catch_up() == 1
        slow = reserve(engine)  # worker A took a position ...
        fast = withdrawal(2, "acc-2")
        journal.record(fast, decided(fast))  # ... worker B committed after it
        assert feed.catch_up() == 1  # B's alert now
        assert kit.store.cursor() == slow - 1  # the cursor waits before A's position
        late = withdrawal(3, "acc-3")
        commit_at(engine, slow, late, decided(late))
        assert feed.catch_up() == 1  # A's alert: not skipped
        assert kit.store.cursor() == slow + 1
        assert {c.account_id for c in kit.desk.all_cases()} == {"acc-1", "acc-2", "acc-3"}
        # a position taken and never committed: passed once the grace has gone, nothing counted twice
        reserve(engine)
        fourth = withdrawal(4, "acc-4")
        journal.record(fourth, decided(fourth))
        assert feed.catch_up() == 1
        held = kit.store.cursor()
        assert feed.catch_up() == 0 and kit.store.cursor() == held
        clock.now += GRACE
        assert feed.catch_up() == 0
        assert kit.store.cursor() == journal.position()
        assert len(list(kit.desk.all_cases())) == 4
