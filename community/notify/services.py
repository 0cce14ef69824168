"""Notifications for members, and following threads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from community.db import utcnow
from community.notify.models import Notification, Subscription
from community.scope import Scope

RECENT = 50

# Called in the transaction that wrote the notifications (e.g. to queue their email).
NotificationReaction = Callable[[Scope, list[Notification]], Awaitable[None]]
AFTER_NOTIFY: list[NotificationReaction] = []


async def notify(
    scope: Scope,
    member_ids: Iterable[int],
    *,
    kind: str,
    text: str,
    url: str,
    thread_id: int | None = None,
    post_id: int | None = None,
    actor_id: int | None = None,
    event_key: str | None = None,
) -> int:
    """One notification per member of the scope's tenant, never to the actor, and at most
    one per member for the same event_key; returns how many were written."""
    recipients = set(member_ids) - {actor_id}
    if event_key is not None:
        recipients -= await _already_notified(scope, event_key, recipients)
    rows = [
        Notification(
            member_id=m,
            kind=kind,
            thread_id=thread_id,
            post_id=post_id,
            actor_id=actor_id,
            event_key=event_key,
            text=text[:500],
            url=url,
        )
        for m in sorted(recipients)
    ]
    scope.db.add_all(rows)
    await scope.db.flush()
    for reaction in AFTER_NOTIFY:
        await reaction(scope, rows)
    return len(rows)


async def _already_notified(scope: Scope, event_key: str, member_ids: set[int]) -> set[int]:
    if not member_ids:
        return set()
    result = await scope.db.scalars(
        select(Notification.member_id).where(
            Notification.event_key == event_key, Notification.member_id.in_(member_ids)
        )
    )
    return set(result.all())


async def recent_notifications(scope: Scope) -> list[Notification]:
    """The actor's newest notifications."""
    result = await scope.db.scalars(
        scope.select(Notification)
        .where(Notification.member_id == scope.actor.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(RECENT)
    )
    return list(result.all())


async def unread_count(scope: Scope) -> int:
    """How many of the actor's notifications are not read yet (none for a guest)."""
    if scope.member is None:
        return 0
    count = await scope.db.scalar(
        select(func.count()).where(
            Notification.member_id == scope.member.id, Notification.read_at.is_(None)
        )
    )
    return int(count or 0)


async def mark_all_read(scope: Scope) -> None:
    await scope.db.execute(
        update(Notification)
        .where(Notification.member_id == scope.actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


async def follow(scope: Scope, thread_id: int) -> None:
    """The actor follows the thread (following it again changes nothing)."""
    member_id = scope.actor.id
    try:
        async with scope.db.begin_nested():
            scope.db.add(Subscription(member_id=member_id, thread_id=thread_id))
    except IntegrityError:
        pass  # already following


async def unfollow(scope: Scope, thread_id: int) -> None:
    subscription = await scope.db.scalar(
        select(Subscription).where(
            Subscription.member_id == scope.actor.id, Subscription.thread_id == thread_id
        )
    )
    if subscription is not None:
        await scope.db.delete(subscription)


async def is_following(scope: Scope, thread_id: int) -> bool:
    """Whether the actor follows the thread (a guest follows nothing)."""
    if scope.member is None:
        return False
    found = await scope.db.scalar(
        select(Subscription.id).where(
            Subscription.member_id == scope.member.id, Subscription.thread_id == thread_id
        )
    )
    return found is not None


async def followers(scope: Scope, thread_id: int) -> list[int]:
    result = await scope.db.scalars(
        select(Subscription.member_id).where(Subscription.thread_id == thread_id)
    )
    return list(result.all())
