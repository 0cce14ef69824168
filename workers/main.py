"""arq worker: runs community task functions against the same database as the web processes.

`parvis worker` starts it; `create_worker(settings)` builds one (tests run it in burst mode).
"""

from __future__ import annotations

from typing import Any

from arq import Worker, cron, func
from arq.connections import RedisSettings

from community.config import Settings
from community.db import create_engine, session_factory
from community.escalation.tasks import sweep_escalations
from community.jobs import (
    QUEUE_NAME,
    ArqQueue,
    InProcessQueue,
    as_arq_function,
    sweep_kept_jobs,
    task_context,
)
from community.net.outbound import Outbound
from community.tasks import TASKS
from community.wiring import register_all


def every(seconds: int) -> set[int]:
    """The seconds of each minute at which a cron job `seconds` apart runs."""
    return set(range(0, 60, max(1, min(seconds, 60))))


def worker_options(settings: Settings) -> dict[str, Any]:
    register_all()
    outbound = Outbound.from_settings(settings)

    async def startup(ctx: dict[str, Any]) -> None:
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        # Jobs this worker enqueues go to Redis; while Redis is down they are kept and run here.
        here = InProcessQueue(
            sessions, TASKS, settings.delivery, outbound, settings.job_lease_seconds
        )
        jobs = ArqQueue(ctx["redis"], sessions, here)
        context = task_context(
            sessions, jobs, settings.delivery, outbound, settings.job_lease_seconds
        )
        ctx.update(context, engine=engine, here=here)

    async def shutdown(ctx: dict[str, Any]) -> None:
        if here := ctx.get("here"):
            await here.close()
        if engine := ctx.get("engine"):
            await engine.dispose()

    return {
        "functions": [
            func(as_arq_function(task), name=name)  # type: ignore[arg-type]
            for name, task in TASKS.items()
        ],
        "queue_name": QUEUE_NAME,
        # arq polls every 0.5 s by default: ~300 ms added to every escalation on a quiet
        # system (benchmarks/escalation_latency.py); 0.05 s costs ~20 Redis calls/s per worker.
        "poll_delay": 0.05,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "cron_jobs": [
            cron(sweep_escalations, name="sweep_escalations", second={0}),
            # Kept jobs whose Redis copy was lost (Redis restarted, a worker killed): at start,
            # then every few seconds.
            cron(
                sweep_kept_jobs,
                name="sweep_jobs",
                second=every(settings.job_sweep_seconds),
                run_at_startup=True,
            ),
        ],
    }


def create_worker(settings: Settings, **overrides: Any) -> Worker:
    if not settings.redis_url:
        raise RuntimeError(
            "PARVIS_REDIS_URL is not set: without Redis, jobs run in the web process."
        )
    return Worker(**(worker_options(settings) | overrides))
