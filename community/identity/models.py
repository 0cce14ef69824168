"""Members: one row per person per tenant, carrying their role in that community."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from community.db import Base, TenantOwned, string_enum, utcnow
from community.inputs import name_keys


class Role(enum.StrEnum):
    MEMBER = "member"
    EXPERT = "expert"
    MODERATOR = "moderator"
    ADMIN = "admin"
    AGENT = "agent"  # contact-centre agent: official replies, escalations

    @property
    def is_staff(self) -> bool:
        return self in {Role.MODERATOR, Role.ADMIN}


class Member(TenantOwned, Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        Index("ix_members_tenant_reputation", "tenant_id", "reputation"),
        Index("ix_members_tenant_name_skeleton", "tenant_id", "name_skeleton"),
        Index(
            "ix_members_tenant_name_skeleton_as_written", "tenant_id", "name_skeleton_as_written"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(80))
    # What confusable names are found by (community.inputs.name_keys), kept with the name.
    name_skeleton: Mapped[str] = mapped_column(String(400), default="")
    name_skeleton_as_written: Mapped[str] = mapped_column(String(400), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        string_enum(Role),
        default=Role.MEMBER,
    )
    reputation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    banned_until: Mapped[datetime | None] = mapped_column(default=None)
    ban_reason: Mapped[str] = mapped_column(String(500), default="")
    # What the brand's SSO says of this customer (escalation payloads and priority).
    customer_id: Mapped[str] = mapped_column(String(120), default="")
    customer_tier: Mapped[str] = mapped_column(String(40), default="")
    # When the member proved the address (a link sent to it, or a provider that verified it).
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # The member's interface language (one of community.l10n.LOCALES); "": the community's.
    locale: Mapped[str] = mapped_column(String(10), default="")
    # The content hash of the member's uploaded avatar (community.privacy.avatars), or "".
    avatar: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # When the account was erased (community.privacy.erasure); pages then say "Deleted member".
    erased_at: Mapped[datetime | None] = mapped_column(default=None)

    @validates("display_name")
    def _keep_name_skeletons(self, _key: str, display_name: str) -> str:
        self.name_skeleton, self.name_skeleton_as_written = name_keys(display_name)
        return display_name

    def is_banned(self, now: datetime) -> bool:
        return self.banned_until is not None and self.banned_until > now


class SignInFailures(TenantOwned, Base):
    """Consecutive failed sign-ins with one email in one community, kept whether or not the
    email has an account (so the answer never tells which ones do), and deleted by the next
    successful sign-in. In the database, not Redis: every web process sees the same back-off,
    and it holds while Redis is down (`community.identity.backoff`)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (UniqueConstraint("tenant_id", "account"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))  # SHA-256 of the normalised email
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None] = mapped_column(default=None)  # refused before then
    last_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberSession(TenantOwned, Base):
    """A signed-in browser, on the tenant it signed in to (`community.identity.sessions`).

    The cookie carries a random token; the row keeps only its SHA-256, so a copy of the
    database signs nobody in. Ending a session deletes its row.
    """

    __tablename__ = "member_sessions"
    __table_args__ = (Index("ix_member_sessions_tenant_expires", "tenant_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    client_address: Mapped[str] = mapped_column(String(64), default="")
