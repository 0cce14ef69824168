"""The domains that serve a community: add one, remove one (never the last), and choose the
canonical one, where its other domains redirect (see `community.tenancy.middleware`).

Domains are not tenant-owned rows (the Host header is read before there is a tenant), so
every query here names the scope's tenant itself. Every change is audited.
"""

from __future__ import annotations

import ipaddress
import re

from sqlalchemy import select, update

from community.errors import NotFound, ValidationFailed
from community.identity.permissions import Permission
from community.l10n import N_
from community.moderation.audit import record
from community.scope import Scope
from community.tenancy.models import TenantDomain

DOMAIN_MAX = 253
LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
CONFIGURERS = N_("Only community admins manage the community's domains.")
NO_SUCH_DOMAIN = N_("No such domain.")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def domain_problem(host: str) -> str | None:
    """Why `host` (lowercased, no trailing dot) cannot serve a community, or None."""
    if not host:
        return N_("Write a domain, such as community.example.com.")
    if "://" in host or "/" in host or ":" in host or "@" in host:
        return N_("Write the host name only, without http://, a port or a path.")
    if len(host) > DOMAIN_MAX:
        return N_("A domain is 253 characters at most.")
    if _is_ip(host):
        return N_("Use a host name, not an IP address.")
    labels = host.split(".")
    if len(labels) < 2 or not all(LABEL_RE.match(label) for label in labels):
        return N_("A domain is names of letters, digits and dashes joined by dots.")
    if labels[-1] == "localhost" or labels[-1].isdigit():
        return N_("This name cannot be a community's public domain.")
    return None


def clean_domain(text: str) -> str:
    host = text.strip().lower()
    return host[:-1] if host.endswith(".") else host


def _configurer(scope: Scope) -> None:
    scope.require(Permission.CONFIGURE_COMMUNITY, CONFIGURERS)


async def tenant_domains(scope: Scope) -> list[TenantDomain]:
    """The scope's tenant's domains, the canonical one first."""
    found = await scope.db.scalars(
        select(TenantDomain)
        .where(TenantDomain.tenant_id == scope.tenant_id)
        .order_by(TenantDomain.canonical.desc(), TenantDomain.domain)
    )
    return list(found.all())


async def list_domains(scope: Scope) -> list[TenantDomain]:
    _configurer(scope)
    return await tenant_domains(scope)


async def _domain(scope: Scope, domain_id: int) -> TenantDomain:
    _configurer(scope)
    found = await scope.db.get(TenantDomain, domain_id)
    if found is None or found.tenant_id != scope.tenant_id:
        raise NotFound(NO_SUCH_DOMAIN)
    return found


async def add_domain(scope: Scope, text: str) -> TenantDomain:
    """Serve the community at one more domain (canonical if it is the first)."""
    _configurer(scope)
    host = clean_domain(text)
    if problem := domain_problem(host):
        raise ValidationFailed({"domain": problem})
    owner = await scope.db.scalar(select(TenantDomain.tenant_id).where(TenantDomain.domain == host))
    if owner == scope.tenant_id:
        raise ValidationFailed({"domain": N_("This community already answers at this domain.")})
    if owner is not None:
        raise ValidationFailed({"domain": N_("Another community already uses this domain.")})
    first = not await tenant_domains(scope)
    added = TenantDomain(tenant_id=scope.tenant_id, domain=host, canonical=first)
    scope.db.add(added)
    await scope.db.flush()
    record(scope, "domain.add", ("domain", added.id), after={"domain": host, "canonical": first})
    return added


async def remove_domain(scope: Scope, domain_id: int) -> TenantDomain:
    found = await _domain(scope, domain_id)
    if len(await tenant_domains(scope)) == 1:
        raise ValidationFailed({"domain": N_("A community needs at least one domain.")})
    if found.canonical:
        raise ValidationFailed(
            {"domain": N_("Choose another canonical domain before removing this one.")}
        )
    await scope.db.delete(found)
    await scope.db.flush()
    record(scope, "domain.remove", ("domain", domain_id), before={"domain": found.domain})
    return found


async def make_canonical(scope: Scope, domain_id: int) -> TenantDomain:
    """Serve the community at this domain; its other domains redirect here."""
    found = await _domain(scope, domain_id)
    if found.canonical:
        return found
    previous = next((d.domain for d in await tenant_domains(scope) if d.canonical), "")
    await scope.db.execute(
        update(TenantDomain)
        .where(TenantDomain.tenant_id == scope.tenant_id)
        .values(canonical=TenantDomain.id == found.id)
        .execution_options(synchronize_session="fetch")
    )
    await scope.db.refresh(found)
    record(scope, "domain.canonical", ("domain", found.id),
           before={"canonical": previous}, after={"canonical": found.domain})  # fmt: skip
    return found
