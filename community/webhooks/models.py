"""A tenant's webhook subscriptions and the outbox of their deliveries."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, string_enum, utcnow
from community.l10n import N_


class DeliveryState(enum.StrEnum):
    PENDING = "pending"  # to be sent (again, after a failed attempt)
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt failed, or the address was refused: an admin may redeliver


DELIVERY_STATE_LABELS = {
    DeliveryState.PENDING.value: N_("Pending"),
    DeliveryState.DELIVERED.value: N_("Delivered"),
    DeliveryState.FAILED.value: N_("Failed"),
}


class WebhookSubscription(TenantOwned, Base):
    """A URL that hears of the events it picked, signed with its own secret."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "whsec_…", sealed with community.crypto (purpose SECRET_PURPOSE)
    secret_sealed: Mapped[str] = mapped_column(Text)
    paused: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(TenantOwned, Base):
    """One event for one subscription: written in the transaction of the event, sent after it
    commits, retried until delivered. `message_id` is the `webhook-id` of every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_log", "subscription_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(60))
    # The whole envelope ({"type", "version", "timestamp", "data"}), as sent on every attempt.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[DeliveryState] = mapped_column(
        string_enum(DeliveryState), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status: Mapped[int | None] = mapped_column(default=None)  # the receiver's HTTP code
    last_response: Mapped[str] = mapped_column(String(500), default="")  # its body, cut
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
