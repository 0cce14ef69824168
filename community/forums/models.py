"""Categories, threads (questions and discussions) and their posts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.db import Base, TenantOwned, string_enum, utcnow
from community.identity.models import Member


class ThreadKind(enum.StrEnum):
    QUESTION = "question"
    DISCUSSION = "discussion"
    IDEA = "idea"


class Visibility(enum.StrEnum):
    """Who sees a post (or a thread, through its opening post)."""

    PUBLISHED = "published"  # everyone
    PENDING = "pending"  # awaiting review: its author and moderators
    HIDDEN = "hidden"  # taken down pending review (flags, a moderator): moderators
    REJECTED = "rejected"  # refused by a moderator: its author (with the reason) and moderators


class CategoryKind(enum.StrEnum):
    FORUM = "forum"  # questions and discussions
    QUESTIONS = "questions"  # questions only
    DISCUSSIONS = "discussions"  # discussions only
    IDEAS = "ideas"  # an idea board


FORUM_KINDS = frozenset({CategoryKind.FORUM, CategoryKind.QUESTIONS, CategoryKind.DISCUSSIONS})
THREAD_KINDS: dict[CategoryKind, frozenset[ThreadKind]] = {
    CategoryKind.FORUM: frozenset({ThreadKind.QUESTION, ThreadKind.DISCUSSION}),
    CategoryKind.QUESTIONS: frozenset({ThreadKind.QUESTION}),
    CategoryKind.DISCUSSIONS: frozenset({ThreadKind.DISCUSSION}),
    CategoryKind.IDEAS: frozenset({ThreadKind.IDEA}),
}


class Posting(enum.StrEnum):
    """Who may open threads in a category (replies follow the usual rules)."""

    MEMBERS = "members"  # every signed-in member
    STAFF = "staff"  # experts, moderators and admins (news, announcements)


class Category(TenantOwned, Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    thread_count: Mapped[int] = mapped_column(default=0)
    kind: Mapped[CategoryKind] = mapped_column(
        string_enum(CategoryKind), default=CategoryKind.FORUM
    )
    premoderated: Mapped[bool] = mapped_column(default=False)
    posting: Mapped[Posting] = mapped_column(string_enum(Posting), default=Posting.MEMBERS)
    # Archived: readable, but it takes no new threads and leaves the ask form.
    archived_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def is_idea_board(self) -> bool:
        return self.kind == CategoryKind.IDEAS

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def thread_kinds(self) -> frozenset[ThreadKind]:
        """The kinds of thread this category takes."""
        return THREAD_KINDS[self.kind]


class Thread(TenantOwned, Base):
    __tablename__ = "threads"
    __table_args__ = (
        Index("ix_threads_tenant_activity", "tenant_id", "last_activity_at"),
        Index("ix_threads_author", "author_id"),
        Index("ix_threads_category_activity", "category_id", "last_activity_at"),
        Index("ix_threads_tenant_created", "tenant_id", "created_at"),  # the dashboard's days
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[ThreadKind] = mapped_column(string_enum(ThreadKind), default=ThreadKind.QUESTION)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200))
    post_count: Mapped[int] = mapped_column(default=0)
    view_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    visibility: Mapped[Visibility] = mapped_column(
        string_enum(Visibility), default=Visibility.PUBLISHED
    )
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL", use_alter=True), default=None
    )
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    certified_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL", use_alter=True), default=None
    )
    certified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), default=None
    )
    certified_note: Mapped[str] = mapped_column(String(500), default="")
    certified_at: Mapped[datetime | None] = mapped_column(default=None)
    # Escalation clock: paused while someone waits on the asker for details.
    awaiting_asker_since: Mapped[datetime | None] = mapped_column(default=None)
    paused_business_seconds: Mapped[int] = mapped_column(default=0)

    category: Mapped[Category] = relationship(lazy="raise")
    author: Mapped[Member] = relationship(foreign_keys=[author_id], lazy="raise")
    certified_by: Mapped[Member | None] = relationship(foreign_keys=[certified_by_id], lazy="raise")

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    @property
    def is_question(self) -> bool:
        return self.kind == ThreadKind.QUESTION

    @property
    def is_resolved(self) -> bool:
        return self.accepted_post_id is not None or self.certified_post_id is not None

    def resolved_by(self, post: Post) -> bool:
        """Whether `post` is this thread's accepted or certified answer."""
        return post.id in {self.accepted_post_id, self.certified_post_id}

    def edited_since_resolution(self, post: Post) -> bool:
        """Whether `post`, a resolving answer, changed after it was accepted or certified
        (and before anyone confirmed it again): the page marks it, staff review it."""
        resolved_at = [
            moment
            for post_id, moment in (
                (self.certified_post_id, self.certified_at),
                (self.accepted_post_id, self.accepted_at),
            )
            if post_id == post.id and moment is not None
        ]
        return post.edited_at is not None and any(post.edited_at > m for m in resolved_at)


class Post(TenantOwned, Base):
    """A post in a thread. Number 1 is the question or the discussion's opening post."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "number"),
        Index("ix_posts_tenant_created", "tenant_id", "created_at"),  # the dashboard's days
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    score: Mapped[int] = mapped_column(default=0)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The HTML the public sees when personal data had to be masked (None: same as body_html).
    public_html: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    visibility: Mapped[Visibility] = mapped_column(
        string_enum(Visibility), default=Visibility.PUBLISHED
    )
    moderation_note: Mapped[str] = mapped_column(String(500), default="")
    sentiment: Mapped[float | None] = mapped_column(default=None)  # -1 … 1, at write time
    # The contact-centre agent's name when this is an official customer-service answer.
    official_agent: Mapped[str] = mapped_column(String(120), default="")

    author: Mapped[Member] = relationship(lazy="raise")
    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id], lazy="raise")

    @property
    def is_opening(self) -> bool:
        return self.number == 1


class PostRevision(TenantOwned, Base):
    """The text a resolving (accepted or certified) answer had before an edit: who changed
    it, when, and what it said. Only ever added; staff read it on the post."""

    __tablename__ = "post_revisions"
    __table_args__ = (Index("ix_post_revisions_post", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), default=None
    )
    previous_body_md: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    editor: Mapped[Member | None] = relationship(lazy="raise")
