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
from community.jobs import QUEUE_NAME, ArqQueue, task_context
from community.net.outbound import Outbound
from community.tasks import TASKS
from community.wiring import register_all


def worker_options(settings: Settings) -> dict[str, Any]:
    register_all()
    outbound = Outbound.from_settings(settings)

    async def startup(ctx: dict[str, Any]) -> None:
        engine = create_engine(settings.database_url)
        jobs = ArqQueue(ctx["redis"])
        context = task_context(session_factory(engine), jobs, settings.delivery, outbound)
        ctx.update(context, engine=engine)

    async def shutdown(ctx: dict[str, Any]) -> None:
        if engine := ctx.get("engine"):
            await engine.dispose()

    return {
        "functions": [func(task, name=name) for name, task in TASKS.items()],  # type: ignore[arg-type]
        "queue_name": QUEUE_NAME,
        # arq polls every 0.5 s by default: ~300 ms added to every escalation on a quiet
        # system (benchmarks/escalation_latency.py); 0.05 s costs ~20 Redis calls/s per worker.
        "poll_delay": 0.05,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "cron_jobs": [cron(sweep_escalations, name="sweep_escalations", second={0})],
    }


def create_worker(settings: Settings, **overrides: Any) -> Worker:
    if not settings.redis_url:
        raise RuntimeError(
            "PARVIS_REDIS_URL is not set: without Redis, jobs run in the web process."
        )
    return Worker(**(worker_options(settings) | overrides))
