"""Reputation: the ledger is the truth; counters and daily roll-ups follow it in the same
transaction. Undoing a cause appends a reversing event, nothing is edited in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from community.db import utcnow
from community.errors import ValidationFailed
from community.forums import services as forums
from community.forums.models import Category
from community.identity.models import Member
from community.l10n import N_
from community.notify.services import notify
from community.scope import Scope
from community.scoring.models import VOTE_REASONS, Reason, ReputationDay, ReputationEvent

NO_CATEGORY = 0


def day_start(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time(), tzinfo=moment.tzinfo)


@dataclass(frozen=True)
class Cause:
    """What earned the points: who acted, on which post, in which category."""

    actor_id: int | None = None
    post_id: int | None = None
    category_id: int | None = None


async def award(scope: Scope, member_id: int, reason: Reason, cause: Cause) -> ReputationEvent:
    """Append an event giving the member the tenant's points for `reason` (capped for votes).

    `member_id` is the member who earns the points (one of the scope's tenant), not
    necessarily the actor: the actor, if any, is `cause.actor_id`."""
    rules = scope.settings.scoring
    now = utcnow()
    points = rules.points[reason]
    if reason in VOTE_REASONS and points > 0:
        await _lock_member(scope, member_id)  # concurrent votes must see each other's points
        earned = await _vote_points_since(scope, member_id, day_start(now))
        points = max(0, min(points, rules.daily_vote_cap - earned))
    event = ReputationEvent(
        member_id=member_id,
        actor_id=cause.actor_id,
        reason=reason,
        points=points,
        post_id=cause.post_id,
        category_id=cause.category_id,
        created_at=now,
    )
    scope.db.add(event)
    await _apply(scope, event)
    return event


async def reverse_live_events(
    scope: Scope,
    *,
    post_id: int,
    reasons: Sequence[Reason],
    actor_id: int | None = None,
) -> list[ReputationEvent]:
    """Append a reversal for every event of these reasons on this post not yet reversed."""
    reversal = aliased(ReputationEvent)
    query = (
        scope.select(ReputationEvent)
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
    for original in (await scope.db.scalars(query)).all():
        event = ReputationEvent(
            member_id=original.member_id,
            actor_id=original.actor_id,
            reason=original.reason,
            points=-original.points,
            post_id=original.post_id,
            category_id=original.category_id,
            reverses_id=original.id,
            created_at=utcnow(),
        )
        scope.db.add(event)
        await _apply(scope, event)
        reversed_events.append(event)
    return reversed_events


async def award_first_post_of_day(scope: Scope, author_id: int, cause: Cause) -> None:
    """The day's first post earns its author a point, once a day however many they write."""
    await _lock_member(scope, author_id)  # two posts at once must not both earn the point
    since = day_start(utcnow())
    already = await scope.db.scalar(
        select(ReputationEvent.id)
        .where(
            ReputationEvent.member_id == author_id,
            ReputationEvent.reason == Reason.FIRST_POST_OF_DAY,
            ReputationEvent.created_at >= since,
        )
        .limit(1)
    )
    if already is None:
        await award(scope, author_id, Reason.FIRST_POST_OF_DAY, cause)


async def _lock_member(scope: Scope, member_id: int) -> None:
    """Serialise the member's check-then-award rules. Always taken after post and thread
    locks, so lock order stays post/thread -> member."""
    await scope.db.execute(select(Member.id).where(Member.id == member_id).with_for_update())


async def _vote_points_since(scope: Scope, member_id: int, since: datetime) -> int:
    total = await scope.db.scalar(
        select(func.coalesce(func.sum(ReputationEvent.points), 0)).where(
            ReputationEvent.member_id == member_id,
            ReputationEvent.reason.in_([Reason.ANSWER_UPVOTED, Reason.QUESTION_UPVOTED]),
            ReputationEvent.created_at >= since,
        )
    )
    return int(total or 0)


async def _apply(scope: Scope, event: ReputationEvent) -> None:
    """Keep the member's counter and the daily roll-up in step with one new event."""
    await scope.db.flush()
    reputation = await scope.db.scalar(
        update(Member)
        .where(Member.id == event.member_id)
        .values(reputation=Member.reputation + event.points)
        .returning(Member.reputation)
    )
    if reputation is not None and event.points > 0:
        await _tell_new_rank(scope, event.member_id, reputation - event.points, reputation)
    await _add_to_day(
        scope,
        member_id=event.member_id,
        category_id=event.category_id or NO_CATEGORY,
        day=event.created_at.date(),
        points=event.points,
    )


async def _tell_new_rank(scope: Scope, member_id: int, before: int, after: int) -> None:
    rank = scope.settings.scoring.rank
    if rank(after) != rank(before):
        await notify(scope, [member_id], kind="rank_earned", text=rank(after),
                     url=f"/u/{member_id}", event_key=f"rank:{rank(after)}")  # fmt: skip


async def _add_to_day(
    scope: Scope, *, member_id: int, category_id: int, day: date, points: int
) -> None:
    dialect = scope.db.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ReputationDay).values(
        tenant_id=scope.tenant_id,  # a Core INSERT: the flush does not fill it in
        member_id=member_id,
        category_id=category_id,
        day=day,
        points=points,
    )
    await scope.db.execute(
        statement.on_conflict_do_update(
            index_elements=["member_id", "category_id", "day"],
            set_={"points": ReputationDay.points + statement.excluded.points},
        )
    )


# ---- leaderboards ---------------------------------------------------------------------------

PERIOD_DAYS = {"week": 7, "month": 30}
PERIODS = ("week", "month", "all")


@dataclass(frozen=True)
class Standing:
    member: Member
    points: int


async def leaderboard(
    scope: Scope, *, period: str = "all", category_id: int | None = None, limit: int = 20
) -> list[Standing]:
    """Top members by points earned in the period (rolling days), overall or in a category."""
    if period == "all" and category_id is None:
        members = await scope.db.scalars(
            scope.select(Member)
            .where(Member.reputation > 0)
            .order_by(Member.reputation.desc(), Member.id)
            .limit(limit)
        )
        return [Standing(m, m.reputation) for m in members]
    total = func.sum(ReputationDay.points).label("total")
    query = (
        select(ReputationDay.member_id, total)
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
    rows = (await scope.db.execute(query)).all()
    by_id = {
        m.id: m
        for m in await scope.db.scalars(
            scope.select(Member).where(Member.id.in_([r[0] for r in rows]))
        )
    }
    return [Standing(by_id[member_id], int(points)) for member_id, points in rows]


@dataclass(frozen=True)
class Leaderboard:
    """A leaderboard as a page shows it: the choices made, the standings, the categories."""

    period: str
    category: Category | None
    standings: list[Standing]
    categories: list[Category]  # to choose from (empty unless asked for)


async def leaderboard_for(
    scope: Scope, *, period: str, category: str = "", with_categories: bool = False
) -> Leaderboard:
    """The leaderboard of a period ("week", "month" or "all"), overall or in the category
    with this slug (NotFound if there is none)."""
    if period not in PERIODS:
        raise ValidationFailed({"period": N_("The period is week, month or all.")})
    in_category = await forums.get_category(scope, category) if category else None
    standings = await leaderboard(
        scope, period=period, category_id=in_category.id if in_category else None
    )
    choices = await forums.list_categories(scope) if with_categories else []
    return Leaderboard(period, in_category, standings, choices)
