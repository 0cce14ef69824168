"""Who is on the other end of a request: one answer for rate limits, session records and logs.

The client's address is the socket peer. `X-Forwarded-For` is read only when that peer is
one of our own proxies (`PARVIS_TRUSTED_PROXIES`, CIDRs): then the client is the right-most
address in the header that is not one of ours. Anything to its left was written by the
client itself and can say anything, so it is never used; with no trusted proxy configured
the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no Litestar at run time: services use `rate_limit_key`
    from litestar.types import Scope

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"  # a peer without an address (a test transport, a Unix socket)


def parse_address(text: str) -> IPAddress | None:
    """An IP address as it appears in a socket peer or a forwarded header (IPv4-mapped IPv6
    read as the IPv4 address it is, a `[v6]:port` or `v4:port` spelling tolerated)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class TrustedProxies:
    """The networks whose `X-Forwarded-For` we believe (our load balancers)."""

    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, cidrs: Iterable[str]) -> TrustedProxies:
        """From `10.0.0.0/8, 2001:db8::/32, 192.0.2.7`; a bad entry is a clear start-up error."""
        networks = []
        for cidr in (c.strip() for c in cidrs):
            if not cidr:
                continue
            try:
                networks.append(ipaddress.ip_network(cidr, strict=False))
            except ValueError as exc:
                raise ValueError(
                    f"PARVIS_TRUSTED_PROXIES: {cidr!r} is not an address or CIDR"
                ) from exc
        return cls(tuple(networks))

    def trusts(self, address: IPAddress | None) -> bool:
        return address is not None and any(address in network for network in self.networks)


def forwarded_addresses(values: Sequence[str]) -> list[str]:
    """Every hop of every `X-Forwarded-For` header, in order (several headers are one list)."""
    return [hop.strip() for value in values for hop in value.split(",") if hop.strip()]


def resolve_client(peer: str | None, forwarded_for: Sequence[str], trusted: TrustedProxies) -> str:
    """The client address: `peer` unless it is a trusted proxy, else the right-most hop of
    `forwarded_for` that is not a trusted proxy. A hop that is not an address stops the walk
    at the last good one: a proxy of ours never writes one, so it came from the client."""
    current = parse_address(peer or "")
    if current is None:
        return peer or UNKNOWN
    for hop in reversed(forwarded_for):
        if not trusted.trusts(current):
            break
        previous = parse_address(hop)
        if previous is None:
            break
        current = previous
    return str(current)


def client_address(scope: Scope) -> str:
    """The client address of a request (`request.scope`, or the ASGI scope a middleware
    gets), as the module's docstring says; worked out once per request."""
    state = scope.setdefault("state", {})
    if (known := state.get("client_address")) is not None:
        return str(known)
    app = scope.get("litestar_app")
    trusted = (app.state.get("trusted_proxies") if app else None) or TrustedProxies()
    peer = scope.get("client")
    headers = [
        v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == b"x-forwarded-for"
    ]
    address = resolve_client(peer[0] if peer else None, forwarded_addresses(headers), trusted)
    state["client_address"] = address
    return address


def rate_limit_key(address: str) -> str:
    """The part of an address a limit counts: the whole IPv4 address, the /64 of an IPv6 one
    (one subscriber usually holds a whole /64 and can change the rest at will)."""
    parsed = parse_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed) if parsed is not None else address
