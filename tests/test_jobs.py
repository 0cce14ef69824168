"""The job port: the same task runs in-process (no Redis) or on a real arq worker (Redis),
and a job Redis cannot take is kept in the database and run once."""

import asyncio
import os
import socket
import sys
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from community import jobstore
from community.app import create_app
from community.config import Settings
from community.db import session_scope
from community.forums.models import Thread
from community.jobs import ArqQueue, InProcessQueue, enqueue_after_commit, sweep_jobs
from community.jobstore import QueuedJob
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


# ---- Redis down: jobs are kept in the database ---------------------------------------------


def nothing_listening() -> str:
    """A Redis URL on a port where nothing listens: a Redis that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


async def kept_jobs(world: World) -> list[QueuedJob]:
    async with session_scope(world.sessions) as session:
        return list((await session.scalars(select(QueuedJob).order_by(QueuedJob.id))).all())


async def test_a_job_redis_cannot_take_is_kept_then_run_once_by_the_sweep(world: World) -> None:
    thread = await world.thread("acme", await world.member("acme", "ann@example.com"))
    down = await ArqQueue.connect(nothing_listening(), world.sessions)  # no runner here
    await down.enqueue("flush_thread_views", counts={thread.id: 3})  # does not raise
    await down.close()
    [kept] = await kept_jobs(world)
    assert (kept.name, kept.kwargs) == ("flush_thread_views", {"counts": {str(thread.id): 3}})
    assert await view_count(world, thread.id) == 0

    runner = InProcessQueue(world.sessions, TASKS)
    assert await sweep_jobs(world.sessions, runner) == 0, (
        "not overdue yet: its transport may run it"
    )
    await make_overdue(world)
    assert await sweep_jobs(world.sessions, runner) == 1
    await runner.drain()
    assert await view_count(world, thread.id) == 3
    assert await kept_jobs(world) == []
    assert await sweep_jobs(world.sessions, runner) == 0
    await runner.drain()
    assert await view_count(world, thread.id) == 3, "run once"


async def make_overdue(world: World) -> None:
    async with session_scope(world.sessions) as session:
        for row in (await session.scalars(select(QueuedJob))).all():
            row.not_before = row.not_before.replace(year=row.not_before.year - 1)


async def test_a_job_enqueued_in_a_unit_of_work_is_kept_with_its_commit(world: World) -> None:
    thread = await world.thread("acme", await world.member("acme", "ann@example.com"))
    down = await ArqQueue.connect(nothing_listening(), world.sessions)
    async with session_scope(world.sessions, down) as session:
        enqueue_after_commit(session, "flush_thread_views", counts={thread.id: 2})
    with pytest.raises(RuntimeError):
        async with session_scope(world.sessions, down) as session:
            enqueue_after_commit(session, "flush_thread_views", counts={thread.id: 40})
            raise RuntimeError("the request failed: its job goes with its rollback")
    await down.close()
    [kept] = await kept_jobs(world)
    assert kept.kwargs == {"counts": {str(thread.id): 2}}


async def test_while_redis_is_down_the_enqueuing_process_runs_the_job(world: World) -> None:
    thread = await world.thread("acme", await world.member("acme", "ann@example.com"))
    here = InProcessQueue(world.sessions, TASKS)
    down = await ArqQueue.connect(nothing_listening(), world.sessions, fallback=here)
    async with session_scope(world.sessions, down) as session:
        enqueue_after_commit(session, "flush_thread_views", counts={thread.id: 2})
    await down.enqueue("flush_thread_views", counts={thread.id: 5})
    await here.drain()
    await down.close()
    assert await view_count(world, thread.id) == 7
    assert await kept_jobs(world) == [], "each row finished with the work it did"


async def test_a_kept_job_handed_on_twice_runs_once(world: World) -> None:
    thread = await world.thread("acme", await world.member("acme", "ann@example.com"))
    ticket = await jobstore.keep(
        world.sessions, "flush_thread_views", {"counts": {thread.id: 4}}, 0
    )
    runner = InProcessQueue(world.sessions, TASKS)
    await runner.dispatch(ticket)  # after its commit…
    await runner.dispatch(ticket)  # …and by a sweep that found it at the same time
    await runner.drain()
    assert await view_count(world, thread.id) == 4


async def test_a_kept_job_that_raises_is_tried_again_later(world: World, caplog: Any) -> None:
    ticket = await jobstore.keep(world.sessions, "flush_thread_views", {"counts": {"x": 1}}, 0)
    runner = InProcessQueue(world.sessions, TASKS)
    await runner.dispatch(ticket)
    await runner.drain()
    assert "job flush_thread_views failed" in caplog.text
    [kept] = await kept_jobs(world)
    assert kept.attempts == 1 and "ValueError" in kept.last_error and kept.lease_until is None
    assert kept.not_before > kept.created_at, "backs off before the next attempt"
    assert await jobstore.due(world.sessions, 0) == [], "not due before its backoff"


async def test_a_kept_job_whose_work_committed_is_not_run_again(world: World) -> None:
    """The row is deleted in the task's own commit: a failure after it repeats nothing."""
    runs: list[int] = []

    async def commits_then_fails(ctx: dict[str, Any]) -> None:
        async with session_scope(ctx["sessions"]):
            runs.append(1)
        raise RuntimeError("the worker died right after the work committed")

    ticket = await jobstore.keep(world.sessions, "fragile", {}, 0)
    runner = InProcessQueue(world.sessions, {"fragile": commits_then_fails})
    await runner.dispatch(ticket)
    await runner.drain()
    await make_overdue(world)
    assert await sweep_jobs(world.sessions, runner) == 0
    assert runs == [1] and await kept_jobs(world) == []


async def test_backlog_counts_kept_jobs_and_the_oldest_age(world: World) -> None:
    async with session_scope(world.sessions) as session:
        assert await jobstore.backlog(session) == (0, 0.0)
    await jobstore.keep(world.sessions, "flush_thread_views", {"counts": {}}, 0)
    await jobstore.keep(world.sessions, "flush_thread_views", {"counts": {}}, 60)
    async with session_scope(world.sessions) as session:
        depth, oldest = await jobstore.backlog(session)
        total = await session.scalar(select(func.count()).select_from(QueuedJob))
    assert depth == total == 2 and oldest is not None and oldest >= 0


@requires_redis
async def test_a_kept_job_goes_to_redis_and_a_real_worker_finishes_it(
    settings: Settings, world: World
) -> None:
    thread = await world.thread("acme", await world.member("acme", "ann@example.com"))
    queue = await ArqQueue.connect(REDIS_URL, world.sessions)
    async with session_scope(world.sessions, queue) as session:
        enqueue_after_commit(session, "flush_thread_views", counts={thread.id: 6})
    await queue.close()
    assert len(await kept_jobs(world)) == 1, "kept until a worker has run it"
    from workers.main import create_worker

    burst = create_worker(settings, burst=True, handle_signals=False, poll_delay=0.05)
    try:
        await asyncio.wait_for(burst.async_run(), 30)
    finally:
        await burst.close()
    assert burst.jobs_failed == 0
    assert await view_count(world, thread.id) == 6
    assert await kept_jobs(world) == []
