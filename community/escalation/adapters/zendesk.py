"""Zendesk Support: one ticket per escalation, made idempotent by Zendesk's Idempotency-Key.

Create Ticket (POST /api/v2/tickets.json) with an API token: basic auth "{email}/token" and
the token. The `Idempotency-Key` header makes a retry inside Zendesk's window (two hours)
return the ticket the first attempt created. The same key with a different body (the payload
changed between attempts) answers 400 IdempotentRequestError: then the ticket is looked up by
its external_id, which is the same key, and adopted. The first comment is private: it holds
the asker's reputation, influence and sentiment, which are for agents, not the asker's inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.http import (
    RETRY_LATER,
    clip,
    failure,
    json_body,
    require,
    send,
)
from community.escalation.payload import CasePayload
from community.net.outbound import Outbound

PRIORITIES = frozenset({"urgent", "high", "normal", "low"})
# 409 Conflict: Zendesk's answer to concurrent writes; a later attempt can succeed.
RETRY_STATUSES = RETRY_LATER | {409}


def ticket_body(payload: CasePayload) -> dict[str, Any]:
    ticket: dict[str, Any] = {
        "subject": clip(payload.subject, 255),
        "comment": {"body": payload.summary(), "public": False},
        "external_id": payload.idempotency_key,
        "priority": payload.priority_label if payload.priority_label in PRIORITIES else "normal",
        "tags": ["parvis", *(f"parvis-{rule}" for rule in payload.rules)],
    }
    if payload.asker.email:
        ticket["requester"] = {"name": payload.asker.name, "email": payload.asker.email}
    return {"ticket": ticket}


def _is_key_mismatch(response: httpx.Response) -> bool:
    answer = json_body(response) if response.status_code == 400 else None
    return isinstance(answer, dict) and answer.get("error") == "IdempotentRequestError"


class ZendeskAdapter:
    def __init__(
        self, settings: Mapping[str, Any], credentials: Mapping[str, Any], outbound: Outbound
    ) -> None:
        self.base_url = require(settings, "base_url").rstrip("/")
        self.auth = (f"{require(settings, 'email')}/token", require(credentials, "api_token"))
        self.outbound = outbound

    async def create_case(self, payload: CasePayload) -> CaseReceipt:
        response = await send(
            self.outbound,
            "POST",
            f"{self.base_url}/api/v2/tickets.json",
            json=ticket_body(payload),
            auth=self.auth,
            headers={"Idempotency-Key": payload.idempotency_key, "Accept": "application/json"},
        )
        if _is_key_mismatch(response):
            return await self._adopt(payload.idempotency_key, response)
        if not response.is_success:
            raise self._failure(response)
        answer = json_body(response)
        return self._receipt(answer.get("ticket") if isinstance(answer, dict) else None, response)

    async def _adopt(self, key: str, refusal: httpx.Response) -> CaseReceipt:
        """The key was used before with another body (the payload changed between attempts):
        an earlier attempt may have opened the ticket, found by its external_id."""
        response = await send(
            self.outbound,
            "GET",
            f"{self.base_url}/api/v2/tickets.json",
            params={"external_id": key},
            auth=self.auth,
            headers={"Accept": "application/json"},
        )
        answer = json_body(response) if response.is_success else None
        tickets = answer.get("tickets") if isinstance(answer, dict) else None
        if not tickets:
            raise self._failure(refusal)
        return self._receipt(tickets[0], response)

    def _failure(self, response: httpx.Response) -> DeliveryFailed:
        return failure(
            response,
            "Zendesk",
            auth_hint="check the agent email and the API token",
            retry_statuses=RETRY_STATUSES,
        )

    def _receipt(self, ticket: Any, response: httpx.Response) -> CaseReceipt:
        if not isinstance(ticket, dict) or not ticket.get("id"):
            raise DeliveryFailed(
                f"Zendesk answered HTTP {response.status_code} without a ticket id",
                retryable=True,  # the Idempotency-Key makes the retry find the same ticket
            )
        ticket_id = str(ticket["id"])
        return CaseReceipt(ticket_id, f"{self.base_url}/agent/tickets/{ticket_id}")
