"""Every route declares who may call it: ``**guard(Role.X, ...)`` or ``**guard(public=True)``.

The declaration is both the check (a dependency that authenticates the bearer token and compares roles)
and the documentation (``x-roles`` and the bearer security requirement in the OpenAPI spec), so the two
cannot drift; ``create_app`` refuses to start with a route that declares nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from vigil.access import Access
from vigil.api.services import services_of
from vigil.errors import Forbidden, NotAuthenticated
from vigil.model.access import Principal, Role

PUBLIC = "public"
EVERYONE = frozenset(Role)  # any authenticated caller, whatever their roles
READERS = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.AUDITOR})
DESK = frozenset({Role.ANALYST, Role.SUPERVISOR})


def authorize(access: Access, header: str, allowed: frozenset[Role]) -> Principal:
    """The principal behind an ``Authorization`` header, if it holds one of ``allowed`` roles."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send 'Authorization: Bearer <API key or session token>'")
    principal = access.authenticate(token.strip())
    if not principal.holds(allowed):
        roles = ", ".join(sorted(r.value for r in allowed))
        raise Forbidden(f"this action needs one of the roles: {roles}")
    return principal


class Require:
    """Authenticate the request's bearer token and require one of ``allowed`` roles."""

    def __init__(self, allowed: frozenset[Role]) -> None:
        self.allowed = allowed

    async def __call__(self, request: Request) -> Principal:
        access = services_of(request).access
        principal = authorize(access, request.headers.get("authorization", ""), self.allowed)
        request.state.principal = principal
        return principal


def guard(
    *roles: Role,
    public: bool = False,
    allowed: frozenset[Role] | None = None,
    openapi: dict[str, Any] | None = None,
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator: the role check and its documentation.

    ``openapi`` and ``responses`` are merged into the route's spec (request body, documented answers).
    """
    extra = dict(openapi or {})
    documented = dict(responses or {})
    if public:
        extra["x-roles"] = [PUBLIC]
        return {"openapi_extra": extra, "responses": documented}
    admitted = allowed if allowed is not None else frozenset(roles)
    if not admitted:
        raise ValueError("a guarded route must admit at least one role")
    extra["x-roles"] = sorted(r.value for r in admitted)
    extra["security"] = [{"bearer": []}]
    documented.setdefault(401, {"description": "no valid credentials"})
    documented.setdefault(403, {"description": "none of the roles this route admits"})
    return {"dependencies": [Depends(Require(admitted))], "openapi_extra": extra, "responses": documented}


def principal_of(request: Request) -> Principal:
    """The caller, as authenticated by the route's guard."""
    principal: Principal = request.state.principal
    return principal
