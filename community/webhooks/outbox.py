"""Writing deliveries: one row per subscription that picked the event, in the event's
transaction, each handed to a `deliver_webhook` job once that transaction commits."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from community.db import utcnow
from community.jobs import enqueue_after_commit
from community.scope import Scope
from community.webhooks.catalogue import envelope
from community.webhooks.models import WebhookDelivery, WebhookSubscription

DELIVER = "deliver_webhook"


def new_message_id() -> str:
    """The `webhook-id` of a delivery: the same on each of its attempts."""
    return "msg_" + uuid.uuid4().hex


async def listeners(scope: Scope, event_type: str) -> list[WebhookSubscription]:
    """The tenant's subscriptions, paused or not, that picked `event_type` (a handful per
    tenant: filtered here rather than with each engine's JSON operators)."""
    rows = await scope.db.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))
    return [row for row in rows.all() if event_type in row.events]


async def record_event(
    scope: Scope, event_type: str, build: Callable[[], Awaitable[dict[str, Any]]]
) -> int:
    """Queue the event for every subscription that picked it and is not paused (a paused
    subscription hears nothing meanwhile); how many deliveries were written. `build` makes
    the event's data, only when someone listens."""
    subscriptions = [s for s in await listeners(scope, event_type) if not s.paused]
    if subscriptions:
        payload = envelope(event_type, await build(), utcnow())
        await queue_deliveries(scope, subscriptions, event_type, payload)
    return len(subscriptions)


async def queue_deliveries(
    scope: Scope,
    subscriptions: list[WebhookSubscription],
    event_type: str,
    payload: dict[str, Any],
) -> list[WebhookDelivery]:
    deliveries = [_delivery(row.id, event_type, payload) for row in subscriptions]
    scope.db.add_all(deliveries)
    await scope.db.flush()
    for delivery in deliveries:
        enqueue_after_commit(scope.db, DELIVER, delivery_id=delivery.id)
    return deliveries


def _delivery(subscription_id: int, event_type: str, payload: dict[str, Any]) -> WebhookDelivery:
    now = utcnow()
    return WebhookDelivery(
        subscription_id=subscription_id, message_id=new_message_id(), event_type=event_type,
        payload=payload, next_attempt_at=now, created_at=now, updated_at=now,
    )  # fmt: skip
