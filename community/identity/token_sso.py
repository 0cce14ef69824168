"""Signing a member in with a brand's signed token (the way DiscourseConnect and jsConnect do).

    outcome = await sign_in_with_token(scope, jwt, context)

verifies the token (community.identity.token_verify), uses up its `jti` (kept, hashed,
until the token expires, so a replay is refused), and hands the profile to
`sign_in_external`. When the token's verified email belongs to an existing account, nothing
is signed in yet: the profile waits in a `PendingTokenLink` for a few minutes, under a random
key only the confirmation form carries, until the person proves the account is theirs with
its password (`confirm_link`). Attempts are limited per client address.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from community import limits
from community.crypto import Unsealable
from community.db import utcnow
from community.identity import services
from community.identity.external import ExternalProfile, LinkNeedsConfirmation, sign_in_external
from community.identity.models import Member
from community.identity.token_models import HS256, PendingTokenLink, UsedTokenId
from community.identity.token_settings import claim_names, secret_of, stored_settings
from community.identity.token_verify import (
    NO_SECRET,
    NOT_ENABLED,
    Expected,
    TokenRefused,
    TokenUnavailable,
    VerifiedToken,
    verify,
)
from community.l10n import N_
from community.limits import Rule
from community.net.outbound import Outbound
from community.scope import Scope
from community.web.client import rate_limit_key

PER_ADDRESS = Rule(limit=30, period=60)
PENDING_LIFETIME = timedelta(minutes=10)
REPLAYED = N_("This sign-in token was already used: go back to the brand's site and try again.")
LINK_EXPIRED = N_(
    "This confirmation has expired or was already used: go back to the brand's site and sign "
    "in again."
)


@dataclass(frozen=True)
class TokenContext:
    """What the request brings besides the token."""

    secret_key: str  # the deployment's, that sealed the tenant's HS256 secret
    default_audience: str  # the community's canonical URL
    outbound: Outbound
    address: str  # the client's, for the rate limit
    return_to: str = "/"
    embedded: bool = False  # signed in inside the brand's iframe


@dataclass(frozen=True)
class TokenOutcome:
    """Either the member to log in, or the account the person must confirm is theirs."""

    member: Member
    confirm_key: str = ""  # set when the person must confirm: the form carries it


@dataclass(frozen=True)
class Confirmed:
    member: Member
    return_to: str
    embedded: bool


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def sign_in_with_token(scope: Scope, token: str, context: TokenContext) -> TokenOutcome:
    """The member a valid token signs in (found, linked or created), or the account to
    confirm; TokenRefused (401), Forbidden or RateLimited otherwise, with nothing changed."""
    await limits.hit(scope, "token_sign_in", rate_limit_key(context.address), PER_ADDRESS)
    row = await stored_settings(scope)
    if row is None or not row.enabled:
        raise TokenRefused(NOT_ENABLED)
    secret = ""
    if row.algorithm == HS256:
        try:
            secret = secret_of(context.secret_key, row)
        except Unsealable as exc:
            raise TokenUnavailable(NO_SECRET) from exc
    expected = Expected(row.issuer, row.audience or context.default_audience,
                        row.max_lifetime_seconds, claim_names(row))  # fmt: skip
    verified = await verify(token, row, expected, secret=secret, outbound=context.outbound)
    await _use_up(scope, verified)
    try:
        member = await sign_in_external(scope, verified.profile)
    except LinkNeedsConfirmation as needed:
        key = await _keep_pending(scope, needed.member, verified.profile, context)
        return TokenOutcome(needed.member, key)
    _refuse_suspended(member)
    return TokenOutcome(member)


async def _use_up(scope: Scope, verified: VerifiedToken) -> None:
    """Keep the token's jti until it expires; a jti already kept is a replay."""
    now = utcnow()
    await scope.db.execute(delete(UsedTokenId).where(UsedTokenId.expires_at < now))
    digest = _digest(verified.jti)
    if await scope.db.scalar(select(UsedTokenId.id).where(UsedTokenId.jti_hash == digest)):
        raise TokenRefused(REPLAYED)
    expires = datetime.fromtimestamp(verified.expires_at, UTC) + timedelta(minutes=1)
    scope.db.add(UsedTokenId(jti_hash=digest, expires_at=max(expires, now)))
    try:
        async with scope.db.begin_nested():
            await scope.db.flush()
    except IntegrityError as exc:  # the same token sent twice at once
        raise TokenRefused(REPLAYED) from exc


def _refuse_suspended(member: Member) -> None:
    if member.banned_until is not None and member.is_banned(utcnow()):
        raise services.Suspended(member.banned_until, member.ban_reason)


async def _keep_pending(
    scope: Scope, member: Member, profile: ExternalProfile, context: TokenContext
) -> str:
    now = utcnow()
    await scope.db.execute(delete(PendingTokenLink).where(PendingTokenLink.expires_at < now))
    key = secrets.token_urlsafe(32)
    pending = PendingTokenLink(
        key_hash=_digest(key), member_id=member.id, profile=asdict(profile),
        return_to=context.return_to[:500], embedded=context.embedded,
        expires_at=now + PENDING_LIFETIME,
    )  # fmt: skip
    scope.db.add(pending)
    await scope.db.flush()
    return key


async def pending_member(scope: Scope, key: str) -> Member:
    """The account a confirmation key asks about; TokenRefused when it expired or is unknown."""
    pending = await _pending(scope, key)
    return await scope.one(Member, pending.member_id)


async def _pending(scope: Scope, key: str) -> PendingTokenLink:
    found = await scope.db.scalar(
        select(PendingTokenLink).where(
            PendingTokenLink.key_hash == _digest(key), PendingTokenLink.expires_at > utcnow()
        )
    )
    if found is None or not key:
        raise TokenRefused(LINK_EXPIRED)
    return found


async def confirm_link(scope: Scope, key: str, password: str, *, address: str) -> Confirmed:
    """The person typed the existing account's password: link the token's identity to it.
    A wrong password is `ValidationFailed({"password": …})`, held to the login limits."""
    pending = await _pending(scope, key)
    account = await scope.one(Member, pending.member_id)
    return_to, embedded, profile = pending.return_to, pending.embedded, dict(pending.profile)
    await services.authenticate(scope, account.email, password, address=address)
    pending = await _pending(scope, key)  # authenticate committed: read it again
    await scope.db.delete(pending)
    member = await sign_in_external(scope, ExternalProfile(**profile), confirmed_link=True)
    return Confirmed(member, return_to, embedded)
