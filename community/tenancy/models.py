"""Tenants (brands) and the domains that serve them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.db import Base, TenantOwned, utcnow

DEFAULT_THEME: dict[str, str] = {
    "primary": "#2f5bea",
    "accent": "#f29d38",
    "background": "#f7f8fa",
    "text": "#1d2330",
    "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "logo_text": "",
    "logo_url": "",
    "favicon_url": "",
    "css_url": "",
    "terms_url": "",
    "privacy_url": "",
}


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    theme: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Community rules a tenant admin may change (scoring points, ranks, voting options).
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    domains: Mapped[list[TenantDomain]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", lazy="raise"
    )

    def theme_value(self, key: str) -> str:
        return str(self.theme.get(key) or DEFAULT_THEME.get(key, ""))


class TenantDomain(Base):
    __tablename__ = "tenant_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    # The one address the tenant's pages are served at; its other domains redirect there.
    canonical: Mapped[bool] = mapped_column(default=False)

    tenant: Mapped[Tenant] = relationship(back_populates="domains", lazy="raise")


class BrandAsset(TenantOwned, Base):
    """A file of the brand's look (logo, favicon, custom stylesheet), named by its content's
    hash: its address never changes what it serves, so it is cached for a year."""

    __tablename__ = "brand_assets"
    __table_args__ = (UniqueConstraint("tenant_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # logo, favicon, css
    media_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
