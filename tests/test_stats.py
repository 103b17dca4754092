"""Streaming statistics and windows: properties that must hold for any input."""

from __future__ import annotations

import copy
import statistics
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from vigil.features.stats import Count, Distinct, Mean, Sum, Var
from vigil.features.windows import TimeWindow
from vigil.model import Outcome

values = st.lists(st.integers(-10_000, 10_000), min_size=0, max_size=60)


@given(values, st.integers(0, 60))
def test_revert_undoes_update(xs: list[int], k: int) -> None:
    k = min(k, len(xs))
    for stat_type in (Count, Sum, Mean, Var, Distinct):
        full = stat_type()
        for x in xs:
            full.update(x)
        for x in xs[:k]:
            full.revert(x)
        fresh = stat_type()
        for x in xs[k:]:
            fresh.update(x)
        a, b = full.get(), fresh.get()
        if a is None or b is None:
            assert a is None and b is None
        else:
            assert abs(a - b) <= 1e-6 * max(1.0, abs(b)), stat_type.__name__


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(-100, 100)), max_size=80), st.integers(1, 40))
def test_a_window_equals_a_fresh_statistic_over_its_span(steps: list[tuple[int, int]], period: int) -> None:
    window = TimeWindow(Sum(), period)
    t = 0
    seen: list[tuple[int, int]] = []
    for gap, x in steps:
        t += gap
        window.update(x, t)
        seen.append((t, x))
        in_span = [v for ts, v in seen if ts > t - period]
        assert window.get() == float(sum(in_span))
        assert len(window) == len(in_span)


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=50))
def test_var_matches_the_textbook(xs: list[float]) -> None:
    v = Var()
    for x in xs:
        v.update(x)
    got = v.get()
    assert got is not None
    assert abs(got - statistics.variance(xs)) <= 1e-6 * max(1.0, statistics.variance(xs))


@given(st.lists(st.sampled_from(list(Outcome)), min_size=1, max_size=6))
def test_combining_outcomes_is_order_free_and_the_most_severe_wins(outcomes: list[Outcome]) -> None:
    assert max(outcomes) == max(reversed(outcomes)) == max(sorted(outcomes, key=int))
    assert all(max(outcomes) >= o for o in outcomes)
    assert Outcome.ALLOW < Outcome.CHALLENGE < Outcome.REVIEW < Outcome.HOLD < Outcome.BLOCK


def test_late_values_count_at_the_latest_time() -> None:
    w = TimeWindow(Count(), 10)
    w.update(None, 100)
    w.update(None, 95)  # late: counted as arriving at 100
    assert w.get() == 2.0
    w.advance(109)
    assert w.get() == 2.0
    w.advance(110)
    assert w.get() == 0.0


def test_a_vector_read_after_a_later_event_refuses_instead_of_leaking_the_future() -> None:
    import pytest

    from tests.conftest import Events
    from vigil.features import StaleFeatures, context_of, default_catalog

    ev = Events()
    catalog = default_catalog()
    catalog.observe(context_of(ev.deposit(0, fiat="100")))
    at_login = catalog.observe(context_of(ev.login(1)))
    kept = catalog.observe(context_of(ev.login(2))).materialise()
    catalog.observe(context_of(ev.deposit(3, fiat="50")))
    with pytest.raises(StaleFeatures, match=r"account\.deposit\.sum_fiat_24h"):
        at_login["account.deposit.sum_fiat_24h"]
    assert kept["account.deposit.sum_fiat_24h"] == 100.0


def test_the_catalog_hash_is_the_same_in_every_process() -> None:
    import os
    import subprocess
    import sys

    code = "from vigil.features import default_catalog; print(default_catalog().hash)"
    hashes = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(hashes) == 1, hashes


@given(st.lists(st.tuples(st.integers(0, 50), st.sampled_from("abcde")), max_size=80), st.integers(1, 40))
def test_compact_windows_equal_the_general_window(steps: list[tuple[int, str]], period: int) -> None:
    from vigil.features.windows import CountWindow, DistinctWindow, Lifetime

    general_count, general_distinct = TimeWindow(Count(), period), TimeWindow(Distinct(), period)
    count, distinct, lifetime = CountWindow(period), DistinctWindow(period), Lifetime(Count())
    t = 0
    for i, (gap, x) in enumerate(steps):
        t += gap
        for w in (general_count, general_distinct, count, distinct, lifetime):
            w.update(x, t)
        assert count.get() == general_count.get()
        assert distinct.get() == general_distinct.get()
        assert lifetime.get() == float(i + 1)
        probe = t + gap
        assert count.advance(probe).get() == general_count.advance(probe).get()
        assert distinct.advance(probe).get() == general_distinct.advance(probe).get()
        t = probe


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(-100, 100)), max_size=80),
    st.integers(1, 40),
    st.integers(0, 80),
)
def test_reading_a_window_later_equals_advancing_it_and_moves_nothing(
    steps: list[tuple[int, int]], period: int, ahead: int
) -> None:
    """``value_at(t)`` is what ``advance(t).get()`` would give, and leaves the window as it was."""
    from vigil.features.windows import CountWindow, DistinctWindow, Lifetime

    def windows() -> list[Any]:
        return [
            TimeWindow(Sum(), period),
            TimeWindow(Mean(), period),
            TimeWindow(Var(), period),
            TimeWindow(Distinct(), period),
            CountWindow(period),
            DistinctWindow(period),
            Lifetime(Sum()),
        ]

    t = 0
    read = windows()
    for gap, x in steps:
        t += gap
        for a in read:
            a.update(x, t)
            before = _slots(a)
            got, want = a.value_at(t + ahead), copy.deepcopy(a).advance(t + ahead).get()
            assert _slots(a) == before, type(a).__name__
            if got is None or want is None:
                assert got is None and want is None
            else:
                assert abs(got - want) <= 1e-6 * max(1.0, abs(want)), type(a).__name__


def _slots(value: Any) -> str:
    slots = [s for cls in type(value).__mro__ for s in getattr(cls, "__slots__", ())]
    if not slots:
        return repr(value)
    return "(" + ",".join(_slots(getattr(value, s)) for s in slots) + ")"


def test_a_copied_statistic_is_independent() -> None:
    for stat_type in (Count, Sum, Mean, Var, Distinct):
        original = stat_type().update(3).update(5)
        clone = original.copy()
        clone.revert(3).update(7)
        assert original.get() == stat_type().update(3).update(5).get(), stat_type.__name__
        assert clone.get() == stat_type().update(5).update(7).get(), stat_type.__name__


@given(
    st.lists(st.tuples(st.integers(-20, 50), st.sampled_from("abcdefghijk")), max_size=80),
    st.integers(1, 40),
    st.integers(0, 80),
)
def test_the_compact_distinct_state_equals_the_distinct_window(
    steps: list[tuple[int, str]], period: int, ahead: int
) -> None:
    """``seen.distinct_step``/``distinct_peek`` (tuples, grown past eight values) against ``DistinctWindow``,
    late events (negative gaps) included."""
    from vigil.features.seen import distinct_peek, distinct_step
    from vigil.features.windows import DistinctWindow

    window, compact = DistinctWindow(period), None
    t = 0
    for gap, x in steps:
        t += gap
        compact, value = distinct_step(compact, x, t, period)
        assert value == window.update(x, t).get()
        assert distinct_peek(compact, t + ahead, period) == window.value_at(t + ahead)
