"""Signing in, sessions that end, keys that are revoked, and the administration routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.api.conftest import Api
from vigil.model.access import Role

PASSWORD = "correct horse battery"


def _login(api: Api, username: str, password: str) -> tuple[int, Any]:
    r = api.client.post("/v1/auth/login", json={"username": username, "password": password})
    return r.status_code, r.json()


def test_a_person_signs_in_acts_and_signs_out(api: Api) -> None:
    api.services.access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
    status, body = _login(api, "ana", PASSWORD)
    assert status == 200 and body["username"] == "ana" and len(body["token"]) >= 40
    me = api.client.get("/v1/auth/me", headers=api.headers(token=body["token"]))
    assert me.json() == {"kind": "user", "name": "ana", "roles": ["analyst"]}
    assert api.client.post("/v1/auth/logout", headers=api.headers(token=body["token"])).status_code == 204
    assert api.client.get("/v1/auth/me", headers=api.headers(token=body["token"])).status_code == 401


def test_wrong_password_unknown_user_and_disabled_user_all_get_the_same_answer(api: Api) -> None:
    api.services.access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
    api.services.access.add_user("old", PASSWORD, [Role.ANALYST], by="cli:setup")
    api.services.access.disable_user("old", by="cli:setup")
    answers = {
        _login(api, u, p)[1]["error"]["message"]
        for u, p in (("ana", "x" * 12), ("bob", PASSWORD), ("old", PASSWORD))
    }
    assert answers == {"wrong username or password"}


def test_a_session_expires(api: Api) -> None:
    access = api.services.access
    access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
    token = _login(api, "ana", PASSWORD)[1]["token"]
    real = access.clock
    access.clock = lambda: real() + access.session_ttl + timedelta(seconds=1)
    try:
        assert api.client.get("/v1/auth/me", headers=api.headers(token=token)).status_code == 401
    finally:
        access.clock = real


def test_disabling_a_person_ends_their_sessions(api: Api) -> None:
    api.services.access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
    token = _login(api, "ana", PASSWORD)[1]["token"]
    r = api.client.post("/v1/admin/users/ana/disable", headers=api.headers(Role.ADMIN))
    assert r.status_code == 200 and r.json()["disabled_at"]
    assert api.client.get("/v1/auth/me", headers=api.headers(token=token)).status_code == 401


def test_keys_are_created_shown_once_listed_without_secrets_and_revoked(api: Api) -> None:
    r = api.client.post(
        "/v1/admin/keys", json={"name": "payments", "roles": ["service"]}, headers=api.headers(Role.ADMIN)
    )
    assert r.status_code == 201
    created = r.json()
    token, key_id = created["token"], created["key_id"]
    assert api.client.get("/v1/auth/me", headers=api.headers(token=token)).json()["roles"] == ["service"]
    listing = api.client.get("/v1/admin/keys", headers=api.headers(Role.AUDITOR)).json()
    mine = next(k for k in listing if k["key_id"] == key_id)
    assert "token" not in mine and "secret_hash" not in mine and mine["revoked_at"] is None
    assert token.split(".")[1] not in str(listing)
    revoked = api.client.post(f"/v1/admin/keys/{key_id}/revoke", headers=api.headers(Role.ADMIN))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.client.get("/v1/auth/me", headers=api.headers(token=token)).status_code == 401
    unknown = api.client.post("/v1/admin/keys/nope/revoke", headers=api.headers(Role.ADMIN))
    assert unknown.status_code == 404


def test_user_administration_errors_are_clear(api: Api) -> None:
    admin = api.headers(Role.ADMIN)
    ok = api.client.post(
        "/v1/admin/users",
        json={"username": "sam", "password": PASSWORD, "roles": ["supervisor"]},
        headers=admin,
    )
    assert ok.status_code == 201 and ok.json()["roles"] == ["supervisor"]
    again = api.client.post(
        "/v1/admin/users", json={"username": "sam", "password": PASSWORD, "roles": ["analyst"]}, headers=admin
    )
    assert again.status_code == 409 and "sam" in again.json()["error"]["message"]
    weak = api.client.post(
        "/v1/admin/users", json={"username": "tim", "password": "short", "roles": ["analyst"]}, headers=admin
    )
    assert weak.status_code == 422 and weak.json()["error"] == {
        "code": "weak_password",
        "message": "must be at least 12 characters",
        "field": "password",
    }
    bad_role = api.client.post(
        "/v1/admin/users", json={"username": "tim", "password": PASSWORD, "roles": ["god"]}, headers=admin
    )
    assert bad_role.status_code == 422 and bad_role.json()["error"]["field"] == "roles.0"
    bad_name = api.client.post(
        "/v1/admin/users",
        json={"username": "Tim Smith", "password": PASSWORD, "roles": ["analyst"]},
        headers=admin,
    )
    assert bad_name.status_code == 422 and bad_name.json()["error"]["field"] == "username"
    roles = api.client.put("/v1/admin/users/sam/roles", json={"roles": ["auditor"]}, headers=admin)
    assert roles.json()["roles"] == ["auditor"]
    assert (
        api.client.put("/v1/admin/users/nobody/roles", json={"roles": ["auditor"]}, headers=admin).status_code
        == 404
    )
