"""Freshdesk (API v2): one ticket per escalation, found again by a tag carrying its key.

Freshdesk has no idempotency header, so every attempt first searches for a ticket tagged with
the escalation's key (Filter Tickets, GET /api/v2/search/tickets?query="tag:'…'") and adopts
it; only when there is none does it create one (POST /api/v2/tickets) carrying that tag.
Freshdesk's search index lags behind ticket creation by a few seconds (up to minutes under
load), so a retry that follows a lost answer very closely may still create a second ticket:
retries come minutes apart, so that window is narrow. Auth is basic, the API key and "X".
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from typing import Any

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.http import (
    clip,
    failure,
    json_body,
    require,
    send,
)
from community.escalation.payload import CasePayload
from community.net.outbound import Outbound

PRIORITIES = {"low": 1, "normal": 2, "high": 3, "urgent": 4}
STATUS_OPEN = 2
SOURCE_PORTAL = 2
TAG_LIMIT = 32  # Freshdesk refuses longer tags ("maximum of 32 characters")
AUTH_HINT = "check the API key, and that its agent may create tickets"


def key_tag(key: str) -> str:
    """The tag naming an escalation: "parvis-<key>"; a digest of the key stands in for a key
    too long for a tag, or one with characters that would need quoting in a search."""
    tag = f"parvis-{key}".lower()
    if len(tag) <= TAG_LIMIT and re.fullmatch(r"[a-z0-9_-]+", tag):
        return tag
    return "parvis-" + hashlib.sha256(key.encode()).hexdigest()[: TAG_LIMIT - len("parvis-")]


def description(payload: CasePayload) -> str:
    """The summary as HTML: escaped, its line breaks kept."""
    return html.escape(payload.summary()).replace("\n", "<br>")


def ticket_body(payload: CasePayload) -> dict[str, Any]:
    return {
        "subject": clip(payload.subject, 255),
        "description": description(payload),
        "email": payload.asker.email,
        "name": clip(payload.asker.name, 255),
        "priority": PRIORITIES.get(payload.priority_label, 2),
        "status": STATUS_OPEN,
        "source": SOURCE_PORTAL,
        "tags": ["parvis", key_tag(payload.idempotency_key)],
    }


class FreshdeskAdapter:
    def __init__(
        self, settings: Mapping[str, Any], credentials: Mapping[str, Any], outbound: Outbound
    ) -> None:
        self.base_url = require(settings, "base_url").rstrip("/")
        self.auth = (require(credentials, "api_key"), "X")
        self.outbound = outbound

    async def create_case(self, payload: CasePayload) -> CaseReceipt:
        tag = key_tag(payload.idempotency_key)
        ticket = await self._find(tag) or await self._create(payload)
        ticket_id = ticket.get("id") if isinstance(ticket, dict) else None
        if not ticket_id:
            raise DeliveryFailed("Freshdesk took the ticket but did not say its id")
        return CaseReceipt(str(ticket_id), f"{self.base_url}/a/tickets/{ticket_id}")

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await send(
            self.outbound, method, f"{self.base_url}{path}", auth=self.auth, **kwargs
        )
        if not response.is_success:
            raise failure(response, "Freshdesk", auth_hint=AUTH_HINT)
        return json_body(response)

    async def _find(self, tag: str) -> Any:
        """The ticket an earlier attempt created, if the search index knows it already."""
        answer = await self._request(
            "GET", "/api/v2/search/tickets", params={"query": f"\"tag:'{tag}'\""}
        )
        results = answer.get("results") if isinstance(answer, dict) else None
        return results[0] if results else None

    async def _create(self, payload: CasePayload) -> Any:
        return await self._request("POST", "/api/v2/tickets", json=ticket_body(payload))
