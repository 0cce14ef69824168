"""A thread as search sees it: one `SearchDocument` built from what the public may read.

Only a published, live thread whose opening post is published and live has a document;
its answers are its other published, live posts. Everything else is to be removed from
the engine. Text is the HTML the public is served (personal data masked), as plain text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from community.forums.markdown import plain_text
from community.forums.models import Post, Thread, ThreadKind, Visibility
from community.ideas.models import Idea, IdeaStatus
from community.scope import Scope
from community.search.port import SearchDocument
from community.tags.models import Tag, ThreadTag


@dataclass(frozen=True)
class Built:
    documents: list[SearchDocument]
    removed: list[int]  # threads that must not be found (hidden, deleted, gone)


async def build_documents(scope: Scope, thread_ids: Collection[int]) -> Built:
    """The documents of these threads of the scope's tenant, and those that have none."""
    ids = sorted(set(thread_ids))
    if not ids:
        return Built([], [])
    threads = await scope.db.scalars(
        scope.select(Thread).where(
            Thread.id.in_(ids),
            Thread.deleted_at.is_(None),
            Thread.visibility == Visibility.PUBLISHED,
        )
    )
    found = {thread.id: thread for thread in threads}
    posts = await _published_posts(scope, list(found))
    tags = await _tags(scope, list(found))
    ideas = await _idea_statuses(scope, list(found))
    documents = []
    for thread_id, thread in found.items():
        thread_posts = posts.get(thread_id, [])
        if not thread_posts or thread_posts[0].number != 1:  # the opening post is not public
            continue
        documents.append(_document(thread, thread_posts, tags.get(thread_id, ()), ideas))
    kept = {doc.thread_id for doc in documents}
    return Built(documents, [thread_id for thread_id in ids if thread_id not in kept])


async def _published_posts(scope: Scope, thread_ids: list[int]) -> dict[int, list[Post]]:
    rows = await scope.db.scalars(
        scope.select(Post)
        .where(
            Post.thread_id.in_(thread_ids),
            Post.deleted_at.is_(None),
            Post.visibility == Visibility.PUBLISHED,
        )
        .order_by(Post.thread_id, Post.number)
    )
    by_thread: dict[int, list[Post]] = defaultdict(list)
    for post in rows:
        by_thread[post.thread_id].append(post)
    return by_thread


async def _tags(scope: Scope, thread_ids: list[int]) -> dict[int, tuple[str, ...]]:
    rows = await scope.db.execute(
        select(ThreadTag.thread_id, Tag.slug)
        .join(Tag, Tag.id == ThreadTag.tag_id)
        .where(ThreadTag.thread_id.in_(thread_ids))
        .order_by(ThreadTag.thread_id, Tag.slug)
    )
    by_thread: dict[int, list[str]] = defaultdict(list)
    for thread_id, slug in rows.all():
        by_thread[thread_id].append(slug)
    return {thread_id: tuple(slugs) for thread_id, slugs in by_thread.items()}


async def _idea_statuses(scope: Scope, thread_ids: list[int]) -> dict[int, Idea]:
    rows = await scope.db.scalars(scope.select(Idea).where(Idea.thread_id.in_(thread_ids)))
    return {idea.thread_id: idea for idea in rows}


def _text(post: Post) -> str:
    return plain_text(post.public_html if post.public_html is not None else post.body_html)


def _document(
    thread: Thread, posts: Sequence[Post], tags: tuple[str, ...], ideas: dict[int, Idea]
) -> SearchDocument:
    opening, answers = posts[0], posts[1:]
    best_ids = {thread.accepted_post_id, thread.certified_post_id} - {None}
    best = [post for post in answers if post.id in best_ids]
    others = [post for post in answers if post.id not in best_ids]
    live_ids = {post.id for post in answers}
    idea = ideas.get(thread.id)
    if thread.kind == ThreadKind.IDEA:
        resolved = idea is not None and idea.status == IdeaStatus.DONE
        score = idea.vote_count if idea is not None else 0
    else:
        resolved = bool(best_ids & live_ids)
        score = opening.score
    edits = [post.edited_at for post in posts if post.edited_at is not None]
    return SearchDocument(
        tenant_id=thread.tenant_id,
        thread_id=thread.id,
        title=thread.title,
        slug=thread.slug,
        kind=thread.kind.value,
        category_id=thread.category_id,
        body=_text(opening),
        answers="\n".join(_text(post) for post in others),
        best_answers="\n".join(_text(post) for post in best),
        tags=tags,
        resolved=resolved,
        certified=thread.certified_post_id in live_ids,
        score=score,
        created_at=thread.created_at,
        updated_at=max([thread.last_activity_at, *edits]),
    )
