"""A bounded schemathesis run against the app's own OpenAPI spec: no operation ever answers 5xx.

Every operation of the spec gets its examples, its coverage cases (boundary and negative values of
every parameter, missing credentials, methods it does not allow) and a fixed number of generated
requests, valid and invalid, sent in process through ASGI to an app on a new SQLite database (one per
pytest run) with an address list and a name list imported. The run is deterministic (fixed seed,
derandomized, no example database): what fails once fails on every run. Every error answer must
also have the documented ``{"error": {"code", "message"}}`` shape, and every answer is checked
against the spec: its status is one the operation documents, its content type too, and its body
conforms to the documented schema (``api/documented.py`` puts every error status in the spec).

Authenticated requests carry a key holding every role; anonymous ones (schemathesis' own made-up
bearer tokens, or none) must get 401 on every guarded operation.

schemathesis parametrizes at collection, so the spec is read at import from an app that is never
started (the spec needs no database); ``test_the_spec_under_test_is_the_one_served`` checks it is
what the app under test serves. ``schemathesis.pytest.from_fixture`` would read it from a fixture
instead, but does not run on pytest 9 (it sets ``Function._nodeid``, which pytest 9 removed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis import Case, CheckContext, CheckFunction, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import LISTS
from vigil import bootstrap
from vigil.adapters.list_files import DiskListFiles
from vigil.api import create_app
from vigil.api.auth import PUBLIC
from vigil.api.services import build
from vigil.model.access import Role
from vigil.settings import Settings
from vigil.watchlists import import_list

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SEED = 20260301
EXAMPLES = 30  # generated requests per operation, besides the spec's examples and the coverage cases
ANONYMOUS_EXAMPLES = 5
LIST_SOURCES = (("ofac_addresses", "ofac_crypto_addresses"), ("un", "sanctions_names"))

_SPEC_APP = create_app(Settings(db="memory", access_log=False))
SPEC: dict[str, Any] = TestClient(_SPEC_APP).get("/openapi.json").json()

Test = Callable[..., None]


def _parametrize(max_examples: int) -> Callable[[Test], Test]:
    """``schema.parametrize()`` for a deterministic run of ``max_examples`` generated requests each."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # The one health check that measures time: on a loaded CI machine it fails a run that is
            # otherwise the same on every machine.
            "suppress-health-check": ["too_slow"],
            "generation": {"max-examples": max_examples, "deterministic": True, "database": "none"},
            # A stateful run chains operations through response links; the spec declares none.
            "phases": {"stateful": {"enabled": False}},
        }
    )
    parametrize: Callable[[Test], Test] = schemathesis.openapi.from_dict(SPEC, config=config).parametrize()
    return parametrize


@dataclass
class Target:
    app: FastAPI
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """An app on a new database with lists imported, and a key holding every role."""
    db = tmp_path_factory.mktemp("schemathesis") / "vigil.db"
    settings = Settings(db=str(db), access_log=False)
    lists = bootstrap.list_store(settings)
    for source, folder in LIST_SOURCES:
        import_list(source, str(LISTS / folder), files=DiskListFiles(), lists=lists, now=NOW)
    # Built here, not by the app's lifespan: schemathesis ends the lifespan after every test (one per
    # operation), and services handed to the app survive that instead of being rebuilt each time.
    services = build(settings)
    token = services.access.create_key("schemathesis", list(Role), by="cli:setup").token
    try:
        yield Target(create_app(services=services), token)
    finally:
        services.close()


def error_shape(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """An error answer is JSON ``{"error": {"code": str, "message": str, ...}}``."""
    if response.status_code < 400:
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"error answer without an 'error' object: {body!r}"
    assert isinstance(error.get("code"), str) and isinstance(error.get("message"), str), body
    return True


CHECKS: list[CheckFunction] = [
    not_a_server_error,
    error_shape,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _no_body_or_json(response: Response) -> bool:
    """Whether the request had no body or a JSON one declared as JSON (schemathesis sends bodies as
    bytes); a body declared as another media type is refused (415) before the guard, like one that is
    not JSON at all."""
    declared = response.request.headers.get("content-type")
    if declared is not None and "json" not in declared.lower():
        return False
    body = response.request.body
    if not isinstance(body, (bytes, str)):
        return body is None
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def test_the_spec_under_test_is_the_one_served(target: Target) -> None:
    with TestClient(target.app) as client:
        assert client.get("/openapi.json").json() == SPEC


@pytest.mark.slow
@_parametrize(EXAMPLES)
def test_no_operation_answers_a_server_error(case: Case[Any], target: Target) -> None:
    case.call_and_validate(app=target.app, headers=target.headers, checks=CHECKS)


@pytest.mark.slow
@_parametrize(ANONYMOUS_EXAMPLES)
def test_anonymous_callers_get_401_and_never_a_server_error(case: Case[Any], target: Target) -> None:
    response = case.call_and_validate(app=target.app, checks=CHECKS)
    guarded = case.operation.definition.raw.get("x-roles") != [PUBLIC]
    # A method the route does not have is a 405 whoever asks; FastAPI reads a JSON body before any
    # dependency (the role guard) runs, so a body that is not JSON at all is refused (400/422) first,
    # and one declared as another media type is refused (415) before any route.
    if guarded and case.method.upper() == case.operation.method.upper() and _no_body_or_json(response):
        assert response.status_code == 401, (case.method, case.path, response.status_code)


def test_every_status_the_error_table_can_answer_is_documented() -> None:
    from vigil.api.documented import ERRORS
    from vigil.api.errors import HTTP_CODES, TABLE

    statuses = {status for _, status, _ in TABLE} | (set(HTTP_CODES) - {405})
    assert statuses <= set(ERRORS)
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            answers = op["responses"]
            for code in ("400", "422", "500", "503"):
                assert answers[code]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (method, path, code)
            if "{" in path:
                assert "404" in answers, (method, path)
    assert "HTTPValidationError" not in SPEC["components"]["schemas"]


def test_every_success_answer_has_a_schema() -> None:
    """A new route cannot come without the schema of what it answers: schemathesis checks bodies only
    against a schema, and ``{}`` accepts anything (``returns()`` in the route's guard documents it)."""
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            for code, answer in op["responses"].items():
                if not code.startswith("2"):
                    continue
                if code == "204":
                    assert "content" not in answer, (method, path, code)
                    continue
                content = answer.get("content")
                assert content, (method, path, code)
                for media, typed in content.items():
                    assert typed.get("schema"), f"{method.upper()} {path} {code} {media}: no schema"


def test_every_schema_reference_names_a_component() -> None:
    names = set(SPEC["components"]["schemas"])
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(SPEC)))
    assert refs <= names, refs - names
