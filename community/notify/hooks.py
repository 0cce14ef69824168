"""Notifications' part in a post's life: who hears of a post, following what you write, and
the level a member has on the thread they read.

`register(POSTS, THREAD_PAGE)` is called once by `community.wiring`, after moderation (which
may hold the post back: a held post notifies when a moderator approves it).
"""

from __future__ import annotations

from typing import Any

from community.forums.lifecycle import PostLifecycle, ThreadPageHooks, ThreadView
from community.notify import follows
from community.notify.events import on_post_written
from community.notify.models import Level
from community.scope import Scope


async def follow_level(scope: Scope, view: ThreadView) -> dict[str, Any]:
    """`follow_level`: the viewer's level on the thread (None for a guest), and the choices."""
    if scope.member is None:
        return {"follow_level": None}
    level = await follows.level_for(scope, scope.member.id, view.thread)
    return {"follow_level": level, "follow_levels": list(Level)}


def register(posts: PostLifecycle, thread_page: ThreadPageHooks) -> None:
    posts.react(on_post_written)
    thread_page.extra(follow_level)
