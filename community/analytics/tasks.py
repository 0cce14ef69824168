"""The dashboard's roll-up job (arq cron every few minutes; the web process's sweeper
without Redis)."""

from __future__ import annotations

from typing import Any

from community.analytics.rollup import refresh_all


async def rollup_dashboard(ctx: dict[str, Any]) -> int:
    """Re-roll every tenant's days whose facts changed since the last run."""
    return await refresh_all(ctx["sessions"], ctx["jobs"])
