"""Answers' part in a post's life: a deleted answer no longer resolves its question.

`register(POSTS)` is called once by `community.wiring`.
"""

from __future__ import annotations

from community.forums.lifecycle import PostLifecycle, PostRemoved
from community.qa.services import do_clear_resolution
from community.scope import Scope


async def unresolve_deleted_answer(scope: Scope, removed: PostRemoved) -> None:
    """A deleted accepted or certified answer takes its resolution and points with it."""
    if removed.thread.resolved_by(removed.post):
        await do_clear_resolution(scope, removed.thread.id, removed.post.id, cause="deleted")


def register(posts: PostLifecycle) -> None:
    posts.on_remove(unresolve_deleted_answer)
