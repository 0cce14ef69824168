"""The demo's webhook subscription: a paused one per community, to a CRM address that is
not real (example.com), with one test event held until it resumes. Nothing leaves the
machine: a paused subscription's deliveries wait. An admin who wants to see deliveries
arrive points it at a receiver of theirs and resumes it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.crypto import seal
from community.db import session_scope
from community.demo.content import RETAILER, TELECOM
from community.identity.models import Member, Role
from community.jobs import JobQueue
from community.scope import Scope
from community.tenancy.models import Tenant
from community.webhooks import services
from community.webhooks.catalogue import EVENT_TYPES
from community.webhooks.delivery import SECRET_PURPOSE
from community.webhooks.models import WebhookSubscription

DEMO_CRM_URL = "https://crm.example.com/hooks/parvis"


async def seed_webhooks(
    sessions: async_sessionmaker[AsyncSession], secret_key: str, jobs: JobQueue | None = None
) -> None:
    for spec in (TELECOM, RETAILER):
        async with session_scope(sessions, jobs) as session:
            tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == spec["slug"]))
            if tenant_id is not None:
                await _seed(await Scope.load(session, tenant_id), secret_key)


async def _seed(scope: Scope, secret_key: str) -> None:
    if await scope.db.scalar(select(WebhookSubscription.id).limit(1)):
        return
    admin = await scope.db.scalar(select(Member).where(Member.role == Role.ADMIN).limit(1))
    if admin is None:
        return
    row = WebhookSubscription(
        url=DEMO_CRM_URL, description="CRM (demo)", events=list(EVENT_TYPES), paused=True,
        secret_sealed=seal(secret_key, SECRET_PURPOSE, services.new_secret()),
    )  # fmt: skip
    scope.db.add(row)
    await scope.db.flush()
    await services.send_test(scope.acting_as(admin), row.id)
