"""One way out: every request Parvis sends to an address a tenant chose goes through here.

A tenant admin types a contact centre's URL (later a webhook's, an identity provider's), and
Parvis calls it from inside the operator's network. So before any connection the host is
resolved once; *every* address it resolves to must be public — not loopback, private,
link-local, shared, multicast, reserved or unspecified, nor an IPv4-mapped, 6to4 or NAT64
spelling of one — and the connection goes to the address that was checked: a DNS answer that
changes between the check and the connection (rebinding) has nothing left to change. Numeric
spellings that resolvers accept (`2130706433`, `0x7f000001`, `127.1`, `017700000001`) are read
as the address they spell, and names under `localhost` are never public.

The operator names the internal hosts that may be reached all the same
(`PARVIS_OUTBOUND_ALLOWED_HOSTS`: host or host:port, matched exactly as the URL spells its
host). Redirects are never followed: a 3xx goes back to the caller, to report as a failure.

    outbound = Outbound.from_settings(settings)
    await outbound.check_url(url)                 # RefusedDestination, its message for the form
    response = await outbound.request("POST", url, json=body)
    destination = await outbound.check_host(host, port)   # other protocols: connect to
                                                          # destination.address yourself
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import httpx

from community.errors import DomainError
from community.l10n import N_

if TYPE_CHECKING:
    from community.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_ANSWER_BYTES = 1 << 20  # an answer is read into memory: a tenant's server cannot fill it
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the low 32 bits
NOT_PUBLIC = (ipaddress.ip_network("64:ff9b:1::/48"),)  # RFC 8215: a network's own NAT64

BAD_URL = N_("Enter an http(s) URL, such as https://example.com/path.")
PRIVATE = N_(
    "%(host)s is a local or private address. Enter a public address, or ask the platform's "
    "operator to allow this host."
)
NOT_FOUND = N_("%(host)s cannot be found: no address answers to this name. Check the spelling.")
TOO_LARGE = N_("%(host)s answered with more than %(size)s bytes: the answer was not read.")


class OutboundError(DomainError):
    """A request that was not sent, or whose answer was not taken; `message` says why."""

    retryable = False  # whether sending again later may go better


class RefusedDestination(OutboundError):
    """A destination Parvis does not call: a bad URL, or a local or private address."""

    status_code = 422


class UnresolvedHost(RefusedDestination):
    """No address answers to the name (now): refused at save, retried at send."""

    retryable = True


class AnswerTooLarge(OutboundError):
    status_code = 502


# ---- addresses -------------------------------------------------------------------------------


def _c_number(part: str) -> int:
    """One part of a numeric IPv4 spelling as inet_aton reads it: 0x hex, 0 octal, decimal."""
    if re.fullmatch(r"0x[0-9a-f]*", part):
        return int(part[2:] or "0", 16)
    if re.fullmatch(r"0[0-7]*", part):
        return int(part, 8)
    if re.fullmatch(r"[1-9][0-9]*", part):
        return int(part)
    raise ValueError(part)


def _inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """`127.1`, `2130706433`, `0x7f000001`, `017700000001`: the C library's spellings of an
    IPv4 address (the last part fills the bytes the others left), which getaddrinfo accepts."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    try:
        *leading, last = [_c_number(part) for part in parts]
    except ValueError:
        return None
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(parts)):
        return None
    return ipaddress.IPv4Address(sum(n << (24 - 8 * i) for i, n in enumerate(leading)) + last)


def literal_address(host: str) -> IPAddress | None:
    """The address a host spells as a number, however it is written; None for a name."""
    try:
        return ipaddress.ip_address(host.replace("%25", "%"))  # a URL quotes an IPv6 zone's %
    except ValueError:
        return _inet_aton(host.lower())


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: IPv4-mapped, 6to4 or NAT64."""
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.ipv4_mapped or address.sixtofour


def is_public(address: IPAddress) -> bool:
    """Whether the address is one anybody on the internet could have (and none of ours)."""
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded_ipv4(address)):
        return is_public(inner)
    if any(address in network for network in NOT_PUBLIC):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_link_local
        or address.is_loopback
        or address.is_private
        or getattr(address, "is_site_local", False)
    )


def _normal(host: str) -> str:
    """A host as it is compared: lower case, without the root's final dot (`localhost.`) or
    an IPv6 address's brackets."""
    text = host.strip().lower().rstrip(".")
    return text[1:-1] if text.startswith("[") and text.endswith("]") else text


def _is_localhost(name: str) -> bool:
    return name == "localhost" or name.endswith(".localhost")  # RFC 6761: always loopback


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses getaddrinfo gives for the name (what a plain connection would use)."""
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0])) for info in found))


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once and shared by every request.

    Building one loads the CA bundle: 20–60 ms of CPU, more than the rest of a contact-centre
    delivery (benchmarks/escalation_latency.py), and paid even by plain-http targets."""
    return httpx.create_ssl_context()


# ---- the allow-list and the checked destination ------------------------------------------------


def _allowed_entry(entry: str) -> tuple[str, int | None]:
    text = entry.strip().lower()
    bracketed = re.fullmatch(r"\[([^\]]+)\](?::(\d*))?", text)
    if bracketed:
        host, port = bracketed.group(1), bracketed.group(2)
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, None  # a name, an IPv4 address or a bare IPv6 address
    if not host or re.search(r"[*/\s]", host) or (port is not None and not _is_port(port)):
        raise ValueError(
            f"PARVIS_OUTBOUND_ALLOWED_HOSTS: {entry!r} is not host or host:port "
            "(exact names, no wildcards)"
        )
    return _normal(host), int(port) if port else None


def _is_port(text: str) -> bool:
    return text.isdigit() and 1 <= int(text) <= 65535


@dataclass(frozen=True)
class AllowedHosts:
    """Internal hosts the operator lets tenants reach, each on any port or on one only."""

    entries: frozenset[tuple[str, int | None]] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowedHosts:
        """From `["cc.internal:8443", "10.0.0.5"]`; ValueError for an entry that is neither."""
        return cls(frozenset(_allowed_entry(entry) for entry in entries if entry.strip()))

    def allows(self, host: str, port: int) -> bool:
        name = _normal(host)
        return (name, None) in self.entries or (name, port) in self.entries


@dataclass(frozen=True)
class Destination:
    """Where a request may go: the host as the URL spells it, and the address checked for it."""

    host: str  # lower case, no final dot: the TLS server name and the allow-list's key
    port: int
    address: IPAddress  # connect here, and nowhere else

    @property
    def is_name(self) -> bool:
        return literal_address(self.host) is None


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """An http(s) URL with a host, or RefusedDestination."""
    try:
        parsed = httpx.URL(str(url))
    except httpx.InvalidURL:
        raise RefusedDestination(BAD_URL) from None
    if parsed.scheme not in DEFAULT_PORTS or not parsed.raw_host:
        raise RefusedDestination(BAD_URL)
    return parsed


# ---- the client --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outbound:
    """The outbound client: what may be reached, how names are resolved, how long to wait.

    Immutable and bound to no event loop: the web process, the worker and the tests share
    one freely. Each request gets its own connection (see `request`)."""

    allowed: AllowedHosts = field(default_factory=AllowedHosts)
    resolver: Resolver = system_resolver
    timeout: float = 10.0  # seconds, for resolving and for each step of an exchange
    max_answer_bytes: int = MAX_ANSWER_BYTES
    tls: ssl.SSLContext | None = None  # None: the shared default (certificates from certifi)

    @classmethod
    def from_settings(cls, settings: Settings, resolver: Resolver = system_resolver) -> Outbound:
        allowed = AllowedHosts.parse(settings.outbound_allowed_hosts)
        return cls(allowed, resolver, settings.delivery.timeout)

    def with_timeout(self, seconds: float) -> Outbound:
        return replace(self, timeout=seconds)

    async def check_url(self, url: str | httpx.URL) -> Destination:
        """Where a request to `url` would go; RefusedDestination when Parvis must not go."""
        parsed = parse_url(url)
        port = parsed.port or DEFAULT_PORTS[parsed.scheme]
        return await self.check_host(parsed.raw_host.decode("ascii"), port)

    async def check_host(self, host: str, port: int) -> Destination:
        """Resolve `host` once and check every address it has (unless the operator allows
        the host): the destination holds the address to connect to."""
        name = _normal(host)
        allowed = self.allowed.allows(name, port)
        literal = literal_address(name)
        if literal is None and _is_localhost(name) and not allowed:
            raise RefusedDestination(PRIVATE % {"host": host})
        addresses = [literal] if literal else await self._resolve(name, port)
        if not allowed and not all(is_public(address) for address in addresses):
            raise RefusedDestination(PRIVATE % {"host": host})
        return Destination(name, port, addresses[0])

    async def _resolve(self, name: str, port: int) -> Sequence[IPAddress]:
        try:
            async with asyncio.timeout(self.timeout):
                addresses = await self.resolver(name, port)
        except (OSError, TimeoutError, UnicodeError):  # socket.gaierror is an OSError
            addresses = []
        if not addresses:
            raise UnresolvedHost(NOT_FOUND % {"host": name})
        return addresses

    async def request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        headers: Any = None,
        auth: tuple[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request, checked as `check_url` does, to the checked address; the answer
        is read whole (up to `max_answer_bytes`) and a redirect is returned, not followed.

        `auth` is a (user, password) pair for basic auth; `kwargs` are httpx's `json`,
        `content`, `data` or `params`. The URL's host
        becomes the checked IP address, with the name kept in the Host header and, for
        https, as the TLS server name that the certificate is verified against (httpx's
        `sni_hostname` extension). Connections are not pooled: a pool keys them by that
        address, and a connection verified for one name must not carry another's request."""
        parsed = parse_url(url)
        destination = await self.check_url(parsed)
        sent = httpx.Headers(headers)
        sent["Host"] = parsed.netloc.decode("ascii")
        extensions: dict[str, Any] = {}
        if parsed.scheme == "https" and destination.is_name:
            extensions["sni_hostname"] = destination.host
        pinned = parsed.copy_with(host=str(destination.address))
        tls = self.tls or tls_context()
        async with httpx.AsyncClient(verify=tls, timeout=self.timeout, trust_env=False) as client:
            request = client.build_request(
                method, pinned, headers=sent, extensions=extensions, **kwargs
            )
            answer = await client.send(request, auth=auth, stream=True)
            try:
                content = await self._read(answer, destination)
            finally:
                await answer.aclose()
        return _answered(answer, content, httpx.Request(method, parsed, headers=sent))

    async def _read(self, answer: httpx.Response, destination: Destination) -> bytes:
        chunks, size = [], 0
        async for chunk in answer.aiter_bytes():
            size += len(chunk)
            if size > self.max_answer_bytes:
                filled = {"host": destination.host, "size": self.max_answer_bytes}
                raise AnswerTooLarge(TOO_LARGE % filled)
            chunks.append(chunk)
        return b"".join(chunks)


def _answered(answer: httpx.Response, content: bytes, request: httpx.Request) -> httpx.Response:
    """The answer as a read response for the URL that was asked for (its body decoded)."""
    kept = [
        (name, value)
        for name, value in answer.headers.multi_items()
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(
        answer.status_code, headers=kept, content=content, request=request,
        extensions={"http_version": answer.extensions.get("http_version", b"HTTP/1.1")},
    )  # fmt: skip
