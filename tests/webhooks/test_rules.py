"""The back-office rules raise complaint.detected and interest.detected, in French and in
English, for customers' posts only, in the categories they watch."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.forums import services as forums
from community.forums.models import Category
from community.identity.models import Member, Role
from community.webhooks import services
from community.webhooks.catalogue import COMPLAINT_DETECTED, INTEREST_DETECTED
from community.webhooks.services import RulesForm
from tests.conftest import World
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import admin_of, subscribe

pytestmark = pytest.mark.anyio
DETECTED = [COMPLAINT_DETECTED, INTEREST_DETECTED]


async def _customer(world: World, tenant: str, email: str, customer_id: str = "") -> Member:
    member = await world.member(tenant, email)
    async with world.unit() as session:
        stored = await session.get(Member, member.id)
        assert stored is not None
        stored.customer_id = customer_id
    return member


async def _post(
    world: World, tenant: str, author: Member, body: str, category: str = "general"
) -> None:
    async with world.unit() as session:
        scope = await world.scope(session, tenant, await session.get(Member, author.id))
        await forums.create_thread(
            scope, category_slug=category, title="Une question sur mon compte", body=body
        )


async def test_french_complaints_and_leads_reach_the_back_office(world: World) -> None:
    with Receiver() as receiver:
        await subscribe(world, "globex", receiver, DETECTED)
        client = await _customer(world, "globex", "chloe@example.fr", "CRM-0042")
        await _post(world, "globex", client, "C'est une arnaque : je veux être REMBOURSÉE.")
        await _post(world, "globex", client, "Quel est le tarif de l'offre entreprise ?")
        [complaint] = receiver.of_type(COMPLAINT_DETECTED)
        assert complaint["data"]["rule"]["keywords"] == ["rembours*", "arnaque*"]
        assert complaint["data"]["customer_id"] == "CRM-0042"
        [lead] = receiver.of_type(INTEREST_DETECTED)
        assert set(lead["data"]["rule"]["keywords"]) == {"tarif*", "offre entreprise"}
        assert lead["data"]["customer_id"] == "CRM-0042"
        assert lead["data"]["member"]["email"] == "chloe@example.fr"
        assert lead["community"]["slug"] == "globex"


async def test_english_complaints_by_keyword_and_by_sentiment(world: World) -> None:
    with Receiver() as receiver:
        await subscribe(world, "acme", receiver, DETECTED)
        customer = await _customer(world, "acme", "bob@example.com", "SF-77")
        await _post(world, "acme", customer, "I want a refund, this is a rip off.")
        await _post(world, "acme", customer, "Terrible, awful, horrible. I hate this router.")
        await _post(world, "acme", customer, "Where can I buy the mesh extender?")
        await _post(world, "acme", customer, "Refund received. Thanks a lot!")  # a thank-you
        complaints = receiver.of_type(COMPLAINT_DETECTED)
        assert [c["data"]["rule"]["reasons"] for c in complaints] == [["keywords"], ["sentiment"]]
        assert complaints[0]["data"]["rule"]["keywords"] == ["refund*", "rip-off"]
        assert complaints[1]["data"]["rule"]["sentiment"] < -0.5
        [lead] = receiver.of_type(INTEREST_DETECTED)
        assert lead["data"]["rule"]["keywords"] == ["where can i buy"]
        assert lead["data"]["customer_id"] == "SF-77"


async def test_staff_posts_and_unwatched_categories_raise_nothing(world: World) -> None:
    with Receiver() as receiver:
        await subscribe(world, "acme", receiver, DETECTED)
        admin = await admin_of(world, "acme")
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, admin.id))
            billing = await session.scalar(select(Category).where(Category.slug == "billing"))
            assert billing is not None
            rules = RulesForm.of(services.load_rules(scope))
            await services.update_rules(
                scope, RulesForm(**{**rules.__dict__, "category_ids": [str(billing.id)]})
            )
        expert = await world.member("acme", "eve@example.com", Role.EXPERT)
        customer = await _customer(world, "acme", "bob@example.com")
        await _post(world, "acme", expert, "We never refund a scam, sorry.", "billing")
        await _post(world, "acme", customer, "I want a refund for this scam.", "general")
        assert receiver.received == []
        await _post(world, "acme", customer, "Billing scammed me: refund me.", "billing")
        assert receiver.types() == [COMPLAINT_DETECTED]


async def test_rules_with_bad_input_are_refused_by_field(world: World) -> None:
    admin = await admin_of(world, "acme")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, admin.id))
        form = RulesForm(True, "ok\n*bad", True, "-3", True, "x" * 61, ["999999"])
        with pytest.raises(services.ValidationFailed) as refused:
            await services.update_rules(scope, form)
    assert set(refused.value.errors) == {
        "complaint_keywords",
        "sentiment_threshold",
        "interest_keywords",
        "category_ids",
    }
