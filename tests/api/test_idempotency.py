"""An event id answers one event: the same event again gets the stored decision, another event 409."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

from tests.api.conftest import Api, api_settings, open_api
from tests.conftest import Events
from vigil.codec import encode_event
from vigil.engine.idempotency import input_digest
from vigil.model.access import Role

OTHER_DESTINATION = "0xAbC0000000000000000000000000000000000002"


def test_an_id_reused_with_another_body_is_409_never_the_old_decision(api: Api, events: Events) -> None:
    first = events.withdrawal(0, fiat="50")
    assert api.post_event(first).json()["outcome"] == "allow"
    count = api.services.engine.journal.count()
    digest = api.services.engine.catalog.state_digest()
    for changed in (
        replace(first, destination_address=OTHER_DESTINATION),
        replace(first, fiat_value=first.fiat_value * 100),
        replace(first, ts=events.withdrawal(5).ts),
    ):
        r = api.post_event(changed)
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert error["code"] == "event_id_reused" and first.event_id in error["message"]
        assert "different fields" in error["message"]
    assert api.services.engine.journal.count() == count
    assert api.services.engine.catalog.state_digest() == digest


def test_the_same_event_with_other_spacing_and_key_order_is_a_retry(api: Api, events: Events) -> None:
    first = events.withdrawal(0)
    stored = api.post_event(first).json()
    fields = json.loads(encode_event(first))
    shuffled = json.dumps(dict(reversed(list(fields.items()))), indent=2).encode()
    r = api.client.post(
        "/v1/events", content=shuffled, headers={**api.headers(), "Content-Type": "application/json"}
    )
    assert r.status_code == 200 and r.headers["Vigil-Replayed"] == "true"
    assert r.json()["outcome"] == stored["outcome"] and r.json()["event_id"] == first.event_id


def test_a_conflicting_item_answers_its_own_error_and_the_batch_goes_on(api: Api, events: Events) -> None:
    first = events.withdrawal(0)
    api.post_event(first)
    items = [
        events.login(1),
        replace(first, destination_address=OTHER_DESTINATION),
        first,
        events.deposit(2),
    ]
    body = b"[" + b",".join(encode_event(e) for e in items) + b"]"
    r = api.client.post("/v1/events/batch", content=body, headers=api.headers())
    assert r.status_code == 200
    results = r.json()["results"]
    assert "decision" in results[0] and "decision" in results[3]
    assert results[1]["error"]["code"] == "event_id_reused" and results[1]["error"]["status"] == 409
    assert results[2]["replayed"] is True


def test_decisions_stored_without_a_digest_still_answer_retries(tmp_path: Path, events: Events) -> None:
    """A journal written before digests were kept: retries of its events still get their decision."""
    settings = api_settings(tmp_path)
    old = events.deposit(0)
    for api in open_api(settings):
        decision = api.post_event(old).json()
    db = sqlite3.connect(tmp_path / "vigil.db")
    with db:  # rewrite the stored body as an older release wrote it: no digest
        (body,) = db.execute("SELECT body FROM decisions").fetchone()
        stored = json.loads(body)
        assert stored.pop("input_digest")
        db.execute("UPDATE decisions SET body = ?", (json.dumps(stored).encode(),))
    db.close()
    for api in open_api(settings):
        again = api.post_event(old)
        assert again.status_code == 200 and again.headers["Vigil-Replayed"] == "true"
        assert again.json()["outcome"] == decision["outcome"]
        reused = api.post_event(replace(old, account_id="mallory"))
        assert reused.status_code == 409 and reused.json()["error"]["code"] == "event_id_reused"
        read = api.client.get(f"/v1/decisions/{old.event_id}", headers=api.headers(Role.ANALYST))
        assert read.status_code == 200


def test_the_digest_is_of_the_event_as_sent(events: Events) -> None:
    event = events.login(0)
    assert input_digest(event) == input_digest(replace(event)) and len(input_digest(event)) == 32
    assert input_digest(event) != input_digest(replace(event, ip="192.0.2.2"))
