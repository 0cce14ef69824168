"""What moderators and agents see of escalations: lists by state, one with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from community.db import in_tenant, utcnow
from community.errors import Forbidden, NotFound
from community.escalation.models import Escalation, EscalationEvent, EscalationState
from community.escalation.rules import EscalationRules
from community.escalation.services import priority_label, rules_for
from community.forums.models import Thread
from community.identity.models import Member
from community.identity.permissions import Permission, has_permission

LIST_LIMIT = 200
FILTERS: dict[str, tuple[EscalationState, ...]] = {
    "open": (EscalationState.PENDING, EscalationState.SENT, EscalationState.ACKNOWLEDGED),
    "failed": (EscalationState.FAILED,),
    "resolved": (EscalationState.RESOLVED,),
}


@dataclass(frozen=True)
class EscalationView:
    escalation: Escalation
    priority_label: str
    business_hours: float  # open time elapsed since it escalated (until resolved)
    sla_hours: int

    @property
    def overdue(self) -> bool:
        return self.escalation.is_open and self.business_hours > self.sla_hours


def require_viewer(member: Member) -> None:
    if not has_permission(member, Permission.SEE_ESCALATIONS):
        raise Forbidden("Only moderators and agents can see escalations.")


def view_of(escalation: Escalation, rules: EscalationRules, now: datetime) -> EscalationView:
    end = escalation.resolved_at or now
    seconds = rules.business_calendar.business_seconds(escalation.created_at, end)
    return EscalationView(
        escalation, priority_label(escalation.priority), round(seconds / 3600, 1),
        rules.case_sla_hours,
    )  # fmt: skip


async def list_escalations(
    session: AsyncSession, tenant_id: int, viewer: Member, state: str = "open"
) -> list[EscalationView]:
    """Open ones most urgent first; failed and resolved ones newest first."""
    require_viewer(viewer)
    states = FILTERS.get(state, FILTERS["open"])
    order = (
        [Escalation.priority.desc(), Escalation.created_at]
        if state not in ("failed", "resolved")
        else [Escalation.updated_at.desc()]
    )
    result = await session.scalars(
        in_tenant(Escalation, tenant_id)
        .where(Escalation.state.in_(states))
        .options(joinedload(Escalation.thread).joinedload(Thread.author))
        .options(joinedload(Escalation.target))
        .order_by(*order)
        .limit(LIST_LIMIT)
    )
    rules, now = await rules_for(session, tenant_id), utcnow()
    return [view_of(e, rules, now) for e in result.all()]


async def escalation_detail(
    session: AsyncSession, tenant_id: int, viewer: Member, escalation_id: int
) -> tuple[EscalationView, list[EscalationEvent]]:
    require_viewer(viewer)
    escalation = await session.scalar(
        in_tenant(Escalation, tenant_id)
        .where(Escalation.id == escalation_id)
        .options(joinedload(Escalation.thread).joinedload(Thread.author))
        .options(joinedload(Escalation.target))
    )
    if escalation is None:
        raise NotFound("No such escalation.")
    events = await session.scalars(
        select(EscalationEvent)
        .where(EscalationEvent.escalation_id == escalation.id)
        .order_by(EscalationEvent.id)
    )
    rules = await rules_for(session, tenant_id)
    return view_of(escalation, rules, utcnow()), list(events.all())


async def latest_for_thread(
    session: AsyncSession, thread_id: int, viewer: Member | None
) -> Escalation | None:
    """The thread's latest escalation, for those who may see escalations."""
    if not has_permission(viewer, Permission.SEE_ESCALATIONS):
        return None
    return await session.scalar(
        select(Escalation)
        .where(Escalation.thread_id == thread_id)
        .order_by(Escalation.id.desc())
        .limit(1)
    )


async def state_counts(session: AsyncSession, tenant_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Escalation.state, func.count())
        .where(Escalation.tenant_id == tenant_id)
        .group_by(Escalation.state)
    )
    counts = {state.value: 0 for state in EscalationState}
    counts.update({state.value: n for state, n in rows.all()})
    return counts
