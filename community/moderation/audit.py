"""Writing to the audit log. Entries are only ever added."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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
