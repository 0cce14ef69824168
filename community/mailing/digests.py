"""Daily and weekly digests: one mail gathering a period's unread notifications.

A member's digest is due when the oldest unread notification waiting for it (newer than
their last digest) is one period old; the digest then gathers everything unread up to now.
Nothing is queued for a member with nothing waiting. The outbox row's key names the member
and the period's end, and the preferences row records that end in the same transaction,
so a sweep run twice, or by two workers at once, queues one digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.db import session_scope, utcnow
from community.jobs import JobQueue
from community.mailing.compose import unread_for_digest
from community.mailing.models import Frequency, MailOutboxRow, MailPreferences
from community.mailing.outbox import enqueue_after_commit_each
from community.mailing.preferences import preferences_of
from community.notify.models import Notification
from community.scope import Scope
from community.tenancy.models import Tenant
from community.tenancy.services import TenantInfo

PERIODS = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}
MEMBERS_PER_SWEEP = 1000


async def queue_digests(
    sessions: async_sessionmaker[AsyncSession], jobs: JobQueue, now: datetime | None = None
) -> int:
    """Queue every digest that is due, in every tenant; returns how many."""
    now = now or utcnow()
    async with session_scope(sessions) as session:  # unbound: every tenant
        tenants = list((await session.scalars(select(Tenant))).all())
    queued = 0
    for tenant in tenants:
        async with session_scope(sessions, jobs) as session:
            queued += await queue_tenant_digests(Scope(session, TenantInfo.of(tenant)), now)
    return queued


async def queue_tenant_digests(scope: Scope, now: datetime) -> int:
    oldest_window = now - PERIODS[Frequency.WEEKLY] * 2
    candidates = await scope.db.scalars(
        select(Notification.member_id)
        .where(Notification.read_at.is_(None), Notification.created_at > oldest_window)
        .group_by(Notification.member_id)
        .order_by(Notification.member_id)
        .limit(MEMBERS_PER_SWEEP)
    )
    queued: list[int] = []
    for member_id in candidates.all():
        preferences = await preferences_of(scope, member_id)
        for frequency in PERIODS:
            row = await _due_digest(scope, preferences, frequency, now)
            if row is not None:
                queued.append(row.id)
    enqueue_after_commit_each(scope.db, queued)
    return len(queued)


def _until_attribute(frequency: Frequency) -> str:
    return "daily_until" if frequency is Frequency.DAILY else "weekly_until"


async def _due_digest(
    scope: Scope, preferences: MailPreferences, frequency: Frequency, now: datetime
) -> MailOutboxRow | None:
    since: datetime | None = getattr(preferences, _until_attribute(frequency))
    waiting = await unread_for_digest(
        scope, preferences.member_id, preferences, frequency.value, since, now
    )
    if not waiting or waiting[0].created_at > now - PERIODS[frequency]:
        return None
    key = f"digest:{frequency.value}:{preferences.member_id}:{now.isoformat(timespec='seconds')}"
    row = MailOutboxRow(
        key=key, member_id=preferences.member_id, digest=frequency.value, since=since, until=now
    )
    scope.db.add(row)
    setattr(preferences, _until_attribute(frequency), now)
    await scope.db.flush()
    return row
