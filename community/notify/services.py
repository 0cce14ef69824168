"""Notifications for members, and following threads."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from community.db import in_tenant, utcnow
from community.identity.models import Member
from community.notify.models import Notification, Subscription

RECENT = 50


async def notify(
    session: AsyncSession,
    tenant_id: int,
    member_ids: Iterable[int],
    *,
    kind: str,
    text: str,
    url: str,
    thread_id: int | None = None,
) -> int:
    """One notification per member; returns how many were written."""
    rows = [
        Notification(
            tenant_id=tenant_id,
            member_id=m,
            kind=kind,
            thread_id=thread_id,
            text=text[:500],
            url=url,
        )
        for m in sorted(set(member_ids))
    ]
    session.add_all(rows)
    await session.flush()
    return len(rows)


async def recent_notifications(session: AsyncSession, member: Member) -> list[Notification]:
    result = await session.scalars(
        in_tenant(Notification, member.tenant_id)
        .where(Notification.member_id == member.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(RECENT)
    )
    return list(result.all())


async def unread_count(session: AsyncSession, member: Member) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Notification.member_id == member.id, Notification.read_at.is_(None)
        )
    )
    return int(count or 0)


async def mark_all_read(session: AsyncSession, member: Member) -> None:
    await session.execute(
        update(Notification)
        .where(Notification.member_id == member.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


async def follow(session: AsyncSession, member: Member, thread_id: int) -> None:
    try:
        async with session.begin_nested():
            session.add(
                Subscription(tenant_id=member.tenant_id, member_id=member.id, thread_id=thread_id)
            )
    except IntegrityError:
        pass  # already following


async def unfollow(session: AsyncSession, member: Member, thread_id: int) -> None:
    subscription = await session.scalar(
        select(Subscription).where(
            Subscription.member_id == member.id, Subscription.thread_id == thread_id
        )
    )
    if subscription is not None:
        await session.delete(subscription)


async def is_following(session: AsyncSession, member: Member | None, thread_id: int) -> bool:
    if member is None:
        return False
    found = await session.scalar(
        select(Subscription.id).where(
            Subscription.member_id == member.id, Subscription.thread_id == thread_id
        )
    )
    return found is not None


async def followers(session: AsyncSession, thread_id: int) -> list[int]:
    result = await session.scalars(
        select(Subscription.member_id).where(Subscription.thread_id == thread_id)
    )
    return list(result.all())
