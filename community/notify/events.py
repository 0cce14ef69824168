"""Who hears of a post: the rules, in the order they win when several name one member.

A published post notifies, once each (one event key per post): the members it mentions,
then the author of the thread it answers, then the watchers of the thread, its category and
its tags. Members who muted the thread (or its category, or one of its tags) hear nothing;
the writer never hears of their own post. An edit only notifies the members it newly
mentions. The watchers of a tag an older thread gains hear of its opening post then (once,
like everyone else).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from community.forums.lifecycle import PostWritten
from community.forums.models import Post, Thread, ThreadKind, Visibility
from community.notify import follows
from community.notify.models import Level
from community.notify.services import notify
from community.scope import Scope
from community.tags.lifecycle import ThreadTagged

# A mention as the renderer writes it (community.forums.markdown): a profile link reading "@…".
MENTION_LINK = re.compile(r'<a href="/u/(\d+)"[^>]*>@')


def mentioned(post: Post) -> set[int]:
    return {int(member_id) for member_id in MENTION_LINK.findall(post.body_html)}


def post_url(post: Post) -> str:
    """The post's permalink: it opens the thread's page that holds the post, at the post."""
    return f"/p/{post.id}"


async def on_post_written(scope: Scope, written: PostWritten) -> None:
    """A POSTS reaction: notify whoever the rules name, and let the writer follow the thread."""
    post, thread = written.post, written.thread
    if not written.edited and thread.kind != ThreadKind.IDEA:
        await follows.follow_on_writing(scope, written.author.id, thread.id)
    if post.visibility == Visibility.PUBLISHED:
        await notify_post(scope, thread, post, edited=written.edited)


async def notify_post(scope: Scope, thread: Thread, post: Post, *, edited: bool = False) -> None:
    """Tell the members the rules name about a post now public (written, or approved)."""
    rules: list[tuple[str, set[int]]] = [("mention", mentioned(post))]
    if not edited:
        rules += await _audience(scope, thread, post)
    await _send(scope, thread, post, rules)


async def on_thread_tagged(scope: Scope, tagged: ThreadTagged) -> None:
    """A TAGGING reaction: the watchers of tags a thread gains later hear of its public
    opening post (a new thread's tag watchers hear of it with the post itself)."""
    thread = tagged.thread
    if tagged.new_thread:
        return
    opening = await scope.db.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.number == 1)
    )
    if opening is None or opening.visibility != Visibility.PUBLISHED or thread.deleted_at:
        return
    watchers = await follows.watchers_of_tags(scope, tagged.added)
    await _send(scope, thread, opening, [("tagged_thread", watchers)])


async def _send(
    scope: Scope, thread: Thread, post: Post, rules: list[tuple[str, set[int]]]
) -> None:
    """Notify each rule's members of the post (the first rule naming a member wins), except
    its writer and whoever is muted on the thread."""
    everyone = set().union(*(members for _, members in rules)) - {post.author_id}
    levels = await follows.thread_levels(scope, thread, everyone)
    for kind, members in rules:
        await notify(
            scope,
            {m for m in members if levels.get(m) not in {None, Level.MUTED}},
            kind=kind,
            text=thread.title,
            url=post_url(post),
            thread_id=thread.id,
            post_id=post.id,
            actor_id=post.author_id,
            event_key=f"post:{post.id}",
        )


async def _audience(scope: Scope, thread: Thread, post: Post) -> list[tuple[str, set[int]]]:
    if post.is_opening:
        tag_ids = await follows.thread_tag_ids(scope, thread.id)
        return [
            ("new_thread", await follows.watchers_of_category(scope, thread.category_id)),
            ("tagged_thread", await follows.watchers_of_tags(scope, tag_ids)),
        ]
    direct = "answer" if thread.is_question else "reply"
    return [
        (direct, {thread.author_id}),
        ("watched_reply", await follows.watchers_of_thread(scope, thread)),
    ]


async def notify_resolution(scope: Scope, thread: Thread, answer: Post, kind: str) -> None:
    """The answer's author hears that it was accepted or certified (once per answer)."""
    await notify(
        scope,
        [answer.author_id],
        kind=kind,
        text=thread.title,
        url=post_url(answer),
        thread_id=thread.id,
        post_id=answer.id,
        actor_id=scope.actor.id,
        event_key=f"{kind}:{answer.id}",
    )
