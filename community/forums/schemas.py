"""JSON shapes of the forum API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Protocol

import msgspec

from community.forums.lifecycle import PostActions
from community.forums.models import Post, Thread, ThreadKind
from community.web.inputs import Input


class HasSlug(Protocol):
    slug: str


class AuthorOut(msgspec.Struct):
    id: int
    name: str
    role: str


class ThreadOut(msgspec.Struct):
    id: int
    title: str
    kind: ThreadKind
    category: str
    author: AuthorOut
    reply_count: int
    view_count: int
    created_at: datetime
    last_activity_at: datetime
    url: str
    tags: list[str] = msgspec.field(default_factory=list)  # the tags' slugs

    @classmethod
    def of(cls, thread: Thread, tags: Sequence[HasSlug] = ()) -> ThreadOut:
        return cls(
            id=thread.id,
            title=thread.title,
            kind=thread.kind,
            category=thread.category.slug,
            author=AuthorOut(thread.author.id, thread.author.display_name, thread.author.role),
            reply_count=thread.reply_count,
            view_count=thread.view_count,
            created_at=thread.created_at,
            last_activity_at=thread.last_activity_at,
            url=f"/t/{thread.id}/{thread.slug}",
            tags=[tag.slug for tag in tags],
        )


class PostOut(msgspec.Struct):
    id: int
    number: int
    author: AuthorOut
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool

    @classmethod
    def of(cls, post: Post, actions: PostActions | None = None) -> PostOut:
        """The post as `actions` allow: the text as written, or the one masked for the public."""
        deleted = post.deleted_at is not None
        original = actions is not None and actions.sees_original
        html = post.body_html if original or not post.public_html else post.public_html
        return cls(
            id=post.id,
            number=post.number,
            author=AuthorOut(post.author.id, post.author.display_name, post.author.role),
            body_html="" if deleted else html,
            created_at=post.created_at,
            edited_at=post.edited_at,
            deleted=deleted,
        )


class PageInfo(msgspec.Struct):
    page: int
    pages: int
    total: int


class ThreadList(msgspec.Struct):
    items: list[ThreadOut]
    pagination: PageInfo


class ThreadWithPosts(msgspec.Struct):
    thread: ThreadOut
    posts: list[PostOut]
    pagination: PageInfo


class ThreadCreate(Input):
    category: str
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=50_000)]
    kind: ThreadKind = ThreadKind.QUESTION
    tags: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=60)]], msgspec.Meta(max_length=5)
    ] = msgspec.field(default_factory=list)


class ReplyCreate(Input):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=50_000)]
