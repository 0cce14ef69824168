"""The Salesforce adapter against a server answering as the REST API and OAuth docs say.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_client_credentials_flow.htm
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.salesforce import SalesforceAdapter
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

CASES = "/services/data/v62.0/sobjects/Case/Parvis_Escalation_Key__c"
INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
INVALID_CLIENT = {"error": "invalid_client", "error_description": "invalid client credentials"}


class FakeSalesforce:
    """The token endpoint (client credentials) and Case upsert by external id."""

    def __init__(self) -> None:
        self.cases: dict[str, dict[str, Any]] = {}
        self.valid_tokens: set[str] = set()
        self.issued = 0
        self.upsert_delay = 0.0
        self.old_api = False  # answer upserts of existing cases with 204, as before v46.0

    def __call__(self, seen: Seen) -> Reply:
        if seen.path == "/services/oauth2/token":
            return self._token(parse_qs(seen.body.decode()))
        if seen.headers.get("authorization", "").removeprefix("Bearer ") not in self.valid_tokens:
            return Reply(401, INVALID_SESSION)
        key = seen.path.removeprefix(CASES + "/")
        if seen.method == "GET":
            return Reply(200, {"attributes": {"type": "Case"}, "Id": self.cases[key]["Id"]})
        return self._upsert(key, seen.json())

    def _token(self, form: dict[str, list[str]]) -> Reply:
        if form != {"grant_type": ["client_credentials"], "client_id": ["3MVG9id"],
                    "client_secret": ["s3cret"]}:  # fmt: skip
            return Reply(400, INVALID_CLIENT)
        self.issued += 1
        token = f"00Dxx!token{self.issued}"
        self.valid_tokens.add(token)
        return Reply(200, {"access_token": token, "instance_url": "https://acme.my.salesforce.com",
                           "id": "https://login.salesforce.com/id/00Dxx/005xx",
                           "token_type": "Bearer",
                           "issued_at": "1700000000000", "signature": "c2lnbmF0dXJl"})  # fmt: skip

    def _upsert(self, key: str, fields: dict[str, Any]) -> Reply:
        created = key not in self.cases
        case = self.cases.setdefault(key, {"Id": f"500Hn00001Xyz{len(self.cases):03d}AAA"})
        case.update(fields)
        if not created and self.old_api:
            return Reply(204, delay=self.upsert_delay)
        answer = {"id": case["Id"], "success": True, "errors": [], "created": created}
        return Reply(201 if created else 200, answer, delay=self.upsert_delay)

    def expire_sessions(self) -> None:
        self.valid_tokens.clear()


def salesforce(url: str, http: Any, secret: str = "s3cret") -> SalesforceAdapter:
    settings = {"instance_url": url, "client_id": "3MVG9id"}
    return SalesforceAdapter(settings, {"client_secret": secret}, http)


@pytest.mark.anyio
async def test_upserts_a_case_on_the_external_id_as_documented() -> None:
    payload = make_payload()
    with Vendor(FakeSalesforce()) as vendor:
        http = client()
        receipt = await salesforce(vendor.url, http).create_case(payload)
    case_id = "500Hn00001Xyz000AAA"
    assert receipt == CaseReceipt(case_id, f"{vendor.url}/lightning/r/Case/{case_id}/view")
    token, upsert = vendor.seen
    assert (token.method, token.path) == ("POST", "/services/oauth2/token")
    assert token.headers["content-type"] == "application/x-www-form-urlencoded"
    assert (upsert.method, upsert.path) == ("PATCH", f"{CASES}/{payload.idempotency_key}")
    assert upsert.headers["authorization"] == "Bearer 00Dxx!token1"
    assert upsert.json() == {
        "Subject": "[Acme Community] Router keeps resetting",
        "Description": payload.summary(),
        "Origin": "Web",
        "Priority": "High",
        "SuppliedName": "Ada Lovelace",
        "SuppliedEmail": "ada@example.com",
    }


@pytest.mark.anyio
async def test_the_access_token_is_fetched_once_and_kept() -> None:
    fake = FakeSalesforce()
    with Vendor(fake) as vendor:
        http = client()
        adapter = salesforce(vendor.url, http)
        await adapter.create_case(make_payload("k-1"))
        await adapter.create_case(make_payload("k-2"))
    assert fake.issued == 1
    assert len(vendor.requests("PATCH")) == 2


@pytest.mark.anyio
async def test_an_invalid_session_fetches_a_new_token_and_retries_once() -> None:
    fake = FakeSalesforce()
    with Vendor(fake) as vendor:
        http = client()
        adapter = salesforce(vendor.url, http)
        await adapter.create_case(make_payload("k-1"))
        fake.expire_sessions()
        receipt = await adapter.create_case(make_payload("k-2"))
    assert receipt.case_id == fake.cases["k-2"]["Id"]
    assert fake.issued == 2
    tokens = [s.headers["authorization"] for s in vendor.requests("PATCH")]
    assert tokens == ["Bearer 00Dxx!token1", "Bearer 00Dxx!token1", "Bearer 00Dxx!token2"]


@pytest.mark.anyio
async def test_a_session_refused_again_is_not_renewed_forever() -> None:
    def answer(seen: Seen) -> Reply:
        if seen.path == "/services/oauth2/token":
            return Reply(200, {"access_token": "00Dxx!t", "instance_url": "x"})
        return Reply(401, INVALID_SESSION)

    with Vendor(answer) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await salesforce(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=False, says="Salesforce answered HTTP 401 Unauthorized")
    assert len(vendor.requests("POST", "oauth2")) == 2
    assert len(vendor.requests("PATCH")) == 2


@pytest.mark.anyio
async def test_a_retry_after_a_lost_answer_updates_the_same_case() -> None:
    fake = FakeSalesforce()
    with Vendor(fake) as vendor:
        http = client()
        fake.upsert_delay = SLOWER_THAN_THE_CLIENT  # the case is made, the answer is lost
        with pytest.raises(DeliveryFailed) as excinfo:
            await salesforce(vendor.url, http).create_case(make_payload())
        fake.upsert_delay = 0
        receipt = await salesforce(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says=f"Timed out after 0.5 s talking to {vendor.url}")
    assert len(fake.cases) == 1
    assert receipt.case_id == fake.cases[make_payload().idempotency_key]["Id"]


@pytest.mark.anyio
async def test_an_existing_case_answered_with_204_is_looked_up() -> None:
    fake = FakeSalesforce()
    fake.old_api = True
    with Vendor(fake) as vendor:
        http = client()
        first = await salesforce(vendor.url, http).create_case(make_payload())
        again = await salesforce(vendor.url, http).create_case(make_payload())
    assert again == first
    lookup = vendor.requests("GET")[0]
    assert lookup.query == {"fields": ["Id"]}


def _rest_error(status: int, code: str, message: str, fields: list[str] | None = None) -> Reply:
    return Reply(status, [{"message": message, "errorCode": code, "fields": fields or []}])


@pytest.mark.parametrize(
    ("reply", "retryable", "says"),
    [
        (_rest_error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Status]",
                     ["Status"]), False,
         "Salesforce answered HTTP 400 Bad Request"),
        (Reply(404, {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}),
         False, "HTTP 404 Not Found"),
        (Reply(300, [f"/services/data/v62.0/sobjects/Case/500{n}" for n in "AB"]),
         False, "several cases"),
        (_rest_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."), True,
         "API limit reached"),
        (_rest_error(403, "INSUFFICIENT_ACCESS", "insufficient access rights"), False,
         "its run-as user"),
        (_rest_error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred"), True, "HTTP 500"),
        (Reply(503, "Server Unavailable"), True, "HTTP 503"),
    ],
    ids=["400", "404", "300", "403-limit", "403", "500", "503"],
)  # fmt: skip
@pytest.mark.anyio
async def test_documented_errors(reply: Reply, retryable: bool, says: str) -> None:
    def answer(seen: Seen) -> Reply:
        if seen.path == "/services/oauth2/token":
            return Reply(200, {"access_token": "00Dxx!t", "instance_url": "x"})
        return reply

    with Vendor(answer) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await salesforce(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=retryable, says=says)


@pytest.mark.anyio
async def test_refused_client_credentials_are_not_retried() -> None:
    with Vendor(FakeSalesforce()) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await salesforce(vendor.url, http, secret="wrong").create_case(make_payload())
    assert_failed(excinfo, retryable=False, says="refused the client credentials: HTTP 400")
    assert vendor.requests("PATCH") == []


@pytest.mark.anyio
async def test_a_broken_token_endpoint_is_retried() -> None:
    reply = Reply(503, "Service Unavailable", {"Retry-After": "60"})
    with Vendor(lambda seen: reply) as vendor:
        http = client()
        with pytest.raises(DeliveryFailed) as excinfo:
            await salesforce(vendor.url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, retry_after=60, says="token endpoint answered HTTP 503")


@pytest.mark.anyio
async def test_a_refused_connection_is_retried() -> None:
    url = dead_url()
    http = client()
    with pytest.raises(DeliveryFailed) as excinfo:
        await salesforce(url, http).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says=f"Cannot connect to {url}")
