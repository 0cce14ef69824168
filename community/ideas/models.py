"""Ideas: a thread in an ideas board, with a status, votes, a status history and merges."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.db import Base, TenantOwned, string_enum, utcnow
from community.forums.models import Thread
from community.identity.models import Member
from community.l10n import N_


class IdeaStatus(enum.StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"
    MERGED = "merged"


STATUS_LABELS: dict[str, str] = {
    "new": N_("New"),
    "under_review": N_("Under review"),
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "declined": N_("Declined"),
    "merged": N_("Merged"),
}


class Idea(TenantOwned, Base):
    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_tenant_status", "tenant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[IdeaStatus] = mapped_column(string_enum(IdeaStatus), default=IdeaStatus.NEW)
    vote_count: Mapped[int] = mapped_column(default=0)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), default=None
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[Thread] = relationship(lazy="raise")


class IdeaVote(TenantOwned, Base):
    __tablename__ = "idea_votes"
    __table_args__ = (
        UniqueConstraint("idea_id", "member_id"),
        Index("ix_idea_votes_idea_time", "idea_id", "created_at"),
        Index("ix_idea_votes_member", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaStatusChange(TenantOwned, Base):
    """One official decision: the new status and the response that explains it."""

    __tablename__ = "idea_status_changes"
    __table_args__ = (Index("ix_idea_status_changes_idea", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    from_status: Mapped[IdeaStatus] = mapped_column(string_enum(IdeaStatus))
    to_status: Mapped[IdeaStatus] = mapped_column(string_enum(IdeaStatus))
    response_md: Mapped[str] = mapped_column(Text, default="")
    response_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[Member | None] = relationship(lazy="raise")
