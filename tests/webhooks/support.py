"""Shared pieces of the webhook tests: subscriptions made through the service, as an admin."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import select

from community.config import Settings
from community.identity.models import Member, Role
from community.webhooks import services
from community.webhooks.catalogue import EVENT_TYPES
from community.webhooks.models import WebhookDelivery
from community.webhooks.services import SubscriptionForm
from tests.conftest import TEST_OUTBOUND, TEST_SECRET_KEY, World
from tests.webhooks.receiver import Receiver
from workers.main import create_worker


async def admin_of(world: World, tenant: str) -> Member:
    """The tenant's admin, made the first time."""
    email = f"admin-{tenant}@example.com"
    async with world.unit() as session:
        scope = await world.scope(session, tenant)
        found = await session.scalar(scope.select(Member).where(Member.email == email))
    return found or await world.member(tenant, email, Role.ADMIN)


async def subscribe(
    world: World, tenant: str, receiver: Receiver, events: list[str] | None = None
) -> int:
    """A subscription of `tenant` to `events` (all of them by default) at the receiver,
    whose secret the receiver is then given."""
    admin = await admin_of(world, tenant)
    async with world.unit() as session:
        scope = await world.scope(session, tenant, await session.get(Member, admin.id))
        form = SubscriptionForm(receiver.url, "CRM", list(events or EVENT_TYPES))
        created = await services.create_subscription(scope, form, TEST_OUTBOUND, TEST_SECRET_KEY)
    receiver.secret = created.secret
    return created.subscription.id


async def deliveries(world: World) -> list[WebhookDelivery]:
    async with world.unit() as session:
        rows = await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
        return list(rows.all())


async def run_jobs(settings: Settings) -> None:
    """With Redis, the app's jobs wait for a worker: a real arq worker, in burst mode, runs
    them (the deliveries and their retries). Without Redis they ran in the app already."""
    if not settings.redis_url:
        return
    burst = create_worker(settings, burst=True, handle_signals=False, poll_delay=0.05)
    try:
        await asyncio.wait_for(burst.async_run(), 30)
    finally:
        with contextlib.suppress(asyncio.CancelledError):
            await burst.close()
    assert burst.jobs_failed == 0
