"""Delivering webhooks: claim a row, send it outside any transaction, record the outcome.

The shape of the escalation outbox (`community.escalation.delivery`), whose backoff, HTTP
error handling and Standard Webhooks signature this reuses. The claim is a conditional
UPDATE that takes a lease: two workers never send one row at once; a worker that dies
mid-delivery leaves a lease that expires, and the sweep (`redrive`) sends the row again.
Every attempt of a delivery carries the same `webhook-id` (the row's `message_id`), so a
receiver that dedupes on it acts once however often the row is sent; a manual redeliver
sends the same row again, with that same id.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.config import DeliveryOptions
from community.crypto import Unsealable, unseal
from community.db import session_scope, utcnow
from community.escalation.adapters import DeliveryFailed
from community.escalation.adapters.http import failure, send
from community.escalation.adapters.webhook import sign
from community.escalation.delivery import backoff, tenant_base_url
from community.jobs import JobQueue, enqueue_after_commit
from community.net.outbound import Outbound
from community.scope import Scope
from community.webhooks.models import DeliveryState, WebhookDelivery, WebhookSubscription
from community.webhooks.outbox import DELIVER

log = logging.getLogger(__name__)
SECRET_PURPOSE = "webhook-subscription-secret"
MAX_ATTEMPTS = 12  # with the default backoff (30 s doubling, capped at 1 h): 2.5 to 5 hours
REDRIVE_BATCH = 500
RESPONSE_EXCERPT = 500


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    tenant_id: int
    attempt: int
    url: str
    secret: str
    message_id: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    """An attempt's result: the receiver's status and body excerpt when it answered, and
    why it failed unless it was delivered."""

    status: int | None = None
    excerpt: str = ""
    failed: DeliveryFailed | None = None


async def deliver(
    sessions: async_sessionmaker[AsyncSession],
    jobs: JobQueue,
    delivery_id: int,
    options: DeliveryOptions,
    outbound: Outbound,
    secret_key: str,
) -> DeliveryState | None:
    """One attempt; None when the row was not ours to send (done, leased, paused, not due)."""
    async with session_scope(sessions) as session:
        claimed = await _claim(session, delivery_id, options, secret_key)
    if claimed is None:
        return None
    outcome = await _send(claimed, outbound.with_timeout(options.timeout))
    async with session_scope(sessions, jobs) as session:
        scope = await Scope.load(session, claimed.tenant_id)
        return await _record(scope, claimed, outcome, options)


def _due(now: datetime) -> list[object]:
    """Pending, due, not leased, and its subscription not paused."""
    return [
        WebhookDelivery.state == DeliveryState.PENDING,
        or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
        or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
        exists().where(
            WebhookSubscription.id == WebhookDelivery.subscription_id,
            WebhookSubscription.paused.is_(False),
        ),
    ]


async def _claim(
    session: AsyncSession, delivery_id: int, options: DeliveryOptions, secret_key: str
) -> Claimed | None:
    """Take the lease, in a session bound to no tenant yet: the job names only the row."""
    now = utcnow()
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    scope = await Scope.load(session, delivery.tenant_id)
    won = await scope.db.scalar(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, *_due(now))  # type: ignore[arg-type]
        .values(
            lease_until=now + timedelta(seconds=options.lease_seconds),
            attempts=WebhookDelivery.attempts + 1,
            updated_at=now,
        )
        .returning(WebhookDelivery.attempts)
    )
    if won is None:
        return None
    subscription = await scope.one(WebhookSubscription, delivery.subscription_id)
    try:
        secret = unseal(secret_key, SECRET_PURPOSE, subscription.secret_sealed)
    except Unsealable:
        secret = ""  # the deployment's secret key changed: fails below, the admin rotates
    base = await tenant_base_url(scope, options)
    community = {"slug": scope.tenant.slug, "name": scope.tenant.name, "url": base}
    body = json.dumps(delivery.payload | {"community": community},
                      ensure_ascii=False, separators=(",", ":")).encode()  # fmt: skip
    return Claimed(delivery.id, scope.tenant_id, won, subscription.url, secret,
                   delivery.message_id, body)  # fmt: skip


async def _send(claimed: Claimed, outbound: Outbound) -> Outcome:
    if not claimed.secret:
        unreadable = DeliveryFailed(
            "The signing secret cannot be read: rotate it.", retryable=False
        )
        return Outcome(failed=unreadable)
    stamp = int(utcnow().timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": "Parvis-Webhooks/1",
        "webhook-id": claimed.message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(claimed.secret, claimed.message_id, stamp, claimed.body),
    }
    try:
        response = await send(outbound, "POST", claimed.url, content=claimed.body, headers=headers)
    except DeliveryFailed as failed:
        return Outcome(failed=failed)
    except Exception as exc:  # a bug must not lose the delivery
        log.exception("webhook delivery %s: unexpected error", claimed.delivery_id)
        return Outcome(failed=DeliveryFailed(f"Unexpected error: {exc!r}"[:500]))
    return _answered(response)


def _answered(response: httpx.Response) -> Outcome:
    failed = None
    if not response.is_success:
        failed = failure(response, "The receiver", auth_hint="check that it verifies our signature")
    return Outcome(response.status_code, _excerpt(response), failed)


def _excerpt(response: httpx.Response) -> str:
    return response.content[:RESPONSE_EXCERPT].decode("utf-8", "replace")


async def _record(
    scope: Scope, claimed: Claimed, outcome: Outcome, options: DeliveryOptions
) -> DeliveryState:
    delivery = await scope.db.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == claimed.delivery_id).with_for_update()
    )
    assert delivery is not None
    now = utcnow()
    delivery.lease_until, delivery.updated_at = None, now
    delivery.last_status, delivery.last_response = outcome.status, outcome.excerpt
    failed = outcome.failed
    if failed is None:
        delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, now
        delivery.last_error, delivery.next_attempt_at = "", None
    elif failed.retryable and claimed.attempt < MAX_ATTEMPTS:
        delay = backoff(claimed.attempt, options, failed.retry_after)
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery.last_error = failed.message[:1000]
        enqueue_after_commit(scope.db, DELIVER, delivery_id=delivery.id, _defer_by=delay)
    else:
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        delivery.last_error = failed.message[:1000]
    await scope.db.flush()
    return delivery.state


async def redrive(
    sessions: async_sessionmaker[AsyncSession], jobs: JobQueue, now: datetime | None = None
) -> int:
    """Enqueue every due delivery of every tenant: lost jobs, expired leases, resumed
    subscriptions. The session is bound to no tenant (a read across all of them)."""
    now = now or utcnow()
    async with session_scope(sessions) as session:
        due = await session.scalars(
            select(WebhookDelivery.id)
            .where(*_due(now))  # type: ignore[arg-type]
            .order_by(WebhookDelivery.id)
            .limit(REDRIVE_BATCH)
        )
        ids = list(due.all())
    for delivery_id in ids:
        await jobs.enqueue(DELIVER, delivery_id=delivery_id)
    return len(ids)
