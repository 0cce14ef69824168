"""Signed-token sign-in (`/auth/token`), its confirmation step, and the admin's settings page.

The brand's page sends the browser here with a token (a link or an iframe's `src` with
`?jwt=…`, or a form POSTed from the brand's site, which carries no CSRF token of ours: the
signed, single-use token is the proof). A refusal is a 4xx page, or JSON for a client that
asks for it, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from community.errors import DomainError, ValidationFailed
from community.escalation.delivery import tenant_base_url
from community.identity import token_settings
from community.identity.token_settings import CLAIM_FIELDS, TokenForm, TokenSetup
from community.identity.token_sso import (
    TokenContext,
    TokenOutcome,
    confirm_link,
    pending_member,
    sign_in_with_token,
)
from community.identity.web import safe_next
from community.limits import RateLimited
from community.scope import Scope
from community.web.client import client_address
from community.web.context import Req, log_in
from community.web.errors import rate_limited_headers, rate_limited_message
from community.web.openapi import ErrorBody
from community.web.render import form_fields, render, see_other
from community.web.session_cookie import framed_by_brand

ADMIN_PAGE = "/admin/sso/token"
NO_CSRF = {"exclude_from_csrf": True}  # the token, or the confirmation key, is the proof
FORM_FIELDS = ("enabled", "algorithm", "jwks_url", "issuer", "audience", "max_lifetime", "origins")


def _embedded(request: Req) -> bool:
    """Signed in inside a brand's iframe: the tenant has embed origins and the browser says
    this navigation is a frame's (a top-level sign-in keeps the first-party cookie)."""
    return framed_by_brand(request.scope)


async def _context(request: Req, here: Scope, return_to: str) -> TokenContext:
    settings = request.app.state.settings
    return TokenContext(
        secret_key=settings.secret_key,
        default_audience=await tenant_base_url(here, settings.delivery),
        outbound=request.app.state.outbound,
        address=client_address(request.scope),
        return_to=safe_next(return_to),
        embedded=_embedded(request),
    )


def _refused(request: Req, exc: DomainError) -> Response[Any] | Template:
    if "application/json" in request.headers.get("accept", ""):
        body = ErrorBody(exc.status_code, exc.message)
        return Response(body, status_code=exc.status_code, media_type=MediaType.JSON)
    return render(request, "identity/token_refused.html", status_code=exc.status_code,
                  message=exc.message)  # fmt: skip


class TokenSignInPages(Controller):
    include_in_schema = False

    @get("/auth/token", opt=NO_CSRF)
    async def sign_in_link(
        self, request: Req, here: NamedDependency[Scope], jwt: FromQuery[str] = "",
        return_to: FromQuery[str] = "/",
    ) -> Response[Any] | Template | Redirect:  # fmt: skip
        return await _sign_in(request, here, jwt, return_to)

    @post("/auth/token", opt=NO_CSRF)
    async def sign_in_form(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Response[Any] | Template | Redirect:
        values = await form_fields(request, "jwt", "return_to")
        return await _sign_in(request, here, values["jwt"], values["return_to"] or "/")

    @post("/auth/token/confirm", opt=NO_CSRF)
    async def confirm(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Response[Any] | Template | Redirect:
        values = await form_fields(request, "key", "password")
        try:
            confirmed = await confirm_link(
                here, values["key"], values["password"], address=client_address(request.scope)
            )
        except ValidationFailed as exc:
            return await _confirm_page(request, here, values["key"], exc.errors, 422)
        except RateLimited as exc:
            return _too_many(request, exc)
        except DomainError as exc:
            return _refused(request, exc)
        await log_in(request, here, confirmed.member, embedded=confirmed.embedded)
        return see_other(confirmed.return_to)


async def _sign_in(
    request: Req, here: Scope, token: str, return_to: str
) -> Response[Any] | Template | Redirect:
    context = await _context(request, here, return_to)
    try:
        outcome: TokenOutcome = await sign_in_with_token(here, token.strip(), context)
    except RateLimited as exc:
        return _too_many(request, exc)
    except DomainError as exc:
        return _refused(request, exc)
    if outcome.confirm_key:
        return await _confirm_page(request, here, outcome.confirm_key, {}, 200)
    await log_in(request, here, outcome.member, embedded=context.embedded)
    return see_other(context.return_to)


async def _confirm_page(
    request: Req, here: Scope, key: str, errors: dict[str, str], status_code: int
) -> Response[Any] | Template:
    try:
        account = await pending_member(here, key)
    except DomainError as exc:
        return _refused(request, exc)
    return render(request, "identity/token_confirm.html", status_code=status_code,
                  key=key, email=account.email, errors=errors)  # fmt: skip


def _too_many(request: Req, exc: RateLimited) -> Template:
    return render(request, "identity/token_refused.html", status_code=429,
                  headers=rate_limited_headers(exc), message=rate_limited_message(request, exc))  # fmt: skip


# ---- the admin's page -------------------------------------------------------------------------


class TokenAdminPages(Controller):
    path = ADMIN_PAGE
    include_in_schema = False

    @get("/")
    async def settings_form(self, request: Req, here: NamedDependency[Scope]) -> Template:
        setup = await token_settings.token_setup(here, *await _keys(request, here))
        return _page(request, setup, {})

    @post("/")
    async def save(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        form = await _form(request)
        secret_key, audience = await _keys(request, here)
        try:
            setup = await token_settings.save_settings(
                here, form, secret_key=secret_key, default_audience=audience,
                outbound=request.app.state.outbound,
            )  # fmt: skip
        except ValidationFailed as exc:
            failed = await token_settings.token_setup(here, secret_key, audience)
            return _page(request, _with_form(failed, form), exc.errors, 422)
        request.app.state.tenants.forget()  # the cached tenant holds the embed origins
        if setup.new_secret:  # shown on this answer only: no redirect
            return _page(request, setup, {}, 201)
        return see_other(f"{ADMIN_PAGE}?saved=1")

    @post("/rotate")
    async def rotate(self, request: Req, here: NamedDependency[Scope]) -> Template:
        secret_key, audience = await _keys(request, here)
        setup = await token_settings.rotate_secret(
            here, secret_key=secret_key, default_audience=audience
        )
        return _page(request, setup, {}, 201)


async def _keys(request: Req, here: Scope) -> tuple[str, str]:
    settings = request.app.state.settings
    return settings.secret_key, await tenant_base_url(here, settings.delivery)


async def _form(request: Req) -> TokenForm:
    claim_fields = [f"claim_{name}" for name in CLAIM_FIELDS]
    values = await form_fields(request, *FORM_FIELDS, *claim_fields)
    return TokenForm(
        enabled=values["enabled"] == "on", algorithm=values["algorithm"],
        jwks_url=values["jwks_url"], issuer=values["issuer"], audience=values["audience"],
        max_lifetime=values["max_lifetime"], origins=values["origins"],
        claims={name: values[f"claim_{name}"] for name in CLAIM_FIELDS},
    )  # fmt: skip


def _with_form(setup: TokenSetup, form: TokenForm) -> TokenSetup:
    return TokenSetup(form, setup.has_secret, setup.secret_unsealable, setup.default_audience)


def _page(
    request: Req, setup: TokenSetup, errors: dict[str, str], status_code: int = 200
) -> Template:
    return render(request, "identity/admin_token.html", status_code=status_code, setup=setup,
                  form=setup.form, errors=errors, claim_fields=CLAIM_FIELDS,
                  saved=request.query_params.get("saved") == "1")  # fmt: skip
