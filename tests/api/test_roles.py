"""Every route declares its roles; anonymous and wrong-role requests are refused on every one of them."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import Api
from vigil.api.app import api_routes
from vigil.api.auth import PUBLIC, guard
from vigil.model.access import Role


def _routes(api: Api) -> list[tuple[str, str, list[str]]]:
    found = []
    for route in api_routes():
        roles = (route.openapi_extra or {}).get("x-roles")
        assert roles, f"{route.path} declares no roles"
        for method in sorted(route.methods or ()):
            found.append((method, route.path, roles))
    return found


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "some-id", template)


def test_every_route_declares_its_roles_and_the_spec_shows_them(api: Api) -> None:
    routes = _routes(api)
    assert len(routes) >= 20
    spec = api.client.get("/openapi.json").json()
    for method, path, roles in routes:
        operation = spec["paths"][path][method.lower()]
        assert operation["x-roles"] == roles
        if roles != [PUBLIC]:
            assert operation["security"] == [{"bearer": []}]


def test_anonymous_requests_are_refused_on_every_guarded_route(api: Api) -> None:
    checked = 0
    for method, path, roles in _routes(api):
        r = api.client.request(method, _path(path), json={})
        if roles == [PUBLIC]:
            assert r.status_code != 401, path
            continue
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.json()["error"]["code"] == "not_authenticated"
        assert r.headers["WWW-Authenticate"] == "Bearer"
        checked += 1
    assert checked >= 15


def test_wrong_credentials_are_refused_like_none(api: Api) -> None:
    key_id = api.tokens[Role.ADMIN].split(".")[0]
    for token in ("nonsense", key_id + ".wrong-secret", api.tokens[Role.ADMIN] + "x"):
        r = api.client.get("/v1/admin/users", headers=api.headers(token=token))
        assert r.status_code == 401, token
    r = api.client.get("/v1/admin/users", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert r.status_code == 401


def test_every_role_outside_a_route_is_refused_and_every_role_inside_passes_the_guard(api: Api) -> None:
    refused = admitted = 0
    for method, path, roles in _routes(api):
        if roles == [PUBLIC]:
            continue
        for role in Role:
            r = api.client.request(method, _path(path), json={}, headers=api.headers(role))
            if role.value in roles:
                assert r.status_code not in (401, 403), (method, path, role, r.text)
                admitted += 1
            else:
                assert r.status_code == 403, (method, path, role, r.status_code)
                assert r.json()["error"]["code"] == "forbidden"
                refused += 1
    assert refused >= 40 and admitted >= 20


def test_an_analyst_cannot_administer_and_an_auditor_cannot_change_anything(api: Api) -> None:
    assert (
        api.client.post(
            "/v1/admin/keys", json={"name": "x", "roles": ["admin"]}, headers=api.headers(Role.ANALYST)
        ).status_code
        == 403
    )
    for method, path, roles in _routes(api):
        if method in ("POST", "PUT", "DELETE") and "auditor" in roles:
            # Signing out, and queries sent as POST because their input is a body, change nothing.
            assert path in ("/v1/auth/logout", "/v1/graph/expand"), f"auditors may only read: {method} {path}"


def test_a_route_without_roles_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        guard()
