"""Checking a brand's signed token (a JWT) with joserfc, before anyone is signed in.

The header's `alg` must be the tenant's algorithm (no "none", no HS256 token checked with an
RSA public key as its secret); the signature must verify with the tenant's HS256 secret or
with the brand's JWKS key named by `kid`; then `iss`, `aud`, `exp`, `iat` (and `nbf` when
present) with a small leeway, a lifetime (exp - iat) within the tenant's maximum, and a
`jti`. Whether that `jti` was already used is the caller's question (community.identity
.token_sso). Every refusal is a `TokenRefused` saying which check failed.

The brand's JWKS is fetched through `community.net.outbound`, kept `JWKS_TTL` seconds, and
fetched again early for a `kid` it does not hold (a key rotation), at most once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet, OctKey

from community.errors import DomainError
from community.identity.external import ExternalProfile
from community.identity.token_models import HS256, RS256, TokenSettings
from community.l10n import N_
from community.net.outbound import Outbound, OutboundError

LEEWAY = 30  # seconds of clock difference allowed between the brand's servers and ours
JWKS_TTL = 600.0
REFETCH_INTERVAL = 60.0
MAX_TOKEN_LENGTH = 8192
TOKEN_ISSUER = "token"  # ExternalProfile.issuer of every member signed in this way

MALFORMED = N_("This sign-in link does not carry a token Parvis can read.")
BAD_SIGNATURE = N_("The sign-in token's signature is wrong: it was not signed by the brand.")
WRONG_ALGORITHM = N_(
    "The sign-in token is signed with an algorithm this community does not accept."
)
UNKNOWN_KEY = N_("The sign-in token is signed with a key this community does not know.")
EXPIRED = N_("The sign-in token has expired: go back to the brand's site and try again.")
NOT_YET = N_("The sign-in token is not valid yet: check the clock of the brand's server.")
WRONG_AUDIENCE = N_("The sign-in token was made for another site (its audience is wrong).")
WRONG_ISSUER = N_("The sign-in token was made by an issuer this community does not trust.")
TOO_LONG_LIVED = N_("The sign-in token lives longer than this community allows.")
MISSING_CLAIM = N_("The sign-in token lacks a claim this community needs: %(claim)s.")
NOT_ENABLED = N_("Signing in with a token is not enabled in this community.")
NO_KEYS = N_("The brand's public keys could not be read: try again in a moment.")
NO_SECRET = N_("This community's token secret can no longer be read: an admin must rotate it.")


class TokenRefused(DomainError):
    """A token that does not sign anyone in; nothing was changed."""

    status_code = 401


class TokenUnavailable(TokenRefused):
    """The check could not be made (keys unreachable, secret unsealable): not the token's fault."""

    status_code = 503


@dataclass(frozen=True)
class VerifiedToken:
    profile: ExternalProfile
    jti: str
    expires_at: int  # the token's exp: its jti is kept until then


class JwksCache:
    """The brands' key sets by URL, shared by the requests of this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._sets: dict[str, tuple[float, KeySet]] = {}  # url -> (fetched at, keys)

    async def key(self, url: str, kid: str | None, outbound: Outbound) -> Any:
        now = self.clock()
        cached = self._sets.get(url)
        if cached is None or now - cached[0] > JWKS_TTL:
            cached = await self._fetch(url, outbound, now)
        found = _find(cached[1], kid)
        if found is None and now - cached[0] >= REFETCH_INTERVAL:
            cached = await self._fetch(url, outbound, now)  # the brand may have rotated keys
            found = _find(cached[1], kid)
        if found is None:
            raise TokenRefused(UNKNOWN_KEY)
        return found

    async def _fetch(self, url: str, outbound: Outbound, now: float) -> tuple[float, KeySet]:
        try:
            answer = await outbound.request("GET", url, headers={"Accept": "application/json"})
            answer.raise_for_status()
            keys = KeySet.import_key_set(answer.json())
        except (OutboundError, httpx.HTTPError, JoseError, ValueError, KeyError, TypeError) as exc:
            raise TokenUnavailable(NO_KEYS) from exc
        self._sets[url] = (now, keys)
        return self._sets[url]

    def forget(self) -> None:
        self._sets.clear()


def _find(keys: KeySet, kid: str | None) -> Any:
    try:
        key = keys.get_by_kid(kid)
    except (JoseError, ValueError):
        return None
    return key if key.key_type == "RSA" else None


JWKS = JwksCache()


def _header(token: str) -> dict[str, Any]:
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise TokenRefused(MALFORMED)
    try:
        header: dict[str, Any] = jws.extract_compact(token.encode("ascii")).headers()
    except (JoseError, ValueError, UnicodeError) as exc:
        raise TokenRefused(MALFORMED) from exc
    return header


async def _key(row: TokenSettings, header: dict[str, Any], secret: str, outbound: Outbound) -> Any:
    if row.algorithm == HS256:
        return OctKey.import_key(secret)
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise TokenRefused(UNKNOWN_KEY)
    return await JWKS.key(row.jwks_url, kid, outbound)


@dataclass(frozen=True)
class Expected:
    """What the tenant's settings expect of a token."""

    issuer: str
    audience: str
    max_lifetime: int
    claims: dict[str, str]  # profile field -> claim name


async def verify(
    token: str,
    row: TokenSettings,
    expected: Expected,
    *,
    secret: str,
    outbound: Outbound,
    now: int | None = None,
) -> VerifiedToken:
    """The profile a valid token vouches for; TokenRefused names the first check it fails."""
    header = _header(token)
    if header.get("alg") != row.algorithm or row.algorithm not in (HS256, RS256):
        raise TokenRefused(WRONG_ALGORITHM)
    key = await _key(row, header, secret, outbound)
    try:
        claims = jwt.decode(token, key, algorithms=[row.algorithm]).claims
    except BadSignatureError as exc:
        raise TokenRefused(BAD_SIGNATURE) from exc
    except JoseError as exc:
        raise TokenRefused(MALFORMED) from exc
    moment = int(time.time()) if now is None else now
    _check_claims(claims, expected, moment)
    return VerifiedToken(_profile(claims, expected.claims), str(claims["jti"]), int(claims["exp"]))


def _check_claims(claims: dict[str, Any], expected: Expected, now: int) -> None:
    registry = jwt.JWTClaimsRegistry(
        now=now, leeway=LEEWAY,
        iss={"essential": True, "value": expected.issuer},
        aud={"essential": True, "value": expected.audience},
        exp={"essential": True}, iat={"essential": True}, jti={"essential": True},
    )  # fmt: skip
    try:
        registry.validate(claims)
    except MissingClaimError as exc:
        raise TokenRefused(MISSING_CLAIM % {"claim": exc.claim}) from exc
    except ExpiredTokenError as exc:
        raise TokenRefused(EXPIRED) from exc
    except ClaimError as exc:
        raise TokenRefused(_claim_problem(exc.claim)) from exc
    if claims["exp"] - claims["iat"] > expected.max_lifetime:
        raise TokenRefused(TOO_LONG_LIVED)


def _claim_problem(claim: str) -> str:
    return {"aud": WRONG_AUDIENCE, "iss": WRONG_ISSUER, "iat": NOT_YET, "nbf": NOT_YET}.get(
        claim, MALFORMED
    )


def _text_claim(claims: dict[str, Any], name: str, required: bool = False) -> str:
    value = claims.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if value is None or value == "":
        if required:
            raise TokenRefused(MISSING_CLAIM % {"claim": name})
        return ""
    if not isinstance(value, str):
        raise TokenRefused(MALFORMED)
    return value


def _profile(claims: dict[str, Any], names: dict[str, str]) -> ExternalProfile:
    subject = _text_claim(claims, names["sub"], required=True)
    if len(subject) > 255:
        raise TokenRefused(MALFORMED)
    return ExternalProfile(
        issuer=TOKEN_ISSUER,
        subject=subject,
        email=_text_claim(claims, names["email"], required=True)[:320],
        email_verified=claims.get(names["email_verified"]) is True,
        display_name=_text_claim(claims, names["name"])[:200],
        customer_id=_text_claim(claims, names["customer_id"]),
        customer_tier=_text_claim(claims, names["customer_tier"]),
    )
