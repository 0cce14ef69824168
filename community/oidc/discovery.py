"""The provider as its discovery document describes it, and its signing keys.

Everything goes out through `community.net.outbound` (checked addresses, no redirects
followed, bounded answers), Authlib's OAuth client included: it gets a transport that sends
each of its requests through `Outbound.request`. Documents and key sets are cached per
issuer for `CACHE_SECONDS`; a key id the cached set does not have fetches the set again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import httpx2
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from community.errors import DomainError
from community.l10n import N_
from community.net.outbound import Outbound, OutboundError, parse_url

CACHE_SECONDS = 300.0
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
ISSUER_HTTPS = N_(
    "Enter the issuer as an https URL, such as https://id.example.com (http only for a "
    "provider on this machine that the operator allows)."
)
UNREACHABLE = N_("The identity provider could not be reached: %(reason)s")
BAD_DOCUMENT = N_("The identity provider's discovery document is not usable: %(reason)s")
ISSUER_MISMATCH = N_(
    "The discovery document names the issuer %(found)s, not %(configured)s: enter the "
    "issuer exactly as the provider spells it."
)
REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderUnavailable(DomainError):
    """The provider's documents could not be fetched or used; `message` says why."""

    status_code = 502


@dataclass(frozen=True)
class ProviderMetadata:
    """What Parvis uses of a discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    end_session_endpoint: str = ""
    token_auth_methods: tuple[str, ...] = ("client_secret_basic",)
    signing_algorithms: tuple[str, ...] = ("RS256",)

    @property
    def token_auth_method(self) -> str:
        """client_secret_basic unless the provider only takes client_secret_post."""
        methods = self.token_auth_methods
        if "client_secret_basic" in methods or "client_secret_post" not in methods:
            return "client_secret_basic"
        return "client_secret_post"


def issuer_problem(issuer: str, outbound: Outbound) -> str:
    """Why an issuer URL cannot be used ('' when it can): https, or http on this machine
    only where the operator allows the host (PARVIS_OUTBOUND_ALLOWED_HOSTS)."""
    try:
        url = parse_url(issuer)
    except OutboundError:
        return ISSUER_HTTPS
    if url.query or url.fragment or len(issuer) > 300:
        return ISSUER_HTTPS
    if url.scheme == "https":
        return ""
    host = url.host
    local = host in LOCAL_HOSTS and outbound.allowed.allows(host, url.port or 80)
    return "" if local else ISSUER_HTTPS


@dataclass
class _Cached:
    value: Any
    until: float


@dataclass
class ProviderCache:
    """Discovery documents and key sets by issuer, each for CACHE_SECONDS."""

    seconds: float = CACHE_SECONDS
    _entries: dict[tuple[str, str], _Cached] = field(default_factory=dict)

    def get(self, kind: str, issuer: str) -> Any:
        entry = self._entries.get((kind, issuer))
        return entry.value if entry and entry.until > time.monotonic() else None

    def put(self, kind: str, issuer: str, value: Any) -> None:
        self._entries[(kind, issuer)] = _Cached(value, time.monotonic() + self.seconds)

    def forget(self, issuer: str) -> None:
        for kind in ("metadata", "jwks"):
            self._entries.pop((kind, issuer), None)


CACHE = ProviderCache()


async def fetch_json(outbound: Outbound, url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        answer = await outbound.request("GET", url, **kwargs)
    except OutboundError as exc:
        raise ProviderUnavailable(UNREACHABLE % {"reason": exc.message}) from exc
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(UNREACHABLE % {"reason": str(exc) or type(exc).__name__}) from exc
    if answer.status_code != 200:
        raise ProviderUnavailable(UNREACHABLE % {"reason": f"HTTP {answer.status_code}"})
    try:
        document = answer.json()
    except ValueError as exc:
        raise ProviderUnavailable(BAD_DOCUMENT % {"reason": "not JSON"}) from exc
    if not isinstance(document, dict):
        raise ProviderUnavailable(BAD_DOCUMENT % {"reason": "not a JSON object"})
    return document


async def discover(outbound: Outbound, issuer: str, *, fresh: bool = False) -> ProviderMetadata:
    """The provider's metadata from `{issuer}/.well-known/openid-configuration`; its issuer
    must be the configured one, character for character (OpenID Connect Discovery §4.3)."""
    if not fresh and (cached := CACHE.get("metadata", issuer)):
        return cached  # type: ignore[no-any-return]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = await fetch_json(outbound, url)
    metadata = _metadata(issuer, document)
    CACHE.put("metadata", issuer, metadata)
    return metadata


def _metadata(issuer: str, document: dict[str, Any]) -> ProviderMetadata:
    found = document.get("issuer")
    if found != issuer:
        raise ProviderUnavailable(ISSUER_MISMATCH % {"found": found, "configured": issuer})
    missing = [name for name in REQUIRED if not isinstance(document.get(name), str)]
    if missing:
        raise ProviderUnavailable(BAD_DOCUMENT % {"reason": "no " + ", ".join(missing)})
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        userinfo_endpoint=_text(document.get("userinfo_endpoint")),
        end_session_endpoint=_text(document.get("end_session_endpoint")),
        token_auth_methods=_texts(
            document.get("token_endpoint_auth_methods_supported"), ("client_secret_basic",)
        ),
        signing_algorithms=_texts(
            document.get("id_token_signing_alg_values_supported"), ("RS256",)
        ),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _texts(value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    return default


async def signing_keys(
    outbound: Outbound, metadata: ProviderMetadata, *, fresh: bool = False
) -> KeySet:
    """The provider's JSON Web Key Set (cached; `fresh` after a key id it lacked)."""
    if not fresh and (cached := CACHE.get("jwks", metadata.issuer)):
        return cached  # type: ignore[no-any-return]
    document = await fetch_json(outbound, metadata.jwks_uri)
    try:
        keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ProviderUnavailable(BAD_DOCUMENT % {"reason": "unreadable keys"}) from exc
    CACHE.put("jwks", metadata.issuer, keys)
    return keys


class OutboundTransport(httpx2.AsyncBaseTransport):
    """A transport for Authlib's client (built on httpx2, httpx's successor) that sends
    each request through `Outbound.request`."""

    def __init__(self, outbound: Outbound) -> None:
        self.outbound = outbound

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
        answer = await self.outbound.request(
            request.method, str(request.url), headers=headers, content=await request.aread()
        )
        return httpx2.Response(
            answer.status_code, headers=answer.headers, content=answer.content, request=request
        )
