"""Protections in proportion to risk: delays (automatic friction) against holds (a person looks).

A cooling period is a delay the exchange enforces and that ends by itself; it never raises an alert.
A trusted customer (long tenure, a device in use for weeks, a modest amount) meets a step-up; the
same request minutes after a password reset from a device that came with the reset is held.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from vigil.adapters.memory import MemoryJournal
from vigil.codec import decision_view, decode_decision, encode_decision
from vigil.desk.alerts import flag_of
from vigil.engine import Engine
from vigil.errors import InvalidRules
from vigil.features import default_catalog
from vigil.model import AddressBookAction, AddressBookChanged, Chain, Outcome, PasswordReset, ReasonCode
from vigil.rules import load_rules
from vigil.rules.loader import Source

from .conftest import T0, Events, builtin_rules

DAY_MIN = 24 * 60
ADDRESS = "0x00000000000000000000000000000000000000d1"


def _engine() -> Engine:
    return Engine(default_catalog(), builtin_rules(), MemoryJournal())


def _customer_since(engine: Engine, events: Events, days: float) -> None:
    """An account opened ``days`` ago that has used dev-1 ever since."""
    engine.decide(events.login(-days * DAY_MIN))
    engine.decide(events.deposit(-days * DAY_MIN + 5, fiat="5000"))


def _add(engine: Engine, events: Events, minutes: float, **kw: object) -> None:
    engine.decide(
        AddressBookChanged(
            **events._base(minutes, **kw), action=AddressBookAction.ADD, chain=Chain.ETH, address=ADDRESS
        )
    )


def test_a_trusted_customer_sending_a_modest_amount_to_a_new_address_meets_a_step_up(events: Events) -> None:
    engine = _engine()
    _customer_since(engine, events, 400)
    _add(engine, events, 0)
    w = events.withdrawal(5, fiat="800", destination_address=ADDRESS)
    d = engine.decide(w)
    assert d.outcome is Outcome.CHALLENGE
    assert d.delay_until_us is None
    assert ReasonCode.PROTECT_NEW_ADDRESS_STEP_UP in {r.code for r in d.reasons}
    assert flag_of(w, d) is None


def test_a_new_customer_or_a_large_amount_to_a_new_address_is_delayed_until_the_cooling_ends(
    events: Events,
) -> None:
    engine = _engine()
    _customer_since(engine, events, 400)
    _add(engine, events, 0)
    w = events.withdrawal(60, fiat="25000", destination_address=ADDRESS)
    d = engine.decide(w)
    assert d.outcome is Outcome.ALLOW  # no person needs to look
    added = T0
    assert d.delay_until_us == int((added + timedelta(hours=24)).timestamp() * 1_000_000)
    reason = next(r for r in d.reasons if r.code is ReasonCode.PROTECT_COOLING_NEW_ADDRESS)
    assert reason.delay_s == pytest.approx(23 * 3600)
    assert any("24 hours" in n for n in d.notices)  # the customer is told
    view = decision_view(d)
    assert view["delay_until"] == "2026-03-02T12:00:00Z"
    assert decode_decision(encode_decision(d)) == d
    assert decode_decision(encode_decision(d), trace=False).delay_until_us == d.delay_until_us
    assert flag_of(w, d) is None  # a delay never reaches the desk

    young = Events()
    young.n = 1000
    engine2 = _engine()
    _customer_since(engine2, young, 10)  # ten days old: not trusted yet
    _add(engine2, young, 0)
    d2 = engine2.decide(young.withdrawal(5, fiat="100", destination_address=ADDRESS))
    assert d2.outcome is Outcome.ALLOW and d2.delay_until_us is not None


def test_a_password_reset_on_a_known_device_delays_and_from_the_reset_device_holds(events: Events) -> None:
    engine = _engine()
    _customer_since(engine, events, 400)
    engine.decide(PasswordReset(**events._base(0)))
    d = engine.decide(events.withdrawal(30, fiat="300"))
    assert d.outcome is Outcome.ALLOW
    assert {r.code for r in d.reasons} >= {ReasonCode.PROTECT_COOLING_PASSWORD_RESET}
    assert d.delay_until_us == int((T0 + timedelta(hours=24)).timestamp() * 1_000_000)

    thief = {"device_id": "dev-new", "ip": "198.51.100.4"}
    engine.decide(PasswordReset(**events._base(60, **thief)))
    w = events.withdrawal(62, fiat="300", **thief)
    held = engine.decide(w)
    assert held.outcome is Outcome.HOLD
    assert ReasonCode.PROTECT_RECENT_CHANGE_NEW_DEVICE in {r.code for r in held.reasons}
    assert flag_of(w, held) is not None


PACK = """
pack: p
params:
  h: {value: 2, doc: "hours"}
rules:
  - id: r.delay
    events: [withdrawal]
    when: event.fiat_value > 0
    delay: DELAY
    reason: protect.cooling_new_address
    notice: "wait"
"""


def _rules(delay: str, extra: str = "") -> Engine:
    text = PACK.replace("DELAY", delay) + extra
    return Engine(default_catalog(), load_rules([Source("p.yaml", text)], default_catalog()), MemoryJournal())


def test_a_delay_that_cannot_be_computed_fails_closed_into_a_hold(events: Events) -> None:
    assert _rules("hours(params.h)").decide(events.withdrawal(0)).delay_until_us is not None
    d = _rules("account.address_book.destination_age_s").decide(events.withdrawal(1))  # missing: None
    assert d.outcome is Outcome.HOLD and d.delay_until_us is None
    assert "could not be computed" in d.reasons[0].detail
    assert _rules("0 - hours(1)").decide(events.withdrawal(2)).delay_until_us == events_ts_us(events, 2)


def events_ts_us(events: Events, minutes: float) -> int:
    return int((T0 + timedelta(minutes=minutes)).timestamp() * 1_000_000)


@pytest.mark.parametrize(
    ("delay", "extra", "message"),
    [
        ("hours(params.h)", "    outcome: hold\n", "cannot go with outcome hold"),
        ("hours(params.nope)", "", "unknown parameter"),
        ("hours(", "", "syntax error"),
        ("nosuch.feature", "", "nosuch"),
    ],
)
def test_bad_delays_are_refused_at_load_naming_the_field(delay: str, extra: str, message: str) -> None:
    with pytest.raises(InvalidRules, match=message) as info:
        _rules(delay, extra)
    assert "r.delay" in str(info.value)


def test_a_trusted_customers_large_delay_is_waived_for_a_step_up_only_when_the_model_sees_low_risk(
    events: Events,
) -> None:
    from vigil.ml.dataset import Evidence
    from vigil.ml.scorer import ModelScore

    class FixedModel:  # a test double for the Scorer
        version = "global=m1"

        def __init__(self, outcome: Outcome) -> None:
            self.outcome = outcome

        def score(self, vector: object, event: object, evidence: Evidence) -> ModelScore:
            return ModelScore("m1", 0.001 if self.outcome is Outcome.ALLOW else 0.9, self.outcome, ())

        def close(self) -> None:
            pass

    decisions = {}
    for says in (None, Outcome.ALLOW, Outcome.REVIEW):
        engine = Engine(
            default_catalog(),
            builtin_rules(),
            MemoryJournal(),
            scorer=None if says is None else FixedModel(says),  # type: ignore[arg-type]
        )
        e = Events()
        _customer_since(engine, e, 400)
        _add(engine, e, 0)
        decisions[says] = engine.decide(e.withdrawal(5, fiat="25000", destination_address=ADDRESS))
    assert decisions[None].delay_until_us is not None  # rules only: the large amount waits
    waived = decisions[Outcome.ALLOW]
    assert waived.delay_until_us is None and waived.outcome is Outcome.CHALLENGE
    assert ReasonCode.PROTECT_DELAY_WAIVED in {r.code for r in waived.reasons}
    assert not waived.notices  # nothing to tell the customer about a delay that is not there
    kept = decisions[Outcome.REVIEW]
    assert kept.delay_until_us is not None and kept.outcome is Outcome.REVIEW


def test_waivable_needs_a_delay() -> None:
    with pytest.raises(InvalidRules, match="'waivable' applies to a delay"):
        load_rules(
            [
                Source(
                    "p.yaml",
                    "pack: p\nrules:\n"
                    "  - {id: r, when: 'true', reason: protect.cooling_new_address, waivable: true}\n",
                )
            ],
            default_catalog(),
        )
