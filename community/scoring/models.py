"""The reputation ledger (the truth), its daily roll-up (for leaderboards) and earned badges."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, utcnow


class Reason(enum.StrEnum):
    """Why points were given; each has a per-tenant number of points."""

    ANSWER_UPVOTED = "answer_upvoted"
    QUESTION_UPVOTED = "question_upvoted"
    DOWNVOTE_RECEIVED = "downvote_received"
    ANSWER_ACCEPTED = "answer_accepted"
    ACCEPTED_AN_ANSWER = "accepted_an_answer"
    ANSWER_CERTIFIED = "answer_certified"
    FIRST_POST_OF_DAY = "first_post_of_day"
    IDEA_PLANNED = "idea_planned"
    IDEA_DONE = "idea_done"


VOTE_REASONS = (Reason.ANSWER_UPVOTED, Reason.QUESTION_UPVOTED, Reason.DOWNVOTE_RECEIVED)


class ReputationEvent(TenantOwned, Base):
    """Append-only. Undoing a cause appends an event that `reverses` the original."""

    __tablename__ = "reputation_events"
    __table_args__ = (
        Index("ix_reputation_events_member_time", "member_id", "created_at"),
        Index("ix_reputation_events_cause", "post_id", "actor_id", "reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    reason: Mapped[Reason] = mapped_column(
        Enum(Reason, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
    )
    points: Mapped[int]
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("reputation_events.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReputationDay(TenantOwned, Base):
    """Points per member, category and day: what leaderboards read instead of the ledger."""

    __tablename__ = "reputation_days"
    __table_args__ = (
        UniqueConstraint("member_id", "category_id", "day"),
        # Covering indexes: leaderboards read them alone (index-only scans on PostgreSQL).
        Index(
            "ix_reputation_days_tenant_day",
            "tenant_id",
            "day",
            postgresql_include=["member_id", "points"],
        ),
        Index(
            "ix_reputation_days_tenant_category_day",
            "tenant_id",
            "category_id",
            "day",
            postgresql_include=["member_id", "points"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # 0 stands for "no category" so the unique constraint holds (NULLs never collide).
    category_id: Mapped[int] = mapped_column(default=0)
    day: Mapped[date]
    points: Mapped[int] = mapped_column(default=0)


class MemberBadge(TenantOwned, Base):
    __tablename__ = "member_badges"
    __table_args__ = (UniqueConstraint("member_id", "badge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    badge: Mapped[str] = mapped_column(String(40))
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
