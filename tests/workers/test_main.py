"""`parvis worker` outlives Redis and drains its jobs on SIGTERM.

Each test starts its own `redis-server` on a free port (never the machine's), and stops
and restarts it as an outage would.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from community.config import Settings
from community.jobs import QUEUE_NAME
from community.tasks import TASKS
from workers.main import Supervisor

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]
DEADLINE = 90.0  # seconds a wait may take before the test fails (a worker starts in ~5-10 s)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivateRedis:
    """A redis-server of this test's own, that it can stop and start again on one port."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_until(self._answers, "redis-server answers")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.1)


async def until(check: Callable[[], Awaitable[bool] | bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not await _value(check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.02)


async def _value(result: Awaitable[bool] | bool) -> bool:
    return await result if not isinstance(result, bool) else result


async def enqueue(redis_url: str, name: str, job_id: str) -> None:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        await pool.enqueue_job(name, _job_id=job_id, _queue_name=QUEUE_NAME)
    finally:
        await pool.aclose()


class WorkerProcess:
    """`parvis worker` as an operator runs it, its JSON log lines read as they come."""

    def __init__(self, environ: dict[str, str], log_file: Path) -> None:
        self.log_file = log_file
        command = [sys.executable, "-m", "community.cli", "worker"]
        with log_file.open("wb") as sink:
            self.process = subprocess.Popen(command, env=environ, stderr=sink)

    def lines(self) -> list[dict[str, Any]]:
        text = self.log_file.read_text()
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def said(self, message: str, **fields: Any) -> bool:
        return any(
            line["message"].startswith(message) and fields.items() <= line.items()
            for line in self.lines()
        )


async def test_the_worker_outlives_redis_and_runs_jobs_once_it_is_back(
    redis_server: PrivateRedis, database_url: str, tmp_path: Path
) -> None:
    environ = {
        **os.environ,
        "PARVIS_DATABASE_URL": database_url,
        "PARVIS_REDIS_URL": redis_server.url,
        "PARVIS_DATA_DIR": str(tmp_path),
        "PARVIS_LOG_FORMAT": "json",
    }
    worker = WorkerProcess(environ, tmp_path / "worker.log")
    try:
        await enqueue(redis_server.url, "sweep_escalations", "before-the-outage")
        wait_until(lambda: worker.said("worker starting"), "the worker says it started")
        started = next(line for line in worker.lines() if line["message"] == "worker starting")
        assert started["queues"] == [QUEUE_NAME] and started["concurrency"] == 10
        assert started["version"]
        ran_before = {"job": "sweep_escalations", "job_id": "before-the-outage", "outcome": "ok"}
        wait_until(lambda: worker.said("job sweep_escalations", **ran_before), "the job ran")

        redis_server.stop()
        wait_until(lambda: worker.said("Redis at"), "the worker notices Redis is gone")
        wait_until(lambda: worker.said("connecting to Redis again in 2.0 s"), "it backs off")
        assert worker.process.poll() is None, "the worker exited when Redis went away"

        redis_server.start()
        await enqueue(redis_server.url, "sweep_escalations", "after-the-outage")
        ran_after = {"job_id": "after-the-outage", "outcome": "ok"}
        wait_until(lambda: worker.said("job sweep_escalations", **ran_after), "the new job ran")
        assert worker.process.poll() is None

        worker.process.send_signal(signal.SIGTERM)
        assert worker.process.wait(timeout=DEADLINE) == 0
        assert worker.said("stopping on SIGTERM: draining")
        assert worker.said("worker stopped")
        assert all("\n" not in line["message"] for line in worker.lines())
    finally:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait()


# ---- draining, in this process, with a job that takes its time -----------------------------


class Gate:
    """What the slow job reports, and when it may finish (made fresh in each test's loop)."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.finished: list[str] = []


GATE = Gate()


async def slow_job(ctx: dict[str, Any], mark: str) -> None:
    GATE.started.set()
    await GATE.release.wait()
    GATE.finished.append(mark)


@pytest.fixture
async def slow_task(monkeypatch: pytest.MonkeyPatch) -> Gate:
    monkeypatch.setattr(sys.modules[__name__], "GATE", Gate())
    monkeypatch.setitem(TASKS, "slow_job", slow_job)
    return GATE


async def is_queued(pool: ArqRedis, job_id: str) -> bool:
    """Whether this job waits in the queue (the worker's cron jobs may wait there too)."""
    return await pool.zscore(QUEUE_NAME, job_id) is not None


async def drain_on_stop(
    settings: Settings, job_id: str
) -> tuple[Supervisor, asyncio.Task[None], ArqRedis]:
    """Start a supervised worker, give it a slow job, and ask it to stop once it started."""
    supervisor = Supervisor(settings, poll_delay=0.02)
    running = asyncio.create_task(supervisor.run())
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    await pool.enqueue_job("slow_job", mark=job_id, _job_id=job_id, _queue_name=QUEUE_NAME)
    await until(GATE.started.is_set, "the slow job started")
    supervisor.stop(signal.SIGTERM)
    return supervisor, running, pool


async def test_sigterm_lets_the_jobs_under_way_finish(
    redis_server: PrivateRedis, settings: Settings, slow_task: Gate
) -> None:
    settings = replace(settings, redis_url=redis_server.url, worker_drain_seconds=60)
    supervisor, running, pool = await drain_on_stop(settings, "finishes")
    try:
        await asyncio.sleep(0.2)
        assert not running.done(), "stopped before its job finished"
        slow_task.release.set()
        await asyncio.wait_for(running, DEADLINE)
        assert slow_task.finished == ["finishes"]
        assert not await is_queued(pool, "finishes")
        # The slow job, and the start-up sweep of jobs kept in the database.
        assert supervisor.totals.complete >= 1 and supervisor.totals.failed == 0
    finally:
        await pool.aclose()


async def test_a_job_that_outlasts_the_drain_is_left_to_run_again(
    redis_server: PrivateRedis, settings: Settings, slow_task: Gate
) -> None:
    settings = replace(settings, redis_url=redis_server.url, worker_drain_seconds=0)
    supervisor, running, pool = await drain_on_stop(settings, "cut-short")
    try:
        await asyncio.wait_for(running, DEADLINE)
        assert slow_task.finished == []  # it did not run to the end…
        assert await is_queued(pool, "cut-short")  # …and is still queued, for the next worker
        assert supervisor.totals.retried >= 1  # the cron sweep may have been cut short too
    finally:
        await pool.aclose()
