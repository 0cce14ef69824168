"""/metrics for Prometheus: request latency by route, jobs run here, and the outboxes.

Not public: with `PARVIS_METRICS_TOKEN` set, a scrape must send `Authorization: Bearer
<token>`; without one, /metrics answers only in development and only to a client on this
machine that came through no proxy. Elsewhere it does not exist (404).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.plugins.prometheus import PrometheusConfig

from community.config import Settings
from community.l10n import N_
from community.metrics import exposition, outbox_metrics

NEEDS_TOKEN = N_("Metrics need the operator's token.")
NOT_FOUND = N_("Page not found")
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")

# Requests by route template (/t/{thread_id:int}/{slug:str}), never by raw path: one series
# per route, however many threads there are. Unrouted paths never reach this middleware.
REQUEST_METRICS = PrometheusConfig(
    app_name="parvis",
    prefix="parvis",
    group_path=True,
    exclude=["^/metrics", "^/static/"],
)


def _from_this_machine(request: Request[Any, Any, Any]) -> bool:
    client = request.client.host if request.client else ""
    try:
        loopback = ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False
    return loopback and not any(name in request.headers for name in PROXY_HEADERS)


def check_scraper(request: Request[Any, Any, Any], settings: Settings) -> None:
    """Raise unless this request may read the metrics (see the module's docstring)."""
    if settings.metrics_token:
        expected = f"Bearer {settings.metrics_token}".encode()
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise NotAuthorizedException(NEEDS_TOKEN, headers={"WWW-Authenticate": "Bearer"})
        return
    if settings.is_production or not _from_this_machine(request):
        raise NotFoundException(NOT_FOUND)


@get("/metrics", include_in_schema=False, cache_control=None)
async def metrics(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    check_scraper(request, state.settings)
    async with state.sessions() as session:  # unbound: every tenant's outboxes
        computed = await outbox_metrics(session)
    body, content_type = exposition(computed)
    return Response(body, media_type=content_type)
