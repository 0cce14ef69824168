"""What each member wants mailed, and the outbox of notification and digest mail."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, string_enum, utcnow


class Frequency(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class MailState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # nothing to send when its turn came (opted out, bounced, read)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class MailPreferences(TenantOwned, Base):
    """One member's email choices per notification kind, and how their address fares."""

    __tablename__ = "mail_preferences"
    __table_args__ = (UniqueConstraint("member_id"), UniqueConstraint("token"))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # kind family -> Frequency value; a kind not named here takes its default.
    choices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Unguessable: the unsubscribe links carry it instead of a login.
    token: Mapped[str] = mapped_column(String(64), default=new_token)
    # Permanent SMTP refusals in a row; at BOUNCE_LIMIT the address is no longer mailed.
    bounces: Mapped[int] = mapped_column(default=0)
    last_bounce: Mapped[str] = mapped_column(String(300), default="")
    daily_until: Mapped[datetime | None] = mapped_column(default=None)  # last digest's end
    weekly_until: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailOutboxRow(TenantOwned, Base):
    """One mail to send: a notification's own, or a digest of several (`digest` set)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        # Never twice for one notification or one digest period, whoever queues it.
        UniqueConstraint("tenant_id", "key"),
        Index("ix_mail_outbox_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), default=None
    )
    digest: Mapped[str] = mapped_column(String(10), default="")  # "", daily, weekly
    since: Mapped[datetime | None] = mapped_column(default=None)  # a digest's period
    until: Mapped[datetime | None] = mapped_column(default=None)
    state: Mapped[MailState] = mapped_column(string_enum(MailState), default=MailState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
