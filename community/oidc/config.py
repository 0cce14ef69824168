"""The admin's settings of the tenant's identity provider (audited), and what the sign-in
pages need of them: whether to show the button, and whether passwords are refused.

Break-glass: with "SSO only", registration is closed and password login refuses everyone
but the community's admins, so an admin can still get in when the provider is down or
misconfigured (and `parvis member create --role admin` makes a new admin from the CLI).
"""

from __future__ import annotations

from dataclasses import dataclass

from community.crypto import Unsealable, seal, unseal
from community.db import commit, utcnow
from community.errors import Forbidden, require
from community.identity.models import Member, Role
from community.identity.permissions import Permission
from community.inputs import control_errors, normalise_line
from community.l10n import N_
from community.moderation.audit import record
from community.net.outbound import Outbound, RefusedDestination
from community.oidc.discovery import CACHE, ProviderMetadata, discover, issuer_problem
from community.oidc.models import DEFAULT_SCOPES, OidcProvider
from community.scope import Scope

PURPOSE = "oidc-client-secret"
ADMINS_ONLY = N_("Only community admins can change single sign-on.")
SSO_ONLY = N_(
    "This community signs members in with %(label)s only: use the button to sign in or to "
    "create your account."
)
CLAIM_FIELDS = ("name_claim", "customer_id_claim", "tier_claim")
TEXT_FIELDS = ("label", "issuer", "client_id", "scopes", *CLAIM_FIELDS)
SWITCHES = ("enabled", "sso_only")
LENGTHS = {"label": 80, "issuer": 300, "client_id": 255, "scopes": 300} | dict.fromkeys(
    CLAIM_FIELDS, 100
)
DEFAULT_LABEL = N_("Sign in with your company account")
SECRET_UNREADABLE = N_(
    "The stored client secret was sealed under another secret key: enter it again."
)


@dataclass(frozen=True)
class SignInOption:
    """What the sign-in and registration pages show."""

    label: str
    sso_only: bool


@dataclass(frozen=True)
class ProviderForm:
    """The admin form as typed; an empty client secret keeps the stored one."""

    label: str = ""
    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    scopes: str = DEFAULT_SCOPES
    name_claim: str = "name"
    customer_id_claim: str = "customer_id"
    tier_claim: str = "customer_tier"
    enabled: bool = False
    sso_only: bool = False

    @classmethod
    def of(cls, provider: OidcProvider | None) -> ProviderForm:
        if provider is None:
            return cls()
        return cls(**{name: getattr(provider, name) for name in (*TEXT_FIELDS, *SWITCHES)})


async def provider_of(scope: Scope) -> OidcProvider | None:
    found = await scope.db.scalars(scope.select(OidcProvider).limit(1))
    return found.first()


async def enabled_provider(scope: Scope) -> OidcProvider | None:
    provider = await provider_of(scope)
    return provider if provider is not None and provider.enabled else None


async def sign_in_option(scope: Scope) -> SignInOption | None:
    provider = await enabled_provider(scope)
    return SignInOption(provider.label, provider.sso_only) if provider else None


async def refuse_passwords(scope: Scope, member: Member | None = None) -> None:
    """Forbidden when the tenant is SSO-only (registration; a password login, unless
    `member` is an admin: the break-glass way in)."""
    option = await sign_in_option(scope)
    if option is None or not option.sso_only:
        return
    if member is not None and member.role == Role.ADMIN:
        return
    refusal = SSO_ONLY % {"label": option.label}
    raise Forbidden(refusal)


def client_secret(scope_secret_key: str, provider: OidcProvider) -> str:
    try:
        return unseal(scope_secret_key, PURPOSE, provider.client_secret_sealed)
    except Unsealable:
        return ""


def require_admin(scope: Scope) -> Member:
    return scope.require(Permission.CONFIGURE_COMMUNITY, ADMINS_ONLY)


async def load_for_admin(scope: Scope) -> OidcProvider | None:
    require_admin(scope)
    return await provider_of(scope)


def secret_state(secret_key: str, provider: OidcProvider | None) -> str:
    """'' (none stored), 'kept' or 'unreadable' (sealed under another secret key)."""
    if provider is None or not provider.client_secret_sealed:
        return ""
    return "kept" if client_secret(secret_key, provider) else "unreadable"


def normalised(form: ProviderForm) -> ProviderForm:
    values = {name: normalise_line(getattr(form, name)) for name in TEXT_FIELDS}
    values["scopes"] = " ".join(values["scopes"].split()) or DEFAULT_SCOPES
    values["issuer"] = values["issuer"].strip()
    return ProviderForm(
        **values, client_secret=form.client_secret.strip(),
        enabled=form.enabled, sso_only=form.sso_only,
    )  # fmt: skip


def check(form: ProviderForm, outbound: Outbound, *, has_secret: bool) -> dict[str, str]:
    errors = control_errors([(name, getattr(form, name)) for name in TEXT_FIELDS])
    for name, limit in LENGTHS.items():
        if len(getattr(form, name)) > limit:
            errors.setdefault(name, N_("Too long."))
    for name in ("label", "issuer", "client_id", *CLAIM_FIELDS):
        if not getattr(form, name):
            errors.setdefault(name, N_("Required."))
    if form.issuer and (problem := issuer_problem(form.issuer, outbound)):
        errors.setdefault("issuer", problem)
    if "openid" not in form.scopes.split():
        errors.setdefault("scopes", N_("The scopes must include openid."))
    if not form.client_secret and not has_secret:
        errors["client_secret"] = N_("Enter the client secret the provider gave you.")
    if len(form.client_secret) > 1000:
        errors["client_secret"] = N_("Too long.")
    if form.sso_only and not form.enabled:
        errors["sso_only"] = N_("Single sign-on must be enabled to be the only way in.")
    return errors


async def save(
    scope: Scope, form: ProviderForm, outbound: Outbound, secret_key: str
) -> OidcProvider:
    """Create or change the tenant's provider (audited, without the secret); ValidationFailed
    marks the fields in error. The discovery cache of the issuer is dropped."""
    require_admin(scope)
    form = normalised(form)
    provider = await provider_of(scope)
    has_secret = secret_state(secret_key, provider) == "kept"
    errors = check(form, outbound, has_secret=has_secret)
    if "issuer" not in errors:
        await commit(scope.db)  # nothing held while the issuer's name resolves
        try:
            await outbound.check_url(form.issuer)  # a private address, or no address at all
        except RefusedDestination as exc:
            errors["issuer"] = exc.message
    require(errors)
    before = _audited(provider)
    if provider is None:
        provider = OidcProvider(label=form.label, issuer=form.issuer, client_id=form.client_id)
        scope.db.add(provider)
    for name in (*TEXT_FIELDS, *SWITCHES):
        setattr(provider, name, getattr(form, name))
    if form.client_secret:
        provider.client_secret_sealed = seal(secret_key, PURPOSE, form.client_secret)
    provider.updated_at = utcnow()
    await scope.db.flush()
    after = {**(_audited(provider) or {}), "secret_changed": bool(form.client_secret)}
    record(scope, "sso.configure", ("oidc_provider", provider.id), before=before, after=after)
    CACHE.forget(provider.issuer)
    return provider


def _audited(provider: OidcProvider | None) -> dict[str, object] | None:
    if provider is None:
        return None
    return {name: getattr(provider, name) for name in (*TEXT_FIELDS, *SWITCHES)}


async def test_discovery(scope: Scope, outbound: Outbound) -> ProviderMetadata:
    """The stored issuer's discovery document, fetched now (ProviderUnavailable says why not)."""
    provider = await load_for_admin(scope)
    if provider is None:
        raise Forbidden(N_("Save the provider's settings first."))
    return await discover(outbound, provider.issuer, fresh=True)
