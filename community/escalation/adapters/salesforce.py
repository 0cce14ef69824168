"""Salesforce Service Cloud: a Case upserted on an external id field, so retries never duplicate.

The access token comes from the OAuth 2.0 client credentials flow against the org's My Domain
(POST /services/oauth2/token). The case is written with "upsert by external ID" (PATCH
/services/data/vXX.X/sobjects/Case/{field}/{key}): 201 when it created the case, 200 when a
case with that key exists already (the earlier attempt got through but its answer was lost).
Both are success. The org needs a unique External ID text field on Case for the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.http import (
    clip,
    failure,
    json_body,
    require,
    send,
    status_line,
)
from community.escalation.payload import CasePayload
from community.net.outbound import Outbound

DEFAULT_API_VERSION = "v62.0"
DEFAULT_EXTERNAL_ID_FIELD = "Parvis_Escalation_Key__c"
PRIORITIES = {"urgent": "High", "high": "High", "normal": "Medium", "low": "Low"}
AUTH_HINT = "check the client id and secret, the client credentials flow and its run-as user"


def case_fields(payload: CasePayload) -> dict[str, str]:
    """Standard Case fields; SuppliedName/SuppliedEmail are the "Web Name"/"Web Email"."""
    return {
        "Subject": clip(payload.subject, 255),
        "Description": clip(payload.summary(), 32_000),
        "Origin": "Web",
        "Priority": PRIORITIES.get(payload.priority_label, "Medium"),
        "SuppliedName": clip(payload.asker.name, 80),
        "SuppliedEmail": payload.asker.email,
    }


def _error_codes(response: httpx.Response) -> set[str]:
    answer = json_body(response)
    errors = answer if isinstance(answer, list) else [answer]
    return {str(e.get("errorCode")) for e in errors if isinstance(e, dict)}


def _token_failure(response: httpx.Response) -> DeliveryFailed:
    """The token endpoint answers OAuth errors, `{"error", "error_description"}`: a 4xx one
    is a refusal of our credentials, whatever it says."""
    answer = json_body(response)
    if isinstance(answer, dict) and answer.get("error") and response.status_code < 500:
        refused = f"Salesforce refused the client credentials: {status_line(response)}"
        return DeliveryFailed(f"{refused} ({AUTH_HINT})", retryable=False)
    return failure(response, "Salesforce's token endpoint", auth_hint=AUTH_HINT)


class SalesforceAdapter:
    """Upserts a Case; keeps its access token until Salesforce says the session is invalid."""

    def __init__(
        self, settings: Mapping[str, Any], credentials: Mapping[str, Any], outbound: Outbound
    ) -> None:
        self.instance_url = require(settings, "instance_url").rstrip("/")
        self.client_id = require(settings, "client_id")
        self.client_secret = require(credentials, "client_secret")
        self.api_version = str(settings.get("api_version") or DEFAULT_API_VERSION)
        self.external_id_field = str(settings.get("external_id_field") or DEFAULT_EXTERNAL_ID_FIELD)
        self.outbound = outbound
        self.access_token: str | None = None

    @property
    def _cases(self) -> str:
        return f"{self.instance_url}/services/data/{self.api_version}/sobjects/Case"

    async def token(self) -> str:
        if self.access_token is None:
            response = await send(
                self.outbound,
                "POST",
                f"{self.instance_url}/services/oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
                headers={"Accept": "application/json"},
            )
            answer = json_body(response) if response.is_success else None
            if not isinstance(answer, dict) or not answer.get("access_token"):
                raise _token_failure(response)
            self.access_token = str(answer["access_token"])
        return self.access_token

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {await self.token()}", "Accept": "application/json"}
        return await send(self.outbound, method, url, headers=headers, **kwargs)

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One REST call; a stale token ("INVALID_SESSION_ID") is renewed once and retried."""
        response = await self._send(method, url, **kwargs)
        if response.status_code == 401 and "INVALID_SESSION_ID" in _error_codes(response):
            self.access_token = None
            response = await self._send(method, url, **kwargs)
        return response

    async def create_case(self, payload: CasePayload) -> CaseReceipt:
        url = f"{self._cases}/{self.external_id_field}/{quote(payload.idempotency_key, safe='')}"
        response = await self._call("PATCH", url, json=case_fields(payload))
        if not response.is_success:
            raise self._failure(response)
        answer = json_body(response)
        case_id = answer.get("id") if isinstance(answer, dict) else None
        if not case_id:  # 204 from API versions before 46.0: look the case up by its key
            case_id = await self._find(url)
        return CaseReceipt(str(case_id), f"{self.instance_url}/lightning/r/Case/{case_id}/view")

    async def _find(self, url: str) -> str:
        response = await self._call("GET", url, params={"fields": "Id"})
        if not response.is_success:
            raise self._failure(response)
        answer = json_body(response)
        if not isinstance(answer, dict) or not answer.get("Id"):
            raise DeliveryFailed("Salesforce upserted the case but did not say its id")
        return str(answer["Id"])

    def _failure(self, response: httpx.Response) -> DeliveryFailed:
        if response.status_code == 300:
            return DeliveryFailed(
                f"Salesforce has several cases with {self.external_id_field} = this key; "
                "make the field unique",
                retryable=False,
            )
        if response.status_code == 403 and "REQUEST_LIMIT_EXCEEDED" in _error_codes(response):
            return DeliveryFailed(f"Salesforce API limit reached ({status_line(response)})")
        return failure(response, "Salesforce", auth_hint=AUTH_HINT)
