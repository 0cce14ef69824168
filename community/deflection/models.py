"""Deflection events: what suggestions were shown, opened and found helpful, and who posted
anyway. A "deflected" question is not a row: it is derived from these (see services)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, string_enum, utcnow


class DeflectionKind(enum.StrEnum):
    SHOWN = "shown"  # a suggested thread was listed while a member wrote a title
    OPENED = "opened"  # the member opened it from the suggestion
    SOLVED = "solved"  # "This solved my problem" on the suggested thread
    POSTED_ANYWAY = "posted_anyway"  # the member posted after being shown suggestions


class DeflectionEvent(TenantOwned, Base):
    __tablename__ = "deflection_events"
    __table_args__ = (
        # One event of a kind per suggestion session and thread: repeated clicks count once.
        UniqueConstraint("tenant_id", "session_key", "thread_id", "kind"),
        Index("ix_deflection_events_day", "tenant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DeflectionKind] = mapped_column(string_enum(DeflectionKind))
    # The suggested thread; for "posted_anyway", the thread the member posted.
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), default=None
    )
    # A random id carried by the form and the suggestion links: ties one member's shown,
    # opened, solved and posted events together, guests' included.
    session_key: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
