"""Resolves each request's tenant from its Host header, before any handler runs."""

from __future__ import annotations

from litestar.datastructures import Headers
from litestar.exceptions import NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from community.tenancy.services import TenantInfo, TenantResolver, host_name, is_local_host

UNTENANTED_PATHS = ("/static/", "/health", "/schema", "/metrics")
# Served on whichever domain they are asked at: API clients (and their keys) must not be
# bounced to another origin, sign-in callbacks carry state cookies of the domain that
# started them, and certificate challenges are answered by the domain they name.
NOT_REDIRECTED = ("/api/", "/auth/", "/.well-known/")
REDIRECTED_METHODS = ("GET", "HEAD")  # a 301 would turn a POST into a GET and lose its body
BAD_HOST = b"Bad request: the Host header is not a host name (with a port from 1 to 65535)."


def _untenanted(scope: Scope) -> bool:
    return str(scope["path"]).startswith(UNTENANTED_PATHS)


class HostCheckMiddleware(ASGIMiddleware):
    """A Host header that does not parse gets a plain 400 at once, on every path: nothing
    after this (the request's URL, the error pages) has to cope with one."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        host = host_name(Headers.from_scope(scope).get("host", ""))
        if host is None:
            await _plain_400(send)
            return
        scope.setdefault("state", {})["host"] = host
        await next_app(scope, receive, send)


async def _plain_400(send: Send) -> None:
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 400,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"x-content-type-options", b"nosniff"),
        ],
    }
    body: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": BAD_HOST,
        "more_body": False,
    }
    await send(start)
    await send(body)


class TenantMiddleware(ASGIMiddleware):
    should_bypass_for_scope = staticmethod(_untenanted)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        resolver: TenantResolver = scope["litestar_app"].state.tenants
        tenant = await resolver.resolve(scope["state"]["host"])
        if tenant is None:
            raise NotFoundException("There is no community at this address.")
        if location := canonical_location(scope, tenant):
            await _moved(send, location)
            return
        scope["state"]["tenant"] = tenant
        await next_app(scope, receive, send)


def canonical_location(scope: Scope, tenant: TenantInfo) -> str | None:
    """Where a page asked at one of the tenant's other domains lives, or None to serve it
    here (no canonical domain chosen, a local host, a POST, an API or callback path)."""
    host: str = scope["state"]["host"]
    if (
        not tenant.canonical_domain
        or host == tenant.canonical_domain
        or is_local_host(host)
        or scope.get("method", "GET") not in REDIRECTED_METHODS
        or str(scope["path"]).startswith(NOT_REDIRECTED)
    ):
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    path = str(scope.get("raw_path", b"").decode("latin-1") or scope["path"])
    return f"{scope.get('scheme', 'https')}://{tenant.canonical_domain}{path}" + (
        f"?{query}" if query else ""
    )


async def _moved(send: Send, location: str) -> None:
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 301,
        "headers": [
            (b"location", location.encode("latin-1")),
            (b"content-length", b"0"),
            (b"cache-control", b"max-age=3600"),
        ],
    }
    body: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
    await send(start)
    await send(body)
