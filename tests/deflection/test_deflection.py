"""Deflection: similar answered questions while asking, what members did with them, and the
admin's figures per day."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from community.db import utcnow
from community.deflection import services as deflection
from community.deflection.models import DeflectionEvent, DeflectionKind
from community.forums import services as forums
from community.forums.models import Thread
from community.identity.models import Member, Role
from community.qa import services as qa
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

KEY = "k" * 22
OTHER_KEY = "o" * 22


async def resolved_question(world: World, asker: Member, helper: Member, title: str) -> Thread:
    """A question with an accepted answer (the suggestions only offer resolved ones)."""
    thread = await world.thread("acme", asker, title=title)
    async with world.unit() as session:
        reply = await forums.reply(
            await world.scope(session, "acme", helper), thread.id, "Change the channel to 11."
        )
    async with world.unit() as session:
        await qa.accept(await world.scope(session, "acme", asker), reply.id)
    return thread


@pytest.fixture
async def router(world: World) -> Thread:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    await world.thread("acme", ann, title="Router lights blink orange")  # not resolved
    return await resolved_question(world, ann, bob, "My router drops the connection every evening")


async def events(world: World, kind: DeflectionKind, key: str = KEY) -> int:
    async with world.unit() as session:
        count = await session.scalar(
            select(func.count(DeflectionEvent.id)).where(
                DeflectionEvent.kind == kind, DeflectionEvent.session_key == key
            )
        )
    return int(count or 0)


# ---- suggestions while asking ----------------------------------------------------------------


async def test_the_fragment_suggests_resolved_questions_for_a_misspelt_title(
    client: Client, router: Thread
) -> None:
    found = await client.get(
        "/ask/similar", params={"title": "rooter drops conection", "suggestion_key": KEY}
    )
    assert found.status_code == 200 and "<html" not in found.text
    assert "My router drops the connection every evening" in found.text
    assert f'href="/t/{router.id}/{router.slug}?suggested={KEY}"' in found.text
    assert "Resolved" in found.text
    assert "Router lights blink orange" not in found.text, "only resolved questions are offered"
    nothing = await client.get("/ask/similar", params={"title": "xq", "suggestion_key": KEY})
    assert "/t/" not in nothing.text


async def test_the_ask_form_asks_for_suggestions_as_the_title_is_typed(
    client: Client, world: World
) -> None:
    await world.member("acme", "cat@example.com")
    await client.login("cat@example.com")
    form = (await client.get("/ask")).text
    key = re.search(r'name="suggestion_key" value="([A-Za-z0-9_-]{22})"', form)
    assert key, "the form carries a suggestion session key"
    assert 'data-hx-get="/ask/similar"' in form
    assert 'data-hx-trigger="input changed delay:400ms"' in form


async def test_without_javascript_one_check_these_first_step_keeps_every_field(
    client: Client, world: World, router: Thread
) -> None:
    await world.member("acme", "cat@example.com")
    await client.login("cat@example.com")
    typed = {
        "category": "billing", "kind": "question", "title": "Router drops connection",
        "body": "It <stops> at 9pm & never before.", "suggestion_key": KEY,
    }  # fmt: skip
    first = await client.submit("/ask", typed)
    assert first.status_code == 200, "nothing is posted yet"
    assert "Check these first" in first.text
    assert f'href="/t/{router.id}/{router.slug}?suggested={KEY}"' in first.text
    assert 'name="checked" value="yes"' in first.text
    assert "None of these — post my question" in first.text
    assert 'value="Router drops connection"' in first.text
    assert "It &lt;stops&gt; at 9pm &amp; never before.</textarea>" in first.text
    assert '<option value="billing" selected>' in first.text
    assert f'name="suggestion_key" value="{KEY}"' in first.text
    assert await events(world, DeflectionKind.SHOWN) == 1

    refused = await client.submit("/ask", {**typed, "checked": "yes", "body": ""})
    assert refused.status_code == 422, "the body is still required"
    assert "Check these first" not in refused.text, "the step is shown once"
    assert 'name="checked" value="yes"' in refused.text

    posted = await client.submit("/ask", {**typed, "checked": "yes"})
    assert posted.status_code == 303
    page = await client.get(posted.headers["location"])
    assert "It &lt;stops&gt; at 9pm &amp; never before." in page.text
    assert await events(world, DeflectionKind.POSTED_ANYWAY) == 1


async def test_a_question_nothing_resembles_is_posted_at_once(
    client: Client, world: World, router: Thread
) -> None:
    await world.member("acme", "cat@example.com")
    await client.login("cat@example.com")
    typed = {"category": "billing", "kind": "question", "title": "Invoice in euros please",
             "body": "Can I get one?", "suggestion_key": KEY}  # fmt: skip
    assert (await client.submit("/ask", typed)).status_code == 303
    assert await events(world, DeflectionKind.POSTED_ANYWAY) == 0, "no suggestion was shown"


# ---- the events ------------------------------------------------------------------------------


async def test_events_are_recorded_once_per_session_thread_and_kind(
    client: Client, world: World, router: Thread
) -> None:
    for _ in range(3):
        await client.get("/ask/similar", params={"title": "router drops", "suggestion_key": KEY})
    address = f"/t/{router.id}/{router.slug}?suggested={KEY}"
    for _ in range(2):
        opened = await client.get(address)
        assert "This solved my problem" in opened.text
    for _ in range(3):
        said = await client.submit(f"/t/{router.id}/solved", {"suggestion_key": KEY})
        assert said.status_code == 303
    thanked = await client.get(said.headers["location"])
    assert "Thank you! We are glad this answered your question." in thanked.text
    assert "This solved my problem" not in thanked.text
    assert [await events(world, kind) for kind in DeflectionKind] == [1, 1, 1, 0]


async def test_solved_is_only_taken_for_a_thread_the_session_was_shown(
    client: Client, world: World, router: Thread
) -> None:
    await client.get("/ask/similar", params={"title": "router drops", "suggestion_key": KEY})
    never_shown = await client.submit(f"/t/{router.id}/solved", {"suggestion_key": OTHER_KEY})
    assert never_shown.status_code == 404
    forged = await client.submit(f"/t/{router.id}/solved", {"suggestion_key": "not a key"})
    assert forged.status_code == 404
    plain = await client.get(f"/t/{router.id}/{router.slug}?suggested={OTHER_KEY}")
    assert "This solved my problem" not in plain.text
    assert await events(world, DeflectionKind.SOLVED, OTHER_KEY) == 0


# ---- the rule and the figures ----------------------------------------------------------------


async def seed_day(world: World, thread: Thread, day: datetime) -> None:
    """Four sessions on one day: A solved and never posted (deflected), B posted 30 minutes
    after solving (not), C posted three hours after (deflected: the hour had passed), D was
    shown suggestions and posted anyway."""
    at = day.replace(hour=10)
    rows = [
        ("A" * 22, DeflectionKind.SHOWN, at), ("A" * 22, DeflectionKind.OPENED, at),
        ("A" * 22, DeflectionKind.SOLVED, at),
        ("B" * 22, DeflectionKind.SHOWN, at), ("B" * 22, DeflectionKind.SOLVED, at),
        ("B" * 22, DeflectionKind.POSTED_ANYWAY, at + timedelta(minutes=30)),
        ("C" * 22, DeflectionKind.SHOWN, at), ("C" * 22, DeflectionKind.SOLVED, at),
        ("C" * 22, DeflectionKind.POSTED_ANYWAY, at + timedelta(hours=3)),
        ("D" * 22, DeflectionKind.SHOWN, at),
        ("D" * 22, DeflectionKind.POSTED_ANYWAY, at + timedelta(minutes=5)),
    ]  # fmt: skip
    async with world.unit() as session:
        await world.scope(session, "acme")
        session.add_all(
            DeflectionEvent(kind=kind, session_key=key, thread_id=thread.id, created_at=when)
            for key, kind, when in rows
        )


def three_days_ago() -> datetime:
    today = utcnow().date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=3)


async def test_a_session_is_deflected_by_the_rule(world: World, router: Thread) -> None:
    day = three_days_ago()
    await seed_day(world, router, day)
    pending = utcnow() - timedelta(minutes=10)  # solved 10 minutes ago: not counted yet
    async with world.unit() as session:
        await world.scope(session, "acme")
        session.add(DeflectionEvent(kind=DeflectionKind.SOLVED, session_key="E" * 22,
                                    thread_id=router.id, created_at=pending))  # fmt: skip
    admin = await world.member("acme", "boss@example.com", Role.ADMIN)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", admin)
        report = await deflection.report(scope, day.date(), utcnow().date())
    seeded = next(d for d in report.days if d.day == day.date())
    assert (seeded.sessions, seeded.shown, seeded.opened, seeded.solved) == (4, 4, 1, 3)
    assert (seeded.posted_anyway, seeded.deflected) == (3, 2)
    assert seeded.rate == 0.5
    assert report.totals.solved == 4 and report.totals.deflected == 2, "E is still pending"


async def test_the_admin_page_and_the_api_give_a_seeded_days_figures(
    client: Client, world: World, router: Thread
) -> None:
    day = three_days_ago()
    await seed_day(world, router, day)
    await world.member("acme", "boss@example.com", Role.ADMIN)
    await client.login("boss@example.com")
    page = await client.get("/admin/deflection")
    assert page.status_code == 200
    row = re.search(rf'<tr data-day="{day.date().isoformat()}">(.*?)</tr>', page.text, re.S)
    assert row, "the seeded day is a row of the last 30 days"
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert cells == ["4", "1", "3", "3", "2", "50%"]
    assert page.text.count("<tr data-day=") == 30

    iso = day.date().isoformat()
    answer = await client.get("/api/v1/admin/deflection", params={"from": iso, "to": iso})
    assert answer.status_code == 200
    body = answer.json()
    assert body["from"] == iso and body["to"] == iso
    assert body["days"] == [{
        "day": iso, "sessions": 4, "shown": 4, "opened": 1, "solved": 3, "posted_anyway": 3,
        "deflected": 2, "deflection_rate": 0.5,
    }]  # fmt: skip

    bad = await client.get("/api/v1/admin/deflection", params={"from": "03/12/2026"})
    assert bad.status_code == 422 and "from" in bad.json()["errors"]
    backwards = await client.get(
        "/api/v1/admin/deflection", params={"from": iso, "to": "2000-01-01"}
    )
    assert backwards.status_code == 422
    marked = await client.get("/admin/deflection", params={"from": "2026-02-30"})
    assert marked.status_code == 422 and 'aria-invalid="true"' in marked.text


async def test_only_admins_read_the_figures(client: Client, world: World) -> None:
    assert (await client.get("/api/v1/admin/deflection")).status_code == 401
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    await client.login("mod@example.com")
    assert (await client.get("/api/v1/admin/deflection")).status_code == 403
    assert (await client.get("/admin/deflection")).status_code == 403
