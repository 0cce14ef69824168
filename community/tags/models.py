"""A tenant's tags and the threads that carry them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, utcnow


class Tag(TenantOwned, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40))  # lower case, a-z 0-9 and hyphens: "wi-fi"
    name: Mapped[str] = mapped_column(String(60))  # as shown: "Wi-Fi"
    description: Mapped[str] = mapped_column(String(500), default="")
    thread_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThreadTag(TenantOwned, Base):
    __tablename__ = "thread_tags"
    __table_args__ = (
        UniqueConstraint("thread_id", "tag_id"),
        Index("ix_thread_tags_tag", "tag_id", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
