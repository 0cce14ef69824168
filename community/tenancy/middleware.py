"""Resolves each request's tenant from its Host header, before any handler runs."""

from __future__ import annotations

from litestar.datastructures import Headers
from litestar.exceptions import NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from community.tenancy.services import TenantResolver

UNTENANTED_PATHS = ("/static/", "/health", "/schema", "/metrics")


def _untenanted(scope: Scope) -> bool:
    return str(scope["path"]).startswith(UNTENANTED_PATHS)


class TenantMiddleware(ASGIMiddleware):
    should_bypass_for_scope = staticmethod(_untenanted)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        resolver: TenantResolver = scope["litestar_app"].state.tenants
        tenant = await resolver.resolve(Headers.from_scope(scope).get("host", ""))
        if tenant is None:
            raise NotFoundException("There is no community at this address.")
        scope.setdefault("state", {})["tenant"] = tenant
        await next_app(scope, receive, send)
