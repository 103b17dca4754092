"""An app on a fresh SQLite database, a client, and bearer tokens for each role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conformance import checking
from tests.postgres import postgres_url
from vigil.api import create_app
from vigil.api.services import Services
from vigil.codec import encode_event
from vigil.model import Event
from vigil.model.access import Role
from vigil.settings import Settings


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    tokens: dict[Role, str]

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    def headers(self, role: Role | None = Role.SERVICE, token: str | None = None) -> dict[str, str]:
        if token is not None:
            return {"Authorization": f"Bearer {token}"}
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}

    def post_event(self, event: Event, role: Role = Role.SERVICE) -> Any:
        return self.client.post(
            "/v1/events",
            content=encode_event(event),
            headers={**self.headers(role), "Content-Type": "application/json"},
        )


def api_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"db": str(tmp_path / "vigil.db"), "access_log": False, "auth_cache_seconds": 0}
    return Settings(**{**values, **overrides})


def open_api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings)
    with TestClient(app) as client:
        checking(client)  # every answer conforms to the spec
        access = app.state.services.access
        tokens = {role: access.create_key(f"{role.value}-key", [role], by="cli:setup").token for role in Role}
        yield Api(app, client, tokens)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """The app on SQLite, and on PostgreSQL (a fresh schema)."""
    if request.param == "sqlite":
        yield from open_api(api_settings(tmp_path))
        return
    with postgres_url() as url:
        yield from open_api(api_settings(tmp_path, db=url))
