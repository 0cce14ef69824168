"""The authorization code flow with PKCE (S256), `state` and `nonce`, for one tenant.

`start` keeps a one-time attempt row (the SHA-256 of `state`, the nonce, the PKCE verifier,
where to go back to; 10 minutes) and sends the browser to the provider. `finish` takes the
provider's answer: the attempt is deleted as it is found, so a state works once; the code is
exchanged with Authlib's httpx client (through `community.net.outbound`), and the ID token
verified with joserfc against the provider's keys: signature, iss, aud, exp, nonce, azp.
The member then comes from `sign_in_external`. When it asks for the person to confirm a
link to an existing account, the profile stays in a new attempt row (not in the browser),
found by a one-time token the confirmation form carries.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.errors import AuthlibBaseError  # type: ignore[import-untyped]
from authlib.integrations.httpx_client import AsyncOAuth2Client  # type: ignore[import-untyped]
from joserfc import jwt
from joserfc.errors import JoseError
from sqlalchemy import delete, select

from community import limits
from community.db import commit, utcnow
from community.errors import DomainError, NotFound
from community.identity import services
from community.identity.external import ExternalProfile, LinkNeedsConfirmation, sign_in_external
from community.identity.models import Member, MemberSession
from community.l10n import N_
from community.limits import Rule
from community.net.outbound import Outbound, OutboundError
from community.oidc.config import client_secret, enabled_provider
from community.oidc.discovery import (
    OutboundTransport,
    ProviderMetadata,
    ProviderUnavailable,
    discover,
    fetch_json,
    signing_keys,
)
from community.oidc.models import OidcProvider, OidcSession, SsoAttempt
from community.scope import Scope
from community.web.client import rate_limit_key

ATTEMPT_LIFETIME = timedelta(minutes=10)
STARTS_PER_ADDRESS = Rule(limit=30, period=60)
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
LEEWAY_SECONDS = 60

NOT_SET_UP = N_("Single sign-on is not set up for this community.")
UNKNOWN_STATE = N_(
    "This sign-in link is unknown, expired or already used. Go back to the sign-in page and "
    "start again."
)
PROVIDER_REFUSED = N_("Your identity provider did not sign you in: %(reason)s")
CODE_REFUSED = N_("Your identity provider refused the sign-in code: %(reason)s")
BAD_TOKEN = N_("The identity token from your provider is not valid (%(reason)s): not signed in.")
LINK_EXPIRED = N_("This confirmation has expired or was already used: sign in again.")


class SignInRefused(DomainError):
    """The provider's answer does not sign anyone in; `message` says why."""

    status_code = 400


@dataclass(frozen=True)
class SignedIn:
    member: Member
    issuer: str
    id_token: str
    return_to: str


@dataclass(frozen=True)
class LinkPending:
    """An existing account has the provider's verified email: its password confirms the link."""

    token: str  # one-time, carried by the confirmation form
    email: str
    label: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _client(provider: OidcProvider, secret: str, outbound: Outbound, **extra: Any) -> Any:
    return AsyncOAuth2Client(
        client_id=provider.client_id, client_secret=secret, scope=provider.scopes,
        code_challenge_method="S256", transport=OutboundTransport(outbound),
        trust_env=False, **extra,
    )  # fmt: skip


async def _provider(scope: Scope) -> OidcProvider:
    provider = await enabled_provider(scope)
    if provider is None:
        raise NotFound(NOT_SET_UP)
    return provider


async def start(
    scope: Scope, outbound: Outbound, *, return_to: str, redirect_uri: str, address: str
) -> str:
    """The provider's authorization URL for a new attempt (kept server-side)."""
    provider = await _provider(scope)
    await limits.hit(scope, "oidc_start", rate_limit_key(address), STARTS_PER_ADDRESS)
    await commit(
        scope.db
    )  # no transaction (nor SQLite's write lock) held while the provider answers
    metadata = await discover(outbound, provider.issuer)
    await scope.db.execute(delete(SsoAttempt).where(SsoAttempt.expires_at <= utcnow()))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    scope.db.add(
        SsoAttempt(
            state_hash=_digest(state), nonce=nonce, code_verifier=verifier,
            return_to=return_to[:500], expires_at=utcnow() + ATTEMPT_LIFETIME,
        )
    )  # fmt: skip
    async with _client(provider, "", outbound, redirect_uri=redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, code_verifier=verifier, nonce=nonce
        )
    return str(url)


async def _take_attempt(scope: Scope, token: str) -> SsoAttempt:
    """The attempt of this state (or link token), deleted now: it answers once."""
    attempt = await scope.db.scalar(
        scope.select(SsoAttempt).where(SsoAttempt.state_hash == _digest(token))
    )
    if attempt is None:
        raise SignInRefused(UNKNOWN_STATE)
    taken = await scope.db.execute(delete(SsoAttempt).where(SsoAttempt.id == attempt.id))
    # Committed now: a refusal further on rolls the request back, and must not bring it back.
    await commit(scope.db)
    if int(taken.rowcount) != 1 or attempt.expires_at <= utcnow():  # type: ignore[attr-defined]
        raise SignInRefused(UNKNOWN_STATE)
    return attempt


async def finish(
    scope: Scope,
    outbound: Outbound,
    secret_key: str,
    params: dict[str, str],
    *,
    redirect_uri: str,
) -> SignedIn | LinkPending:
    """The provider's answer at the callback: signed in, or a link waiting for confirmation.
    SignInRefused for a missing, unknown, used or expired state, an error from the provider,
    a refused code or an ID token that does not verify."""
    provider = await _provider(scope)
    state = params.get("state", "")
    if not state or len(state) > 200:
        raise SignInRefused(UNKNOWN_STATE)
    attempt = await _take_attempt(scope, state)
    if params.get("error"):
        reason = params.get("error_description") or params["error"]
        raise SignInRefused(PROVIDER_REFUSED % {"reason": reason[:300]})
    if params.get("iss") and params["iss"] != provider.issuer:  # RFC 9207: a mixed-up answer
        raise SignInRefused(PROVIDER_REFUSED % {"reason": "iss"})
    if not params.get("code"):
        raise SignInRefused(PROVIDER_REFUSED % {"reason": "no code"})
    metadata = await discover(outbound, provider.issuer)
    token = await _exchange(
        provider, metadata, client_secret(secret_key, provider), outbound,
        code=params["code"][:2000], verifier=attempt.code_verifier, redirect_uri=redirect_uri,
    )  # fmt: skip
    id_token = str(token.get("id_token") or "")
    claims = await verify_id_token(outbound, metadata, provider.client_id, id_token, attempt.nonce)
    claims = await _with_userinfo(outbound, metadata, provider, claims, token)
    profile = profile_of(provider, claims)
    return await _sign_in(scope, provider, profile, id_token, attempt.return_to)


async def _exchange(
    provider: OidcProvider,
    metadata: ProviderMetadata,
    secret: str,
    outbound: Outbound,
    *,
    code: str,
    verifier: str,
    redirect_uri: str,
) -> dict[str, Any]:
    method = metadata.token_auth_method
    async with _client(
        provider, secret, outbound, redirect_uri=redirect_uri, token_endpoint_auth_method=method
    ) as client:
        try:
            token = await client.fetch_token(
                metadata.token_endpoint, grant_type="authorization_code", code=code,
                code_verifier=verifier,
            )  # fmt: skip
        except AuthlibBaseError as exc:
            reason = exc.description or exc.error or "refused"
            raise SignInRefused(CODE_REFUSED % {"reason": str(reason)[:300]}) from exc
        except (OutboundError, httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(CODE_REFUSED % {"reason": str(exc)[:300]}) from exc
    return dict(token)


async def verify_id_token(
    outbound: Outbound, metadata: ProviderMetadata, client_id: str, id_token: str, nonce: str
) -> dict[str, Any]:
    """The ID token's claims, once its signature (the provider's keys), issuer, audience
    (this client), expiry, nonce and authorized party check out; SignInRefused otherwise."""
    if not id_token:
        raise SignInRefused(BAD_TOKEN % {"reason": "missing"})
    algorithms = [alg for alg in metadata.signing_algorithms if alg in ALGORITHMS]
    try:
        decoded = await _decode(outbound, metadata, id_token, algorithms)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": metadata.issuer},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(decoded.claims)
    except JoseError as exc:
        raise SignInRefused(BAD_TOKEN % {"reason": exc.description or exc.error}) from exc
    claims = decoded.claims
    if "azp" in claims and claims["azp"] != client_id:
        raise SignInRefused(BAD_TOKEN % {"reason": "azp"})
    return claims


async def _decode(
    outbound: Outbound, metadata: ProviderMetadata, id_token: str, algorithms: list[str]
) -> jwt.Token:
    keys = await signing_keys(outbound, metadata)
    try:
        return jwt.decode(id_token, keys, algorithms=algorithms)
    except ValueError:  # joserfc: no key of the set has the token's key id
        fresh = await signing_keys(outbound, metadata, fresh=True)  # the provider rotated
        return jwt.decode(id_token, fresh, algorithms=algorithms)


async def _with_userinfo(
    outbound: Outbound,
    metadata: ProviderMetadata,
    provider: OidcProvider,
    claims: dict[str, Any],
    token: dict[str, Any],
) -> dict[str, Any]:
    """The ID token's claims, completed from the userinfo endpoint when some are missing
    (providers may put only `sub` in the ID token); userinfo's `sub` must be the token's."""
    wanted = ("email", "email_verified", *mapped_claims(provider))
    access = token.get("access_token")
    if all(name in claims for name in wanted) or not metadata.userinfo_endpoint or not access:
        return claims
    info = await fetch_json(
        outbound, metadata.userinfo_endpoint, headers={"Authorization": f"Bearer {access}"}
    )
    if info.get("sub") != claims["sub"]:
        raise SignInRefused(BAD_TOKEN % {"reason": "userinfo sub"})
    return info | claims


def mapped_claims(provider: OidcProvider) -> tuple[str, str, str]:
    return provider.name_claim, provider.customer_id_claim, provider.tier_claim


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return str(value).strip() if isinstance(value, (str, int)) and value != "" else ""


def profile_of(provider: OidcProvider, claims: dict[str, Any]) -> ExternalProfile:
    verified = claims.get("email_verified")
    return ExternalProfile(
        issuer=provider.issuer,
        subject=str(claims["sub"])[:255],
        email=_claim(claims, "email")[:320],
        email_verified=verified is True or verified == "true",
        display_name=_claim(claims, provider.name_claim)[:80],
        customer_id=_claim(claims, provider.customer_id_claim),
        customer_tier=_claim(claims, provider.tier_claim),
    )


async def _sign_in(
    scope: Scope, provider: OidcProvider, profile: ExternalProfile, id_token: str, return_to: str
) -> SignedIn | LinkPending:
    try:
        member = await sign_in_external(scope, profile)
    except LinkNeedsConfirmation as pending:
        return _keep_for_link(scope, provider, profile, id_token, return_to, pending.member)
    _refuse_banned(member)
    return SignedIn(member, provider.issuer, id_token, return_to)


def _refuse_banned(member: Member) -> None:
    if member.banned_until is not None and member.is_banned(utcnow()):
        raise services.Suspended(member.banned_until, member.ban_reason)


def _keep_for_link(
    scope: Scope,
    provider: OidcProvider,
    profile: ExternalProfile,
    id_token: str,
    return_to: str,
    member: Member,
) -> LinkPending:
    token = secrets.token_urlsafe(32)
    scope.db.add(
        SsoAttempt(
            state_hash=_digest(token), nonce="", code_verifier="", return_to=return_to,
            expires_at=utcnow() + ATTEMPT_LIFETIME, profile=asdict(profile), id_token=id_token,
        )
    )  # fmt: skip
    return LinkPending(token, member.email, provider.label)


async def pending_link(scope: Scope, token: str) -> LinkPending:
    """The link waiting for this token (for the form shown again after a wrong password)."""
    provider = await _provider(scope)
    attempt = await scope.db.scalar(
        scope.select(SsoAttempt).where(SsoAttempt.state_hash == _digest(token[:200]))
    )
    if attempt is None or attempt.profile is None or attempt.expires_at <= utcnow():
        raise SignInRefused(LINK_EXPIRED)
    return LinkPending(token, str(attempt.profile["email"]), provider.label)


async def confirm_link(scope: Scope, token: str, password: str, *, address: str) -> SignedIn:
    """The existing account's password confirms the link: the account is linked to the
    provider's identity and signed in. ValidationFailed (wrong password) keeps the attempt."""
    provider = await _provider(scope)
    pending = await pending_link(scope, token)
    # authenticate is rate-limited and backs off per account; it commits before hashing.
    await services.authenticate(scope, pending.email, password, address=address)
    attempt = await _take_attempt(scope, token)
    if attempt.profile is None:
        raise SignInRefused(LINK_EXPIRED)
    profile = ExternalProfile(**attempt.profile)
    member = await sign_in_external(scope, profile, confirmed_link=True)
    _refuse_banned(member)
    return SignedIn(member, provider.issuer, attempt.id_token, attempt.return_to)


async def remember_session(scope: Scope, signed_in: SignedIn) -> None:
    """Keep the ID token with the session just opened, as logout's hint."""
    session_id = await scope.db.scalar(
        select(MemberSession.id)
        .where(MemberSession.member_id == signed_in.member.id)
        .order_by(MemberSession.id.desc())
        .limit(1)
    )
    if session_id is not None and signed_in.id_token:
        scope.db.add(
            OidcSession(session_id=session_id, issuer=signed_in.issuer, id_token=signed_in.id_token)
        )


async def end_session_url(
    scope: Scope, outbound: Outbound, session_id: int | None, after_logout: str
) -> str:
    """Where logout sends the browser when this session came from the provider and the
    provider has an end-session endpoint ('' otherwise, or when it cannot be reached)."""
    if session_id is None:
        return ""
    found = await scope.db.scalar(
        scope.select(OidcSession).where(OidcSession.session_id == session_id)
    )
    provider = await enabled_provider(scope)
    if found is None or provider is None or provider.issuer != found.issuer:
        return ""
    id_token = found.id_token
    await commit(scope.db)  # as in `start`: nothing held while the provider answers
    try:
        metadata = await discover(outbound, provider.issuer)
    except ProviderUnavailable:
        return ""
    if not metadata.end_session_endpoint:
        return ""
    query = urlencode(
        {"id_token_hint": id_token, "post_logout_redirect_uri": after_logout,
         "client_id": provider.client_id}
    )  # fmt: skip
    separator = "&" if "?" in metadata.end_session_endpoint else "?"
    return f"{metadata.end_session_endpoint}{separator}{query}"
