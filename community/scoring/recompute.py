"""Rebuild every denormalised counter from the facts and the ledger.

The ledger and the fact tables (votes, posts, threads) are the truth; this makes
members.reputation, reputation_days, posts.score, threads.post_count and
categories.thread_count agree with them again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Date, case, cast, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from community.forums.models import Category, Post, Thread
from community.identity.models import Member
from community.scoring.models import ReputationDay, ReputationEvent
from community.scoring.services import NO_CATEGORY
from community.votes.models import Vote


async def recompute_counters(session: AsyncSession, tenant_id: int | None = None) -> None:
    def scoped(model: type[Member | Post | Thread | Category]) -> list[ColumnElement[bool]]:
        return [] if tenant_id is None else [model.tenant_id == tenant_id]

    await session.execute(
        update(Member)
        .where(*scoped(Member))
        .values(
            reputation=select(func.coalesce(func.sum(ReputationEvent.points), 0))
            .where(ReputationEvent.member_id == Member.id)
            .scalar_subquery()
        )
    )
    await session.execute(
        update(Post)
        .where(*scoped(Post))
        .values(
            score=select(func.coalesce(func.sum(Vote.value), 0))
            .where(Vote.post_id == Post.id)
            .scalar_subquery()
        )
    )
    await session.execute(
        update(Thread)
        .where(*scoped(Thread))
        .values(
            post_count=select(func.coalesce(func.max(Post.number), 0))
            .where(Post.thread_id == Thread.id)
            .scalar_subquery()
        )
    )
    await session.execute(
        update(Category)
        .where(*scoped(Category))
        .values(
            thread_count=select(func.count())
            .select_from(Thread)
            .where(Thread.category_id == Category.id, Thread.deleted_at.is_(None))
            .scalar_subquery()
        )
    )
    await _rebuild_days(session, tenant_id)


async def _rebuild_days(session: AsyncSession, tenant_id: int | None) -> None:
    day = _utc_day(session)
    category = case(
        (ReputationEvent.category_id.is_(None), NO_CATEGORY), else_=ReputationEvent.category_id
    )
    events = select(
        ReputationEvent.tenant_id,
        ReputationEvent.member_id,
        category,
        day,
        func.sum(ReputationEvent.points),
    ).group_by(ReputationEvent.tenant_id, ReputationEvent.member_id, category, day)
    clear = delete(ReputationDay)
    if tenant_id is not None:
        events = events.where(ReputationEvent.tenant_id == tenant_id)
        clear = clear.where(ReputationDay.tenant_id == tenant_id)
    await session.execute(clear)
    await session.execute(
        insert(ReputationDay).from_select(
            ["tenant_id", "member_id", "category_id", "day", "points"], events
        )
    )


def _utc_day(session: AsyncSession) -> ColumnElement[Any]:
    """The UTC calendar day of an event, as each engine spells it."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", ReputationEvent.created_at), Date)
    return func.date(ReputationEvent.created_at)
