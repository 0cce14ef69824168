"""Votes on posts: one per member per post, +1 or -1."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, utcnow


class Vote(TenantOwned, Base):
    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("member_id", "post_id"),
        CheckConstraint("value IN (-1, 1)", name="value_is_one_or_minus_one"),
        Index("ix_votes_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
