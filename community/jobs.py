"""The job-queue port: arq on Redis when PARVIS_REDIS_URL is set, an in-process runner otherwise.

Both run the same task functions, arq-style: `async def task(ctx, **kwargs)`, where
`ctx["sessions"]` is a session factory, `ctx["jobs"]` the queue and `ctx["outbound"]` the
client for requests to addresses tenants chose. The registry of tasks by name is
`community.tasks.TASKS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.config import DeliveryOptions
from community.db import after_commit
from community.metrics import observed_job
from community.net.outbound import Outbound

log = logging.getLogger(__name__)

TaskFunction = Callable[..., Awaitable[Any]]

QUEUE_NAME = "parvis:queue"
CONCURRENCY = 4  # jobs an in-process queue runs at once


def task_context(
    sessions: async_sessionmaker[AsyncSession],
    jobs: JobQueue,
    delivery: DeliveryOptions | None = None,
    outbound: Outbound | None = None,
) -> dict[str, Any]:
    return {
        "sessions": sessions,
        "jobs": jobs,
        "delivery": delivery or DeliveryOptions(),
        "outbound": outbound or Outbound(),  # no internal host allowed
    }


def enqueue_after_commit(session: AsyncSession, name: str, **kwargs: Any) -> None:
    """Enqueue a job once this session's transaction commits, on the queue attached to it.

    Sessions opened by the web app, the worker and the CLI carry their queue in
    `session.info["jobs"]`; enqueuing before the commit could run a job on rolled-back rows.
    """
    jobs: JobQueue = session.info["jobs"]

    async def send() -> None:
        await jobs.enqueue(name, **kwargs)

    after_commit(session, send)


class JobQueue(Protocol):
    async def enqueue(self, name: str, *, _defer_by: float = 0, **kwargs: Any) -> None:
        """Run task `name` with `kwargs`, no sooner than `_defer_by` seconds from now."""

    async def close(self) -> None: ...


class InProcessQueue:
    """Runs each job as a task on this event loop; `drain()` waits for those under way.

    A deferred job sleeps in its task; `close()` drops those still asleep (what they would
    do is kept in the database, e.g. a pending escalation, and the next sweep re-drives it).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tasks: dict[str, TaskFunction],
        delivery: DeliveryOptions | None = None,
        outbound: Outbound | None = None,
    ) -> None:
        self._ctx = task_context(sessions, self, delivery, outbound)
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
        function = self._tasks[name]
        task = asyncio.create_task(self._run(name, function, kwargs, _defer_by))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(
        self, name: str, function: TaskFunction, kwargs: dict[str, Any], defer_by: float
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
            with contextlib.suppress(Exception), observed_job(name):  # logged there
                await function(self._ctx, **kwargs)

    async def drain(self) -> None:
        while self._running:
            await asyncio.gather(*self._running)

    async def close(self) -> None:
        for task in list(self._asleep):
            task.cancel()
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


class ArqQueue:
    """Enqueues on Redis for `parvis worker` processes to run."""

    def __init__(self, pool: ArqRedis) -> None:
        self._pool = pool

    @classmethod
    async def connect(cls, redis_url: str) -> ArqQueue:
        pool = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=QUEUE_NAME)
        return cls(pool)

    async def enqueue(self, name: str, *, _defer_by: float = 0, **kwargs: Any) -> None:
        defer_by = _defer_by if _defer_by > 0 else None
        await self._pool.enqueue_job(name, _queue_name=QUEUE_NAME, _defer_by=defer_by, **kwargs)

    async def close(self) -> None:
        await self._pool.aclose()


async def connect_queue(
    redis_url: str,
    sessions: async_sessionmaker[AsyncSession],
    tasks: dict[str, TaskFunction],
    delivery: DeliveryOptions | None = None,
    outbound: Outbound | None = None,
) -> InProcessQueue | ArqQueue:
    if redis_url:
        return await ArqQueue.connect(redis_url)
    return InProcessQueue(sessions, tasks, delivery, outbound)
