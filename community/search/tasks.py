"""Background tasks of search: drain a tenant's index queue, sweep for lost drains."""

from __future__ import annotations

from typing import Any

from community.search.port import SearchEngine
from community.search.queue import drain, sweep
from community.search.service import engine_of_sessions


def _engine(ctx: dict[str, Any]) -> SearchEngine:
    engine: SearchEngine = ctx.get("search") or engine_of_sessions(ctx["sessions"])
    return engine


async def search_index(ctx: dict[str, Any], tenant_id: int) -> int:
    return await drain(ctx["sessions"], _engine(ctx), tenant_id)


async def sweep_search(ctx: dict[str, Any]) -> int:
    """Every minute: drain the queues whose job was lost."""
    return await sweep(ctx["sessions"], ctx["jobs"])
