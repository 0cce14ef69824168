"""A tenant's OpenID provider, the sign-ins under way, and what logout needs of a sign-in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, utcnow

DEFAULT_SCOPES = "openid email profile"


class OidcProvider(TenantOwned, Base):
    """The tenant's identity provider (one per tenant). The client secret is sealed
    (community.crypto, purpose "oidc-client-secret") and never shown back."""

    __tablename__ = "oidc_providers"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(80))  # "Sign in with Northwind ID"
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_sealed: Mapped[str] = mapped_column(Text, default="")
    scopes: Mapped[str] = mapped_column(String(300), default=DEFAULT_SCOPES)
    name_claim: Mapped[str] = mapped_column(String(100), default="name")
    customer_id_claim: Mapped[str] = mapped_column(String(100), default="customer_id")
    tier_claim: Mapped[str] = mapped_column(String(100), default="customer_tier")
    enabled: Mapped[bool] = mapped_column(default=False)
    sso_only: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SsoAttempt(TenantOwned, Base):
    """One sign-in under way: made by /auth/oidc/start, used once by the callback (deleted),
    or kept a little longer holding the profile while the person confirms a link."""

    __tablename__ = "sso_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of `state`
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    return_to: Mapped[str] = mapped_column(String(500), default="/")
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # While a link waits for the password: the provider's profile and ID token.
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    id_token: Mapped[str] = mapped_column(Text, default="")


class OidcSession(TenantOwned, Base):
    """A member session opened by the provider: logout ends the provider's session too,
    with this ID token as the hint. Goes with the session (cascade)."""

    __tablename__ = "oidc_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("member_sessions.id", ondelete="CASCADE"), unique=True
    )
    issuer: Mapped[str] = mapped_column(String(300))
    id_token: Mapped[str] = mapped_column(Text)
