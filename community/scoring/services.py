"""Reputation: the ledger is the truth; counters and daily roll-ups follow it in the same
transaction. Undoing a cause appends a reversing event, nothing is edited in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from community.db import utcnow
from community.identity.models import Member
from community.scoring.models import VOTE_REASONS, Reason, ReputationDay, ReputationEvent
from community.scoring.rules import ScoringRules
from community.tenancy.models import Tenant

NO_CATEGORY = 0


async def rules_for(session: AsyncSession, tenant_id: int) -> ScoringRules:
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    return ScoringRules.from_preferences(tenant.preferences, tenant.locale)


def day_start(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time(), tzinfo=moment.tzinfo)


@dataclass(frozen=True)
class Cause:
    """What earned the points: who acted, on which post, in which category."""

    actor_id: int | None = None
    post_id: int | None = None
    category_id: int | None = None


async def award(
    session: AsyncSession,
    rules: ScoringRules,
    member: Member,
    reason: Reason,
    cause: Cause,
) -> ReputationEvent:
    """Append an event giving `member` the tenant's points for `reason` (capped for votes)."""
    now = utcnow()
    points = rules.points[reason]
    if reason in VOTE_REASONS and points > 0:
        await _lock_member(session, member.id)  # concurrent votes must see each other's points
        earned = await _vote_points_since(session, member.id, day_start(now))
        points = max(0, min(points, rules.daily_vote_cap - earned))
    event = ReputationEvent(
        tenant_id=member.tenant_id,
        member_id=member.id,
        actor_id=cause.actor_id,
        reason=reason,
        points=points,
        post_id=cause.post_id,
        category_id=cause.category_id,
        created_at=now,
    )
    session.add(event)
    await _apply(session, event)
    return event


async def reverse_live_events(
    session: AsyncSession,
    *,
    post_id: int,
    reasons: Sequence[Reason],
    actor_id: int | None = None,
) -> list[ReputationEvent]:
    """Append a reversal for every event of these reasons on this post not yet reversed."""
    reversal = aliased(ReputationEvent)
    query = (
        select(ReputationEvent)
        .outerjoin(reversal, reversal.reverses_id == ReputationEvent.id)
        .where(
            ReputationEvent.post_id == post_id,
            ReputationEvent.reason.in_(reasons),
            ReputationEvent.reverses_id.is_(None),
            reversal.id.is_(None),
        )
        .order_by(ReputationEvent.id)
    )
    if actor_id is not None:
        query = query.where(ReputationEvent.actor_id == actor_id)
    reversed_events = []
    for original in (await session.scalars(query)).all():
        event = ReputationEvent(
            tenant_id=original.tenant_id,
            member_id=original.member_id,
            actor_id=original.actor_id,
            reason=original.reason,
            points=-original.points,
            post_id=original.post_id,
            category_id=original.category_id,
            reverses_id=original.id,
            created_at=utcnow(),
        )
        session.add(event)
        await _apply(session, event)
        reversed_events.append(event)
    return reversed_events


async def award_first_post_of_day(
    session: AsyncSession, rules: ScoringRules, author: Member, cause: Cause
) -> None:
    await _lock_member(session, author.id)  # two posts at once must not both earn the point
    since = day_start(utcnow())
    already = await session.scalar(
        select(ReputationEvent.id)
        .where(
            ReputationEvent.member_id == author.id,
            ReputationEvent.reason == Reason.FIRST_POST_OF_DAY,
            ReputationEvent.created_at >= since,
        )
        .limit(1)
    )
    if already is None:
        await award(session, rules, author, Reason.FIRST_POST_OF_DAY, cause)


async def _lock_member(session: AsyncSession, member_id: int) -> None:
    """Serialise the member's check-then-award rules. Always taken after post and thread
    locks, so lock order stays post/thread -> member."""
    await session.execute(select(Member.id).where(Member.id == member_id).with_for_update())


async def _vote_points_since(session: AsyncSession, member_id: int, since: datetime) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(ReputationEvent.points), 0)).where(
            ReputationEvent.member_id == member_id,
            ReputationEvent.reason.in_([Reason.ANSWER_UPVOTED, Reason.QUESTION_UPVOTED]),
            ReputationEvent.created_at >= since,
        )
    )
    return int(total or 0)


async def _apply(session: AsyncSession, event: ReputationEvent) -> None:
    """Keep the member's counter and the daily roll-up in step with one new event."""
    await session.flush()
    await session.execute(
        update(Member)
        .where(Member.id == event.member_id)
        .values(reputation=Member.reputation + event.points)
    )
    await _add_to_day(
        session,
        tenant_id=event.tenant_id,
        member_id=event.member_id,
        category_id=event.category_id or NO_CATEGORY,
        day=event.created_at.date(),
        points=event.points,
    )


async def _add_to_day(
    session: AsyncSession,
    *,
    tenant_id: int,
    member_id: int,
    category_id: int,
    day: date,
    points: int,
) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ReputationDay).values(
        tenant_id=tenant_id, member_id=member_id, category_id=category_id, day=day, points=points
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["member_id", "category_id", "day"],
            set_={"points": ReputationDay.points + statement.excluded.points},
        )
    )


# ---- leaderboards ---------------------------------------------------------------------------

PERIOD_DAYS = {"week": 7, "month": 30}


@dataclass(frozen=True)
class Standing:
    member: Member
    points: int


async def leaderboard(
    session: AsyncSession,
    tenant_id: int,
    *,
    period: str = "all",
    category_id: int | None = None,
    limit: int = 20,
) -> list[Standing]:
    """Top members by points earned in the period (rolling days), overall or in a category."""
    if period == "all" and category_id is None:
        members = await session.scalars(
            select(Member)
            .where(Member.tenant_id == tenant_id, Member.reputation > 0)
            .order_by(Member.reputation.desc(), Member.id)
            .limit(limit)
        )
        return [Standing(m, m.reputation) for m in members]
    total = func.sum(ReputationDay.points).label("total")
    query = (
        select(ReputationDay.member_id, total)
        .where(ReputationDay.tenant_id == tenant_id)
        .group_by(ReputationDay.member_id)
        .having(func.sum(ReputationDay.points) > 0)
        .order_by(total.desc(), ReputationDay.member_id)
        .limit(limit)
    )
    if category_id is not None:
        query = query.where(ReputationDay.category_id == category_id)
    if period in PERIOD_DAYS:
        since = utcnow().date() - timedelta(days=PERIOD_DAYS[period] - 1)
        query = query.where(ReputationDay.day >= since)
    rows = (await session.execute(query)).all()
    by_id = {
        m.id: m
        for m in await session.scalars(select(Member).where(Member.id.in_([r[0] for r in rows])))
    }
    return [Standing(by_id[member_id], int(points)) for member_id, points in rows]
