"""Rendering pages and fragments with the context every template expects."""

from __future__ import annotations

import re
import time
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.response import Redirect, Template
from markupsafe import Markup

from community.errors import require
from community.inputs import control_errors
from community.l10n import SOURCE_LOCALE, Localizer, localizer
from community.tenancy.services import TenantInfo
from community.web.context import is_htmx
from community.web.headers import csp_nonce
from community.web.session_cookie import framed_by_brand


def localizer_for(tenant: TenantInfo | None, locale: str = "") -> Localizer:
    """The tenant's language (or `locale`, the one a member chose), and its time zone for
    dates: the one of its business calendar (escalation settings) when it has one, else UTC."""
    if tenant is None:
        return localizer(locale or SOURCE_LOCALE)
    timezone = tenant.settings.escalation.calendar.get("timezone") or "UTC"
    return localizer(locale or tenant.locale, str(timezone))


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What every page's templates read. Translating (`_`, `ngettext`, `| translate`) and
    formatting dates and numbers read `l10n`; the label tables are template globals that the
    capabilities register (community.wiring.register_template_globals)."""
    tenant: TenantInfo | None = request.state.get("tenant")
    viewer = request.state.get("viewer")
    l10n = localizer_for(tenant, getattr(viewer, "locale", ""))
    return {
        "tenant": tenant,
        "locale": l10n.locale,
        "l10n": l10n,
        "viewer": viewer,
        "rank": tenant.rules.rank if tenant else str,
        "htmx": is_htmx(request),
        "now_ts": time.time(),
        "path": request.url.path,
        "csp_nonce": csp_nonce(request.scope.setdefault("state", {})),
        "embedded": embedded_page(request),
        "widget": False,
    }


def embedded_page(request: Request[Any, Any, Any]) -> bool:
    """A page shown in a brand's iframe (`?embed=1`, as embed.js asks, or any navigation in
    a frame of a brand page): it drops the site's chrome and talks to the brand's page."""
    return request.query_params.get("embed") == "1" or framed_by_brand(request.scope)


def render(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    return Template(
        template_name=template_name,
        context=base_context(request) | context,
        status_code=status_code,
        headers=headers,
    )


CSS_UNSAFE = re.compile(r"[^A-Za-z0-9 #%(),.'\"_-]")


def css_value(value: object) -> Markup:
    """A theme value (colour, font list) made safe to print inside <style>: characters that
    could close the rule or the element are dropped, quotes are kept for font names."""
    return Markup(CSS_UNSAFE.sub("", str(value)))


def see_other(url: str) -> Redirect:
    """Post/redirect/get: a 303 so the browser GETs the new page."""
    return Redirect(path=url, status_code=303)


async def submitted_form(request: Request[Any, Any, Any]) -> FormMultiDict:
    """The submitted form, every value of it free of control characters (a field that has one
    is refused, by name, with ValidationFailed): what every page handler reads a form with."""
    form = await request.form()
    require(control_errors((key, str(value)) for key, value in form.multi_items()))
    return form


async def submitted_file(request: Request[Any, Any, Any], name: str) -> tuple[bytes, str]:
    """The bytes and declared content type of an uploaded file field (empty when the request
    has no such file, whatever its encoding: the service then says what is missing)."""
    upload = (await submitted_form(request)).get(name)
    if not isinstance(upload, UploadFile):
        return b"", ""
    return await upload.read(), upload.content_type


async def form_fields(request: Request[Any, Any, Any], *names: str) -> dict[str, str]:
    """Named fields of a submitted form, as stripped-of-nothing strings ('' when absent)."""
    form = await submitted_form(request)
    return {name: str(form.get(name, "")) for name in names}
