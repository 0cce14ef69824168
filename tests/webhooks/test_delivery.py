"""Every event reaches a real receiver, signed (checked with `standardwebhooks`), once per
webhook-id, whatever fails on the way."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import select

from community.db import session_scope
from community.escalation import services as escalation
from community.forums import services as forums
from community.forums.models import CategoryKind, Post
from community.ideas import services as ideas
from community.identity.models import Member, Role
from community.moderation import services as moderation
from community.qa import services as qa
from community.webhooks import delivery, services
from community.webhooks.catalogue import EVENT_TYPES, TEST_EVENT
from community.webhooks.models import DeliveryState, WebhookDelivery
from tests.conftest import TEST_DELIVERY, TEST_OUTBOUND, TEST_SECRET_KEY, World
from tests.moderation import ask, moderation_rules, opening_post, queued
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import admin_of, deliveries, subscribe

pytestmark = pytest.mark.anyio


async def test_every_event_kind_reaches_the_receiver_signed(world: World) -> None:
    with Receiver() as receiver:
        subscription_id = await subscribe(world, "acme", receiver)
        asker = await world.member("acme", "ann@example.com")  # member.joined
        expert = await world.member("acme", "eve@example.com", Role.EXPERT)
        helper = await world.member("acme", "hal@example.com")
        thread = await world.thread("acme", asker)  # thread.created
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, helper.id))
            answer = await forums.reply(scope, thread.id, "Hold the reset button for 10 s.")
            opening = await session.scalar(select(Post).where(Post.thread_id == thread.id))
            assert opening is not None
            await moderation.flag_post(scope, opening.id, "spam")
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, asker.id))
            await qa.accept(scope, answer.id)  # answer.accepted and thread.resolved
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, expert.id))
            await qa.certify(scope, answer.id)  # answer.certified (already resolved)
            await escalation.escalate_by_hand(scope, thread.id, "Call her")  # state changed
        async with world.unit() as session:
            scope = await world.scope(session, "acme")
            await forums.create_category(scope, slug="ideas", name="Ideas", kind=CategoryKind.IDEAS)
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, asker.id))
            idea = await ideas.create_idea(scope, board="ideas", title="Dark mode", body="Please")
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, expert.id))
            await ideas.change_status(scope, idea.id, "planned", "Coming in March.")
        async with world.unit() as session:  # complaint.detected and interest.detected
            scope = await world.scope(session, "acme", await session.get(Member, asker.id))
            await forums.reply(scope, thread.id, "This is a scam, I want a refund. "
                               "Also, what is your pricing for the enterprise plan?")  # fmt: skip
        admin = await admin_of(world, "acme")
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, admin.id))
            await services.send_test(scope, subscription_id)

        assert set(receiver.types()) == set(EVENT_TYPES) | {TEST_EVENT}
        assert all(item.verified for item in receiver.received)
        assert len(receiver.of_type("thread.resolved")) == 1  # certifying after did not resolve
        [accepted] = receiver.of_type("answer.accepted")
        assert accepted["version"] == 1 and accepted["community"]["slug"] == "acme"
        assert accepted["data"]["answer"]["id"] == answer.id
        assert accepted["data"]["thread"]["path"].startswith(f"/t/{thread.id}/")
        [idea_event] = receiver.of_type("idea.status_changed")
        assert (idea_event["data"]["from"], idea_event["data"]["to"]) == ("new", "planned")
        [opened] = receiver.of_type("escalation.state_changed")
        assert (opened["data"]["from"], opened["data"]["to"]) == (None, "pending")
        joined = [e["data"]["member"]["email"] for e in receiver.of_type("member.joined")]
        assert "ann@example.com" in joined
        [complaint] = receiver.of_type("complaint.detected")
        assert {"scam*", "refund*"} <= set(complaint["data"]["rule"]["keywords"])
        [lead] = receiver.of_type("interest.detected")
        assert lead["data"]["member"]["id"] == asker.id
    assert {d.state for d in await deliveries(world)} == {DeliveryState.DELIVERED}


async def test_a_receiver_answering_500_gets_the_event_once_with_one_webhook_id(
    world: World,
) -> None:
    with Receiver(fail_first=2) as receiver:
        await subscribe(world, "acme", receiver, ["thread.created"])
        asker = await world.member("acme", "ann@example.com")
        await world.thread("acme", asker)
        for _ in range(50):  # the retries are deferred by the (short) test backoff
            await asyncio.sleep(0.05)
            await world.jobs.drain()
            if len(receiver.received) >= 3:
                break
        assert [r.status for r in receiver.received] == [500, 500, 200]
        assert len({r.webhook_id for r in receiver.received}) == 1
        assert len(receiver.processed()) == 1
    [row] = await deliveries(world)
    assert row.state == DeliveryState.DELIVERED and row.attempts == 3
    assert row.last_status == 200 and '"ok": true' in row.last_response


async def test_a_receiver_that_times_out_gets_it_again_with_the_same_id(world: World) -> None:
    with Receiver(slow_first=1, slow_seconds=1.0) as receiver:
        await subscribe(world, "acme", receiver, ["thread.created"])
        asker = await world.member("acme", "ann@example.com")
        options = replace(TEST_DELIVERY, timeout=0.3)
        delivery_id = await _post_without_jobs(world, asker, "A slow receiver")
        state = await delivery.deliver(world.sessions, _Discard(), delivery_id, options,
                                       TEST_OUTBOUND, TEST_SECRET_KEY)  # fmt: skip
        assert state == DeliveryState.PENDING
        [row] = await deliveries(world)
        assert "Timed out" in row.last_error and row.last_status is None
        await asyncio.sleep(0.2)  # the backoff
        assert await delivery.redrive(world.sessions, world.jobs) == 1
        await world.jobs.drain()
        assert len({r.webhook_id for r in receiver.received}) == 1
        assert len(receiver.processed()) == 1
    [row] = await deliveries(world)
    assert row.state == DeliveryState.DELIVERED and row.attempts == 2


class _Discard:
    """A job queue that loses every job (a Redis restart): only the sweep finds the rows."""

    async def dispatch(self, ticket: object) -> None:
        pass

    async def enqueue(self, name: str, **kwargs: object) -> None:
        pass


async def _post_without_jobs(world: World, author: Member, title: str) -> int:
    """A new thread whose delivery job is lost; the delivery's id."""
    async with session_scope(world.sessions, _Discard()) as session:
        scope = await world.scope(session, "acme", await session.get(Member, author.id))
        await forums.create_thread(scope, category_slug="general", title=title, body="x")
        found = await session.scalars(select(WebhookDelivery.id).order_by(WebhookDelivery.id))
        return list(found.all())[-1]


async def test_a_worker_killed_mid_delivery_loses_nothing_and_duplicates_nothing(
    world: World,
) -> None:
    """The worker sent the event, then died before writing down that it had."""
    options = replace(TEST_DELIVERY, lease_seconds=1.0)
    with Receiver() as receiver:
        await subscribe(world, "acme", receiver, ["thread.created"])
        asker = await world.member("acme", "ann@example.com")
        pending_id = await _post_without_jobs(world, asker, "Killed mid-delivery")
        async with world.unit() as session:
            claimed = await delivery._claim(session, pending_id, options, TEST_SECRET_KEY)
        assert claimed is not None
        await delivery._send(claimed, TEST_OUTBOUND)  # ...and the process is killed here
        assert len(receiver.received) == 1
        assert await delivery.deliver(world.sessions, world.jobs, pending_id, options,
                                      TEST_OUTBOUND, TEST_SECRET_KEY) is None  # fmt: skip
        assert await delivery.redrive(world.sessions, world.jobs) == 0  # still leased

        await asyncio.sleep(1.05)  # the dead worker's lease runs out
        assert await delivery.redrive(world.sessions, world.jobs) == 1
        await world.jobs.drain()
        assert len(receiver.received) == 2
        assert len({r.webhook_id for r in receiver.received}) == 1  # the receiver dedupes
        assert len(receiver.processed()) == 1
    [row] = await deliveries(world)
    assert row.state == DeliveryState.DELIVERED and row.attempts == 2
    assert await delivery.redrive(world.sessions, world.jobs) == 0


async def test_a_paused_subscription_hears_nothing_and_a_redelivery_keeps_the_id(
    world: World,
) -> None:
    with Receiver() as receiver:
        subscription_id = await subscribe(world, "acme", receiver, ["thread.created"])
        asker = await world.member("acme", "ann@example.com")
        await world.thread("acme", asker, title="The first thread")
        [first] = receiver.received
        admin = await admin_of(world, "acme")
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, admin.id))
            row = await services.get_subscription(scope, subscription_id)
            form = services.SubscriptionForm.of(row)
            await services.update_subscription(
                scope, subscription_id, replace(form, paused=True), TEST_OUTBOUND
            )
        await world.thread("acme", asker, title="While paused")
        assert len(receiver.received) == 1
        [delivered] = await deliveries(world)
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, admin.id))
            row = await services.get_subscription(scope, subscription_id)
            form = services.SubscriptionForm.of(row)
            await services.update_subscription(
                scope, subscription_id, replace(form, paused=False), TEST_OUTBOUND
            )
            await services.redeliver(scope, subscription_id, delivered.id)
        assert [r.webhook_id for r in receiver.received] == [first.webhook_id] * 2
    [row] = await deliveries(world)
    assert row.state == DeliveryState.DELIVERED and row.attempts == 1


async def test_a_held_post_is_announced_once_a_moderator_approves_it(world: World) -> None:
    await moderation_rules(world)  # the defaults: a new member's first posts are held
    with Receiver() as receiver:
        await subscribe(world, "acme", receiver, ["thread.created", "interest.detected"])
        newcomer = await world.member("acme", "nina@example.com")
        thread = await ask(world, newcomer, "My very first question", "Pricing for 3 lines?")
        assert receiver.received == []  # held: nobody outside hears of it
        moderator = await world.member("acme", "mod@example.com", Role.MODERATOR)
        item = await queued(world, await opening_post(world, thread))
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, moderator.id))
            await moderation.claim(scope, item.id)
            await moderation.decide(scope, item.id, "approve")
        assert sorted(receiver.types()) == ["interest.detected", "thread.created"]
        [event] = receiver.of_type("thread.created")
        assert event["data"]["thread"]["id"] == thread.id
