"""Hostile inputs of issue 17: each must be refused with an error naming the problem, never a 500.

Shared by the decoder's tests, the API's (single and batch routes) and ``vigil replay --skip-invalid``.
Each probe is ``(name, line, field, needle)``: the JSON line, the field its error names (None for
the body as a whole) and a piece of its message. ``ADMISSION`` probes are refused only where the
edge's ``Admission`` applies (regions, the window around now): the API, replay and decide.
"""

from __future__ import annotations

import json
from typing import Any

GOOD: dict[str, Any] = {
    "type": "withdrawal",
    "event_id": "hostile-0",
    "account_id": "acct-hostile",
    "ts": "2026-03-01T12:00:00Z",
    "region": "EU",
    "rail": "crypto",
    "asset": "USDT",
    "amount": 5_000_000,
    "fiat_value": "5.00",
    "chain": "TRON",
    "destination_address": "TXhostile0000000000000000000000001",
}

Probe = tuple[str, bytes, str | None, str]


def line(n: int, **fields: Any) -> bytes:
    """The good event with ``fields`` changed, and its own event id (``hostile-<n>``)."""
    return json.dumps({**GOOD, "event_id": f"hostile-{n}", **fields}).encode()


def _deep(depth: int) -> bytes:
    return line(90).replace(b'"region"', b'"nested": ' + b"[" * depth + b"]" * depth + b', "region"')


MODEL: list[Probe] = [
    ("invalid UTF-8", line(1, account_id="X").replace(b'"X"', b'"\xff\xfe"'), None, "UTF-8"),
    ("lone surrogate escape", line(2, account_id="X").replace(b'"X"', b'"\\ud800"'), None, "malformed JSON"),
    ("encoded surrogate", line(3, account_id="X").replace(b'"X"', b'"\xed\xa0\x80"'), None, "UTF-8"),
    ("nested 5,000 deep", _deep(5000), None, "nested too deeply"),
    ("amount 10^30", line(4, amount=10**30), "amount", "below 10^30"),
    ("amount 10^400", line(5, amount=10**400), "amount", "401 digits"),
    ("fiat 10^400", line(6, fiat_value="1e400"), "fiat_value", "below 10^18"),
    ("NUL in an id", line(7, account_id="a\x00b"), "account_id", "U+0000"),
    ("newline in an id", line(8, event_id="x\ny"), "event_id", "U+000A"),
    ("bidi override in an id", line(9, account_id="acct\u202eevil"), "account_id", "RIGHT-TO-LEFT OVERRIDE"),
    ("blank id", line(10, account_id="   "), "account_id", "blank"),
    ("id of 10,000 characters", line(11, account_id="a" * 10_000), "account_id", "over the limit of 200"),
    ("device id with a zero-width space", line(12, device_id="dev\u200b1"), "device_id", "U+200B"),
    ("memo with a newline", line(13, memo="pay\nnow"), "memo", "U+000A"),
    ("memo with a bidi isolate", line(14, memo="a\u2067b"), "memo", "U+2067"),
    ("HTML in a region", line(15, region="<b>EU</b>"), "region", "not a region code"),
    ("unknown field", line(16, destination_adress="T..."), "destination_adress", "unknown field"),
    ("unknown field in geo", line(17, geo={"lat": 1, "lon": 2, "alt": 3}), "geo", "unknown field 'alt'"),
    ("Unicode digits in an asset", line(18, asset="USD\u0661"), "asset", "not an asset ticker"),
]

ADMISSION: list[Probe] = [
    ("year 1", line(30, ts="0001-01-01T00:00:00Z"), "ts", "before now"),
    ("year 9999", line(31, ts="9999-12-31T23:59:59Z"), "ts", "after now"),
    ("region outside the vocabulary", line(32, region="MARS"), "region", "not a configured region"),
]

ALL = MODEL + ADMISSION
