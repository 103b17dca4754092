"""Issue 17, "Input": every hostile input is a 4xx naming the problem, on the single and the batch
routes; a bad item never fails the batch; a body that says it is not JSON is a 415."""

from __future__ import annotations

import json

import pytest

from tests import hostile
from tests.api.conftest import Api

_JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(("name", "raw", "field", "needle"), hostile.ALL, ids=[p[0] for p in hostile.ALL])
def test_each_hostile_event_is_a_422_naming_the_problem(
    api: Api, name: str, raw: bytes, field: str | None, needle: str
) -> None:
    r = api.client.post("/v1/events", content=raw, headers={**api.headers(), **_JSON})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_event" and error.get("field") == field and needle in error["message"]


def test_a_batch_of_hostile_items_decides_the_good_ones_and_names_each_problem(api: Api) -> None:
    good = hostile.line(100)
    body = b"[" + b",".join([good] + [raw for _, raw, _, _ in hostile.ALL]) + b"]"
    r = api.client.post("/v1/events/batch", content=body, headers={**api.headers(), **_JSON})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["decided"], out["rejected"]) == (1, len(hostile.ALL))
    assert out["results"][0]["decision"]["event_id"] == "hostile-100"
    for item, (name, _, field, needle) in zip(out["results"][1:], hostile.ALL, strict=True):
        assert item["error"].get("field") == field and needle in item["error"]["message"], name
        assert item["error"]["status"] == 422


def test_an_item_nested_thousands_deep_or_with_a_lone_surrogate_fails_alone(api: Api) -> None:
    deep = b"[" * 20_000 + b"]" * 20_000
    for bad in (deep, hostile.line(101, account_id="X").replace(b'"X"', b'"\\udc00"')):
        body = b"[" + hostile.line(102) + b"," + bad + b"," + hostile.line(103) + b"]"
        r = api.client.post("/v1/events/batch", content=body, headers={**api.headers(), **_JSON})
        assert r.status_code == 200, r.text
        out = r.json()
        assert (out["decided"], out["rejected"]) == (2, 1)
        assert "malformed JSON" in out["results"][1]["error"]["message"]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
    ],
)
def test_a_body_declared_as_anything_but_json_is_a_415(api: Api, content_type: str) -> None:
    for path in ("/v1/events", "/v1/events/batch", "/v1/screening/address"):
        r = api.client.post(
            path, content=hostile.line(104), headers={**api.headers(), "Content-Type": content_type}
        )
        assert r.status_code == 415, (path, r.text)
        assert r.json()["error"]["code"] == "unsupported_media_type"
    assert api.services.engine.journal.count() == 0


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/vnd.vigil+json", None]
)
def test_json_by_any_of_its_names_or_undeclared_is_read(api: Api, content_type: str | None) -> None:
    headers = api.headers() | ({"Content-Type": content_type} if content_type else {})
    r = api.client.post("/v1/events", content=hostile.line(105), headers=headers)
    assert r.status_code == 200, r.text
    assert json.loads(r.content)["event_id"] == "hostile-105"
