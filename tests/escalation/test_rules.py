"""When threads escalate: angry or complaining askers at once, unresolved ones after the SLA."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update

from community.escalation.keywords import is_thanks
from community.escalation.models import EscalationState, Rule
from community.escalation.services import resume_clock, wait_on_asker
from community.escalation.sweep import sweep_unresolved
from community.forums import services as forums
from community.forums.models import Post, Thread
from community.identity.models import Member, Role
from community.qa.services import certify
from community.tenancy.models import Tenant
from tests.conftest import World
from tests.escalation.support import escalations

pytestmark = pytest.mark.anyio

ANGRY = "I am furious. You are useless, dishonest and pathetic. Terrible, horrible experience."
PARIS = {"timezone": "Europe/Paris", "days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}
FRIDAY_5PM_PARIS = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


async def _rules(world: World, tenant: str, **rules: Any) -> None:
    async with world.unit() as session:
        row = await session.get(Tenant, world.tenants[tenant])
        assert row is not None
        row.preferences = row.preferences | {"escalation": rules}


async def _reply(world: World, tenant: str, author: Member, thread_id: int, body: str) -> Post:
    async with world.unit() as session:
        scope = await world.scope(session, tenant, await session.get(Member, author.id))
        return await forums.reply(scope, thread_id, body)


async def _ask(world: World, tenant: str, author: Member, title: str, body: str) -> Thread:
    async with world.unit() as session:
        scope = await world.scope(session, tenant, await session.get(Member, author.id))
        return await forums.create_thread(scope, category_slug="general", title=title, body=body)


async def test_an_angry_asker_escalates_at_once_and_a_calm_one_does_not(world: World) -> None:
    asker = await world.member("acme", "ann@example.com")
    angry = await _ask(world, "acme", asker, "Billing disaster again", ANGRY)
    calm = await _ask(
        world, "acme", asker, "Router lights meaning", "How do I read the router lights?"
    )
    [escalation] = await escalations(world)
    assert escalation.thread_id == angry.id and escalation.rules == [Rule.SENTIMENT]
    assert not await escalations(world, calm.id)


async def test_only_the_asker_s_own_posts_count(world: World) -> None:
    asker = await world.member("acme", "ann@example.com")
    other = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", asker)
    await _reply(world, "acme", other, thread.id, ANGRY + " I want a refund.")
    assert not await escalations(world)
    await _reply(world, "acme", asker, thread.id, "Still broken. I want a refund now.")
    [escalation] = await escalations(world)
    assert escalation.rules == [Rule.COMPLAINT]


async def test_french_complaint_keywords_and_sentiment_add_to_one_escalation(world: World) -> None:
    client = await world.member("globex", "claire@example.fr")
    thread = await _ask(
        world, "globex", client, "Facture trop élevée", "Je veux résilier mon abonnement."
    )
    await _reply(world, "globex", client, thread.id, "Service horrible, conseillers incompétents.")
    [escalation] = await escalations(world)
    assert escalation.rules == [Rule.COMPLAINT, Rule.SENTIMENT]


async def test_switched_off_rules_do_not_fire(world: World) -> None:
    await _rules(world, "acme", sentiment_enabled=False, complaint_enabled=False)
    asker = await world.member("acme", "ann@example.com")
    await _ask(world, "acme", asker, "Billing disaster again", ANGRY + " Refund me.")
    assert not await escalations(world)


async def test_posts_keep_their_sentiment(world: World) -> None:
    asker = await world.member("acme", "ann@example.com")
    thread = await _ask(
        world, "acme", asker, "Thanks everyone", "Thanks a lot, this works perfectly!"
    )
    async with world.unit() as session:
        first = await forums.get_post(await world.scope(session, "acme"), thread.id)
    assert first.sentiment is not None and first.sentiment > 0.5


# ---- unresolved for N business hours -------------------------------------------------------


async def _old_question(world: World, asked_at: datetime, title: str = "Unanswered") -> Thread:
    asker = await world.member("acme", f"{title.lower().replace(' ', '')}@example.com")
    thread = await world.thread("acme", asker, title=title)
    async with world.unit() as session:
        await session.execute(
            update(Thread).where(Thread.id == thread.id).values(created_at=asked_at)
        )
    return thread


async def _paris_rules(world: World, **more: Any) -> None:
    await _rules(world, "acme", unresolved_hours=4, unresolved_since="2026-01-01T00:00:00+00:00",
                 calendar=PARIS, **more)  # fmt: skip


async def test_a_friday_evening_question_breaches_on_monday_not_at_the_weekend(
    world: World,
) -> None:
    await _paris_rules(world)
    thread = await _old_question(world, FRIDAY_5PM_PARIS)
    saturday = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)
    monday_before = datetime(2026, 11, 23, 10, 59, tzinfo=UTC)  # 11:59 Paris: 3 h 59 min
    monday_after = datetime(2026, 11, 23, 11, 1, tzinfo=UTC)
    assert await sweep_unresolved(world.sessions, world.jobs, saturday) == 0
    assert await sweep_unresolved(world.sessions, world.jobs, monday_before) == 0
    assert await sweep_unresolved(world.sessions, world.jobs, monday_after) == 1
    assert await sweep_unresolved(world.sessions, world.jobs, monday_after) == 0  # only once
    [escalation] = await escalations(world, thread.id)
    assert escalation.rules == [Rule.UNRESOLVED] and escalation.state == EscalationState.PENDING


async def test_answered_or_staff_handled_questions_do_not_breach(world: World) -> None:
    await _paris_rules(world)
    expert = await world.member("acme", "ex@example.com", Role.EXPERT)
    handled = await _old_question(world, FRIDAY_5PM_PARIS, "Handled by staff")
    await _reply(world, "acme", expert, handled.id, "Try restarting the box.")
    accepted = await _old_question(world, FRIDAY_5PM_PARIS, "Accepted answer")
    async with world.unit() as session:
        await session.execute(
            update(Thread).where(Thread.id == accepted.id).values(accepted_post_id=None)
        )
    helper = await world.member("acme", "helper@example.com")
    answer = await _reply(world, "acme", helper, accepted.id, "Here is how.")
    async with world.unit() as session:
        await session.execute(
            update(Thread).where(Thread.id == accepted.id).values(accepted_post_id=answer.id)
        )
    late = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert await sweep_unresolved(world.sessions, world.jobs, late) == 0


async def test_questions_from_before_the_rule_was_switched_on_never_breach(world: World) -> None:
    await _rules(world, "acme", unresolved_hours=4, calendar=PARIS,
                 unresolved_since="2026-11-21T00:00:00+00:00")  # fmt: skip
    await _old_question(world, FRIDAY_5PM_PARIS)
    assert (
        await sweep_unresolved(world.sessions, world.jobs, datetime(2026, 12, 1, tzinfo=UTC)) == 0
    )


async def test_holidays_and_waiting_on_the_asker_push_the_deadline(world: World) -> None:
    await _paris_rules(world)
    await _rules(world, "acme", unresolved_hours=4, unresolved_since="2026-01-01T00:00:00+00:00",
                 calendar=PARIS | {"holidays": ["2026-11-23"]})  # fmt: skip
    thread = await _old_question(world, FRIDAY_5PM_PARIS)
    monday_noon = datetime(2026, 11, 23, 11, 1, tzinfo=UTC)
    tuesday_noon = datetime(2026, 11, 24, 11, 1, tzinfo=UTC)
    assert await sweep_unresolved(world.sessions, world.jobs, monday_noon) == 0  # a holiday

    helper = await world.member("acme", "helper@example.com")
    async with world.unit() as session:  # Tuesday 10:00 Paris someone asks for details...
        row = await session.get(Thread, thread.id)
        assert row is not None
        await wait_on_asker(
            await world.scope(session, "acme", await session.get(Member, helper.id)), row
        )
        row.awaiting_asker_since = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert await sweep_unresolved(world.sessions, world.jobs, tuesday_noon) == 0
    async with world.unit() as session:  # ...and the asker answers at 11:00 Paris: 1 h paused
        row = await session.get(Thread, thread.id)
        assert row is not None
        await resume_clock(
            await world.scope(session, "acme"), row, datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
        )
        assert row.paused_business_seconds == 3600
    assert await sweep_unresolved(world.sessions, world.jobs, tuesday_noon) == 0
    later = datetime(2026, 11, 24, 12, 1, tzinfo=UTC)
    assert await sweep_unresolved(world.sessions, world.jobs, later) == 1


# ---- resolved threads and thank-yous ------------------------------------------------------------


async def _certify(world: World, answer: Post) -> None:
    certifier = await world.member("globex", f"certifier{answer.id}@example.fr", Role.MODERATOR)
    async with world.unit() as session:
        scope = await world.scope(session, "globex", await session.get(Member, certifier.id))
        await certify(scope, answer.id)


def _demo_bodies() -> set[str]:
    """Every reply written in the demo communities, as the seed posts them."""
    from community.demo.content import RETAILER, TELECOM

    return {
        reply["body"]
        for community in (TELECOM, RETAILER)
        for thread in community["threads"]
        for reply in thread.get("replies", [])
        if isinstance(reply.get("body"), str)
    }


DEMO_THANKS = [
    "Contestation faite : 60 € remboursés sous forme d'avoir. Je reste un peu déçu, mais j'ai "
    "activé le blocage. Merci pour l'info.",
    "Money's in. Thanks Priya.",
    "Trois jours sans la moindre coupure : merci, ça a marché ! 🎉",
    "Arrived this morning, all in one piece. Thanks for chasing it.",
    "Parfait, c'est très clair. Merci !",
    "They appeared this morning, nine days later. Thanks both!",
]
NOT_THANKS = [
    "Je veux être remboursé, c'est inadmissible. Merci.",
    "Merci de me rembourser au plus vite.",
    "Merci d'avance pour le remboursement.",
    "Thanks, but I still want a refund.",
    "I want a refund now. Thanks.",
    "Thanks for nothing. This is a scam.",
    "Merci pour la réponse, mais je veux résilier.",
    "Toujours pas remboursé, merci de faire quelque chose ?",
]


@pytest.mark.parametrize("text", DEMO_THANKS)
def test_thank_yous_from_the_demo_are_recognised(text: str) -> None:
    assert text in _demo_bodies(), "the phrase comes from the demo content"
    assert is_thanks(text)


@pytest.mark.parametrize("text", NOT_THANKS)
def test_complaints_that_say_thanks_are_not_thank_yous(text: str) -> None:
    assert not is_thanks(text)


async def test_a_thank_you_with_a_complaint_keyword_on_a_certified_thread_does_not_escalate(
    world: World,
) -> None:
    client = await world.member("globex", "pierre@example.fr")
    expert = await world.member("globex", "karim@example.fr", Role.EXPERT)
    thread = await _ask(
        world, "globex", client, "87 € de hors forfait au Maroc", "Est-ce qu'on peut contester ?"
    )
    answer = await _reply(world, "globex", expert, thread.id, "Demandez un geste commercial.")
    await _certify(world, answer)
    await _reply(world, "globex", client, thread.id, DEMO_THANKS[0])
    assert not await escalations(world, thread.id)


async def test_a_complaint_on_a_resolved_thread_does_not_escalate_but_on_an_open_one_it_does(
    world: World,
) -> None:
    client = await world.member("globex", "pierre@example.fr")
    expert = await world.member("globex", "karim@example.fr", Role.EXPERT)
    settled = await _ask(world, "globex", client, "Facture de novembre", "Montant étrange.")
    answer = await _reply(world, "globex", expert, settled.id, "C'est la régularisation.")
    await _certify(world, answer)
    await _reply(world, "globex", client, settled.id, "Je veux être remboursé, c'est inadmissible.")
    assert not await escalations(world, settled.id)

    still_open = await _ask(world, "globex", client, "Facture de décembre", "Encore ce montant.")
    await _reply(world, "globex", client, still_open.id, "C'est inadmissible, remboursez-moi.")
    [escalation] = await escalations(world, still_open.id)
    assert escalation.rules == [Rule.COMPLAINT]


async def test_a_thank_you_on_an_open_thread_does_not_escalate_either(world: World) -> None:
    asker = await world.member("acme", "lena@example.com")
    thread = await _ask(
        world, "acme", asker, "Where is my refund for order 1182", "It's been ten days."
    )
    assert not await escalations(world, thread.id), "a question is no complaint yet"
    await _reply(world, "acme", asker, thread.id, "Refund arrived. Thanks Priya.")
    assert not await escalations(world, thread.id)
