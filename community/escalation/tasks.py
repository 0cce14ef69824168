"""Background tasks of the escalation outbox (arq workers and the in-process runner)."""

from __future__ import annotations

from typing import Any

from community.escalation.delivery import deliver, redrive
from community.escalation.sweep import sweep_unresolved


async def deliver_escalation(ctx: dict[str, Any], escalation_id: int) -> str | None:
    state = await deliver(
        ctx["sessions"], ctx["jobs"], escalation_id, ctx["delivery"], ctx["outbound"]
    )
    return state.value if state else None


async def sweep_escalations(ctx: dict[str, Any]) -> dict[str, int]:
    """Every minute: fire the time-based rule, and re-drive deliveries whose job was lost."""
    escalated = await sweep_unresolved(ctx["sessions"], ctx["jobs"])
    redriven = await redrive(ctx["sessions"], ctx["jobs"])
    return {"escalated": escalated, "redriven": redriven}
