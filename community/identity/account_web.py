"""The account page (name, language, email, password), the links account mail carries, and
the forgotten-password pages. Every form works without JavaScript: a problem re-shows the
form with the field marked, success redirects back with a notice."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.escalation.delivery import tenant_base_url
from community.identity import account
from community.identity.tokens import TokenRefused
from community.l10n import LOCALES
from community.limits import RateLimited
from community.scope import Scope
from community.web.client import client_address
from community.web.context import Req, current_session_id, log_in
from community.web.errors import rate_limited_headers, rate_limited_message
from community.web.render import form_fields, render, see_other

LANGUAGES = {"en": "English", "fr": "Français"}  # each in its own words
# What a redirect back to the account page says was done (?done=…).
DONE = ("profile", "email", "password", "verify-sent", "reset")


async def base_url(request: Req, here: Scope) -> str:
    """The community's public address, for links in mail."""
    return await tenant_base_url(here, request.app.state.settings.delivery)


class AccountPages(Controller):
    include_in_schema = False

    @get("/account")
    async def account_page(
        self, request: Req, here: NamedDependency[Scope], done: FromQuery[str] = ""
    ) -> Template:
        here.actor  # noqa: B018 (guests are asked to log in)
        return _account(request, here, done=done if done in DONE else "")

    @post("/account/profile")
    async def update_profile(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Template | Redirect:
        values = await form_fields(request, "display_name", "locale")
        try:
            await account.update_profile(
                here, display_name=values["display_name"], locale=values["locale"]
            )
        except ValidationFailed as exc:
            return _account(request, here, "profile", values, exc.errors, status_code=422)
        return see_other("/account?done=profile")

    @post("/account/email")
    async def change_email(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        values = await form_fields(request, "email", "current_password")
        try:
            await account.request_email_change(
                here, new_email=values["email"], password=values["current_password"],
                base_url=await base_url(request, here),
            )  # fmt: skip
        except ValidationFailed as exc:
            return _account(request, here, "email", values, exc.errors, status_code=422)
        except RateLimited as exc:
            return _account_too_many(request, here, "email", values, exc)
        return see_other("/account?done=email")

    @post("/account/password")
    async def change_password(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Template | Redirect:
        values = await form_fields(request, "current_password", "new_password")
        try:
            await account.change_password(
                here, current_password=values["current_password"],
                new_password=values["new_password"], current_session=current_session_id(request),
            )  # fmt: skip
        except ValidationFailed as exc:
            return _account(request, here, "password", {}, exc.errors, status_code=422)
        except RateLimited as exc:
            return _account_too_many(request, here, "password", {}, exc)
        return see_other("/account?done=password")

    @post("/account/verify/resend")
    async def resend_verification(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Template | Redirect:
        try:
            sent = await account.resend_verification(here, await base_url(request, here))
        except RateLimited as exc:
            return _account_too_many(request, here, "verify", {}, exc)
        return see_other("/account?done=verify-sent" if sent else "/account")

    @get("/account/verify/{token:str}")
    async def verify_email(
        self, request: Req, here: NamedDependency[Scope], token: FromPath[str]
    ) -> Template:
        try:
            member = await account.verify_email(here, token)
        except TokenRefused as exc:
            return _refused(request, exc, "verify")
        return render(request, "identity/link_done.html", done="verified", email=member.email)

    @get("/account/email/confirm/{token:str}")
    async def confirm_email(
        self, request: Req, here: NamedDependency[Scope], token: FromPath[str]
    ) -> Template:
        try:
            member = await account.confirm_email_change(here, token)
        except TokenRefused as exc:
            return _refused(request, exc, "email")
        except ValidationFailed as exc:
            return render(
                request, "identity/link_refused.html", status_code=409,
                message=exc.errors["email"], again="email",
            )  # fmt: skip
        return render(request, "identity/link_done.html", done="email", email=member.email)


class PasswordPages(Controller):
    """Forgotten passwords, for guests: the same answer whatever the address."""

    include_in_schema = False

    @get("/password/forgot")
    async def forgot_form(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return render(request, "identity/forgot.html", values={"email": ""}, errors={})

    @post("/password/forgot")
    async def forgot(self, request: Req, here: NamedDependency[Scope]) -> Template:
        values = await form_fields(request, "email")
        try:
            await account.request_password_reset(
                here, values["email"], address=client_address(request.scope),
                base_url=await base_url(request, here),
            )  # fmt: skip
        except ValidationFailed as exc:
            return render(
                request, "identity/forgot.html", status_code=422, values=values, errors=exc.errors
            )
        except RateLimited as exc:
            return render(
                request, "identity/forgot.html", status_code=429, values=values, errors={},
                headers=rate_limited_headers(exc), too_many=rate_limited_message(request, exc),
            )  # fmt: skip
        return render(request, "identity/forgot.html", sent=True, values=values, errors={})

    @get("/password/reset/{token:str}")
    async def reset_form(
        self, request: Req, here: NamedDependency[Scope], token: FromPath[str]
    ) -> Template:
        try:
            await account.check_reset_token(here, token)
        except TokenRefused as exc:
            return _refused(request, exc, "reset")
        return render(request, "identity/reset.html", token=token, errors={})

    @post("/password/reset/{token:str}")
    async def reset(
        self, request: Req, here: NamedDependency[Scope], token: FromPath[str]
    ) -> Template | Redirect:
        values = await form_fields(request, "password")
        try:
            member = await account.reset_password(here, token, values["password"])
        except TokenRefused as exc:
            return _refused(request, exc, "reset")
        except ValidationFailed as exc:
            return render(
                request, "identity/reset.html", status_code=422, token=token, errors=exc.errors
            )
        await log_in(request, here, member)
        return see_other("/account?done=reset")


def _account(
    request: Req,
    here: Scope,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """The account page; `form` is the one whose `values` and `errors` are shown."""
    member = here.actor
    typed = {"display_name": member.display_name, "locale": member.locale, "email": ""}
    if form in ("profile", "email"):
        typed |= values or {}
    return render(
        request, "identity/account.html", status_code=status_code, headers=headers,
        member=member, form=form,
        values=typed, errors=errors or {}, languages=[(code, LANGUAGES[code]) for code in LOCALES],
        **context,
    )  # fmt: skip


def _account_too_many(
    request: Req, here: Scope, form: str, values: dict[str, str], exc: RateLimited
) -> Template:
    return _account(
        request, here, form, values, status_code=429, headers=rate_limited_headers(exc),
        too_many=rate_limited_message(request, exc),
    )  # fmt: skip


def _refused(request: Req, exc: TokenRefused, again: str) -> Template:
    """A link that opens nothing: why, and how to get a new one (a guessed one is a 404)."""
    status = 404 if exc.reason == "unknown" else 410
    return render(
        request, "identity/link_refused.html", status_code=status, message=exc.message,
        reason=exc.reason, again=again,
    )  # fmt: skip
