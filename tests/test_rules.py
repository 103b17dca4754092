"""Rule files: every load error names the file, the rule and the field; the language's semantics."""

from __future__ import annotations

import pytest

from tests.conftest import Events
from vigil.errors import InvalidRules
from vigil.features import context_of, default_catalog
from vigil.model import Event
from vigil.rules import Source, load_rules

GOOD_RULE = """
pack: p
params:
  n: {value: 3, doc: "a number"}
rules:
  - id: r1
    events: [withdrawal]
    when: {when}
    reason: memo.illicit_terms
    {extra}
"""


def load(when: str = "event.fiat_value > params.n", extra: str = "", text: str | None = None) -> None:
    body = text if text is not None else GOOD_RULE.replace("{when}", when).replace("{extra}", extra)
    load_rules([Source("bad.yaml", body)], default_catalog())


@pytest.mark.parametrize(
    ("when", "extra", "field", "needle"),
    [
        ("nosuch.count_1h > 1", "", "when", "unknown feature 'nosuch.count_1h'"),
        ("event.password > 1", "", "when", "event field 'password'"),
        ("params.missing > 1", "", "when", "unknown parameter 'missing'"),
        ("shout(event.memo)", "", "when", "unknown function 'shout'"),
        ("hours(1, 2) > 0", "", "when", "hours() takes 1..1 arguments, got 2"),
        ("event.fiat_value >", "", "when", "syntax error"),
        ("'(lambda: 1)()'", "", "when", "call registered functions by name"),
        ("'[x for x in [1]]'", "", "when", "not allowed"),
        ("event.memo[0] == 'x'", "", "when", "not allowed"),
        ("event.memo.upper() == 'X'", "", "when", "call registered functions by name"),
        ("origin.city == 'X'", "", "when", "unknown origin field 'city'"),
        ("event.fiat_value ** 2 > 1", "", "when", "not allowed"),
        ("event.fiat_value > 1", "outcome: explode", "outcome", "unknown outcome 'explode'"),
        ("event.fiat_value > 1", "mode: loud", "mode", "mode must be"),
        ("event.fiat_value > 1", "detail: '{nosuch.x}'", "detail", "unknown feature 'nosuch.x'"),
        ("event.fiat_value > 1", "score: lots", None, "Expected `float`"),
        ("event.fiat_value > 1", "colour: red", None, "unknown field `colour`"),
    ],
)
def test_errors_name_the_file_the_rule_and_the_field(
    when: str, extra: str, field: str | None, needle: str
) -> None:
    with pytest.raises(InvalidRules) as info:
        load(when, extra)
    message = str(info.value)
    assert "bad.yaml" in message
    assert "'r1'" in message
    assert needle in message
    if field is not None:
        assert info.value.field == field


def test_unknown_event_type_and_reason_code() -> None:
    with pytest.raises(
        InvalidRules, match=r"bad.yaml, rule 'r1', field 'events': 'withdrawl' is not a valid EventType"
    ):
        load(
            text=GOOD_RULE.replace("[withdrawal]", "[withdrawl]")
            .replace("{when}", "true")
            .replace("{extra}", "")
        )
    with pytest.raises(InvalidRules, match=r"unknown reason code 'memo\.nope'") as info:
        load(
            text=GOOD_RULE.replace("memo.illicit_terms", "memo.nope")
            .replace("{when}", "true")
            .replace("{extra}", "")
        )
    assert info.value.field == "reason"


def test_missing_fields_duplicate_ids_bad_yaml_and_bad_shapes() -> None:
    with pytest.raises(InvalidRules, match="missing required field `when`"):
        load(text="pack: p\nrules:\n  - id: r1\n    reason: memo.illicit_terms\n")
    with pytest.raises(InvalidRules, match="duplicate rule id"):
        rule = "  - {id: r1, when: 'true', reason: memo.illicit_terms}\n"
        load(text="pack: p\nrules:\n" + rule + rule)
    with pytest.raises(InvalidRules, match="not valid YAML"):
        load(text="pack: p\nrules: [\n")
    with pytest.raises(InvalidRules, match="expected a mapping"):
        load(text="- just\n- a list\n")
    with pytest.raises(InvalidRules, match="'events' lists no event type"):
        load(text="pack: p\nrules:\n  - {id: r1, events: [], when: 'true', reason: memo.illicit_terms}\n")


def test_thresholds_must_rise() -> None:
    with pytest.raises(InvalidRules, match="must rise from challenge to block") as info:
        load_rules(
            [Source("thresholds.yaml", "thresholds:\n  default: {review: 80, hold: 50}\n")], default_catalog()
        )
    assert info.value.field == "thresholds.default"


def evaluate(when: str, event: Event) -> bool | None:
    text = (
        f"pack: p\nrules:\n  - id: r\n    events: [withdrawal]\n    when: {when!r}\n"
        "    reason: memo.illicit_terms\n"
    )
    rules = load_rules([Source("p.yaml", text)], default_catalog())
    catalog = default_catalog()
    features = catalog.observe(context_of(event))
    full = rules.evaluate(event, features, event.network, trace=True)
    compact = rules.evaluate(event, features, event.network)  # the same value, traced only if not false
    explained = rules.explain(event.TYPE, event.region, compact.trace)
    assert [(t.matched, t.error) for t in explained] == [(t.matched, t.error) for t in full.trace]
    assert compact.rules_evaluated == full.rules_evaluated == len(full.trace) == 1
    return full.trace[0].matched


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("account.travel.speed_kmh > 5", None),  # missing: unknown, not false
        ("not (account.travel.speed_kmh > 5)", None),
        ("account.travel.speed_kmh > 5 or true", True),
        ("account.travel.speed_kmh > 5 and false", False),
        ("account.travel.speed_kmh > 5 and true", None),
        ("is_missing(account.travel.speed_kmh)", True),
        ("coalesce(account.travel.speed_kmh, 7) == 7", True),
        ("1 < 2 < 3", True),
        ("1 < 3 < 2", False),
        ("event.fiat_value / 0 > 1", None),
        ("event.asset in ['ETH', 'XMR']", True),
        ("event.asset not in ['ETH']", False),
        ("contains_any(event.memo, ['cvv'])", None),
        ("event.year == 2026 and event.hour == 12 and event.type == 'withdrawal'", True),
        ("-event.fiat_value < 0", True),
        ("days(1) == hours(24) and minutes(60) == hours(1)", True),
        ("max(1, 5, 3) == 5 and min(4, 2) == 2 and abs(-3) == 3", True),
        ("lower('ABC') == 'abc'", True),
    ],
)
def test_three_valued_logic_and_functions(when: str, expected: bool | None, events: Events) -> None:
    assert evaluate(when, events.withdrawal(fiat="12.5")) is expected


def test_memo_terms_match_ignoring_case(events: Events) -> None:
    assert evaluate("contains_any(event.memo, ['cvv'])", events.withdrawal(memo="fresh CVV dumps")) is True
    # whole words only: "method" does not contain the word "meth"
    assert evaluate("contains_any(event.memo, ['meth'])", events.withdrawal(memo="payment method")) is False
