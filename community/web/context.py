"""What every request carries: its tenant, its database session, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from community.identity.models import Member, Role
from community.identity.permissions import Permission
from community.identity.services import get_member
from community.moderation.services import open_count
from community.notify.services import unread_count
from community.scope import Scope
from community.tenancy.services import TenantInfo, tenant_info

Req = Request[Any, Any, Any]  # what handlers that render take: any request

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
    # What the header and shared fragments offer, answered by the permission table here
    # so that templates never decide who may do what.
    moderates: bool = False
    escalates: bool = False
    sees_escalations: bool = False
    configures: bool = False


def tenant_of(request: Request[Any, Any, Any]) -> TenantInfo:
    tenant: TenantInfo = request.state.tenant
    return tenant


def page_size(request: Req) -> int:
    """Threads per category page and posts per thread page (PARVIS_PAGE_SIZE)."""
    size: int = request.app.state.settings.page_size
    return size


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


async def provide_scope(request: Request[Any, Any, Any]) -> Scope:
    """The request's Scope: the session UnitOfWorkMiddleware opened, the tenant as it is now
    (its settings fresh, not from the host cache) and the logged-in member, or none."""
    db: AsyncSession = request.state.db
    tenant = await tenant_info(db, tenant_of(request).id)
    request.state.tenant = tenant  # pages show the settings the services just used
    scope = Scope(db, tenant)
    member = await _logged_in_member(request, scope)
    request.state.viewer = await _viewer(scope.acting_as(member)) if member else None
    return scope.acting_as(member)


async def _logged_in_member(request: Request[Any, Any, Any], scope: Scope) -> Member | None:
    """The session's member, when the session was opened on this request's tenant."""
    session = request.session if "session" in request.scope else {}
    member_id, logged_into = session.get(SESSION_MEMBER), session.get(SESSION_TENANT)
    if isinstance(member_id, int) and logged_into == scope.tenant_id:
        return await get_member(scope, member_id)
    return None


async def _viewer(scope: Scope) -> Viewer:
    member = scope.actor
    unread = await unread_count(scope)
    queue = await open_count(scope) if scope.can(Permission.MODERATE) else 0
    return Viewer(
        member.id,
        member.display_name,
        member.role,
        unread,
        queue,
        moderates=scope.can(Permission.MODERATE),
        escalates=scope.can(Permission.ESCALATE),
        sees_escalations=scope.can(Permission.SEE_ESCALATIONS),
        configures=scope.can(Permission.CONFIGURE_COMMUNITY),
    )


def log_in(request: Request[Any, Any, Any], member: Member) -> None:
    request.clear_session()
    request.set_session({SESSION_MEMBER: member.id, SESSION_TENANT: member.tenant_id})


def log_out(request: Request[Any, Any, Any]) -> None:
    request.clear_session()


DEPENDENCIES = {
    "here": Provide(provide_scope),  # `scope` is a reserved name in Litestar handlers
}
