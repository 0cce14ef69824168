"""The outbox delivers each escalation to the contact centre exactly once, whatever fails."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from community.config import DeliveryOptions
from community.escalation import delivery, services
from community.escalation.models import EscalationState, EscalationTarget
from community.identity.models import Member, Role
from community.tenancy.models import Tenant
from tests.conftest import TEST_DELIVERY, TEST_OUTBOUND, World, requires_postgres
from tests.escalation.support import add_webhook_target, contact_centre, escalations

pytestmark = pytest.mark.anyio


async def _escalate(world: World, moderator: Member, thread_id: int, note: str = "Call her") -> int:
    async with world.unit() as session:
        actor = await session.get(Member, moderator.id)
        scope = await world.scope(session, "acme", actor)
        return (await services.escalate_by_hand(scope, thread_id, note)).id


async def _limit_attempts(world: World, attempts: int) -> None:
    async with world.unit() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        assert tenant is not None
        tenant.preferences = tenant.preferences | {"escalation": {"max_attempts": attempts}}


async def test_an_escalation_reaches_the_contact_centre_once_with_what_an_agent_needs(
    world: World,
) -> None:
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker, title="My fibre is down since Monday", replies=1)
    with contact_centre() as centre:
        target = await add_webhook_target(world, "acme", centre)
        await _escalate(world, moderator, thread.id, "Customer is a nurse on night shifts")
        await _escalate(world, moderator, thread.id, "She called twice already")

        [case] = centre.cases()
        [escalation] = await escalations(world, thread.id)
    assert escalation.state == EscalationState.ACKNOWLEDGED
    assert escalation.external_id == case.id and escalation.attempts == 1
    assert "nurse" in escalation.note and "called twice" in escalation.note
    payload = case.payload
    assert payload.thread_title == "My fibre is down since Monday"
    assert payload.thread_url == f"http://acme.test/t/{thread.id}/{thread.slug}"
    assert payload.asker.email == "ann@example.com" and payload.rules == ["manual"]
    assert payload.question.body.startswith("Body of") and len(payload.answers) == 1
    assert payload.callback_url == f"http://acme.test/hooks/contact-centre/{target.id}"
    assert payload.idempotency_key == escalation.idempotency_key
    assert [h.kind for h in payload.history] == ["created", "rule:manual"]


@pytest.mark.parametrize(("mode", "failures"), [("500", 3), ("reset", 2)])
async def test_failed_attempts_are_retried_and_open_a_single_case(
    world: World, mode: str, failures: int
) -> None:
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker)
    with contact_centre(fail_first=failures, fail_mode=mode) as centre:
        await add_webhook_target(world, "acme", centre)
        await _escalate(world, moderator, thread.id)
        cases, attempts = centre.cases(), centre.attempts()
    [escalation] = await escalations(world)
    assert len(cases) == 1 and len(attempts) == failures + 1
    assert escalation.state == EscalationState.ACKNOWLEDGED
    assert escalation.attempts == failures + 1 and escalation.last_error == ""


async def test_a_timeout_is_retried_without_a_second_case(world: World) -> None:
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker)
    slower = TEST_DELIVERY.timeout + 0.5
    with contact_centre(fail_first=1, fail_mode="timeout", timeout_seconds=slower) as centre:
        await add_webhook_target(world, "acme", centre)
        await _escalate(world, moderator, thread.id)
        assert len(centre.cases()) == 1
    [escalation] = await escalations(world)
    assert escalation.state == EscalationState.ACKNOWLEDGED and escalation.attempts == 2


async def test_after_the_last_attempt_it_fails_and_a_moderator_can_retry(world: World) -> None:
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker)
    await _limit_attempts(world, 2)
    with contact_centre() as centre:
        unused_port = f"http://127.0.0.1:{_free_port()}/webhook"
        target = await add_webhook_target(world, "acme", centre, url=unused_port)
        escalation_id = await _escalate(world, moderator, thread.id)
        [failed] = await escalations(world)
        assert failed.state == EscalationState.FAILED and failed.attempts == 2
        assert "connect" in failed.last_error.lower() and not centre.cases()

        async with world.unit() as session:
            await session.execute(
                update(EscalationTarget)
                .where(EscalationTarget.id == target.id)
                .values(settings={"url": f"{centre.url}/webhook"})
            )
            actor = await session.get(Member, moderator.id)
            await services.retry(await world.scope(session, "acme", actor), escalation_id)
        assert len(centre.cases()) == 1
    [retried] = await escalations(world)
    assert retried.state == EscalationState.ACKNOWLEDGED and retried.attempts == 1


async def test_a_refusal_that_cannot_get_better_fails_at_once(world: World) -> None:
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker)
    with contact_centre() as centre:
        target = await add_webhook_target(world, "acme", centre)
        async with world.unit() as session:  # signing with a secret the centre does not know
            await session.execute(
                update(EscalationTarget)
                .where(EscalationTarget.id == target.id)
                .values(credentials={"signing_secret": centre.callback_secret})
            )
        await _escalate(world, moderator, thread.id)
        assert not centre.cases()
    [escalation] = await escalations(world)
    assert escalation.state == EscalationState.FAILED and escalation.attempts == 1
    assert "401" in escalation.last_error


async def test_a_worker_dying_mid_delivery_loses_nothing_and_duplicates_nothing(
    world: World,
) -> None:
    """The worker sent the case, then died before writing down that it had."""
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker)
    escalation_id = await _escalate(world, moderator, thread.id)  # no target yet: it waits
    options = DeliveryOptions(timeout=2.0, lease_seconds=3.0, base_url_format="http://{domain}")
    with contact_centre() as centre:
        await add_webhook_target(world, "acme", centre)
        async with world.unit() as session:
            claimed = await delivery._claim(session, escalation_id, options)
        assert claimed is not None
        await delivery._send(claimed, TEST_OUTBOUND)  # ...and the process is killed here
        assert len(centre.cases()) == 1
        assert (
            await delivery.deliver(
                world.sessions, world.jobs, escalation_id, options, TEST_OUTBOUND
            )
            is None
        )

        await asyncio.sleep(3.05)  # the dead worker's lease runs out
        assert await delivery.redrive(world.sessions, world.jobs) == 1
        await world.jobs.drain()
        assert len(centre.cases()) == 1
        assert [a.outcome for a in centre.attempts()] == ["created", "duplicate"]
    [escalation] = await escalations(world)
    assert escalation.state == EscalationState.ACKNOWLEDGED and escalation.attempts == 2


async def test_without_a_target_it_waits_and_goes_out_once_one_is_configured(
    world: World,
) -> None:
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker)
    await _escalate(world, moderator, thread.id)
    [waiting] = await escalations(world)
    assert waiting.state == EscalationState.PENDING and waiting.attempts == 0
    assert waiting.last_error == delivery.NO_TARGET
    with contact_centre() as centre:
        await add_webhook_target(world, "acme", centre)
        assert await delivery.redrive(world.sessions, world.jobs) == 1
        await world.jobs.drain()
        assert len(centre.cases()) == 1


async def test_priority_weighs_the_rule_and_the_customer(world: World) -> None:
    plain = await world.member("acme", "ann@example.com")
    gold = await world.member("acme", "vip@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    async with world.unit() as session:
        await session.execute(
            update(Member)
            .where(Member.id == gold.id)
            .values(customer_tier="Gold", customer_id="CUST-1042", reputation=1500)
        )
    first = await world.thread("acme", plain, title="Plain customer question")
    second = await world.thread("acme", gold, title="Gold customer question")
    with contact_centre() as centre:
        await add_webhook_target(world, "acme", centre)
        await _escalate(world, moderator, first.id)
        await _escalate(world, moderator, second.id)
        by_title = {c.payload.thread_title: c.payload for c in centre.cases()}
    low, high = by_title["Plain customer question"], by_title["Gold customer question"]
    assert high.priority > low.priority
    assert (high.priority_label, low.priority_label) == ("urgent", "high")
    assert high.asker.tier == "Gold" and high.asker.customer_id == "CUST-1042"


@requires_postgres
async def test_concurrent_rules_open_one_escalation_per_thread(world: World) -> None:
    asker = await world.member("acme", "ann@example.com")
    moderators = [
        await world.member("acme", f"mo{n}@example.com", Role.MODERATOR) for n in range(10)
    ]
    thread = await world.thread("acme", asker)
    await asyncio.gather(*(_escalate(world, m, thread.id, f"Note {m.id}") for m in moderators))
    [escalation] = await escalations(world, thread.id)
    assert escalation.note.count("Note ") == 10


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
