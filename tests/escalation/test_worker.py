"""The outbox on a real arq worker, PostgreSQL and Redis, against a real contact centre.

Each test opens one escalation through an `ArqQueue`, lets arq workers deliver it to the
`ContactCentre` stand-in on 127.0.0.1 while that fails in some way, and ends with exactly
one case at the stand-in and the escalation acknowledged with that case's id.

The in-process workers poll Redis every POLL_DELAY s instead of arq's 0.5 s, so a retry
deferred by 0.05 s does not wait for the next poll; `parvis worker` keeps arq's default.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from arq import Worker
from sqlalchemy import select

from community.config import DeliveryOptions, Settings
from community.db import session_scope, utcnow
from community.demo.contact_centre import ContactCentre
from community.escalation import services
from community.escalation.adapters.registry import new_signing_secret
from community.escalation.models import (
    Escalation,
    EscalationEvent,
    EscalationState,
    EscalationTarget,
    TargetKind,
)
from community.identity.models import Member, Role
from community.jobs import ArqQueue
from community.scope import Scope
from community.tenancy.models import Tenant
from tests.conftest import ALLOWED_IN_TESTS, World, requires_postgres, requires_redis
from workers.main import create_worker

pytestmark = [pytest.mark.anyio, requires_postgres, requires_redis]

DELIVERY = DeliveryOptions(
    timeout=1.0,
    retry_base_seconds=0.05,
    retry_cap_seconds=0.2,
    lease_seconds=2.0,
    base_url_format="http://{domain}",  # the stand-in's acknowledgements go nowhere: unused here
)
POLL_DELAY = 0.05
DEADLINE = 20.0  # seconds any one wait may take before the test fails


# ---- the scene: a tenant, its contact centre, a thread to escalate -------------------------


@dataclass
class Scene:
    world: World
    queue: ArqQueue
    settings: Settings
    moderator: Member
    thread_id: int

    @property
    def tenant_id(self) -> int:
        return self.world.tenants["acme"]

    async def add_target(self, centre: ContactCentre, url: str = "") -> None:
        async with self.world.unit() as session:
            session.add(
                EscalationTarget(
                    tenant_id=self.tenant_id,
                    name="Stand-in",
                    kind=TargetKind.WEBHOOK,
                    settings={"url": url or f"{centre.url}/webhook"},
                    credentials={"signing_secret": centre.secret},
                    callback_secret=centre.callback_secret,
                )
            )

    async def set_max_attempts(self, attempts: int) -> None:
        async with self.world.unit() as session:
            tenant = await session.get(Tenant, self.tenant_id)
            assert tenant is not None
            tenant.preferences = tenant.preferences | {"escalation": {"max_attempts": attempts}}

    async def escalate(self) -> int:
        """The manual rule fires; its delivery job goes to Redis once the row is committed."""
        async with session_scope(self.world.sessions, self.queue) as session:
            scope = await Scope.load(session, self.tenant_id, self.moderator.id)
            escalation = await services.escalate_by_hand(
                scope, self.thread_id, "Customer cannot work"
            )
            return escalation.id

    async def retry(self, escalation_id: int) -> None:
        async with session_scope(self.world.sessions, self.queue) as session:
            await services.retry(
                await Scope.load(session, self.tenant_id, self.moderator.id), escalation_id
            )

    async def escalation(self, escalation_id: int) -> Escalation:
        async with session_scope(self.world.sessions) as session:
            found = await session.get(Escalation, escalation_id)
            assert found is not None
            return found

    async def events(self, escalation_id: int) -> list[EscalationEvent]:
        async with session_scope(self.world.sessions) as session:
            found = await session.scalars(
                select(EscalationEvent)
                .where(EscalationEvent.escalation_id == escalation_id)
                .order_by(EscalationEvent.id)
            )
            return list(found.all())


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[ArqQueue]:
    jobs = await ArqQueue.connect(redis_url)
    yield jobs
    await jobs.close()


@pytest.fixture
async def scene(world: World, queue: ArqQueue, settings: Settings) -> Scene:
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker, title="My fibre is down since Monday", replies=1)
    return Scene(world, queue, replace(settings, delivery=DELIVERY), moderator, thread.id)


@contextlib.contextmanager
def contact_centre(port: int = 0, **faults: Any) -> Iterator[ContactCentre]:
    """A stand-in; started unless `port` is given (the test starts it when it wants)."""
    centre = ContactCentre(new_signing_secret(), new_signing_secret(), port=port, **faults)
    if not port:
        centre.start()
    try:
        yield centre
    finally:
        centre.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# ---- workers and waiting --------------------------------------------------------------------


def worker(settings: Settings, **overrides: Any) -> Worker:
    options = {"handle_signals": False, "poll_delay": POLL_DELAY} | overrides
    return create_worker(settings, **options)


async def run_burst(settings: Settings) -> Worker:
    """An arq worker in burst mode: returns once the queue, deferred retries included, is empty."""
    burst = worker(settings, burst=True)
    try:
        await asyncio.wait_for(burst.async_run(), DEADLINE)
    finally:
        with contextlib.suppress(asyncio.CancelledError):
            await burst.close()
    assert burst.jobs_failed == 0, "a job raised"
    return burst


@contextlib.asynccontextmanager
async def worker_running(settings: Settings) -> AsyncIterator[Worker]:
    """A long-running arq worker (not burst) in this event loop."""
    running = worker(settings)
    task = asyncio.create_task(running.async_run())
    try:
        yield running
    finally:
        with contextlib.suppress(asyncio.CancelledError):
            await running.close()  # cancels its main task
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def until(check: Callable[[], Awaitable[bool] | bool], what: str) -> None:
    """Poll `check` (sync or async) every 20 ms until it holds; fail after DEADLINE s."""
    deadline = time.monotonic() + DEADLINE
    while not await _value(check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.02)


async def _value(result: Awaitable[bool] | bool) -> bool:
    return await result if inspect.isawaitable(result) else bool(result)


def _outcomes(centre: ContactCentre) -> list[str]:
    return [attempt.outcome for attempt in centre.attempts()]


async def assert_one_acknowledged_case(
    scene: Scene, centre: ContactCentre, escalation_id: int
) -> Escalation:
    escalation = await scene.escalation(escalation_id)
    [case] = centre.cases()
    assert case.payload.idempotency_key == escalation.idempotency_key
    assert escalation.state == EscalationState.ACKNOWLEDGED
    assert escalation.external_id == case.id and escalation.external_url == case.url
    assert escalation.last_error == "" and escalation.lease_until is None
    return escalation


# ---- the tests ------------------------------------------------------------------------------


async def test_three_500s_then_one_case(scene: Scene) -> None:
    with contact_centre(fail_first=3, fail_mode="500") as centre:
        await scene.add_target(centre)
        escalation_id = await scene.escalate()
        await run_burst(scene.settings)
        escalation = await assert_one_acknowledged_case(scene, centre, escalation_id)
        assert _outcomes(centre) == ["500", "500", "500", "created"]
    assert escalation.attempts == 4
    events = await scene.events(escalation_id)
    assert [e.kind for e in events] == [
        "created",
        "rule:manual",
        *["attempt_failed"] * 3,
        "delivered",
    ]
    assert all("HTTP 500" in e.detail for e in events if e.kind == "attempt_failed")


async def test_two_timeouts_then_one_case(scene: Scene) -> None:
    slower = DELIVERY.timeout + 1.0  # the stand-in answers (500) only after we gave up
    with contact_centre(fail_first=2, fail_mode="timeout", timeout_seconds=slower) as centre:
        await scene.add_target(centre)
        escalation_id = await scene.escalate()
        await run_burst(scene.settings)
        escalation = await assert_one_acknowledged_case(scene, centre, escalation_id)
        assert _outcomes(centre) == ["timeout", "timeout", "created"]
    assert escalation.attempts == 3
    failed = [e.detail for e in await scene.events(escalation_id) if e.kind == "attempt_failed"]
    assert len(failed) == 2 and all("Timed out after 1 s" in detail for detail in failed)


async def test_connection_refused_until_the_contact_centre_comes_up(scene: Scene) -> None:
    await scene.set_max_attempts(20)  # the refusals must not exhaust the attempts meanwhile
    port = free_port()  # nobody listens there until the stand-in starts on it
    with contact_centre(port=port) as centre:
        await scene.add_target(centre, url=f"http://127.0.0.1:{port}/webhook")
        escalation_id = await scene.escalate()
        delivering = asyncio.create_task(run_burst(scene.settings))

        async def refused_twice() -> bool:  # recorded as failed, not merely under way
            events = await scene.events(escalation_id)
            return sum(e.kind == "attempt_failed" for e in events) >= 2

        await until(refused_twice, "two deliveries were refused")
        centre.start()
        await delivering
        escalation = await assert_one_acknowledged_case(scene, centre, escalation_id)
        assert _outcomes(centre) == ["created"], "refused attempts never reached it"
    failed = [e.detail for e in await scene.events(escalation_id) if e.kind == "attempt_failed"]
    assert escalation.attempts == len(failed) + 1 and len(failed) >= 2
    assert all("Cannot connect to http://127.0.0.1" in detail for detail in failed)


async def test_a_worker_killed_mid_delivery_loses_nothing(scene: Scene, tmp_path: Path) -> None:
    env = os.environ | {
        "PARVIS_DATABASE_URL": scene.settings.database_url,
        "PARVIS_REDIS_URL": scene.settings.redis_url,
        "PARVIS_DATA_DIR": str(tmp_path),
        "PARVIS_DELIVERY_TIMEOUT": "30",
        "PARVIS_DELIVERY_LEASE_SECONDS": str(DELIVERY.lease_seconds),
        "PARVIS_BASE_URL_FORMAT": DELIVERY.base_url_format,
        "PARVIS_OUTBOUND_ALLOWED_HOSTS": ",".join(ALLOWED_IN_TESTS),  # the stand-in's address
    }
    with contact_centre(fail_first=1_000, fail_mode="timeout", timeout_seconds=60) as centre:
        await scene.add_target(centre)
        escalation_id = await scene.escalate()
        with (tmp_path / "worker.log").open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "community.cli", "worker", env=env, stdout=log, stderr=log
            )
        try:
            await until(lambda: bool(centre.attempts()), "the worker's delivery arrived")
            process.kill()  # SIGKILL: no shutdown, the delivery in flight is simply gone
            assert await asyncio.wait_for(process.wait(), DEADLINE) == -9
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        centre.set_faults(fail_first=0)
        claimed = await scene.escalation(escalation_id)
        assert claimed.state == EscalationState.PENDING and claimed.attempts == 1
        assert claimed.lease_until is not None and not centre.cases()

        async def lease_expired() -> bool:
            lease = (await scene.escalation(escalation_id)).lease_until
            return lease is None or lease < utcnow()

        await until(lease_expired, "the dead worker's lease expired")
        # The killed worker's job stays in the queue, "in progress", for arq's job timeout
        # + 10 s (310 s): a burst worker would wait for it. A running worker skips it; the
        # sweep (every minute in production, enqueued here) re-drives the escalation.
        async with worker_running(scene.settings):
            await scene.queue.enqueue("sweep_escalations")

            async def acknowledged() -> bool:
                escalation = await scene.escalation(escalation_id)
                return escalation.state == EscalationState.ACKNOWLEDGED

            await until(acknowledged, "the re-driven delivery was acknowledged")
        escalation = await assert_one_acknowledged_case(scene, centre, escalation_id)
        assert _outcomes(centre) == ["timeout", "created"]
    assert escalation.attempts == 2
    events = await scene.events(escalation_id)
    assert [e.kind for e in events] == ["created", "rule:manual", "delivered"]


async def test_after_max_attempts_it_fails_and_a_moderator_retries(scene: Scene) -> None:
    await scene.set_max_attempts(2)
    with contact_centre(fail_first=1_000, fail_mode="500") as centre:
        await scene.add_target(centre)
        escalation_id = await scene.escalate()
        await run_burst(scene.settings)
        failed = await scene.escalation(escalation_id)
        assert failed.state == EscalationState.FAILED and failed.attempts == 2
        assert "answered HTTP 500" in failed.last_error and failed.next_attempt_at is None
        assert _outcomes(centre) == ["500", "500"] and not centre.cases()

        centre.set_faults(fail_first=0)
        await scene.retry(escalation_id)
        await run_burst(scene.settings)
        escalation = await assert_one_acknowledged_case(scene, centre, escalation_id)
        assert _outcomes(centre) == ["500", "500", "created"]
    assert escalation.attempts == 1, "a retry starts again from the first attempt"
    kinds = [e.kind for e in await scene.events(escalation_id)]
    assert kinds[2:] == ["attempt_failed", "failed", "retried", "delivered"]
