"""What every request carries: its tenant, its database session, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from community.errors import NotAuthenticated
from community.identity.models import Member, Role
from community.identity.permissions import Permission, has_permission
from community.identity.services import get_member
from community.moderation.services import open_count
from community.notify.services import unread_count
from community.scope import Scope
from community.tenancy.services import TenantInfo, tenant_info

SESSION_MEMBER = "member_id"
SESSION_TENANT = "tenant_id"


@dataclass(frozen=True)
class Viewer:
    """Who is looking, as pages show it. A plain value: it outlives the request's session,
    so even an error page rendered after a rollback can show it."""

    id: int
    display_name: str
    role: Role
    unread: int = 0  # notifications not read yet
    queue: int = 0  # open moderation items, for moderators


def tenant_of(request: Request[Any, Any, Any]) -> TenantInfo:
    tenant: TenantInfo = request.state.tenant
    return tenant


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def provide_db(request: Request[Any, Any, Any]) -> AsyncSession:
    """The request's session, opened and committed by UnitOfWorkMiddleware."""
    session: AsyncSession = request.state.db
    return session


def provide_tenant(request: Request[Any, Any, Any]) -> TenantInfo:
    return tenant_of(request)


async def provide_viewer(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession]
) -> Member | None:
    """The logged-in member, when the session belongs to this request's tenant."""
    session = request.session if "session" in request.scope else {}
    member_id, tenant_id = session.get(SESSION_MEMBER), session.get(SESSION_TENANT)
    tenant = tenant_of(request)
    member = None
    if isinstance(member_id, int) and tenant_id == tenant.id:
        member = await get_member(db, tenant.id, member_id)
    if member is not None:
        unread = await unread_count(db, member)
        queue = (
            await open_count(db, tenant.id) if has_permission(member, Permission.MODERATE) else 0
        )
        request.state.viewer = Viewer(member.id, member.display_name, member.role, unread, queue)
    else:
        request.state.viewer = None
    return member


async def provide_scope(request: Request[Any, Any, Any], db: NamedDependency[AsyncSession]) -> Scope:
    """The request's Scope: its session, its tenant as it is now, and the logged-in member."""
    tenant = await tenant_info(db, tenant_of(request).id)
    request.state.tenant = tenant  # pages show the settings the services just used
    member = await provide_viewer(request, db)
    return Scope(db, tenant, member)


async def provide_member(viewer: NamedDependency[Member | None]) -> Member:
    if viewer is None:
        raise NotAuthenticated("Please log in first.")
    return viewer


def log_in(request: Request[Any, Any, Any], member: Member) -> None:
    request.clear_session()
    request.set_session({SESSION_MEMBER: member.id, SESSION_TENANT: member.tenant_id})


def log_out(request: Request[Any, Any, Any]) -> None:
    request.clear_session()


DEPENDENCIES = {
    "db": Provide(provide_db, sync_to_thread=False),
    "tenant": Provide(provide_tenant, sync_to_thread=False),
    "viewer": Provide(provide_viewer),
    "member": Provide(provide_member),
    "here": Provide(provide_scope),  # `scope` is a reserved name in Litestar handlers
}
