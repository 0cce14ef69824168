"""The rows of signed-token sign-in: a tenant's settings, the token ids already used, and the
sign-ins waiting for the person to confirm that an existing account is theirs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, utcnow

HS256 = "HS256"
RS256 = "RS256"
ALGORITHMS = (HS256, RS256)


class TokenSettings(TenantOwned, Base):
    """One per tenant: how the brand's tokens are checked. The HS256 secret is kept sealed
    (community.crypto, purpose "sso-token-secret") and never shown after it is made."""

    __tablename__ = "sso_token_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    algorithm: Mapped[str] = mapped_column(String(10), default=HS256)
    sealed_secret: Mapped[str] = mapped_column(Text, default="")
    jwks_url: Mapped[str] = mapped_column(String(500), default="")
    issuer: Mapped[str] = mapped_column(String(300), default="")
    audience: Mapped[str] = mapped_column(String(300), default="")  # "": the community's URL
    max_lifetime_seconds: Mapped[int] = mapped_column(default=300)
    claims: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> claim name
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UsedTokenId(TenantOwned, Base):
    """A token's `jti` (its SHA-256) kept until the token expires: a replay finds it."""

    __tablename__ = "sso_token_used_ids"
    __table_args__ = (UniqueConstraint("tenant_id", "jti_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jti_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(index=True)


class PendingTokenLink(TenantOwned, Base):
    """A verified token whose email belongs to an existing account: kept here, by the
    SHA-256 of a random key the confirmation form carries, until the person confirms with
    that account's password or it expires (never in the URL or the page)."""

    __tablename__ = "sso_token_pending_links"
    __table_args__ = (UniqueConstraint("key_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    return_to: Mapped[str] = mapped_column(String(500), default="/")
    embedded: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime] = mapped_column(index=True)
