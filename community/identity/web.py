"""Registration, login and logout pages, and the member's list of their sessions."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.identity import account, services, sessions
from community.identity.account_web import base_url
from community.limits import RateLimited
from community.oidc.config import refuse_passwords, sign_in_option
from community.oidc.links import logout_target
from community.scope import Scope
from community.web.client import client_address
from community.web.context import Req, current_session_id, log_in, log_out
from community.web.errors import rate_limited_headers, rate_limited_message
from community.web.inputs import Id
from community.web.render import form_fields, render, see_other


def safe_next(target: str) -> str:
    """Only same-site paths: an open redirect would let phishing borrow the brand's domain."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class IdentityPages(Controller):
    """Logging in and registering run in the request's scope before anyone is logged in
    (its member is None); the services need only its tenant."""

    include_in_schema = False

    @get("/login")
    async def login_form(
        self, request: Req, here: NamedDependency[Scope], next: FromQuery[str] = "/"
    ) -> Template:
        return await _form(request, here, "identity/login.html", {"email": ""}, next=next)

    @post("/login")
    async def login(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        values = await form_fields(request, "email", "password", "next")
        try:
            member = await services.authenticate(
                here, values["email"], values["password"], address=client_address(request.scope)
            )
        except ValidationFailed as exc:
            return await _form(
                request, here, "identity/login.html", values, exc.errors, status_code=422
            )
        except services.Suspended as exc:
            return await _form(
                request, here, "identity/login.html", values, status_code=403, suspended=exc
            )
        except RateLimited as exc:
            return await _too_many(request, here, "identity/login.html", values, exc)
        await refuse_passwords(here, member)  # SSO only: admins keep their password
        await log_in(request, here, member)
        return see_other(safe_next(values["next"]))

    @get("/register")
    async def register_form(
        self, request: Req, here: NamedDependency[Scope], next: FromQuery[str] = "/"
    ) -> Template:
        values = {"email": "", "display_name": ""}
        return await _form(request, here, "identity/register.html", values, next=next)

    @post("/register")
    async def register(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        values = await form_fields(request, "email", "display_name", "password", "next")
        await refuse_passwords(here)
        try:
            member = await services.register(
                here,
                email=values["email"],
                display_name=values["display_name"],
                password=values["password"],
                address=client_address(request.scope),
            )
        except ValidationFailed as exc:
            return await _form(
                request, here, "identity/register.html", values, exc.errors, status_code=422
            )
        except RateLimited as exc:
            return await _too_many(request, here, "identity/register.html", values, exc)
        await account.send_verification(here, member, await base_url(request, here))
        await log_in(request, here, member)
        return see_other(safe_next(values["next"]))

    @post("/logout")
    async def logout(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        # A session the identity provider opened ends there too (read before it ends here).
        provider_logout = await logout_target(request, here, current_session_id(request))
        await log_out(request, here)
        if provider_logout:
            # A page that moves on by itself, not a redirect: the page the logout form was on
            # allows forms to go to this site only (CSP form-action), redirects included.
            return render(request, "oidc/signed_out.html", provider_logout=provider_logout)
        return see_other("/")

    @get("/account/sessions")
    async def sessions_page(
        self, request: Req, here: NamedDependency[Scope], ended: FromQuery[int | None] = None
    ) -> Template:
        listed = await sessions.active_sessions(here, current_session_id(request))
        return render(request, "identity/sessions.html", sessions=listed, ended=ended)

    @post("/account/sessions/{session_id:int}/end")
    async def end_session(
        self, request: Req, here: NamedDependency[Scope], session_id: Id
    ) -> Redirect:
        await sessions.end_session(here, session_id)
        return see_other("/account/sessions?ended=1")

    @post("/account/sessions/end-others")
    async def end_other_sessions(self, request: Req, here: NamedDependency[Scope]) -> Redirect:
        ended = await sessions.end_other_sessions(here, current_session_id(request))
        return see_other(f"/account/sessions?ended={ended}")


async def _form(
    request: Req,
    here: Scope,
    template: str,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    next: str | None = None,
    **context: Any,
) -> Template:
    """The login or register form, with what was typed, its problems, where to go next, and
    the tenant's single sign-on button when it has one."""
    return render(
        request,
        template,
        status_code=status_code,
        headers=headers,
        values=values,
        errors=errors or {},
        next=values.get("next", "/") if next is None else next,
        sso=await sign_in_option(here),
        **context,
    )


async def _too_many(
    request: Req, here: Scope, template: str, values: dict[str, str], exc: RateLimited
) -> Template:
    """The form again, with 429 and when to try again."""
    return await _form(
        request,
        here,
        template,
        values,
        status_code=429,
        headers=rate_limited_headers(exc),
        too_many=rate_limited_message(request, exc),
    )
