"""What the schemathesis run (``test_api_schemathesis.py``) and the probing that went with it found.

Each finding is pinned by plain requests: a 500 that is now a 422 naming the field, a spec that
documented the wrong body, an error that named no field or a meaningless one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.openapi.utils import get_openapi
from fastapi.testclient import TestClient

from vigil.access import MIN_PASSWORD
from vigil.api import create_app
from vigil.api.schemas import event_components
from vigil.api.views_schema import view_components
from vigil.model.access import Role
from vigil.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app on a new database, sending a key that holds every role."""
    app = create_app(Settings(db=str(tmp_path / "vigil.db"), access_log=False))
    with TestClient(app) as client:
        token = app.state.services.access.create_key("all", list(Role), by="cli:setup").token
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def deposit(**fields: Any) -> dict[str, Any]:
    event = {
        "type": "deposit",
        "event_id": "e1",
        "account_id": "alice",
        "ts": "2026-03-01T12:00:00Z",
        "region": "EU",
        "rail": "fiat",
        "asset": "EUR",
        "amount": 100,
        "fiat_value": "100.00",
    }
    event.update(fields)
    return event


def error_of(response: Any) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    return error


@pytest.mark.parametrize("fiat_value", ["1e26", "1e400000", 1e308, "1000000000000000000"])
def test_a_fiat_value_too_large_to_count_in_cents_is_a_422_not_a_500(
    client: TestClient, fiat_value: object
) -> None:
    # Was: decimal.InvalidOperation when the features rounded it to cents, a 500.
    r = client.post("/v1/events", json=deposit(fiat_value=fiat_value))
    assert r.status_code == 422, r.text
    assert error_of(r)["code"] == "invalid_event" and error_of(r)["field"] == "fiat_value"


def test_the_largest_fiat_value_the_spec_documents_is_decided(client: TestClient) -> None:
    pattern = client.get("/openapi.json").json()["components"]["schemas"]["Deposit"]["properties"]
    assert "{1,18}" in pattern["fiat_value"]["pattern"]
    r = client.post("/v1/events", json=deposit(fiat_value="9" * 18 + ".99"))
    assert r.status_code == 200, r.text


def test_a_batch_with_a_huge_fiat_value_rejects_that_item_and_decides_the_others(client: TestClient) -> None:
    batch = [deposit(event_id="ok-1"), deposit(event_id="huge", fiat_value="1e30"), deposit(event_id="ok-2")]
    r = client.post("/v1/events/batch", json=batch)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [("decision" in item) for item in results] == [True, False, True]
    assert results[1]["error"]["field"] == "fiat_value"


@pytest.mark.parametrize("ts", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_timestamp_out_of_range_in_utc_is_a_422_not_a_500(client: TestClient, ts: str) -> None:
    # Was: OverflowError converting it to UTC, a 500.
    r = client.post("/v1/events", json=deposit(ts=ts))
    assert r.status_code == 422, r.text
    assert error_of(r)["code"] == "invalid_event" and error_of(r)["field"] == "ts"


def test_the_login_body_in_the_spec_is_credentials_not_the_login_event(client: TestClient) -> None:
    # Was: the Login event's schema replaced the request model of the same name, so the spec asked for
    # an event at /v1/auth/login and every request it documented as valid was a 422.
    spec = client.get("/openapi.json").json()
    content = spec["paths"]["/v1/auth/login"]["post"]["requestBody"]["content"]
    ref = content["application/json"]["schema"]["$ref"]
    body = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(body["required"]) == {"username", "password"}
    r = client.post("/v1/auth/login", json={"username": "nobody", "password": "x"})
    assert r.status_code == 401 and error_of(r)["code"] == "not_authenticated"


def test_no_event_schema_replaces_a_request_model_of_the_same_name() -> None:
    app = create_app(Settings(db="memory", access_log=False))
    models = get_openapi(title="t", version="0", routes=app.routes)["components"]["schemas"]
    events = event_components()
    for name in models.keys() & events.keys():
        # Only an enum may be in both (Chain): the same vocabulary, whoever documents it.
        assert "enum" in models[name] and "enum" in events[name], name
        assert set(models[name]["enum"]) == set(events[name]["enum"]), name


def test_no_answer_schema_replaces_a_request_model_or_an_event_of_the_same_name() -> None:
    app = create_app(Settings(db="memory", access_log=False))
    models = get_openapi(title="t", version="0", routes=app.routes)["components"]["schemas"]
    events, views = event_components(), view_components()
    for name in views.keys() & events.keys():
        assert views[name] == events[name], name  # the same dataclass or enum, documented once (Chain)
    for name in models.keys() & views.keys():
        assert "enum" in models[name] and "enum" in views[name], name
        assert set(models[name]["enum"]) == set(views[name]["enum"]), name


def test_the_spec_documents_the_password_policy(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["NewUser"]["properties"]["password"]["minLength"] == MIN_PASSWORD
    user = {"username": "ana", "roles": ["analyst"]}
    short = client.post("/v1/admin/users", json={**user, "password": "x" * (MIN_PASSWORD - 1)})
    assert short.status_code == 422 and error_of(short)["code"] == "weak_password"
    ok = client.post("/v1/admin/users", json={**user, "password": "x" * MIN_PASSWORD})
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize("body", [b'{"username": ', b"{", b"", b"[1]"])
def test_a_body_that_is_not_a_json_object_names_the_body(client: TestClient, body: bytes) -> None:
    # Was: a JSON syntax error named the field after its character offset ("field": "13"), and a
    # missing body named no field.
    r = client.post("/v1/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert error_of(r)["code"] == "invalid_input" and error_of(r)["field"] == "body"
