"""Every answer the API tests get is checked against the spec, as schemathesis checks its own requests.

schemathesis sends made-up requests: it rarely reaches a case with actions and appeals, a name match or
a graph with links. The API tests reach them on purpose, so their clients check each answer too: the
status is one the operation documents, and the body conforms to the schema documented for it
(``schemathesis``' own validation of an answer, formats included). Pages and files outside the spec
(the console, ``/docs``) are not checked.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from schemathesis.specs.openapi.schemas import OpenApiSchema

from vigil.api import create_app
from vigil.settings import Settings


@cache
def spec() -> OpenApiSchema:
    """The spec every app serves (it needs no database): read once."""
    served: dict[str, Any] = (
        TestClient(create_app(Settings(db="memory", access_log=False))).get("/openapi.json").json()
    )
    return schemathesis.openapi.from_dict(served)


def conforms(response: Any) -> None:
    """An httpx response hook: fail the request whose answer the spec does not document."""
    response.read()
    request = response.request
    operation = spec().find_operation_by_path(request.method, request.url.path)
    if operation is None:
        return
    documented = operation.definition.raw["responses"]
    label = f"{request.method} {request.url.path}"
    assert str(response.status_code) in documented, f"{label}: {response.status_code} is not documented"
    operation.validate_response(response)


def checking(client: TestClient) -> TestClient:
    """``client``, checking every answer against the spec."""
    client.event_hooks = {**client.event_hooks, "response": [*client.event_hooks["response"], conforms]}
    return client
