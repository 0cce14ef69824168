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

from community.tenancy.services import TenantResolver, host_name

UNTENANTED_PATHS = ("/static/", "/health", "/schema", "/metrics")
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
        scope["state"]["tenant"] = tenant
        await next_app(scope, receive, send)
