"""A community admin sets up signed-token sign-in (the brand's server signs a short JWT).

HS256 uses a secret Parvis makes: sealed at rest (purpose "sso-token-secret") and shown
once, on the answer that made it (the first save with HS256, or a rotation), never again.
RS256 uses the brand's JWKS URL, which must be an address `community.net.outbound` calls.
The embed origins (brand pages allowed to frame the community) are saved with these
settings but kept in the tenant's preferences (see community.tenancy.embedding). Every
change is audited, without the secret.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from community.crypto import Unsealable, seal, unseal
from community.errors import require
from community.identity.models import Member
from community.identity.permissions import Permission
from community.identity.token_models import ALGORITHMS, HS256, RS256, TokenSettings
from community.inputs import parse_int
from community.l10n import N_
from community.moderation.audit import record
from community.net.outbound import Outbound, OutboundError
from community.scope import Scope
from community.tenancy.embedding import embed_origins, parse_origins
from community.tenancy.models import Tenant

SECRET_PURPOSE = "sso-token-secret"
SECRET_BYTES = 32
DEFAULT_LIFETIME = 300
LIFETIME_RANGE = (30, 3600)
# What each field of a member's profile is read from in the token, unless the admin maps it.
CLAIM_FIELDS = ("sub", "email", "email_verified", "name", "customer_id", "customer_tier")
DEFAULT_CLAIMS = {name: name for name in CLAIM_FIELDS}
TEXT_LIMIT = 300
ADMINS_ONLY = N_("Only community admins can change the sign-in settings.")
NEED_ISSUER = N_("Enter the issuer your tokens carry in iss, such as https://www.example.com.")
NEED_JWKS = N_("Enter the https address of your JWKS, such as https://www.example.com/jwks.json.")
BAD_ALGORITHM = N_("Choose HS256 (a shared secret) or RS256 (your public keys).")
BAD_LIFETIME = N_("Enter a whole number of seconds from 30 to 3600.")
BAD_CLAIM = N_("A claim name is 1 to 100 letters, digits, _ - . or :.")
TOO_LONG = N_("At most 300 characters.")


def require_admin(scope: Scope) -> Member:
    return scope.require(Permission.CONFIGURE_COMMUNITY, ADMINS_ONLY)


@dataclass(frozen=True)
class TokenForm:
    """The settings form as typed (or as stored, to show it)."""

    enabled: bool = False
    algorithm: str = HS256
    jwks_url: str = ""
    issuer: str = ""
    audience: str = ""
    max_lifetime: str = str(DEFAULT_LIFETIME)
    origins: str = ""  # one a line
    claims: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CLAIMS))


@dataclass(frozen=True)
class TokenSetup:
    """The admin page's view: the form, whether a secret exists, the default audience."""

    form: TokenForm
    has_secret: bool
    secret_unsealable: bool
    default_audience: str
    new_secret: str = ""  # made on this answer: shown now, never again


async def stored_settings(scope: Scope) -> TokenSettings | None:
    found: TokenSettings | None = await scope.db.scalar(select(TokenSettings))
    return found


def claim_names(row: TokenSettings) -> dict[str, str]:
    """Field -> claim name, the defaults filled in."""
    stored = row.claims if isinstance(row.claims, dict) else {}
    return {name: str(stored.get(name) or name) for name in CLAIM_FIELDS}


def form_of(row: TokenSettings | None, preferences: dict[str, Any]) -> TokenForm:
    origins = "\n".join(embed_origins(preferences))
    if row is None:
        return TokenForm(origins=origins)
    return TokenForm(
        enabled=row.enabled, algorithm=row.algorithm, jwks_url=row.jwks_url, issuer=row.issuer,
        audience=row.audience, max_lifetime=str(row.max_lifetime_seconds), origins=origins,
        claims=claim_names(row),
    )  # fmt: skip


def secret_of(scope_secret_key: str, row: TokenSettings) -> str:
    """The HS256 secret in clear (to verify a token); Unsealable when the deployment's
    secret key changed since it was made."""
    return unseal(scope_secret_key, SECRET_PURPOSE, row.sealed_secret)


async def token_setup(
    scope: Scope, secret_key: str, default_audience: str, new_secret: str = ""
) -> TokenSetup:
    require_admin(scope)
    row = await stored_settings(scope)
    return _setup(row, scope.tenant.preferences, secret_key, default_audience, new_secret)


def _setup(
    row: TokenSettings | None,
    preferences: dict[str, Any],
    secret_key: str,
    default_audience: str,
    new_secret: str = "",
    form: TokenForm | None = None,
) -> TokenSetup:
    has_secret = bool(row and row.sealed_secret)
    unsealable = False
    if row is not None and has_secret and not new_secret:
        try:
            secret_of(secret_key, row)
        except Unsealable:
            unsealable = True
    return TokenSetup(form or form_of(row, preferences), has_secret, unsealable,
                      default_audience, new_secret)  # fmt: skip


def _text(value: str, name: str, errors: dict[str, str]) -> str:
    text = " ".join(value.split())
    if len(text) > TEXT_LIMIT:
        errors[name] = TOO_LONG
    return text


def _claims(typed: dict[str, str], errors: dict[str, str]) -> dict[str, str]:
    claims: dict[str, str] = {}
    for name in CLAIM_FIELDS:
        value = typed.get(name, "").strip() or name
        if not (len(value) <= 100 and all(c.isalnum() or c in "_-.:" for c in value)):
            errors[f"claim_{name}"] = BAD_CLAIM
        claims[name] = value
    return claims


async def _checked(
    form: TokenForm, outbound: Outbound
) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    errors: dict[str, str] = {}
    if form.algorithm not in ALGORITHMS:
        errors["algorithm"] = BAD_ALGORITHM
    values: dict[str, Any] = {
        "enabled": form.enabled,
        "algorithm": form.algorithm if form.algorithm in ALGORITHMS else HS256,
        "issuer": _text(form.issuer, "issuer", errors),
        "audience": _text(form.audience, "audience", errors),
        "jwks_url": _text(form.jwks_url, "jwks_url", errors),
        "claims": _claims(form.claims, errors),
    }
    lifetime = parse_int(form.max_lifetime, *LIFETIME_RANGE)
    if lifetime is None:
        errors["max_lifetime"] = BAD_LIFETIME
    values["max_lifetime_seconds"] = lifetime or DEFAULT_LIFETIME
    if form.enabled and not values["issuer"] and "issuer" not in errors:
        errors["issuer"] = NEED_ISSUER
    if values["algorithm"] == RS256 and "jwks_url" not in errors:
        await _check_jwks_url(values["jwks_url"], outbound, errors)
    origins, problem = parse_origins(form.origins)
    if problem:
        errors["origins"] = problem
    return values, origins, errors


async def _check_jwks_url(url: str, outbound: Outbound, errors: dict[str, str]) -> None:
    if not url:
        errors["jwks_url"] = NEED_JWKS
        return
    try:
        await outbound.check_url(url)
    except OutboundError as exc:
        errors["jwks_url"] = exc.message


def public_view(row: TokenSettings, origins: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """What the audit log keeps: everything but the secret (only whether there is one)."""
    return {
        "enabled": row.enabled, "algorithm": row.algorithm, "jwks_url": row.jwks_url,
        "issuer": row.issuer, "audience": row.audience,
        "max_lifetime_seconds": row.max_lifetime_seconds, "claims": dict(row.claims or {}),
        "has_secret": bool(row.sealed_secret), "origins": list(origins),
    }  # fmt: skip


async def save_settings(
    scope: Scope, form: TokenForm, *, secret_key: str, default_audience: str, outbound: Outbound
) -> TokenSetup:
    """Save the form (audited); ValidationFailed marks the fields in error. An HS256 setup
    without a secret gets one, returned in `new_secret` for this answer only."""
    require_admin(scope)
    values, origins, errors = await _checked(form, outbound)
    require(errors)
    row = await stored_settings(scope)
    tenant = await scope.one(Tenant, scope.tenant_id)
    before = public_view(row, embed_origins(tenant.preferences)) if row else None
    if row is None:
        row = TokenSettings()
        scope.db.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    new_secret = ""
    if row.algorithm == HS256 and not row.sealed_secret:
        new_secret = _new_secret(row, secret_key)
    tenant.preferences = dict(tenant.preferences) | {"embed": {"origins": origins}}
    await scope.db.flush()
    record(scope, "settings.sso_token", ("tenant", tenant.id),
           before=before, after=public_view(row, origins))  # fmt: skip
    return _setup(row, tenant.preferences, secret_key, default_audience, new_secret)


def _new_secret(row: TokenSettings, secret_key: str) -> str:
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row.sealed_secret = seal(secret_key, SECRET_PURPOSE, secret)
    return secret


async def rotate_secret(scope: Scope, *, secret_key: str, default_audience: str) -> TokenSetup:
    """A new HS256 secret (audited, not its value): tokens signed with the old one are
    refused at once. It is in this answer's `new_secret`, and nowhere else."""
    require_admin(scope)
    row = await stored_settings(scope)
    if row is None:
        row = TokenSettings(claims=dict(DEFAULT_CLAIMS))
        scope.db.add(row)
    secret = _new_secret(row, secret_key)
    await scope.db.flush()
    record(scope, "settings.sso_token.rotate_secret", ("tenant", scope.tenant_id),
           reason="token secret rotated")  # fmt: skip
    return _setup(row, scope.tenant.preferences, secret_key, default_audience, secret)
