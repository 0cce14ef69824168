"""What happened lately: new questions and discussions, answers, certified answers, idea
decisions, newest first. Each source is read up to the page's end and the lists merged:
cheap for the first pages, which are the ones people read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select

from community.forums.models import Post, Thread, Visibility
from community.ideas.models import Idea, IdeaStatusChange
from community.identity.models import Member
from community.scope import Scope
from community.tags.models import ThreadTag

PAGE_SIZE = 20
MAX_PAGE = 50


@dataclass(frozen=True)
class Activity:
    kind: str  # thread, answer, certified, idea_status
    at: datetime
    title: str
    url: str
    member_id: int | None
    detail: str = ""  # an idea's new status


def _live() -> tuple[ColumnElement[bool], ...]:
    return (Thread.deleted_at.is_(None), Thread.visibility == Visibility.PUBLISHED)


def _url(thread: Thread, post_number: int | None = None) -> str:
    anchor = f"#post-{post_number}" if post_number else ""
    return f"/t/{thread.id}/{thread.slug}{anchor}"


async def _threads(scope: Scope, member_id: int | None, limit: int) -> list[Activity]:
    query = select(Thread).where(*_live()).order_by(Thread.created_at.desc()).limit(limit)
    if member_id is not None:
        query = query.where(Thread.author_id == member_id)
    rows = (await scope.db.scalars(query)).all()
    return [Activity("thread", t.created_at, t.title, _url(t), t.author_id) for t in rows]


async def _answers(scope: Scope, member_id: int | None, limit: int) -> list[Activity]:
    query = (
        (select(Post, Thread).join(Thread, Post.thread_id == Thread.id))
        .where(*_live())
        .where(Post.number > 1, Post.deleted_at.is_(None))
        .where(Post.visibility == Visibility.PUBLISHED)
        .order_by(Post.created_at.desc())
        .limit(limit)
    )
    if member_id is not None:
        query = query.where(Post.author_id == member_id)
    rows = (await scope.db.execute(query)).all()
    return [
        Activity("answer", p.created_at, t.title, _url(t, p.number), p.author_id) for p, t in rows
    ]


async def _certified(scope: Scope, member_id: int | None, limit: int) -> list[Activity]:
    query = (
        (select(Thread, Post).join(Post, Post.id == Thread.certified_post_id))
        .where(*_live())
        .where(Thread.certified_at.is_not(None))
        .order_by(Thread.certified_at.desc())
        .limit(limit)
    )
    if member_id is not None:
        query = query.where(Post.author_id == member_id)
    rows = (await scope.db.execute(query)).all()
    return [
        Activity("certified", t.certified_at, t.title, _url(t, p.number), p.author_id)
        for t, p in rows
        if t.certified_at is not None
    ]


async def _decisions(scope: Scope, member_id: int | None, limit: int) -> list[Activity]:
    query = (
        select(IdeaStatusChange, Thread)
        .join(Idea, Idea.id == IdeaStatusChange.idea_id)
        .join(Thread, Thread.id == Idea.thread_id)
    ).where(*_live())
    if member_id is not None:
        query = query.where(Thread.author_id == member_id)  # decisions on the member's ideas
    query = query.order_by(IdeaStatusChange.created_at.desc()).limit(limit)
    rows = (await scope.db.execute(query)).all()
    return [
        Activity(
            "idea_status", c.created_at, t.title, f"/ideas/{c.idea_id}", c.actor_id, c.to_status
        )
        for c, t in rows
    ]


async def activity(
    scope: Scope, *, member_id: int | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[Activity], bool]:
    """One page of the community's (or one member's) activity, and whether there is more."""
    page = max(1, min(page, MAX_PAGE))
    reach = page * page_size + 1
    merged: list[Activity] = []
    for source in (_threads, _answers, _certified, _decisions):
        merged += await source(scope, member_id, reach)
    merged.sort(key=lambda a: a.at, reverse=True)
    start = (page - 1) * page_size
    return merged[start : start + page_size], len(merged) > start + page_size


async def members_by_id(scope: Scope, ids: set[int | None]) -> dict[int, Member]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await scope.db.scalars(select(Member).where(Member.id.in_(wanted)))
    return {m.id: m for m in rows.all()}


async def latest_threads(
    scope: Scope, *, category_id: int | None = None, tag_id: int | None = None, limit: int = 30
) -> list[tuple[Thread, Post]]:
    """A feed's entries: the newest live threads of a category or tag, with their question."""
    query = (
        (select(Thread, Post).join(Post, (Post.thread_id == Thread.id) & (Post.number == 1)))
        .where(*_live())
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    if category_id is not None:
        query = query.where(Thread.category_id == category_id)
    if tag_id is not None:
        query = query.where(
            Thread.id.in_(select(ThreadTag.thread_id).where(ThreadTag.tag_id == tag_id))
        )
    return [(t, p) for t, p in (await scope.db.execute(query)).all()]
