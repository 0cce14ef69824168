"""Notifications for members, and what they follow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, utcnow
from community.l10n import N_

# How each kind of notification reads; `text` is the detail (an excerpt, a reason).
NOTIFICATION_TEXTS: dict[str, str] = {
    "flag_received": N_("Your flag was received: “%(text)s”"),
    "flag_upheld": N_("Moderators agreed with your flag: “%(text)s”"),
    "flag_dismissed": N_("Moderators kept the post you flagged: “%(text)s”"),
    "post_approved": N_("Your post was approved and is now public: “%(text)s”"),
    "post_rejected": N_("Your post was rejected: %(text)s"),
    "post_hidden": N_("Your post was hidden: %(text)s"),
    "post_deleted": N_("Your post was deleted: %(text)s"),
    "agent_reply": N_("Customer service answered your question “%(text)s”"),
    "case_resolved": N_("Customer service resolved your question “%(text)s”"),
}


class Notification(TenantOwned, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_member_time", "member_id", "created_at"),
        # One notification per event per member, however many rules match it.
        UniqueConstraint("member_id", "event_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), default=None
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), default=None
    )
    # What happened, named once per event (e.g. "answer:123"); None for one-off notices.
    event_key: Mapped[str | None] = mapped_column(String(120), default=None)
    text: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)


class Subscription(TenantOwned, Base):
    """A member follows a thread (an idea, a question) to hear what happens to it."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("member_id", "thread_id"),
        Index("ix_subscriptions_thread", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
