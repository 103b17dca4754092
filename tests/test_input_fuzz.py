"""Property-based fuzz of the edge (issue 17): whatever the bytes, the event decoder returns an event or
raises ``InvalidEvent``, and the batch route never answers 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import hostile
from tests.api.conftest import Api, api_settings, open_api
from vigil.codec import Admission, decode_event
from vigil.errors import InvalidEvent
from vigil.model import Event

_ADMIT = Admission(regions={"EU", "NA"}, max_age_s=3650 * 86_400, max_ahead_s=86_400)
_KEYS = [*sorted(hostile.GOOD), "geo", "network", "memo", "nested"]
_ODD_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\n", "\u202e", "\u2066", "\u200b", "\ufeff", " ", "\\", '"', "<"]),
    ),
    max_size=40,
)
_JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=False),
        _ODD_TEXT,
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_ODD_TEXT, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """The good event with some fields replaced, removed or added, then perhaps some bytes changed."""
    event: dict[str, Any] = dict(hostile.GOOD)
    for key in draw(st.lists(st.sampled_from(_KEYS), max_size=4)):
        if draw(st.booleans()):
            event[key] = draw(_JSON_VALUE)
        else:
            event.pop(key, None)
    raw = json.dumps(event).encode()
    if draw(st.booleans()) and raw:
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + draw(st.binary(max_size=4)) + raw[at + draw(st.integers(0, 4)) :]
    return raw


_INPUTS = st.one_of(mutated(), st.binary(max_size=200), st.sampled_from([p[1] for p in hostile.ALL]))


def _decode(raw: bytes | str, admission: Admission | None) -> Event | None:
    try:
        return decode_event(raw, admission)
    except InvalidEvent as exc:
        assert exc.message  # names the problem
        return None


@settings(max_examples=400, deadline=None)
@given(_INPUTS)
def test_the_decoder_returns_an_event_or_raises_invalid_event_only(raw: bytes) -> None:
    event = _decode(raw, None)
    if event is not None:
        assert event.account_id.isprintable() and 0 < len(event.account_id) <= 200
        assert "<" not in event.region
    _decode(raw, _ADMIT)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_text_input_with_any_code_point_is_an_event_or_invalid_event(text: str) -> None:
    _decode(text, None)
    _decode(json.dumps({**hostile.GOOD, "account_id": text}, ensure_ascii=False), None)


@pytest.fixture(scope="module")
def sqlite_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    path: Path = tmp_path_factory.mktemp("fuzz")
    yield from open_api(api_settings(path))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_INPUTS, min_size=1, max_size=6))
def test_the_batch_route_never_answers_5xx_and_answers_every_item(
    sqlite_api: Api, items: list[bytes]
) -> None:
    body = b"[" + b",".join(items) + b"]"
    r = sqlite_api.client.post(
        "/v1/events/batch", content=body, headers={**sqlite_api.headers(), "Content-Type": "application/json"}
    )
    assert r.status_code < 500, r.text
    out = r.json()
    if r.status_code == 200:
        assert len(out["results"]) >= 1
        for item in out["results"]:
            assert ("decision" in item) != ("error" in item)
            if "error" in item:
                assert 400 <= item["error"]["status"] < 500 and item["error"]["message"]
    else:
        assert out["error"]["code"] in {"invalid_event", "invalid_input", "too_large"}
