"""Faults under load, as an operator would cause them, on PostgreSQL, Redis and an arq worker.

1. Redis stopped, then started again (empty), during mixed traffic.
2. The worker killed and Redis restarted during a burst of escalations.
3. PostgreSQL connections dropped (pg_terminate_backend) during mixed traffic.

Each answers: requests served during the fault, errors, posts and escalations lost (the
app said yes, nothing was kept), escalations duplicated at the contact centre. The figures
are printed (`pytest -s` shows them); the assertions say what a customer would notice.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from community.app import create_app
from community.config import Settings
from tests.conftest import TEST_DELIVERY, World
from tests.reliability.support import (
    PrivateRedis,
    Tally,
    WorkerProcess,
    add_stand_in,
    all_escalations,
    cast_for,
    deliveries,
    every_escalation_reached,
    report,
    requires_the_real_stack,
    saved_replies,
    stand_in,
    terminate_backends,
    traffic,
    until,
)

pytestmark = [pytest.mark.anyio, *requires_the_real_stack]

FAULT_SECONDS = float(os.environ.get("PARVIS_RELIABILITY_FAULT_SECONDS", "10"))
DELIVERY = replace(TEST_DELIVERY, lease_seconds=3.0)


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    private = PrivateRedis(tmp_path / "redis.log")
    await private.start()
    yield private
    await private.stop()


@pytest.fixture
def stack_settings(settings: Settings, redis: PrivateRedis) -> Settings:
    return replace(
        settings, redis_url=redis.url, delivery=DELIVERY, job_sweep_seconds=2, job_lease_seconds=6
    )


@pytest.fixture
async def worker(stack_settings: Settings, tmp_path: Path) -> AsyncIterator[WorkerProcess]:
    process = WorkerProcess(stack_settings, tmp_path / "worker.log")
    await process.start()
    yield process
    await process.stop()


async def settle(seconds: float) -> None:
    """Let the traffic run this long in the current phase (load, not an assertion)."""
    await asyncio.sleep(seconds)


async def test_redis_stopped_and_restarted_during_mixed_traffic(
    world: World, stack_settings: Settings, redis: PrivateRedis, worker: WorkerProcess
) -> None:
    app = create_app(stack_settings)
    tally = Tally()
    with stand_in() as centre:
        await add_stand_in(world, centre)
        async with app.lifespan():
            cast = await cast_for(app, world, threads_to_escalate=200)
            async with traffic(cast, tally, escalate_every=FAULT_SECONDS / 60):
                await settle(2)
                tally.phase = "fault"
                await redis.stop()
                await settle(FAULT_SECONDS)
                tally.phase = "after"
                await redis.start()
                await worker.restart_if_it_exited()
                await settle(3)
            await until(
                lambda: every_escalation_reached(world, centre),
                "every escalation reached the stand-in",
            )
        saved = await saved_replies(world, tally.replies_acknowledged)
        escalations = await all_escalations(world)
        counted = deliveries(escalations, centre)
    saved_threads = {e.thread_id for e in escalations}
    lost_escalations = tally.escalations_acknowledged - saved_threads
    report(
        f"Redis stopped for {FAULT_SECONDS:.0f} s during mixed traffic", tally, ["before", "fault", "after"],
        posts_acknowledged=len(tally.replies_acknowledged), posts_lost=len(tally.replies_acknowledged - saved),
        escalate_requests_acknowledged=len(tally.escalations_acknowledged),
        escalations_lost=len(lost_escalations), escalations_delivered_once=counted.delivered_once,
        escalations_never_delivered=counted.lost, escalations_duplicated=counted.duplicated,
        worker_exits=worker.exits,
    )  # fmt: skip
    assert tally.served_in("fault") > 0, "traffic went on during the fault"
    assert tally.replies_acknowledged - saved == set(), "every acknowledged post is kept"
    assert lost_escalations == set(), "every acknowledged escalation is kept"
    assert counted.lost == 0 and counted.duplicated == 0, "each escalation delivered exactly once"
    assert sum(tally.errors.values()) == 0, f"no request failed: {tally.examples}"
    assert sum(tally.logged_out.values()) == 0, "sessions outlive a Redis restart"
    assert worker.exits == [], f"the worker exited by itself: {worker.exits}\n{worker.tail()}"


async def test_worker_killed_and_redis_restarted_during_a_burst_of_escalations(
    world: World, stack_settings: Settings, redis: PrivateRedis, worker: WorkerProcess
) -> None:
    app = create_app(stack_settings)
    tally = Tally()
    with stand_in() as centre:
        await add_stand_in(world, centre)
        async with app.lifespan():
            cast = await cast_for(app, world, threads_to_escalate=80)
            async with traffic(cast, tally, escalate_every=0.01):

                async def some_delivered() -> bool:
                    return len(centre.cases()) >= 10

                await until(some_delivered, "the burst was being delivered")
                tally.phase = "fault"
                await worker.kill()
                await redis.stop()
                await redis.start()  # empty: every job it held is gone
                await worker.start()
                tally.phase = "after"

                async def burst_sent() -> bool:
                    return not cast.to_escalate

                await until(burst_sent, "the moderator escalated every thread")
            await until(
                lambda: every_escalation_reached(world, centre),
                "every escalation reached the stand-in",
            )
        escalations = await all_escalations(world)
        counted = deliveries(escalations, centre)
    lost_escalations = tally.escalations_acknowledged - {e.thread_id for e in escalations}
    report(
        "Worker killed and Redis restarted during a burst of escalations", tally, ["before", "fault", "after"],
        escalate_requests_acknowledged=len(tally.escalations_acknowledged),
        escalations=counted.escalations, escalations_lost=len(lost_escalations),
        escalations_delivered_once=counted.delivered_once, escalations_never_delivered=counted.lost,
        escalations_duplicated=counted.duplicated, retries_absorbed_by_idempotency=counted.retries_absorbed,
    )  # fmt: skip
    assert lost_escalations == set() and counted.lost == 0, "none lost"
    assert counted.duplicated == 0, "none duplicated"
    assert sum(tally.errors.values()) == 0, f"no request failed: {tally.examples}"
    assert sum(tally.logged_out.values()) == 0, "sessions outlive a Redis restart"


async def test_database_connections_dropped_during_mixed_traffic(
    world: World, stack_settings: Settings, worker: WorkerProcess
) -> None:
    app = create_app(stack_settings)
    tally = Tally()
    killed = 0
    with stand_in() as centre:
        await add_stand_in(world, centre)
        async with app.lifespan():
            cast = await cast_for(app, world, threads_to_escalate=200)
            async with traffic(cast, tally, escalate_every=0.1):
                await settle(2)
                tally.phase = "fault"
                for _ in range(3):
                    killed += await terminate_backends(stack_settings.database_url)
                    await settle(1)
                tally.phase = "after"
                await settle(3)
            await until(
                lambda: every_escalation_reached(world, centre),
                "every escalation reached the stand-in",
            )
        saved = await saved_replies(world, tally.replies_acknowledged)
        escalations = await all_escalations(world)
        counted = deliveries(escalations, centre)
    lost_escalations = tally.escalations_acknowledged - {e.thread_id for e in escalations}
    report(
        "PostgreSQL connections dropped 3 times during mixed traffic", tally, ["before", "fault", "after"],
        connections_dropped=killed,
        posts_acknowledged=len(tally.replies_acknowledged), posts_lost=len(tally.replies_acknowledged - saved),
        escalations_lost=len(lost_escalations), escalations_delivered_once=counted.delivered_once,
        escalations_never_delivered=counted.lost, escalations_duplicated=counted.duplicated,
        worker_exits=worker.exits,
    )  # fmt: skip
    assert killed > 0, "connections were dropped"
    assert tally.errors_in("after") == 0, f"requests after the drops answer: {tally.examples}"
    assert tally.replies_acknowledged - saved == set(), "every acknowledged post is kept"
    assert lost_escalations == set() and counted.lost == 0 and counted.duplicated == 0
    assert worker.exits == [], f"the worker exited by itself: {worker.exits}\n{worker.tail()}"
