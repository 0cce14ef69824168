"""/admin/webhooks: an admin subscribes an address, reads its secret and delivery log, sends
a test event and redelivers; bad input re-shows the form with the problem marked."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from community.config import Settings
from community.identity.models import Role
from tests.conftest import Client, World
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import run_jobs, subscribe

pytestmark = pytest.mark.anyio
SECRET = re.compile(r'id="signing-secret" readonly value="(whsec_[^"]+)"')


async def _wait_for(receiver: Receiver, count: int) -> None:
    for _ in range(100):
        if len(receiver.received) >= count:
            return
        await asyncio.sleep(0.05)


async def test_an_admin_subscribes_tests_and_redelivers(admin: Client, settings: Settings) -> None:
    with Receiver() as receiver:
        created = await admin.submit(
            "/admin/webhooks/",
            {
                "url": receiver.url,
                "description": "Our CRM",
                "events": ["thread.created", "member.joined"],
            },
        )
        assert created.status_code == 201, created.text
        found = SECRET.search(created.text)
        assert found is not None
        receiver.secret = found.group(1)
        [path] = re.findall(r'action="(/admin/webhooks/\d+)/test"', created.text)
        tested = await admin.submit(f"{path}/test", {})
        assert tested.status_code == 303
        await run_jobs(settings)
        await _wait_for(receiver, 1)
        [first] = receiver.received
        assert first.verified and first.body is not None and first.body["type"] == "webhook.test"
        page = await admin.get(f"{path}?done=test")
        assert "A test event was queued" in page.text
        assert first.webhook_id in page.text and 'data-state="delivered"' in page.text
        [redeliver] = re.findall(
            r'action="(/admin/webhooks/\d+/deliveries/\d+/redeliver)"', page.text
        )
        assert (await admin.submit(redeliver, {})).status_code == 303
        await run_jobs(settings)
        await _wait_for(receiver, 2)
        assert [r.webhook_id for r in receiver.received] == [first.webhook_id] * 2
        listing = await admin.get("/admin/webhooks/")
        assert "Our CRM" in listing.text and "thread.created" in listing.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"url": "not a url", "events": ["thread.created"]}, "url", "Enter an http(s) URL"),
        (
            {"url": "ftp://crm.example.com/x", "events": ["thread.created"]},
            "url",
            "Enter an http(s) URL",
        ),
        (
            {"url": "http://192.168.1.20/hook", "events": ["thread.created"]},
            "url",
            "is a local or private address",
        ),
        (
            {"url": "http://10.0.0.1/hook", "events": ["thread.created"]},
            "url",
            "is a local or private address",
        ),
        ({"url": "", "events": ["thread.created"]}, "url", "Enter the address"),
        ({"url": "https://crm.example.com/hook"}, "events", "Choose at least one event."),
        (
            {"url": "https://crm.example.com/hook", "events": ["nope"]},
            "events",
            "Choose events from the list.",
        ),
    ],
)
async def test_bad_input_reshows_the_form_with_the_problem_marked(
    admin: Client, fields: dict[str, Any], field: str, message: str
) -> None:
    answer = await admin.submit("/admin/webhooks/", fields)
    assert answer.status_code == 422
    assert message in answer.text
    assert f'aria-describedby="{field}-error"' in answer.text
    assert f'value="{fields["url"]}"' in answer.text  # what was typed is kept
    assert "No subscription yet." in answer.text


async def test_editing_with_bad_input_marks_it_and_saves_nothing(
    admin: Client, world: World
) -> None:
    with Receiver() as receiver:
        subscription_id = await subscribe(world, "acme", receiver, ["thread.created"])
        page = f"/admin/webhooks/{subscription_id}"
        answer = await admin.submit(
            page, {"url": "http://127.0.0.2/hook", "events": ["thread.created"]}
        )
        assert answer.status_code == 422 and "is a local or private address" in answer.text
        saved = await admin.submit(
            page, {"url": receiver.url, "events": ["flag.raised"], "paused": "on"}
        )
        assert saved.status_code == 303
        shown = await admin.get(saved.headers["location"])
        assert "The subscription was saved." in shown.text
        assert re.search(r'value="flag.raised" checked', shown.text)
        assert re.search(r'name="paused" checked', shown.text)


async def test_the_rules_form_saves_and_marks_bad_lines(admin: Client) -> None:
    bad = await admin.submit("/admin/webhooks/rules", {
        "complaint_enabled": "on", "complaint_keywords": "refund*\n*oops",
        "sentiment_threshold": "2", "interest_keywords": "pricing",
    })  # fmt: skip
    assert bad.status_code == 422
    assert 'aria-describedby="complaint_keywords-error"' in bad.text
    assert 'aria-describedby="sentiment_threshold-error"' in bad.text
    good = await admin.submit("/admin/webhooks/rules", {
        "complaint_enabled": "on", "complaint_keywords": "refund*\nremboursement",
        "sentiment_threshold": "-0.4", "interest_enabled": "on", "interest_keywords": "devis",
    })  # fmt: skip
    assert good.status_code == 303
    page = await admin.get(good.headers["location"])
    assert "The back-office rules were saved." in page.text
    assert "refund*\nremboursement</textarea>" in page.text and 'value="-0.4"' in page.text


async def test_another_communitys_subscription_is_refused(admin: Client, world: World) -> None:
    with Receiver() as receiver:
        theirs = await subscribe(world, "globex", receiver, ["thread.created"])
        base = f"/admin/webhooks/{theirs}"
        assert (await admin.get(base)).status_code == 404
        for action in ("", "/test", "/rotate", "/delete", "/deliveries/1/redeliver"):
            answer = await admin.submit(
                base + action, {"url": "https://x.example", "events": ["flag.raised"]}
            )
            assert answer.status_code == 404, action
        api = f"/api/v1/admin/webhooks/{theirs}"
        token = await admin.ensure_csrf()
        assert (await admin.get(api)).status_code == 404
        assert (await admin.get(f"{api}/secret")).status_code == 404
        assert (await admin.get(f"{api}/deliveries")).status_code == 404
        assert (await admin.delete(api, headers={"x-csrftoken": token})).status_code == 404
        assert (await admin.api_post(f"{api}/test", {})).status_code == 404
    # still there, untouched, for its own community
    assert receiver.received == []


async def test_members_and_guests_cannot_see_the_pages(
    client: Client, client_for: Any, world: World
) -> None:
    await world.member("acme", "ann@example.com", Role.MEMBER)
    assert (await client_for().get("/admin/webhooks/")).status_code in (401, 303)
    await client.login("ann@example.com")
    assert (await client.get("/admin/webhooks/")).status_code == 403
    assert (await client.get("/api/v1/admin/webhooks")).status_code == 403
