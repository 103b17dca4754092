"""POST /v1/events and its neighbours: decisions, idempotency, durability, errors that name the field."""

from __future__ import annotations

import json
from dataclasses import replace

from tests.api.conftest import Api
from tests.conftest import Events
from vigil import bootstrap
from vigil.codec import encode_event
from vigil.model.access import Role


def test_an_event_gets_its_decision_and_it_is_stored_before_the_answer(api: Api, events: Events) -> None:
    event = events.withdrawal(1, fiat="25000")
    r = api.post_event(event)
    assert r.status_code == 200
    body = r.json()
    assert body["event_id"] == event.event_id and body["account_id"] == "alice"
    assert body["outcome"] in {"allow", "challenge", "review", "hold", "block"}
    assert "Vigil-Replayed" not in r.headers
    # Durable at answer time: a second connection to the database file sees it.
    other = bootstrap.journal(api.services.settings)
    try:
        stored = other.get(event.event_id)
    finally:
        other.close()
    assert stored is not None and stored.outcome.label == body["outcome"]


def test_decision_reads_return_the_full_trace_and_the_account_history(api: Api, events: Events) -> None:
    sent = [events.login(0), events.deposit(1), events.withdrawal(2)]
    for e in sent:
        assert api.post_event(e).status_code == 200
    one = api.client.get(f"/v1/decisions/{sent[1].event_id}", headers=api.headers(Role.ANALYST))
    assert one.status_code == 200
    assert one.json()["rules_evaluated"] == len(one.json()["trace"])  # the full trace
    history = api.client.get("/v1/accounts/alice/decisions?limit=2", headers=api.headers(Role.AUDITOR))
    assert [d["event_id"] for d in history.json()["decisions"]] == [sent[2].event_id, sent[1].event_id]
    missing = api.client.get("/v1/decisions/never-sent", headers=api.headers(Role.ANALYST))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_a_retry_returns_the_stored_decision_and_counts_nothing_twice(api: Api, events: Events) -> None:
    first = events.deposit(0, fiat="900")
    api.post_event(first)
    engine = api.services.engine
    digest, count = engine.catalog.state_digest(), engine.journal.count()
    again = api.post_event(first)
    assert again.status_code == 200 and again.headers["Vigil-Replayed"] == "true"
    assert engine.catalog.state_digest() == digest and engine.journal.count() == count


def test_an_event_id_reused_for_another_account_is_refused(api: Api, events: Events) -> None:
    first = events.deposit(0)
    api.post_event(first)
    r = api.post_event(replace(events.deposit(1), event_id=first.event_id, account_id="mallory"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "event_id_reused"
    assert first.event_id in r.json()["error"]["message"]


def _post_raw(api: Api, body: bytes) -> tuple[int, dict[str, str]]:
    r = api.client.post(
        "/v1/events", content=body, headers={**api.headers(), "Content-Type": "application/json"}
    )
    return r.status_code, r.json()["error"]


def test_malformed_events_get_a_422_that_names_the_field(api: Api, events: Events) -> None:
    good = json.loads(encode_event(events.withdrawal(0)))
    status, error = _post_raw(api, b"{not json")
    assert status == 422 and error["code"] == "invalid_event" and "malformed JSON" in error["message"]
    status, error = _post_raw(api, json.dumps({**good, "type": "teleport"}).encode())
    assert status == 422 and error["field"] == "type"
    status, error = _post_raw(api, json.dumps({k: v for k, v in good.items() if k != "amount"}).encode())
    assert status == 422 and error["field"] == "amount"
    status, error = _post_raw(api, json.dumps({**good, "amount": -5}).encode())
    assert status == 422 and error["field"] == "amount"
    status, error = _post_raw(api, json.dumps({**good, "ts": "yesterday"}).encode())
    assert status == 422 and error["field"] == "ts"
    assert api.services.engine.journal.count() == 0  # nothing half-stored


def test_an_oversized_body_is_refused_with_413(api: Api, events: Events) -> None:
    good = json.loads(encode_event(events.login(0)))
    status, error = _post_raw(api, json.dumps({**good, "device_id": "x" * 70_000}).encode())
    assert status == 413 and error["code"] == "too_large" and "limit" in error["message"]


def test_a_batch_decides_each_item_and_reports_bad_ones_without_stopping(api: Api, events: Events) -> None:
    a, b = events.login(0), events.deposit(1)
    body = b"[" + encode_event(a) + b',{"type":"deposit","event_id":"x"},' + encode_event(b) + b"]"
    r = api.client.post("/v1/events/batch", content=body, headers=api.headers())
    assert r.status_code == 200
    out = r.json()
    assert (out["decided"], out["rejected"]) == (2, 1)
    assert [item["index"] for item in out["results"]] == [0, 1, 2]
    assert out["results"][1]["error"]["code"] == "invalid_event" and out["results"][1]["error"]["field"]
    assert out["results"][2]["decision"]["event_id"] == b.event_id
    again = api.client.post("/v1/events/batch", content=b"[" + encode_event(a) + b"]", headers=api.headers())
    assert again.json()["results"][0]["replayed"] is True


def test_bad_batches_are_refused_whole(api: Api) -> None:
    for body, status in ((b"{}", 422), (b"[]", 422), (b"[1,", 422)):
        r = api.client.post("/v1/events/batch", content=body, headers=api.headers())
        assert r.status_code == status, body
        assert r.json()["error"]["code"] in {"invalid_event", "invalid_input"}


def test_a_batch_over_the_limit_is_413(tmp_path: object, events: Events) -> None:
    from pathlib import Path

    from tests.api.conftest import api_settings, open_api

    assert isinstance(tmp_path, Path)
    for api in open_api(api_settings(tmp_path, batch_limit=2)):
        body = b"[" + b",".join(encode_event(events.login(i)) for i in range(3)) + b"]"
        r = api.client.post("/v1/events/batch", content=body, headers=api.headers())
        assert r.status_code == 413 and "batch limit of 2" in r.json()["error"]["message"]


def test_metrics_count_requests_outcomes_and_reasons(api: Api, events: Events) -> None:
    api.post_event(events.withdrawal(0, fiat="25000", destination_address="0xnew"))
    text = api.client.get("/metrics", headers=api.headers(Role.AUDITOR)).text
    assert 'vigil_http_requests_total{method="POST",route="/v1/events",status="200"} 1.0' in text
    assert 'vigil_decisions_total{event_type="withdrawal"' in text
    assert "vigil_http_request_seconds_bucket" in text and "vigil_decide_seconds_count 1.0" in text


def test_health_and_readiness_need_no_credentials(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {  # says when no model serves: rules and screening decide
        "ready": True,
        "models": "none promoted: rules and screening decide",
    }


def test_the_state_digest_equals_a_fresh_replay_of_the_journal(api: Api, events: Events) -> None:
    from tests.conftest import make_engine

    for i in range(30):
        api.post_event(events.deposit(i, fiat=str(100 + i), account_id=f"acct{i % 4}"))
    state = api.client.get("/v1/admin/state", headers=api.headers(Role.AUDITOR)).json()
    fresh = make_engine()
    for e in api.services.engine.journal.events():
        fresh.decide(e)
    assert state["events"] == 30
    assert state["feature_state"] == fresh.catalog.state_digest()
