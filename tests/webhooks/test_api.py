"""The same through the JSON API, under /api/v1/admin/webhooks."""

from __future__ import annotations

import asyncio

import pytest

from community.config import Settings
from tests.conftest import Client
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import run_jobs

pytestmark = pytest.mark.anyio
API = "/api/v1/admin/webhooks"


async def test_an_admin_manages_a_subscription_through_the_api(
    admin: Client, settings: Settings
) -> None:
    catalogue = await admin.get(f"{API}/events")
    assert catalogue.status_code == 200
    types = [e["type"] for e in catalogue.json()]
    assert "answer.posted" in types and "interest.detected" in types
    with Receiver() as receiver:
        created = await admin.api_post(API, {"url": receiver.url, "events": ["member.joined"]})
        assert created.status_code == 201, created.text
        body = created.json()
        receiver.secret = body["secret"]
        subscription_id = body["subscription"]["id"]
        shown = await admin.get(f"{API}/{subscription_id}/secret")
        assert shown.json() == {"secret": receiver.secret}
        tested = await admin.api_post(f"{API}/{subscription_id}/test", {})
        assert tested.status_code == 201 and tested.json()["state"] == "pending"
        await run_jobs(settings)
        for _ in range(100):
            log = (await admin.get(f"{API}/{subscription_id}/deliveries")).json()
            if log[0]["state"] == "delivered":
                break
            await asyncio.sleep(0.05)
        [entry] = log
        assert entry["last_status"] == 200 and entry["attempts"] == 1
        assert receiver.received[0].webhook_id == entry["webhook_id"]
        rotated = await admin.api_post(f"{API}/{subscription_id}/secret", {})
        assert rotated.status_code == 201 and rotated.json()["secret"] != receiver.secret
        token = await admin.ensure_csrf()
        changed = await admin.put(
            f"{API}/{subscription_id}", headers={"x-csrftoken": token},
            json={"url": receiver.url, "events": ["flag.raised", "answer.posted"], "paused": True},
        )  # fmt: skip
        assert changed.status_code == 200
        assert changed.json()["events"] == ["answer.posted", "flag.raised"]  # catalogue order
        gone = await admin.delete(f"{API}/{subscription_id}", headers={"x-csrftoken": token})
        assert gone.status_code == 204
        assert (await admin.get(f"{API}/{subscription_id}")).status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "http://169.254.169.254/latest", "events": ["flag.raised"]}, "url"),
        ({"url": "http://localhost:9000/x", "events": ["flag.raised"]}, "url"),
        ({"url": "https://crm.example.com", "events": []}, "events"),
        ({"url": "https://crm.example.com", "events": ["thread.deleted"]}, "events"),
    ],
)
async def test_bad_subscriptions_are_refused_by_field(
    admin: Client, payload: dict[str, object], field: str
) -> None:
    answer = await admin.api_post(API, payload)
    assert answer.status_code == 422
    assert field in answer.json()["errors"]


async def test_the_rules_through_the_api(admin: Client) -> None:
    token = await admin.ensure_csrf()
    stored = (await admin.get("/api/v1/admin/webhook-rules")).json()
    assert "refund*" in stored["complaint_keywords"]
    stored |= {"interest_keywords": ["devis", "pricing"], "sentiment_threshold": -0.3}
    saved = await admin.put(
        "/api/v1/admin/webhook-rules", json=stored, headers={"x-csrftoken": token}
    )
    assert saved.status_code == 200 and saved.json()["interest_keywords"] == ["devis", "pricing"]
    bad = await admin.put("/api/v1/admin/webhook-rules", headers={"x-csrftoken": token},
                          json=stored | {"sentiment_threshold": 5})  # fmt: skip
    assert bad.status_code == 422 and "sentiment_threshold" in bad.json()["errors"]


async def test_a_body_without_its_fields_is_told_by_field(admin: Client) -> None:
    answer = await admin.api_post(API, {})
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"url", "events"}
