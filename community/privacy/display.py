"""How pages show a member: their name (or "Deleted member" in the reader's language once
the account is erased) and their avatar (the uploaded image, or initials)."""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from community.l10n.jinja import localizer_of
from community.privacy import avatars
from community.privacy.erasure import ERASED_NAME


@pass_context
def name_of(context: Context, person: Any) -> str:
    if person is None:
        return "—"
    if getattr(person, "erased_at", None) is not None:
        return localizer_of(context).translate(ERASED_NAME)
    return str(person.display_name)


@pass_context
def avatar_of(context: Context, person: Any, size: int = 64) -> dict[str, str]:
    """What the avatar partial draws: the image's address, or the initials and colours."""
    digest = "" if getattr(person, "erased_at", None) else getattr(person, "avatar", "")
    if digest:
        return {"url": avatars.avatar_url(digest, size)}
    tenant = context.get("tenant")
    theme = getattr(tenant, "theme", None) or {}
    background = avatars.brand_colour(str(theme.get("primary", "")))
    return {
        "initials": avatars.initials(name_of(context, person)),
        "background": background,
        "ink": avatars.ink_on(background),
    }


TEMPLATE_GLOBALS = {"name_of": name_of, "avatar_of": avatar_of}
