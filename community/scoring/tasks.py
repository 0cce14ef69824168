"""Background tasks of scoring."""

from __future__ import annotations

from typing import Any

from community.db import session_scope
from community.scope import Scope
from community.scoring.badges import check_badges as award_badges


async def check_badges(ctx: dict[str, Any], tenant_id: int, member_ids: list[int]) -> None:
    for member_id in sorted(set(member_ids)):
        async with session_scope(ctx["sessions"], ctx["jobs"]) as session:
            await award_badges(await Scope.load(session, tenant_id), member_id)
