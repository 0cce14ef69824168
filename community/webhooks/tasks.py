"""Background tasks of the webhook outbox (arq workers and the in-process runner)."""

from __future__ import annotations

from typing import Any

from community.webhooks.delivery import deliver, redrive


async def deliver_webhook(ctx: dict[str, Any], delivery_id: int) -> str | None:
    state = await deliver(
        ctx["sessions"], ctx["jobs"], delivery_id, ctx["delivery"], ctx["outbound"],
        ctx.get("secret_key", ""),
    )  # fmt: skip
    return state.value if state else None


async def sweep_webhooks(ctx: dict[str, Any]) -> dict[str, int]:
    """Every minute: send again what is due and has no job (lost jobs, expired leases)."""
    return {"redriven": await redrive(ctx["sessions"], ctx["jobs"])}
