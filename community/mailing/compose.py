"""What a notification mail and a digest say: rendered in the member's language, with links
back to the community and the unsubscribe links (the member's token, no login needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from community.forums.models import Post, Thread, Visibility
from community.identity.models import Member
from community.mail import RenderedMail, render_mail
from community.mailing.models import Frequency, MailOutboxRow, MailPreferences
from community.mailing.preferences import family, frequency_for
from community.notify.models import NOTIFICATION_TEXTS, Notification
from community.scope import Scope

LITTLE = 3  # a digest with fewer notifications than this is topped up with useful threads
TOP_UP = 5
DIGEST_ITEMS = 50


@dataclass(frozen=True)
class Composed:
    mail: RenderedMail
    unsubscribe_url: str  # the one-click address of the List-Unsubscribe header


@dataclass(frozen=True)
class ThreadLink:
    title: str
    url: str
    replies: int


def unsubscribe_url(base_url: str, token: str, kind: str | None = None) -> str:
    url = f"{base_url}/mail/unsubscribe/{token}"
    return f"{url}?kind={quote(family(kind))}" if kind else url


def absolute(base_url: str, url: str) -> str:
    return f"{base_url}{url}" if url.startswith("/") else url


def _context(member: Member, preferences: MailPreferences, base_url: str) -> dict[str, Any]:
    return {
        "name": member.display_name,
        "notification_texts": NOTIFICATION_TEXTS,
        "preferences_url": f"{base_url}/account/notifications",
        "unsubscribe_all_url": unsubscribe_url(base_url, preferences.token),
    }


def _locale(member: Member) -> str | None:
    return member.locale or None


async def notification(
    scope: Scope, row: MailOutboxRow, member: Member, preferences: MailPreferences, base_url: str
) -> Composed | None:
    found = await scope.get(Notification, row.notification_id) if row.notification_id else None
    if found is None or frequency_for(preferences, found.kind) is not Frequency.IMMEDIATE:
        return None  # gone with its post, or the member has changed their mind since
    actor = await scope.get(Member, found.actor_id) if found.actor_id else None
    unsubscribe = unsubscribe_url(base_url, preferences.token, found.kind)
    context = _context(member, preferences, base_url) | {
        "notification": found,
        "actor": actor.display_name if actor else "",
        "link": absolute(base_url, found.url),
        "unsubscribe_url": unsubscribe,
    }
    mail = render_mail(scope.tenant, "notification", context, _locale(member))
    return Composed(mail, unsubscribe)


async def unread_for_digest(
    scope: Scope, member_id: int, preferences: MailPreferences, digest: str,
    since: datetime | None, until: datetime,
) -> list[Notification]:  # fmt: skip
    """The member's unread notifications of the period that wait for this digest."""
    query = select(Notification).where(
        Notification.member_id == member_id,
        Notification.read_at.is_(None),
        Notification.created_at <= until,
    )
    if since is not None:
        query = query.where(Notification.created_at > since)
    result = await scope.db.scalars(query.order_by(Notification.created_at, Notification.id))
    wanted = Frequency(digest)
    rows = [n for n in result.all() if frequency_for(preferences, n.kind) is wanted]
    return rows[:DIGEST_ITEMS]


async def useful_threads(
    scope: Scope, since: datetime | None, until: datetime, limit: int
) -> list[ThreadLink]:
    """The period's best new threads: by their opening post's score, then by replies."""
    query = (
        select(Thread)
        .join(Post, (Post.thread_id == Thread.id) & (Post.number == 1))
        .where(Thread.deleted_at.is_(None), Thread.visibility == Visibility.PUBLISHED)
        .where(Thread.created_at <= until)
        .order_by(Post.score.desc(), Thread.post_count.desc(), Thread.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(Thread.created_at > since)
    threads = (await scope.db.scalars(query)).all()
    return [ThreadLink(t.title, f"/t/{t.id}/{t.slug}", max(t.post_count - 1, 0)) for t in threads]


async def digest(
    scope: Scope, row: MailOutboxRow, member: Member, preferences: MailPreferences, base_url: str
) -> Composed | None:
    assert row.until is not None
    items = await unread_for_digest(scope, member.id, preferences, row.digest, row.since, row.until)
    if not items:
        return None  # read meanwhile: nothing to tell
    threads: list[ThreadLink] = []
    if len(items) < LITTLE:
        threads = await useful_threads(scope, row.since, row.until, TOP_UP)
    unsubscribe = unsubscribe_url(base_url, preferences.token)
    context = _context(member, preferences, base_url) | {
        "digest": row.digest,
        "items": [(n, absolute(base_url, n.url)) for n in items],
        "threads": [(t, absolute(base_url, t.url)) for t in threads],
        "link": f"{base_url}/notifications",
        "unsubscribe_url": unsubscribe,
    }
    mail = render_mail(scope.tenant, "digest", context, _locale(member))
    return Composed(mail, unsubscribe)
