"""API keys on the JSON API: `Authorization: Bearer pvk_…` on any /api/ route.

`ApiKeyMiddleware` runs after the tenant and the request's database session are known and
before the CSRF check. For a request under /api/ that carries a Bearer token it:

1. authenticates the key on the request's tenant (401 with `WWW-Authenticate: Bearer` when
   it is unknown here, revoked or expired: another community's key is unknown here);
2. checks the key holds the scope the route needs (`required_scope`: one rule for every
   route, so that routes added later are covered; 403 naming the scope);
3. counts the request against the key's rate limit (429 with Retry-After);
4. marks the request as a key's (`API_KEY` in its state): `provide_scope` then acts as the
   key's admin within its scopes and never reads a session cookie (the Cookie header is
   dropped), and `CookieSessionCSRF` skips the CSRF check, which only protects cookies;
5. records every successful unsafe request in the audit log, naming the key.

Requests without a Bearer token, and every page outside /api/, go on as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.routes import BaseRoute, HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Send
from litestar.types import Scope as AsgiScope

from community.errors import Forbidden
from community.identity import api_keys
from community.identity.models import Member
from community.identity.permissions import ApiScope
from community.l10n import N_
from community.limits import Rule
from community.moderation.audit import record
from community.scope import KeyGrant, Scope
from community.web.context import API_KEY
from community.web.openapi import BEARER_SCHEME, error_responses

SCOPE_OPT = "api_key_scope"  # a handler's `opt` entry that overrides the rule below
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RATE_PERIOD = 60  # seconds: the per-key limit is per minute (Settings.api_key_requests_per_minute)

# Path prefixes (whole segments) and the scope every route under them needs, first match wins.
PREFIX_SCOPES: tuple[tuple[str, ApiScope], ...] = (
    ("/api/v1/admin", ApiScope.ADMIN),
    ("/api/v1/escalation", ApiScope.ADMIN),  # targets and rules: the community's settings
    ("/api/v1/members/me", ApiScope.ADMIN),  # the key's admin's own account (erasure, export)
    ("/api/v1/mod", ApiScope.MODERATE),
    ("/api/v1/escalations", ApiScope.MODERATE),
)
# Staff actions on a thing, by the last segment of their path.
ACTION_SCOPES: dict[str, ApiScope] = {
    "ban": ApiScope.MODERATE,
    "certify": ApiScope.MODERATE,
    "escalate": ApiScope.MODERATE,
    "merge": ApiScope.MODERATE,
    "status": ApiScope.MODERATE,
    "role": ApiScope.ADMIN,
}
MISSING_SCOPE = N_("This API key lacks the “%(scope)s” scope this request needs.")


def required_scope(method: str, path: str, opt: Mapping[str, Any] | None = None) -> ApiScope:
    """The scope a key needs for `method path`: a handler's `opt[SCOPE_OPT]`, else the
    prefix table, else the staff action, else read for safe methods and write for others."""
    if opt and (override := opt.get(SCOPE_OPT)):
        return ApiScope(override)
    for prefix, needed in PREFIX_SCOPES:
        if path == prefix or path.startswith(prefix + "/"):
            return needed
    action = ACTION_SCOPES.get(path.rstrip("/").rsplit("/", 1)[-1])
    if action is not None:
        return action
    return ApiScope.READ if method.upper() in SAFE_METHODS else ApiScope.WRITE


def bearer_token(scope: AsgiScope) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None without one."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def _method(scope: AsgiScope) -> str:
    return str(scope.get("method", "GET"))


def _not_api(scope: AsgiScope) -> bool:
    return not str(scope["path"]).startswith("/api/")


class MissingScope(Forbidden):
    def __init__(self, needed: ApiScope) -> None:
        challenge = f'Bearer realm="api", error="insufficient_scope", scope="{needed.value}"'
        super().__init__(MISSING_SCOPE % {"scope": needed.value}, {"WWW-Authenticate": challenge})


class ApiKeyMiddleware(ASGIMiddleware):
    should_bypass_for_scope = staticmethod(_not_api)

    async def handle(
        self, scope: AsgiScope, receive: Receive, send: Send, next_app: ASGIApp
    ) -> None:
        token = bearer_token(scope)
        if token is None:
            await next_app(scope, receive, send)
            return
        grant = await _admit(scope, token)
        scope["state"][API_KEY] = grant
        # A key's request is the key's alone: no session cookie rides along with it.
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"cookie"]
        if _method(scope) in SAFE_METHODS:
            await next_app(scope, receive, send)
            return
        await next_app(scope, receive, _audited(scope, grant, send))


async def _admit(scope: AsgiScope, token: str) -> KeyGrant:
    state = scope["state"]
    here = Scope(state["db"], state["tenant"])
    grant = await api_keys.authenticate(here, token)
    handler = scope.get("route_handler")
    needed = required_scope(_method(scope), scope["path"], getattr(handler, "opt", None))
    if needed not in grant.scopes:
        raise MissingScope(needed)
    app_state = scope["litestar_app"].state
    rule = Rule(app_state.settings.api_key_requests_per_minute, RATE_PERIOD)
    await app_state.limits.hit(here.tenant_id, "api_key", str(grant.id), rule)
    return grant


def _audited(scope: AsgiScope, grant: KeyGrant, send: Send) -> Send:
    """`send`, which first logs a successful change made with the key (the unit of work
    commits the entry with the change, when the response starts)."""

    async def send_audited(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] < 400:
            db = scope["state"]["db"]
            here = Scope(db, scope["state"]["tenant"], await db.get(Member, grant.member_id))
            record(
                Scope(here.db, here.tenant, here.member, grant),
                "api_key.request",
                ("api_key", grant.id),
                after={"method": _method(scope), "path": scope["path"],
                       "status": message["status"]},
            )  # fmt: skip
        await send(message)

    return send_audited


def describe_in_openapi(routes: Sequence[BaseRoute]) -> None:
    """Every /api/ operation also takes a key with the scope `required_scope` gives it:
    the OpenAPI description says so (`{"apiKey": ["write"]}`), so a generated client knows,
    and lists the answers a key may get (401, 403, 429)."""
    for route in routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            method = next(iter(sorted(handler.http_methods)))
            needed = required_scope(method, route.path, handler.opt)
            kept = [s for s in handler.security or [] if BEARER_SCHEME not in s]
            handler.security = [*kept, {BEARER_SCHEME: [needed.value]}]
            # What a key's request may be answered besides: refused, short of scope, too many.
            handler.responses = {**error_responses(401, 403, 429), **(handler.responses or {})}


class CookieSessionCSRF(CSRFMiddleware):
    """Litestar's CSRF check, for what a browser's cookies authenticate: a request made with
    an API key (the key is the proof, and no cookie is read) is not checked."""

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope.get("state", {}).get(API_KEY) is not None:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
