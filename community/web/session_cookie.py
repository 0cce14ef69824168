"""The session cookie: read from the request, written on its response.

Handlers and `provide_scope` only say what the response's cookie should be
(`send_session_cookie`, `forget_session_cookie`); the `before_send` hook below adds it to
the response, whatever made it (a page, a redirect, an error). Nothing is sent to a
visitor who has no session.

A member signed in inside a brand's iframe (signed-token sign-in on a tenant with embed
origins) gets another cookie, `parvis_embed_session`: SameSite=None, Secure and Partitioned
(CHIPS), so that the browser sends it to the community framed by that brand's site, and only
there. The CSRF cookie of such a request is sent with the same attributes, so that the
embedded pages' forms work, and so is a guest's in a page framed by the brand (else the
browser never sends it back from the frame, and the guest's first form after signing in
there is refused). Every other sign-in keeps the first-party cookie, SameSite=Lax.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.types import Message
from litestar.types import Scope as AsgiScope

from community.identity.sessions import LIFETIME
from community.tenancy.embedding import embed_origins

SESSION_COOKIE = "parvis_session"
EMBED_COOKIE = "parvis_embed_session"
CSRF_COOKIE = "csrftoken"  # Litestar's CSRF middleware's
PENDING = "session_cookie"  # request state: the Set-Cookie headers this response carries
EMBEDDED = "embedded_session"  # request state: this response belongs to an embedded session
THIRD_PARTY = b"; Secure; SameSite=None; Partitioned"
FRAMED = {b"iframe", b"frame"}  # Sec-Fetch-Dest of a navigation inside a frame


def framed_by_brand(scope: AsgiScope) -> bool:
    """A navigation inside a frame (the browser says so with Sec-Fetch-Dest) of a tenant
    that brand pages may embed: what it sets must work in a third-party frame."""
    tenant = scope.get("state", {}).get("tenant")
    if tenant is None or not embed_origins(tenant.preferences):
        return False
    return any(
        name == b"sec-fetch-dest" and value in FRAMED for name, value in scope.get("headers", [])
    )


def session_token(request: Request[Any, Any, Any]) -> str:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token and (token := request.cookies.get(EMBED_COOKIE, "")):
        request.state[EMBEDDED] = True
    return token


def is_embedded(request: Request[Any, Any, Any]) -> bool:
    """Whether this request's session is an embedded one (read its token first)."""
    return bool(request.state.get(EMBEDDED))


def send_session_cookie(
    request: Request[Any, Any, Any], token: str, *, embedded: bool | None = None
) -> None:
    """The session cookie for `token`; `embedded` None: the embedded kind inside a brand's
    frame, else the kind the request came with."""
    if embedded is None and framed_by_brand(request.scope):
        embedded = True
    if embedded is not None:
        request.state[EMBEDDED] = embedded
    name = EMBED_COOKIE if is_embedded(request) else SESSION_COOKIE
    request.state[PENDING] = [_cookie(request, name, token, int(LIFETIME.total_seconds()))]


def forget_session_cookie(request: Request[Any, Any, Any]) -> None:
    request.state[PENDING] = [
        _cookie(request, SESSION_COOKIE, "", 0),
        _cookie(request, EMBED_COOKIE, "", 0),
    ]


def _cookie(
    request: Request[Any, Any, Any], name: str, value: str, max_age: int
) -> tuple[bytes, bytes]:
    cookie = Cookie(
        key=name,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )
    header = cookie.to_encoded_header()
    return (header[0], _third_party(header[1])) if name == EMBED_COOKIE else header


def _third_party(value: bytes) -> bytes:
    """A Set-Cookie value made to work in a third-party iframe: SameSite=None needs Secure,
    and Partitioned keys the cookie to the site that frames the community."""
    parts = value.split(b"; ")
    kept = [part for part in parts if not part.lower().startswith((b"samesite", b"secure"))]
    return b"; ".join(kept) + THIRD_PARTY


async def add_session_cookie(message: Message, scope: AsgiScope) -> None:
    """`before_send` hook: the pending cookies go out with the response's headers; in an
    embedded session, the CSRF cookie is made to work in the iframe too."""
    if message["type"] != "http.response.start":
        return
    state = scope.get("state", {})
    headers = list(message.get("headers", []))
    if state.get(EMBEDDED) or framed_by_brand(scope):
        headers = [_embedded_csrf(name, value) for name, value in headers]
    message["headers"] = [*headers, *state.get(PENDING, [])]


def _embedded_csrf(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name.lower() == b"set-cookie" and value.startswith(CSRF_COOKIE.encode() + b"="):
        return name, _third_party(value)
    return name, value
