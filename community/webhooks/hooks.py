"""Outgoing webhooks hear of a post's life (`POSTS`) and of what the capabilities announce
(`community.events.EVENTS`); `register` is called once by `community.wiring`, after
escalation (whose reaction scores the post's sentiment the back-office rules read)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from community import events
from community.events import EventHooks, Happened
from community.forums.lifecycle import PostLifecycle, PostWritten
from community.forums.models import Category, Post, Thread, Visibility
from community.identity.models import Member
from community.scope import Scope
from community.webhooks import backoffice, payloads
from community.webhooks.catalogue import ANSWER_POSTED, THREAD_CREATED
from community.webhooks.outbox import record_event

Builder = Callable[[Scope, dict[str, int], dict[str, Any]], Awaitable[payloads.Data]]
BUILDERS: Mapping[str, Builder] = {
    events.ANSWER_ACCEPTED: payloads.answer_event,
    events.ANSWER_CERTIFIED: payloads.answer_event,
    events.THREAD_RESOLVED: payloads.resolved_event,
    events.IDEA_STATUS_CHANGED: payloads.idea_event,
    events.ESCALATION_STATE_CHANGED: payloads.escalation_event,
    events.MEMBER_JOINED: payloads.member_event,
    events.FLAG_RAISED: payloads.flag_event,
}


async def on_event(scope: Scope, happened: Happened) -> None:
    """An EVENTS reaction: queue the event for the subscriptions that picked it."""
    if happened.kind == events.POST_PUBLISHED:  # approved by a moderator: public now
        await _approved(scope, happened.ids["post_id"])
        return
    build = BUILDERS.get(happened.kind)
    if build is None:
        return

    async def data() -> payloads.Data:
        return await build(scope, dict(happened.ids), dict(happened.details))

    await record_event(scope, happened.kind, data)


async def on_post_written(scope: Scope, written: PostWritten) -> None:
    """A POSTS reaction: a new public post is `thread.created` (the opening post) or
    `answer.posted`; then the back-office rules read it. Edits say nothing; a post held
    back by moderation says it once approved (`POST_PUBLISHED`)."""
    post, thread = written.post, written.thread
    if written.edited or post.visibility != Visibility.PUBLISHED:
        return
    if thread.visibility != Visibility.PUBLISHED:
        return

    await _published(scope, thread, written.category, post, written.author)
    await backoffice.detect(scope, written)


async def _published(
    scope: Scope, thread: Thread, category: Category, post: Post, author: Member
) -> None:
    async def data() -> payloads.Data:
        return {"thread": payloads.thread_data(thread, category),
                "post": payloads.post_data(post, author)}  # fmt: skip

    await record_event(scope, THREAD_CREATED if post.is_opening else ANSWER_POSTED, data)


async def _approved(scope: Scope, post_id: int) -> None:
    post = await scope.one(Post, post_id)
    thread = await scope.one(Thread, post.thread_id)
    if thread.visibility != Visibility.PUBLISHED:
        return
    category = await scope.one(Category, thread.category_id)
    author = await scope.one(Member, post.author_id)
    await _published(scope, thread, category, post, author)
    await backoffice.detect(scope, PostWritten(author, category, thread, post))


def register(posts: PostLifecycle, announced: EventHooks) -> None:
    posts.react(on_post_written)
    announced.react(on_event)
