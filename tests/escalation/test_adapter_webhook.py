"""The Standard Webhooks adapter against a receiver that verifies with the `standardwebhooks`
package, and our `verify` against signatures that package makes."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.webhook import BadSignature, WebhookAdapter, sign, verify
from tests.escalation.test_adapter_support import (
    SLOWER_THAN_THE_CLIENT,
    Reply,
    Seen,
    Vendor,
    assert_failed,
    client,
    dead_url,
    in_turn,
    make_payload,
)

SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()
OTHER_SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()


class Receiver:
    """A webhook consumer: checks each request with standardwebhooks, then answers."""

    def __init__(self, reply: Reply, secret: str = SECRET) -> None:
        self.reply = reply
        self.webhook = Webhook(secret)
        self.verified: list[Any] = []

    def __call__(self, seen: Seen) -> Reply:
        try:
            self.verified.append(self.webhook.verify(seen.body, seen.headers))
        except Exception as exc:
            return Reply(401, {"error": f"bad signature: {exc}"})
        return self.reply


def adapter(url: str, http: Any) -> WebhookAdapter:
    return WebhookAdapter({"url": f"{url}/hooks/parvis"}, {"signing_secret": SECRET}, http)


@pytest.mark.anyio
async def test_posts_an_event_the_standardwebhooks_package_verifies() -> None:
    receiver = Receiver(Reply(200, {"case_id": "CASE-7", "case_url": "https://cc.test/7"}))
    payload = make_payload()
    with Vendor(receiver) as vendor:
        http = client()
        receipt = await adapter(vendor.url, http).create_case(payload)
    assert receipt == CaseReceipt("CASE-7", "https://cc.test/7")
    (seen,) = vendor.seen
    assert (seen.method, seen.path) == ("POST", "/hooks/parvis")
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["webhook-id"] == f"esc_{payload.idempotency_key}"
    assert abs(int(seen.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 5
    (event,) = receiver.verified
    assert event["type"] == "escalation.created"
    assert datetime.fromisoformat(event["timestamp"]).tzinfo is not None
    assert event["data"] == payload.to_dict()


@pytest.mark.anyio
async def test_every_attempt_carries_the_same_webhook_id() -> None:
    receiver = Receiver(Reply(202))
    with Vendor(in_turn(Reply(503), Reply(202))) as flaky, Vendor(receiver) as steady:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await adapter(flaky.url, http).create_case(make_payload())
        receipt = await adapter(steady.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says="HTTP 503")
    assert receipt == CaseReceipt()  # accepted: the case id will come by callback
    assert flaky.seen[0].headers["webhook-id"] == steady.seen[0].headers["webhook-id"]
    assert len(receiver.verified) == 1


@pytest.mark.anyio
async def test_a_receiver_with_another_secret_refuses_for_good() -> None:
    with Vendor(Receiver(Reply(200), secret=OTHER_SECRET)) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await adapter(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=False, says="check the signing secret")


@pytest.mark.parametrize(
    ("reply", "retryable", "retry_after", "says"),
    [
        (Reply(503, "down", {"Retry-After": "30"}), True, 30, "HTTP 503 Service Unavailable"),
        (Reply(500, "<html>oops</html>"), True, None, "HTTP 500"),
        (Reply(429, "slow down", {"Retry-After": "5"}), True, 5, "HTTP 429"),
        (Reply(400, {"error": "unknown tenant"}), False, None, "answered HTTP 400 Bad Request"),
        (
            Reply(302, headers={"Location": "http://169.254.169.254/"}),
            False,
            None,
            "HTTP 302 Found (redirects are not followed",
        ),
        (Reply(404), False, None, "HTTP 404"),
    ],
)
@pytest.mark.anyio
async def test_error_statuses(
    reply: Reply, retryable: bool, retry_after: float | None, says: str
) -> None:
    with Vendor(Receiver(reply)) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await adapter(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=retryable, retry_after=retry_after, says=says)


@pytest.mark.anyio
async def test_a_receiver_slower_than_the_timeout_is_retried() -> None:
    with Vendor(Receiver(Reply(200, delay=SLOWER_THAN_THE_CLIENT))) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await adapter(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says=f"Timed out after 0.5 s talking to {vendor.url}")


@pytest.mark.anyio
async def test_a_refused_connection_is_retried() -> None:
    url = dead_url()
    http = client()
    with pytest.raises(DeliveryFailed) as excinfo:
        await adapter(url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says=f"Cannot connect to {url}")


# ---- verify(): our check of signatures standardwebhooks makes -------------------------------

BODY = b'{"type":"case.acknowledged","data":{"case_id":"7"}}'


def signed(secret: str = SECRET, at: datetime | None = None, body: bytes = BODY) -> dict[str, str]:
    at = at or datetime.now(UTC)
    signature = Webhook(secret).sign("msg_1", at, body.decode())
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def test_verify_accepts_a_standardwebhooks_signature() -> None:
    verify(SECRET, signed(), BODY, datetime.now(UTC))
    headers = {name.title(): value for name, value in signed().items()}  # Webhook-Id, …
    verify(SECRET, headers, BODY.decode(), datetime.now(UTC))


def test_verify_accepts_one_good_signature_among_several() -> None:
    headers = signed()
    stale = signed(OTHER_SECRET)["webhook-signature"]
    headers["webhook-signature"] = f"v1,AAAA {stale} {headers['webhook-signature']}"
    verify(SECRET, headers, BODY, datetime.now(UTC))


def test_sign_matches_standardwebhooks() -> None:
    at = datetime.now(UTC)
    expected = Webhook(SECRET).sign("msg_1", at, BODY.decode())
    assert sign(SECRET, "msg_1", int(at.timestamp()), BODY) == expected
    Webhook(SECRET).verify(BODY, {**signed(at=at), "webhook-signature": expected})


@pytest.mark.parametrize(
    ("headers", "body", "now", "says"),
    [
        (signed(), BODY.replace(b"7", b"8"), datetime.now(UTC), "no matching signature"),
        (signed(OTHER_SECRET), BODY, datetime.now(UTC), "no matching signature"),
        (signed(), BODY, datetime.now(UTC) + timedelta(minutes=6), "too far"),
        (signed(), BODY, datetime.now(UTC) - timedelta(minutes=6), "too far"),
        ({**signed(), "webhook-timestamp": "yesterday"}, BODY, datetime.now(UTC), "number"),
        ({**signed(), "webhook-signature": "v1,"}, BODY, datetime.now(UTC), "no matching"),
    ],
    ids=["tampered-body", "wrong-secret", "stale", "from-the-future", "bad-timestamp", "empty"],
)
def test_verify_refuses(headers: dict[str, str], body: bytes, now: datetime, says: str) -> None:
    with pytest.raises(BadSignature, match=says):
        verify(SECRET, headers, body, now)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_verify_refuses_a_message_missing_a_header(missing: str) -> None:
    headers = {name: value for name, value in signed().items() if name != missing}
    with pytest.raises(BadSignature, match="missing"):
        verify(SECRET, headers, BODY, datetime.now(UTC))


def test_verify_takes_a_naive_now_as_utc() -> None:
    verify(SECRET, signed(), BODY, datetime.now(UTC).replace(tzinfo=None))
