"""The escalate action (thread, queue, API), the escalations pages, and who may use them."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select

from community.escalation import delivery, services
from community.escalation.models import EscalationState
from community.forums.models import Thread
from community.identity.models import Member, Role
from community.jobs import InProcessQueue
from community.moderation.models import AuditEntry, QueueItem
from community.tenancy.models import Tenant
from tests.conftest import TEST_DELIVERY, TEST_OUTBOUND, TRUSTING, Client, World
from tests.escalation.support import add_webhook_target, contact_centre, escalations

pytestmark = pytest.mark.anyio


async def _thread(world: World) -> Thread:
    asker = await world.member("acme", "ann@example.com")
    return await world.thread("acme", asker, title="Router keeps rebooting")


async def test_a_moderator_escalates_from_the_thread_page(world: World, client: Client) -> None:
    thread = await _thread(world)
    await world.member("acme", "mo@example.com", Role.MODERATOR)
    await client.login("mo@example.com")
    page = (await client.get(f"/t/{thread.id}/{thread.slug}")).text
    assert "Escalate to customer service" in page

    fragment = await client.htmx(f"/t/{thread.id}/escalate", {"note": "Third reboot today"})
    assert fragment.status_code == 200 and "Escalated to customer service" in fragment.text
    again = await client.submit(f"/t/{thread.id}/escalate", {"note": "And again"})
    assert again.status_code == 303 and again.headers["location"].startswith(f"/t/{thread.id}")
    [escalation] = await escalations(world)
    assert escalation.rules == ["manual"] and "And again" in escalation.note
    page = (await client.get(f"/t/{thread.id}/{thread.slug}")).text
    assert "Escalated to customer service" in page and f'id="escalate-{thread.id}"' not in page


async def test_a_note_is_required(world: World, client: Client) -> None:
    thread = await _thread(world)
    await world.member("acme", "ex@example.com", Role.EXPERT)
    await client.login("ex@example.com")
    fragment = await client.htmx(f"/t/{thread.id}/escalate", {"note": "  "})
    assert fragment.status_code == 422 and "Say in a note" in fragment.text
    plain = await client.submit(f"/t/{thread.id}/escalate", {"note": ""})
    assert plain.status_code == 422 and "Say in a note" in plain.text
    assert not await escalations(world)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.AGENT])
async def test_members_and_agents_cannot_escalate(world: World, client: Client, role: Role) -> None:
    thread = await _thread(world)
    await world.member("acme", "who@example.com", role)
    await client.login("who@example.com")
    assert "Escalate to customer service" not in (await client.get(f"/t/{thread.id}")).text
    response = await client.submit(f"/t/{thread.id}/escalate", {"note": "please"})
    assert response.status_code == 403
    api = await client.api_post(f"/api/v1/threads/{thread.id}/escalate", {"note": "please"})
    assert api.status_code == 403
    assert not await escalations(world)


async def test_anonymous_visitors_are_sent_to_log_in(world: World, client: Client) -> None:
    thread = await _thread(world)
    response = await client.submit(f"/t/{thread.id}/escalate", {"note": "x"})
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]


async def test_the_queue_escalates_an_item_s_thread_and_audits_it(
    world: World, client: Client
) -> None:
    thread = await _thread(world)
    async with world.unit() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        assert tenant is not None
        tenant.preferences = {"moderation": TRUSTING | {"premoderate_first_posts": 5}}
    newcomer = await world.member("acme", "new@example.com")
    async with world.unit() as session:
        from community.forums import services as forums

        author = await session.get(Member, newcomer.id)
        await forums.reply(await world.scope(session, "acme", author), thread.id, "Same here!")
        item = await session.scalar(select(QueueItem))
        assert item is not None
    await world.member("acme", "mo@example.com", Role.MODERATOR)
    await client.login("mo@example.com")
    assert f"/mod/queue/{item.id}/escalate" in (await client.get("/mod/queue")).text
    fragment = await client.htmx(f"/mod/queue/{item.id}/escalate", {"note": "Outage?"})
    assert fragment.status_code == 200 and "Escalated to customer service" in fragment.text
    [escalation] = await escalations(world)
    assert escalation.thread_id == thread.id
    async with world.unit() as session:
        audited = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "thread.escalate")
        )
    assert audited is not None and audited.reason == "Outage?"


async def test_the_escalations_page_shows_state_attempts_and_retries_failed_ones(
    world: World, client: Client, app: Litestar
) -> None:
    thread = await _thread(world)
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    async with world.unit() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        assert tenant is not None
        tenant.preferences = tenant.preferences | {"escalation": {"max_attempts": 1}}
    with contact_centre(fail_first=1) as centre:
        await add_webhook_target(world, "acme", centre)
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, moderator.id))
            await services.escalate_by_hand(scope, thread.id, "Please call")
        [failed] = await escalations(world)
        assert failed.state == EscalationState.FAILED

        await client.login("mo@example.com")
        failed_tab = (await client.get("/mod/escalations?status=failed")).text
        assert "Router keeps rebooting" in failed_tab and "500" in failed_tab
        assert f"/mod/escalations/{failed.id}/retry" in failed_tab
        retried = await client.submit(f"/mod/escalations/{failed.id}/retry", {})
        assert retried.status_code == 303
        await _run_web_jobs(app, world, failed.id)
        assert len(centre.cases()) == 1
    detail = (await client.get(f"/mod/escalations/{failed.id}")).text
    for text in ("Case open", "Delivery failed", "Retried", "Delivered", "Please call"):
        assert text in detail
    assert "Router keeps rebooting" in (await client.get("/mod/escalations")).text


async def _run_web_jobs(app: Litestar, world: World, escalation_id: int) -> None:
    """Deliveries the web app enqueued: drained in-process, or sent here when they went to
    Redis (no worker runs in this test)."""
    if isinstance(app.state.jobs, InProcessQueue):
        await app.state.jobs.drain()
    await delivery.deliver(world.sessions, world.jobs, escalation_id, TEST_DELIVERY, TEST_OUTBOUND)


async def test_only_moderators_and_agents_see_escalations(world: World, client_for: Any) -> None:
    await world.member("acme", "agent@example.com", Role.AGENT)
    await world.member("acme", "ann@example.com")
    agent, member = client_for(), client_for()
    await agent.login("agent@example.com")
    await member.login("ann@example.com")
    assert (await agent.get("/mod/escalations")).status_code == 200
    assert (await member.get("/mod/escalations")).status_code == 403
    assert (await member.get("/api/v1/escalations")).status_code == 403


async def test_the_api_escalates_lists_and_details(world: World, client: Client) -> None:
    thread = await _thread(world)
    await world.member("acme", "mo@example.com", Role.MODERATOR)
    await client.login("mo@example.com")
    created = await client.api_post(f"/api/v1/threads/{thread.id}/escalate", {"note": "Call"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["state"] == "pending" and body["rules"] == ["manual"]
    listed = (await client.get("/api/v1/escalations?status=open")).json()
    assert [e["id"] for e in listed] == [body["id"]]
    detail = (await client.get(f"/api/v1/escalations/{body['id']}")).json()
    assert [h["kind"] for h in detail["history"]] == ["created", "rule:manual"]
    not_failed = await client.api_post(f"/api/v1/escalations/{body['id']}/retry", {})
    assert not_failed.status_code == 422
    assert (await client.get("/api/v1/escalations/999999")).status_code == 404
    too_long = await client.api_post(f"/api/v1/threads/{thread.id}/escalate", {"note": "x" * 1001})
    assert too_long.status_code == 400


async def test_asking_the_asker_for_details_pauses_the_clock(world: World, client_for: Any) -> None:
    thread = await _thread(world)
    await world.member("acme", "helper@example.com")
    helper, asker = client_for(), client_for()
    await helper.login("helper@example.com")
    await asker.login("ann@example.com")
    form = (await helper.get(f"/t/{thread.id}/{thread.slug}")).text
    assert 'name="wait_on_asker"' in form
    assert 'name="wait_on_asker"' not in (await asker.get(f"/t/{thread.id}/{thread.slug}")).text
    await helper.submit(f"/t/{thread.id}/reply", {"body": "Which model?", "wait_on_asker": "1"})
    page = (await asker.get(f"/t/{thread.id}/{thread.slug}")).text
    assert "Waiting for details from the asker" in page
    await asker.submit(f"/t/{thread.id}/reply", {"body": "The X200."})
    page = (await asker.get(f"/t/{thread.id}/{thread.slug}")).text
    assert "Waiting for details from the asker" not in page
