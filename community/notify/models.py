"""Notifications for members, and what they follow."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, string_enum, utcnow
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
    "answer": N_("New answer to your question “%(text)s”"),
    "reply": N_("New reply to your discussion “%(text)s”"),
    "watched_reply": N_("New post in “%(text)s”, which you watch"),
    "new_thread": N_("New thread in a category you watch: “%(text)s”"),
    "tagged_thread": N_("New thread with a tag you watch: “%(text)s”"),
    "mention": N_("You were mentioned in “%(text)s”"),
    "answer_accepted": N_("Your answer to “%(text)s” was accepted"),
    "answer_certified": N_("Your answer to “%(text)s” was certified"),
    "badge_earned": N_("You earned the badge “%(text)s”"),
    "rank_earned": N_("You reached the rank “%(text)s”"),
    "announcement": N_("Announcement: “%(text)s”"),
}

# What grouping says when several notifications of one kind concern one thread (num > 1).
GROUPED_TEXTS: dict[str, str] = {
    "answer": N_("%(num)s new answers on “%(text)s”"),
    "reply": N_("%(num)s new replies on “%(text)s”"),
    "watched_reply": N_("%(num)s new posts in “%(text)s”"),
}


class Level(enum.StrEnum):
    """How closely a member follows a thread or a category, as Discourse has it."""

    WATCHING = "watching"  # every new post
    NORMAL = "normal"  # replies to you and mentions
    MUTED = "muted"  # nothing


LEVEL_LABELS: dict[str, str] = {
    Level.WATCHING: N_("Watching: every new post"),
    Level.NORMAL: N_("Normal: replies to you and mentions"),
    Level.MUTED: N_("Muted: nothing"),
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
    """A member's level on a thread (an idea, a question): watching when they follow it."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("member_id", "thread_id"),
        Index("ix_subscriptions_thread", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    level: Mapped[Level] = mapped_column(
        string_enum(Level), default=Level.WATCHING, server_default=Level.WATCHING.value
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class _LevelChosen:
    """A member's level on something they follow (no row: normal)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    level: Mapped[Level] = mapped_column(string_enum(Level), default=Level.WATCHING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CategoryFollow(_LevelChosen, TenantOwned, Base):
    """A member's level on a category (no row: normal)."""

    __tablename__ = "category_follows"
    __table_args__ = (
        UniqueConstraint("member_id", "category_id"),
        Index("ix_category_follows_category", "category_id"),
    )

    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))


class TagFollow(_LevelChosen, TenantOwned, Base):
    """A member's level on a tag (no row: normal)."""

    __tablename__ = "tag_follows"
    __table_args__ = (
        UniqueConstraint("member_id", "tag_id"),
        Index("ix_tag_follows_tag", "tag_id"),
    )

    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))


class FollowPreference(TenantOwned, Base):
    """A member's choices about following (no row: the defaults)."""

    __tablename__ = "follow_preferences"
    __table_args__ = (UniqueConstraint("member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # Asking or answering a question or discussion follows it (watching).
    auto_follow: Mapped[bool] = mapped_column(default=True)


class Announcement(TenantOwned, Base):
    """A thread staff published as brand news: pinned on the home page and atop its category
    (and the categories chosen with it) until `pinned_until` (None: until unpinned), open to
    comments or not."""

    __tablename__ = "announcements"
    __table_args__ = (UniqueConstraint("thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    pinned_until: Mapped[datetime | None] = mapped_column(default=None)
    comments_allowed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnnouncementCategory(TenantOwned, Base):
    """A category, besides its own, where an announcement is also pinned."""

    __tablename__ = "announcement_categories"
    __table_args__ = (
        UniqueConstraint("announcement_id", "category_id"),
        Index("ix_announcement_categories_category", "category_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
