"""A generic webhook, signed per Standard Webhooks (https://www.standardwebhooks.com).

The request carries `webhook-id`, `webhook-timestamp` and `webhook-signature` headers; the
signature is `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) where the key is the
base64 after `whsec_` in the secret. The id is the same on every attempt ("esc_" + the
escalation's idempotency key), so a receiver that dedupes on it opens one case however often
we retry. `verify` checks the contact centre's signed callbacks with the same scheme.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from community.escalation.adapters import CaseReceipt
from community.escalation.adapters.http import BadSetting, failure, json_body, origin, require, send
from community.escalation.payload import CasePayload
from community.net.outbound import Outbound

SECRET_PREFIX = "whsec_"
TOLERANCE = 300  # seconds a signed message's timestamp may be off, either way
EVENT_TYPE = "escalation.created"


class BadSignature(Exception):
    """An inbound message is unsigned, wrongly signed, or signed too long ago (or ahead)."""


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a `whsec_<base64>` secret; ValueError when it is not one."""
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the signing secret is not 'whsec_' followed by base64") from exc
    if not key:
        raise ValueError("the signing secret is empty")
    return key


def _signature(key: bytes, msg_id: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _bytes(body: bytes | str) -> bytes:
    return body if isinstance(body, bytes) else body.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The `webhook-signature` value for a message: `v1,<base64 HMAC-SHA256>`."""
    return _signature(secret_key(secret), msg_id, str(timestamp), _bytes(body))


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    now: datetime,
    tolerance: int = TOLERANCE,
) -> None:
    """Raise BadSignature unless one of the message's signatures is ours and it is fresh.

    `body` must be the raw request body, byte for byte; `now` the current time. The header
    may hold several space-separated signatures (a sender rotating its secret signs twice).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id", "")
    stamp = lowered.get("webhook-timestamp", "").strip()
    signatures = lowered.get("webhook-signature", "").split()
    if not (msg_id and stamp and signatures):
        raise BadSignature("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        sent_at = int(stamp)
    except ValueError:
        raise BadSignature("webhook-timestamp is not a number of seconds") from None
    if now.tzinfo is None:  # a naive datetime is taken as UTC, never as local time
        now = now.replace(tzinfo=UTC)
    if abs(now.timestamp() - sent_at) > tolerance:
        raise BadSignature("webhook-timestamp is too far from now")
    expected = _signature(secret_key(secret), msg_id, stamp, _bytes(body)).encode()
    if not any(hmac.compare_digest(expected, given.encode()) for given in signatures):
        raise BadSignature("no matching signature")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _receipt(answer: Any) -> CaseReceipt:
    if isinstance(answer, dict) and answer.get("case_id"):
        return CaseReceipt(str(answer["case_id"]), str(answer.get("case_url") or ""))
    return CaseReceipt()  # the receiver will acknowledge the case by callback


class WebhookAdapter:
    """POSTs `{"type", "timestamp", "data"}` to settings["url"], signed with the secret."""

    def __init__(
        self,
        settings: Mapping[str, Any],
        credentials: Mapping[str, Any],
        outbound: Outbound,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.url = require(settings, "url")
        try:
            self.key = secret_key(require(credentials, "signing_secret"))
        except ValueError as exc:
            raise BadSetting(str(exc)) from exc
        self.outbound = outbound
        self.clock = clock

    def _request(self, payload: CasePayload) -> tuple[bytes, dict[str, str]]:
        now = self.clock()
        event = {"type": EVENT_TYPE, "timestamp": _iso(now), "data": payload.to_dict()}
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        msg_id = "esc_" + payload.idempotency_key
        stamp = str(int(now.timestamp()))
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": stamp,
            "webhook-signature": _signature(self.key, msg_id, stamp, body),
        }
        return body, headers

    async def create_case(self, payload: CasePayload) -> CaseReceipt:
        body, headers = self._request(payload)
        response = await send(self.outbound, "POST", self.url, content=body, headers=headers)
        if not response.is_success:
            raise failure(
                response,
                f"The webhook at {origin(self.url)}",
                auth_hint="the receiver may not accept our signature: check the signing secret",
            )
        return _receipt(json_body(response))
