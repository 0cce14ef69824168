"""Background tasks of ideas."""

from __future__ import annotations

from typing import Any

from community.db import session_scope
from community.ideas.services import notify_status_change
from community.scope import Scope


async def notify_idea_status(
    ctx: dict[str, Any], tenant_id: int, change_id: int, also_tell: list[int] | None = None
) -> None:
    async with session_scope(ctx["sessions"], ctx["jobs"]) as session:
        await notify_status_change(await Scope.load(session, tenant_id), change_id, also_tell)
