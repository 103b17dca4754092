"""The engine: outcomes and reasons, idempotency, determinism, broken rules, reloads, rebuilds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import Events, builtin_rules, make_engine
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.rule_files import DirectoryRules
from vigil.engine import Engine
from vigil.errors import InvalidRules, StorageError
from vigil.features import context_of, default_catalog
from vigil.model import (
    AddressBookAction,
    AddressBookChanged,
    Chain,
    Decision,
    Event,
    NetworkOrigin,
    Outcome,
    PasswordReset,
    ReasonCode,
)
from vigil.rules import Source, load_rules
from vigil.sim import example_stream

PACK = """
pack: test
params:
  big: {value: 1000, doc: "a big amount"}
rules:
  - id: t.big
    events: [withdrawal]
    when: event.fiat_value >= params.big
    score: 60
    reason: behaviour.high_value_new_destination
    detail: "{event.fiat_value} is big"
  - id: t.broken
    events: [withdrawal]
    when: lower(event.amount) == "x"
    score: 100
    outcome: block
    reason: memo.illicit_terms
  - id: t.shadow
    events: [withdrawal]
    when: event.fiat_value > 0
    score: 500
    outcome: block
    mode: shadow
    reason: memo.illicit_terms
  - id: t.tor
    when: origin.is_tor
    outcome: hold
    reason: anonymity.tor
"""
THRESHOLDS = """
thresholds:
  default: {review: 50, hold: 100}
  ID: {review: 30}
"""


def engine_with(pack: str = PACK, thresholds: str = THRESHOLDS) -> Engine:
    rules = load_rules([Source("p.yaml", pack), Source("thresholds.yaml", thresholds)], default_catalog())
    return Engine(default_catalog(), rules, MemoryJournal())


def test_score_over_the_region_threshold_reviews_with_a_readable_reason(events: Events) -> None:
    d = engine_with().decide(events.withdrawal(fiat="1500.00"))
    assert d.outcome is Outcome.REVIEW
    assert d.score == 60
    assert d.reasons[0].code is ReasonCode.BEHAVIOUR_HIGH_VALUE_NEW_DESTINATION
    assert d.reasons[0].detail == "1500.00 is big"


def test_region_thresholds_override_the_default(events: Events) -> None:
    e = engine_with()
    assert e.decide(events.withdrawal(fiat="999")).outcome is Outcome.ALLOW
    lower = engine_with(PACK.replace("score: 60", "score: 35"))
    assert lower.decide(events.withdrawal(fiat="1000", region="ID")).outcome is Outcome.REVIEW
    assert lower.decide(events.withdrawal(fiat="1000", region="EU")).outcome is Outcome.ALLOW


def test_a_broken_rule_is_traced_and_never_crashes_the_decision(events: Events) -> None:
    d = engine_with().decide(events.withdrawal(fiat="10"))
    broken = next(t for t in d.trace if t.rule_id == "t.broken")
    assert broken.matched is None
    assert broken.error is not None and "AttributeError" in broken.error
    assert d.outcome is Outcome.ALLOW
    assert d.rule_errors == (broken,)


def test_shadow_rules_are_traced_but_never_change_the_outcome(events: Events) -> None:
    d = engine_with().decide(events.withdrawal(fiat="10"))
    assert d.shadow_matches == ("t.shadow",)
    assert d.outcome is Outcome.ALLOW
    assert d.score == 0
    assert all(r.rule_id != "t.shadow" for r in d.reasons)


def test_a_forced_outcome_wins_over_a_low_score(events: Events) -> None:
    d = engine_with().decide(events.login(network=NetworkOrigin(country="NL", is_tor=True)))
    assert d.outcome is Outcome.HOLD
    assert [r.code for r in d.reasons] == [ReasonCode.ANONYMITY_TOR]


def test_the_same_event_id_returns_the_stored_decision_and_counts_once(events: Events) -> None:
    engine = make_engine()
    first = events.withdrawal(fiat="100")
    d1 = engine.decide(first)
    d2 = engine.decide(replace(first, fiat_value=first.fiat_value * 100))  # a retry with other content
    assert d2 == d1
    nxt = engine.decide(events.withdrawal(minutes=1, fiat="100"))
    assert nxt is not None
    assert engine.journal.count() == 2
    # Two withdrawals counted, not three: the retry had no effect on feature state.
    probe = engine.catalog.observe(context_of(events.login(minutes=2)))
    assert probe["account.withdrawal.count_24h"] == 2.0


def _strip(d: Decision) -> Decision:
    return replace(d, elapsed_us=0.0, trace=tuple(replace(t, elapsed_ns=0) for t in d.trace))


def test_decisions_are_deterministic_for_the_same_input() -> None:
    stream = list(example_stream(n_accounts=24, days=10, seed=3))
    e1, e2 = make_engine(), make_engine()
    a = [_strip(e1.decide(e)) for e in stream]
    b = [_strip(e2.decide(e)) for e in stream]
    assert a == b
    assert {d.outcome for d in a} > {Outcome.ALLOW}, "the example stream should trigger rules"


def test_rebuild_from_the_journal_gives_the_same_decisions_as_running_on() -> None:
    stream = list(example_stream(n_accounts=24, days=10, seed=5))
    half = len(stream) // 2
    journal = MemoryJournal()
    running = make_engine()
    expected = [_strip(running.decide(e)) for e in stream]
    first = make_engine(journal)
    for e in stream[:half]:
        first.decide(e)
    restarted = make_engine(journal)
    assert restarted.rebuild() == half
    got = [_strip(restarted.decide(e)) for e in stream[half:]]
    assert got == expected[half:]


class FlakyJournal(MemoryJournal):
    def __init__(self) -> None:
        super().__init__()
        self.fail_next = False

    def record(self, event: Event, decision: Decision) -> None:
        if self.fail_next:
            self.fail_next = False
            raise StorageError("disk full")
        super().record(event, decision)


def test_a_failed_write_leaves_feature_state_consistent_with_the_journal(events: Events) -> None:
    journal = FlakyJournal()
    engine = make_engine(journal)
    engine.decide(events.withdrawal(minutes=0))
    journal.fail_next = True
    lost = events.withdrawal(minutes=1)
    with pytest.raises(StorageError):
        engine.decide(lost)
    d = engine.decide(lost)  # the retry succeeds and counts once
    assert d.event_id == lost.event_id
    assert engine.catalog.observe(context_of(events.login(minutes=2)))["account.withdrawal.count_24h"] == 2.0


def test_rules_reload_without_restart_and_a_broken_reload_keeps_the_old_rules(
    tmp_path: Path, events: Events
) -> None:
    (tmp_path / "p.yaml").write_text(PACK)
    (tmp_path / "thresholds.yaml").write_text(THRESHOLDS)
    source = DirectoryRules(tmp_path)
    rules = load_rules(source.read(), default_catalog())
    engine = Engine(default_catalog(), rules, MemoryJournal(), rule_source=source)
    assert engine.reload_rules() is False  # nothing changed
    assert engine.decide(events.withdrawal(fiat="1500")).outcome is Outcome.REVIEW
    (tmp_path / "p.yaml").write_text(PACK.replace("score: 60", "score: 120"))
    assert engine.reload_rules(force=True) is True
    assert engine.decide(events.withdrawal(minutes=1, fiat="1500")).outcome is Outcome.HOLD
    version = engine.rules.version
    (tmp_path / "p.yaml").write_text(PACK.replace("event.fiat_value >= params.big", "nosuch.feature > 1"))
    with pytest.raises(InvalidRules, match=r"nosuch\.feature"):
        engine.reload_rules(force=True)
    assert engine.rules.version == version
    assert engine.decide(events.withdrawal(minutes=2, fiat="1500")).outcome is Outcome.HOLD


def test_the_builtin_packs_catch_an_account_takeover_drain(events: Events) -> None:
    engine = Engine(default_catalog(), builtin_rules(), MemoryJournal())
    thief = {
        "device_id": "dev-thief",
        "ip": "203.0.113.9",
        "network": NetworkOrigin(country="RU", is_vpn=True),
    }
    engine.decide(events.login(0))
    engine.decide(events.deposit(5, fiat="5000"))
    reset = engine.decide(PasswordReset(**{**events._base(60 * 24 * 3), **thief}))
    assert reset.outcome is Outcome.CHALLENGE
    assert ReasonCode.PROTECT_NEW_DEVICE_CHANGE in {r.code for r in reset.reasons}
    engine.decide(
        AddressBookChanged(
            **{**events._base(60 * 24 * 3 + 2), **thief},
            action=AddressBookAction.ADD,
            chain=Chain.ETH,
            address="0x00000000000000000000000000000000000000d1",
        )
    )
    d = engine.decide(
        events.withdrawal(
            60 * 24 * 3 + 4,
            fiat="4900",
            destination_address="0x00000000000000000000000000000000000000D1",
            **thief,
        )
    )
    assert d.outcome is Outcome.HOLD  # a person must look: the account-takeover pattern
    codes = {r.code for r in d.reasons}
    assert ReasonCode.PROTECT_RECENT_CHANGE_NEW_DEVICE in codes
    assert ReasonCode.PROTECT_COOLING_PASSWORD_RESET not in codes  # the device came with the reset
    assert ReasonCode.PROTECT_COOLING_NEW_ADDRESS in codes  # and the new address delays it besides
    assert d.delay_until_us is not None
    assert ReasonCode.ANONYMITY_VPN_OR_HOSTING in codes


def test_an_engine_on_a_journal_it_has_not_rebuilt_from_still_finds_stored_ids(events: Events) -> None:
    journal = MemoryJournal()
    first = make_engine(journal)
    event = events.deposit(0)
    stored = first.decide(event)
    second = make_engine(journal)  # no rebuild: it cannot trust an empty set of known ids
    decision, made = second.decide_once(event)
    assert (decision, made) == (stored, False)
    second.rebuild()
    assert second.decide_once(event) == (stored, False)
    assert second.decide_once(events.deposit(1))[1] is True


def test_deferred_usage_is_written_with_the_commit(events: Events) -> None:
    from vigil.adapters.memory_screening import MemoryScreeningStore
    from vigil.model import KycSubmitted

    store = MemoryScreeningStore()
    engine = Engine(
        default_catalog(), builtin_rules(), MemoryJournal(), screening_store=store, defer_usage=True
    )
    base = events.login(0)
    engine.decide(
        KycSubmitted(event_id="k1", account_id="alice", ts=base.ts, region="EU", full_name="Alice Doe")
    )
    assert list(store.customers()) == []
    engine.commit()
    assert [c.customer_id for c in store.customers()] == ["alice"]
