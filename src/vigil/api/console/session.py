"""Who is using the console: the session token in an HttpOnly, SameSite=Strict cookie, a CSRF token
bound to it in every form, and one-shot flash messages.

The cookie holds the token ``POST /v1/auth/login`` would return; the same ``Access`` service checks it,
so signing out, expiry and disabling a person work alike for the API and the console. A form's CSRF
token is an HMAC of the session token (under a key made at start-up), so a page from another site
cannot post for a signed-in analyst even if a browser ignored SameSite.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from vigil.api.services import services_of
from vigil.errors import Forbidden, NotAuthenticated
from vigil.model.access import Principal, Role

COOKIE = "vigil_session"
FLASH = "vigil_flash"
_KEY = secrets.token_bytes(32)  # per process: forms outlive neither a restart nor their session


def token_of(request: Request) -> str:
    token = request.cookies.get(COOKIE, "")
    if not token:
        raise NotAuthenticated("sign in to use the console")
    return token


def principal(request: Request, allowed: frozenset[Role]) -> Principal:
    """The signed-in person, if they hold one of ``allowed``; API keys cannot use the console."""
    who = services_of(request).access.authenticate(token_of(request))
    if who.kind != "user":
        raise Forbidden("the console is for people: sign in with a username and password")
    if not who.holds(allowed):
        raise Forbidden(f"this page needs one of the roles: {', '.join(sorted(r.value for r in allowed))}")
    return who


def csrf(token: str) -> str:
    return hmac.new(_KEY, token.encode(), hashlib.sha256).hexdigest()[:32]


def check_csrf(request: Request, sent: str) -> None:
    if not hmac.compare_digest(csrf(token_of(request)), sent):
        raise Forbidden("this form expired or did not come from the console: reload the page and try again")


def sign_in(response: Response, token: str, secure: bool, max_age: int) -> None:
    response.set_cookie(
        COOKIE, token, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/console"
    )


def sign_out(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/console")


def flash(response: Response, message: str) -> None:
    response.set_cookie(FLASH, message[:300], max_age=30, httponly=True, samesite="strict", path="/console")


def take_flash(request: Request, response: Response) -> str:
    message = request.cookies.get(FLASH, "")
    if message:
        response.delete_cookie(FLASH, path="/console")
    return message
