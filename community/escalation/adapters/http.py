"""What every adapter shares: sending a request, and turning a refusal into DeliveryFailed.

Requests go through the outbound client (`community.net.outbound`), which refuses local and
private addresses and never follows a redirect. An adapter never lets an httpx exception
escape: a timeout or a refused connection becomes a retryable DeliveryFailed whose message
says which host did not answer, and an HTTP error becomes one whose `retryable` follows the
status (throttled or broken: later; refused: never). A failure's message is shown to the
tenant's staff, so it holds the status line and our own explanation, never the answer's body.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from community.escalation.adapters import DeliveryFailed
from community.l10n import N_
from community.net.outbound import Outbound, OutboundError

RETRY_LATER = frozenset({408, 425, 429})
# Shown to the tenant's staff in their language (community.l10n.translate refills them).
TIMED_OUT = N_("Timed out after %(seconds)s s talking to %(origin)s")
CANNOT_CONNECT = N_(
    "Cannot connect to %(origin)s: the connection was refused or the host cannot be reached"
)
LOST_CONNECTION = N_("Lost the connection to %(origin)s: %(detail)s")


class BadSetting(ValueError):
    """A target's settings or credentials cannot work: a configuration error, never retried."""


def require(values: Mapping[str, Any], key: str) -> str:
    value = str(values.get(key) or "").strip()
    if not value:
        raise BadSetting(f"{key} is not set")
    return value


def origin(url: httpx.URL | str) -> str:
    parsed = httpx.URL(str(url))
    return f"{parsed.scheme}://{parsed.netloc.decode()}"


def clip(text: str, limit: int) -> str:
    """Targets refuse over-long fields outright; cutting them keeps the case deliverable."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def send(outbound: Outbound, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """`outbound.request`, with refusals, timeouts and network failures as DeliveryFailed."""
    try:
        return await outbound.request(method, url, **kwargs)
    except OutboundError as exc:
        raise DeliveryFailed(exc.message, retryable=exc.retryable) from exc
    except httpx.TimeoutException as exc:
        timeout = {"seconds": f"{outbound.timeout:g}", "origin": origin(url)}
        raise DeliveryFailed(TIMED_OUT % timeout, retryable=True) from exc
    except httpx.ConnectError as exc:
        # httpx's own words ("All connection attempts failed") add nothing for the staff.
        raise DeliveryFailed(CANNOT_CONNECT % {"origin": origin(url)}, retryable=True) from exc
    except httpx.TransportError as exc:
        lost = {"origin": origin(url), "detail": str(exc) or type(exc).__name__}
        raise DeliveryFailed(LOST_CONNECTION % lost, retryable=True) from exc


def retry_after(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds (RFC 9110 allows seconds or an HTTP date)."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def json_body(response: httpx.Response) -> Any:
    """The response's JSON, or None when it has none (error pages are often HTML or text)."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def status_line(response: httpx.Response) -> str:
    """`HTTP 500 Internal Server Error`: the code and its standard reason phrase (the one the
    server sent is its own text, like its body)."""
    phrase = httpx.codes.get_reason_phrase(response.status_code)
    return f"HTTP {response.status_code} {phrase}".rstrip()


REDIRECT_HINT = "redirects are not followed: enter the address it redirects to"


def failure(
    response: httpx.Response,
    service: str,
    *,
    auth_hint: str = "check the credentials",
    retry_statuses: Collection[int] = RETRY_LATER,
) -> DeliveryFailed:
    """The DeliveryFailed for an unsuccessful response: 5xx and throttling are retryable.

    Its message is the status line and our explanation: the answer's body is the remote
    server's text, and staff see this message (`Escalation.last_error`)."""
    status = response.status_code
    message = f"{service} answered {status_line(response)}"
    if status >= 500 or status in retry_statuses:
        return DeliveryFailed(message, retryable=True, retry_after=retry_after(response))
    if status in (401, 403):
        return DeliveryFailed(f"{message} ({auth_hint})", retryable=False)
    if 300 <= status < 400:
        return DeliveryFailed(f"{message} ({REDIRECT_HINT})", retryable=False)
    return DeliveryFailed(message, retryable=False)
