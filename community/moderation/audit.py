"""Writing to the audit log. Entries are only ever added."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from community.db import in_tenant
from community.identity.models import Member
from community.moderation.models import AuditEntry


def record(
    session: AsyncSession,
    actor: Member,
    action: str,
    subject: tuple[str, int],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        tenant_id=actor.tenant_id,
        actor_id=actor.id,
        action=action,
        subject_type=subject[0],
        subject_id=subject[1],
        before=before,
        after=after,
        reason=reason,
    )
    session.add(entry)
    return entry


async def audit_entries(
    session: AsyncSession,
    tenant_id: int,
    *,
    action: str = "",
    actor_id: int | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """The newest entries first, optionally of one action (or action family) or one actor."""
    query = (
        in_tenant(AuditEntry, tenant_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    return list((await session.scalars(query)).all())
