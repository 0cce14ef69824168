"""Security headers on every response Parvis sends: pages, JSON, static files, error pages,
redirects. One hook on the ASGI `send` of the whole app (Litestar's `before_send`), so the
router's own 404 and the static files get them too, which route-level headers miss."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from community.tenancy.embedding import embed_origins
from community.tenancy.services import TenantInfo

NONCE_KEY = "csp_nonce"
HSTS = "max-age=31536000; includeSubDomains"
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def csp_nonce(state: dict[str, Any]) -> str:
    """This request's nonce for an inline element (the theme's <style>), made on first use;
    the Content-Security-Policy of the response then allows it."""
    nonce: str = state.setdefault(NONCE_KEY, secrets.token_urlsafe(18))
    return nonce


def frame_ancestors(tenant: TenantInfo | None) -> str:
    """Who may frame this tenant's pages: itself, and the brand pages of its embed origins."""
    origins = embed_origins(tenant.preferences) if tenant else ()
    return " ".join(("'self'", *origins))


def image_sources(tenant: TenantInfo | None) -> str:
    """Images: our own, data: URIs (icons in stylesheets), and the tenant's logo's origin."""
    sources = "'self' data:"
    try:
        logo = urlsplit(tenant.theme.get("logo_url", "") if tenant else "")
    except ValueError:  # a logo address that does not parse adds no source
        return sources
    if logo.scheme in {"http", "https"} and logo.netloc and _is_plain_source(logo.netloc):
        sources += f" {logo.scheme}://{logo.netloc}"
    return sources


def _is_plain_source(netloc: str) -> bool:
    """A host[:port] that cannot add directives or sources to the policy."""
    return not any(c in netloc for c in " \t\r\n;,'\"@")


def content_security_policy(tenant: TenantInfo | None, nonce: str | None) -> str:
    styles = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            f"img-src {image_sources(tenant)}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors(tenant)}",
        ]
    )


class SecurityHeaders:
    """The `before_send` hook: adds the headers to each response's start message."""

    def __init__(self, *, always_https: bool) -> None:
        self.always_https = always_https  # secure cookies mean the site is served over HTTPS

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        state = scope.get("state", {})
        headers = MutableScopeHeaders.from_message(message)
        tenant = state.get("tenant")
        # Framed by its embed origins, a tenant's pages cannot say SAMEORIGIN (which browsers
        # that know frame-ancestors ignore anyway).
        embeddable = tenant is not None and bool(embed_origins(tenant.preferences))
        for name, value in FIXED_HEADERS.items():
            if not (embeddable and name == "X-Frame-Options"):
                headers[name] = value
        headers["Content-Security-Policy"] = content_security_policy(tenant, state.get(NONCE_KEY))
        if self.always_https or scope.get("scheme") == "https":
            headers["Strict-Transport-Security"] = HSTS
