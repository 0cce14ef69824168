"""The brand pages allowed to embed a tenant's community in an iframe (its embed origins).

They are kept in the tenant's preferences (`{"embed": {"origins": [...]}}`) rather than in a
table of their own: every response's Content-Security-Policy (`frame-ancestors`) and the
session cookie of a sign-in inside an iframe read them from the cached tenant, with no query.
An origin is https://host[:port]; plain http only for loopback hosts (localhost, *.localhost,
127.0.0.1), which browsers treat as secure for local work.
"""

from __future__ import annotations

import re
from typing import Any

from community.l10n import N_

MAX_ORIGINS = 20
ORIGIN = re.compile(
    r"(?P<scheme>https?)://(?P<host>[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:]+\])"
    r"(?::(?P<port>[0-9]{1,5}))?"
)
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
BAD_ORIGIN = N_(
    "%(origin)s is not an origin: enter https://host or https://host:port, one a line, "
    "without a path."
)
TOO_MANY = N_("Enter at most 20 origins.")  # MAX_ORIGINS


def embed_origins(preferences: dict[str, Any]) -> tuple[str, ...]:
    """The stored origins, each re-checked (a hand-edited preference cannot widen the CSP)."""
    stored = preferences.get("embed", {})
    origins = stored.get("origins", []) if isinstance(stored, dict) else []
    if not isinstance(origins, list):
        return ()
    return tuple(o for o in origins if isinstance(o, str) and normal_origin(o) == o)


def normal_origin(text: str) -> str | None:
    """The origin as stored (lower case, no final slash), or None when it is not one."""
    candidate = text.strip().lower().removesuffix("/")
    match = ORIGIN.fullmatch(candidate)
    if match is None:
        return None
    port, host = match["port"], match["host"]
    if port is not None and not 1 <= int(port) <= 65535:
        return None
    if match["scheme"] == "http" and not _is_loopback(host):
        return None
    return candidate


def _is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.endswith(".localhost")


def parse_origins(text: str) -> tuple[list[str], str | None]:
    """The origins typed one a line (or separated by spaces or commas), and the problem."""
    origins: list[str] = []
    for item in re.split(r"[\s,]+", text.strip()):
        if not item:
            continue
        origin = normal_origin(item)
        if origin is None:
            return [], BAD_ORIGIN % {"origin": item[:100]}
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        return [], TOO_MANY
    return origins, None
