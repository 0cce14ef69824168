"""Endpoints for operators: liveness and readiness.

`/health/live` answers as long as the process does (no dependency is asked). `/health/ready`
(and `/health`, its older name) asks each dependency: the database is required (503 when it
does not answer), Redis is an accelerator (reported "down", the status "degraded", still 200:
the web keeps serving without it), and the kept-job backlog is reported for the operator.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import text

from community.jobstore import backlog

CHECK_TIMEOUT = 2.0  # seconds a dependency may take before it counts as down


class Check(msgspec.Struct, omit_defaults=True):
    status: str  # "ok", "down" or "not configured"
    latency_ms: float | None = None
    error: str | None = None


class Jobs(msgspec.Struct):
    backlog: int | None  # jobs kept in the database that have not run yet
    oldest_seconds: float | None


class Readiness(msgspec.Struct):
    status: str  # "ok", "degraded" (Redis down: still serving) or "down" (database down)
    checks: dict[str, Check]
    jobs: Jobs


class Liveness(msgspec.Struct):
    status: str


async def _timed(probe: Awaitable[Any]) -> Check:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await probe
    except Exception as exc:
        return Check("down", _ms_since(started), type(exc).__name__)
    return Check("ok", _ms_since(started))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


async def _select_one(state: State) -> None:
    async with state.sessions() as session:
        await session.execute(text("SELECT 1"))


async def _check_redis(state: State) -> Check:
    redis: Any = state.get("redis")
    if redis is None:
        return Check("not configured")
    return await _timed(redis.ping())


async def _job_backlog(state: State) -> Jobs:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), state.sessions() as session:
            depth, oldest = await backlog(session)
    except Exception:
        return Jobs(None, None)
    return Jobs(depth, round(oldest, 1) if depth else None)


async def ready_report(state: State) -> tuple[Readiness, int]:
    database, redis = await asyncio.gather(_timed(_select_one(state)), _check_redis(state))
    if database.status != "ok":
        return Readiness("down", {"database": database, "redis": redis}, Jobs(None, None)), 503
    status = "degraded" if redis.status == "down" else "ok"
    return Readiness(status, {"database": database, "redis": redis}, await _job_backlog(state)), 200


NOT_READY = {503: ResponseSpec(Readiness, description="The database does not answer.")}


@get("/health/live", tags=["operations"], security=[{}])
async def liveness() -> Liveness:
    """The process answers: nothing else is asked (for restarts by an orchestrator)."""
    return Liveness("ok")


@get("/health/ready", tags=["operations"], security=[{}], responses=NOT_READY)
async def readiness(state: State) -> Response[Readiness]:
    """Each dependency's status and latency; 503 only when the database is down."""
    report, status_code = await ready_report(state)
    return Response(report, status_code=status_code)


@get("/health", tags=["operations"], security=[{}], responses=NOT_READY)
async def health(state: State) -> Response[Readiness]:
    """Readiness, under its older address."""
    report, status_code = await ready_report(state)
    return Response(report, status_code=status_code)
