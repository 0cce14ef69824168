"""Notifications for members, and following threads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError

from community.db import utcnow
from community.errors import NotFound
from community.forums.models import Post, Visibility
from community.identity.models import Member
from community.notify.models import GROUPED_TEXTS, Level, Notification, Subscription
from community.pagination import Page
from community.scope import Scope

RECENT = 50
PAGE_SIZE = 30

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


@dataclass(frozen=True)
class NotificationGroup:
    """Notifications of one kind on one thread, shown as one line: the newest first."""

    items: list[Notification]

    @property
    def latest(self) -> Notification:
        return self.items[0]

    @property
    def unread(self) -> bool:
        return any(n.read_at is None for n in self.items)


def _shown(scope: Scope) -> Select[Notification]:
    """The actor's notifications, without those of posts that are no longer public (hidden,
    deleted): they come back if the post is restored. Moderation notices about the post
    itself are kept: they say why it went."""
    return (
        scope.select(Notification)
        .outerjoin(Post, Post.id == Notification.post_id)
        .where(
            Notification.member_id == scope.actor.id,
            Notification.post_id.is_(None)
            | (Post.deleted_at.is_(None) & (Post.visibility == Visibility.PUBLISHED)),
        )
    )


@dataclass(frozen=True)
class NotificationsPage:
    listing: Page[NotificationGroup]
    actors: dict[int, Member]  # who did what the notifications of the page tell, by id


async def notifications_page(scope: Scope, page: int = 1) -> NotificationsPage:
    listing = await notification_groups(scope, page)
    ids = {g.latest.actor_id for g in listing.items if g.latest.actor_id is not None}
    found: list[Member] = []
    if ids:
        found = list(await scope.db.scalars(select(Member).where(Member.id.in_(ids))))
    return NotificationsPage(listing, {m.id: m for m in found})


async def notification_groups(scope: Scope, page: int = 1) -> Page[NotificationGroup]:
    """One page of the actor's notifications, newest first, with the ones of one kind on one
    thread grouped on the page ("3 new answers on …")."""
    total = await scope.db.scalar(select(func.count()).select_from(_shown(scope).subquery()))
    result = await scope.db.scalars(
        _shown(scope)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    listing = Page(_grouped(list(result.all())), page, PAGE_SIZE, int(total or 0))
    if page > listing.count:
        raise NotFound("There is no such page.")
    return listing


def _grouped(rows: list[Notification]) -> list[NotificationGroup]:
    groups: dict[tuple[str, int | None, bool] | int, list[Notification]] = {}
    for n in rows:
        key = (n.kind, n.thread_id, n.read_at is None) if n.kind in GROUPED_TEXTS else n.id
        groups.setdefault(key, []).append(n)
    return [NotificationGroup(items) for items in groups.values()]


async def recent_notifications(scope: Scope) -> list[Notification]:
    """The actor's newest notifications."""
    result = await scope.db.scalars(
        _shown(scope).order_by(Notification.created_at.desc(), Notification.id.desc()).limit(RECENT)
    )
    return list(result.all())


async def unread_count(scope: Scope) -> int:
    """How many of the actor's notifications are not read yet (none for a guest)."""
    if scope.member is None:
        return 0
    unread = _shown(scope).where(Notification.read_at.is_(None))
    count = await scope.db.scalar(select(func.count()).select_from(unread.subquery()))
    return int(count or 0)


async def mark_all_read(scope: Scope) -> None:
    await scope.db.execute(
        update(Notification)
        .where(Notification.member_id == scope.actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


async def open_notification(scope: Scope, notification_id: int) -> str:
    """Mark the actor's notification read (with the others of its group) and say where it
    leads. Another member's notification is not found."""
    found = await scope.db.scalar(
        scope.select(Notification).where(
            Notification.id == notification_id, Notification.member_id == scope.actor.id
        )
    )
    if found is None:
        raise NotFound("This notification does not exist.")
    same = Notification.id == found.id
    if found.kind in GROUPED_TEXTS and found.thread_id is not None:
        same = same | (
            (Notification.kind == found.kind) & (Notification.thread_id == found.thread_id)
        )
    await scope.db.execute(
        update(Notification)
        .where(Notification.member_id == scope.actor.id, Notification.read_at.is_(None), same)
        .values(read_at=utcnow())
    )
    return found.url


async def follow(scope: Scope, thread_id: int) -> None:
    """The actor follows (watches) the thread (following it again changes nothing)."""
    member_id = scope.actor.id
    try:
        async with scope.db.begin_nested():
            scope.db.add(Subscription(member_id=member_id, thread_id=thread_id))
    except IntegrityError:
        await scope.db.execute(
            update(Subscription)
            .where(Subscription.member_id == member_id, Subscription.thread_id == thread_id)
            .values(level=Level.WATCHING)
        )


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
            Subscription.member_id == scope.member.id,
            Subscription.thread_id == thread_id,
            Subscription.level == Level.WATCHING,
        )
    )
    return found is not None


async def followers(scope: Scope, thread_id: int) -> list[int]:
    """Who watches the thread (its own followers: not those of its category)."""
    result = await scope.db.scalars(
        select(Subscription.member_id).where(
            Subscription.thread_id == thread_id, Subscription.level == Level.WATCHING
        )
    )
    return list(result.all())
