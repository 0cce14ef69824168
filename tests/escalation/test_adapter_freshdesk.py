"""The Freshdesk adapter against a server answering as the API v2 documentation says.

https://developers.freshdesk.com/api/#create_ticket
https://developers.freshdesk.com/api/#filter_tickets
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.freshdesk import FreshdeskAdapter, key_tag
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

API_KEY = "sFxRyDeJ6qW1a0pQkZ3"
QUERY = re.compile(r"\"tag:'([a-z0-9_-]+)'\"")  # the whole query in double quotes, as documented


class FakeFreshdesk:
    """Create Ticket, and Filter Tickets by tag over a search index that may lag."""

    def __init__(self, *, index_lags: bool = False) -> None:
        self.tickets: list[dict[str, Any]] = []
        self.index_lags = index_lags
        self.indexed = 0  # how many tickets the search index knows

    def __call__(self, seen: Seen) -> Reply:
        if seen.method == "GET":
            match = QUERY.fullmatch(seen.query["query"][0])
            if not match:
                error = {"field": "query", "message": "Invalid query", "code": "invalid_value"}
                return Reply(400, {"description": "Validation failed", "errors": [error]})
            found = [t for t in self.tickets[: self.indexed] if match[1] in t["tags"]]
            return Reply(200, {"results": found, "total": len(found)})
        ticket = {"id": len(self.tickets) + 1, "status": 2, **seen.json()}
        self.tickets.append(ticket)
        self.indexed = self.indexed if self.index_lags else len(self.tickets)
        return Reply(201, ticket, {"Location": f"/api/v2/tickets/{ticket['id']}"})


def freshdesk(url: str, http: Any) -> FreshdeskAdapter:
    return FreshdeskAdapter({"base_url": url}, {"api_key": API_KEY}, http)


@pytest.mark.anyio
async def test_searches_then_creates_a_ticket_as_documented() -> None:
    payload = make_payload()
    with Vendor(FakeFreshdesk()) as vendor:
        http = client()
        receipt = await freshdesk(vendor.url, http).create_case(payload)
    assert receipt == CaseReceipt("1", f"{vendor.url}/a/tickets/1")
    search, create = vendor.seen
    basic = "Basic " + base64.b64encode(f"{API_KEY}:X".encode()).decode()
    assert search.headers["authorization"] == create.headers["authorization"] == basic
    assert (search.method, search.path) == ("GET", "/api/v2/search/tickets")
    assert search.query == {"query": [f"\"tag:'parvis-{payload.idempotency_key}'\""]}
    assert (create.method, create.path) == ("POST", "/api/v2/tickets")
    ticket = create.json()
    assert ticket == {
        "subject": "[Acme Community] Router keeps resetting",
        "description": ticket["description"],
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "priority": 3,
        "status": 2,
        "source": 2,
        "tags": ["parvis", f"parvis-{payload.idempotency_key}"],
    }
    assert "My router &lt;blinks&gt; &amp; resets.<br>Twice a day." in ticket["description"]
    assert "\n" not in ticket["description"]


@pytest.mark.anyio
async def test_a_ticket_found_by_its_tag_is_adopted_without_a_second_post() -> None:
    fake = FakeFreshdesk()
    with Vendor(fake) as vendor:
        http = client()
        first = await freshdesk(vendor.url, http).create_case(make_payload())
        again = await freshdesk(vendor.url, http).create_case(make_payload())
    assert again == first
    assert len(vendor.requests("POST")) == 1
    assert len(fake.tickets) == 1


@pytest.mark.anyio
async def test_a_ticket_the_index_does_not_know_yet_is_created_again() -> None:
    """The documented risk: the search index lags, so a retry right away duplicates."""
    fake = FakeFreshdesk(index_lags=True)
    with Vendor(fake) as vendor:
        http = client()
        await freshdesk(vendor.url, http).create_case(make_payload())
        await freshdesk(vendor.url, http).create_case(make_payload())
    assert len(fake.tickets) == 2


def test_a_key_too_long_for_a_tag_is_digested() -> None:
    key = "esc-" + "0123456789abcdef" * 4
    tag = key_tag(key)
    assert tag.startswith("parvis-") and len(tag) == 32
    assert key_tag(key) == tag != key_tag(key[:-1] + "0")
    assert key_tag("Odd 'key'").startswith("parvis-") and "'" not in key_tag("Odd 'key'")
    assert key_tag("k-2f9c1d7e") == "parvis-k-2f9c1d7e"


VALIDATION_FAILED = {
    "description": "Validation failed",
    "errors": [{"field": "email", "message": "It should be a valid email address",
                "code": "invalid_value"}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("reply", "retryable", "retry_after", "says"),
    [
        (Reply(400, VALIDATION_FAILED), False, None,
         "Freshdesk answered HTTP 400 Bad Request"),
        (Reply(401, {"code": "invalid_credentials",
                     "message": "You have to be logged in to perform this action."}),
         False, None, "check the API key"),
        (Reply(403, {"code": "access_denied",
                     "message": "You are not authorized to perform this action."}),
         False, None, "HTTP 403 Forbidden (check the API key"),
        (Reply(429, {"message": "You have exceeded the limit of requests per minute"},
               {"Retry-After": "60"}),
         True, 60, "HTTP 429"),
        (Reply(500, {"message": "We're sorry, but something went wrong."}), True, None, "HTTP 500"),
        (Reply(503, "Service Unavailable"), True, None, "HTTP 503"),
    ],
    ids=["400", "401", "403", "429", "500", "503"],
)  # fmt: skip
@pytest.mark.anyio
async def test_documented_errors_on_create(
    reply: Reply, retryable: bool, retry_after: float | None, says: str
) -> None:
    def answer(seen: Seen) -> Reply:
        return Reply(200, {"results": [], "total": 0}) if seen.method == "GET" else reply

    with Vendor(answer) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await freshdesk(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=retryable, retry_after=retry_after, says=says)


@pytest.mark.anyio
async def test_a_failed_search_creates_nothing() -> None:
    with Vendor(lambda seen: Reply(502, "Bad Gateway")) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await freshdesk(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says="HTTP 502")
    assert vendor.requests("POST") == []


@pytest.mark.anyio
async def test_a_slow_freshdesk_is_retried() -> None:
    with Vendor(lambda seen: Reply(200, delay=SLOWER_THAN_THE_CLIENT)) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await freshdesk(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says=f"Timed out after 0.5 s talking to {vendor.url}")


@pytest.mark.anyio
async def test_a_refused_connection_is_retried() -> None:
    url = dead_url()
    http = client()
    with pytest.raises(DeliveryFailed) as excinfo:
        await freshdesk(url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says=f"Cannot connect to {url}")
