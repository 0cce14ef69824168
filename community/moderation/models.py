"""Moderation: flags, the queue of posts awaiting a decision, and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.db import Base, TenantOwned, string_enum, utcnow
from community.forums.models import Post
from community.identity.models import Member


class AuditEntry(TenantOwned, Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_tenant_time", "tenant_id", "created_at"),
        Index("ix_audit_log_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # The API key the actor used (community.identity.api_keys), or None for a browser session.
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), default=None
    )
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class FlagOutcome(enum.StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Flag(TenantOwned, Base):
    """A member's report of a post; one per member per post."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("post_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    reason: Mapped[FlagReason] = mapped_column(string_enum(FlagReason))
    note: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[FlagOutcome | None] = mapped_column(string_enum(FlagOutcome), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(lazy="raise")
    member: Mapped[Member] = relationship(lazy="raise")


class ItemState(enum.StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    HIDDEN = "hidden"
    DELETED = "deleted"
    CONFIRMED = "confirmed"  # an edited resolving answer keeps its acceptance/certification
    WITHDRAWN = "withdrawn"  # … or loses it


class QueueItem(TenantOwned, Base):
    """A post waiting for a moderator's decision, with every reason it was sent here."""

    __tablename__ = "moderation_items"
    __table_args__ = (
        Index("ix_moderation_items_queue", "tenant_id", "state", "created_at"),
        Index("ix_moderation_items_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[ItemState] = mapped_column(string_enum(ItemState), default=ItemState.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), default=None
    )
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decision_note: Mapped[str] = mapped_column(String(500), default="")

    post: Mapped[Post] = relationship(lazy="raise")
    claimed_by: Mapped[Member | None] = relationship(foreign_keys=[claimed_by_id], lazy="raise")
