"""The escalation outboxes /metrics reports: cases waiting to be delivered, delivered and
waiting for the contact centre's case, and failed (waiting for a moderator's retry)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from community.escalation.models import Escalation, EscalationState
from community.metrics import Backlog, register_outbox, rows_waiting


async def pending(session: AsyncSession) -> Backlog:
    return await rows_waiting(
        session, Escalation.created_at, Escalation.state == EscalationState.PENDING
    )


async def sent(session: AsyncSession) -> Backlog:
    return await rows_waiting(session, Escalation.sent_at, Escalation.state == EscalationState.SENT)


async def failed(session: AsyncSession) -> Backlog:
    return await rows_waiting(
        session, Escalation.updated_at, Escalation.state == EscalationState.FAILED
    )


def register() -> None:
    register_outbox("escalations_pending", pending)
    register_outbox("escalations_sent", sent)
    register_outbox("escalations_failed", failed)
