"""The job port: the same task runs in-process (no Redis) or on a real arq worker (Redis)."""

import asyncio
import os
import sys
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from community.app import create_app
from community.config import Settings
from community.db import session_scope
from community.forums.models import Thread
from community.jobs import ArqQueue, InProcessQueue
from community.tasks import TASKS
from tests.conftest import REDIS_URL, Client, World, requires_redis

pytestmark = pytest.mark.anyio


async def view_count(world: World, thread_id: int) -> int:
    async with session_scope(world.sessions) as session:
        return await session.scalar(select(Thread.view_count).where(Thread.id == thread_id)) or 0


async def visit(app, thread: Thread, times: int) -> None:
    transport = httpx.ASGITransport(app=app)
    async with Client(transport=transport, base_url="http://acme.test") as browser:
        for _ in range(times):
            assert (await browser.get(f"/t/{thread.id}/{thread.slug}")).status_code == 200


async def test_views_are_counted_in_batches_in_process(settings: Settings, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    app = create_app(replace(settings, redis_url="", view_flush_threshold=4))
    async with app.lifespan():
        assert isinstance(app.state.jobs, InProcessQueue)
        await visit(app, thread, 3)
        await app.state.jobs.drain()
        assert await view_count(world, thread.id) == 0, "below the batch size nothing is written"
        await visit(app, thread, 1)
        await app.state.jobs.drain()
        assert await view_count(world, thread.id) == 4
        await visit(app, thread, 2)
    await app.state.jobs.drain()
    assert await view_count(world, thread.id) == 6, "shutting down flushes what is buffered"


@requires_redis
async def test_views_are_counted_by_a_real_arq_worker(settings: Settings, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    app = create_app(replace(settings, redis_url=REDIS_URL))
    async with app.lifespan():
        assert isinstance(app.state.jobs, ArqQueue)
        await visit(app, thread, 5)
        await app.state.views.flush()
    assert await view_count(world, thread.id) == 0, "the web process only enqueued the job"
    env = os.environ | {
        "PARVIS_DATABASE_URL": settings.database_url,
        "PARVIS_REDIS_URL": REDIS_URL,
        "PARVIS_DATA_DIR": str(settings.data_dir),
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "community.cli", "worker", "--burst", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(worker.communicate(), timeout=60)
    assert worker.returncode == 0, output.decode()
    assert await view_count(world, thread.id) == 5


async def test_a_failing_job_is_logged_not_raised(settings: Settings, world: World, caplog) -> None:
    queue = InProcessQueue(world.sessions, TASKS)
    await queue.enqueue("flush_thread_views", counts={"not-a-number": 1})
    await queue.drain()
    assert "job flush_thread_views failed" in caplog.text
