"""The Zendesk adapter against a server answering as the Tickets API documents.

https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#create-ticket
https://developer.zendesk.com/api-reference/ticketing/introduction/#idempotency
"""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

import pytest

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.zendesk import ZendeskAdapter
from tests.escalation.test_adapter_support import (
    SLOWER_THAN_THE_CLIENT,
    Reply,
    Seen,
    Vendor,
    assert_failed,
    client,
    dead_url,
    make_payload,
)

TOKEN = "6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv"
KEY_MISMATCH = {
    "error": "IdempotentRequestError",
    "description": "Request parameters don't match the given idempotency key",
}


class FakeZendesk:
    """Create Ticket with Idempotency-Key semantics, and List Tickets by external_id."""

    def __init__(self) -> None:
        self.tickets: list[dict[str, Any]] = []
        self.by_key: dict[str, tuple[bytes, dict[str, Any]]] = {}
        self.base = ""

    def __call__(self, seen: Seen) -> Reply:
        if seen.method == "GET":
            wanted = seen.query["external_id"][0]
            found = [t for t in self.tickets if t["external_id"] == wanted]
            return Reply(200, {"tickets": found, "count": len(found), "next_page": None})
        key = seen.headers["idempotency-key"]
        if key in self.by_key:
            body, ticket = self.by_key[key]
            if body != seen.body:
                return Reply(400, KEY_MISMATCH)
            return Reply(201, {"ticket": ticket}, {"x-idempotency-lookup": "hit"})
        ticket = self._create(seen.json()["ticket"])
        self.by_key[key] = (seen.body, ticket)
        return Reply(201, {"ticket": ticket}, {"x-idempotency-lookup": "miss"})

    def _create(self, fields: dict[str, Any]) -> dict[str, Any]:
        ticket_id = 35436 + len(self.tickets)
        url = f"{self.base}/api/v2/tickets/{ticket_id}.json"
        ticket = {"id": ticket_id, "url": url, "status": "new", **fields}
        self.tickets.append(ticket)
        return ticket


def zendesk(url: str, http: Any) -> ZendeskAdapter:
    settings = {"base_url": url + "/", "email": "agent@acme.test"}
    return ZendeskAdapter(settings, {"api_token": TOKEN}, http)


@pytest.mark.anyio
async def test_creates_a_ticket_as_documented() -> None:
    fake = FakeZendesk()
    payload = make_payload()
    with Vendor(fake) as vendor:
        fake.base = vendor.url
        http = client()
        receipt = await zendesk(vendor.url, http).create_case(payload)
    assert receipt == CaseReceipt("35436", f"{vendor.url}/agent/tickets/35436")
    (seen,) = vendor.seen
    assert (seen.method, seen.path) == ("POST", "/api/v2/tickets.json")
    credentials = base64.b64encode(f"agent@acme.test/token:{TOKEN}".encode()).decode()
    assert seen.headers["authorization"] == f"Basic {credentials}"
    assert seen.headers["idempotency-key"] == payload.idempotency_key
    assert seen.headers["content-type"] == "application/json"
    assert seen.json() == {
        "ticket": {
            "subject": "[Acme Community] Router keeps resetting",
            "comment": {"body": payload.summary(), "public": False},
            "requester": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "external_id": payload.idempotency_key,
            "priority": "high",
            "tags": ["parvis", "parvis-unresolved", "parvis-sentiment"],
        }
    }


@pytest.mark.anyio
async def test_a_retry_gets_the_same_ticket_back() -> None:
    fake = FakeZendesk()
    with Vendor(fake) as vendor:
        http = client()
        first = await zendesk(vendor.url, http).create_case(make_payload())
        again = await zendesk(vendor.url, http).create_case(make_payload())
    assert first == again
    assert len(fake.tickets) == 1


@pytest.mark.anyio
async def test_a_changed_payload_adopts_the_ticket_the_key_opened() -> None:
    fake = FakeZendesk()
    with Vendor(fake) as vendor:
        http = client()
        first = await zendesk(vendor.url, http).create_case(make_payload())
        changed = make_payload(note="A moderator added a note between attempts")
        again = await zendesk(vendor.url, http).create_case(changed)
    assert again == first
    assert len(fake.tickets) == 1
    lookup = vendor.requests("GET")[0]
    assert lookup.path == "/api/v2/tickets.json"
    assert lookup.query == {"external_id": [make_payload().idempotency_key]}


@pytest.mark.anyio
async def test_a_key_mismatch_without_a_ticket_is_not_retried() -> None:
    def answer(seen: Seen) -> Reply:
        return Reply(200, {"tickets": []}) if seen.method == "GET" else Reply(400, KEY_MISMATCH)

    with Vendor(answer) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await zendesk(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=False, says="Zendesk answered HTTP 400 Bad Request")


RECORD_INVALID = {
    "error": "RecordInvalid",
    "description": "Record validation errors",
    "details": {"requester": [{"description": "Requester: Email is not properly formatted",
                               "error": "InvalidValue"}]},
}  # fmt: skip


@pytest.mark.parametrize(
    ("reply", "retryable", "retry_after", "says"),
    [
        (Reply(429, "Rate limit for ticket updates exceeded, please wait before updating this "
               "ticket again", {"Retry-After": "93"}), True, 93, "HTTP 429 Too Many Requests"),
        (Reply(503, "Service Unavailable", {"Retry-After": "10"}), True, 10, "HTTP 503"),
        (Reply(500, {"error": "InternalError"}), True, None, "HTTP 500 Internal Server Error"),
        (Reply(409, {"error": "Conflict"}), True, None, "HTTP 409"),
        (Reply(401, {"error": "Couldn't authenticate you"}), False, None, "API token"),
        (Reply(403, {"error": "Forbidden", "description": "You do not have access to this page."}),
         False, None, "HTTP 403 Forbidden (check the agent email and the API token)"),
        (Reply(422, RECORD_INVALID), False, None,
         "Zendesk answered HTTP 422 Unprocessable Entity"),
        (Reply(404, {"error": {"title": "No help desk at acme.zendesk.com",
                               "message": "There is no help desk configured at this address."}}),
         False, None, "Zendesk answered HTTP 404 Not Found"),
    ],
    ids=["429", "503", "500", "409", "401", "403", "422", "404"],
)  # fmt: skip
@pytest.mark.anyio
async def test_documented_errors(
    reply: Reply, retryable: bool, retry_after: float | None, says: str
) -> None:
    with Vendor(lambda seen: reply) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await zendesk(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=retryable, retry_after=retry_after, says=says)


@pytest.mark.anyio
async def test_an_asker_without_email_leaves_the_requester_to_zendesk() -> None:
    fake = FakeZendesk()
    payload = make_payload()
    payload = replace(payload, asker=replace(payload.asker, email=""), priority_label="odd")
    with Vendor(fake) as vendor:
        http = client()
        await zendesk(vendor.url, http).create_case(payload)
    ticket = vendor.seen[0].json()["ticket"]
    assert "requester" not in ticket
    assert ticket["priority"] == "normal"


@pytest.mark.anyio
async def test_a_slow_zendesk_is_retried() -> None:
    with Vendor(lambda seen: Reply(201, delay=SLOWER_THAN_THE_CLIENT)) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await zendesk(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says=f"Timed out after 0.5 s talking to {vendor.url}")


@pytest.mark.anyio
async def test_a_refused_connection_is_retried() -> None:
    url = dead_url()
    http = client()
    with pytest.raises(DeliveryFailed) as excinfo:
        await zendesk(url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says=f"Cannot connect to {url}")
