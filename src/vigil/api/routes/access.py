"""Signing in and out, and the administration of people and API keys.

Views never include a secret or a hash; a new key's token is in the answer that creates it, once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from vigil.access import MIN_PASSWORD, Access
from vigil.api.auth import EVERYONE, guard, principal_of
from vigil.api.schemas import returns
from vigil.api.services import services_of
from vigil.codec import encode_view
from vigil.model.access import Role
from vigil.views import key_view, user_view

router = APIRouter(tags=["access"])
_JSON = "application/json"
_NAME = Path(max_length=64)


class Credentials(BaseModel):  # not "Login": the spec's components already hold the Login event
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class NewKey(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    roles: list[Role] = Field(min_length=1)


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    # Checked by the access service (a ``weak_password`` error); documented here.
    password: str = Field(min_length=1, max_length=1024, json_schema_extra={"minLength": MIN_PASSWORD})
    roles: list[Role] = Field(min_length=1)


class Roles(BaseModel):
    roles: list[Role] = Field(min_length=1)


def _access(request: Request) -> Access:
    return services_of(request).access


def _json(value: Any, status: int = 200) -> Response:
    return Response(encode_view(value), status_code=status, media_type=_JSON)


@router.post(
    "/v1/auth/login",
    summary="Sign in: a session token that expires (429 with Retry-After after too many failures)",
    **guard(
        public=True,
        responses={
            **returns("Session", "a session token and when it expires"),
            401: {"description": "wrong username or password"},
        },
    ),
)
async def login(request: Request, body: Credentials) -> Response:
    address = request.client.host if request.client is not None else ""
    issued = await _access(request).login(body.username, body.password, address)
    assert issued.session is not None
    return _json(
        {
            "token": issued.token,
            "username": issued.session.username,
            "expires_at": issued.session.expires_at.isoformat(),
        }
    )


@router.post(
    "/v1/auth/logout", summary="Sign out: the token stops working", status_code=204, **guard(allowed=EVERYONE)
)
async def logout(request: Request) -> Response:
    token = request.headers["authorization"].partition(" ")[2].strip()
    if principal_of(request).kind == "user":
        _access(request).logout(token)
    return Response(status_code=204)


@router.get(
    "/v1/auth/me",
    summary="Who is calling, with which roles",
    **guard(allowed=EVERYONE, responses=returns("Me", "the caller")),
)
async def me(request: Request) -> Response:
    p = principal_of(request)
    return _json({"kind": p.kind, "name": p.name, "roles": sorted(r.value for r in p.roles)})


@router.get(
    "/v1/admin/keys",
    summary="API keys, revoked ones included",
    **guard(Role.ADMIN, Role.AUDITOR, responses=returns("ApiKey", "the keys", array=True)),
)
async def keys(request: Request) -> Response:
    return _json([key_view(k) for k in _access(request).store.keys()])  # noqa: SIM118 - a port, not a dict


@router.post(
    "/v1/admin/keys",
    summary="Create an API key; its token is shown once",
    status_code=201,
    **guard(Role.ADMIN, responses=returns("NewApiKey", "the key, with its token", status=201)),
)
async def create_key(request: Request, body: NewKey) -> Response:
    issued = _access(request).create_key(body.name, body.roles, by=principal_of(request).name)
    assert issued.key is not None
    return _json({"token": issued.token, **key_view(issued.key)}, status=201)


@router.post(
    "/v1/admin/keys/{key_id}/revoke",
    summary="Revoke an API key",
    **guard(Role.ADMIN, responses=returns("ApiKey", "the key, revoked")),
)
async def revoke_key(request: Request, key_id: Annotated[str, _NAME]) -> Response:
    return _json(key_view(_access(request).revoke_key(key_id, by=principal_of(request).name)))


@router.get(
    "/v1/admin/users",
    summary="People, disabled ones included",
    **guard(Role.ADMIN, Role.AUDITOR, responses=returns("User", "the people", array=True)),
)
async def users(request: Request) -> Response:
    return _json([user_view(u) for u in _access(request).store.users()])


@router.post(
    "/v1/admin/users",
    summary="Add a person",
    status_code=201,
    **guard(Role.ADMIN, responses=returns("User", "the person", status=201)),
)
async def add_user(request: Request, body: NewUser) -> Response:
    user = _access(request).add_user(body.username, body.password, body.roles, by=principal_of(request).name)
    return _json(user_view(user), status=201)


@router.put(
    "/v1/admin/users/{username}/roles",
    summary="Change a person's roles",
    **guard(Role.ADMIN, responses=returns("User", "the person")),
)
async def set_roles(request: Request, username: Annotated[str, _NAME], body: Roles) -> Response:
    return _json(user_view(_access(request).set_roles(username, body.roles, by=principal_of(request).name)))


@router.post(
    "/v1/admin/users/{username}/disable",
    summary="Disable a person",
    **guard(Role.ADMIN, responses=returns("User", "the person, disabled")),
)
async def disable_user(request: Request, username: Annotated[str, _NAME]) -> Response:
    return _json(user_view(_access(request).disable_user(username, by=principal_of(request).name)))
