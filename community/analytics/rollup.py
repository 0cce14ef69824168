"""Keeping the dashboard's daily roll-ups: re-roll the days whose facts changed, or all.

A day is rolled up by reading its facts again (`facts.collect`) and replacing its rows, so a
re-roll is always what a recompute would write. The job (`refresh`, every few minutes)
re-rolls today and yesterday (the deflection window and open cases' SLA clocks move with
time) and every day touched since its last run: the days of each thread that changed (a
reply, an accept or certify, an edit, a moderation decision, an escalation or idea update,
anything the audit log records) — that thread's own day and the days of its posts,
escalations, flags, held posts and deflection events. `recompute` rebuilds everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import Select, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from community.analytics.facts import OPEN_CASE, Facts, Span, collect, day_of
from community.analytics.models import DashboardCount, DashboardDuration, DashboardRollupState
from community.db import insert_missing, session_scope, utcnow
from community.deflection.models import DeflectionEvent
from community.escalation.models import Escalation
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.moderation.models import AuditEntry, Flag, QueueItem
from community.scope import Scope
from community.tenancy.models import Tenant
from community.tenancy.services import TenantInfo

# Facts committed while a run reads may carry a time just before it: look back this far.
OVERLAP = timedelta(minutes=10)
SPAN_DAYS = 31  # a recompute reads this many days at a time
CHUNK = 500


async def roll_up(scope: Scope, days: Iterable[date], now: datetime) -> int:
    """Replace the rows of these days with what their facts say now; returns how many days."""
    ordered = sorted(set(days))
    for span in _spans(ordered):
        await _store(scope, span, await collect(scope, span, now))
    return len(ordered)


def _spans(days: list[date]) -> list[Span]:
    """Runs of consecutive days, at most SPAN_DAYS long."""
    spans: list[Span] = []
    for day in days:
        last = spans[-1] if spans else None
        if last and day == last.last + timedelta(days=1) and (day - last.first).days < SPAN_DAYS:
            spans[-1] = Span(last.first, day)
        else:
            spans.append(Span(day, day))
    return spans


async def _store(scope: Scope, span: Span, facts: Facts) -> None:
    tenant = scope.tenant_id
    for model in (DashboardCount, DashboardDuration):
        await scope.db.execute(delete(model).where(model.day >= span.first, model.day <= span.last))
    counts = [
        {"tenant_id": tenant, "day": day, "category_id": category, "name": name, "key": key,
         "value": value}
        for (day, category, name, key), value in facts.counts.items()
        if value or name == "sentiment_milli"
    ]  # fmt: skip
    waits = [
        {"tenant_id": tenant, "day": w.day, "category_id": w.category_id, "name": w.name,
         "subject_id": w.subject_id, "calendar_seconds": w.calendar_seconds,
         "business_seconds": w.business_seconds}
        for w in facts.waits
    ]  # fmt: skip
    for rows, model in ((counts, DashboardCount), (waits, DashboardDuration)):
        for i in range(0, len(rows), CHUNK):
            await scope.db.execute(insert(model), rows[i : i + CHUNK])


async def recompute(scope: Scope, now: datetime | None = None) -> int:
    """Rebuild every roll-up of the tenant from the facts; returns the days rolled up."""
    now = now or utcnow()
    state = await _state(scope)
    for model in (DashboardCount, DashboardDuration):
        await scope.db.execute(delete(model))
    first = await scope.db.scalar(select(func.min(Thread.created_at)))
    days = _every_day(day_of(first), day_of(now)) if first else []
    rolled = await roll_up(scope, days, now)
    state.rolled_at = now
    return rolled


def _every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def refresh(scope: Scope, now: datetime | None = None) -> int:
    """Bring the tenant's roll-ups up to date (the job); returns the days rolled up. A
    tenant never rolled up is recomputed."""
    now = now or utcnow()
    state = await _state(scope)
    if state.rolled_at is None:
        return await recompute(scope, now)
    today = day_of(now)
    days = {today, today - timedelta(days=1)} | await touched_days(scope, state.rolled_at - OVERLAP)
    rolled = await roll_up(scope, {d for d in days if d <= today}, now)
    state.rolled_at = now
    return rolled


async def _state(scope: Scope) -> DashboardRollupState:
    """The tenant's state row, locked: one roll-up of a tenant at a time. `rolled_at` is
    None when the tenant was never rolled up."""
    await insert_missing(scope.db, DashboardRollupState,
                         [{"tenant_id": scope.tenant_id, "rolled_at": None}])  # fmt: skip
    state = await scope.db.scalar(select(DashboardRollupState).with_for_update())
    assert state is not None
    return state


async def touched_days(scope: Scope, since: datetime) -> set[date]:
    """The days holding a fact of a thread that changed since `since`."""
    threads = await touched_threads(scope, since)
    days: set[date] = set()
    for chunk in (threads[i : i + CHUNK] for i in range(0, len(threads), CHUNK)):
        for column, where in (
            (Thread.created_at, Thread.id.in_(chunk)),
            (Post.created_at, Post.thread_id.in_(chunk)),
            (Escalation.created_at, Escalation.thread_id.in_(chunk)),
            (DeflectionEvent.created_at, DeflectionEvent.thread_id.in_(chunk)),
        ):
            days |= {day_of(at) for at in await scope.db.scalars(select(column).where(where))}
        for model in (Flag, QueueItem):
            query = select(model.created_at).join(Post, Post.id == model.post_id)
            found = await scope.db.scalars(query.where(Post.thread_id.in_(chunk)))
            days |= {day_of(at) for at in found}
    return days


async def touched_threads(scope: Scope, since: datetime) -> list[int]:
    """Threads with a change since `since`, and those whose open case's SLA clock runs."""
    found: set[int] = set()
    queries = [
        select(Thread.id).where(or_(
            Thread.last_activity_at >= since, Thread.accepted_at >= since,
            Thread.certified_at >= since, Thread.deleted_at >= since,
        )),
        select(Post.thread_id).where(or_(Post.edited_at >= since, Post.deleted_at >= since)),
        select(Escalation.thread_id).where(
            or_(Escalation.updated_at >= since, Escalation.state.in_(OPEN_CASE))
        ),
        select(Idea.thread_id).where(Idea.status_changed_at >= since),
        select(DeflectionEvent.thread_id).where(DeflectionEvent.created_at >= since),
        select(Post.thread_id).join(QueueItem, QueueItem.post_id == Post.id).where(
            or_(QueueItem.created_at >= since, QueueItem.decided_at >= since)
        ),
        select(Post.thread_id).join(Flag, Flag.post_id == Post.id).where(Flag.created_at >= since),
        _audited(since, "thread", AuditEntry.subject_id),
        _audited(since, "post", Post.thread_id).where(Post.id == AuditEntry.subject_id),
    ]  # fmt: skip
    for query in queries:
        found |= set(await scope.db.scalars(query))
    return sorted(found)


def _audited(since: datetime, subject: str, column: InstrumentedAttribute[int]) -> Select[int]:
    return select(column).where(AuditEntry.subject_type == subject, AuditEntry.created_at >= since)


async def refresh_all(sessions: async_sessionmaker[AsyncSession], jobs: object = None) -> int:
    """The job over every tenant, each in its own unit of work; returns the days rolled up."""
    async with session_scope(sessions) as session:  # unbound: every tenant
        tenants = list((await session.scalars(select(Tenant))).all())
    rolled = 0
    for tenant in tenants:
        async with session_scope(sessions, jobs) as session:
            rolled += await refresh(Scope(session, TenantInfo.of(tenant)))
    return rolled


async def recompute_tenants(sessions: async_sessionmaker[AsyncSession], slug: str = "") -> int:
    """`parvis dashboard recompute`: one tenant by slug, or every tenant."""
    async with session_scope(sessions) as session:
        query = select(Tenant)
        tenants = list(
            (await session.scalars(query.where(Tenant.slug == slug) if slug else query)).all()
        )
    if slug and not tenants:
        from community.errors import NotFound

        raise NotFound(f"No tenant has the slug {slug!r}.")
    rolled = 0
    for tenant in tenants:
        async with session_scope(sessions) as session:
            rolled += await recompute(Scope(session, TenantInfo.of(tenant)))
    return rolled
