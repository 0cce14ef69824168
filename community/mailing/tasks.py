"""Background tasks of notification mail (arq workers and the in-process runner)."""

from __future__ import annotations

from typing import Any

from community.mailing.digests import queue_digests
from community.mailing.outbox import deliver, redrive


async def deliver_notification_mail(ctx: dict[str, Any], mail_id: int) -> str | None:
    state = await deliver(ctx["sessions"], ctx["jobs"], mail_id, ctx["delivery"])
    return state.value if state else None


async def sweep_mail(ctx: dict[str, Any]) -> dict[str, int]:
    """Every minute: queue the digests that are due, and re-drive mail whose job was lost."""
    digests = await queue_digests(ctx["sessions"], ctx["jobs"])
    redriven = await redrive(ctx["sessions"], ctx["jobs"])
    return {"digests": digests, "redriven": redriven}
