"""One log line per request, and a request id on every response.

The id is the caller's `X-Request-ID` when it is a sane token (a proxy's or a load
balancer's, so their logs and ours join up), otherwise a new one; every line logged while
the request is served carries it (`community.logs.REQUEST_ID`), and the response echoes it.
The request's line says who (tenant, member), what (method, route template), how it ended
(status) and how long it took.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from community.logs import REQUEST_ID

log = logging.getLogger("parvis.request")

HEADER = "x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,100}")
QUIET_PATHS = ("/static/", "/health", "/metrics")  # logged at DEBUG: probes and scrapes


def request_id_of(scope: Scope) -> str:
    """This request's id, chosen once per request."""
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        given = Headers.from_scope(scope).get(HEADER, "")
        state["request_id"] = given if _SANE.fullmatch(given) else uuid.uuid4().hex
    chosen: str = state["request_id"]
    return chosen


async def echo_request_id(message: Message, scope: Scope) -> None:
    """`before_send` hook: every response carries its request's id, errors included."""
    if message["type"] == "http.response.start":
        MutableScopeHeaders.from_message(message)[HEADER] = request_id_of(scope)


class RequestLogMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = REQUEST_ID.set(request_id_of(scope))
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await next_app(scope, receive, send_noting_status)
        except HTTPException as exc:  # answered by the app's exception handler, outside us
            status = exc.status_code
            raise
        finally:
            _log_request(scope, status, time.perf_counter() - started)
            REQUEST_ID.reset(token)


def _log_request(scope: Scope, status: int, seconds: float) -> None:
    path = str(scope["path"])
    level = logging.DEBUG if path.startswith(QUIET_PATHS) and status < 500 else logging.INFO
    state: dict[str, Any] = scope.get("state", {})
    tenant, viewer = state.get("tenant"), state.get("viewer")
    method = scope.get("method", "")
    log.log(
        level,
        "%s %s %d",
        method,
        path,
        status,
        extra={
            "request_id": REQUEST_ID.get(),
            "method": method,
            "route": scope.get("path_template", path),
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "tenant_id": getattr(tenant, "id", None),
            "member_id": getattr(viewer, "id", None),
        },
    )
