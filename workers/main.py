"""arq worker: runs community task functions against the same database as the web processes.

`parvis worker` runs `run_worker(settings)`: an arq `Worker` inside a loop that outlives
Redis. arq 0.28's own worker ends at the first Redis error (its poll loop raises, its
`close()` raises again) and never comes back; here a Redis outage ends only that `Worker`:
the jobs under way finish (if arq cannot record the result, the job runs again later, as
after any crash: tasks are idempotent), and a new `Worker` connects again after 0.5 s, 1 s,
2 s… up to 30 s between attempts, for as long as it takes.

SIGTERM or SIGINT drains: no new job is taken, those under way get PARVIS_WORKER_DRAIN_SECONDS
to finish; any still running are then cancelled, which rolls their transaction back, and
arq runs them again on the next worker. A second signal cancels at once.

`create_worker(settings)` builds one plain arq `Worker` (tests run it in burst mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import time
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from arq import Worker, cron, func
from arq.connections import RedisSettings
from prometheus_client import Gauge, start_http_server
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.analytics.tasks import rollup_dashboard
from community.config import Settings
from community.db import create_engine, session_factory
from community.escalation.tasks import sweep_escalations
from community.jobs import (
    QUEUE_NAME,
    ArqQueue,
    InProcessQueue,
    TaskFunction,
    as_arq_function,
    sweep_kept_jobs,
    task_context,
)
from community.mailing.tasks import sweep_mail
from community.metrics import observed_job
from community.net.outbound import Outbound
from community.search import service as search
from community.search.tasks import sweep_search
from community.startup import reason, shown
from community.tasks import TASKS
from community.webhooks.tasks import sweep_webhooks
from community.wiring import register_all

log = logging.getLogger("parvis.worker")

FIRST_RETRY_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 30.0
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
REDIS_UP = Gauge("parvis_worker_redis_connected", "1 while this worker is connected to Redis")


def instrumented(name: str, task: TaskFunction) -> TaskFunction:
    """`task`, counted, timed and logged per run (community.metrics.observed_job)."""

    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        with observed_job(name, str(ctx.get("job_id", "")), int(ctx.get("job_try") or 1)):
            return await task(ctx, *args, **kwargs)

    run.__name__ = run.__qualname__ = name
    return run


def every(seconds: int) -> set[int]:
    """The seconds of each minute at which a cron job `seconds` apart runs."""
    return set(range(0, 60, max(1, min(seconds, 60))))


def worker_options(
    settings: Settings, sessions: async_sessionmaker[AsyncSession] | None = None
) -> dict[str, Any]:
    """arq `Worker` options. With `sessions`, every worker built from them shares that
    engine (the supervisor's); without, each worker opens and closes its own."""
    register_all()
    outbound = Outbound.from_settings(settings)

    async def startup(ctx: dict[str, Any]) -> None:
        if sessions is None:
            ctx["engine"] = create_engine(settings.database_url)
        own = sessions or session_factory(ctx["engine"])
        # Jobs this worker enqueues go to Redis; while Redis is down they are kept and run here.
        lease, key = settings.job_lease_seconds, settings.secret_key
        here = InProcessQueue(own, TASKS, settings.delivery, outbound, lease, key)
        jobs = ArqQueue(ctx["redis"], own, here)
        context = task_context(own, jobs, settings.delivery, outbound, lease, key)
        ctx.update(context, here=here, search=search.engine_for(settings))
        REDIS_UP.set(1)
        log.info("connected to Redis at %s", shown(settings.redis_url))

    async def shutdown(ctx: dict[str, Any]) -> None:
        if here := ctx.get("here"):
            await here.close()
        if engine := ctx.get("engine"):
            await engine.dispose()

    redis_settings = RedisSettings.from_dsn(settings.redis_url)
    redis_settings.conn_retries = 0  # run_worker retries, with back-off and without end
    return {
        "functions": [
            func(instrumented(name, as_arq_function(task)), name=name)  # type: ignore[arg-type]
            for name, task in TASKS.items()
        ],
        "queue_name": QUEUE_NAME,
        # arq polls every 0.5 s by default: ~300 ms added to every escalation on a quiet
        # system (benchmarks/escalation_latency.py); 0.05 s costs ~20 Redis calls/s per worker.
        "poll_delay": 0.05,
        "max_jobs": settings.worker_concurrency,
        "job_completion_wait": settings.worker_drain_seconds,
        "redis_settings": redis_settings,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "cron_jobs": [
            cron(
                instrumented("sweep_escalations", sweep_escalations),  # type: ignore[arg-type]
                name="sweep_escalations",
                second={0},
            ),
            # Webhook deliveries whose job was lost or whose worker died mid-delivery.
            cron(
                instrumented("sweep_webhooks", sweep_webhooks),  # type: ignore[arg-type]
                name="sweep_webhooks",
                second={45},
            ),
            # Index queues whose search_index job was lost.
            cron(
                instrumented("sweep_search", sweep_search),  # type: ignore[arg-type]
                name="sweep_search",
                second={30},
            ),
            # Digests that are due, and notification mail whose job was lost.
            cron(
                instrumented("sweep_mail", sweep_mail),  # type: ignore[arg-type]
                name="sweep_mail",
                second={15},
            ),
            # The dashboard's roll-ups: days whose facts changed, every five minutes.
            cron(
                instrumented("rollup_dashboard", rollup_dashboard),  # type: ignore[arg-type]
                name="rollup_dashboard",
                minute=set(range(0, 60, 5)),
                second={45},
            ),
            # Kept jobs whose Redis copy was lost (Redis restarted, a worker killed): at start,
            # then every few seconds.
            cron(
                instrumented("sweep_jobs", sweep_kept_jobs),  # type: ignore[arg-type]
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


@dataclass
class Totals:
    complete: int = 0
    failed: int = 0
    retried: int = 0

    def add(self, worker: Worker) -> None:
        self.complete += worker.jobs_complete
        self.failed += worker.jobs_failed
        self.retried += worker.jobs_retried


class Supervisor:
    """Runs arq workers one after another until told to stop (see the module docstring)."""

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = settings
        self.overrides = overrides
        self.stopping = asyncio.Event()
        self.signals = 0
        self.current: Worker | None = None
        self.totals = Totals()

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """First call: drain the current worker; second: cancel its jobs now."""
        self.signals += 1
        self.stopping.set()
        worker, name = self.current, signal.Signals(signum).name
        if worker is None or worker.main_task is None:
            log.info("stopping on %s", name)
        elif self.signals == 1:
            log.info("stopping on %s: draining", name, extra=self._draining(worker))
            worker.handle_sig_wait_for_completion(signum)  # type: ignore[arg-type]
        else:
            log.warning("stopping on %s again: cancelling the jobs under way", name)
            worker.handle_sig(signum)  # type: ignore[arg-type]

    def _draining(self, worker: Worker) -> dict[str, Any]:
        return {
            "jobs_running": len(worker.tasks),
            "drain_seconds": self.settings.worker_drain_seconds,
        }

    async def run(self) -> None:
        engine = create_engine(self.settings.database_url)
        options = worker_options(self.settings, session_factory(engine)) | self.overrides
        options["handle_signals"] = False  # ours, so a drain survives a reconnect
        self._log_start(options)
        delay = FIRST_RETRY_SECONDS
        try:
            while not self.stopping.is_set():
                connected = await self._run_one(Worker(**options))
                if self.stopping.is_set():
                    break
                delay = FIRST_RETRY_SECONDS if connected else min(delay * 2, LONGEST_RETRY_SECONDS)
                log.info("connecting to Redis again in %.1f s", delay, extra={"retry_in_s": delay})
                await self._sleep(delay * random.uniform(0.8, 1.2))
        finally:
            await engine.dispose()
            t = self.totals
            log.info(
                "worker stopped",
                extra={
                    "jobs_complete": t.complete,
                    "jobs_failed": t.failed,
                    "jobs_retried": t.retried,
                },
            )

    async def _run_one(self, worker: Worker) -> bool:
        """Run `worker` until it stops or loses Redis; True if it had connected."""
        self.current = worker
        started = time.monotonic()
        worker.main_task = asyncio.create_task(worker.main())
        try:
            await worker.main_task
        except asyncio.CancelledError:
            if _being_cancelled():
                raise
        except REDIS_DOWN as exc:
            log.warning(
                "Redis at %s is unreachable: %s",
                shown(self.settings.redis_url),
                reason(exc),
                extra={"connected_for_s": round(time.monotonic() - started, 1)},
            )
        except Exception:  # a fault of arq's or ours: a fresh worker, after the same back-off
            log.exception("the worker stopped on an error; starting a new one")
        finally:
            self.current = None
            REDIS_UP.set(0)
            await _close(worker)
            self.totals.add(worker)
        return "redis" in worker.ctx

    async def _sleep(self, seconds: float) -> None:
        """Sleep, waking at once if asked to stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)

    def _log_start(self, options: dict[str, Any]) -> None:
        names = [
            *sorted(f.name for f in options["functions"]),
            "sweep_escalations (cron)",
            "sweep_webhooks (cron)",
        ]
        log.info(
            "worker starting",
            extra={
                "version": version("parvis"),
                "arq": version("arq"),
                "redis": shown(self.settings.redis_url),
                "queues": [options["queue_name"]],
                "concurrency": options["max_jobs"],
                "drain_seconds": options["job_completion_wait"],
                "tasks": names,
            },
        )


def _being_cancelled() -> bool:
    me = asyncio.current_task()
    return me is not None and me.cancelling() > 0


async def _close(worker: Worker) -> None:
    """Let the jobs under way end, then drop the worker's connections; arq's own `close()`
    would cancel the jobs (without its signal handlers) and raise when Redis is gone."""
    if worker.tasks:
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    pool = worker._pool
    if pool is not None:
        with contextlib.suppress(*REDIS_DOWN):
            await pool.delete(worker.health_check_key)
        await pool.aclose()
        worker._pool = None
    if worker.on_shutdown and "redis" in worker.ctx:
        await worker.on_shutdown(worker.ctx)


async def run_worker(settings: Settings, **overrides: Any) -> None:
    """`parvis worker`: run jobs until SIGTERM or SIGINT, through any Redis outage."""
    supervisor = Supervisor(settings, **overrides)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, supervisor.stop, signum)
    metrics_server = None
    if settings.worker_metrics_port:
        metrics_server, _thread = start_http_server(
            settings.worker_metrics_port, addr=settings.worker_metrics_host
        )
        log.info(
            "metrics on http://%s:%d/metrics",
            settings.worker_metrics_host,
            settings.worker_metrics_port,
        )
    try:
        await supervisor.run()
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
