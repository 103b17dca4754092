"""Determinism across restarts: reading features never changes feature state.

A live engine decides every event (its rules read features the event did not step, lazily); a
restarted engine rebuilds its state from the journal with ``Engine.rebuild``, which only observes.
Both must hold the same state, spelled by ``Catalog.state_digest`` (``GET /v1/admin/state``), and
decide what comes next the same way.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_engine
from tests.strategies import HOUR, event_streams
from vigil.adapters.memory import MemoryJournal
from vigil.features import context_of, default_catalog
from vigil.features.specs import Key, Window, scope
from vigil.features.stats import Sum
from vigil.features.windows import CountWindow, DistinctWindow, TimeWindow
from vigil.model import Decision, Event, EventType
from vigil.model.access import Role


def _late(stream: list[Event], swaps: list[int]) -> list[Event]:
    """The stream with some neighbours swapped: late events, which windows count at their latest time."""
    out = list(stream)
    for i in swaps:
        if 0 < i < len(out):
            out[i - 1], out[i] = out[i], out[i - 1]
    return out


def _strip(decision: Decision) -> Decision:
    return replace(decision, elapsed_us=0.0, trace=tuple(replace(t, elapsed_ns=0) for t in decision.trace))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_streams(1, 60), st.lists(st.integers(0, 60), max_size=6))
def test_a_rebuilt_engine_holds_the_live_engines_state(stream: list[Event], swaps: list[int]) -> None:
    stream = _late(stream, swaps)
    journal = MemoryJournal()
    live = make_engine(journal)
    for event in stream:
        live.decide(event)  # the rules read features: reads happen
    restarted = make_engine(journal)
    assert restarted.rebuild() == len(stream)
    assert restarted.catalog.state_digest() == live.catalog.state_digest()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_streams(2, 60), st.lists(st.integers(0, 60), max_size=6), st.integers(1, 59))
def test_a_restart_midway_decides_the_rest_as_the_live_engine_does(
    stream: list[Event], swaps: list[int], cut: int
) -> None:
    stream = _late(stream, swaps)
    cut = min(cut, len(stream) - 1)
    running = make_engine()
    expected = [_strip(running.decide(e)) for e in stream]
    journal = MemoryJournal()
    first = make_engine(journal)
    for event in stream[:cut]:
        first.decide(event)
    restarted = make_engine(journal)
    restarted.rebuild()
    assert [_strip(restarted.decide(e)) for e in stream[cut:]] == expected[cut:]
    assert restarted.catalog.state_digest() == running.catalog.state_digest()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_streams(1, 60))
def test_reading_every_feature_of_every_event_leaves_the_digest_unchanged(stream: list[Event]) -> None:
    reading, blind = default_catalog(), default_catalog()
    for event in stream:
        vector = reading.observe(context_of(event))
        before = reading.state_digest()
        vector.materialise()
        assert reading.state_digest() == before
        blind.observe(context_of(event))
    assert reading.state_digest() == blind.state_digest()


def test_a_read_between_a_late_event_and_its_window_does_not_move_the_window() -> None:
    """The case that showed it: a read at t2 must not make a later event at t1 < t2 count at t2."""
    spec = Window(Key.ACCOUNT, scope(EventType.DEPOSIT), "sum", 2 * HOUR, "fiat")
    for state in (spec.new_state(), TimeWindow(Sum(), 2 * HOUR)):
        state.update(100, 10 * HOUR)
        untouched = repr([getattr(state, s) for s in type(state).__slots__])
        assert state.value_at(13 * HOUR) == 0.0  # the deposit at 10h is out of (11h, 13h]
        assert state.value_at(11 * HOUR) == 100.0
        assert repr([getattr(state, s) for s in type(state).__slots__]) == untouched


def test_compact_windows_read_without_moving() -> None:
    counts, distinct = CountWindow(HOUR), DistinctWindow(HOUR)
    for t, x in ((1, "a"), (HOUR // 2, "b"), (HOUR, "a")):
        counts.update(x, t)
        distinct.update(x, t)
    assert counts.value_at(HOUR + 1) == 2.0 and counts.value_at(2 * HOUR) == 0.0
    assert distinct.value_at(HOUR + HOUR // 2) == 1.0 and distinct.value_at(HOUR + 1) == 2.0
    assert counts.t == HOUR and distinct.t == HOUR and len(counts) == 3
    counts.update("c", 2 * HOUR)
    assert counts.get() == 1.0  # (HOUR, 2*HOUR]: only "c"


def test_the_servers_state_digest_survives_a_restart(tmp_path: Path) -> None:
    """``GET /v1/admin/state`` before and after ``vigil serve`` restarts on the same database."""
    from tests.api.conftest import api_settings, open_api
    from tests.conftest import Events

    events = Events()
    settings = api_settings(tmp_path)
    before: dict[str, object] = {}
    for api in open_api(settings):
        api.post_event(events.deposit(0, fiat="20000"))
        for i in range(1, 12):  # late withdrawals read the deposit window hours after it
            api.post_event(events.login(60 * i))
            api.post_event(events.withdrawal(60 * i + 1, fiat=str(100 + i)))
        before = api.client.get("/v1/admin/state", headers=api.headers(Role.AUDITOR)).json()
    for api in open_api(settings):
        after = api.client.get("/v1/admin/state", headers=api.headers(Role.AUDITOR)).json()
        assert after["events"] == before["events"] == 23
        assert after["feature_state"] == before["feature_state"]
