"""Registration, login and logout pages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from community.errors import ValidationFailed
from community.identity import services
from community.identity.models import Member
from community.tenancy.services import TenantInfo
from community.web.context import log_in, log_out
from community.web.render import form_fields, render, see_other


def per_address_and_host(request: Request[Any, Any, Any]) -> str:
    client = request.client.host if request.client else "unknown"
    return f"{request.headers.get('host', '')}:{client}"


# Per client address and community: guessing passwords or mass-registering gets a 429.
LOGIN_LIMIT = RateLimitConfig(
    rate_limit=("minute", 10), identifier_for_request=per_address_and_host, store="rate_limit_login"
)
REGISTER_LIMIT = RateLimitConfig(
    rate_limit=("hour", 10),
    identifier_for_request=per_address_and_host,
    store="rate_limit_register",
)


def safe_next(target: str) -> str:
    """Only same-site paths: an open redirect would let phishing borrow the brand's domain."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class IdentityPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(
        self,
        request: Request[Any, Any, Any],
        viewer: NamedDependency[Member | None],
        next: FromQuery[str] = "/",
    ) -> Template:
        return render(request, "identity/login.html", values={"email": ""}, errors={}, next=next)

    @post("/login", middleware=[LOGIN_LIMIT.middleware])
    async def login(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
    ) -> Template | Redirect:
        values = await form_fields(request, "email", "password", "next")
        try:
            member = await services.authenticate(db, tenant.id, values["email"], values["password"])
        except ValidationFailed as exc:
            return render(
                request,
                "identity/login.html",
                status_code=422,
                values=values,
                errors=exc.errors,
                next=values["next"],
            )
        except services.Suspended as exc:
            return render(
                request,
                "identity/login.html",
                status_code=403,
                values=values,
                errors={},
                suspended=exc,
                next=values["next"],
            )
        log_in(request, member)
        return see_other(safe_next(values["next"]))

    @get("/register")
    async def register_form(
        self,
        request: Request[Any, Any, Any],
        viewer: NamedDependency[Member | None],
        next: FromQuery[str] = "/",
    ) -> Template:
        values = {"email": "", "display_name": ""}
        return render(request, "identity/register.html", values=values, errors={}, next=next)

    @post("/register", middleware=[REGISTER_LIMIT.middleware])
    async def register(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
    ) -> Template | Redirect:
        values = await form_fields(request, "email", "display_name", "password", "next")
        try:
            member = await services.create_member(
                db,
                tenant.id,
                email=values["email"],
                display_name=values["display_name"],
                password=values["password"],
            )
        except ValidationFailed as exc:
            return render(
                request,
                "identity/register.html",
                status_code=422,
                values=values,
                errors=exc.errors,
                next=values["next"],
            )
        log_in(request, member)
        return see_other(safe_next(values["next"]))

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        log_out(request)
        return see_other("/")
