"""Answers come back: signed case updates post the agent's reply and resolve the thread."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from community.demo.contact_centre import ContactCentre
from community.escalation import services
from community.escalation.models import EscalationState, EscalationTarget
from community.forums.models import Post, Thread
from community.identity.models import Member, Role
from community.notify.models import Notification
from tests.conftest import Client, World
from tests.escalation.support import add_webhook_target, contact_centre, escalations, signed

pytestmark = pytest.mark.anyio


@pytest.fixture
def centre() -> Iterator[ContactCentre]:
    with contact_centre() as running:
        yield running


async def _escalated(world: World, centre: ContactCentre) -> tuple[Thread, EscalationTarget]:
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker, title="My fibre is down since Monday")
    target = await add_webhook_target(world, "acme", centre)
    async with world.unit() as session:
        actor = await session.get(Member, moderator.id)
        await services.escalate_by_hand(
            await world.scope(session, "acme", actor), thread.id, "Help"
        )
    return thread, target


async def _send(
    client: Client, target: EscalationTarget, message: dict[str, Any], **sign: Any
) -> Any:
    body, headers = signed(sign.pop("secret", target.callback_secret), message, **sign)
    return await client.post(f"/hooks/contact-centre/{target.id}", content=body, headers=headers)


def _update(kind: str, key: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "idempotency_key": key, "case_id": "CASE-0001", **more}


async def test_an_agent_reply_is_posted_as_an_official_answer_and_the_asker_told(
    world: World, client: Client, centre: ContactCentre
) -> None:
    thread, target = await _escalated(world, centre)
    [escalation] = await escalations(world)
    reply = _update("case.replied", escalation.idempotency_key, agent={"name": "Julie"},
                    body="Your line was reset; please **restart** the box.")  # fmt: skip
    response = await _send(client, target, reply)
    assert response.status_code == 200, response.text

    page = (await client.get(f"/t/{thread.id}/{thread.slug}")).text
    assert "Customer service" in page and "Julie" in page and "<strong>restart</strong>" in page
    async with world.unit() as session:
        told = await session.scalar(
            select(func.count()).where(
                Notification.member_id == thread.author_id, Notification.kind == "agent_reply"
            )
        )
    assert told == 1


async def test_a_resolved_case_resolves_the_thread_and_closes_the_escalation(
    world: World, client: Client, centre: ContactCentre
) -> None:
    thread, target = await _escalated(world, centre)
    [escalation] = await escalations(world)
    key = escalation.idempotency_key
    await _send(client, target, _update("case.replied", key, agent={"name": "Julie"}, body="Done."))
    response = await _send(client, target, _update("case.resolved", key))
    assert response.status_code == 200 and response.json()["state"] == "resolved"

    [resolved] = await escalations(world)
    assert resolved.state == EscalationState.RESOLVED and resolved.open_thread_id is None
    async with world.unit() as session:
        row = await session.get(Thread, thread.id)
        assert row is not None and row.is_resolved
    page = (await client.get(f"/t/{thread.id}/{thread.slug}")).text
    assert "Certified" in page

    async with world.unit() as session:  # the thread may escalate again later
        moderator = await session.scalar(select(Member).where(Member.role == Role.MODERATOR))
        assert moderator is not None
        scope = await world.scope(session, "acme", moderator)
        await services.escalate_by_hand(scope, thread.id, "Again")
    assert len(await escalations(world, thread.id)) == 2


async def test_a_closed_case_ends_the_escalation_without_resolving_the_thread(
    world: World, client: Client, centre: ContactCentre
) -> None:
    thread, target = await _escalated(world, centre)
    [escalation] = await escalations(world)
    response = await _send(client, target, _update("case.closed", escalation.idempotency_key))
    assert response.status_code == 200
    [closed] = await escalations(world)
    assert closed.state == EscalationState.RESOLVED
    async with world.unit() as session:
        row = await session.get(Thread, thread.id)
        assert row is not None and not row.is_resolved


async def test_replayed_forged_and_stale_callbacks_get_401_and_change_nothing(
    world: World, client: Client, centre: ContactCentre
) -> None:
    thread, target = await _escalated(world, centre)
    [escalation] = await escalations(world)
    reply = _update("case.replied", escalation.idempotency_key, agent={"name": "J"}, body="Hi")
    assert (await _send(client, target, reply, msg_id="msg_once")).status_code == 200
    replayed = await _send(client, target, reply, msg_id="msg_once")
    forged = await _send(client, target, reply, secret=centre.secret)
    body, headers = signed(target.callback_secret, reply)
    old = datetime.now(UTC) - timedelta(minutes=10)
    headers |= {
        "webhook-timestamp": str(int(old.timestamp())),
        "webhook-signature": Webhook(target.callback_secret).sign(
            headers["webhook-id"], old, body.decode()
        ),
    }
    stale = await client.post(f"/hooks/contact-centre/{target.id}", content=body, headers=headers)
    unsigned = await client.post(f"/hooks/contact-centre/{target.id}", json=reply)
    for response in (replayed, forged, stale, unsigned):
        assert response.status_code == 401, response.text
        assert response.json()["detail"]
    async with world.unit() as session:
        posts = await session.scalar(
            select(func.count()).where(Post.thread_id == thread.id, Post.official_agent != "")
        )
    assert posts == 1


async def test_bad_updates_get_clear_errors(
    world: World, client: Client, centre: ContactCentre, client_for: Any
) -> None:
    _thread, target = await _escalated(world, centre)
    [escalation] = await escalations(world)
    unknown = await _send(client, target, _update("case.replied", "nope", body="x"))
    assert unknown.status_code == 404
    wrong_type = await _send(client, target, _update("case.exploded", escalation.idempotency_key))
    assert wrong_type.status_code == 422 and "type" in wrong_type.json()["errors"]
    empty = await _send(client, target, _update("case.replied", escalation.idempotency_key))
    assert empty.status_code == 422 and "body" in empty.json()["errors"]
    other_tenant = client_for("globex.test")
    elsewhere = await _send(
        other_tenant, target, _update("case.closed", escalation.idempotency_key)
    )
    assert elsewhere.status_code == 404


async def test_an_acknowledgement_may_arrive_before_the_delivery_is_recorded(
    world: World, client: Client, centre: ContactCentre
) -> None:
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker)
    async with world.unit() as session:  # no target yet: the escalation stays pending
        actor = await session.get(Member, moderator.id)
        await services.escalate_by_hand(await world.scope(session, "acme", actor), thread.id, "x")
    target = await add_webhook_target(world, "acme", centre)
    [pending] = await escalations(world)
    ack = _update("case.acknowledged", pending.idempotency_key, case_url="https://cc/CASE-0001")
    assert (await _send(client, target, ack)).status_code == 200
    [acknowledged] = await escalations(world)
    assert acknowledged.state == EscalationState.ACKNOWLEDGED
    assert acknowledged.external_url == "https://cc/CASE-0001"


@pytest.mark.parametrize("field", ["body", "agent", "case_id"])
async def test_a_control_character_in_a_signed_update_is_refused_and_changes_nothing(
    world: World, client: Client, centre: ContactCentre, field: str
) -> None:
    thread, target = await _escalated(world, centre)
    [escalation] = await escalations(world)
    values: dict[str, Any] = {"agent": {"name": "Julie"}, "body": "Your line was reset."}
    values[field] = {"name": "Ju\x00lie"} if field == "agent" else "reset\x00"
    response = await _send(
        client, target, _update("case.replied", escalation.idempotency_key, **values)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        field: "Remove the control characters (such as NUL) from this text."
    }
    page = (await client.get(f"/t/{thread.id}/{thread.slug}")).text
    assert "Customer service" not in page


@pytest.mark.parametrize("target_id", [0, 2**31, 2**63])
async def test_a_callback_to_a_target_id_beyond_the_columns_is_404(
    client: Client, world: World, target_id: int
) -> None:
    response = await client.post(f"/hooks/contact-centre/{target_id}", content=b"{}")
    assert response.status_code == 404
    assert response.json()["detail"] == "Page not found"
