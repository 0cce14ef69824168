"""Moderation's part in a post's life: who may write, and screening what was written; and
on the thread page, why the viewer's own held posts wait.

`register(POSTS, THREAD_PAGE)` is called once by `community.wiring`, before the other capabilities, so
a post is held back or masked before escalation and scoring look at it.
"""

from __future__ import annotations

from community.forums.lifecycle import PostDraft, PostLifecycle, PostWritten, ThreadPageHooks
from community.identity.permissions import Permission
from community.moderation.services import ensure_may_post, held_notices, screen_post
from community.scope import Scope


async def refuse_suspended_authors(scope: Scope, draft: PostDraft) -> None:
    """A suspended or banned member writes nothing. An edit is checked against its editor,
    and a moderator may always edit (moderators cannot be suspended from here anyway)."""
    if not draft.edited:
        ensure_may_post(draft.author)
    elif not scope.can(Permission.MODERATE):
        ensure_may_post(scope.actor)


async def screen_written_post(scope: Scope, written: PostWritten) -> None:
    """Queue, hold back or mask the post. An edit is screened as its editor wrote it (a
    moderator's edit is trusted), a new post as its author wrote it."""
    writer = scope.actor if written.edited else written.author
    await screen_post(
        scope, writer, written.post, written.category, thread=written.thread,
        edited=written.edited, revised=written.revision is not None,
    )  # fmt: skip


def register(posts: PostLifecycle, thread_page: ThreadPageHooks) -> None:
    posts.check(refuse_suspended_authors)
    posts.react(screen_written_post)
    thread_page.extra(held_notices)
