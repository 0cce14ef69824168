"""Signing in through the provider (/auth/oidc/...) and the admin's page (/admin/sso)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.identity.web import safe_next
from community.limits import RateLimited
from community.oidc import config, flow
from community.oidc.discovery import ProviderMetadata, ProviderUnavailable
from community.oidc.links import CALLBACK, origin, outbound_of, secret_key_of
from community.scope import Scope
from community.web.client import client_address
from community.web.context import Req, log_in
from community.web.errors import rate_limited_headers, rate_limited_message
from community.web.render import form_fields, render, see_other

ADMIN = "/admin/sso"
CALLBACK_PARAMS = ("state", "code", "iss", "error", "error_description")


class OidcPages(Controller):
    path = "/auth/oidc"
    include_in_schema = False

    @get("/start")
    async def start(
        self, request: Req, here: NamedDependency[Scope], return_to: FromQuery[str] = "/"
    ) -> Redirect:
        url = await flow.start(
            here, outbound_of(request), return_to=safe_next(return_to[:500]),
            redirect_uri=origin(request) + CALLBACK, address=client_address(request.scope),
        )  # fmt: skip
        return Redirect(path=url, status_code=303)

    @get("/callback")
    async def callback(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        params = {name: request.query_params.get(name, "")[:2000] for name in CALLBACK_PARAMS}
        outcome = await flow.finish(
            here, outbound_of(request), secret_key_of(request), params,
            redirect_uri=origin(request) + CALLBACK,
        )  # fmt: skip
        if isinstance(outcome, flow.LinkPending):
            return _link_page(request, outcome)
        return await _signed_in(request, here, outcome)

    @post("/link")
    async def confirm_link(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        values = await form_fields(request, "token", "password")
        address = client_address(request.scope)
        try:
            outcome = await flow.confirm_link(
                here, values["token"], values["password"], address=address
            )
        except ValidationFailed as exc:
            pending = await flow.pending_link(here, values["token"])
            return _link_page(request, pending, exc.errors, status_code=422)
        except RateLimited as exc:
            pending = await flow.pending_link(here, values["token"])
            return _link_page(
                request, pending, status_code=429, headers=rate_limited_headers(exc),
                too_many=rate_limited_message(request, exc),
            )  # fmt: skip
        return await _signed_in(request, here, outcome)


async def _signed_in(request: Req, here: Scope, outcome: flow.SignedIn) -> Redirect:
    await log_in(request, here, outcome.member)
    await flow.remember_session(here, outcome)
    return see_other(safe_next(outcome.return_to))


def _link_page(
    request: Req,
    pending: flow.LinkPending,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return render(
        request, "oidc/link.html", status_code=status_code, pending=pending,
        errors=errors or {}, **context,
    )  # fmt: skip


class SsoAdminPages(Controller):
    path = ADMIN
    include_in_schema = False

    @get("/")
    async def settings_form(self, request: Req, here: NamedDependency[Scope]) -> Template:
        provider = await config.load_for_admin(here)
        return await _admin_page(request, here, config.ProviderForm.of(provider), {})

    @post("/")
    async def save(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        form = await _submitted(request)
        try:
            await config.save(here, form, outbound_of(request), secret_key_of(request))
        except ValidationFailed as exc:
            return await _admin_page(request, here, form, exc.errors, status_code=422)
        return see_other(f"{ADMIN}?saved=1")

    @post("/test")
    async def test_discovery(self, request: Req, here: NamedDependency[Scope]) -> Template:
        provider = await config.load_for_admin(here)
        metadata: ProviderMetadata | None = None
        problem = ""
        try:
            metadata = await config.test_discovery(here, outbound_of(request))
        except ProviderUnavailable as exc:
            problem = exc.message
        form = config.ProviderForm.of(provider)
        return await _admin_page(request, here, form, {}, metadata=metadata, problem=problem)


async def _submitted(request: Req) -> config.ProviderForm:
    fields = await form_fields(request, *config.TEXT_FIELDS, "client_secret", *config.SWITCHES)
    texts = {name: fields[name] for name in (*config.TEXT_FIELDS, "client_secret")}
    return config.ProviderForm(
        **texts, enabled=fields["enabled"] == "on", sso_only=fields["sso_only"] == "on"
    )


async def _admin_page(
    request: Req,
    here: Scope,
    form: config.ProviderForm,
    errors: dict[str, str],
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    provider = await config.load_for_admin(here)
    return render(
        request, "oidc/admin.html", status_code=status_code, form=form, errors=errors,
        provider=provider, secret=config.secret_state(secret_key_of(request), provider),
        redirect_uri=origin(request) + CALLBACK, saved=request.query_params.get("saved") == "1",
        tested="metadata" in context, **context,
    )  # fmt: skip
