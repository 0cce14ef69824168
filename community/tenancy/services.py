"""Creating tenants and finding which tenant a request's Host belongs to.

Both run before there is a tenant to scope by, so they take a plain session, not a Scope:
creating a tenant (the CLI, the demo, the tests) and resolving a Host header, the one
cross-tenant read of every request.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.errors import NotFound, ValidationFailed, require
from community.l10n import LOCALES
from community.scoring.rules import ScoringRules
from community.tenancy.look import Look
from community.tenancy.models import DEFAULT_THEME, Tenant, TenantDomain
from community.tenancy.settings import TenantSettings

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


@dataclass(frozen=True)
class TenantInfo:
    """What a request needs to know about its tenant; safe to cache and share."""

    id: int
    slug: str
    name: str
    locale: str
    theme: dict[str, str] = field(default_factory=dict)
    preferences: dict[str, Any] = field(default_factory=dict)
    look: Look = field(default_factory=Look)
    # The domain the tenant's pages are served at ("" when none is chosen: no redirects).
    canonical_domain: str = ""

    @classmethod
    def of(cls, tenant: Tenant) -> TenantInfo:
        theme = {key: tenant.theme_value(key) for key in DEFAULT_THEME}
        look = Look.of(tenant.theme)
        return cls(
            tenant.id, tenant.slug, tenant.name, tenant.locale, theme, tenant.preferences, look
        )

    @cached_property
    def settings(self) -> TenantSettings:
        return TenantSettings.parse(self.preferences, self.locale)

    @property
    def rules(self) -> ScoringRules:
        return self.settings.scoring


async def tenant_info(session: AsyncSession, tenant_id: int) -> TenantInfo:
    """The tenant as it is now in the database (its settings fresh, not from a cache)."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("There is no such community.")
    return TenantInfo.of(tenant)


def check_tenant(slug: str, name: str, locale: str, domains: list[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not SLUG_RE.match(slug):
        errors["slug"] = "The slug must be lowercase letters, digits and dashes."
    if not name.strip():
        errors["name"] = "The name cannot be empty."
    if locale not in LOCALES:
        errors["locale"] = f"The locale must be one of {', '.join(LOCALES)}."
    if any(not d or "/" in d or " " in d for d in domains):
        errors["domain"] = "A domain is a host name such as community.example.com."
    return errors


async def create_tenant(
    session: AsyncSession,
    *,
    slug: str,
    name: str,
    domains: list[str] | None = None,
    locale: str = "en",
    theme: dict[str, Any] | None = None,
) -> Tenant:
    domains = [d.strip().lower() for d in domains or []]
    require(check_tenant(slug, name, locale, domains))
    if await session.scalar(select(Tenant.id).where(Tenant.slug == slug)):
        raise ValidationFailed({"slug": f"A tenant with the slug {slug!r} already exists."})
    taken = await session.scalars(
        select(TenantDomain.domain).where(TenantDomain.domain.in_(domains))
    )
    if taken_domains := list(taken):
        raise ValidationFailed({"domain": f"Domain already in use: {', '.join(taken_domains)}."})
    tenant = Tenant(slug=slug, name=name.strip(), locale=locale, theme=dict(theme or {}))
    tenant.domains = [TenantDomain(domain=d) for d in domains]
    session.add(tenant)
    await session.flush()
    return tenant


HOST_RE = re.compile(
    r"^(?P<name>\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]{0,251}[a-z0-9_.])?)(?::(?P<port>[0-9]{1,5}))?$"
)


def host_name(host_header: str) -> str | None:
    """The host part of a Host header, lowercased, without port; None when the header does not
    parse (empty, a port that is not a number from 1 to 65535, characters no host name has)."""
    match = HOST_RE.match(host_header.strip().lower())
    if match is None or ".." in match["name"]:
        return None
    port = match["port"]
    if port is not None and not 1 <= int(port) <= 65535:
        return None
    return match["name"]


async def find_tenant_for_host(
    session: AsyncSession, host: str, default_slug: str = ""
) -> TenantInfo | None:
    """Exact domain first, then `<slug>.localhost`, then the default tenant for local hosts.

    A cross-tenant read by design: `session` is unbound (no tenant yet, see TenantResolver),
    and tenants and their domains are not tenant-owned rows.
    """
    tenant = await session.scalar(
        select(Tenant).join(TenantDomain).where(TenantDomain.domain == host)
    )
    if tenant is None and host.endswith(".localhost"):
        tenant = await session.scalar(
            select(Tenant).where(Tenant.slug == host[: -len(".localhost")])
        )
    if tenant is None and host in LOCAL_HOSTS and default_slug:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == default_slug))
    if tenant is None:
        return None
    canonical = await session.scalar(
        select(TenantDomain.domain).where(
            TenantDomain.tenant_id == tenant.id, TenantDomain.canonical.is_(True)
        )
    )
    return replace(TenantInfo.of(tenant), canonical_domain=canonical or "")


def is_local_host(host: str) -> bool:
    """The hosts that serve a community without being one of its domains."""
    return host in LOCAL_HOSTS or host.endswith(".localhost")


class TenantResolver:
    """Host -> tenant, cached for a short while so a page view costs no tenant query."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        default_slug: str = "",
        ttl_seconds: float = 30.0,
    ) -> None:
        self._sessions = sessions
        self._default_slug = default_slug
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, TenantInfo | None]] = {}

    async def resolve(self, host: str) -> TenantInfo | None:
        """The tenant of a host name (as `host_name` gives it), or None."""
        cached = self._cache.get(host)
        now = time.monotonic()
        if cached and cached[0] > now:
            return cached[1]
        async with self._sessions() as session:  # unbound: reads across every tenant
            tenant = await find_tenant_for_host(session, host, self._default_slug)
        self._cache[host] = (now + self._ttl, tenant)
        return tenant

    def forget(self) -> None:
        self._cache.clear()
