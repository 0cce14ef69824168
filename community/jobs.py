"""The job-queue port: arq on Redis when PARVIS_REDIS_URL is set, an in-process runner otherwise.

Both run the same task functions, arq-style: `async def task(ctx, **kwargs)`, where
`ctx["sessions"]` is a session factory, `ctx["jobs"]` the queue and `ctx["outbound"]` the
client for requests to addresses tenants chose. The registry of tasks by name is
`community.tasks.TASKS`.

Redis is an accelerator, never the only copy of a job (`community.jobstore`): a job
enqueued in a unit of work is a row committed with it, and Redis only carries its id; a job
enqueued outside one is written to the table when Redis cannot take it. When Redis is down,
the process that enqueued runs the job itself, and `sweep_jobs` (the worker's cron, the web
process's sweeper) hands on every kept job that is due and that no one is running.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from arq.connections import ArqRedis, RedisSettings
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community import jobstore
from community.config import DeliveryOptions
from community.db import after_commit
from community.jobstore import Ticket
from community.metrics import observed_job
from community.net.outbound import Outbound

log = logging.getLogger(__name__)

TaskFunction = Callable[..., Awaitable[Any]]

QUEUE_NAME = "parvis:queue"
CONCURRENCY = 4  # jobs an in-process queue runs at once
LEASE_SECONDS = 300.0  # a kept job being run holds its row this long at most (arq's job timeout)
PUSH_TIMEOUT = 1.0  # seconds an enqueue may wait for Redis before the job is kept and run here
REDIS_RETRY_SECONDS = 2.0  # after a failure, enqueues skip Redis this long (no wait per request)
SWEEP_GRACE_SECONDS = 5.0  # a kept job this overdue was not taken by its transport: hand it on


def task_context(
    sessions: async_sessionmaker[AsyncSession],
    jobs: JobQueue,
    delivery: DeliveryOptions | None = None,
    outbound: Outbound | None = None,
    lease_seconds: float = LEASE_SECONDS,
    secret_key: str = "",
) -> dict[str, Any]:
    return {
        "sessions": sessions,
        "jobs": jobs,
        "delivery": delivery or DeliveryOptions(),
        "outbound": outbound or Outbound(),  # no internal host allowed
        "job_lease_seconds": lease_seconds,
        "secret_key": secret_key,  # unseals what tasks send with (webhook signing secrets)
    }


def enqueue_after_commit(
    session: AsyncSession, name: str, *, _defer_by: float = 0, **kwargs: Any
) -> None:
    """Keep a job in this session's transaction; hand it to the queue once that commits.

    Sessions opened by the web app, the worker and the CLI carry their queue in
    `session.info["jobs"]`. The job is a row of the same transaction, so it exists exactly
    when the change that asked for it does, whatever happens to Redis or to this process.
    """
    jobs: JobQueue = session.info["jobs"]
    row = jobstore.new_job(name, kwargs, _defer_by)
    session.add(row)

    async def send() -> None:
        await jobs.dispatch(Ticket.of(row))

    after_commit(session, send)


class JobQueue(Protocol):
    async def enqueue(self, name: str, *, _defer_by: float = 0, **kwargs: Any) -> None:
        """Run task `name` with `kwargs`, no sooner than `_defer_by` seconds from now.

        Never raises because Redis is down: the job is then kept in the database."""

    async def dispatch(self, ticket: Ticket) -> None:
        """Run a job kept in the database (its row is claimed first: it runs once)."""

    async def close(self) -> None: ...


async def perform(
    ctx: dict[str, Any], function: TaskFunction, kwargs: dict[str, Any], job_id: int | None
) -> Any:
    """Run one task; a kept job is claimed first and finished by the task's first commit."""
    if job_id is None:
        return await function(ctx, **kwargs)
    sessions = ctx["sessions"]
    if not await jobstore.claim(sessions, job_id, ctx.get("job_lease_seconds", LEASE_SECONDS)):
        return None  # done already, or under way elsewhere
    token = jobstore.finishing(job_id)
    try:
        result = await function(ctx, **kwargs)
    except Exception as exc:
        if not jobstore.stop_finishing(token):
            await jobstore.release(sessions, job_id, repr(exc))
        raise
    if not jobstore.stop_finishing(token):
        await jobstore.finish(sessions, job_id)  # a task that never committed
    return result


async def sweep_jobs(sessions: async_sessionmaker[AsyncSession], jobs: JobQueue) -> int:
    """Hand on every kept job that is overdue and not under way; returns how many."""
    tickets = await jobstore.due(sessions, SWEEP_GRACE_SECONDS)
    for ticket in tickets:
        await jobs.dispatch(ticket)
    return len(tickets)


class InProcessQueue:
    """Runs each job as a task on this event loop; `drain()` waits for those under way.

    A deferred job sleeps in its task; `close()` drops those still asleep (a kept job's row
    stays and the next sweep runs it; an escalation is re-driven from its own row).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tasks: dict[str, TaskFunction],
        delivery: DeliveryOptions | None = None,
        outbound: Outbound | None = None,
        lease_seconds: float = LEASE_SECONDS,
        secret_key: str = "",
    ) -> None:
        self._ctx = task_context(sessions, self, delivery, outbound, lease_seconds, secret_key)
        self._tasks = tasks
        self._running: set[asyncio.Task[None]] = set()
        self._asleep: set[asyncio.Task[None]] = set()
        # A few at a time, as a worker would: a burst of jobs all opening write transactions
        # at once starves SQLite's single writer ("database is locked").
        self._slots = asyncio.Semaphore(CONCURRENCY)

    @property
    def context(self) -> dict[str, Any]:
        return self._ctx

    async def enqueue(self, name: str, *, _defer_by: float = 0, **kwargs: Any) -> None:
        self._start(name, kwargs, None, _defer_by)

    async def dispatch(self, ticket: Ticket) -> None:
        self._start(ticket.name, ticket.kwargs, ticket.id, ticket.defer_by)

    def _start(self, name: str, kwargs: dict[str, Any], job_id: int | None, defer: float) -> None:
        # A fresh context: a job started by another job must not finish that job's row.
        run = self._run(name, kwargs, job_id, defer)
        task = asyncio.create_task(run, context=contextvars.Context())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(
        self, name: str, kwargs: dict[str, Any], job_id: int | None, defer_by: float
    ) -> None:
        if defer_by > 0:
            me = asyncio.current_task()
            assert me is not None
            self._asleep.add(me)
            try:
                await asyncio.sleep(defer_by)
            finally:
                self._asleep.discard(me)
        async with self._slots:
            with contextlib.suppress(Exception), observed_job(name, str(job_id or "")):
                await perform(self._ctx, self._tasks[name], kwargs, job_id)  # logged there

    async def drain(self) -> None:
        while self._running:
            await asyncio.gather(*self._running)

    async def close(self) -> None:
        for task in list(self._asleep):
            task.cancel()
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


def arq_job_id(ticket: Ticket) -> str:
    """One arq job per attempt of a kept job: handing it on twice (the commit, then a sweep)
    queues it once, and a retry after a failed attempt is not refused as a duplicate."""
    return f"parvis:job:{ticket.id}:{ticket.attempts}"


class ArqQueue:
    """Enqueues on Redis for `parvis worker` processes to run.

    When Redis does not answer within PUSH_TIMEOUT, the job is kept in the database and,
    with a `fallback` queue, run in this process at once; Redis is then left alone for
    REDIS_RETRY_SECONDS so that requests do not each wait for it.
    """

    def __init__(
        self,
        pool: ArqRedis,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        fallback: InProcessQueue | None = None,
    ) -> None:
        self._pool = pool
        self._sessions = sessions
        self._fallback = fallback
        self._skip_redis_until = 0.0

    @classmethod
    async def connect(
        cls,
        redis_url: str,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        fallback: InProcessQueue | None = None,
    ) -> ArqQueue:
        """A queue whose Redis may be down now: nothing is asked of it before an enqueue."""
        return cls(redis_pool(redis_url), sessions, fallback)

    @property
    def redis_usable(self) -> bool:
        return time.monotonic() >= self._skip_redis_until

    async def enqueue(self, name: str, *, _defer_by: float = 0, **kwargs: Any) -> None:
        if await self._push(name, kwargs, _defer_by, None):
            return
        if self._sessions is None:
            raise RuntimeError(f"Redis is down and job {name} has nowhere to be kept")
        await self._run_here(await jobstore.keep(self._sessions, name, kwargs, _defer_by))

    async def dispatch(self, ticket: Ticket) -> None:
        if not await self._push(ticket.name, ticket.kwargs, ticket.defer_by, ticket):
            await self._run_here(ticket)

    async def _push(
        self, name: str, kwargs: dict[str, Any], defer_by: float, ticket: Ticket | None
    ) -> bool:
        if not self.redis_usable:
            return False
        job_id = None if ticket is None else arq_job_id(ticket)
        kept: dict[str, Any] = {} if ticket is None else {"queued_job": ticket.id}
        try:
            async with asyncio.timeout(PUSH_TIMEOUT):
                await self._pool.enqueue_job(
                    name,
                    _job_id=job_id,
                    _queue_name=QUEUE_NAME,
                    _defer_by=defer_by or None,
                    **kept,
                    **kwargs,
                )
        except (RedisError, OSError, TimeoutError) as exc:
            self._skip_redis_until = time.monotonic() + REDIS_RETRY_SECONDS
            log.warning("Redis did not take job %s (%r): kept in the database", name, exc)
            return False
        return True

    async def _run_here(self, ticket: Ticket) -> None:
        if self._fallback is not None:
            await self._fallback.dispatch(ticket)
        # else the next sweep hands it on

    async def close(self) -> None:
        if self._fallback is not None:
            await self._fallback.close()
        await self._pool.aclose()


def redis_pool(redis_url: str) -> ArqRedis:
    settings = RedisSettings.from_dsn(redis_url)
    return ArqRedis(
        host=settings.host,
        port=settings.port,
        db=settings.database,
        username=settings.username,
        password=settings.password,
        ssl=settings.ssl,
        socket_connect_timeout=PUSH_TIMEOUT,
        socket_timeout=PUSH_TIMEOUT,
        default_queue_name=QUEUE_NAME,
    )


def as_arq_function(task: TaskFunction) -> TaskFunction:
    """A task as the worker runs it: a kept job arrives with its row's id, `queued_job`."""

    async def run(ctx: dict[str, Any], *, queued_job: int | None = None, **kwargs: Any) -> Any:
        return await perform(ctx, task, kwargs, queued_job)

    run.__qualname__ = run.__name__ = getattr(task, "__name__", "task")
    return run


async def connect_queue(
    redis_url: str,
    sessions: async_sessionmaker[AsyncSession],
    tasks: dict[str, TaskFunction],
    delivery: DeliveryOptions | None = None,
    outbound: Outbound | None = None,
    lease_seconds: float = LEASE_SECONDS,
    secret_key: str = "",
) -> InProcessQueue | ArqQueue:
    """Redis when configured, with this process as the runner of last resort; else in-process."""
    here = InProcessQueue(sessions, tasks, delivery, outbound, lease_seconds, secret_key)
    if redis_url:
        return await ArqQueue.connect(redis_url, sessions, here)
    return here


async def sweep_kept_jobs(ctx: dict[str, Any]) -> int:
    """The task form of `sweep_jobs`, for the worker's cron."""
    return await sweep_jobs(ctx["sessions"], ctx["jobs"])
