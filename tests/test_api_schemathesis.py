"""A bounded schemathesis run against the app's own OpenAPI spec: no operation ever answers 5xx.

Every operation of ``/openapi.json`` gets the spec's examples, its coverage cases (boundaries and
negative values of every parameter) and a fixed number of generated requests, valid and invalid,
sent in process through ASGI to an app on a fresh SQLite database with the address and name lists
imported. The run is deterministic (fixed seed, derandomized, no example database), so a failure
found once is found on every run. Each error answer must also have the documented
``{"error": {"code", "message"}}`` shape.

Authenticated requests carry a key holding every role; anonymous ones (schemathesis' own made-up
bearer tokens) must be refused with 401 on every guarded operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.conftest import LISTS
from vigil import bootstrap
from vigil.adapters.list_files import DiskListFiles
from vigil.api import create_app
from vigil.model.access import Role
from vigil.settings import Settings
from vigil.watchlists import import_list

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SEED = 20260301
EXAMPLES = 30  # generated requests per operation, on top of the spec's examples and coverage cases
ANONYMOUS_EXAMPLES = 5
LIST_SOURCES = (("ofac_addresses", "ofac_crypto_addresses"), ("un", "sanctions_names"))


def _config(*, max_examples: int, token: str | None) -> schemathesis.Config:
    data: dict[str, Any] = {
        "seed": SEED,
        "generation": {"max-examples": max_examples, "deterministic": True, "database": "none"},
        # Stateful runs chain operations through links; the spec declares none.
        "phases": {"stateful": {"enabled": False}},
    }
    if token is not None:
        data["auth"] = {"openapi": {"bearer": {"bearer": token}}}
    return schemathesis.Config.from_dict(data)


@dataclass
class Target:
    app: FastAPI
    token: str


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    settings = Settings(db=str(tmp_path / "vigil.db"), access_log=False)
    lists = bootstrap.list_store(settings)
    for source, folder in LIST_SOURCES:
        import_list(source, str(LISTS / folder), files=DiskListFiles(), lists=lists, now=NOW)
    access = bootstrap.access(settings)
    token = access.create_key("schemathesis", list(Role)).token
    yield Target(create_app(settings), token)


@pytest.fixture
def api_schema(target: Target) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi(
        "/openapi.json", target.app, config=_config(max_examples=EXAMPLES, token=target.token)
    )


@pytest.fixture
def anonymous_schema(target: Target) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi(
        "/openapi.json", target.app, config=_config(max_examples=ANONYMOUS_EXAMPLES, token=None)
    )


def error_shape(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """An error answer is JSON ``{"error": {"code": str, "message": str, ...}}``."""
    if response.status_code < 400:
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"error body without an 'error' object: {body!r}"
    assert isinstance(error.get("code"), str) and isinstance(error.get("message"), str), body
    return True


authenticated = schemathesis.pytest.from_fixture("api_schema")
anonymous = schemathesis.pytest.from_fixture("anonymous_schema")


@pytest.mark.slow
@authenticated.parametrize()
def test_no_operation_answers_a_server_error(case: Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, error_shape])


@pytest.mark.slow
@anonymous.parametrize()
def test_anonymous_callers_get_401_never_a_server_error(case: Case) -> None:
    response = case.call_and_validate(checks=[not_a_server_error, error_shape])
    if case.operation.definition.raw.get("x-roles") != ["public"]:
        assert response.status_code == 401, (case.method, case.path, response.status_code)
