"""The session cookie: read from the request, written on its response.

Handlers and `provide_scope` only say what the response's cookie should be
(`send_session_cookie`, `forget_session_cookie`); the `before_send` hook below adds it to
the response, whatever made it (a page, a redirect, an error). Nothing is sent to a
visitor who has no session.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.types import Message
from litestar.types import Scope as AsgiScope

from community.identity.sessions import LIFETIME

SESSION_COOKIE = "parvis_session"
PENDING = "session_cookie"  # request state: the Set-Cookie header this response carries


def session_token(request: Request[Any, Any, Any]) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def send_session_cookie(request: Request[Any, Any, Any], token: str) -> None:
    _pending(request, token, int(LIFETIME.total_seconds()))


def forget_session_cookie(request: Request[Any, Any, Any]) -> None:
    _pending(request, "", 0)


def _pending(request: Request[Any, Any, Any], value: str, max_age: int) -> None:
    cookie = Cookie(
        key=SESSION_COOKIE,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )
    request.state[PENDING] = cookie.to_encoded_header()


async def add_session_cookie(message: Message, scope: AsgiScope) -> None:
    """`before_send` hook: the pending cookie goes out with the response's headers."""
    if message["type"] != "http.response.start":
        return
    header = scope.get("state", {}).get(PENDING)
    if header is not None:
        message["headers"] = [*message.get("headers", []), header]
