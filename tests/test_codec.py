"""Events at the edge: every malformed input is an InvalidEvent naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Events, make_engine
from vigil.codec import decision_view, decode_decision, decode_event, encode_decision, encode_event
from vigil.errors import InvalidEvent
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
    view = decision_view(d, full_trace=True)
    assert view["outcome"] == d.outcome.label
    assert view["rules_evaluated"] == len(d.trace) == len(view["trace"])
    short = decision_view(d)
    assert all(t["matched"] or "error" in t for t in short["trace"])
