"""One database session per request, committed before a successful response is sent.

A middleware rather than a generator dependency: when a later dependency raises (a guest
on a members-only page), Litestar never closes generator dependencies it had already
started, so the session would leak until garbage collection.
"""

from __future__ import annotations

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from community.db import bind_tenant, commit
from community.limits import SESSION_KEY as LIMITS

NO_DATABASE_PREFIXES = ("/static/", "/health", "/schema", "/metrics")


def _no_database(scope: Scope) -> bool:
    return str(scope["path"]).startswith(NO_DATABASE_PREFIXES)


class UnitOfWorkMiddleware(ASGIMiddleware):
    """Commit when the response is a success or a redirect (< 400); roll back otherwise."""

    should_bypass_for_scope = staticmethod(_no_database)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        state = scope["litestar_app"].state
        session = state.sessions()
        session.info["jobs"] = state.jobs
        session.info[LIMITS] = state.limits
        state_of_request = scope.setdefault("state", {})
        state_of_request["db"] = session
        if (tenant := state_of_request.get("tenant")) is not None:
            bind_tenant(session, tenant.id)  # this request sees its tenant's rows only

        async def send_after_commit(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] < 400:
                    await commit(session)
                else:
                    await session.rollback()
            await send(message)

        try:
            await next_app(scope, receive, send_after_commit)
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()
