"""The time-based rule: questions unresolved for N business hours escalate.

A question breaches when it has no accepted or certified answer, no reply from staff
(experts, moderators, admins, agents), has never escalated, is not waiting on its asker,
and N business hours of the tenant's calendar (minus the time it waited on the asker)
have passed since it was asked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.db import session_scope, utcnow
from community.escalation.models import Escalation, Rule
from community.escalation.services import escalate
from community.forums.models import Post, Thread, ThreadKind, Visibility
from community.identity.models import Member, Role
from community.jobs import JobQueue
from community.l10n import N_
from community.scope import Scope
from community.tenancy.models import Tenant
from community.tenancy.services import TenantInfo

CANDIDATES_PER_SWEEP = 500
STAFF = (Role.EXPERT, Role.MODERATOR, Role.ADMIN, Role.AGENT)


def staff_replied() -> object:
    return exists().where(
        Post.thread_id == Thread.id,
        Post.number > 1,
        Post.deleted_at.is_(None),
        Post.author_id == Member.id,
        Member.role.in_(STAFF),
    )


def ever_escalated() -> object:
    return exists().where(Escalation.thread_id == Thread.id)


async def sweep_unresolved(
    sessions: async_sessionmaker[AsyncSession], jobs: JobQueue, now: datetime | None = None
) -> int:
    """Escalate every breaching question of every tenant; returns how many escalated."""
    now = now or utcnow()
    async with session_scope(sessions) as session:  # unbound: every tenant is swept
        tenants = list((await session.scalars(select(Tenant))).all())
    escalated = 0
    for tenant in tenants:
        info = TenantInfo.of(tenant)
        if info.settings.escalation.unresolved_enabled:
            async with session_scope(sessions, jobs) as session:  # one tenant's unit of work
                escalated += await _sweep_tenant(Scope(session, info), tenant.created_at, now)
    return escalated


async def _sweep_tenant(scope: Scope, tenant_created_at: datetime, now: datetime) -> int:
    rules = scope.settings.escalation
    since = datetime.fromisoformat(rules.unresolved_since) if rules.unresolved_since else None
    since = since or tenant_created_at
    calendar = rules.business_calendar
    # Business time never runs faster than the wall clock: a cheap lower bound for the query.
    asked_before = now - timedelta(hours=rules.unresolved_hours)
    candidates = await scope.db.scalars(
        select(Thread)
        .where(Thread.kind == ThreadKind.QUESTION)
        .where(Thread.deleted_at.is_(None), Thread.visibility == Visibility.PUBLISHED)
        .where(Thread.accepted_post_id.is_(None), Thread.certified_post_id.is_(None))
        .where(Thread.awaiting_asker_since.is_(None))
        .where(Thread.created_at >= since, Thread.created_at <= asked_before)
        .where(~staff_replied(), ~ever_escalated())  # type: ignore[operator]
        .order_by(Thread.created_at)
        .limit(CANDIDATES_PER_SWEEP)
    )
    escalated = 0
    for thread in candidates.all():
        budget = rules.unresolved_hours * 3600 + thread.paused_business_seconds
        due = calendar.add_business_seconds(thread.created_at, budget)
        if due is not None and due <= now:
            detail = N_("No accepted, certified or staff answer after %(hours)s business hours")
            await escalate(scope, thread, Rule.UNRESOLVED,
                           detail=detail % {"hours": rules.unresolved_hours})  # fmt: skip
            escalated += 1
    return escalated
