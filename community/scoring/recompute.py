"""Rebuild every denormalised counter from the facts and the ledger.

The ledger and the fact tables (votes, posts, threads) are the truth; this makes
members.reputation, reputation_days, posts.score, threads.post_count and
categories.thread_count agree with them again, one tenant at a time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Date, case, cast, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.db import session_scope
from community.errors import NotFound
from community.forums.models import Category, Post, Thread
from community.identity.models import Member
from community.scope import Scope
from community.scoring.models import ReputationDay, ReputationEvent
from community.scoring.services import NO_CATEGORY
from community.tags.services import recompute_tag_counts
from community.tenancy.models import Tenant
from community.votes.models import Vote


async def recompute_counters(scope: Scope) -> None:
    """Rebuild the scope's tenant's counters (its session scopes every statement below)."""
    db = scope.db
    await db.execute(
        update(Member).values(
            reputation=select(func.coalesce(func.sum(ReputationEvent.points), 0))
            .where(ReputationEvent.member_id == Member.id)
            .scalar_subquery()
        )
    )
    await db.execute(
        update(Post).values(
            score=select(func.coalesce(func.sum(Vote.value), 0))
            .where(Vote.post_id == Post.id)
            .scalar_subquery()
        )
    )
    await db.execute(
        update(Thread).values(
            post_count=select(func.coalesce(func.max(Post.number), 0))
            .where(Post.thread_id == Thread.id)
            .scalar_subquery()
        )
    )
    await db.execute(
        update(Category).values(
            thread_count=select(func.count())
            .select_from(Thread)
            .where(Thread.category_id == Category.id, Thread.deleted_at.is_(None))
            .scalar_subquery()
        )
    )
    await recompute_tag_counts(scope)
    await _rebuild_days(scope)


async def recompute_tenants(sessions: async_sessionmaker[AsyncSession], slug: str = "") -> int:
    """Recompute one tenant (by slug) or every tenant, each in a unit of work of its own (a
    session serves one tenant); returns how many tenants were recomputed."""
    async with sessions() as session:  # unbound: tenants are not tenant-owned rows
        query = select(Tenant.id).order_by(Tenant.id)
        if slug:
            query = query.where(Tenant.slug == slug)
        tenant_ids = list(await session.scalars(query))
    if slug and not tenant_ids:
        raise NotFound(f"no tenant with slug {slug!r}")
    for tenant_id in tenant_ids:
        async with session_scope(sessions) as session:
            await recompute_counters(await Scope.load(session, tenant_id))
    return len(tenant_ids)


async def _rebuild_days(scope: Scope) -> None:
    day = _utc_day(scope.db)
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
    await scope.db.execute(delete(ReputationDay))
    await scope.db.execute(
        insert(ReputationDay).from_select(
            ["tenant_id", "member_id", "category_id", "day", "points"], events
        )
    )


def _utc_day(session: AsyncSession) -> ColumnElement[Any]:
    """The UTC calendar day of an event, as each engine spells it."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", ReputationEvent.created_at), Date)
    return func.date(ReputationEvent.created_at)
