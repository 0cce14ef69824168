"""Outgoing webhooks hear of a post's life (`POSTS`) and of what the capabilities announce
(`community.events.EVENTS`); `register` is called once by `community.wiring`, after
escalation (whose reaction scores the post's sentiment the back-office rules read)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from community import events
from community.events import EventHooks, Happened
from community.forums.lifecycle import PostLifecycle, PostWritten
from community.forums.models import Visibility
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
    build = BUILDERS.get(happened.kind)
    if build is None:
        return

    async def data() -> payloads.Data:
        return await build(scope, dict(happened.ids), dict(happened.details))

    await record_event(scope, happened.kind, data)


async def on_post_written(scope: Scope, written: PostWritten) -> None:
    """A POSTS reaction: a new public post is `thread.created` (the opening post) or
    `answer.posted`; then the back-office rules read it. Edits and held posts say nothing."""
    post, thread = written.post, written.thread
    if written.edited or post.visibility != Visibility.PUBLISHED:
        return
    if thread.visibility != Visibility.PUBLISHED:
        return

    async def data() -> payloads.Data:
        return {
            "thread": payloads.thread_data(thread, written.category),
            "post": payloads.post_data(post, written.author),
        }

    await record_event(scope, THREAD_CREATED if post.is_opening else ANSWER_POSTED, data)
    await backoffice.detect(scope, written)


def register(posts: PostLifecycle, announced: EventHooks) -> None:
    posts.react(on_post_written)
    announced.react(on_event)
