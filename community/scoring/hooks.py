"""Scoring's part in a post's life: the day's first post earns a point, and badges are
checked by a job kept with the post, run once it is committed.

`register(POSTS)` is called once by `community.wiring`, after moderation's hooks.
"""

from __future__ import annotations

from community.forums.lifecycle import PostLifecycle, PostWritten
from community.jobs import enqueue_after_commit
from community.scope import Scope
from community.scoring.services import Cause, award_first_post_of_day


async def reward_first_post_of_day(scope: Scope, written: PostWritten) -> None:
    """A new post (not an edit) may be its author's first of the day."""
    if written.edited:
        return
    cause = Cause(written.author.id, written.post.id, written.category.id)
    await award_first_post_of_day(scope, written.author.id, cause)


async def check_author_badges(scope: Scope, written: PostWritten) -> None:
    """A job, kept in the post's transaction, checks whether the post earned its author a badge."""
    if written.edited:
        return
    enqueue_after_commit(
        scope.db, "check_badges", tenant_id=scope.tenant_id, member_ids=[written.author.id]
    )


def register(posts: PostLifecycle) -> None:
    posts.react(reward_first_post_of_day)
    posts.react(check_author_badges)
