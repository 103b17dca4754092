"""Events at the edge: every malformed input is an InvalidEvent naming the field."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import pytest

from tests import hostile
from tests.conftest import Events, make_engine
from vigil.codec import Admission, decision_view, decode_decision, decode_event, encode_decision, encode_event
from vigil.engine.idempotency import check_retry
from vigil.errors import EventIdReused, InvalidEvent
from vigil.model import Deposit

GOOD: dict[str, Any] = {
    "type": "deposit",
    "event_id": "e1",
    "account_id": "a1",
    "ts": "2026-01-01T10:00:00Z",
    "region": "EU",
    "rail": "crypto",
    "asset": "USDT",
    "amount": 1_000_000,
    "fiat_value": "1.00",
    "chain": "TRON",
}


def with_(**kw: Any) -> bytes:
    data = {**GOOD, **kw}
    return json.dumps({k: v for k, v in data.items() if v is not ...}).encode()


def test_a_good_event_decodes() -> None:
    e = decode_event(with_())
    assert isinstance(e, Deposit)
    assert e.amount == 1_000_000 and str(e.fiat_value) == "1.00"


@pytest.mark.parametrize(
    ("raw", "field", "needle"),
    [
        (b'{"type": "deposit", ', None, "malformed JSON"),
        (b"[1, 2]", None, "Expected `object`"),
        (b"", None, "malformed JSON"),
        (with_(type="teleport"), "type", "unknown event type 'teleport'"),
        (with_(type=...), "type", "missing event type"),
        (with_(amount=...), "amount", "missing required field"),
        (with_(amount="12"), "amount", "Expected `int`, got `str`"),
        (with_(amount=-5), "amount", "must be a positive integer"),
        (with_(amount=0), "amount", "must be a positive integer"),
        (with_(amount=1.5), "amount", "Expected `int`, got `float`"),
        (with_(fiat_value="-1"), "fiat_value", "non-negative"),
        (with_(fiat_value="NaN"), "fiat_value", "finite"),
        (with_(ts="2026-01-01T10:00:00"), "ts", "has no timezone"),
        (with_(ts="yesterday"), "ts", "Invalid RFC3339"),
        (with_(chain="DOGECOIN"), "chain", "Invalid enum value 'DOGECOIN'"),
        (with_(chain=...), "chain", "a crypto deposit needs its chain"),
        (with_(rail="carrier-pigeon"), "rail", "Invalid enum value"),
        (with_(asset="usdt"), "asset", "not an asset ticker"),
        (with_(event_id=""), "event_id", "must not be empty"),
        (with_(ip="999.1.1.1"), "ip", "not an IPv4 or IPv6 address"),
        (with_(country="Germany"), "country", "ISO 3166-1"),
        (with_(geo={"lat": 91, "lon": 0}), "geo.lat", "outside [-90, 90]"),
        (with_(geo={"lat": 1}), "geo.lon", "missing required field"),
        (with_(network={"country": "de"}), "network.country", "ISO 3166-1"),
        (with_(source_address="has space"), "source_address", "not a blockchain address"),
    ],
)
def test_bad_input_names_the_field(raw: bytes, field: str | None, needle: str) -> None:
    with pytest.raises(InvalidEvent) as info:
        decode_event(raw)
    assert info.value.field == field
    assert needle in info.value.message
    if field is not None:
        assert f"field {field!r}" in str(info.value)


def test_timestamps_are_converted_to_utc_and_ips_canonicalised() -> None:
    e = decode_event(with_(ts="2026-01-01T12:00:00+02:00", ip="2001:DB8::0:1"))
    assert e.ts.isoformat() == "2026-01-01T10:00:00+00:00"
    assert e.ip == "2001:db8::1"


def test_huge_base_unit_amounts_are_exact() -> None:
    wei = 123_456_789_012_345_678_901_234_567_890
    assert decode_event(with_(amount=wei)).amount == wei  # type: ignore[attr-defined]


def test_events_round_trip(events: Events) -> None:
    for e in (events.login(), events.deposit(), events.withdrawal(memo="tag 1")):
        assert decode_event(encode_event(e)) == e


def test_decisions_round_trip_and_read_well(events: Events) -> None:
    engine = make_engine()
    d = engine.decide(events.withdrawal(fiat="100"))
    assert decode_decision(encode_decision(d)) == d
    assert len(d.trace) < d.rules_evaluated  # a compact trace: what matched, failed or could not say
    explained = engine.explain(d.event_id)
    assert explained is not None and replace(explained, trace=d.trace) == d
    assert set(d.trace) <= set(explained.trace)
    view = decision_view(explained, full_trace=True)
    assert view["outcome"] == d.outcome.label
    assert view["rules_evaluated"] == d.rules_evaluated == len(explained.trace) == len(view["trace"])
    assert all("elapsed_ns" not in t for t in view["trace"])  # rules are timed only on a full trace
    short = decision_view(d)
    assert short["rules_evaluated"] == d.rules_evaluated
    assert all(t["matched"] or "error" in t for t in short["trace"])


# -- issue 17: hostile input is an InvalidEvent naming the problem -----------------------------------


@pytest.mark.parametrize(("name", "raw", "field", "needle"), hostile.MODEL, ids=[p[0] for p in hostile.MODEL])
def test_hostile_input_is_refused_naming_the_problem(
    name: str, raw: bytes, field: str | None, needle: str
) -> None:
    with pytest.raises(InvalidEvent) as info:
        decode_event(raw)
    assert info.value.field == field, info.value
    assert needle in info.value.message
    assert len(info.value.message) < 400  # a long or hostile value is described, not echoed


@pytest.mark.parametrize(
    ("name", "raw", "field", "needle"), hostile.ADMISSION, ids=[p[0] for p in hostile.ADMISSION]
)
def test_the_edge_admits_configured_regions_and_a_window_around_now(
    name: str, raw: bytes, field: str | None, needle: str
) -> None:
    decode_event(raw)  # the model alone takes them: replaying old streams is the edge's choice
    admission = Admission(regions={"EU", "NA"}, max_age_s=3650 * 86_400, max_ahead_s=86_400)
    with pytest.raises(InvalidEvent) as info:
        decode_event(raw, admission)
    assert info.value.field == field and needle in info.value.message


def test_the_window_is_around_now_and_configurable() -> None:
    now_us = 1_800_000_000 * 10**6
    event = decode_event(with_(ts="2026-01-01T10:00:00Z"))
    Admission(max_age_s=10 * 365 * 86_400, max_ahead_s=60).check(event, now_us)  # 2027: months old
    with pytest.raises(InvalidEvent, match="more than 30 days before now"):
        Admission(max_age_s=30 * 86_400).check(event, now_us)
    with pytest.raises(InvalidEvent, match="more than 60 seconds after now"):
        Admission(max_ahead_s=60).check(event, event.ts_us - 61 * 10**6)


def test_a_lone_surrogate_in_a_str_is_an_invalid_event() -> None:
    with pytest.raises(InvalidEvent, match="not valid Unicode"):
        decode_event(with_().decode().replace('"a1"', '"a\ud800"'))


def test_identifiers_text_and_names_keep_what_real_input_has() -> None:
    e = decode_event(with_(account_id="acc 42/ü", payment_method="Bank · מזכר"))
    assert e.account_id == "acc 42/ü"
    kyc = {k: v for k, v in GOOD.items() if k not in ("rail", "asset", "amount", "fiat_value", "chain")}
    name = decode_event(json.dumps({**kyc, "type": "kyc_submitted", "full_name": "Mehr\u200cnaz Karimi"}))
    assert name.full_name == "Mehr\u200cnaz Karimi"  # type: ignore[attr-defined]  # ZWNJ: Persian needs it


def test_every_string_field_of_every_event_is_checked() -> None:
    from vigil.model import EVENT_CLASSES
    from vigil.model.checks import string_checks

    for cls in EVENT_CLASSES.values():
        checked = {name for name, _ in string_checks(cls)}
        assert {"event_id", "account_id", "device_id"} <= checked, cls


# A crypto deposit as the release of 2026-12-06 wrote and digested it: before ``uncredited``,
# ``deposit_address`` and ``memo`` existed (issue 18).
OLD_DEPOSIT = (
    b'{"type":"deposit","event_id":"ev-1","account_id":"acc-1","ts":"2026-01-05T02:58:31.560787Z",'
    b'"region":"ID","country":null,"device_id":null,"ip":null,"geo":null,"network":null,"rail":"crypto",'
    b'"asset":"USDT","amount":481762213,"fiat_value":"481.76","chain":"TRON","tx_hash":null,'
    b'"source_address":"Tb2310397d2e51d5b8c682865b61b7a9f2","payment_method":null}'
)


def test_a_deposit_without_the_late_fields_keeps_its_canonical_form_and_both_digests_are_retries() -> None:
    event = decode_event(OLD_DEPOSIT)
    assert isinstance(event, Deposit)
    assert encode_event(event) == OLD_DEPOSIT  # the digest decisions kept before the fields existed
    nulls = encode_event(event, late_nulls=True)
    assert nulls == OLD_DEPOSIT[:-1] + b',"uncredited":null,"deposit_address":null,"memo":null}'
    assert decode_event(nulls) == event
    decided = make_engine().decide(event)
    for form in (OLD_DEPOSIT, nulls):  # the release of 2026-12-07 digested the form with nulls
        stored = replace(decided, input_digest=hashlib.sha256(form).hexdigest()[:32])
        check_retry(event, stored)  # a retry, not a reused id
    with pytest.raises(EventIdReused):
        check_retry(replace(event, memo="123"), decided)
    assert b'"memo":"123"}' in encode_event(replace(event, memo="123"))
