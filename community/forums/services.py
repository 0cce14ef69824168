"""The forum's rules: categories, threads, posts, and what members may do with them.

The forum knows nothing of what is built on it: moderation, escalation and scoring hear of
each post through `lifecycle.POSTS`, and votes and escalation add to a thread's page through
`lifecycle.THREAD_PAGE`.
"""

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
from sqlalchemy.orm.attributes import set_committed_value

from community.db import utcnow
from community.errors import Forbidden, NotFound, ValidationFailed, require
from community.forums.lifecycle import (
    POSTS,
    THREAD_PAGE,
    PostActions,
    PostDraft,
    PostRemoved,
    PostWritten,
    ThreadView,
)
from community.forums.markdown import render_markdown
from community.forums.mentions import resolve_mentions
from community.forums.models import (
    FORUM_KINDS,
    Category,
    CategoryKind,
    Post,
    Posting,
    PostRevision,
    Thread,
    ThreadKind,
    Visibility,
)
from community.identity.models import Member
from community.identity.permissions import Permission
from community.inputs import CONTROL_MESSAGE, has_control_characters, has_words, normalise_line
from community.l10n import N_
from community.pagination import Page
from community.scope import Scope

TITLE_MIN, TITLE_MAX = 8, 200
BODY_MAX = 50_000


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "thread"


def check_title(title: str) -> dict[str, str]:
    """Problems of a title as typed; what is stored is `normalise_line(title)`."""
    if has_control_characters(title):
        return {"title": CONTROL_MESSAGE}
    line = normalise_line(title)
    if not has_words(line):
        return {"title": N_("Write a title with words in it.")}
    if not TITLE_MIN <= len(line) <= TITLE_MAX:
        return {"title": N_("The title must be 8 to 200 characters long.")}
    return {}


def check_body(body: str) -> dict[str, str]:
    if has_control_characters(body):
        return {"body": CONTROL_MESSAGE}
    if not body.strip():
        return {"body": N_("The message cannot be empty.")}
    if len(body) > BODY_MAX:
        return {"body": N_("The message is too long (50,000 characters at most).")}
    return {}


def check_kind(kind: str) -> ThreadKind:
    try:
        return ThreadKind(kind)
    except ValueError:
        raise ValidationFailed({"kind": N_("Choose a question or a discussion.")}) from None


# ---- categories ---------------------------------------------------------------------------


async def list_categories(
    scope: Scope, kind: CategoryKind = CategoryKind.FORUM, *, archived: bool = True
) -> list[Category]:
    """Categories in the tenant's order: the idea boards for IDEAS, else every forum category
    (of questions, discussions or both); without `archived`, only those still open."""
    kinds = FORUM_KINDS if kind in FORUM_KINDS else {kind}
    query = scope.select(Category).where(Category.kind.in_(kinds))
    if not archived:
        query = query.where(Category.archived_at.is_(None))
    return list((await scope.db.scalars(query.order_by(Category.position, Category.name))).all())


def may_open_threads(scope: Scope, category: Category) -> bool:
    """Whether the scope's member may start a thread in `category` (not whether they may
    reply: archiving and staff-only posting only close the door to new threads)."""
    if category.is_archived:
        return False
    return category.posting == Posting.MEMBERS or scope.can(Permission.STAFF_POST)


async def ask_categories(scope: Scope) -> list[Category]:
    """The categories a member may ask in (guests are asked to log in first)."""
    _ = scope.actor  # asking is for members: guests are asked to log in
    return [c for c in await list_categories(scope) if may_open_threads(scope, c)]


def check_opening(scope: Scope, category: Category, kind: ThreadKind) -> None:
    """Refuse a new thread the category does not take: archived, staff only, another kind."""
    if category.is_archived:
        raise ValidationFailed(
            {"category": N_("This category is archived: it takes no new threads.")}
        )
    if not may_open_threads(scope, category):
        raise Forbidden(N_("Only the community's staff start threads in this category."))
    if kind in category.thread_kinds:
        return
    if category.is_idea_board or kind == ThreadKind.IDEA:
        raise ValidationFailed(
            {"category": N_("Ideas go on an idea board, questions in the forum.")}
        )
    if kind == ThreadKind.QUESTION:
        raise ValidationFailed({"kind": N_("This category takes discussions, not questions.")})
    raise ValidationFailed({"kind": N_("This category takes questions, not discussions.")})


async def _category_by_slug(scope: Scope, slug: str) -> Category | None:
    return await scope.db.scalar(scope.select(Category).where(Category.slug == slug))


async def get_category(scope: Scope, slug: str) -> Category:
    if category := await _category_by_slug(scope, slug):
        return category
    raise NotFound("No such category.")


async def create_category(
    scope: Scope,
    *,
    slug: str,
    name: str,
    description: str = "",
    kind: CategoryKind = CategoryKind.FORUM,
) -> Category:
    position = await scope.db.scalar(select(func.count()).select_from(Category))
    category = Category(
        slug=slug, name=name, description=description, position=position or 0, kind=kind
    )
    scope.db.add(category)
    await scope.db.flush()
    return category


# ---- threads --------------------------------------------------------------------------------


def _visible_threads(scope: Scope) -> Select[Thread]:
    return (
        scope.select(Thread)
        .where(Thread.deleted_at.is_(None))
        .options(joinedload(Thread.author), joinedload(Thread.category))
    )


async def list_threads(
    scope: Scope,
    *,
    category: Category | None = None,
    status: str = "",
    page: int = 1,
    page_size: int = 20,
    within: Select[int] | None = None,
) -> Page[Thread]:
    """Threads with the newest activity first, optionally only those with a given status,
    or only those whose ids `within` selects (a capability's filter: a tag's threads)."""
    conditions = [
        Thread.deleted_at.is_(None),
        Thread.visibility == Visibility.PUBLISHED,
        Thread.kind != ThreadKind.IDEA,  # ideas are listed on their boards
    ]
    if category is not None:
        conditions.append(Thread.category_id == category.id)
    if status:
        conditions.append(_status_condition(status))
    if within is not None:
        conditions.append(Thread.id.in_(within))
    query = _visible_threads(scope).where(*conditions)
    count = select(func.count()).select_from(Thread).where(*conditions)
    total = await scope.db.scalar(count) or 0
    result = await scope.db.scalars(
        query.order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    listing = Page(list(result.all()), page, page_size, total)
    if page > listing.count:
        raise NotFound("There is no such page.")
    return listing


def visible_to(scope: Scope, author_id: int, visibility: Visibility) -> bool:
    """Published content is public; the rest only for its author and moderators."""
    return visibility == Visibility.PUBLISHED or scope.may_act_on(author_id, Permission.MODERATE)


STATUSES = ("resolved", "unresolved", "certified")


def _status_condition(status: str) -> ColumnElement[bool]:
    resolved = Thread.accepted_post_id.is_not(None) | Thread.certified_post_id.is_not(None)
    if status == "resolved":
        return resolved
    if status == "certified":
        return Thread.certified_post_id.is_not(None)
    if status == "unresolved":
        return (Thread.kind == ThreadKind.QUESTION) & ~resolved
    raise ValidationFailed({"status": N_("Filter on resolved, unresolved or certified threads.")})


async def get_thread(scope: Scope, thread_id: int, *, with_certifier: bool = False) -> Thread:
    """A thread the scope's member may see (deleted ones only for those who see deleted)."""
    options = [joinedload(Thread.author), joinedload(Thread.category)]
    if with_certifier:
        options.append(joinedload(Thread.certified_by))
    thread = await scope.db.scalar(
        scope.select(Thread).where(Thread.id == thread_id).options(*options)
    )
    if (
        thread is None
        or (thread.deleted_at is not None and not scope.can(Permission.SEE_DELETED))
        or not visible_to(scope, thread.author_id, thread.visibility)
    ):
        raise NotFound("This thread does not exist or was deleted.")
    return thread


async def create_thread(
    scope: Scope,
    *,
    category_slug: str,
    title: str,
    body: str,
    kind: ThreadKind | str = ThreadKind.QUESTION,
) -> Thread:
    """A new question, discussion or idea by the actor, with its opening post."""
    author = scope.actor
    kind = check_kind(kind)
    # The checks (a suspended author…) answer before the input is judged, as they always
    # have; they need the category, so an unknown one is only refused after the input.
    category = await _category_by_slug(scope, category_slug)
    if category is not None:
        await POSTS.before_write(scope, PostDraft(author, category, None, body))
    require(check_title(title) | check_body(body))
    if category is None:
        raise NotFound("No such category.")
    check_opening(scope, category, kind)
    now = utcnow()
    thread = Thread(
        category_id=category.id,
        author_id=author.id,
        kind=kind,
        title=normalise_line(title),
        slug=slugify(normalise_line(title)),
        post_count=1,
        created_at=now,
        last_activity_at=now,
    )
    scope.db.add(thread)
    await scope.db.flush()
    first = await _new_post(scope, thread, author, number=1, body=body, now=now)
    scope.db.add(first)
    await scope.db.execute(
        update(Category)
        .where(Category.id == category.id)
        .values(thread_count=Category.thread_count + 1)
    )
    await scope.db.flush()
    await POSTS.after_write(scope, PostWritten(author, category, thread, first))
    return thread


# ---- posts ----------------------------------------------------------------------------------


async def _new_post(
    scope: Scope, thread: Thread, author: Member, *, number: int, body: str, now: datetime
) -> Post:
    mentions = await resolve_mentions(scope, body)
    return Post(
        thread_id=thread.id,
        author_id=author.id,
        number=number,
        body_md=body,
        body_html=render_markdown(body, scope.tenant.locale, mentions),
        created_at=now,
    )


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


def post_actions(
    scope: Scope, thread: Thread, post: Post, revised: frozenset[int] = frozenset()
) -> PostActions:
    """What the scope's member may do with `post`, for the page to offer exactly that
    (`revised`: the posts of the page that have earlier versions)."""
    answer = thread.is_question and not post.is_opening
    return PostActions(
        sees_original=scope.may_act_on(post.author_id, Permission.MODERATE),
        edit=scope.may_act_on(post.author_id, Permission.EDIT_ANY_POST),
        delete=scope.may_act_on(post.author_id, Permission.DELETE_ANY_POST),
        accept=answer and scope.may_act_on(thread.author_id, Permission.ACCEPT_ANY),
        flag=(
            scope.member is not None
            and not scope.is_actor(post.author_id)
            and post.visibility == Visibility.PUBLISHED
        ),
        certify=answer and scope.can(Permission.CERTIFY),
        history=post.id in revised and scope.can(Permission.SEE_REVISIONS),
    )


async def _revised(scope: Scope, post_ids: list[int]) -> frozenset[int]:
    """Which of these posts have earlier versions (asked only of those who may read them)."""
    if not post_ids or not scope.can(Permission.SEE_REVISIONS):
        return frozenset()
    found = await scope.db.scalars(
        select(PostRevision.post_id).where(PostRevision.post_id.in_(post_ids)).distinct()
    )
    return frozenset(found)


async def thread_view(
    scope: Scope,
    thread_id: int,
    page: int = 1,
    page_size: int = 20,
    *,
    extras: bool = True,
    hints: Mapping[str, str] | None = None,
) -> ThreadView:
    """A thread and one page of its posts in the tenant's order, what the scope's member may
    do with each, and (with `extras`) what the capabilities add to its page. A fixed number
    of queries whatever the thread's length."""
    thread = await get_thread(scope, thread_id, with_certifier=True)
    query = scope.select(Post).where(Post.thread_id == thread.id)
    if not scope.can(Permission.MODERATE):
        mine = Post.author_id == scope.member.id if scope.member else false()
        query = query.where((Post.visibility == Visibility.PUBLISHED) | mine)
    result = await scope.db.scalars(
        query.options(joinedload(Post.author))
        .order_by(*post_order(thread, scope.settings.discussions_by_date))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    posts = Page(list(result.all()), page, page_size, thread.post_count)
    if page > posts.count:
        raise NotFound("There is no such page.")
    revised = await _revised(scope, [post.id for post in posts.items])
    actions = {post.id: post_actions(scope, thread, post, revised) for post in posts.items}
    view = ThreadView(thread, posts, actions, hints=hints or {})
    return await THREAD_PAGE.complete(scope, view) if extras else view


async def post_position(scope: Scope, thread: Thread, post: Post) -> int:
    """Where the post stands (from 1) in the thread's order, to link to its page."""
    ids = await scope.db.scalars(
        select(Post.id)
        .where(Post.thread_id == thread.id)
        .order_by(*post_order(thread, scope.settings.discussions_by_date))
    )
    return list(ids).index(post.id) + 1


async def reply(
    scope: Scope, thread_id: int, body: str, options: frozenset[str] = frozenset()
) -> Post:
    """Append the actor's post. The thread row's counter hands out the number atomically.

    `options` are what the writer asked of the capabilities (e.g. "wait_on_asker"); the
    forum passes them on to the hooks. The post comes back with its author and thread.
    """
    author = scope.actor
    thread = await get_thread(scope, thread_id)
    await POSTS.before_write(
        scope, PostDraft(author, thread.category, thread, body, options=options)
    )
    require(check_body(body))
    now = utcnow()
    number = await scope.db.scalar(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(post_count=Thread.post_count + 1, last_activity_at=now)
        .returning(Thread.post_count)
    )
    assert number is not None
    post = await _new_post(scope, thread, author, number=number, body=body, now=now)
    scope.db.add(post)
    await scope.db.flush()
    thread.post_count, thread.last_activity_at = number, now
    post.author = author
    set_committed_value(post, "thread", thread)
    written = PostWritten(author, thread.category, thread, post, options=options)
    await POSTS.after_write(scope, written)
    return post


async def get_post(scope: Scope, post_id: int) -> Post:
    """A live post the scope's member may see (published ones for everyone)."""
    post = await scope.db.scalar(
        scope.select(Post).where(Post.id == post_id).options(joinedload(Post.author))
    )
    if (
        post is None
        or post.deleted_at is not None
        or not visible_to(scope, post.author_id, post.visibility)
    ):
        raise NotFound("This post does not exist or was deleted.")
    return post


async def editable_post(scope: Scope, post_id: int) -> tuple[Post, Thread]:
    """The post and its thread, when the actor may edit it."""
    _ = scope.actor  # a guest is asked to log in (401), not refused (403)
    post = await get_post(scope, post_id)
    thread = await get_thread(scope, post.thread_id)
    if not scope.may_act_on(post.author_id, Permission.EDIT_ANY_POST):
        raise Forbidden("You can only edit your own posts.")
    return post, thread


async def edit_post(scope: Scope, post_id: int, *, body: str, title: str | None = None) -> Post:
    """Change a post's text; the opening post may also change the thread's title.

    The hooks hear of it as an edit (`edited`) of the post's author's post, whoever edits.
    """
    post, thread = await editable_post(scope, post_id)
    draft = PostDraft(post.author, thread.category, thread, body, edited=True)
    await POSTS.before_write(scope, draft)
    errors = check_body(body)
    if post.is_opening and title is not None:
        errors |= check_title(title)
    require(errors)
    revision = _keep_revision(scope, thread, post, body)
    retitled = post.is_opening and title is not None and title.strip() != thread.title
    if body != post.body_md or retitled:  # saving the same text again is no edit
        post.edited_at = utcnow()
    mentions = await resolve_mentions(scope, body)
    post.body_md, post.body_html = body, render_markdown(body, scope.tenant.locale, mentions)
    if post.is_opening and title is not None:
        thread.title = normalise_line(title)
        thread.slug = slugify(thread.title)
    await scope.db.flush()
    set_committed_value(post, "thread", thread)
    written = PostWritten(
        post.author, thread.category, thread, post, edited=True, revision=revision
    )
    await POSTS.after_write(scope, written)
    return post


def _keep_revision(scope: Scope, thread: Thread, post: Post, body: str) -> PostRevision | None:
    """An answer that resolves its question keeps the text it had before each change."""
    if not thread.resolved_by(post) or body == post.body_md:
        return None
    revision = PostRevision(
        post_id=post.id, editor_id=scope.actor.id, previous_body_md=post.body_md
    )
    scope.db.add(revision)
    return revision


@dataclass(frozen=True)
class PostHistory:
    """A post as it reads now, and its earlier versions, newest first."""

    thread: Thread
    post: Post
    revisions: list[PostRevision]


async def post_history(scope: Scope, post_id: int) -> PostHistory:
    """The earlier versions of a post, for experts, moderators and admins."""
    scope.require(
        Permission.SEE_REVISIONS, "Only experts and moderators can read a post's history."
    )
    post = await get_post(scope, post_id)
    thread = await get_thread(scope, post.thread_id, with_certifier=True)
    found = await scope.db.scalars(
        scope.select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .options(joinedload(PostRevision.editor))
        .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
    )
    return PostHistory(thread, post, list(found))


async def delete_post(scope: Scope, post_id: int) -> Post:
    """Soft-delete a post. Deleting the opening post deletes the whole thread."""
    _ = scope.actor  # a guest is asked to log in (401), not refused (403)
    post = await get_post(scope, post_id)
    if not scope.may_act_on(post.author_id, Permission.DELETE_ANY_POST):
        raise Forbidden("You can only delete your own posts.")
    now = utcnow()
    post.deleted_at = now
    thread = await get_thread(scope, post.thread_id)
    if post.is_opening:
        thread.deleted_at = now
        await scope.db.execute(
            update(Category)
            .where(Category.id == thread.category_id)
            .values(thread_count=Category.thread_count - 1)
        )
    await scope.db.flush()
    set_committed_value(post, "thread", thread)
    await POSTS.after_remove(scope, PostRemoved(thread, post))
    return post


# ---- views ----------------------------------------------------------------------------------


async def add_thread_views(session: AsyncSession, counts: Mapping[int, int]) -> None:
    """Add buffered view counts, one atomic UPDATE per thread.

    Crosses tenants on purpose: the app's one view counter batches every community's views,
    so the job's session is bound to none and each UPDATE names its thread by primary key.
    """
    for thread_id, views in sorted(counts.items()):
        await session.execute(
            update(Thread)
            .where(Thread.id == thread_id)
            .values(view_count=Thread.view_count + views)
        )
