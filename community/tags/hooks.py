"""Tags' part in a thread's life: a new thread tagged as its opening post is written, its
chips on the thread page, and a deleted thread no longer counted for its tags.

`register(POSTS, THREAD_PAGE)` is called once by `community.wiring`; the forum never
imports tags.
"""

from __future__ import annotations

from typing import Any

from community.forums.lifecycle import PostLifecycle, PostRemoved, ThreadPageHooks, ThreadView
from community.scope import Scope
from community.tags.services import tag_opening_post, tags_of_threads, untag_deleted_thread


async def thread_tags(scope: Scope, view: ThreadView) -> dict[str, Any]:
    """`tags`: the thread's tags, by name."""
    found = await tags_of_threads(scope, [view.thread.id])
    return {"tags": found.get(view.thread.id, [])}


async def uncount_deleted_thread(scope: Scope, removed: PostRemoved) -> None:
    if removed.post.is_opening:
        await untag_deleted_thread(scope, removed.thread)


def register(posts: PostLifecycle, thread_page: ThreadPageHooks) -> None:
    posts.react(tag_opening_post)  # before the notifications': they depend on the tags
    posts.on_remove(uncount_deleted_thread)
    thread_page.extra(thread_tags)
