"""Rendering pages and fragments with the context every template expects."""

from __future__ import annotations

import re
import time
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template
from markupsafe import Markup

from community.escalation import labels
from community.escalation.services import may_wait_on_asker
from community.i18n import time_ago, translator
from community.ideas.models import STATUS_LABELS
from community.identity.permissions import Permission, has_permission
from community.moderation.services import REASON_LABELS as MODERATION_REASONS
from community.notify.models import NOTIFICATION_TEXTS
from community.tenancy.services import TenantInfo
from community.web.context import is_htmx

VISIBILITY_LABELS = {
    "pending": "Awaiting review",
    "hidden": "Hidden pending review",
    "rejected": "Rejected by a moderator",
}


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    tenant: TenantInfo | None = request.state.get("tenant")
    locale = tenant.locale if tenant else "en"
    viewer = request.state.get("viewer")
    return {
        "tenant": tenant,
        "locale": locale,
        "viewer": viewer,
        "can": lambda permission: has_permission(viewer, Permission(permission)),
        "rank": tenant.rules.rank if tenant else str,
        "_": translator(locale),
        "ago": lambda moment: time_ago(moment, locale),
        "htmx": is_htmx(request),
        "status_labels": STATUS_LABELS,
        "reason_labels_mod": MODERATION_REASONS,
        "visibility_labels": VISIBILITY_LABELS,
        "notification_texts": NOTIFICATION_TEXTS,
        "state_labels": labels.STATE_LABELS,
        "rule_labels": labels.RULE_LABELS,
        "priority_labels": labels.PRIORITY_LABELS,
        "event_labels": labels.EVENT_LABELS,
        "may_wait_on_asker": may_wait_on_asker,
        "now_ts": time.time(),
        "path": request.url.path,
    }


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


async def form_fields(request: Request[Any, Any, Any], *names: str) -> dict[str, str]:
    """Named fields of a submitted form, as stripped-of-nothing strings ('' when absent)."""
    form = await request.form()
    return {name: str(form.get(name, "")) for name in names}
