"""Writing to the audit log, and reading it. Entries are only ever added."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from community.identity.api_key_models import ApiKey
from community.identity.models import Member
from community.identity.permissions import Permission
from community.l10n import N_
from community.moderation.models import AuditEntry
from community.scope import Scope

AUDIT_READERS = N_("Only admins can read the audit log.")


def record(
    scope: Scope,
    action: str,
    subject: tuple[str, int],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Log what the scope's actor did (`scope.acting_as(someone)` to log it as someone else;
    a scope without a member is the operator at the command line, logged with no actor;
    a request made with an API key is logged with the key)."""
    entry = AuditEntry(
        actor_id=scope.member.id if scope.member else None,
        api_key_id=scope.key.id if scope.key else None,
        action=action,
        subject_type=subject[0],
        subject_id=subject[1],
        before=before,
        after=after,
        reason=reason,
    )
    scope.db.add(entry)
    return entry


async def audit_entries(
    scope: Scope, *, action: str = "", actor_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    """The newest entries first, optionally of one action (or action family) or one actor."""
    scope.require(Permission.READ_AUDIT_LOG, AUDIT_READERS)
    query = (
        scope.select(AuditEntry)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    return list((await scope.db.scalars(query)).all())


@dataclass(frozen=True)
class AuditLog:
    """The audit page: the entries, the names of who did them, and the filters applied."""

    entries: list[AuditEntry]
    names: dict[int, str]
    action: str
    actor_id: int | None
    keys: dict[int, str]  # the API keys entries were made with: "CRM (pvk_1a2b3c4d5e6f)"


async def audit_log(scope: Scope, *, action: str = "", actor_id: int | None = None) -> AuditLog:
    entries = await audit_entries(scope, action=action, actor_id=actor_id)
    # Whoever ever acted, for the filter (not every member of a large community).
    rows = await scope.db.execute(
        select(Member.id, Member.display_name)
        .where(Member.id.in_(select(AuditEntry.actor_id)))
        .order_by(Member.display_name)
    )
    names = {member_id: name for member_id, name in rows}
    return AuditLog(entries, names, action, actor_id, await _key_names(scope, entries))


async def _key_names(scope: Scope, entries: list[AuditEntry]) -> dict[int, str]:
    ids = {e.api_key_id for e in entries if e.api_key_id is not None}
    if not ids:
        return {}
    rows = await scope.db.execute(
        select(ApiKey.id, ApiKey.name, ApiKey.prefix).where(ApiKey.id.in_(ids))
    )
    return {key_id: f"{name} (pvk_{prefix})" for key_id, name, prefix in rows}
