"""The demo communities sign in with a local OpenID provider (`make oidc-provider`).

It is npm's oidc-provider, run by tests/oidc/provider.mjs with one client per demo
community. DEMO-ONLY client secrets, public on purpose: a real provider's come from the
brand, entered on /admin/sso.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.crypto import seal
from community.db import session_scope
from community.demo.content import RETAILER, TELECOM
from community.jobs import JobQueue
from community.oidc.config import PURPOSE, provider_of
from community.oidc.models import OidcProvider
from community.scope import Scope
from community.tenancy.models import Tenant

OIDC_HOST, OIDC_PORT = "127.0.0.1", 9100
OIDC_ISSUER = f"http://{OIDC_HOST}:{OIDC_PORT}"
OIDC_ALLOWED = f"{OIDC_HOST}:{OIDC_PORT}"  # what `parvis demo` lets the outbound client reach
LABELS = {"horizon": "Se connecter avec Horizon ID", "northwind": "Sign in with Northwind ID"}


def client_secret(slug: str) -> str:
    return f"demo-only-{slug}-oidc-secret"


def provider_options(port: int) -> str:
    """The JSON tests/oidc/provider.mjs takes: a client for each community on `port`."""
    clients = []
    for spec in (TELECOM, RETAILER):
        origin = f"http://{spec['domain']}:{port}"
        clients.append(
            {
                "client_id": f"parvis-{spec['slug']}",
                "client_secret": client_secret(spec["slug"]),
                "redirect_uris": [f"{origin}/auth/oidc/callback"],
                "post_logout_redirect_uris": [f"{origin}/"],
            }
        )
    return json.dumps({"port": OIDC_PORT, "clients": clients})


async def seed_identity_provider(
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    jobs: JobQueue | None = None,
    *,
    enabled: bool = True,
) -> None:
    """The local provider for each demo community that has none (an admin's stays)."""
    for spec in (TELECOM, RETAILER):
        async with session_scope(sessions, jobs) as session:
            tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == spec["slug"]))
            if tenant_id is not None:
                scope = await Scope.load(session, tenant_id)
                await _add_provider(scope, spec, secret_key, enabled)


async def _add_provider(scope: Scope, spec: dict[str, Any], secret_key: str, enabled: bool) -> None:
    if await provider_of(scope) is not None:
        return
    scope.db.add(
        OidcProvider(
            label=LABELS[spec["slug"]], issuer=OIDC_ISSUER, client_id=f"parvis-{spec['slug']}",
            client_secret_sealed=seal(secret_key, PURPOSE, client_secret(spec["slug"])),
            enabled=enabled,
        )
    )  # fmt: skip
