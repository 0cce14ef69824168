"""The forum's rules: categories, threads, posts, and what members may do with them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from community.db import get_in_tenant, in_tenant, utcnow
from community.errors import Forbidden, NotFound, ValidationFailed, require
from community.escalation.services import on_post_written
from community.forums.markdown import render_markdown
from community.forums.models import Category, CategoryKind, Post, Thread, ThreadKind, Visibility
from community.identity.models import Member
from community.identity.permissions import Permission, has_permission, may_act_on
from community.jobs import enqueue_after_commit
from community.moderation.services import ensure_may_post, screen_post
from community.pagination import Page
from community.scoring.services import Cause, award_first_post_of_day, rules_for

TITLE_MIN, TITLE_MAX = 8, 200
BODY_MAX = 50_000


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "thread"


def check_title(title: str) -> dict[str, str]:
    if not TITLE_MIN <= len(title.strip()) <= TITLE_MAX:
        return {"title": "The title must be 8 to 200 characters long."}
    return {}


def check_body(body: str) -> dict[str, str]:
    if not body.strip():
        return {"body": "The message cannot be empty."}
    if len(body) > BODY_MAX:
        return {"body": "The message is too long (50,000 characters at most)."}
    return {}


# ---- categories ---------------------------------------------------------------------------


async def list_categories(
    session: AsyncSession, tenant_id: int, kind: CategoryKind = CategoryKind.FORUM
) -> list[Category]:
    query = (
        in_tenant(Category, tenant_id)
        .where(Category.kind == kind)
        .order_by(Category.position, Category.name)
    )
    return list((await session.scalars(query)).all())


async def get_category(session: AsyncSession, tenant_id: int, slug: str) -> Category:
    query = in_tenant(Category, tenant_id).where(Category.slug == slug)
    if category := await session.scalar(query):
        return category
    raise NotFound("No such category.")


async def create_category(
    session: AsyncSession,
    tenant_id: int,
    *,
    slug: str,
    name: str,
    description: str = "",
    kind: CategoryKind = CategoryKind.FORUM,
) -> Category:
    position = await session.scalar(
        select(func.count()).select_from(Category).where(Category.tenant_id == tenant_id)
    )
    category = Category(
        tenant_id=tenant_id,
        slug=slug,
        name=name,
        description=description,
        position=position or 0,
        kind=kind,
    )
    session.add(category)
    await session.flush()
    return category


# ---- threads --------------------------------------------------------------------------------


def _visible_threads(tenant_id: int) -> Select[Thread]:
    return (
        in_tenant(Thread, tenant_id)
        .where(Thread.deleted_at.is_(None))
        .options(joinedload(Thread.author), joinedload(Thread.category))
    )


async def list_threads(
    session: AsyncSession,
    tenant_id: int,
    *,
    category: Category | None = None,
    status: str = "",
    page: int = 1,
    page_size: int = 20,
) -> Page[Thread]:
    """Threads with the newest activity first, optionally only those with a given status."""
    conditions = [
        Thread.tenant_id == tenant_id,
        Thread.deleted_at.is_(None),
        Thread.visibility == Visibility.PUBLISHED,
        Thread.kind != ThreadKind.IDEA,  # ideas are listed on their boards
    ]
    if category is not None:
        conditions.append(Thread.category_id == category.id)
    if status:
        conditions.append(_status_condition(status))
    query = _visible_threads(tenant_id).where(*conditions)
    count = select(func.count()).select_from(Thread).where(*conditions)
    total = await session.scalar(count) or 0
    result = await session.scalars(
        query.order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    listing = Page(list(result.all()), page, page_size, total)
    if page > listing.count:
        raise NotFound("There is no such page.")
    return listing


def may_moderate(viewer: Member | None) -> bool:
    return has_permission(viewer, Permission.MODERATE)


def visible_to(viewer: Member | None, author_id: int, visibility: Visibility) -> bool:
    """Published content is public; the rest only for its author and moderators."""
    if visibility == Visibility.PUBLISHED:
        return True
    return viewer is not None and (viewer.id == author_id or may_moderate(viewer))


STATUSES = ("resolved", "unresolved", "certified")


def _status_condition(status: str) -> ColumnElement[bool]:
    resolved = Thread.accepted_post_id.is_not(None) | Thread.certified_post_id.is_not(None)
    if status == "resolved":
        return resolved
    if status == "certified":
        return Thread.certified_post_id.is_not(None)
    if status == "unresolved":
        return (Thread.kind == ThreadKind.QUESTION) & ~resolved
    raise ValidationFailed({"status": "Filter on resolved, unresolved or certified threads."})


async def get_thread(
    session: AsyncSession,
    tenant_id: int,
    thread_id: int,
    viewer: Member | None = None,
    *,
    with_certifier: bool = False,
) -> Thread:
    options = [joinedload(Thread.author), joinedload(Thread.category)]
    if with_certifier:
        options.append(joinedload(Thread.certified_by))
    thread = await session.scalar(
        in_tenant(Thread, tenant_id).where(Thread.id == thread_id).options(*options)
    )
    if (
        thread is None
        or (thread.deleted_at is not None and not has_permission(viewer, Permission.SEE_DELETED))
        or not visible_to(viewer, thread.author_id, thread.visibility)
    ):
        raise NotFound("This thread does not exist or was deleted.")
    return thread


async def create_thread(
    session: AsyncSession,
    tenant_id: int,
    author: Member,
    *,
    category_slug: str,
    title: str,
    body: str,
    kind: ThreadKind = ThreadKind.QUESTION,
) -> Thread:
    ensure_may_post(author)
    require(check_title(title) | check_body(body))
    category = await get_category(session, tenant_id, category_slug)
    if category.is_idea_board != (kind == ThreadKind.IDEA):
        raise ValidationFailed({"category": "Ideas go on an idea board, questions in the forum."})
    now = utcnow()
    thread = Thread(
        tenant_id=tenant_id,
        category_id=category.id,
        author_id=author.id,
        kind=kind,
        title=title.strip(),
        slug=slugify(title),
        post_count=1,
        created_at=now,
        last_activity_at=now,
    )
    session.add(thread)
    await session.flush()
    first = _new_post(thread, author, number=1, body=body, now=now)
    session.add(first)
    await session.execute(
        update(Category)
        .where(Category.id == category.id)
        .values(thread_count=Category.thread_count + 1)
    )
    await session.flush()
    await _after_posting(session, tenant_id, author, first, thread)
    return thread


# ---- posts ----------------------------------------------------------------------------------


def _new_post(thread: Thread, author: Member, *, number: int, body: str, now: datetime) -> Post:
    return Post(
        tenant_id=thread.tenant_id,
        thread_id=thread.id,
        author_id=author.id,
        number=number,
        body_md=body,
        body_html=render_markdown(body),
        created_at=now,
    )


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    posts: Page[Post]


def post_order(thread: Thread, discussions_by_date: bool) -> list[Any]:
    """Opening post first; answers to a question: certified, accepted, best score, oldest."""
    first: list[Any] = [(Post.number == 1).desc()]
    if not thread.is_question and discussions_by_date:
        return [*first, Post.number]
    return [
        *first,
        (Post.id == (thread.certified_post_id or 0)).desc(),
        (Post.id == (thread.accepted_post_id or 0)).desc(),
        Post.score.desc(),
        Post.number,
    ]


async def thread_page(
    session: AsyncSession,
    tenant_id: int,
    thread_id: int,
    *,
    page: int = 1,
    page_size: int = 20,
    viewer: Member | None = None,
    discussions_by_date: bool = True,
) -> ThreadPage:
    """A thread and one page of its posts, in a fixed number of queries whatever the length."""
    thread = await get_thread(session, tenant_id, thread_id, viewer, with_certifier=True)
    query = in_tenant(Post, tenant_id).where(Post.thread_id == thread.id)
    if not may_moderate(viewer):
        mine = Post.author_id == viewer.id if viewer else false()
        query = query.where((Post.visibility == Visibility.PUBLISHED) | mine)
    result = await session.scalars(
        query.options(joinedload(Post.author))
        .order_by(*post_order(thread, discussions_by_date))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    posts = Page(list(result.all()), page, page_size, thread.post_count)
    if page > posts.count:
        raise NotFound("There is no such page.")
    return ThreadPage(thread, posts)


async def post_position(
    session: AsyncSession, thread: Thread, post: Post, discussions_by_date: bool = True
) -> int:
    """Where the post stands (from 1) in the thread's order, to link to its page."""
    ids = await session.scalars(
        select(Post.id)
        .where(Post.thread_id == thread.id)
        .order_by(*post_order(thread, discussions_by_date))
    )
    return list(ids).index(post.id) + 1


async def reply(
    session: AsyncSession, tenant_id: int, author: Member, thread_id: int, body: str
) -> Post:
    """Append a post. The thread row's counter hands out the post number atomically."""
    ensure_may_post(author)
    require(check_body(body))
    thread = await get_thread(session, tenant_id, thread_id, author)
    now = utcnow()
    number = await session.scalar(
        update(Thread)
        .where(Thread.id == thread.id, Thread.tenant_id == tenant_id)
        .values(post_count=Thread.post_count + 1, last_activity_at=now)
        .returning(Thread.post_count)
    )
    assert number is not None
    post = _new_post(thread, author, number=number, body=body, now=now)
    session.add(post)
    await session.flush()
    thread.post_count, thread.last_activity_at = number, now
    post.author = author
    await _after_posting(session, tenant_id, author, post, thread)
    return post


async def _after_posting(
    session: AsyncSession, tenant_id: int, author: Member, post: Post, thread: Thread
) -> None:
    category = await session.get(Category, thread.category_id)
    assert category is not None
    await screen_post(session, author, post, category)
    await on_post_written(session, thread, post, author)
    rules = await rules_for(session, tenant_id)
    cause = Cause(author.id, post.id, category.id)
    await award_first_post_of_day(session, rules, author, cause)
    enqueue_after_commit(session, "check_badges", tenant_id=tenant_id, member_ids=[author.id])


async def get_post(
    session: AsyncSession, tenant_id: int, post_id: int, viewer: Member | None = None
) -> Post:
    """A live post the viewer may see (published ones for everyone)."""
    post = await session.scalar(
        in_tenant(Post, tenant_id).where(Post.id == post_id).options(joinedload(Post.author))
    )
    if (
        post is None
        or post.deleted_at is not None
        or not visible_to(viewer, post.author_id, post.visibility)
    ):
        raise NotFound("This post does not exist or was deleted.")
    return post


async def editable_post(
    session: AsyncSession, tenant_id: int, actor: Member, post_id: int
) -> tuple[Post, Thread]:
    """The post and its thread, when `actor` may edit it."""
    post = await get_post(session, tenant_id, post_id, actor)
    thread = await get_thread(session, tenant_id, post.thread_id, actor)
    if not may_act_on(actor, post.author_id, Permission.EDIT_ANY_POST):
        raise Forbidden("You can only edit your own posts.")
    return post, thread


async def edit_post(
    session: AsyncSession,
    tenant_id: int,
    actor: Member,
    post_id: int,
    *,
    body: str,
    title: str | None = None,
) -> Post:
    """Change a post's text; the opening post may also change the thread's title."""
    post, thread = await editable_post(session, tenant_id, actor, post_id)
    if not may_moderate(actor):
        ensure_may_post(actor)
    errors = check_body(body)
    if post.is_opening and title is not None:
        errors |= check_title(title)
    require(errors)
    post.body_md, post.body_html, post.edited_at = body, render_markdown(body), utcnow()
    if post.is_opening and title is not None:
        thread.title, thread.slug = title.strip(), slugify(title)
    await session.flush()
    await screen_post(session, actor, post, thread.category, edited=True)
    author = actor if actor.id == post.author_id else await session.get(Member, post.author_id)
    assert author is not None
    await on_post_written(session, thread, post, author)
    return post


async def delete_post(session: AsyncSession, tenant_id: int, actor: Member, post_id: int) -> Post:
    """Soft-delete a post. Deleting the opening post deletes the whole thread."""
    post = await get_post(session, tenant_id, post_id, actor)
    if not may_act_on(actor, post.author_id, Permission.DELETE_ANY_POST):
        raise Forbidden("You can only delete your own posts.")
    now = utcnow()
    post.deleted_at = now
    if post.is_opening:
        thread = await get_thread(session, tenant_id, post.thread_id, actor)
        thread.deleted_at = now
        await session.execute(
            update(Category)
            .where(Category.id == thread.category_id)
            .values(thread_count=Category.thread_count - 1)
        )
    await session.flush()
    return post


# ---- views ----------------------------------------------------------------------------------


async def add_thread_views(session: AsyncSession, counts: Mapping[int, int]) -> None:
    """Add buffered view counts, one atomic UPDATE per thread."""
    for thread_id, views in sorted(counts.items()):
        await session.execute(
            update(Thread)
            .where(Thread.id == thread_id)
            .values(view_count=Thread.view_count + views)
        )


async def member_in_tenant(session: AsyncSession, tenant_id: int, member_id: int) -> Member:
    if member := await get_in_tenant(session, Member, tenant_id, member_id):
        return member
    raise NotFound("No such member.")
