"""The request scope: the first argument of every service.

A `Scope` is who acts, where: the database session, the tenant (with its parsed settings)
and the acting member, or none for a guest. The web layer builds one per request
(`community.web.context.provide_scope`); tasks, the CLI and tests build it directly with
`Scope(session, tenant)` or `await Scope.load(session, tenant_id, member_id)`.

Making a Scope binds its session to the tenant (`community.db.bind_tenant`): from then on
every ORM query in that session sees only this tenant's rows, so `select(Thread)` or
`scope.get(Thread, 7)` can never return another community's thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from community.db import TenantOwned, bind_tenant
from community.errors import Forbidden, NotAuthenticated, NotFound
from community.identity.models import Member
from community.identity.permissions import ApiScope, Permission, has_permission, key_ceiling
from community.l10n import N_
from community.tenancy.services import TenantInfo, tenant_info
from community.tenancy.settings import TenantSettings

RowT = TypeVar("RowT")


@dataclass(frozen=True)
class KeyGrant:
    """The API key a request authenticated with: who it acts as, within which scopes."""

    id: int
    name: str
    member_id: int
    scopes: frozenset[ApiScope]

    @property
    def permissions(self) -> frozenset[Permission]:
        return key_ceiling(self.scopes)


@dataclass(frozen=True)
class Scope:
    db: AsyncSession
    tenant: TenantInfo
    member: Member | None = None
    # The API key the request came with: its scopes cap what the member may do, and audit
    # entries name it. None for a browser session, a task, the CLI.
    key: KeyGrant | None = None

    def __post_init__(self) -> None:
        bind_tenant(self.db, self.tenant.id)

    @classmethod
    async def load(cls, db: AsyncSession, tenant_id: int, member_id: int | None = None) -> Scope:
        """A scope for work outside a request (a task, the CLI), read fresh from the database."""
        scope = cls(db, await tenant_info(db, tenant_id))
        if member_id is None:
            return scope
        return scope.acting_as(await scope.one(Member, member_id, "No such member."))

    # ---- where --------------------------------------------------------------------------

    @property
    def tenant_id(self) -> int:
        return self.tenant.id

    @property
    def settings(self) -> TenantSettings:
        return self.tenant.settings

    def select(self, model: type[RowT]) -> Select[RowT]:
        """A SELECT of the tenant's `model` rows (the session adds the tenant condition)."""
        return select(model)

    async def get(self, model: type[RowT], row_id: int) -> RowT | None:
        """The tenant's row with this primary key, or None (also for another tenant's id)."""
        row = await self.db.get(model, row_id)
        # The session's criteria filter what it loads; this also covers a row that was in
        # its identity map before the session was bound.
        if isinstance(row, TenantOwned) and row.tenant_id != self.tenant.id:
            return None
        return row

    async def one(self, model: type[RowT], row_id: int, missing: str = N_("Not found.")) -> RowT:
        """The tenant's row with this primary key, or NotFound with the `missing` message."""
        row = await self.get(model, row_id)
        if row is None:
            raise NotFound(missing)
        return row

    # ---- who ----------------------------------------------------------------------------

    @property
    def actor(self) -> Member:
        """The acting member; guests are asked to log in."""
        if self.member is None:
            raise NotAuthenticated("Please log in first.")
        return self.member

    def acting_as(self, member: Member | None) -> Scope:
        """The same session and tenant, another actor (a task acting for a member)."""
        return replace(self, member=member)

    def can(self, permission: Permission) -> bool:
        if self.key is not None and permission not in self.key.permissions:
            return False
        return has_permission(self.member, permission)

    def require(self, permission: Permission, refusal: str = "") -> Member:
        """The actor, if they hold `permission`: 401 for guests, 403 for the others."""
        actor = self.actor
        if not self.can(permission):
            raise Forbidden(refusal or "You are not allowed to do this.")
        return actor

    def is_actor(self, member_id: int | None) -> bool:
        return self.member is not None and self.member.id == member_id

    def may_act_on(self, owner_id: int, permission: Permission) -> bool:
        """Owners may act on their own content; others need the permission."""
        return self.is_actor(owner_id) or self.can(permission)

    def __repr__(self) -> str:  # sessions print badly; who and where is what a reader wants
        who: Any = self.member.id if self.member else "guest"
        return f"Scope(tenant={self.tenant.slug}, member={who})"
