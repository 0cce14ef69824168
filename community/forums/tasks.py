"""Background tasks of the forum (run by arq workers or the in-process runner)."""

from __future__ import annotations

from typing import Any

from community.db import session_scope
from community.forums.services import add_thread_views


async def flush_thread_views(ctx: dict[str, Any], counts: dict[int, int]) -> None:
    async with session_scope(ctx["sessions"], ctx["jobs"]) as session:
        await add_thread_views(session, {int(k): int(v) for k, v in counts.items()})
