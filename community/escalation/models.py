"""The escalation outbox: one row per case sent to the contact centre, with its history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.db import Base, TenantOwned, string_enum, utcnow
from community.forums.models import Thread


class EscalationState(enum.StrEnum):
    PENDING = "pending"  # to be delivered (again, after a failed attempt)
    SENT = "sent"  # the contact centre took it; no case id yet
    ACKNOWLEDGED = "acknowledged"  # a case exists (external id and URL)
    RESOLVED = "resolved"  # the case is over: the thread may escalate again
    FAILED = "failed"  # the last attempt failed; a moderator may retry


class TargetKind(enum.StrEnum):
    WEBHOOK = "webhook"
    ZENDESK = "zendesk"
    SALESFORCE = "salesforce"
    FRESHDESK = "freshdesk"
    EMAIL = "email"


class Rule(enum.StrEnum):
    """Why a thread escalated."""

    UNRESOLVED = "unresolved"
    SENTIMENT = "sentiment"
    COMPLAINT = "complaint"
    MANUAL = "manual"


class EscalationTarget(TenantOwned, Base):
    """Where a tenant's cases go. `settings` are shown back; `credentials` never in full."""

    __tablename__ = "escalation_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[TargetKind] = mapped_column(string_enum(TargetKind))
    enabled: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    credentials: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Standard Webhooks secret ("whsec_…") the contact centre signs its callbacks with.
    callback_secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Escalation(TenantOwned, Base):
    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_tenant_state", "tenant_id", "state", "created_at"),
        Index("ix_escalations_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    # The thread's id while this escalation is open, NULL once resolved: at most one open
    # escalation per thread, enforced by the database on every engine.
    open_thread_id: Mapped[int | None] = mapped_column(unique=True, default=None)
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalation_targets.id", ondelete="SET NULL"), default=None
    )
    state: Mapped[EscalationState] = mapped_column(
        string_enum(EscalationState), default=EscalationState.PENDING
    )
    rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(default=0)  # 0-100, agents see the highest first
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    # A delivery under way holds the row until then; a crashed worker's lease simply expires.
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    external_id: Mapped[str] = mapped_column(String(200), default="")
    external_url: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)

    thread: Mapped[Thread] = relationship(lazy="raise")
    target: Mapped[EscalationTarget | None] = relationship(lazy="raise")

    @property
    def is_open(self) -> bool:
        return self.state != EscalationState.RESOLVED


class EscalationEvent(Base):
    """The history of an escalation, shown to moderators and sent to the agent."""

    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(
        ForeignKey("escalations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(1000), default="")
    actor: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallbackReceipt(Base):
    """Each signed callback's message id, once: a replayed callback finds its id taken."""

    __tablename__ = "callback_receipts"
    __table_args__ = (UniqueConstraint("target_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_targets.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
