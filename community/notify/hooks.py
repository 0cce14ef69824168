"""Notifications' part in a post's life: who hears of a post, following what you write, and
the level a member has on the thread they read.

`register(POSTS, THREAD_PAGE, TAGGING)` is called once by `community.wiring`, after
moderation (which may hold the post back: a held post notifies when a moderator approves it).
"""

from __future__ import annotations

from typing import Any

from community.forums.lifecycle import ListingPageHooks, PostLifecycle, ThreadPageHooks, ThreadView
from community.forums.services import list_categories
from community.identity.permissions import Permission
from community.notify import announcements, follows
from community.notify.events import on_post_written, on_thread_tagged
from community.notify.models import Level
from community.scope import Scope
from community.tags.lifecycle import TagLifecycle


async def follow_level(scope: Scope, view: ThreadView) -> dict[str, Any]:
    """`follow_level`: the viewer's level on the thread (None for a guest), and the choices."""
    if scope.member is None:
        return {"follow_level": None}
    level = await follows.level_for(scope, scope.member.id, view.thread)
    return {"follow_level": level, "follow_levels": list(Level)}


async def announcement(scope: Scope, view: ThreadView) -> dict[str, Any]:
    """`announcement` (or None); `may_announce`: whether the viewer may publish it; for them,
    `announce_categories` to pin it in besides its own, and `announced_in`, those chosen."""
    found = await announcements.announcement_of(scope, view.thread.id)
    if not scope.can(Permission.MODERATE):
        return {"announcement": found, "may_announce": False}
    others = [c for c in await list_categories(scope) if c.id != view.thread.category_id]
    return {"announcement": found, "may_announce": True, "announce_categories": others,
            "announced_in": await announcements.extra_categories(scope, found)}  # fmt: skip


def register(
    posts: PostLifecycle, thread_page: ThreadPageHooks, tagging: TagLifecycle,
    listing: ListingPageHooks,
) -> None:  # fmt: skip
    posts.check(announcements.refuse_closed_comments)
    posts.react(on_post_written)
    tagging.react(on_thread_tagged)
    thread_page.extra(follow_level)
    thread_page.extra(announcement)
    listing.extra(pinned_announcements)


async def pinned_announcements(scope: Scope, category_id: int | None) -> dict[str, Any]:
    """The announcements pinned on the home page (None) or on one category's page."""
    return {"announcements": await announcements.pinned(scope, category_id)}
