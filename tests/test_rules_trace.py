"""The compact trace (issue 22): evaluating without timing or tracing the rules that did not match gives
the same decisions as the full trace, and the full trace can still be read back for a stored decision.

The streams are the example stream and a small simulated world (crime scaled up), decided with the
built-in packs; every event is evaluated both ways on the same feature vector.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.conftest import LISTS, Events, builtin_rules
from vigil.adapters.memory import MemoryJournal
from vigil.codec import decision_view, decode_event
from vigil.engine import Engine
from vigil.features import default_catalog
from vigil.features.context import context_of
from vigil.model import Decision, Event, RuleTrace
from vigil.rules import Evaluation, RuleSet, Source, load_rules
from vigil.sim import SimConfig, example_stream, write_simulation

SIMULATED = SimConfig(accounts=400, days=2.0, seed=22, crime_scale=40.0)


def simulated() -> list[Event]:
    if not LISTS.is_dir():  # pragma: no cover - the CI layout always has ../shared
        pytest.fail(f"the shared reference data is missing: expected {LISTS}", pytrace=False)
    events, labels, claims = io.BytesIO(), io.BytesIO(), io.BytesIO()
    write_simulation(SIMULATED, events, labels, claims, lists=LISTS)
    return [decode_event(line) for line in events.getvalue().splitlines()]


STREAMS = {
    "example": lambda: list(example_stream(n_accounts=120, days=14, seed=5)),
    "simulated": simulated,
}


def untimed(trace: tuple[RuleTrace, ...]) -> tuple[RuleTrace, ...]:
    return tuple(replace(t, elapsed_ns=None) for t in trace)


def outcome_of(e: Evaluation) -> tuple[object, ...]:
    """Everything an evaluation decides with: all of it but the trace."""
    return (
        e.score,
        e.forced,
        e.reasons,
        e.delay_s,
        e.notices,
        e.waivable_delay_s,
        e.waivable_notices,
        e.rules_evaluated,
    )


def both_ways(rules: RuleSet, events: list[Event]) -> Iterator[tuple[Event, Evaluation, Evaluation]]:
    catalog = default_catalog()
    for event in events:
        features = catalog.observe(context_of(event, event.network))
        # The full path first on odd events: lazy feature reads must not depend on who read first.
        if len(event.event_id) % 2:
            full = rules.evaluate(event, features, event.network, trace=True)
            compact = rules.evaluate(event, features, event.network)
        else:
            compact = rules.evaluate(event, features, event.network)
            full = rules.evaluate(event, features, event.network, trace=True)
        yield event, compact, full


@pytest.mark.parametrize("stream", list(STREAMS))
def test_the_compact_and_the_full_trace_decide_alike_on_the_built_in_packs(stream: str) -> None:
    rules = builtin_rules()
    events = STREAMS[stream]()
    seen = {"reasons": 0, "unknown": 0, "delays": 0}
    for event, compact, full in both_ways(rules, events):
        assert outcome_of(compact) == outcome_of(full), event.event_id
        assert full.rules_evaluated == len(full.trace) == len(rules.applicable(event.TYPE, event.region))
        assert all(t.elapsed_ns is not None for t in full.trace)
        assert all(t.elapsed_ns is None for t in compact.trace)
        # The compact trace is the full one without the rules that were simply false ...
        assert compact.trace == tuple(t for t in untimed(full.trace) if t.matched is not False)
        # ... and explain() puts them back.
        assert rules.explain(event.TYPE, event.region, compact.trace) == untimed(full.trace)
        seen["reasons"] += len(compact.reasons)
        seen["unknown"] += sum(t.matched is None for t in compact.trace)
        seen["delays"] += compact.delay_until_s is not None
    assert seen["reasons"] > 500 and seen["unknown"] > 500 and seen["delays"] > 5, seen  # exercised


def test_engines_with_and_without_the_full_trace_make_the_same_decisions() -> None:
    events = list(example_stream(n_accounts=60, days=10, seed=9))
    compact = Engine(default_catalog(), builtin_rules(), MemoryJournal())
    full = Engine(default_catalog(), builtin_rules(), MemoryJournal(), full_trace=True)

    def without_times(d: Decision) -> Decision:
        return replace(d, elapsed_us=0.0, trace=untimed(d.trace))

    for event in events:
        a, b = compact.decide(event), full.decide(event)
        assert without_times(replace(a, trace=b.trace)) == without_times(b)
        assert decision_view(a)["trace"] == [
            {k: v for k, v in t.items() if k != "elapsed_ns"} for t in decision_view(b)["trace"]
        ]
        explained = compact.explain(event.event_id)
        assert explained is not None and without_times(explained) == without_times(b)


PACK = """
pack: t
rules:
  - {id: t.big, events: [withdrawal], when: "event.fiat_value >= 1000", score: 60, reason: memo.illicit_terms,
     detail: "{event.fiat_value} or more"}
  - {id: t.small, events: [withdrawal], when: "event.fiat_value < 1", reason: memo.illicit_terms}
  - {id: t.broken, events: [withdrawal], when: "lower(event.amount) == 'x'", reason: memo.illicit_terms}
  - {id: t.shadow, events: [withdrawal], when: "true", mode: shadow, reason: memo.illicit_terms}
  - {id: t.unknown, events: [withdrawal], when: "account.travel.speed_kmh > 5", reason: memo.illicit_terms}
"""


def test_the_compact_trace_keeps_what_fired_failed_or_could_not_say_and_counts_the_rest(
    events: Events,
) -> None:
    rules = load_rules([Source("t.yaml", PACK)], default_catalog())
    engine = Engine(default_catalog(), rules, MemoryJournal())
    d = engine.decide(events.withdrawal(fiat="1500"))
    assert [(t.rule_id, t.matched, t.error is not None) for t in d.trace] == [
        ("t.big", True, False),
        ("t.broken", None, True),
        ("t.shadow", True, False),
        ("t.unknown", None, False),
    ]
    assert d.rules_evaluated == 5 and d.shadow_matches == ("t.shadow",) and len(d.rule_errors) == 1
    assert [(r.rule_id, r.detail) for r in d.reasons] == [("t.big", "1500 or more")]
    view = decision_view(d)
    assert view["rules_evaluated"] == 5
    assert [t["rule"] for t in view["trace"]] == ["t.big", "t.broken", "t.shadow"]  # matched or failed
    explained = engine.explain(d.event_id)
    assert explained is not None
    assert [(t.rule_id, t.matched) for t in explained.trace] == [
        ("t.big", True),
        ("t.small", False),
        ("t.broken", None),
        ("t.shadow", True),
        ("t.unknown", None),
    ]
    assert engine.explain("never-decided") is None


def test_after_a_rule_change_a_stored_trace_is_served_as_it_was(events: Events) -> None:
    journal = MemoryJournal()
    before = Engine(default_catalog(), load_rules([Source("t.yaml", PACK)], default_catalog()), journal)
    d = before.decide(events.withdrawal(fiat="1500"))
    changed = PACK.replace("fiat_value < 1", "fiat_value < 2")
    after = Engine(default_catalog(), load_rules([Source("t.yaml", changed)], default_catalog()), journal)
    assert after.rules.version != before.rules.version
    assert after.explain(d.event_id) == d  # the rules that did not match then are not guessed from today's
    assert decision_view(d, full_trace=True)["rules_evaluated"] == 5


def test_decisions_stored_before_the_count_read_as_they_did(events: Events) -> None:
    d = Engine(default_catalog(), builtin_rules(), MemoryJournal(), full_trace=True).decide(
        events.withdrawal()
    )
    old = replace(d, rules_evaluated=0)  # a decision stored before rules_evaluated was kept: full trace
    assert old.evaluated == len(old.trace) == d.rules_evaluated
    assert decision_view(old, full_trace=True)["rules_evaluated"] == len(d.trace)
