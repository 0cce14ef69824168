"""What moderators and agents see of escalations: lists by state, one with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.db import utcnow
from community.errors import NotFound
from community.escalation.models import Escalation, EscalationEvent, EscalationState
from community.escalation.rules import EscalationRules
from community.escalation.services import priority_label
from community.forums.models import Thread
from community.identity.permissions import Permission
from community.scope import Scope

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


def require_viewer(scope: Scope) -> None:
    scope.require(Permission.SEE_ESCALATIONS, "Only moderators and agents can see escalations.")


def view_of(escalation: Escalation, rules: EscalationRules, now: datetime) -> EscalationView:
    end = escalation.resolved_at or now
    seconds = rules.business_calendar.business_seconds(escalation.created_at, end)
    return EscalationView(
        escalation, priority_label(escalation.priority), round(seconds / 3600, 1),
        rules.case_sla_hours,
    )  # fmt: skip


async def list_escalations(scope: Scope, state: str = "open") -> list[EscalationView]:
    """Open ones most urgent first; failed and resolved ones newest first."""
    require_viewer(scope)
    states = FILTERS.get(state, FILTERS["open"])
    order = (
        [Escalation.priority.desc(), Escalation.created_at]
        if state not in ("failed", "resolved")
        else [Escalation.updated_at.desc()]
    )
    result = await scope.db.scalars(
        select(Escalation)
        .where(Escalation.state.in_(states))
        .options(joinedload(Escalation.thread).joinedload(Thread.author))
        .options(joinedload(Escalation.target))
        .order_by(*order)
        .limit(LIST_LIMIT)
    )
    rules, now = scope.settings.escalation, utcnow()
    return [view_of(e, rules, now) for e in result.all()]


async def escalation_detail(
    scope: Scope, escalation_id: int
) -> tuple[EscalationView, list[EscalationEvent]]:
    require_viewer(scope)
    escalation = await scope.db.scalar(
        select(Escalation)
        .where(Escalation.id == escalation_id)
        .options(joinedload(Escalation.thread).joinedload(Thread.author))
        .options(joinedload(Escalation.target))
    )
    if escalation is None:
        raise NotFound("No such escalation.")
    events = await scope.db.scalars(
        select(EscalationEvent)
        .where(EscalationEvent.escalation_id == escalation.id)
        .order_by(EscalationEvent.id)
    )
    return view_of(escalation, scope.settings.escalation, utcnow()), list(events.all())


async def latest_for_thread(scope: Scope, thread_id: int) -> Escalation | None:
    """The thread's latest escalation, for those who may see escalations."""
    if not scope.can(Permission.SEE_ESCALATIONS):
        return None
    return await scope.db.scalar(
        select(Escalation)
        .where(Escalation.thread_id == thread_id)
        .order_by(Escalation.id.desc())
        .limit(1)
    )


async def state_counts(scope: Scope) -> dict[str, int]:
    """How many of the tenant's escalations are in each state (for those who may see them)."""
    require_viewer(scope)
    rows = await scope.db.execute(select(Escalation.state, func.count()).group_by(Escalation.state))
    counts = {state.value: 0 for state in EscalationState}
    counts.update({state.value: n for state, n in rows.all()})
    return counts
