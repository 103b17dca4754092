"""The access log is JSON, names the route template and the caller id, and carries no personal data."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.api.conftest import Api, api_settings, open_api
from tests.conftest import T0
from vigil.api.logs import JsonFormatter
from vigil.model import KycSubmitted
from vigil.model.access import Role


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[tuple[Api, list[str]]]:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("vigil.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield from ((api, lines) for api in open_api(api_settings(tmp_path, access_log=True)))
    finally:
        logger.removeHandler(handler)


def test_one_json_line_per_request_with_no_personal_data(logged: tuple[Api, list[str]]) -> None:
    api, lines = logged
    kyc = KycSubmitted(
        event_id="k-1",
        account_id="acct-7",
        ts=T0,
        region="EU",
        ip="198.51.100.23",
        document_type="passport",
        document_country="DE",
        document_hash="doc-hash-1",
        full_name="Maria Beispiel",
        birth_date=date(1990, 4, 1),
    )
    assert api.post_event(kyc).status_code == 200
    api.client.get("/v1/accounts/acct-7/decisions", headers=api.headers(Role.ANALYST))
    entries = [json.loads(line) for line in lines]
    assert [(e["method"], e["route"], e["status"]) for e in entries] == [
        ("POST", "/v1/events", 200),
        ("GET", "/v1/accounts/{account_id}/decisions", 200),
    ]
    assert entries[0]["caller"] == api.tokens[Role.SERVICE][3:].split(".")[0]  # the key id, not the token
    text = "\n".join(lines)
    for secret in ("Maria", "Beispiel", "1990-04-01", "198.51.100.23", "doc-hash-1", "acct-7"):
        assert secret not in text
    assert api.tokens[Role.SERVICE] not in text
