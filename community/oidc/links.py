"""What the identity pages take from single sign-on: this community's address as the
provider knows it, and where logout sends a browser the provider signed in."""

from __future__ import annotations

from community.net.outbound import Outbound
from community.oidc import flow
from community.scope import Scope
from community.web.context import Req

CALLBACK = "/auth/oidc/callback"


def origin(request: Req) -> str:
    """This community's address as the browser reaches it (https behind the deployment's
    TLS when cookies are secure): the redirect URI the provider must know."""
    scheme = "https" if request.app.state.settings.secure_cookies else request.url.scheme
    return f"{scheme}://{request.headers.get('host', request.url.netloc)}"


def outbound_of(request: Req) -> Outbound:
    outbound: Outbound = request.app.state.outbound
    return outbound


def secret_key_of(request: Req) -> str:
    return str(request.app.state.settings.secret_key)


async def logout_target(request: Req, here: Scope, session_id: int | None) -> str:
    """The provider's end-session page for a session it opened, else ''."""
    return await flow.end_session_url(here, outbound_of(request), session_id, origin(request) + "/")
