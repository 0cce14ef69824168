"""What every adapter shares: sending a request, and turning a refusal into DeliveryFailed.

An adapter never lets an httpx exception escape: a timeout or a refused connection becomes a
retryable DeliveryFailed whose message says which host did not answer, and an HTTP error
becomes one whose `retryable` follows the status (throttled or broken: later; refused: never).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from community.escalation.adapters import DeliveryFailed

RETRY_LATER = frozenset({408, 425, 429})


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


def _seconds(timeout: httpx.Timeout) -> str:
    value = timeout.read or timeout.connect or timeout.pool
    return f"{value:g} s" if value else "a while"


async def send(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """`http.request`, with timeouts and network failures as retryable DeliveryFailed."""
    try:
        return await http.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise DeliveryFailed(
            f"Timed out after {_seconds(http.timeout)} talking to {origin(url)}", retryable=True
        ) from exc
    except httpx.ConnectError as exc:
        detail = str(exc) or "connection refused"
        raise DeliveryFailed(f"Cannot connect to {origin(url)}: {detail}", retryable=True) from exc
    except httpx.TransportError as exc:
        detail = str(exc) or type(exc).__name__
        raise DeliveryFailed(
            f"Lost the connection to {origin(url)}: {detail}", retryable=True
        ) from exc


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


def text_snippet(response: httpx.Response, limit: int = 200) -> str:
    return clip(" ".join(response.text.split()), limit)


def failure(
    response: httpx.Response,
    service: str,
    detail: str = "",
    *,
    auth_hint: str = "check the credentials",
    retry_statuses: Collection[int] = RETRY_LATER,
) -> DeliveryFailed:
    """The DeliveryFailed for an unsuccessful response: 5xx and throttling are retryable."""
    status = response.status_code
    message = f"{service} answered HTTP {status}" + (f": {detail}" if detail else "")
    if status >= 500 or status in retry_statuses:
        return DeliveryFailed(message, retryable=True, retry_after=retry_after(response))
    if status in (401, 403):
        return DeliveryFailed(f"{message} ({auth_hint})", retryable=False)
    return DeliveryFailed(message, retryable=False)
