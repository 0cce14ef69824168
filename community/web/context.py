"""What every request carries: its tenant, its database session, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from community.identity import sessions
from community.identity.models import Member, Role
from community.identity.permissions import Permission
from community.moderation.services import open_count
from community.notify.services import unread_count
from community.scope import KeyGrant, Scope
from community.tenancy.services import TenantInfo, tenant_info
from community.web.client import client_address
from community.web.session_cookie import forget_session_cookie, send_session_cookie, session_token

Req = Request[Any, Any, Any]  # what handlers that render take: any request
SESSION_ID = "session_id"  # request state: the id of the session the cookie belongs to
API_KEY = "api_key"  # request state: the KeyGrant of a request made with an API key


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
    verified: bool = True  # proved their email address (a banner asks those who have not)
    locale: str = ""  # the language they chose; "": the community's


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
    grant: KeyGrant | None = request.state.get(API_KEY)
    if grant is not None:  # community.web.bearer: the key's admin, within its scopes
        scope = Scope(db, tenant, await scope.get(Member, grant.member_id), grant)
        request.state.viewer = None  # no page is shown to a key, and no cookie is read
        return scope
    member = await _logged_in_member(request, scope)
    request.state.viewer = await _viewer(scope.acting_as(member)) if member else None
    return scope.acting_as(member)


async def _logged_in_member(request: Request[Any, Any, Any], scope: Scope) -> Member | None:
    """The member of the request's session, if it is open on this tenant (a session is a row
    of the tenant it was opened on: another community's cookie finds nothing here)."""
    token = session_token(request)
    resumed = await sessions.resume(scope, token, client_of(request)) if token else None
    # A cookie that finds no session is left alone rather than cleared: a response sent
    # after a concurrent login would clear the new cookie. It costs one query, nothing more.
    if resumed is None:
        return None
    request.state[SESSION_ID] = resumed.session_id
    if resumed.touched:
        send_session_cookie(request, token)  # its lifetime starts again
    return resumed.member


def client_of(request: Request[Any, Any, Any]) -> sessions.Client:
    """The browser as its session list shows it (the address behind trusted proxies)."""
    return sessions.Client(request.headers.get("user-agent", ""), client_address(request.scope))


def current_session_id(request: Request[Any, Any, Any]) -> int | None:
    """The id of the session this request came with, or None for a guest."""
    session_id: int | None = request.state.get(SESSION_ID)
    return session_id


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
        verified=member.email_verified_at is not None,
        locale=member.locale,
    )


async def log_in(
    request: Request[Any, Any, Any], scope: Scope, member: Member, *, embedded: bool | None = None
) -> None:
    """Open a session for `member` (ending the one this browser had) and send its cookie:
    the third-party one when signed in inside a brand's iframe (`embedded`; None: when this
    request is a navigation in a frame of a brand page, as a password sign-in there is)."""
    if (current := current_session_id(request)) is not None:
        await sessions.sign_out(scope, current)
    token = await sessions.open_session(scope, member, client_of(request))
    send_session_cookie(request, token, embedded=embedded)


async def log_out(request: Request[Any, Any, Any], scope: Scope) -> None:
    """End this browser's session at once and drop its cookie."""
    if (current := current_session_id(request)) is not None:
        await sessions.sign_out(scope, current)
    forget_session_cookie(request)


DEPENDENCIES = {
    "here": Provide(provide_scope),  # `scope` is a reserved name in Litestar handlers
}
