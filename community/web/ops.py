"""Endpoints for operators: /health."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import text


class Health(msgspec.Struct):
    status: str
    database: str
    redis: str


async def _check_database(state: State) -> str:
    try:
        async with state.sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


async def _check_redis(state: State) -> str:
    redis: Any = state.get("redis")
    if redis is None:
        return "not configured"
    try:
        await redis.ping()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@get(
    "/health",
    tags=["operations"],
    security=[{}],
    responses={503: ResponseSpec(Health, description="The database or Redis does not answer.")},
)
async def health(state: State) -> Response[Health]:
    """Database (and Redis, when configured) status; 503 when one is down."""
    report = Health("ok", await _check_database(state), await _check_redis(state))
    healthy = report.database == "ok" and report.redis in {"ok", "not configured"}
    if not healthy:
        report.status = "degraded"
    return Response(report, status_code=200 if healthy else 503)
