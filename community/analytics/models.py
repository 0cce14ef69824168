"""The dashboard's daily roll-ups, per tenant, UTC day and category.

They are derived data: `community.analytics.rollup` rebuilds any day from the facts (posts,
threads, escalations, deflection events, flags, the moderation queue, ideas), and a
recompute rebuilds them all. Nothing else writes them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned


class DashboardCount(TenantOwned, Base):
    """One counted measure of a day and category: `name` says what (questions, answered…),
    `key` splits it where it has parts (an escalation's state, a member's id), else ""."""

    __tablename__ = "dashboard_counts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "day", "category_id", "name", "key"),
        Index("ix_dashboard_counts_day", "tenant_id", "name", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(60), default="")
    value: Mapped[int] = mapped_column(default=0)


class DashboardDuration(TenantOwned, Base):
    """One measured wait (a question's time to first answer, a case's time to reply…), kept
    whole so that medians and percentiles over any period are exact."""

    __tablename__ = "dashboard_durations"
    __table_args__ = (Index("ix_dashboard_durations_day", "tenant_id", "name", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # the day the wait began (the question's day)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]  # the thread, escalation or queue item measured
    calendar_seconds: Mapped[int]
    business_seconds: Mapped[int]


class DashboardRollupState(TenantOwned, Base):
    """When a tenant's roll-ups were last brought up to date: the next run re-rolls the days
    whose facts changed since."""

    __tablename__ = "dashboard_rollup_state"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rolled_at: Mapped[datetime | None] = mapped_column(default=None)  # None: never yet
