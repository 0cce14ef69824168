"""The brand's look, set by its community admins: name, locale, colours (refused when they
fail WCAG AA contrast), font, header and footer links, terms and privacy addresses, custom
CSS (sanitised, scoped), and the uploaded logo and favicon. Every change is audited.

The look is stored in `tenants.theme` (what pages read, through the cached TenantInfo: the
web layer forgets that cache after a change) and the files in `brand_assets`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlsplit

from PIL import Image
from sqlalchemy import delete, select

from community.colours import contrast_ratio, normalised
from community.errors import NotFound, require
from community.identity.permissions import Permission
from community.imaging import decoded, encoded, square
from community.l10n import LOCALES, N_
from community.moderation.audit import record
from community.scope import Scope
from community.tenancy.css import MAX_CSS_CHARS, sanitise
from community.tenancy.look import FONTS, Look, font_key
from community.tenancy.models import DEFAULT_THEME, BrandAsset, Tenant

ImageKind = Literal["logo", "favicon"]
COLOURS = ("primary", "accent", "background", "text")
AA_RATIO = 4.5
BUTTON_TEXT = "#ffffff"  # .button-primary's letters (static/css/parvis.css)
HEADER_LINKS, FOOTER_LINKS = 5, 6
MAX_LABEL, MAX_URL, MAX_NAME = 40, 500, 200
LOGO_BOX = (600, 200)
FAVICON_SIDE = 64

ADMINS_ONLY = N_("Only community admins can change the brand.")
BAD_COLOUR = N_("Enter a colour as #rrggbb, such as #2f5bea.")
TEXT_UNREADABLE = N_(
    "Text on this background has a contrast of %(ratio)s:1; WCAG AA needs at least 4.5:1."
)
BUTTON_UNREADABLE = N_(
    "White button text on this primary colour has a contrast of %(ratio)s:1; WCAG AA needs at least 4.5:1."
)
EMPTY_NAME = N_("The name cannot be empty.")
LONG_NAME = N_("The name can have at most 200 characters.")
BAD_LOCALE = N_("Choose English or French.")
BAD_FONT = N_("Choose one of the fonts listed.")
BAD_URL = N_("Enter an address starting with https:// or http://.")
LINK_NEEDS_BOTH = N_("A link needs both a label (at most 40 characters) and an address.")
CSS_TOO_LONG = N_("The custom CSS can have at most 20,000 characters.")
NO_SUCH_FILE = N_("No such file.")


@dataclass(frozen=True)
class BrandForm:
    """The brand settings as typed (or as stored, to show them)."""

    name: str = ""
    locale: str = "en"
    colours: dict[str, str] = field(default_factory=dict)
    font: str = "system"
    header_links: list[tuple[str, str]] = field(default_factory=list)
    footer_links: list[tuple[str, str]] = field(default_factory=list)
    terms_url: str = ""
    privacy_url: str = ""
    custom_css: str = ""


@dataclass(frozen=True)
class BrandSaved:
    form: BrandForm
    dropped_css: list[str]  # what the sanitiser took out of the custom CSS


def require_admin(scope: Scope) -> None:
    scope.require(Permission.CONFIGURE_COMMUNITY, ADMINS_ONLY)


async def brand_form(scope: Scope) -> BrandForm:
    require_admin(scope)
    tenant = await scope.one(Tenant, scope.tenant_id)
    theme = tenant.theme
    look = Look.of(theme)
    return BrandForm(
        name=tenant.name,
        locale=tenant.locale,
        colours={key: tenant.theme_value(key) for key in COLOURS},
        font=font_key(tenant.theme_value("font")),
        header_links=[(link.label, link.url) for link in look.header_links],
        footer_links=[(link.label, link.url) for link in look.footer_links],
        terms_url=str(theme.get("terms_url", "")),
        privacy_url=str(theme.get("privacy_url", "")),
        custom_css=str(theme.get("custom_css_source", "")),
    )


def check_brand(form: BrandForm) -> tuple[BrandForm, dict[str, str]]:
    """The form tidied (colours as #rrggbb, empty link rows gone) and its problems by field."""
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not name:
        errors["name"] = EMPTY_NAME
    elif len(name) > MAX_NAME:
        errors["name"] = LONG_NAME
    if form.locale not in LOCALES:
        errors["locale"] = BAD_LOCALE
    if form.font not in FONTS:
        errors["font"] = BAD_FONT
    colours = {key: normalised(form.colours.get(key, "")) or "" for key in COLOURS}
    errors |= {key: BAD_COLOUR for key, value in colours.items() if not value}
    errors |= _contrast_errors(colours)
    for key in ("terms_url", "privacy_url"):
        if getattr(form, key).strip() and not _web_address(getattr(form, key).strip()):
            errors[key] = BAD_URL
    header = _links("header", form.header_links, HEADER_LINKS, errors)
    footer = _links("footer", form.footer_links, FOOTER_LINKS, errors)
    if len(form.custom_css) > MAX_CSS_CHARS:
        errors["custom_css"] = CSS_TOO_LONG
    tidy = replace(
        form, name=name, colours=colours, header_links=header, footer_links=footer,
        terms_url=form.terms_url.strip(), privacy_url=form.privacy_url.strip(),
    )  # fmt: skip
    return tidy, errors


def _contrast_errors(colours: dict[str, str]) -> dict[str, str]:
    errors = {}
    if colours["text"] and colours["background"]:
        ratio = contrast_ratio(colours["text"], colours["background"])
        if ratio < AA_RATIO:
            errors["text"] = TEXT_UNREADABLE % {"ratio": f"{ratio:.2f}"}
    if colours["primary"]:
        ratio = contrast_ratio(BUTTON_TEXT, colours["primary"])
        if ratio < AA_RATIO:
            errors["primary"] = BUTTON_UNREADABLE % {"ratio": f"{ratio:.2f}"}
    return errors


def _links(
    prefix: str, rows: list[tuple[str, str]], limit: int, errors: dict[str, str]
) -> list[tuple[str, str]]:
    kept = []
    for index, (label, url) in enumerate(rows[:limit]):
        label, url = label.strip(), url.strip()
        if not label and not url:
            continue
        if not label or len(label) > MAX_LABEL or not url:
            errors[f"{prefix}_{index}"] = LINK_NEEDS_BOTH
        elif not _web_address(url):
            errors[f"{prefix}_{index}"] = BAD_URL
        kept.append((label, url))
    return kept


def _web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and len(url) <= MAX_URL


async def update_brand(scope: Scope, form: BrandForm) -> BrandSaved:
    """Save the brand settings (audited); ValidationFailed marks the fields in error."""
    require_admin(scope)
    form, errors = check_brand(form)
    require(errors)
    tenant = await scope.one(Tenant, scope.tenant_id)
    before = {"name": tenant.name, "locale": tenant.locale, **_audited(tenant.theme)}
    css = sanitise(form.custom_css, await _image_digests(scope))
    theme = dict(tenant.theme) | {key: form.colours[key] for key in COLOURS}
    theme |= {
        "font": FONTS[form.font][1],
        "header_links": [list(link) for link in form.header_links],
        "footer_links": [list(link) for link in form.footer_links],
        "terms_url": form.terms_url,
        "privacy_url": form.privacy_url,
        "custom_css_source": form.custom_css,
        "css_url": await _stylesheet(scope, css.css, theme.get("css_url", "")),
    }
    tenant.name, tenant.locale, tenant.theme = form.name, form.locale, theme
    after = {"name": tenant.name, "locale": tenant.locale, **_audited(theme)}
    record(scope, "brand.update", ("tenant", tenant.id), before=before, after=after)
    await scope.db.flush()
    return BrandSaved(form, css.dropped)


def _audited(theme: dict[str, Any]) -> dict[str, Any]:
    keys = (*COLOURS, "font", "header_links", "footer_links", "terms_url", "privacy_url")
    return {key: theme.get(key, DEFAULT_THEME.get(key, "")) for key in keys} | {
        "custom_css": theme.get("custom_css_source", "")
    }


async def _stylesheet(scope: Scope, css: str, previous_url: str) -> str:
    """The address of the sanitised stylesheet ('' for none); the one it replaces goes."""
    url = await _store(scope, "css", "text/css", css.encode()) if css else ""
    if previous_url and previous_url != url:
        old = previous_url.removeprefix("/brand/").removesuffix(".css")
        await scope.db.execute(
            delete(BrandAsset).where(BrandAsset.kind == "css", BrandAsset.digest == old)
        )
    return url


async def _image_digests(scope: Scope) -> set[str]:
    rows = await scope.db.scalars(
        select(BrandAsset.digest).where(BrandAsset.kind.in_(["logo", "favicon"]))
    )
    return set(rows)


async def _store(scope: Scope, kind: str, media_type: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:32]
    found = await scope.db.scalar(select(BrandAsset.id).where(BrandAsset.digest == digest))
    if found is None:
        scope.db.add(BrandAsset(digest=digest, kind=kind, media_type=media_type, content=content))
        await scope.db.flush()
    return f"/brand/{digest}.{'css' if media_type == 'text/css' else 'png'}"


# ---- logo and favicon -----------------------------------------------------------------------


def image_kind(kind: str) -> ImageKind:
    """The image a path names; NotFound for anything but the logo and the favicon."""
    if kind == "logo":
        return "logo"
    if kind == "favicon":
        return "favicon"
    raise NotFound(NO_SUCH_FILE)


async def set_image(scope: Scope, kind: ImageKind, data: bytes, declared_type: str = "") -> str:
    """Check, re-encode and keep the logo or favicon (audited); returns its address."""
    require_admin(scope)
    image = decoded(data, kind, declared_type)
    url = await _store(scope, kind, "image/png", _reshaped(image, kind))
    await _set_theme_url(scope, f"{kind}_url", url, f"brand.{kind}")
    return url


async def remove_image(scope: Scope, kind: ImageKind) -> None:
    require_admin(scope)
    await _set_theme_url(scope, f"{kind}_url", "", f"brand.{kind}")


def _reshaped(image: Image.Image, kind: ImageKind) -> bytes:
    if kind == "favicon":
        return encoded(
            square(image).resize((FAVICON_SIDE, FAVICON_SIDE), Image.Resampling.LANCZOS), "PNG"
        )
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    return encoded(image, "PNG", optimize=True)


async def _set_theme_url(scope: Scope, key: str, url: str, action: str) -> None:
    tenant = await scope.one(Tenant, scope.tenant_id)
    before = str(tenant.theme.get(key, ""))
    tenant.theme = dict(tenant.theme) | {key: url}
    record(scope, action, ("tenant", tenant.id), before={key: before}, after={key: url})
    await scope.db.flush()


async def brand_file(scope: Scope, name: str) -> BrandAsset:
    """A file of this tenant's brand by its served name (`<digest>.png` or `.css`)."""
    digest, _, extension = name.partition(".")
    asset = await scope.db.scalar(select(BrandAsset).where(BrandAsset.digest == digest))
    expected = "css" if asset is not None and asset.media_type == "text/css" else "png"
    if asset is None or extension != expected:
        raise NotFound(NO_SUCH_FILE)
    return asset
