"""Brand announcements: a thread staff publish as news. It is pinned on the home page and atop
its category and the other categories staff chose, until its end date (or until unpinned),
tells the followers of those categories (watching or normal) once each, and is open to
members' comments unless staff close them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import delete, select

from community.db import utcnow
from community.errors import Forbidden, ValidationFailed
from community.forums.lifecycle import PostDraft
from community.forums.models import Category, Thread, Visibility
from community.identity.permissions import Permission
from community.l10n import N_
from community.moderation.audit import record
from community.notify.follows import followers_of_categories
from community.notify.models import Announcement, AnnouncementCategory, Level
from community.notify.services import notify
from community.scope import Scope

PUBLISHERS = N_("Only staff publish announcements.")
CLOSED = N_("Comments are closed on this announcement.")


@dataclass(frozen=True)
class Pinned:
    thread: Thread
    announcement: Announcement


def parse_end_date(text: str) -> datetime | None:
    """A `YYYY-MM-DD` end date (pinned through that day, UTC), or None when empty."""
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed({"pinned_until": N_("Give the end date as YYYY-MM-DD.")}) from None
    end = datetime.combine(day, time.max, tzinfo=UTC)
    if end < utcnow():
        raise ValidationFailed({"pinned_until": N_("The end date is in the past.")})
    return end


async def publish(
    scope: Scope,
    thread_id: int,
    *,
    pinned_until: datetime | None,
    comments_allowed: bool,
    categories: Iterable[int] = (),
) -> Announcement:
    """Make the thread an announcement (or change its end date, comments and the other
    `categories` it is pinned in); the followers of each category it newly reaches (all of
    them the first time) hear of it."""
    scope.require(Permission.MODERATE, PUBLISHERS)
    thread = await scope.one(Thread, thread_id, N_("This thread does not exist or was deleted."))
    if thread.deleted_at is not None or thread.visibility != Visibility.PUBLISHED:
        raise ValidationFailed({"thread": N_("Only a public thread can be an announcement.")})
    extra = await _other_categories(scope, thread, categories)
    found = await announcement_of(scope, thread.id)
    reached = ({thread.category_id} | await extra_categories(scope, found)) if found else set()
    shown = found or Announcement(thread_id=thread.id)
    shown.pinned_until, shown.comments_allowed = pinned_until, comments_allowed
    scope.db.add(shown)
    await scope.db.flush()
    await _pin_in(scope, shown, extra)
    until = pinned_until.isoformat() if pinned_until else None
    record(scope, "announcement.publish", ("thread", thread.id),
           after={"pinned_until": until, "comments_allowed": comments_allowed,
                  "categories": sorted(extra)})  # fmt: skip
    await _tell_followers(scope, thread, ({thread.category_id} | extra) - reached)
    return shown


async def _other_categories(scope: Scope, thread: Thread, chosen: Iterable[int]) -> set[int]:
    """The chosen categories besides the thread's own, each one of this community's."""
    wanted = set(chosen) - {thread.category_id}
    rows = await scope.db.scalars(scope.select(Category).where(Category.id.in_(wanted)))
    found = {category.id for category in rows}
    if found != wanted:
        raise ValidationFailed({"categories": N_("Choose categories of this community.")})
    return wanted


async def extra_categories(scope: Scope, announcement: Announcement | None) -> set[int]:
    """The categories, besides its own, where the announcement is also pinned."""
    if announcement is None:
        return set()
    found = await scope.db.scalars(
        select(AnnouncementCategory.category_id).where(
            AnnouncementCategory.announcement_id == announcement.id
        )
    )
    return set(found.all())


async def _pin_in(scope: Scope, announcement: Announcement, categories: set[int]) -> None:
    current = await extra_categories(scope, announcement)
    await scope.db.execute(
        delete(AnnouncementCategory).where(
            AnnouncementCategory.announcement_id == announcement.id,
            AnnouncementCategory.category_id.in_(current - categories),
        )
    )
    scope.db.add_all(
        AnnouncementCategory(announcement_id=announcement.id, category_id=category_id)
        for category_id in categories - current
    )
    await scope.db.flush()


async def _tell_followers(scope: Scope, thread: Thread, category_ids: set[int]) -> None:
    followers = await followers_of_categories(scope, category_ids, (Level.WATCHING, Level.NORMAL))
    await notify(scope, followers, kind="announcement", text=thread.title,
                 url=f"/t/{thread.id}/{thread.slug}", thread_id=thread.id,
                 actor_id=scope.actor.id, event_key=f"announcement:{thread.id}")  # fmt: skip


async def unpublish(scope: Scope, thread_id: int) -> None:
    scope.require(Permission.MODERATE, PUBLISHERS)
    found = await announcement_of(scope, thread_id)
    if found is not None:
        await scope.db.delete(found)
        record(scope, "announcement.unpublish", ("thread", thread_id))


async def announcement_of(scope: Scope, thread_id: int) -> Announcement | None:
    found: Announcement | None = await scope.db.scalar(
        select(Announcement).where(Announcement.thread_id == thread_id)
    )
    return found


async def pinned(scope: Scope, category_id: int | None = None) -> list[Pinned]:
    """Announcements pinned now, newest first: all of them, or those pinned in one category."""
    query = (
        select(Thread, Announcement)
        .join(Announcement, Announcement.thread_id == Thread.id)
        .where(
            Thread.deleted_at.is_(None),
            Thread.visibility == Visibility.PUBLISHED,
            Announcement.pinned_until.is_(None) | (Announcement.pinned_until > utcnow()),
        )
        .order_by(Announcement.created_at.desc())
        .limit(5)
    )
    if category_id is not None:
        also = select(AnnouncementCategory.announcement_id).where(
            AnnouncementCategory.category_id == category_id
        )
        query = query.where((Thread.category_id == category_id) | Announcement.id.in_(also))
    rows = await scope.db.execute(query)
    return [Pinned(thread, shown) for thread, shown in rows]


async def refuse_closed_comments(scope: Scope, draft: PostDraft) -> None:
    """A POSTS check: on an announcement with comments closed, only staff post."""
    if draft.thread is None or draft.edited or scope.can(Permission.MODERATE):
        return
    found = await announcement_of(scope, draft.thread.id)
    if found is not None and not found.comments_allowed:
        raise Forbidden(CLOSED)
